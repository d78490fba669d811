"""Variational autoencoders (lesson 08): the model, its loss terms and honest measures.

A VAE's encoder returns a *distribution* over codes, a diagonal Gaussian
``q(z|x) = N(z_mean, exp(z_log_var))``; a :class:`Sampling` layer draws
``z = z_mean + exp(z_log_var / 2) * eps`` (the reparameterisation trick), the
decoder turns ``z`` into Bernoulli pixel probabilities, and training maximises
the evidence lower bound (ELBO) on ``log p(x)``::

    ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || N(0, I))

All losses here are in **nats per image**: the Bernoulli log-likelihood is
summed over pixels (binary cross-entropy on [0, 1] intensities), the KL
divergence over code dimensions. The model only overrides ``compute_loss``,
which every Keras backend's own ``train_step``/``test_step`` calls, so it
trains with ``fit`` on TensorFlow, JAX and PyTorch alike.

:func:`importance_weighted_bound` estimates ``log p(x)`` more tightly than the
ELBO (with ``K`` samples it is the ELBO at ``K = 1`` and never looser on
average as ``K`` grows); :func:`active_units` counts the code dimensions a
model uses, which reveals posterior collapse.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from aetutor.environment import import_keras_quietly
from aetutor.validation import (
    check_finite,
    check_number,
    check_positive_int,
    check_seed,
    check_unit_range,
)

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = [
    "Sampling",
    "VariationalAutoencoder",
    "active_units",
    "bernoulli_nll",
    "elbo_terms",
    "gaussian_kl",
    "gaussian_kl_numpy",
    "importance_weighted_bound",
    "prior_grid_codes",
    "variational_autoencoder",
]

EPSILON = 1e-7
"""Pixel probabilities are clipped to [EPSILON, 1 - EPSILON], as Keras's cross-entropy does."""


