"""Paths between pairs of images or codes: linear and spherical interpolation.

Lesson 06 walks from one image to another in two spaces: in pixel space (a
cross-fade) and in latent space (blend the codes, then decode). The same
straight-line formula serves both, so :func:`lerp` takes any batch of arrays;
:func:`slerp` follows the arc between two codes instead, which matters when
codes have a norm structure (a Gaussian prior puts them on a shell).
Every function works on *batches of pairs*: ``a[i]`` is walked to ``b[i]``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import (
    check_bool,
    check_finite,
    check_finite_result,
    check_labels,
    check_number,
    check_positive_int,
    check_rank,
    check_seed,
)

MAX_STEPS = 10_000
"""Most points one path may have: far more than a figure can show, and a guard on memory."""

__all__ = ["path_fractions", "lerp", "slerp", "random_pairs", "empty_region_mask"]


def path_fractions(steps: int) -> np.ndarray:
    """The interpolation fractions ``t = 0, 1/(steps-1), ..., 1``: both ends included.

    At least two steps are needed (the two endpoints); an odd number puts a
    step exactly at the midpoint ``t = 0.5``; at most :data:`MAX_STEPS`.
    """
    steps = check_positive_int(steps, "steps", minimum=2, maximum=MAX_STEPS)
    return np.linspace(0.0, 1.0, steps)


def _pair_batches(a, b, ranks: tuple[int, ...] | None, meaning: str) -> tuple[np.ndarray, ...]:
    a = check_finite(a, "a")
    b = check_finite(b, "b")
    for arr, name in ((a, "a"), (b, "b")):
        if arr.ndim < 2:
            raise ValueError(
                f"{name} must be a batch of pairs' endpoints (n, ...), got shape {arr.shape}; "
                f"for one pair pass {name}[None]"
            )
        if ranks is not None:
            check_rank(arr, ranks, name, meaning)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape (one start and one end per pair), "
            f"got {a.shape} and {b.shape}"
        )
    if len(a) == 0:
        raise ValueError("a and b are empty: there is no pair to interpolate")
    dtype = np.result_type(a.dtype, b.dtype, np.float32)
    return a.astype(np.float64), b.astype(np.float64), dtype


def lerp(a: ArrayLike, b: ArrayLike, steps: int) -> np.ndarray:
    """Straight-line paths ``(1 - t) * a + t * b`` for a batch of pairs.

    Parameters
    ----------
    a, b : array (n, ...)
        Start and end of each path: codes ``(n, latent_dim)`` for a latent
        path, images ``(n, h, w)`` for a pixel cross-fade.
    steps : int
        Points per path, endpoints included (see :func:`path_fractions`).

    Returns
    -------
    array (n, steps, ...)
        ``out[i, k]`` is the point at fraction ``t[k]`` from ``a[i]`` to ``b[i]``;
        float32 for float32 inputs.
    """
    a, b, dtype = _pair_batches(a, b, None, "")
    t = path_fractions(steps).reshape((1, -1) + (1,) * (a.ndim - 1))
    _check_output_size(a, len(t.ravel()))
    with np.errstate(over="ignore", invalid="ignore"):
        out = ((1.0 - t) * a[:, None] + t * b[:, None]).astype(dtype)
    return check_finite_result(out, "lerp(a, b)", "a and b lie too close to the largest float")


MAX_OUTPUT_VALUES = 200_000_000
"""Most numbers a path batch may hold (1.6 GB as float64): a guard on memory."""


def _check_output_size(a: np.ndarray, steps: int) -> None:
    if a.size * steps > MAX_OUTPUT_VALUES:
        raise ValueError(
            f"steps={steps} for a and b of shape {a.shape} would give {a.size * steps:,} values, "
            f"more than {MAX_OUTPUT_VALUES:,}: use fewer steps or pairs"
        )


def slerp(a: ArrayLike, b: ArrayLike, steps: int, *, eps: float = 1e-6) -> np.ndarray:
    """Spherical paths: along the arc from ``a`` to ``b`` rather than the chord.

    ``sin((1 - t) w) / sin(w) * a + sin(t w) / sin(w) * b``, where ``w`` is the
    angle between the two codes. For codes of equal length the norm stays
    constant along the path, where a straight line would cut inside; this is
    why generative models with a Gaussian prior (whose samples lie near a
    shell) are usually interpolated this way. Pairs that are (anti)parallel
    within ``eps`` (``sin(w) < eps``) have no unique arc and fall back to
    :func:`lerp`.

    Parameters
    ----------
    a, b : array (n, latent_dim)
        Start and end codes of each path; no code may be all zeros.
    steps : int
        Points per path, endpoints included.

    Returns
    -------
    array (n, steps, latent_dim)
    """
    a, b, dtype = _pair_batches(a, b, (2,), "codes (n_pairs, latent_dim)")
    eps = check_number(eps, "eps", low=0.0, high=1.0, low_open=True)
    _check_output_size(a, path_fractions(steps).size)
    # The angle is measured on each code divided by its largest entry, so codes as
    # large as 1e200 do not overflow when squared; the path itself uses a and b.
    scale_a = np.abs(a).max(axis=1, keepdims=True)
    scale_b = np.abs(b).max(axis=1, keepdims=True)
    a_unit, b_unit = a / np.where(scale_a > 0, scale_a, 1), b / np.where(scale_b > 0, scale_b, 1)
    norm_a = np.linalg.norm(a_unit, axis=1)
    norm_b = np.linalg.norm(b_unit, axis=1)
    zero = (norm_a == 0) | (norm_b == 0)
    if zero.any():
        raise ValueError(
            f"slerp needs non-zero codes to measure the angle between them, but "
            f"{int(zero.sum())} of {len(a)} pairs contain an all-zero code; use lerp for those"
        )
    cos = np.clip(np.sum(a_unit * b_unit, axis=1) / (norm_a * norm_b), -1.0, 1.0)
    omega = np.arccos(cos)[:, None, None]
    sin_omega = np.sin(omega)
    t = path_fractions(steps)[None, :, None]
    flat = sin_omega < eps
    safe = np.where(flat, 1.0, sin_omega)
    with np.errstate(over="ignore", invalid="ignore"):
        arc = (np.sin((1.0 - t) * omega) * a[:, None] + np.sin(t * omega) * b[:, None]) / safe
        line = (1.0 - t) * a[:, None] + t * b[:, None]
        out = np.where(flat, line, arc).astype(dtype)
    return check_finite_result(out, "slerp(a, b)", "a and b lie too close to the largest float")


def random_pairs(
    y: ArrayLike, n_pairs: int, *, different_classes: bool = True, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(i_a, i_b)`` of ``n_pairs`` random pairs of samples, for averaging over paths.

    With ``different_classes=True`` every pair joins two classes (a 3 and an 8,
    never two 3s), the interesting case for interpolation. Drawn without
    repeating a pair; the same seed gives the same pairs.
    """
    y = check_rank(y, (1,), "y", "one integer label per sample")
    y = check_labels(y, len(y))
    n_pairs = check_positive_int(n_pairs, "n_pairs", maximum=1_000_000)  # bounds the draw below
    different_classes = check_bool(different_classes, "different_classes")
    seed = check_seed(seed)
    if different_classes and len(np.unique(y)) < 2:
        raise ValueError("different_classes=True needs labels y of at least two classes")
    rng = np.random.default_rng(seed)
    n = len(y)
    i_a, i_b = rng.integers(0, n, size=(2, 8 * n_pairs + 64))
    keep = i_a != i_b
    if different_classes:
        keep &= y[i_a] != y[i_b]
    pairs = np.stack([i_a[keep], i_b[keep]], axis=1)
    _, first = np.unique(pairs, axis=0, return_index=True)
    pairs = pairs[np.sort(first)]
    if len(pairs) < n_pairs:
        raise ValueError(
            f"could not draw {n_pairs} distinct pairs from {n} samples "
            f"(got {len(pairs)}); ask for fewer pairs"
        )
    return pairs[:n_pairs, 0], pairs[:n_pairs, 1]


