"""The sparse autoencoder builder (lesson 07); :mod:`aetutor.models` re-exports it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aetutor.autoencoder import Autoencoder, check_sizes
from aetutor.environment import import_keras_quietly
from aetutor.initializers import numpy_defaults
from aetutor.layers import ActivityPenalty, KLSparsity, L1Sparsity, check_rate

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = ["sparse_autoencoder"]


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
