"""Sparse autoencoders that read another network's hidden activations.

A *sparse dictionary* rewrites each activation vector ``h`` (say the hidden
layer of a classifier) as a sparse, non-negative combination of many learned
directions: ``f = encoder(h)``, ``h_hat = f @ D + b``, where the rows of the
dictionary ``D`` have unit norm, so a feature's size is its activation alone.
Sparsity comes from an L1 penalty on ``f`` or from keeping only the ``k``
largest pre-activations (:class:`TopK`). :class:`DeadFeatureResampler`
revives features that stopped firing. Lesson 10 builds the same model in plain
Keras first; :func:`sparse_dictionary` is the helper that makes it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from aetutor.environment import import_keras_quietly
from aetutor.initializers import GlorotUniform
from aetutor.layers import ActivityPenalty, L1Sparsity
from aetutor.validation import check_finite, check_positive_int, check_rank, check_seed

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

from aetutor.autoencoder import MAX_UNITS, Autoencoder  # noqa: E402

__all__ = [
    "TopK", "kth_largest_distinct", "sparse_dictionary", "normalise_rows", "DeadFeatureResampler",
]


@keras.saving.register_keras_serializable(package="aetutor")
class TopK(keras.layers.Layer):
    """Keep each sample's ``k`` largest pre-activations (after a ReLU); set the rest to 0.

    The number of active features per input (L0) is then at most ``k`` by
    construction (fewer only where some of the ``k`` largest are negative; more
    only where values tie, which a Dense layer's float outputs practically never
    do), instead of depending on a penalty's strength.
    """

    def __init__(self, k: int, **kwargs):
        super().__init__(**kwargs)
        self.k = check_positive_int(k, "k")

    def build(self, input_shape):
        width = input_shape[-1]
        if width is not None and self.k > width:
            raise ValueError(f"k must be at most the number of features ({width}), got {self.k}")
        super().build(input_shape)

    def call(self, inputs):
        kth = kth_largest_distinct(inputs, self.k)  # each row's k-th largest value
        return keras.ops.where(inputs >= kth, keras.ops.relu(inputs), 0.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "k": self.k}


def kth_largest_distinct(x, k: int):
    """Each row's ``k``-th largest distinct value (last axis), shape ``(..., 1)``; ``-inf`` if none.

    Where a row's values are distinct this is ``keras.ops.top_k(x, k)[0][..., -1:]``. It
    takes the row's maximum ``k`` times, setting the entries equal to it aside each
    time: for the small ``k`` of a sparse dictionary that costs several times less
    than ``top_k`` on JAX's CPU backend, which sorts every row. ``x`` is a tensor
    (any backend) or a NumPy array of rank >= 1; ``k`` an integer >= 1.
    """
    k = check_positive_int(k, "k")
    ops = keras.ops
    rest = x
    for _ in range(k - 1):
        largest = ops.max(rest, axis=-1, keepdims=True)
        rest = ops.where(rest >= largest, float("-inf"), rest)
    return ops.max(rest, axis=-1, keepdims=True)


def normalise_rows(layer: keras.layers.Dense) -> None:
    """Rescale a Dense layer's kernel so each row (one feature's direction) has unit norm."""
    if not isinstance(layer, keras.layers.Dense) or not layer.built:
        raise TypeError(f"layer must be a built keras Dense layer, got {type(layer).__name__}")
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    norms = np.linalg.norm(kernel, axis=1, keepdims=True)
    layer.kernel.assign(kernel / np.maximum(norms, 1e-12))


def sparse_dictionary(
    n_inputs: int,
    n_features: int,
    *,
    k: int | None = None,
    l1: float | None = None,
    seed: int | None = None,
    name: str = "sae",
) -> Autoencoder:
    """A sparse autoencoder for activation vectors: ReLU (or top-k) encoder, unit-norm dictionary.

    Parameters
    ----------
    n_inputs : width of the activations it reads (the network's hidden layer).
    n_features : size of the dictionary; several times ``n_inputs`` (overcomplete).
    k : keep the ``k`` largest pre-activations per input (:class:`TopK`); or
    l1 : weight of an L1 penalty on the features (mean over inputs of their sum).
        Give exactly one of ``k`` and ``l1``.
    seed : seeds the initial weights (``None``: Keras's global seed).

    Returns
    -------
    Autoencoder
        Uncompiled. ``encoder``: layers ``"encode"`` (Dense) then the sparsity;
        ``decoder``: layer ``"dictionary"`` (Dense whose kernel rows are kept at
        unit norm by a ``UnitNorm`` constraint, and start that way).
    """
    n_inputs = check_positive_int(n_inputs, "n_inputs", maximum=MAX_UNITS)
    n_features = check_positive_int(n_features, "n_features", maximum=MAX_UNITS)
    if seed is not None:
        seed = check_seed(seed)
    if (k is None) == (l1 is None):
        raise ValueError(
            f"give exactly one of k (top-k) and l1 (L1 penalty), got k={k!r}, l1={l1!r}"
        )
    if k is not None and check_positive_int(k, "k") > n_features:
        raise ValueError(f"k must be at most n_features ({n_features}), got {k}")
    if l1 is not None:
        penalty = L1Sparsity(l1)  # validates l1 (a finite number >= 0)

    def init(offset: int) -> keras.initializers.Initializer:
        return GlorotUniform(seed=None if seed is None else int(seed) + offset)

    inputs = keras.Input(shape=(n_inputs,), name="activations")
    pre = keras.layers.Dense(n_features, kernel_initializer=init(0), name="encode")(inputs)
    if k is not None:
        features = TopK(k, name="top_k")(pre)
    else:
        active = keras.layers.ReLU(name="relu")(pre)
        features = ActivityPenalty(penalty, name="l1_penalty")(active)
    encoder = keras.Model(inputs, features, name=f"{name}_encoder")

    codes = keras.Input(shape=(n_features,), name="features")
    dictionary = keras.layers.Dense(
        n_inputs, kernel_initializer=init(1), name="dictionary",
        kernel_constraint=keras.constraints.UnitNorm(axis=1),
    )
    decoder = keras.Model(codes, dictionary(codes), name=f"{name}_decoder")
    normalise_rows(dictionary)
    return Autoencoder(encoder, decoder, name=name)


class DeadFeatureResampler(keras.callbacks.Callback):
    """Every ``every`` epochs, re-aim dictionary features that fired on none of ``x``.

    A dead feature gets no gradient, so it stays dead. This gives each one a new
    direction: the (normalised) reconstruction error of an input the dictionary
    explains badly (drawn with probability proportional to its squared error),
    as both its dictionary row and its encoder weights (scaled to ``scale`` times
    the mean length of the live features' encoder weights, so it fires where it
    came from), with a zero encoder bias. It is not done in the last epoch, so
    the features it revives get trained before ``fit`` returns. Works on a model from
    :func:`sparse_dictionary` (layers ``"encode"`` and ``"dictionary"``).

    Attributes
    ----------
    resampled : list of (epoch, number of features re-aimed).
    """

    def __init__(self, x: ArrayLike, every: int = 5, *, scale: float = 1.0, seed: int = 0):
        super().__init__()
        x = check_rank(check_finite(x, "x"), (2,), "x", "activation vectors (n, width)")
        if len(x) == 0:
            raise ValueError("x must hold at least one activation vector, got none")
        self.x = x.astype("float32")
        self.every = check_positive_int(every, "every")
        if not isinstance(scale, (int, float)) or not 0 < scale <= 1:
            raise ValueError(f"scale must be a number in (0, 1], got {scale!r}")
        self.scale = float(scale)
        self.rng = np.random.default_rng(seed)
        self.resampled: list[tuple[int, int]] = []

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        done = epoch + 1
        total = (self.params or {}).get("epochs")
        if done % self.every or (total is not None and done >= total):
            return
        encode = self.model.encoder.get_layer("encode")
        dictionary = self.model.decoder.get_layer("dictionary")
        f = self.model.encode(self.x)
        dead = np.flatnonzero(f.max(axis=0) <= 0)
        if len(dead) == 0:
            self.resampled.append((done, 0))
            return
        residual = self.x - self.model.decode(f)
        err = (residual**2).sum(axis=1)
        chosen = self.rng.choice(len(self.x), size=len(dead), p=err / err.sum())
        directions = residual[chosen] / np.maximum(
            np.linalg.norm(residual[chosen], axis=1, keepdims=True), 1e-12)
        w_enc = keras.ops.convert_to_numpy(encode.kernel).copy()
        b_enc = keras.ops.convert_to_numpy(encode.bias).copy()
        w_dec = keras.ops.convert_to_numpy(dictionary.kernel).copy()
        alive = np.setdiff1d(np.arange(w_enc.shape[1]), dead)
        size = np.linalg.norm(w_enc[:, alive], axis=0).mean() if len(alive) else 1.0
        w_dec[dead] = directions
        w_enc[:, dead] = directions.T * self.scale * size
        b_enc[dead] = 0.0
        dictionary.kernel.assign(w_dec)
        encode.kernel.assign(w_enc)
        encode.bias.assign(b_enc)
        self.resampled.append((done, len(dead)))
