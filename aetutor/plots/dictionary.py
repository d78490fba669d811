"""Figures of a sparse dictionary read off a network: trade-off, feature density, top inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.plots._common import as_image_batch, new_axes
from aetutor.validation import check_finite, check_positive_int, check_rank

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["sparsity_tradeoff", "density_histogram", "top_activating"]


def sparsity_tradeoff(
    curves: Mapping[str, tuple[ArrayLike, ArrayLike]],
    *,
    ax: Axes | None = None,
    title: str = "Sparsity against fidelity (test activations)",
) -> Axes:
    """FVU against L0, one line per way of asking for sparsity; log L0 axis.

    ``curves`` maps a name (``"top-k"``, ``"L1"``) to ``(l0s, fvus)``: one point
    per trained dictionary. Lower and further left is better.
    """
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves must be a non-empty mapping {name: (l0s, fvus)}")
    points = {}
    for name, pair in curves.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"curves[{name!r}] must be a pair (l0s, fvus), got {pair!r}")
        where = f"curves[{name!r}]"
        x = check_rank(check_finite(pair[0], f"{where} l0s"), (1,), f"{where} l0s")
        y = check_rank(check_finite(pair[1], f"{where} fvus"), (1,), f"{where} fvus")
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"{where}: l0s and fvus must be equally long and non-empty, "
                             f"got {len(x)} and {len(y)}")  # fmt: skip
        if np.any(x <= 0):
            raise ValueError(f"{where}: every L0 must be > 0 for the log axis, got {x.min()}")
        points[name] = (x.astype(float), y.astype(float))
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    ax = new_axes(ax, figsize=(6.4, 4.2))
    for name, (x, y) in points.items():
        order = np.argsort(x)
        ax.plot(x[order], y[order], marker="o", label=name)
    ax.set_xscale("log")
    l0s = np.concatenate([x for x, _ in points.values()])
    ticks = [2.0**i for i in range(-4, 21) if l0s.min() / 1.5 <= 2.0**i <= l0s.max() * 1.5]
    ax.set_xticks(ticks or [float(l0s.min())])
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("L0: active features per input (log scale)")
    ax.set_ylabel("fraction of variance unexplained")
    ax.set_title(title)
    ax.legend()
    return ax


def density_histogram(
    densities: Mapping[str, ArrayLike],
    *,
    ax: Axes | None = None,
    title: str = "How often each feature fires",
) -> Axes:
    """Histogram of log10(feature density), one outline per dictionary; dead ones counted apart.

    A feature's density is the fraction of inputs on which it fires; dead
    features (density 0) have no logarithm, so the legend counts them instead.
    """
    if not isinstance(densities, Mapping) or not densities:
        raise TypeError("densities must be a non-empty mapping {name: densities}")
    arrays = {}
    for name, d in densities.items():
        d = check_rank(check_finite(d, f"densities[{name!r}]"), (1,), f"densities[{name!r}]")
        if np.any((d < 0) | (d > 1)):
            raise ValueError(f"densities[{name!r}] must be fractions in [0, 1]")
        arrays[name] = d
    ax = new_axes(ax, figsize=(6.4, 4.0))
    alive = [d[d > 0] for d in arrays.values() if np.any(d > 0)]
    low = np.log10(min(a.min() for a in alive)) if alive else -3.0
    bins = np.linspace(min(low, -3.0), 0.0, 31)
    for name, d in arrays.items():
        dead = int((d == 0).sum())
        ax.hist(np.log10(d[d > 0]), bins=bins, histtype="step", linewidth=1.8,
                label=f"{name} ({dead} of {len(d)} dead)")
    ax.set_xlabel("log10(fraction of inputs on which the feature fires)")
    ax.set_ylabel("features")
    ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


def top_activating(
    images: ArrayLike,
    activations: ArrayLike,
    units: Sequence[int],
    *,
    n: int = 8,
    row_titles: Sequence[str] | None = None,
    title: str | None = None,
    image_shape: Sequence[int] | None = None,
) -> Figure:
    """For each unit, the ``n`` images that activate it most, strongest first (one row a unit).

    ``activations`` is ``(images, units)``; ``row_titles`` labels each row (for
    example the unit's number and purity).
    """
    import matplotlib.pyplot as plt

    x = as_image_batch(images, "images", image_shape)
    a = check_rank(check_finite(activations, "activations"), (2,), "activations",
                   "one row per image, one column per unit")
    if len(a) != len(x):
        raise ValueError(f"activations must have one row per image: {len(x)} images, "
                         f"{len(a)} rows")  # fmt: skip
    n = check_positive_int(n, "n")
    if n > len(x):
        raise ValueError(f"n must be at most the number of images ({len(x)}), got {n}")
    if isinstance(units, np.ndarray) and units.ndim == 1:
        units = units.tolist()  # an index array, such as np.argsort(...)[:4]
    if isinstance(units, (str, bytes)) or not isinstance(units, Sequence):
        raise TypeError(f"units must be a sequence of column numbers, got {units!r}")
    units = [check_positive_int(u, f"units[{i}]", minimum=0) for i, u in enumerate(units)]
    if not units or max(units) >= a.shape[1]:
        raise ValueError(f"units must be 1 or more column numbers below {a.shape[1]}, got {units}")
    if row_titles is not None and len(row_titles) != len(units):
        raise ValueError(f"row_titles must have one title per unit ({len(units)}), "
                         f"got {len(row_titles)}")  # fmt: skip
    fig, axes = plt.subplots(len(units), n, figsize=(min(1.05 * n, 11.0), 1.25 * len(units)),
                             squeeze=False, layout="constrained")
    for row, unit in enumerate(units):
        best = np.argsort(-a[:, unit], kind="stable")[:n]
        for col, i in enumerate(best):
            ax = axes[row, col]
            ax.imshow(x[i], cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
        label = row_titles[row] if row_titles is not None else f"unit {unit}"
        axes[row, 0].set_title(label, loc="left", fontsize=9, fontweight="normal")
    if title:
        fig.suptitle(title)
    return fig
