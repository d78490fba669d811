"""Custom Keras pieces the model builders use: training-only noise, sparsity, tied weights,
and a standardising layer that can be adapted again inside a compiled model.

They are ordinary, serializable Keras objects, so a model that contains them
saves and loads like any other; :mod:`aetutor.models` builds them into
autoencoders.
"""

from __future__ import annotations

import numpy as np

from aetutor.environment import import_keras_quietly
from aetutor.initializers import Zeros
from aetutor.noise import check_noise_level
from aetutor.validation import check_finite, check_positive_int

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = [
    "ActivityPenalty",
    "DenseTranspose",
    "KLSparsity",
    "L1Sparsity",
    "Standardize",
    "TrainingNoise",
    "check_rate",
]


@keras.saving.register_keras_serializable(package="aetutor")
class TrainingNoise(keras.layers.Layer):
    """Corrupt the inputs while training; pass them through untouched otherwise.

    Put it in front of an autoencoder and fit on clean targets: every batch of
    every epoch gets freshly drawn noise, so the model cannot memorise one
    corrupted copy and must learn to undo the corruption itself. ``kind`` is
    ``"masking"``, ``"gaussian"`` or ``"salt_and_pepper"`` and ``level`` its
    rate or sigma, exactly as in :mod:`aetutor.noise` (which corrupts NumPy
    arrays for testing). ``seed`` makes the noise sequence repeat.
    """

    def __init__(self, kind: str = "gaussian", level: float = 0.5, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.kind = kind
        self.level = check_noise_level(kind, level)
        if seed is not None:
            seed = check_positive_int(seed, "seed", minimum=0)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.level == 0:
            return inputs
        ops = keras.ops
        shape = ops.shape(inputs)
        if self.kind == "gaussian":
            noise = keras.random.normal(shape, stddev=self.level, dtype=inputs.dtype,
                                        seed=self.seed_generator)
            return ops.clip(inputs + noise, 0.0, 1.0)
        u = keras.random.uniform(shape, dtype=inputs.dtype, seed=self.seed_generator)
        if self.kind == "masking":
            return ops.where(u >= self.level, inputs, ops.zeros_like(inputs))
        salted = ops.where(u < self.level / 2, ops.ones_like(inputs), inputs)
        return ops.where((u >= self.level / 2) & (u < self.level), ops.zeros_like(inputs), salted)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "kind": self.kind, "level": self.level,
                "seed": self.seed}


# ---------------------------------------------------------------------------
# Sparse autoencoders (lesson 07): penalties on how often the hidden units fire.

_KL_EPS = 1e-7  # keeps log() finite when a unit's mean activation reaches 0 or 1


