"""Numbers the lessons report: per-sample reconstruction errors and friends.

Every function takes NumPy arrays (images or flat vectors, any shape with the
samples on the first axis) and returns one value per sample, so a lesson can
average, histogram or threshold them.
"""

from __future__ import annotations

import numpy as np

from aetutor.validation import check_finite, check_same_shape, check_unit_range

__all__ = ["reconstruction_error", "ERROR_KINDS"]

ERROR_KINDS = ("mse", "mae", "bce")
_EPS = 1e-7  # keeps log() finite in binary cross-entropy, as Keras does


def reconstruction_error(x, x_hat, kind: str = "mse") -> np.ndarray:
    """Error between each input and its reconstruction, one float per sample.

    Parameters
    ----------
    x, x_hat : arrays of the same shape, samples on the first axis.
    kind : ``"mse"`` (mean squared error), ``"mae"`` (mean absolute error) or
        ``"bce"`` (binary cross-entropy of ``x_hat`` against targets ``x``,
        both in [0, 1]; the loss the lessons train with).

    Returns
    -------
    errors : float64 array of shape ``(n,)``.
    """
    if kind not in ERROR_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ERROR_KINDS)}, got {kind!r}")
    check_same_shape(x, x_hat)
    if kind == "bce":
        x = check_unit_range(x, "x").astype(np.float64)
        x_hat = check_unit_range(x_hat, "x_hat").astype(np.float64)
    else:
        x = check_finite(x, "x").astype(np.float64)
        x_hat = check_finite(x_hat, "x_hat").astype(np.float64)
    if x.ndim < 1 or len(x) == 0:
        raise ValueError(f"x must hold at least one sample on its first axis, got shape {x.shape}")
    x = x.reshape(len(x), -1)
    x_hat = x_hat.reshape(len(x_hat), -1)
    if kind == "mse":
        return np.mean((x - x_hat) ** 2, axis=1)
    if kind == "mae":
        return np.mean(np.abs(x - x_hat), axis=1)
    p = np.clip(x_hat, _EPS, 1 - _EPS)
    return -np.mean(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
