"""Few-label figures: classification accuracy against the number of labelled images."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from aetutor.plots._common import new_axes
from aetutor.validation import check_finite, check_number, check_rank

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes

__all__ = ["accuracy_vs_labels"]

_MARKERS = "osD^vP*X"


def accuracy_vs_labels(
    n_labels: Sequence[float],
    accuracies: Mapping[str, Sequence[Sequence[float]]],
    *,
    ax: Axes | None = None,
    chance: float | None = None,
    xlabel: str = "labelled training images",
    title: str | None = None,
) -> Axes:
    """Test accuracy against the number of labelled images, one line per method, log x-axis.

    ``accuracies[name][i]`` holds the accuracies of the label draws made with
    ``n_labels[i]`` labels (one or more draws; methods may have different
    numbers). A point is the mean over draws, its bar spans the lowest to the
    highest draw. ``chance`` draws a dotted line at the accuracy of guessing.
    A method may skip a size with an empty list; its line is then dashed, since it
    bridges sizes where the method was not run. The legend sits below the
    panel, off the data. Returns the Axes.
    """
    n = check_rank(check_finite(n_labels, "n_labels"), (1,), "n_labels",
                   "one number of labels per point").astype(float)
    if len(n) == 0 or np.any(n <= 0) or np.any(np.diff(n) <= 0):
        raise ValueError(f"n_labels must be positive and increasing, got {n.tolist()}")
    if chance is not None:
        chance = check_number(chance, "chance", low=0.0, high=1.0)
    if not isinstance(accuracies, Mapping):
        raise TypeError(f"accuracies must be a mapping {{method: draws per n_labels}}, got "
                        f"{type(accuracies).__name__}")  # fmt: skip
    if not accuracies:
        raise ValueError("accuracies must map at least one method name to its accuracies")
    table = {}
    for name, per_n in accuracies.items():
        if isinstance(per_n, (str, bytes)) or not hasattr(per_n, "__len__"):
            raise TypeError(f"accuracies[{name!r}] must be a list of draws per n_labels entry, "
                            f"got {type(per_n).__name__}")  # fmt: skip
        if len(per_n) != len(n):
            raise ValueError(
                f"accuracies[{name!r}] must hold one list of draws per n_labels entry "
                f"({len(n)}), got {len(per_n)}"
            )
        table[name] = []
        for x, draws in zip(n, per_n):
            draws = np.atleast_1d(check_finite(draws, f"accuracies[{name!r}]")).astype(float)
            if draws.size == 0:
                continue
            if draws.min() < 0 or draws.max() > 1:
                raise ValueError(f"accuracies[{name!r}] must lie in [0, 1], got {draws.tolist()}")
            table[name].append((x, draws))
    ax = new_axes(ax, figsize=(7, 4.5))
    for i, (name, points) in enumerate(table.items()):
        xs, means, lows, highs = [], [], [], []
        for x, draws in points:
            xs.append(x)
            means.append(draws.mean())
            lows.append(draws.mean() - draws.min())
            highs.append(draws.max() - draws.mean())
        gaps = len(points) < len(n)  # its line bridges sizes where it was not run: dashed
        ax.errorbar(xs, means, yerr=[lows, highs], marker=_MARKERS[i % len(_MARKERS)],
                    color=f"C{i}", capsize=3, label=name, ls="--" if gaps else "-")
    if chance is not None:
        ax.axhline(chance, color="0.5", ls=":", lw=1, label="chance")
    ax.set_xscale("log")
    ax.set_xticks(n)
    ax.set_xticklabels([f"{v:,.0f}" for v in n])
    ax.minorticks_off()
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy")
    ax.set_title(title or "test accuracy against labelled images (bars: lowest to highest draw)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=3, fontsize=8,
              frameon=False)
    return ax
