"""Corruptions for denoising: masking, Gaussian and salt-and-pepper noise.

Each function takes a batch of images (or flat vectors) with values in [0, 1],
a noise level and a ``seed`` (an integer or a NumPy ``Generator``), and returns
a corrupted copy with the same shape and dtype, still in [0, 1]. Passing the
same ``Generator`` to successive calls gives fresh noise each time, which is
what a denoising autoencoder needs to see every epoch.

The same three corruptions exist as a Keras layer that is active only in
training (:class:`aetutor.models.TrainingNoise`); both use the level ranges and
checks defined here, so the noise a model trains on and the noise it is tested
on mean the same thing.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import check_unit_range

__all__ = [
    "NOISE_KINDS",
    "check_noise_level",
    "corrupt",
    "gaussian_noise",
    "masking_noise",
    "salt_and_pepper_noise",
]

NOISE_KINDS = ("masking", "gaussian", "salt_and_pepper")
"""The corruptions this module knows, by the name :func:`corrupt` takes."""

_LEVELS = {
    "masking": ("rate", "the fraction of pixels set to 0", 1.0),
    "gaussian": ("sigma", "the standard deviation of the added noise", math.inf),
    "salt_and_pepper": ("rate", "the fraction of pixels set to 0 or 1", 1.0),
}


def check_noise_level(kind: str, level: Any) -> float:
    """Validate a noise kind and its level; return the level as a float.

    Masking and salt-and-pepper rates are fractions in [0, 1]; the Gaussian
    sigma is any finite number >= 0.
    """
    if not isinstance(kind, str) or kind not in _LEVELS:
        raise ValueError(f"kind must be one of {', '.join(NOISE_KINDS)}, got {kind!r}")
    name, meaning, upper = _LEVELS[kind]
    if isinstance(level, bool) or not isinstance(level, (int, float, np.integer, np.floating)):
        raise TypeError(f"{kind} noise {name} must be a number, got {level!r}")
    level = float(level)
    if not math.isfinite(level) or level < 0 or level > upper:
        want = "[0, 1]" if upper == 1.0 else ">= 0 and finite"
        raise ValueError(f"{kind} noise {name} ({meaning}) must be {want}, got {level}")
    return level


def _prepare(x: Any, seed: Any) -> tuple[np.ndarray, np.random.Generator]:
    """Check the images and turn ``seed`` into a Generator."""
    x = check_unit_range(x, "x")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must be a floating-point array of images in [0, 1], got dtype {x.dtype} "
            "(convert with x.astype('float32'))"
        )
    if isinstance(seed, np.random.Generator):
        return x, seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(
            f"seed must be a non-negative integer or a numpy.random.Generator, got {seed!r}"
        )
    return x, np.random.default_rng(int(seed))


def _uniform(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Uniform [0, 1) draws shaped like ``x``, in float32 unless ``x`` is float64."""
    dtype = np.float64 if x.dtype == np.float64 else np.float32
    return rng.random(x.shape, dtype=dtype)


def masking_noise(x: ArrayLike, rate: float, *, seed: int | np.random.Generator) -> np.ndarray:
    """Set a random fraction ``rate`` of the pixels to 0 (each pixel independently).

    Masking noise deletes information: the model must fill the gaps from what
    it has learnt about the images (Vincent et al., 2008).
    """
    rate = check_noise_level("masking", rate)
    x, rng = _prepare(x, seed)
    keep = _uniform(rng, x) >= rate
    return (x * keep).astype(x.dtype, copy=False)


def gaussian_noise(x: ArrayLike, sigma: float, *, seed: int | np.random.Generator) -> np.ndarray:
    """Add Gaussian noise with standard deviation ``sigma``, then clip to [0, 1].

    Clipping keeps the corrupted images valid images; it also means the noise
    that remains is slightly smaller than ``sigma`` near black and white pixels.
    """
    sigma = check_noise_level("gaussian", sigma)
    x, rng = _prepare(x, seed)
    dtype = np.float64 if x.dtype == np.float64 else np.float32
    with np.errstate(over="ignore"):  # a huge sigma overflows to +-inf, which the clip absorbs
        noisy = x + sigma * rng.standard_normal(x.shape, dtype=dtype)
    return np.clip(noisy, 0.0, 1.0).astype(x.dtype, copy=False)


def salt_and_pepper_noise(
    x: ArrayLike, rate: float, *, seed: int | np.random.Generator
) -> np.ndarray:
    """Replace a random fraction ``rate`` of the pixels: half by 1 (salt), half by 0 (pepper).

    Impulse noise like this (dead or stuck sensor pixels) is what a median
    filter was designed for, which makes it a demanding baseline.
    """
    rate = check_noise_level("salt_and_pepper", rate)
    x, rng = _prepare(x, seed)
    u = _uniform(rng, x)
    out = x.copy()
    out[u < rate / 2] = 1
    out[(u >= rate / 2) & (u < rate)] = 0
    return out


_FUNCTIONS = {
    "masking": masking_noise,
    "gaussian": gaussian_noise,
    "salt_and_pepper": salt_and_pepper_noise,
}


def corrupt(
    x: ArrayLike, kind: str, level: float, *, seed: int | np.random.Generator
) -> np.ndarray:
    """Apply the corruption named ``kind`` (one of :data:`NOISE_KINDS`) at ``level``.

    ``level`` is the masking rate, the Gaussian sigma or the salt-and-pepper
    rate. Handy for loops over noise types.
    """
    check_noise_level(kind, level)
    return _FUNCTIONS[kind](x, level, seed=seed)
