"""Figures of interpolation paths: image strips, a path on a 2-D latent map, profiles along t."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.interpolation import empty_region_mask, path_fractions
from aetutor.plots._common import as_image_batch, labels_for_rows, new_axes
from aetutor.plots._tiles import Tile, tile_figure
from aetutor.plots.latent import class_colors, latent_scatter
from aetutor.validation import (
    check_finite,
    check_number,
    check_positive_int,
    check_rank,
    check_seed,
)

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["interpolation", "latent_path", "path_profile"]


def _as_paths(paths: Mapping[str, object], image_shape) -> dict[str, np.ndarray]:
    """{kind: (n_pairs, steps, h, w)} from strips of one pair or batches of pairs."""
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError(
            "paths must map at least one row name to images, e.g. "
            "{'latent path': decoded, 'pixel cross-fade': blended}"
        )
    out = {}
    for kind, imgs in paths.items():
        arr = check_finite(imgs, f"paths[{kind!r}]")
        if arr.ndim == 3 or (arr.ndim == 2 and image_shape is not None):
            arr = arr[None]  # one pair: (steps, h, w) or (steps, pixels)
        if arr.ndim not in (3, 4):
            raise ValueError(
                f"paths[{kind!r}] must be one strip (steps, h, w) or several "
                f"(n_pairs, steps, h, w), got shape {arr.shape}"
            )
        n_pairs, steps = arr.shape[:2]
        batch = as_image_batch(arr.reshape(n_pairs * steps, *arr.shape[2:]), f"paths[{kind!r}]",
                               image_shape)
        out[kind] = batch.reshape(n_pairs, steps, *batch.shape[1:])
    shapes = {kind: arr.shape[:2] for kind, arr in out.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"every path kind needs the same (n_pairs, steps), got {shapes}")
    return out


def _per_image(values, what: str, strips: Mapping[str, np.ndarray], n_pairs: int,
               steps: int) -> dict[str, np.ndarray]:
    """{kind: (n_pairs, steps)} numbers for some path kinds, checked against the strips."""
    out = {}
    for kind, arr in (values or {}).items():
        if kind not in strips:
            raise ValueError(f"{what}[{kind!r}] names no path; path kinds are {list(strips)}")
        arr = check_finite(arr, f"{what}[{kind!r}]")
        arr = arr.reshape(n_pairs, steps) if arr.size == n_pairs * steps else arr
        if arr.shape != (n_pairs, steps):
            raise ValueError(
                f"{what}[{kind!r}] must have shape ({n_pairs}, {steps}), got {arr.shape}"
            )
        out[kind] = arr
    return out


def interpolation(
    paths: Mapping[str, object],
    *,
    pair_labels: Sequence[str] | None = None,
    scores: Mapping[str, object] | None = None,
    score_name: str = "score",
    highlight: Mapping[str, object] | None = None,
    image_shape: Sequence[int] | None = None,
    title: str | None = None,
    size: float = 0.85,
) -> Figure:
    """Strips of images along interpolation paths, one row per kind of path and pair.

    Parameters
    ----------
    paths : {kind: images}
        Each value is one strip ``(steps, h, w)`` or one strip per pair
        ``(n_pairs, steps, h, w)``; all kinds share ``n_pairs`` and ``steps``.
        For example ``{"latent path": decoded, "pixel cross-fade": blended}``.
    pair_labels : list of str, optional
        A name per pair (``"3 → 8"``), written beside its rows.
    scores : {kind: array (n_pairs, steps)}, optional
        A number under every image (for example the distance to the nearest
        real image); the title then gives each kind's mean at the midpoint.
    score_name : str
        What the scores are, for the title.
    highlight : {kind: bool array (n_pairs, steps)}, optional
        Images to frame in red (for example path points in empty regions);
        by default the image nearest ``t = 0.5`` is framed.

    Returns
    -------
    Figure
        Columns are labelled with the fraction ``t``; pairs are separated by a gap.
    """
    strips = _as_paths(paths, image_shape)
    n_pairs, steps = next(iter(strips.values())).shape[:2]
    if steps < 2:
        raise ValueError(f"a path needs at least 2 steps (its two ends), got {steps}")
    if pair_labels is not None and len(pair_labels) != n_pairs:
        raise ValueError(f"pair_labels has {len(pair_labels)} names for {n_pairs} pairs")
    checked = _per_image(scores, "scores", strips, n_pairs, steps)
    framed = _per_image(highlight, "highlight", strips, n_pairs, steps)
    t = path_fractions(steps)
    mid = int(np.argmin(np.abs(t - 0.5)))

    kinds = list(strips)
    rows, labels, gaps = [], [], []
    for p in range(n_pairs):
        for k, kind in enumerate(kinds):
            row = []
            for s in range(steps):
                on = s == mid if highlight is None else kind in framed and bool(framed[kind][p, s])
                row.append(Tile(
                    strips[kind][p, s],
                    caption=f"t={t[s]:.2f}" if p == 0 and k == 0 else None,
                    note=f"{checked[kind][p, s]:.2f}" if kind in checked else None,
                    frame="C3" if on else None,
                ))
            rows.append(row)
            labels.append(kind if pair_labels is None else f"{pair_labels[p]}\n{kind}")
            gaps.append(0.25 if p > 0 and k == 0 else 0.0)  # a gap between pairs
    heading = title or ""
    if checked:
        means = ", ".join(f"{kind} {vals[:, mid].mean():.2f}" for kind, vals in checked.items())
        where = f"over {n_pairs} pairs" if n_pairs > 1 else "of this pair"
        heading = f"{heading}\n" if heading else ""
        note = " (framed)" if highlight is None else ""
        heading += f"{score_name}, mean {where} at t={t[mid]:.2f}{note}:\n{means}"
    return tile_figure(rows, size=size, row_labels=labels, gaps_before=gaps, label_room=1.6,
                       title=heading or None, title_fontsize=10)


def _legend(y: np.ndarray, class_names, lines: Mapping[str, np.ndarray],
            numbered: bool) -> list:
    """Legend handles: one per class present, the path markers, then the numbered paths."""
    from matplotlib.lines import Line2D

    colors = class_colors(np.unique(y))
    handles = [
        Line2D([], [], ls="", marker="o", ms=5, color=color,
               label=class_names[c] if class_names is not None else str(c))
        for c, color in zip(np.unique(y), colors)
    ]  # fmt: skip
    path_name = next(iter(lines)) if len(lines) == 1 else "path"
    handles += [
        Line2D([], [], color="black", marker="o", ms=3, label=path_name),
        Line2D([], [], ls="", marker="s", color="black", ms=5, label="start"),
        Line2D([], [], ls="", marker="*", color="black", ms=8, label="end"),
        Line2D([], [], ls="", marker="o", ms=8, mfc="none", mec="red", mew=1.4,
               label="in an empty region"),
    ]  # fmt: skip
    if numbered:
        handles += [Line2D([], [], ls="", label=f"{k}: {name}")
                    for k, name in enumerate(lines, start=1)]
    return handles


def _label_spots(ax, lines: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """One point on each path for its number, far from the other paths' labels and lines.

    Greedy, in axes coordinates: each path takes the point along the middle half
    of it (away from its start and end markers) that is farthest from the labels
    already placed, with a smaller weight for the distance to the other paths, so
    labels stay apart and each sits clearly on its own path.
    """
    to_axes = ax.transData + ax.transAxes.inverted()
    fine = {}
    for name, pts in lines.items():
        s = np.linspace(0.0, len(pts) - 1.0, 8 * (len(pts) - 1) + 1)
        k = np.minimum(s.astype(int), len(pts) - 2)
        dense = pts[k] + (s - k)[:, None] * (pts[k + 1] - pts[k])
        fine[name] = to_axes.transform(dense)
    placed: list[np.ndarray] = []
    spots = []
    for name, cand in fine.items():
        quarter = len(cand) // 4
        inner = cand[quarter:len(cand) - quarter] if quarter else cand  # the middle half
        inside = np.all((inner > 0.04) & (inner < 0.96), axis=1)
        inner = inner[inside] if inside.any() else inner
        score = np.zeros(len(inner))
        if placed:
            score += np.min(np.linalg.norm(inner[:, None] - np.array(placed)[None], axis=2), axis=1)
        others = [c for other, c in fine.items() if other != name]
        if others:
            rest = np.concatenate(others)
            score += 0.5 * np.min(np.linalg.norm(inner[:, None] - rest[None], axis=2), axis=1)
        best = inner[int(np.argmax(score))] if (placed or others) else inner[len(inner) // 2]
        placed.append(best)
        spots.append(best)
    return spots


def latent_path(
    z: ArrayLike,
    y: ArrayLike,
    paths: Mapping[str, object] | object,
    *,
    class_names: Sequence[str] | None = None,
    quantile: float = 0.95,
    n_neighbors: int = 20,
    max_points: int = 5000,
    zoom: float | None = None,
    legend: bool = True,
    labels: bool = True,
    ends: bool = False,
    seed: int = 0,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Paths drawn on a 2-D latent map, with their points in empty regions circled.

    ``z`` (n, 2) are codes of real images coloured by class ``y``; ``paths``
    is one path ``(steps, 2)`` or ``{name: (steps, 2)}``. Several paths are
    numbered once each, at a point along the path chosen away from the other
    labels, and the legend names them (``labels=False`` leaves the numbers
    out, for a second view of the same paths). A path point counts as *empty*
    by :func:`aetutor.interpolation.empty_region_mask` with ``quantile`` and
    ``n_neighbors`` (its local outlier factor, measured against all of ``z``,
    exceeds that of ``quantile`` of the codes). Only the points *between* the
    ends are judged unless ``ends=True``: the ends are codes of real images,
    and by that rule a share ``1 - quantile`` of real codes counts as empty.
    At most ``max_points`` codes are drawn. ``zoom`` (>= 1) limits the view
    to the paths' bounding box widened by that factor, for paths in a
    crowded corner of the map. Returns the Axes; its title counts the empty points.
    """
    z = check_rank(check_finite(z, "z"), (2,), "z", "2-D codes (n, 2)")
    if z.shape[1] != 2:
        raise ValueError(f"z must be 2-D codes (n, 2) for a map, got shape {z.shape}")
    y = labels_for_rows(y, z)
    if not isinstance(paths, Mapping):
        paths = {"path": paths}
    if not paths:
        raise ValueError("paths must hold at least one path (steps, 2)")
    lines = {}
    for name, pts in paths.items():
        pts = check_rank(check_finite(pts, f"paths[{name!r}]"), (2,), f"paths[{name!r}]",
                         "points (steps, 2)")
        if pts.shape[1] != 2 or len(pts) < 2:
            raise ValueError(f"paths[{name!r}] must be (steps >= 2, 2), got shape {pts.shape}")
        lines[name] = pts
    max_points = check_positive_int(max_points, "max_points")
    if zoom is not None:
        zoom = check_number(zoom, "zoom")
        if not zoom >= 1.0:
            raise ValueError(f"zoom must be at least 1 (1 = just the paths), got {zoom}")
    # Everything that can refuse the input runs before the figure exists.
    empties = {name: empty_region_mask(pts, z, quantile=quantile, n_neighbors=n_neighbors)
               for name, pts in lines.items()}  # fmt: skip
    shown = np.random.default_rng(check_seed(seed)).permutation(len(z))[:max_points]
    ax = new_axes(ax, figsize=(7.0, 5.4))
    latent_scatter(z[shown], y[shown], class_names=class_names, ax=ax, s=4, alpha=0.35,
                   legend=False, seed=seed)
    n_empty = n_total = 0
    for name, pts in lines.items():
        empty = empties[name]
        if not ends:
            empty[[0, -1]] = False
        n_empty += int(empty.sum())
        n_total += len(pts) if ends else max(len(pts) - 2, 0)
        ax.plot(pts[:, 0], pts[:, 1], "-", color="black", lw=1.2, marker="o", ms=2.5, zorder=3)
        ax.plot(*pts[0], "s", color="black", ms=5, zorder=4)
        ax.plot(*pts[-1], "*", color="black", ms=9, zorder=4)
        ax.scatter(pts[empty, 0], pts[empty, 1], s=55, facecolors="none", edgecolors="red",
                   linewidths=1.3, zorder=5)
    if zoom is not None:
        every = np.concatenate(list(lines.values()))
        lo, hi = every.min(axis=0), every.max(axis=0)
        centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2, 1e-3 * np.ptp(z, axis=0)) * zoom
        ax.set_xlim(centre[0] - half[0], centre[0] + half[0])
        ax.set_ylim(centre[1] - half[1], centre[1] + half[1])
    numbered = labels and len(lines) > 1
    if numbered:
        ax.autoscale_view()
        ax.set_xlim(ax.get_xlim())  # freeze the view: labels are placed in axes coordinates
        ax.set_ylim(ax.get_ylim())
        for k, spot in enumerate(_label_spots(ax, lines), start=1):
            ax.text(*spot, str(k), transform=ax.transAxes, fontsize=9, fontweight="bold",
                    ha="center", va="center", zorder=6,
                    bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": "black", "lw": 0.8})
    if legend:
        ax.legend(handles=_legend(y, class_names, lines, numbered), loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), fontsize=10, handletextpad=0.3, borderaxespad=0.0)
    where = "path points" if ends else "points between the ends"
    heading = f"{n_empty} of {n_total} {where} empty (red circles)"
    ax.set_title(f"{title}\n{heading}" if title else heading)
    return ax


