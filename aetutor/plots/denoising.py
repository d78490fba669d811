"""Denoising figures: clean / corrupted / restored rows, and quality against noise level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.metrics import psnr
from aetutor.plots._common import as_image_batch, new_axes
from aetutor.plots.images import image_grid
from aetutor.validation import check_finite, check_number, check_positive_int, check_same_shape

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["denoising_rows", "noise_level_curves", "noise_level_grid", "score_matrix"]


def denoising_rows(
    x: ArrayLike,
    noisy: ArrayLike,
    outputs: Mapping[str, np.ndarray],
    *,
    n: int = 8,
    image_shape: Sequence[int] | None = None,
    title: str | None = None,
) -> Figure:
    """Clean images, their corrupted versions and one row per restoration method.

    ``outputs`` maps a method's name to its restored images (same shape as
    ``x``). Every corrupted or restored image is captioned with its PSNR
    against the clean one, and each row label carries the row's mean PSNR, so
    the figure reads as a small comparison table. Shows the first ``n`` images
    (all of them when there are fewer). Returns the Figure.
    """
    x = as_image_batch(x, "x", image_shape)
    noisy = as_image_batch(noisy, "noisy", image_shape)
    check_same_shape(x, noisy, ("x", "noisy"))
    if not isinstance(outputs, Mapping):
        raise TypeError(
            f"outputs must map method names to restored images, got {type(outputs).__name__}"
        )
    n = min(check_positive_int(n, "n"), len(x))
    rows = {"clean": x[:n]}
    titles = {}
    for name, imgs in {"corrupted": noisy, **outputs}.items():
        imgs = as_image_batch(imgs, f"outputs[{name!r}]", image_shape)
        check_same_shape(x, imgs, ("x", f"outputs[{name!r}]"))
        scores = psnr(x[:n], imgs[:n])
        label = f"{name}\n{scores.mean():.1f} dB"
        rows[label] = imgs[:n]
        titles[label] = [f"{s:.1f}" for s in scores]
    heading = "PSNR against the clean image, dB (higher is better)"
    return image_grid(rows, n=n, titles=titles, title=f"{title}: {heading}" if title else heading)


def _level_table(
    levels, scores, trained_level, levels_name: str = "levels", scores_name: str = "scores"
) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """Checked ``(levels, {method: values}, index of the level the legend reports)``."""
    levels = check_finite(levels, levels_name).astype(float)
    if levels.ndim != 1 or len(levels) == 0:
        raise ValueError(
            f"{levels_name} must be a non-empty list of noise levels, got {levels.shape}"
        )
    if not isinstance(scores, Mapping) or not scores:
        raise ValueError(
            f"{scores_name} must map at least one method name to one score per level"
        )
    at = len(levels) - 1
    if trained_level is not None:
        trained_level = check_number(trained_level, "trained_level")
        matches = np.flatnonzero(np.isclose(levels, trained_level))
        if len(matches) == 0:
            raise ValueError(f"trained_level {trained_level} is not one of the levels {levels}")
        at = int(matches[0])
    table = {}
    for name, values in scores.items():
        values = check_finite(values, f"{scores_name}[{name!r}]").astype(float)
        if values.shape != levels.shape:
            raise ValueError(
                f"{scores_name}[{name!r}] must hold one value per level: {levels_name} has "
                f"{len(levels)}, {scores_name}[{name!r}] has shape {values.shape}"
            )
        table[name] = values
    return levels, table, at


def noise_level_curves(
    levels: Sequence[float],
    scores: Mapping[str, Sequence[float]],
    *,
    trained_level: float | None = None,
    xlabel: str = "noise level",
    ylabel: str = "mean PSNR (dB)",
    ax: Axes | None = None,
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """One line per method: a quality score (mean PSNR, MSE …) against the noise level.

    ``scores`` maps a method's name to one value per entry of ``levels``.
    With ``trained_level`` a dotted line marks the level the denoisers were
    trained at and the legend gives each method's score there (else at the
    highest level). ``legend=False`` draws no legend, for panels that share
    one (see :func:`noise_level_grid`); the lines keep their method names as
    labels. Returns the Axes.
    """
    levels, table, at = _level_table(levels, scores, trained_level)
    ax = new_axes(ax)
    order = np.argsort(levels)
    for i, (name, values) in enumerate(table.items()):
        ax.plot(levels[order], values[order], "o-", color=f"C{i}", ms=4,
                label=f"{name} ({values[at]:.3g})" if legend else str(name))
    if trained_level is not None:
        ax.axvline(float(trained_level), color="0.5", ls=":", lw=1,
                   label=None if legend else "trained level")
    if legend:
        where = "at the trained level" if trained_level is not None else "at the highest level"
        ax.legend(fontsize=8, title=f"method (score {where})", title_fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def noise_level_grid(
    levels: Mapping[str, Sequence[float]],
    rows: Mapping[str, Mapping[str, Mapping[str, Sequence[float]]]],
    *,
    trained_levels: Mapping[str, float] | None = None,
    xlabels: Mapping[str, str] | None = None,
    log_rows: Sequence[str] = (),
    width: float = 11.5,
    title: str | None = None,
) -> Figure:
    """A grid of :func:`noise_level_curves`: one column per noise type, one row per score.

    ``levels`` maps a noise type to its levels; ``rows`` maps a score's name
    (the y-axis label, such as ``"mean PSNR (dB)"``) to ``{noise type:
    {method: one value per level}}``. Every panel draws the same methods in the
    same colours, so the figure has one shared legend, below the panels and off
    the data. ``trained_levels`` (noise type -> level) adds the dotted
    trained-level line; rows named in ``log_rows`` get a logarithmic y-axis.
    ``width`` is the figure width in inches (at most 12, about 1,200 px).
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(levels, Mapping) or not levels:
        raise ValueError("levels must map at least one noise type to its levels")
    if not isinstance(rows, Mapping) or not rows:
        raise ValueError("rows must map at least one score name to {noise type: {method: values}}")
    if not 0 < check_number(width, "width") <= 12:
        raise ValueError(f"width must be in (0, 12] inches (about 1,200 px at most), got {width}")
    unknown = [name for name in log_rows if name not in rows]
    if unknown:
        raise ValueError(f"log_rows names rows that do not exist: {unknown}; rows are {list(rows)}")
    kinds = list(levels)
    for name, by_kind in rows.items():
        if not isinstance(by_kind, Mapping) or set(by_kind) != set(kinds):
            got = list(by_kind) if isinstance(by_kind, Mapping) else type(by_kind).__name__
            raise ValueError(
                f"rows[{name!r}] must map every noise type {kinds} to its scores, got {got}"
            )
    trained = dict(trained_levels or {})
    labels = dict(xlabels or {})
    for name, by_kind in rows.items():  # every panel's data, checked before the figure exists
        for kind in kinds:
            _level_table(levels[kind], by_kind[kind], trained.get(kind),
                         f"levels[{kind!r}]", f"rows[{name!r}][{kind!r}]")  # fmt: skip
    fig, axes = plt.subplots(len(rows), len(kinds), squeeze=False, sharex="col",
                             figsize=(float(width), 3.1 * len(rows) + 1.0), layout="constrained")
    for r, (name, by_kind) in enumerate(rows.items()):
        for c, kind in enumerate(kinds):
            ax = axes[r, c]
            noise_level_curves(levels[kind], by_kind[kind], trained_level=trained.get(kind),
                               xlabel=labels.get(kind, f"{kind} level") if r == len(rows) - 1
                               else "", ylabel=name if c == 0 else "", ax=ax, legend=False)
            if r == 0:
                ax.set_title(str(kind))
            if name in log_rows:
                ax.set_yscale("log")
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=min(len(names), 6), fontsize=9,
               frameon=False)  # constrained layout keeps it below the panels, off the data
    if title:
        fig.suptitle(title)
    return fig


