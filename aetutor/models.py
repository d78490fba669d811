"""Keras model builders for the lessons.

Each builder returns an :class:`Autoencoder`: a ``keras.Model`` whose
``.encoder`` and ``.decoder`` are named functional models (``summary()`` works
on each), with ``encode``/``decode``/``reconstruct`` that take and return NumPy
arrays. Builders return uncompiled models, so each lesson shows its own
``compile`` (optimizer and loss are part of what it teaches). The custom
layers and regularizers they use live in :mod:`aetutor.layers` and are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from aetutor.environment import import_keras_quietly
from aetutor.initializers import numpy_defaults
from aetutor.layers import (
    ActivityPenalty,
    DenseTranspose,
    KLSparsity,
    L1Sparsity,
    Standardize,
    TrainingNoise,
    check_rate,
)
from aetutor.validation import check_finite, check_finite_result, check_positive_int
from aetutor.variational import Sampling, VariationalAutoencoder, variational_autoencoder

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = [
    "ActivityPenalty",
    "Autoencoder",
    "DenseTranspose",
    "KLSparsity",
    "L1Sparsity",
    "Sampling",
    "Standardize",
    "TrainingNoise",
    "VariationalAutoencoder",
    "check_sizes",
    "conv_autoencoder",
    "dense_autoencoder",
    "linear_autoencoder",
    "sparse_autoencoder",
    "variational_autoencoder",
]


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


def dense_autoencoder(
    input_shape: Sequence[int] | int,
    latent_dim: int,
    hidden: Sequence[int] = (128,),
    *,
    activation: str = "relu",
    latent_activation: str | None = None,
    output_activation: str | None = "sigmoid",
    tied: bool = False,
    name: str = "dense_ae",
) -> Autoencoder:
    """A fully connected autoencoder: input -> hidden... -> latent -> reversed hidden -> input.

    ``hidden=(128,)`` with ``latent_dim=32`` on 28x28 images gives the lesson-01
    model 784 -> 128 -> 32 -> 128 -> 784. The decoder mirrors the encoder;
    images are flattened on the way in and reshaped on the way out (any input
    shape works, e.g. windows ``(steps, channels)`` of a time series).
    ``output_activation=None`` gives a linear output, for standardised data
    that is not in [0, 1] (train it with MSE). ``tied=True`` ties the weights:
    each decoder layer is a :class:`DenseTranspose` that reuses the transposed
    kernel of its mirror in the encoder and adds only a bias, so the model has
    about half the weights (it cannot be saved whole; save its weights).
    """
    input_shape, latent_dim, hidden = check_sizes(input_shape, latent_dim, hidden)
    if not isinstance(tied, (bool, np.bool_)):
        raise TypeError(f"tied must be True or False, got {tied!r}")
    if not hidden:
        raise ValueError(
            "hidden must name at least one hidden layer size, such as (128,); "
            "for an autoencoder without hidden layers use a linear model"
        )
    n_inputs = int(np.prod(input_shape))

    x = keras.Input(shape=input_shape, name="image")
    h = keras.layers.Flatten(name="flatten")(x) if len(input_shape) > 1 else x
    dense = []  # the encoder's Dense layers, input side first
    for i, units in enumerate((*hidden, latent_dim)):
        last = i == len(hidden)
        dense.append(keras.layers.Dense(units, activation=latent_activation if last else activation,
                                        name="code" if last else f"enc_{i + 1}",
                                        **numpy_defaults()))
        h = dense[-1](h)
    encoder = keras.Model(x, h, name="encoder")

    z_in = keras.Input(shape=(latent_dim,), name="z")
    h = z_in
    for i, units in enumerate((*reversed(hidden), n_inputs)):
        last = i == len(hidden)
        act, layer_name = (output_activation, "pixels") if last else (activation, f"dec_{i + 1}")
        if tied:
            h = DenseTranspose(dense[-1 - i], activation=act, name=layer_name)(h)
        else:
            h = keras.layers.Dense(units, activation=act, name=layer_name, **numpy_defaults())(h)
    out = h
    if len(input_shape) > 1:
        out = keras.layers.Reshape(input_shape, name="image_out")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)


def linear_autoencoder(
    input_shape: Sequence[int] | int,
    latent_dim: int,
    *,
    use_bias: bool = True,
    name: str = "linear_ae",
) -> Autoencoder:
    """The linear autoencoder: input -> latent -> input with no activation anywhere.

    Trained with mean squared error it can do no better than PCA with
    ``latent_dim`` components, and at its optimum its decoder spans the same
    subspace as the top principal components (the weights need not be
    orthonormal, only their column space is fixed). ``use_bias=True`` lets it
    learn the data mean, which PCA subtracts first; with ``use_bias=False`` it
    matches uncentred PCA instead. Outputs are not squashed into [0, 1].
    """
    input_shape, latent_dim, _ = check_sizes(input_shape, latent_dim)
    if not isinstance(use_bias, (bool, np.bool_)):
        raise TypeError(f"use_bias must be True or False, got {use_bias!r}")
    n_inputs = int(np.prod(input_shape))

    x = keras.Input(shape=input_shape, name="image")
    h = keras.layers.Flatten(name="flatten")(x) if len(input_shape) > 1 else x
    z = keras.layers.Dense(latent_dim, activation=None, use_bias=bool(use_bias), name="code",
                           **numpy_defaults())(h)
    encoder = keras.Model(x, z, name="encoder")

    z_in = keras.Input(shape=(latent_dim,), name="z")
    out = keras.layers.Dense(n_inputs, activation=None, use_bias=bool(use_bias),
                             name="pixels", **numpy_defaults())(z_in)
    if len(input_shape) > 1:
        out = keras.layers.Reshape(input_shape, name="image_out")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name)


def conv_autoencoder(
    input_shape: Sequence[int],
    filters: Sequence[int] = (16, 32),
    latent_dim: int | None = None,
    *,
    kernel_size: int = 3,
    activation: str = "relu",
    output_activation: str = "sigmoid",
    upsampling: str = "transpose",
    name: str = "conv_ae",
) -> Autoencoder:
    """A small convolutional autoencoder: strided ``Conv2D`` down, ``Conv2DTranspose`` back up.

    Each ``filters`` entry is a 3x3 convolution with stride 2, which halves the
    height and width: ``(16, 32)`` on 28x28 images gives codes of shape
    (7, 7, 32). The decoder mirrors it with stride-2 transposed convolutions,
    the last one producing the image channels. With ``latent_dim`` set, a dense
    layer squeezes the feature maps into a flat code of that size (a true
    bottleneck); without it the code is the last feature map (fully
    convolutional: cheap, and good at local jobs such as denoising).

    ``input_shape`` is ``(height, width)`` for grey images shaped like
    ``Dataset.x_train`` (a channel axis is added and removed inside the model),
    or ``(height, width, channels)``. Height and width must be divisible by
    ``2 ** len(filters)``.

    ``upsampling="transpose"`` grows the maps with stride-2 ``Conv2DTranspose``;
    ``"resize"`` with ``UpSampling2D`` (nearest neighbour) followed by a
    stride-1 ``Conv2D`` of the same size, the same number of weights. A 3x3
    transposed convolution with stride 2 covers some output pixels with more
    kernel taps than others, which can leave a checkerboard pattern; resizing
    first covers every pixel alike.
    """
    if upsampling not in ("transpose", "resize"):
        raise ValueError(f"upsampling must be 'transpose' or 'resize', got {upsampling!r}")
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise TypeError(
            f"input_shape must be (height, width) or (height, width, channels), got {input_shape!r}"
        ) from None
    if len(shape) not in (2, 3):
        raise ValueError(
            "input_shape must be (height, width) or (height, width, channels) for a "
            f"convolutional autoencoder, got {shape!r}"
        )
    if isinstance(filters, (int, np.integer)):
        filters = (int(filters),)
    if isinstance(filters, (str, bytes)) or not hasattr(filters, "__iter__"):
        raise TypeError(f"filters must be a sequence of channel counts such as (16, 32), got "
                        f"{filters!r}")
    filters = tuple(filters)
    if not filters:
        raise ValueError("filters must name at least one convolution, such as (16, 32)")
    shape, _, filters = check_sizes(shape, 1 if latent_dim is None else latent_dim, filters)
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    factor = 2 ** len(filters)
    if shape[0] % factor or shape[1] % factor:
        raise ValueError(
            f"conv_autoencoder halves height and width once per filters entry ({len(filters)} "
            f"entries: a factor of {factor}), so both must be divisible by {factor}; got "
            f"input_shape {shape}. Pad or crop the images, or use fewer filters entries"
        )
    grey = len(shape) == 2
    channels = 1 if grey else shape[2]
    conv = {"kernel_size": kernel_size, "strides": 2, "padding": "same", **numpy_defaults()}

    x = keras.Input(shape=shape, name="image")
    h = keras.layers.Reshape((*shape, 1), name="add_channel")(x) if grey else x
    for i, f in enumerate(filters):
        h = keras.layers.Conv2D(f, activation=activation, name=f"conv_{i + 1}", **conv)(h)
    fmap_shape = tuple(h.shape[1:])
    if latent_dim is not None:
        h = keras.layers.Flatten(name="flatten")(h)
        h = keras.layers.Dense(latent_dim, name="code", **numpy_defaults())(h)
    encoder = keras.Model(x, h, name="encoder")

    z_in = keras.Input(shape=tuple(h.shape[1:]), name="z")
    g = z_in
    if latent_dim is not None:
        g = keras.layers.Dense(int(np.prod(fmap_shape)), activation=activation, name="expand",
                               **numpy_defaults())(g)
        g = keras.layers.Reshape(fmap_shape, name="feature_map")(g)
    for i, f in enumerate((*reversed(filters[:-1]), channels)):
        last = i == len(filters) - 1
        act, layer_name = (output_activation, "pixels") if last else (activation, f"deconv_{i + 1}")
        if upsampling == "transpose":
            g = keras.layers.Conv2DTranspose(f, activation=act, name=layer_name, **conv)(g)
        else:
            g = keras.layers.UpSampling2D(2, name=f"upsample_{i + 1}")(g)
            g = keras.layers.Conv2D(f, kernel_size, padding="same", activation=act,
                                    name=layer_name, **numpy_defaults())(g)
    if grey:
        g = keras.layers.Reshape(shape, name="image_out")(g)
    decoder = keras.Model(z_in, g, name="decoder")
    return Autoencoder(encoder, decoder, name=name)


def sparse_autoencoder(
    input_shape: Sequence[int] | int,
    latent_dim: int,
    *,
    sparsity: str | None = "kl",
    rho: float = 0.05,
    beta: float = 0.05,
    l1: float = 2e-3,
    weight_decay: float = 0.0,
    activation: str = "sigmoid",
    output_activation: str = "sigmoid",
    name: str | None = None,
) -> Autoencoder:
    """One hidden layer of ``latent_dim`` units with a sparsity penalty on their activations.

    ``input -> Dense(latent_dim, activation) -> penalty -> Dense(inputs, output_activation)``.
    ``sparsity="kl"`` adds :class:`KLSparsity` (``rho``, ``beta``; needs sigmoid
    units), ``"l1"`` adds :class:`L1Sparsity` (``l1``), and ``None`` builds the
    same network without a penalty, the fair baseline. ``weight_decay`` adds
    an L2 penalty on both kernels (Ng's lambda), which keeps the weights of
    rarely lit pixels from growing. The encoder's Dense layer is named
    ``"code"``: its kernel, shaped ``(pixels, latent_dim)``, holds the feature
    each hidden unit looks for.

    The default weights suit a loss that is a *mean* over pixels (Keras's
    binary cross-entropy) on MNIST-sized images, hence a much smaller ``beta``
    than in texts that sum the error over pixels.
    """
    input_shape, latent_dim, _ = check_sizes(input_shape, latent_dim)
    if sparsity not in ("kl", "l1", None):
        raise ValueError(f"sparsity must be 'kl', 'l1' or None, got {sparsity!r}")
    rho = check_rate(rho, "rho", rate=True)
    beta = check_rate(beta, "beta", rate=False)
    l1 = check_rate(l1, "l1", rate=False)
    decay = check_rate(weight_decay, "weight_decay", rate=False)
    decay = keras.regularizers.L2(decay) if decay > 0 else None
    if sparsity == "kl" and activation != "sigmoid":
        raise ValueError(
            "the KL sparsity penalty needs activations in [0, 1]: use activation='sigmoid', "
            f"got {activation!r} (or use sparsity='l1')"
        )
    n_inputs = int(np.prod(input_shape))

    x = keras.Input(shape=input_shape, name="image")
    h = keras.layers.Flatten(name="flatten")(x) if len(input_shape) > 1 else x
    z = keras.layers.Dense(latent_dim, activation=activation, kernel_regularizer=decay,
                           name="code", **numpy_defaults())(h)
    if sparsity == "kl":
        z = ActivityPenalty(KLSparsity(rho=rho, beta=beta), name="kl_sparsity")(z)
    elif sparsity == "l1":
        z = ActivityPenalty(L1Sparsity(l1=l1), name="l1_sparsity")(z)
    encoder = keras.Model(x, z, name="encoder")

    z_in = keras.Input(shape=(latent_dim,), name="z")
    out = keras.layers.Dense(n_inputs, activation=output_activation, kernel_regularizer=decay,
                             name="pixels", **numpy_defaults())(z_in)
    if len(input_shape) > 1:
        out = keras.layers.Reshape(input_shape, name="image_out")(out)
    decoder = keras.Model(z_in, out, name="decoder")
    return Autoencoder(encoder, decoder, name=name or f"{sparsity or 'plain'}_sparse_ae")