def path_profile(
    values: Mapping[str, object],
    *,
    reference: float | None = None,
    reference_label: str = "reference",
    ylabel: str = "value",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A measure along the paths: mean over pairs against ``t``, with a band of ± one SEM.

    ``values`` maps each kind of path to an array ``(n_pairs, steps)`` (one
    row per pair). The band is the standard error of the mean over pairs, so
    curves whose bands do not overlap differ by more than pair-to-pair luck.
    ``reference`` draws a horizontal line (for example the value for real
    images). Returns the Axes; the legend gives each curve's mean at the midpoint.
    """
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must map at least one path kind to an array (n_pairs, steps)")
    arrays = {}
    for kind, v in values.items():
        v = check_rank(check_finite(v, f"values[{kind!r}]"), (2,), f"values[{kind!r}]",
                       "one row per pair (n_pairs, steps)")
        if v.shape[1] < 2 or len(v) < 1:
            raise ValueError(f"values[{kind!r}] needs >= 1 pair and >= 2 steps, got {v.shape}")
        arrays[kind] = v.astype(np.float64)
    steps = {v.shape[1] for v in arrays.values()}
    if len(steps) != 1:
        raise ValueError(f"every path kind needs the same number of steps, got {sorted(steps)}")
    t = path_fractions(steps.pop())
    mid = int(np.argmin(np.abs(t - 0.5)))
    ax = new_axes(ax, figsize=(6.0, 4.0))
    for k, (kind, v) in enumerate(arrays.items()):
        mean = v.mean(axis=0)
        sem = v.std(axis=0, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.zeros_like(mean)
        ax.plot(t, mean, marker="o", ms=4, color=f"C{k}",
                label=f"{kind} ({mean[mid]:.3g} at t={t[mid]:.2f})")
        ax.fill_between(t, mean - sem, mean + sem, color=f"C{k}", alpha=0.2, lw=0)
    if reference is not None:
        ax.axhline(float(reference), color="0.4", ls="--", lw=1, label=reference_label)
    ax.set_xlabel("interpolation fraction t")
    ax.set_ylabel(ylabel)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + 0.3 * (high - low))  # headroom, so the legend sits above the curves
    ax.legend(fontsize=8, loc="upper left", ncols=2 if len(arrays) > 1 else 1)
    counts = sorted({len(v) for v in arrays.values()})
    heading = f"mean over {' or '.join(map(str, counts))} pairs, band ± one standard error"
    ax.set_title(f"{title}\n{heading}" if title else heading)
    return ax