@keras.saving.register_keras_serializable(package="aetutor")
class Sampling(keras.layers.Layer):
    """Draw ``z = z_mean + exp(z_log_var / 2) * eps`` with ``eps ~ N(0, I)``.

    The reparameterisation trick: the randomness sits in ``eps``, so gradients
    flow through ``z_mean`` and ``z_log_var``. Noise comes from a
    ``keras.random.SeedGenerator``, so a given ``seed`` repeats the same draws
    on any backend. It samples in training *and* evaluation: the ELBO is an
    expectation over ``q(z|x)``.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * eps

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


def gaussian_kl(z_mean, z_log_var):
    """``KL(N(z_mean, exp(z_log_var)) || N(0, I))`` per sample, summed over code dims (nats).

    The closed form ``-1/2 * sum(1 + log s^2 - m^2 - s^2)``, in ``keras.ops``
    (any backend), for tensors of shape ``(batch, latent_dim)``.
    """
    ops = keras.ops
    return -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def bernoulli_nll(x, x_hat):
    """``-log p(x|z)`` for Bernoulli pixels with probabilities ``x_hat``, summed per image (nats).

    Binary cross-entropy of the [0, 1] intensities ``x`` under the decoder's
    probabilities, in ``keras.ops``; images of any shape ``(batch, ...)``.
    """
    ops = keras.ops
    x = ops.reshape(x, (ops.shape(x)[0], -1))
    x_hat = ops.clip(ops.reshape(x_hat, (ops.shape(x_hat)[0], -1)), EPSILON, 1.0 - EPSILON)
    return -ops.sum(x * ops.log(x_hat) + (1.0 - x) * ops.log(1.0 - x_hat), axis=-1)


@keras.saving.register_keras_serializable(package="aetutor")
class VariationalAutoencoder(keras.Model):
    """``x -> encoder -> (z_mean, z_log_var) -> Sampling -> z -> decoder -> x_hat``.

    Calling the model returns a dict with ``x_hat``, ``z_mean`` and
    ``z_log_var``. Training minimises ``reconstruction + beta * KL`` (nats per
    image); ``fit`` and ``evaluate`` report ``loss``, ``elbo`` (always with
    ``beta = 1``), ``reconstruction`` and ``kl``. Compile it with an optimizer
    only. ``encode`` returns the posterior means, ``decode`` the pixel
    probabilities, both on NumPy arrays in batches.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, beta: float = 1.0,
                 seed: int | None = None, name: str = "vae", **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(encoder, keras.Model) or not isinstance(decoder, keras.Model):
            raise TypeError("encoder and decoder must be keras.Model instances, got "
                            f"{type(encoder).__name__} and {type(decoder).__name__}")
        if len(encoder.outputs) != 2:
            raise ValueError("the encoder must return two tensors, [z_mean, z_log_var], got "
                             f"{len(encoder.outputs)}")
        self.beta = _check_beta(beta)
        self.encoder = encoder
        self.decoder = decoder
        self.sampling = Sampling(seed=seed, name="sampling")
        self.elbo_tracker = keras.metrics.Mean(name="elbo")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction")
        self.kl_tracker = keras.metrics.Mean(name="kl")

    def call(self, x, training=False):
        z_mean, z_log_var = self.encoder(x, training=training)
        z = self.sampling([z_mean, z_log_var])
        return {"x_hat": self.decoder(z, training=training), "z_mean": z_mean,
                "z_log_var": z_log_var}

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        reconstruction = bernoulli_nll(x, y_pred["x_hat"])
        kl = gaussian_kl(y_pred["z_mean"], y_pred["z_log_var"])
        self.elbo_tracker.update_state(-(reconstruction + kl))
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        return keras.ops.mean(reconstruction + self.beta * kl)

    @property
    def latent_dim(self) -> int:
        """Size of the code ``z``."""
        return int(self.encoder.outputs[0].shape[-1])

    def get_config(self) -> dict:
        return {
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "beta": self.beta,
            "seed": self.sampling.seed,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict) -> VariationalAutoencoder:
        return cls(encoder=keras.saving.deserialize_keras_object(config["encoder"]),
                   decoder=keras.saving.deserialize_keras_object(config["decoder"]),
                   beta=config.get("beta", 1.0), seed=config.get("seed"),
                   name=config.get("name", "vae"))  # fmt: skip

    def encode_distribution(self, x: ArrayLike, batch_size: int = 1024
                            ) -> tuple[np.ndarray, np.ndarray]:
        """``(z_mean, z_log_var)`` of ``q(z|x)`` for a batch of images (NumPy in and out)."""
        return _encode_distribution(self, x, batch_size)

    def encode(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Posterior means ``z_mean``: the code of each image, without sampling."""
        return self.encode_distribution(x, batch_size)[0]

    def decode(self, z: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Pixel probabilities for a batch of codes, decoded in batches."""
        return _decode(self, z, batch_size)

    def reconstruct(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """``decode(encode(x))``: the reconstruction from each posterior mean."""
        return self.decode(self.encode(x, batch_size), batch_size)


def _check_beta(beta) -> float:
    return check_number(beta, "beta", low=0.0)


def _inputs(x, want: tuple, name: str) -> np.ndarray:
    x = check_finite(x, name).astype("float32", copy=False)
    if x.shape[1:] != want:
        hint = f"; for one sample use {name}[None]" if x.ndim == len(want) else ""
        raise ValueError(f"{name} must have shape (n, {', '.join(map(str, want))}), "
                         f"got {x.shape}{hint}")  # fmt: skip
    return x


def variational_autoencoder(
    input_shape: Sequence[int] | int,
    latent_dim: int,
    hidden: Sequence[int] = (256,),
    *,
    beta: float = 1.0,
    seed: int | None = None,
    activation: str = "relu",
    name: str = "vae",
) -> VariationalAutoencoder:
    """A dense VAE with Bernoulli pixels, the model lesson 08 builds in view.

    Encoder: input -> ``hidden`` layers -> two ``Dense(latent_dim)`` heads,
    ``z_mean`` and ``z_log_var``; decoder: ``z`` -> reversed ``hidden`` ->
    sigmoid pixels. ``beta`` weighs the KL term (1: the ELBO; other values: a
    beta-VAE); ``seed`` seeds the sampling noise. Weights come from Keras's
    global seed, as in every builder. Returns an uncompiled model.
    """
    from aetutor.models import check_sizes

    input_shape, latent_dim, hidden = check_sizes(input_shape, latent_dim, hidden)
    if not hidden:
        raise ValueError("hidden must name at least one hidden layer size, such as (256,)")
    beta = _check_beta(beta)
    if seed is not None:
        seed = check_seed(seed)
    n_inputs = int(np.prod(input_shape))

    # Keras's own initialisers, not aetutor.initializers: lesson 08 builds this model in view
    # and shows that the same seed gives both the same weights.
    x = keras.Input(shape=input_shape, name="image")
    h = keras.layers.Flatten(name="flatten")(x) if len(input_shape) > 1 else x
    for i, units in enumerate(hidden):
        h = keras.layers.Dense(units, activation=activation, name=f"enc_{i + 1}")(h)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    encoder = keras.Model(x, [z_mean, z_log_var], name="encoder")

    z = keras.Input(shape=(latent_dim,), name="z")
    h = z
    for i, units in enumerate(reversed(hidden)):
        h = keras.layers.Dense(units, activation=activation, name=f"dec_{i + 1}")(h)
    out = keras.layers.Dense(n_inputs, activation="sigmoid", name="pixels")(h)
    if len(input_shape) > 1:
        out = keras.layers.Reshape(input_shape, name="image_out")(out)
    decoder = keras.Model(z, out, name="decoder")
    return VariationalAutoencoder(encoder, decoder, beta=beta, seed=seed, name=name)


# ---------------------------------------------------------------- NumPy measures


def gaussian_kl_numpy(z_mean: ArrayLike, z_log_var: ArrayLike) -> np.ndarray:
    """:func:`gaussian_kl` in NumPy (float64): nats per sample, for arrays ``(n, latent_dim)``."""
    m, lv = _pair(z_mean, z_log_var)
    return -0.5 * np.sum(1.0 + lv - m**2 - np.exp(lv), axis=-1)


def _pair(z_mean, z_log_var) -> tuple[np.ndarray, np.ndarray]:
    m = check_finite(z_mean, "z_mean").astype(np.float64)
    lv = check_finite(z_log_var, "z_log_var").astype(np.float64)
    if m.ndim != 2 or m.shape != lv.shape:
        raise ValueError("z_mean and z_log_var must both have shape (n, latent_dim), got "
                         f"{m.shape} and {lv.shape}")
    return m, lv


def _log_bernoulli(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """log p(x|z) per image, summed over pixels, float64; ``x`` (n, d), ``p`` (n, d)."""
    p = np.clip(p.astype(np.float64), EPSILON, 1.0 - EPSILON)
    return np.sum(x * np.log(p) + (1.0 - x) * np.log1p(-p), axis=-1)


def _check_vae(vae) -> None:
    """Any model with ``.encoder`` (x -> [z_mean, z_log_var]) and ``.decoder`` (z -> pixels)."""
    encoder, decoder = getattr(vae, "encoder", None), getattr(vae, "decoder", None)
    if not isinstance(encoder, keras.Model) or not isinstance(decoder, keras.Model):
        raise TypeError("vae must be a model with .encoder and .decoder keras Models (such as a "
                        f"VariationalAutoencoder), got {type(vae).__name__}")
    if len(encoder.outputs) != 2:
        raise ValueError("vae.encoder must return two tensors, [z_mean, z_log_var], got "
                         f"{len(encoder.outputs)}")


def _encode_distribution(vae, x, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    x = _inputs(x, tuple(vae.encoder.inputs[0].shape[1:]), "x")
    batch_size = check_positive_int(batch_size, "batch_size")
    parts = [vae.encoder(x[i:i + batch_size], training=False)
             for i in range(0, len(x), batch_size)]
    latent_dim = int(vae.encoder.outputs[0].shape[-1])
    if not parts:
        return np.zeros((0, latent_dim), "float32"), np.zeros((0, latent_dim), "float32")
    return tuple(np.concatenate([keras.ops.convert_to_numpy(p[j]) for p in parts])
                 for j in (0, 1))


def _decode(vae, z, batch_size: int) -> np.ndarray:
    z = _inputs(z, tuple(vae.decoder.inputs[0].shape[1:]), "z")
    batch_size = check_positive_int(batch_size, "batch_size")
    parts = [keras.ops.convert_to_numpy(vae.decoder(z[i:i + batch_size], training=False))
             for i in range(0, len(z), batch_size)]
    shape = tuple(vae.decoder.outputs[0].shape[1:])
    return np.concatenate(parts) if parts else np.zeros((0, *shape), dtype="float32")


def elbo_terms(vae: keras.Model, x: ArrayLike, *, seed: int = 0,
               batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """Per-image ``(reconstruction, kl)`` in nats: ``-log p(x|z)`` at one sample, and the KL.

    ``vae`` is any model with ``.encoder`` (images -> ``[z_mean, z_log_var]``) and
    ``.decoder`` (codes -> pixel probabilities), such as a
    :class:`VariationalAutoencoder`; ``x`` are images in [0, 1]. The ELBO of each image is
    ``-(reconstruction + kl)``; the sample ``z ~ q(z|x)`` is drawn with a NumPy
    generator seeded by ``seed``, so the estimate is repeatable.
    """
    _check_vae(vae)
    x = check_unit_range(x, "x")
    z_mean, z_log_var = _encode_distribution(vae, x, batch_size)
    eps = np.random.default_rng(check_seed(seed)).standard_normal(z_mean.shape)
    z = z_mean + np.exp(0.5 * z_log_var.astype(np.float64)) * eps
    p = _decode(vae, z.astype("float32"), batch_size).reshape(len(x), -1)
    reconstruction = -_log_bernoulli(x.reshape(len(x), -1).astype(np.float64), p)
    return reconstruction, gaussian_kl_numpy(z_mean, z_log_var)


def importance_weighted_bound(vae: keras.Model, x: ArrayLike, k: int, *,
                              seed: int = 0, batch_size: int = 10_000) -> np.ndarray:
    """The importance-weighted lower bound on ``log p(x)`` with ``k`` samples, per image (nats).

    ``log (1/k) sum_j p(x|z_j) p(z_j) / q(z_j|x)`` with ``z_j ~ q(z|x)``,
    computed with ``logsumexp`` in float64. ``k = 1`` gives a one-sample
    estimate of the ELBO (with a Monte-Carlo KL); as ``k`` grows the bound
    tightens towards ``log p(x)`` and is never looser on average (Burda et al.,
    2016). ``vae`` is as in :func:`elbo_terms`; ``batch_size`` bounds the number
    of codes decoded at once.
    """
    from scipy.special import logsumexp

    _check_vae(vae)
    x = check_unit_range(x, "x")
    k = check_positive_int(k, "k", maximum=100_000)
    batch_size = check_positive_int(batch_size, "batch_size")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x must be a non-empty batch of images, got shape {x.shape}")
    z_mean, z_log_var = (a.astype(np.float64) for a in _encode_distribution(vae, x, 1024))
    flat = x.reshape(len(x), -1).astype(np.float64)
    rng = np.random.default_rng(check_seed(seed))
    per_chunk = max(1, batch_size // k)  # images whose k samples are decoded together
    bounds = np.empty(len(x))
    log_2pi = np.log(2.0 * np.pi)
    for start in range(0, len(x), per_chunk):
        m, lv = z_mean[start:start + per_chunk, None], z_log_var[start:start + per_chunk, None]
        eps = rng.standard_normal((len(m), k, m.shape[-1]))
        z = m + np.exp(0.5 * lv) * eps  # (images, k, latent_dim)
        log_q = -0.5 * np.sum(log_2pi + lv + eps**2, axis=-1)
        log_prior = -0.5 * np.sum(log_2pi + z**2, axis=-1)
        p = _decode(vae, z.reshape(-1, z.shape[-1]).astype("float32"), 4096)
        p = p.reshape(len(m), k, -1)
        log_lik = _log_bernoulli(flat[start:start + per_chunk, None], p)
        bounds[start:start + len(m)] = logsumexp(log_lik + log_prior - log_q, axis=1) - np.log(k)
    return bounds


def active_units(z_mean: ArrayLike, threshold: float = 0.01) -> np.ndarray:
    """Which code dimensions are *active*: the variance over the data of ``z_mean`` > threshold.

    A unit whose posterior mean hardly changes from image to image carries no
    information about the image (its posterior has collapsed onto the prior);
    Burda et al. (2016) count active units with ``threshold = 0.01``. Returns a
    boolean mask of length ``latent_dim``.
    """
    z = check_finite(z_mean, "z_mean")
    if z.ndim != 2 or len(z) < 2:
        raise ValueError(f"z_mean must be codes (n >= 2, latent_dim), got shape {z.shape}")
    threshold = check_number(threshold, "threshold", low=0.0)
    return z.astype(np.float64).var(axis=0) > threshold


def prior_grid_codes(n: int = 15, coverage: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """An ``n`` x ``n`` grid of 2-D codes at evenly spaced *quantiles* of the prior N(0, I).

    Each axis runs over the probabilities from ``(1 - coverage) / 2`` to
    ``(1 + coverage) / 2``, mapped to codes with ``scipy.stats.norm.ppf``: the
    tiles are spaced so that each covers the same prior probability (denser
    near 0). Returns ``(codes, probs)``: codes ``(n * n, 2)`` in reading order
    (top row, largest ``z_2``, first) and the ``n`` probabilities of one axis.
    """
    from scipy.stats import norm

    n = check_positive_int(n, "n", minimum=2, maximum=1000)
    coverage = check_number(coverage, "coverage", low=0.0, high=1.0, low_open=True,
                            high_open=True)
    probs = np.linspace((1 - coverage) / 2, (1 + coverage) / 2, n)
    z1 = norm.ppf(probs)
    g1, g2 = np.meshgrid(z1, z1[::-1])
    return np.stack([g1.ravel(), g2.ravel()], axis=1).astype(np.float32), probs
