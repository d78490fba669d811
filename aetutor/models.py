"""Keras model builders for the lessons.

Each builder returns an :class:`Autoencoder`: a ``keras.Model`` whose
``.encoder`` and ``.decoder`` are named functional models (``summary()`` works
on each), with ``encode``/``decode``/``reconstruct`` that take and return NumPy
arrays. Builders return uncompiled models, so each lesson shows its own
``compile`` (optimizer and loss are part of what it teaches).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from aetutor.environment import import_tensorflow_quietly
from aetutor.validation import check_finite, check_positive_int

import_tensorflow_quietly()
import keras  # noqa: E402  (after the quiet TensorFlow import)

__all__ = ["Autoencoder", "dense_autoencoder", "check_sizes"]


@keras.saving.register_keras_serializable(package="aetutor")
class Autoencoder(keras.Model):
    """An encoder and a decoder joined into one model: ``x -> encoder -> z -> decoder -> x_hat``.

    Built with the functional API, so training, saving and ``summary()`` work as
    for any Keras model; subclassing adds only the array helpers below.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, name: str = "autoencoder",
                 **kwargs):
        if not isinstance(encoder, keras.Model) or not isinstance(decoder, keras.Model):
            raise TypeError(
                "encoder and decoder must be keras.Model instances, got "
                f"{type(encoder).__name__} and {type(decoder).__name__}"
            )
        enc_out = tuple(encoder.output.shape[1:])
        dec_in = tuple(decoder.input.shape[1:])
        if enc_out != dec_in:
            raise ValueError(
                f"the encoder's output shape {enc_out} must match the decoder's input shape {dec_in}"
            )
        inputs = keras.Input(shape=encoder.input.shape[1:], name="x")
        outputs = decoder(encoder(inputs))
        super().__init__(inputs=inputs, outputs=outputs, name=name, **kwargs)
        self.encoder = encoder
        self.decoder = decoder

    @property
    def latent_dim(self) -> int:
        """Size of the code ``z``."""
        return int(np.prod(self.encoder.output.shape[1:]))

    def get_config(self) -> dict:
        return {
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict) -> Autoencoder:
        return cls(
            encoder=keras.saving.deserialize_keras_object(config["encoder"]),
            decoder=keras.saving.deserialize_keras_object(config["decoder"]),
            name=config.get("name", "autoencoder"),
        )

    def _predict(self, model: keras.Model, x, batch_size: int, what: str) -> np.ndarray:
        x = check_finite(x, what).astype("float32", copy=False)
        want = tuple(model.input.shape[1:])
        if x.shape[1:] != want:
            if x.ndim == len(want):  # a single sample: add the batch axis for the caller
                raise ValueError(
                    f"{what} must be a batch of shape (n, {', '.join(map(str, want))}), "
                    f"got {x.shape}; for one sample use x[None]"
                )
            raise ValueError(
                f"{what} must have shape (n, {', '.join(map(str, want))}), got {x.shape}"
            )
        return model.predict(x, batch_size=batch_size, verbose=0)

    def encode(self, x, batch_size: int = 1024) -> np.ndarray:
        """Codes ``z`` for a batch of inputs (NumPy in, NumPy out)."""
        return self._predict(self.encoder, x, batch_size, "x")

    def decode(self, z, batch_size: int = 1024) -> np.ndarray:
        """Reconstructions for a batch of codes, in one batched call."""
        return self._predict(self.decoder, z, batch_size, "z")

    def reconstruct(self, x, batch_size: int = 1024) -> np.ndarray:
        """``decode(encode(x))`` in one pass."""
        return self._predict(self, x, batch_size, "x")


def check_sizes(input_shape: Sequence[int] | int, latent_dim: int,
                hidden: Sequence[int] = ()) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
    """Validate the sizes every builder takes; return them normalised.

    Raises ``ValueError`` for a latent size below 1, an empty input shape, or a
    hidden layer size below 1; ``TypeError`` for non-integers.
    """
    if isinstance(input_shape, (int, np.integer)):
        input_shape = (int(input_shape),)
    try:
        input_shape = tuple(input_shape)
    except TypeError:
        raise TypeError(f"input_shape must be a tuple of ints such as (28, 28), got {input_shape!r}")
    if not input_shape:
        raise ValueError("input_shape must not be empty; for 28x28 images pass (28, 28)")
    input_shape = tuple(check_positive_int(d, "each input_shape entry") for d in input_shape)
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    if isinstance(hidden, (int, np.integer)):
        hidden = (int(hidden),)
    hidden = tuple(hidden)
    for h in hidden:
        if isinstance(h, bool) or not isinstance(h, (int, np.integer)):
            raise TypeError(f"hidden sizes must be integers, got {hidden!r}")
        if h < 1:
            raise ValueError(f"hidden layer sizes must be at least 1, got {hidden!r}")
    return input_shape, latent_dim, tuple(int(h) for h in hidden)


def dense_autoencoder(
    input_shape: Sequence[int] | int,
    latent_dim: int,
    hidden: Sequence[int] = (128,),
    *,
    activation: str = "relu",
    latent_activation: str | None = None,
    output_activation: str = "sigmoid",
    name: str = "dense_ae",
) -> Autoencoder:
    """A fully connected autoencoder: input -> hidden... -> latent -> reversed hidden -> input.

    ``hidden=(128,)`` with ``latent_dim=32`` on 28x28 images gives the lesson-01
    model 784 -> 128 -> 32 -> 128 -> 784. The decoder mirrors the encoder;
    images are flattened on the way in and reshaped on the way out.
    """
    input_shape, latent_dim, hidden = check_sizes(input_shape, latent_dim, hidden)
    if not hidden:
        raise ValueError(
            "hidden must name at least one hidden layer size, such as (128,); "
            "for an autoencoder without hidden layers use a linear model"
        )
    n_inputs = int(np.prod(input_shape))

    x = keras.Input(shape=input_shape, name="image")
    h = keras.layers.Flatten(name="flatten")(x) if len(input_shape) > 1 else x
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"enc_{i + 1}")(h)
    z = keras.layers.Dense(latent_dim, activation=latent_activation, name="code")(h)
    encoder = keras.Model(x, z, name="encoder")

    z_in = keras.Input(shape=(latent_dim,), name="z")
    h = z_in
    for i, units in enumerate(reversed(hidden)):
        h = keras.layers.Dense(units, activation=activation, name=f"dec_{i + 1}")(h)
    out = keras.layers.Dense(n_inputs, activation=output_activation, name="pixels")(h)
    if len(input_shape) > 1:
        out = keras.layers.Reshape(input_shape, name="image_out")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)