def _check_axis_labels(labels, n: int, name: str, what: str, shape: tuple) -> None:
    """One label per row (or column) of a table: a list or tuple of ``n`` entries."""
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of {n} {what} labels, got {labels!r:.60}")
    if len(labels) != n:
        raise ValueError(
            f"{name} must have one label per {what} of scores (shape {shape}): expected {n}, "
            f"got {len(labels)}"
        )


def score_matrix(
    scores: ArrayLike,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    *,
    fmt: str = "{:.1f}",
    cmap: str = "viridis",
    colorbar_label: str = "mean PSNR (dB)",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A table of scores as a heat map with each value written in its cell.

    Made for "trained on (rows) x tested on (columns)" comparisons: the
    diagonal is what a model was trained for, the rest is how it generalises.
    Returns the Axes.
    """
    scores = check_finite(scores, "scores").astype(float)
    if scores.ndim != 2 or scores.size == 0:
        raise ValueError(f"scores must be a non-empty 2-D table, got shape {scores.shape}")
    _check_axis_labels(row_labels, scores.shape[0], "row_labels", "row", scores.shape)
    _check_axis_labels(col_labels, scores.shape[1], "col_labels", "column", scores.shape)
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a format string such as '{{:.1f}}', got {fmt!r:.60}")
    try:
        fmt.format(0.0)
    except (ValueError, IndexError, KeyError) as exc:
        raise ValueError(
            f"fmt must format one number, such as '{{:.1f}}', got {fmt!r:.60} ({exc})"
        ) from exc
    ax = new_axes(ax, figsize=(1.6 * scores.shape[1] + 2.5, 0.6 * scores.shape[0] + 1.5))
    im = ax.imshow(scores, cmap=cmap, aspect="auto")
    ax.figure.colorbar(im, ax=ax, label=colorbar_label)
    mid = (np.nanmin(scores) + np.nanmax(scores)) / 2
    for (r, c), value in np.ndenumerate(scores):
        ax.text(c, r, fmt.format(value), ha="center", va="center", fontsize=9,
                color="black" if value > mid else "white")
    ax.set_xticks(range(scores.shape[1]), [str(c) for c in col_labels])
    ax.set_yticks(range(scores.shape[0]), [str(r) for r in row_labels])
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
