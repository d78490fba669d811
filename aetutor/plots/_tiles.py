"""Many small images in one Axes: the grids of images that most lessons draw.

A grid of images could be one Axes per image, but matplotlib lays out, measures
and draws every Axes on its own (ticks, spines, title boxes), which makes a
figure of 40 small images take over a second to render. Here each image is an
``AxesImage`` placed at its own spot in a single Axes whose frame is switched
off, and captions and row labels are text artists next to the images: the
same picture, drawn several times faster.

Coordinates are image pixels (the y axis points down, as in an image), so every
image keeps square pixels. Each caption, note and row label carries a ``gid``
(``"caption r c"``, ``"note r c"``, ``"row label r"``) and each frame the gid
``"frame r c"``, so tests and readers can find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.figure import Figure
    from matplotlib.text import Text

__all__ = ["Tile", "captions_of", "framed_of", "notes_of", "row_labels_of", "tile_figure"]

_POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Tile:
    """One image of the grid: how to colour it, a caption above, a note below, a frame."""

    image: np.ndarray
    cmap: str = "gray"
    vmin: float = 0.0
    vmax: float = 1.0
    caption: str | None = None
    note: str | None = None
    frame: str | None = None  # a colour: draw a frame of it around the image


def _lines(text: str | None) -> int:
    return 0 if not text else str(text).count("\n") + 1


def tile_figure(
    rows: Sequence[Sequence[Tile | None]],
    *,
    size: float,
    row_labels: Sequence[str] | None = None,
    title: str | None = None,
    title_fontsize: float | str | None = None,
    caption_fontsize: float = 8.0,
    label_fontsize: float = 9.0,
    note_fontsize: float = 7.0,
    gap: float = 0.08,
    gaps_before: Sequence[float] | None = None,
    label_room: float = 1.2,
) -> Figure:
    """A figure with the tiles of ``rows`` laid out in a grid in one frameless Axes.

    ``size`` is the width in inches of one column (an image and the gap after it);
    ``gap`` is that gap as a share of an image's width, ``gaps_before[r]`` extra
    space above row ``r`` (a share of an image's height, to separate groups of
    rows) and ``label_room`` the inches left of the grid for row labels. A
    ``None`` tile leaves its place empty. The layout is computed here, not by
    matplotlib's layout engine: the Axes fills exactly the grid's box, so every
    figure keeps the same room for its title and the same margins.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    tiles = [t for row in rows for t in row if t is not None]
    height = max(t.image.shape[0] for t in tiles)
    width = max(t.image.shape[1] for t in tiles)
    n_cols = max(len(row) for row in rows)
    pad = gap * width
    per_inch = (width + pad) / size  # image pixels per inch of the figure

    def room(fontsize: float, text_of) -> list[float]:
        """Space each row needs for its tallest text, in pixels of the images."""
        line = 1.3 * fontsize / _POINTS_PER_INCH * per_inch
        return [max((_lines(text_of(t)) for t in row if t is not None), default=0) * line
                for row in rows]

    above = room(caption_fontsize, lambda t: t.caption)
    below = room(note_fontsize, lambda t: t.note)
    extra = [0.0] * len(rows) if gaps_before is None else [g * height for g in gaps_before]
    # Rows stand 2 gaps apart, so that a row's captions sit clearly nearer its own images.
    heights = [(2 * pad if r else 0.0) + e + a + height + b
               for r, (e, a, b) in enumerate(zip(extra, above, below))]
    row_tops = np.concatenate([[0.0], np.cumsum(heights)])
    total_h, total_w = float(row_tops[-1]), n_cols * (width + pad) - pad

    # Inches: the grid's box, with room for row labels on the left and the title on top.
    grid_w, grid_h = total_w / per_inch, total_h / per_inch
    left_in = label_room if row_labels else 0.1
    if title_fontsize is None or isinstance(title_fontsize, str):
        import matplotlib as mpl
        from matplotlib.font_manager import FontProperties

        title_fontsize = FontProperties(
            size=title_fontsize or mpl.rcParams["figure.titlesize"]).get_size_in_points()
    title_in = 0.0 if not title else (_lines(title) * 1.3 * title_fontsize / _POINTS_PER_INCH
                                      + 0.15)
    top_in, bottom_in, right_in = title_in + 0.1, 0.1, 0.1
    fig_w, fig_h = left_in + grid_w + right_in, top_in + grid_h + bottom_in
    fig = plt.figure(figsize=(fig_w, fig_h), layout="none")
    ax = fig.add_axes((left_in / fig_w, bottom_in / fig_h, grid_w / fig_w, grid_h / fig_h))
    if title:
        fig.suptitle(title, fontsize=title_fontsize, x=(left_in + grid_w / 2) / fig_w,
                     y=1 - 0.05 / fig_h, va="top")
    nudge = 0.03 * height  # between an image and its texts
    for r, row in enumerate(rows):
        top = row_tops[r] + (2 * pad if r else 0.0) + extra[r] + above[r]
        for c, tile in enumerate(row):
            if tile is None:
                continue
            h, w = tile.image.shape[:2]
            left = c * (width + pad)
            ax.imshow(tile.image, cmap=tile.cmap, vmin=tile.vmin, vmax=tile.vmax,
                      extent=(left, left + w, top + h, top))
            if tile.caption is not None:
                ax.text(left + w / 2, top - nudge, str(tile.caption), ha="center",
                        va="bottom", fontsize=caption_fontsize, gid=f"caption {r} {c}")
            if tile.note is not None:
                ax.text(left + w / 2, top + h + nudge, str(tile.note), ha="center",
                        va="top", fontsize=note_fontsize, gid=f"note {r} {c}")
            if tile.frame is not None:
                ax.add_patch(Rectangle((left, top), w, h, fill=False, edgecolor=tile.frame,
                                       linewidth=1.5, gid=f"frame {r} {c}"))
        if row_labels:
            ax.text(-pad, top + height / 2, str(row_labels[r]), ha="right", va="center",
                    fontsize=label_fontsize, gid=f"row label {r}")
    ax.set_xlim(0, total_w)
    ax.set_ylim(total_h, 0)  # y down, as in an image; the box has the grid's own aspect
    ax.set_axis_off()
    return fig


def _texts(fig: Figure, prefix: str) -> dict[str, Text]:
    return {t.get_gid(): t for ax in fig.axes for t in ax.texts
            if isinstance(t.get_gid(), str) and t.get_gid().startswith(prefix)}


def _in_row(fig: Figure, what: str, row: int) -> list[str]:
    found = _texts(fig, f"{what} {row} ")
    return [found[k].get_text() for k in sorted(found, key=lambda g: int(g.split()[-1]))]


def captions_of(fig: Figure, row: int) -> list[str]:
    """The captions (above the images) of row ``row`` of a tile figure, left to right."""
    return _in_row(fig, "caption", row)


def notes_of(fig: Figure, row: int) -> list[str]:
    """The notes (below the images) of row ``row`` of a tile figure, left to right."""
    return _in_row(fig, "note", row)


def framed_of(fig: Figure) -> list[tuple[int, int]]:
    """(row, column) of every framed tile, in reading order."""
    gids = [p.get_gid() for ax in fig.axes for p in ax.patches]
    return sorted(tuple(int(v) for v in g.split()[1:]) for g in gids
                  if isinstance(g, str) and g.startswith("frame "))


def row_labels_of(fig: Figure) -> list[str]:
    """The row labels of a tile figure, top to bottom."""
    found = _texts(fig, "row label ")
    return [found[k].get_text() for k in sorted(found, key=lambda g: int(g.split()[-1]))]