def empty_region_mask(
    points: ArrayLike, z: ArrayLike, *, quantile: float = 0.95, n_neighbors: int = 20
) -> np.ndarray:
    """Which ``points`` lie in empty regions (gaps) of the latent space filled by codes ``z``.

    Uses the local outlier factor (LOF): how much sparser the codes are around a
    point than around its ``n_neighbors`` nearest codes. Comparing *local*
    densities finds a gap between two dense clusters as well as a point far from
    everything, while a cluster that is merely spread out is not called empty.
    A point is empty when its LOF exceeds that of ``quantile`` of the codes
    themselves (each judged against the others). Meant for low-dimensional
    maps (2-D codes); subsample ``z`` for large sets in many dimensions.

    Parameters
    ----------
    points : array (..., latent_dim)
        Path points, e.g. ``(n_pairs, steps, 2)``.
    z : array (n, latent_dim)
        Codes of real images, more than ``n_neighbors`` of them.
    quantile : float in (0, 1)
        Share of the real codes that count as not empty.
    n_neighbors : int
        Neighbours that define "local".

    Returns
    -------
    bool array of shape ``points.shape[:-1]``
    """
    from sklearn.neighbors import LocalOutlierFactor

    z = check_rank(check_finite(z, "z"), (2,), "z", "codes (n, latent_dim)")
    points = check_finite(points, "points")
    for name, arr in (("z", z), ("points", points)):
        if arr.size and float(np.abs(arr).max()) > 1e150:  # float: 1e150 overflows float32
            raise ValueError(
                f"{name} must lie within ±1e150, got values up to {np.abs(arr).max():.3g}"
            )
    if points.size == 0:
        raise ValueError(f"points must hold at least one point, got shape {points.shape}")
    if points.ndim < 1 or points.shape[-1] != z.shape[1]:
        raise ValueError(
            f"points must end in the latent size {z.shape[1]} of z, got shape {points.shape}"
        )
    n_neighbors = check_positive_int(n_neighbors, "n_neighbors")
    if len(z) <= n_neighbors:
        raise ValueError(
            f"z must hold more codes than n_neighbors={n_neighbors} to measure local density, "
            f"got {len(z)}"
        )
    if not 0.0 < check_number(quantile, "quantile") < 1.0:
        raise ValueError(f"quantile must be strictly between 0 and 1, got {quantile}")
    lof = LocalOutlierFactor(n_neighbors=n_neighbors, novelty=True).fit(z)
    threshold = np.quantile(-lof.negative_outlier_factor_, quantile)
    scores = -lof.score_samples(points.reshape(-1, z.shape[1]))
    return (scores > threshold).reshape(points.shape[:-1])
