"""Keras model builders for the lessons.

Each builder returns an :class:`Autoencoder`: a ``keras.Model`` whose
``.encoder`` and ``.decoder`` are named functional models (``summary()`` works
on each), with ``encode``/``decode``/``reconstruct`` that take and return NumPy
arrays. Builders return uncompiled models, so each lesson shows its own
``compile`` (optimizer and loss are part of what it teaches). The custom
layers and regularizers they use live in :mod:`aetutor.layers`, the
Autoencoder class in :mod:`aetutor.autoencoder`, and the convolutional and
sparse builders in ``models_conv.py`` and ``models_sparse.py``; all are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aetutor.autoencoder import MAX_UNITS, Autoencoder, check_sizes
from aetutor.environment import import_keras_quietly
from aetutor.initializers import numpy_defaults
from aetutor.layers import (
    ActivityPenalty,
    DenseTranspose,
    KLSparsity,
    L1Sparsity,
    Standardize,
    TrainingNoise,
)
from aetutor.models_conv import conv_autoencoder
from aetutor.models_sparse import sparse_autoencoder
from aetutor.variational import Sampling, VariationalAutoencoder, variational_autoencoder

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = [
    "MAX_UNITS",
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

