"""Comparison figures: error against latent size, rate-distortion, subspace angles.

These draw the lesson that sets autoencoders beside PCA: how the
reconstruction error of several models falls as the code grows, how PCA's
explained variance reads as a rate-distortion curve, and how far a learned
subspace sits from PCA's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.plots._common import new_axes
from aetutor.validation import check_finite, check_positive_int, check_rank

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["error_vs_latent_dim", "rate_distortion", "subspace_angles"]

_MARKERS = "osD^vP*X"
_LINESTYLES = ("-", "--", "-.", ":")


def _style(i: int) -> dict:
    """Marker, size and line style for series ``i``: later series draw smaller and filled,
    so a series that coincides with an earlier one (PCA and the linear AE) stays visible."""
    return {"marker": _MARKERS[i % len(_MARKERS)], "markersize": max(5.0, 10.0 - 2.0 * i),
            "markerfacecolor": "none" if i == 0 else f"C{i}", "color": f"C{i}"}


def _latent_dims(latent_dims) -> np.ndarray:
    dims = check_rank(latent_dims, (1,), "latent_dims", "one latent size per point")
    if len(dims) == 0:
        raise ValueError("latent_dims must hold at least one latent size, got none")
    dims = np.array([check_positive_int(d, f"latent_dims[{i}]")
                     for i, d in enumerate(dims.tolist())])  # fmt: skip
    if np.any(np.diff(dims) <= 0):
        raise ValueError(f"latent_dims must be strictly increasing, got {dims.tolist()}")
    return dims


def _error_table(errors: Mapping[str, Sequence[float]], n: int) -> dict[str, np.ndarray]:
    if not isinstance(errors, Mapping) or not errors:
        raise TypeError(
            "errors must map model names to one error per latent size, such as "
            f"{{'PCA': [...], 'autoencoder': [...]}}, got {type(errors).__name__}"
        )
    table = {}
    for name, values in errors.items():
        arr = check_rank(check_finite(values, f"errors[{name!r}]"), (1,), f"errors[{name!r}]")
        if len(arr) != n:
            raise ValueError(
                f"errors[{name!r}] must hold one error per entry of latent_dims: latent_dims "
                f"has {n}, errors[{name!r}] has {len(arr)}"
            )
        if np.any(arr < 0):
            raise ValueError(f"errors[{name!r}] must be non-negative, got min {arr.min():.4g}")
        table[str(name)] = arr.astype(np.float64)
    return table


def _log2_ticks(ax, dims: np.ndarray) -> None:
    ax.set_xscale("log", base=2)
    ax.set_xticks(dims)
    ax.set_xticklabels([str(d) for d in dims])
    ax.minorticks_off()


def error_vs_latent_dim(
    latent_dims: Sequence[int],
    errors: Mapping[str, Sequence[float]],
    *,
    ax: Axes | None = None,
    ylabel: str = "test MSE per pixel",
    log: bool = False,
    title: str | None = None,
) -> Axes:
    """Reconstruction error against latent size, one line per model.

    ``errors`` maps a model name to its error at each of ``latent_dims``
    (increasing). The x-axis is logarithmic in base 2, so doubling the code is
    one step; the legend carries each model's error at the smallest and the
    largest size. Returns the Axes.
    """
    dims = _latent_dims(latent_dims)
    table = _error_table(errors, len(dims))
    ax = new_axes(ax)
    for i, (name, err) in enumerate(table.items()):
        ax.plot(dims, err, ls=_LINESTYLES[i % len(_LINESTYLES)], **_style(i),
                label=f"{name} ({dims[0]}: {err[0]:.4f}, {dims[-1]}: {err[-1]:.4f})")
    _log2_ticks(ax, dims)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("latent size (numbers in the code)")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    lo, hi = (min(table, key=lambda name: table[name][j]) for j in (0, -1))
    ax.set_title(title or f"error vs latent size (lowest at {dims[0]}: {lo}; at {dims[-1]}: {hi})")
    return ax


def rate_distortion(
    variances: ArrayLike,
    latent_dims: Sequence[int] | None = None,
    errors: Mapping[str, Sequence[float]] | None = None,
    *,
    input_dim: int | None = None,
    fraction: float = 0.9,
    title: str | None = None,
    distortion_title: str | None = None,
) -> Figure:
    """PCA's explained variance and the distortion it leaves, read as a rate-distortion curve.

    ``variances`` are the variances along the principal components, largest
    first (the covariance's eigenvalues). Keeping the first ``k`` components
    costs ``k`` numbers per image (the rate) and leaves the variance of the
    rest unexplained (the distortion): divided by the input dimension, that is
    exactly PCA's mean squared error per pixel on the data the variances came
    from, when they are the biased (divide-by-n) estimates. The left panel shows
    the cumulative explained fraction, the right panel the distortion, with
    the ``errors`` of models (name -> one value per latent size) as markers,
    in the colours and markers ``error_vs_latent_dim`` gives them in the same
    order (the first hollow, so it can be PCA's own test error on the line's
    colour). A dotted line marks ``input_dim`` (default ``len(variances)``),
    where nothing is left to explain. ``distortion_title`` titles the right
    panel; say there what the markers were measured on (the line is always PCA
    on the data its variances came from). Returns the Figure.
    """
    import matplotlib.pyplot as plt

    var = check_rank(check_finite(variances, "variances"), (1,), "variances",
                     "one variance per principal component").astype(np.float64)
    if len(var) == 0 or np.any(var < -1e-12 * max(var.max(), 1.0)) or var.sum() <= 0:
        raise ValueError("variances must be non-negative with a positive sum, largest first")
    if np.any(np.diff(var) > 1e-9 * var.max()):
        raise ValueError("variances must be sorted largest first, as PCA returns them")
    if not 0 < float(fraction) < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction}")
    var = np.clip(var, 0.0, None)
    input_dim = len(var) if input_dim is None else check_positive_int(input_dim, "input_dim")
    if input_dim < len(var):
        raise ValueError(
            f"input_dim must be at least the number of variances ({len(var)}), got {input_dim}"
        )
    dims = None if latent_dims is None else _latent_dims(latent_dims)
    table = {} if errors is None else _error_table(errors, 0 if dims is None else len(dims))
    if table and dims is None:
        raise ValueError("errors need latent_dims: one latent size per error")

    k = np.arange(0, len(var) + 1)
    explained = np.concatenate([[0.0], np.cumsum(var)]) / var.sum()
    distortion = (var.sum() - np.concatenate([[0.0], np.cumsum(var)])) / input_dim
    distortion = np.clip(distortion, 0.0, None)
    k_frac = int(np.searchsorted(explained, float(fraction)))

    fig, (ax_var, ax_dist) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax_var.plot(k[1:], explained[1:], color="C0", label="PCA, cumulative")
    ax_var.axhline(fraction, color="grey", lw=0.8, ls="--")
    ax_var.axvline(k_frac, color="grey", lw=0.8, ls="--",
                   label=f"{fraction:.0%} explained at {k_frac} components")
    ax_var.set_ylabel("fraction of variance explained")
    ax_var.set_ylim(0, 1.02)
    ax_var.set_title(f"explained variance: {fraction:.0%} needs {k_frac} of {input_dim} numbers")

    ax_dist.plot(k[1:], distortion[1:], color="C0",
                 label="PCA on the data it was fit on (from the variances)")
    for i, (name, err) in enumerate(table.items()):
        style = _style(i)  # the i-th model looks as in error_vs_latent_dim (PCA first: C0)
        if i == 0:
            style["markerfacecolor"] = "none"  # hollow, so the PCA line stays visible
        ax_dist.plot(dims, err, ls="none", label=name, **style)
    ax_dist.set_ylabel("distortion: MSE per pixel")
    ax_dist.set_ylim(bottom=0)
    if distortion_title is None:  # the line and the markers may come from different data
        distortion_title = ("distortion: PCA from its variances (line), given errors (markers)"
                            if table else f"PCA's distortion: {distortion[1]:.4f} at rate 1")
    ax_dist.set_title(distortion_title)
    for ax in (ax_var, ax_dist):
        ax.set_xscale("log", base=2)
        ax.axvline(input_dim, color="k", lw=1, ls=":", label=f"input dimension {input_dim}")
        ax.set_xlabel("rate: latent size (numbers kept per image)")
        ax.set_xlim(0.8, input_dim * 1.25)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


def subspace_angles(
    angles: Mapping[str, Sequence[float]],
    *,
    ax: Axes | None = None,
    xlabel: str = "angle number (smallest first)",
    title: str | None = None,
) -> Axes:
    """Angles in degrees between subspaces, one curve per entry of ``angles``.

    Use it for the principal angles between two subspaces (sorted) or for the
    angle of each of a set of directions to a subspace (in their own order):
    0 degrees means aligned, 90 means perpendicular. The legend carries each
    curve's median and largest angle. Returns the Axes.
    """
    if not isinstance(angles, Mapping) or not angles:
        raise TypeError(
            "angles must map a label to an array of angles in degrees, such as "
            f"{{'latent 8': [...]}}, got {type(angles).__name__}"
        )
    curves = {}
    for label, values in angles.items():
        a = check_rank(check_finite(values, f"angles[{label!r}]"), (1,), f"angles[{label!r}]")
        if len(a) == 0:
            raise ValueError(f"angles[{label!r}] is empty")
        if np.any(a < 0) or np.any(a > 90):
            raise ValueError(
                f"angles[{label!r}] must be in [0, 90] degrees, got values in "
                f"[{a.min():.4g}, {a.max():.4g}]"
            )
        curves[label] = a
    ax = new_axes(ax)
    worst = max(float(a.max()) for a in curves.values())
    for i, (label, a) in enumerate(curves.items()):
        ax.plot(np.arange(1, len(a) + 1), a, marker=".", color=f"C{i}",
                label=f"{label} (median {np.median(a):.1f}°, max {a.max():.1f}°)")
    ax.set_xscale("log", base=2)
    ax.set_ylim(0, 92)
    ax.set_yticks([0, 15, 30, 45, 60, 75, 90])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("angle (degrees)")
    ax.legend(fontsize=8)
    ax.set_title(title or f"angles between subspaces (largest {worst:.1f}°)")
    return ax
