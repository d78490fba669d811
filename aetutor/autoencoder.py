"""The Autoencoder model every builder returns, and the size checks they share.

:mod:`aetutor.models` re-exports both; the builders live there and in
``models_conv.py`` and ``models_sparse.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from aetutor.environment import import_keras_quietly
from aetutor.validation import check_finite, check_finite_result, check_positive_int

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = ["MAX_UNITS", "Autoencoder", "check_sizes"]


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
                f"the encoder's output shape {enc_out} must match "
                f"the decoder's input shape {dec_in}"
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
        x = check_finite(x, what)
        if x.size and np.abs(x).max() > np.finfo(np.float32).max:
            raise ValueError(
                f"{what} holds values up to {float(np.abs(x).max()):.3g}, beyond float32's range "
                "(3.4e38) that the model computes in"
            )
        x = x.astype("float32", copy=False)
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
        # Calling the model on each batch (inference mode) skips the graph tracing
        # that ``predict`` pays for every new model: about a second a model on a CPU.
        batch_size = check_positive_int(batch_size, "batch_size")
        # Equal batches (sizes differ by at most one): 4,000 rows in batches of at most
        # 1,024 run as four of 1,000, not three of 1,024 and one of 928. Every new batch
        # shape costs a compilation on JAX; this way 1,000, 4,000 and 10,000 rows share one.
        n_batches = -(-len(x) // batch_size)
        parts = [
            keras.ops.convert_to_numpy(model(batch, training=False))
            for batch in (np.array_split(x, n_batches) if len(x) else [])
        ]
        if not parts:
            return np.zeros((0, *model.output.shape[1:]), dtype="float32")
        return check_finite_result(
            np.concatenate(parts, axis=0), f"the model on {what}",
            f"{what} holds values too large for float32 arithmetic (up to "
            f"{float(np.abs(x).max()):.3g}); images belong in [0, 1], codes near the data's",
        )

    def encode(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Codes ``z`` for a batch of inputs (NumPy in, NumPy out)."""
        return self._predict(self.encoder, x, batch_size, "x")

    def decode(self, z: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Reconstructions for a batch of codes, in one batched call."""
        return self._predict(self.decoder, z, batch_size, "z")

    def reconstruct(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """``decode(encode(x))`` in one pass."""
        return self._predict(self, x, batch_size, "x")


MAX_UNITS = 2**20
"""Largest input, hidden or latent size the builders accept (a guard on memory)."""


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
        raise TypeError(
            f"input_shape must be a tuple of ints such as (28, 28), got {input_shape!r}"
        ) from None
    if not input_shape:
        raise ValueError("input_shape must not be empty; for 28x28 images pass (28, 28)")
    input_shape = tuple(check_positive_int(d, "each input_shape entry", maximum=MAX_UNITS)
                        for d in input_shape)  # fmt: skip
    latent_dim = check_positive_int(latent_dim, "latent_dim", maximum=MAX_UNITS)
    if isinstance(hidden, (int, np.integer)):
        hidden = (int(hidden),)
    if isinstance(hidden, (str, bytes)) or not hasattr(hidden, "__iter__"):
        raise TypeError(f"hidden must be a sequence of layer sizes such as (128,), got {hidden!r}")
    hidden = tuple(hidden)
    for h in hidden:
        if isinstance(h, bool) or not isinstance(h, (int, np.integer)):
            raise TypeError(f"hidden sizes must be integers, got {hidden!r}")
        if h < 1:
            raise ValueError(f"hidden layer sizes must be at least 1, got {hidden!r}")
    hidden = tuple(int(h) for h in hidden)
    widths = (int(np.prod(input_shape)), *hidden, latent_dim)
    if any(h > MAX_UNITS for h in hidden) or max(
        a * b for a, b in zip(widths[:-1], widths[1:])
    ) > 2**28:
        raise ValueError(
            f"input_shape {input_shape}, hidden {hidden} and latent_dim {latent_dim} would need a "
            "weight matrix of more than 2**28 entries (1 GiB): use smaller sizes"
        )
    return input_shape, latent_dim, hidden