def check_rate(value, name: str, *, rate: bool) -> float:
    """A penalty weight (finite, >= 0) or, with ``rate=True``, a target rate in (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if rate and not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, such as 0.05, got {value!r}")
    if not rate and not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


@keras.saving.register_keras_serializable(package="aetutor")
class KLSparsity(keras.regularizers.Regularizer):
    """KL-divergence sparsity penalty on sigmoid activations (Ng's sparse autoencoder).

    With ``rho_hat_j`` the mean activation of unit ``j`` over the batch, the
    penalty is ``beta * sum_j KL(rho || rho_hat_j)`` where
    ``KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q))``:
    zero when every unit fires on average at the target rate ``rho``, growing
    quickly as a unit's average falls below it and slowly as it rises above it
    (steeply again only near 1), so each unit learns to respond to a small share
    of the inputs. Activations must lie in [0, 1]
    (sigmoid units); ``rho_hat`` is clipped to keep the logarithms finite.

    The value describes the whole batch, not a sum over samples, so attach it
    with :class:`ActivityPenalty` (which adds it to the loss once per batch)
    rather than ``activity_regularizer=`` (which recent Keras versions divide
    by the batch size).
    """

    def __init__(self, rho: float = 0.05, beta: float = 1.0):
        self.rho = check_rate(rho, "rho", rate=True)
        self.beta = check_rate(beta, "beta", rate=False)

    def __call__(self, x):
        x = keras.ops.convert_to_tensor(x)
        batch_axes = tuple(range(len(x.shape) - 1))  # average over all but the unit axis
        rho_hat = keras.ops.clip(keras.ops.mean(x, axis=batch_axes), _KL_EPS, 1.0 - _KL_EPS)
        rho = self.rho
        kl = rho * keras.ops.log(rho / rho_hat) + (1.0 - rho) * keras.ops.log(
            (1.0 - rho) / (1.0 - rho_hat)
        )
        return self.beta * keras.ops.sum(kl)

    def get_config(self) -> dict:
        return {"rho": self.rho, "beta": self.beta}


@keras.saving.register_keras_serializable(package="aetutor")
class L1Sparsity(keras.regularizers.Regularizer):
    """L1 activity penalty: ``l1 * sum_j |a_j|``, averaged over the samples of the batch.

    Pushes every activation towards zero with the same force whatever its
    size, so a unit stays silent unless firing pays for itself in
    reconstruction. Unlike :class:`KLSparsity` there is no target rate: how
    sparse the code ends up depends on ``l1`` against the reconstruction loss.
    """

    def __init__(self, l1: float = 1e-3):
        self.l1 = check_rate(l1, "l1", rate=False)

    def __call__(self, x):
        x = keras.ops.convert_to_tensor(x)
        n = keras.ops.cast(keras.ops.shape(x)[0], x.dtype)
        return self.l1 * keras.ops.divide_no_nan(keras.ops.sum(keras.ops.abs(x)), n)

    def get_config(self) -> dict:
        return {"l1": self.l1}


@keras.saving.register_keras_serializable(package="aetutor")
class ActivityPenalty(keras.layers.Layer):
    """Pass activations through unchanged and add ``regularizer(activations)`` to the loss.

    Keras's own ``activity_regularizer=`` divides the penalty by the batch size
    in recent releases (Keras 3.15 does) but not in earlier Keras 3 releases;
    this layer adds the regularizer's value exactly once per batch on every
    version, so the loss is ``reconstruction + penalty`` as written.
    """

    def __init__(self, regularizer, **kwargs):
        super().__init__(**kwargs)
        if regularizer is None:
            raise ValueError("regularizer must be a Keras regularizer such as KLSparsity()")
        self.regularizer = keras.regularizers.get(regularizer)

    def call(self, inputs):
        self.add_loss(self.regularizer(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(),
                "regularizer": keras.regularizers.serialize(self.regularizer)}


# ---------------------------------------------------------------------------
# Tied weights (lesson 09): a decoder layer that reuses an encoder layer's kernel.


class DenseTranspose(keras.layers.Layer):
    """A dense layer whose kernel is the transpose of another ``Dense`` layer's kernel.

    ``DenseTranspose(enc)`` computes ``activation(x @ enc.kernel.T + b)``: it maps
    ``enc``'s outputs back to ``enc``'s inputs with the *same* weights read the
    other way, so a decoder built from such layers adds only its biases. Training
    updates the shared kernel through both paths. ``tied`` must already be built
    (call it once, as building the encoder does).

    The layer keeps a reference to ``tied`` rather than a copy of its weights, so
    it lives inside the model that holds ``tied``; it is not saved on its own
    (``get_config`` raises ``NotImplementedError``).
    """

    def __init__(self, tied: keras.layers.Dense, activation: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(tied, keras.layers.Dense):
            raise TypeError(
                f"tied must be a keras.layers.Dense layer, got {type(tied).__name__}"
            )
        if not tied.built:
            raise ValueError(
                f"tied layer {tied.name!r} is not built yet: call it on an input first "
                "(build the encoder before the decoder)"
            )
        # The Dense layer is kept out of Keras's tracking (its bias is not ours);
        # its kernel is tracked as a weight of this layer too, so the decoder's
        # summary shows the weights it uses, and a model holding both layers
        # counts the shared kernel once.
        object.__setattr__(self, "_tied", tied)
        self.tied_kernel = tied.kernel
        self.activation = keras.activations.get(activation)
        self.units = int(tied.kernel.shape[0])

    @property
    def tied(self) -> keras.layers.Dense:
        """The encoder layer whose kernel this layer reads transposed."""
        return self._tied

    def build(self, input_shape):
        want = int(self.tied_kernel.shape[1])
        if input_shape[-1] is not None and int(input_shape[-1]) != want:
            raise ValueError(
                f"DenseTranspose tied to {self.tied.name!r} takes inputs with {want} features "
                f"(that layer's outputs), got {input_shape[-1]}"
            )
        self.bias = self.add_weight(shape=(self.units,), initializer=Zeros(), name="bias")

    def call(self, inputs):
        kernel = keras.ops.transpose(self.tied_kernel)
        return self.activation(keras.ops.matmul(inputs, kernel) + self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict:
        raise NotImplementedError(
            "DenseTranspose shares another layer's kernel and cannot be saved on its own; "
            "save the weights (model.save_weights) and rebuild the model instead"
        )


def _ones(shape, dtype=None) -> np.ndarray:
    """All ones, as a NumPy array (no compiled program per shape on JAX)."""
    return np.ones(shape, dtype=dtype or "float32")


@keras.saving.register_keras_serializable(package="aetutor")
class Standardize(keras.layers.Layer):
    """Standardise features: ``(x - mean) / max(sqrt(variance), epsilon)`` on the last axis.

    It computes what ``keras.layers.Normalization()`` computes after ``adapt``, but
    keeps the mean and variance as non-trainable weights. Normalization turns its
    statistics into constants, which a compiled training step bakes in; this layer's
    :meth:`adapt` assigns new values to its weights instead, so one compiled model
    can be adapted to new data and trained again without compiling anew (a second
    or more a model on a CPU). Before ``adapt`` it passes its inputs through
    (mean 0, variance 1).
    """

    def build(self, input_shape):
        features = int(input_shape[-1])
        self.mean = self.add_weight(shape=(features,), initializer=Zeros(), trainable=False,
                                    name="mean")
        self.variance = self.add_weight(shape=(features,), initializer=_ones, trainable=False,
                                        name="variance")

    def adapt(self, data) -> None:
        """Set the mean and variance to those of ``data`` (n samples x features), per feature."""
        data = check_finite(data, "data")
        if data.ndim != 2 or len(data) == 0:
            raise ValueError(
                f"data must be a non-empty 2-D array (samples, features), got shape {data.shape}"
            )
        if not self.built:
            self.build(data.shape)
        if data.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"data must have {self.mean.shape[0]} features (the layer's inputs), "
                f"got {data.shape[1]}"
            )
        data = data.astype("float64")
        self.mean.assign(data.mean(axis=0).astype("float32"))
        self.variance.assign(data.var(axis=0).astype("float32"))

    def call(self, inputs):
        spread = keras.ops.maximum(keras.ops.sqrt(self.variance), keras.config.epsilon())
        return (inputs - self.mean) / spread

    def compute_output_shape(self, input_shape):
        return input_shape
