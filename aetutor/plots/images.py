"""Image figures: rows of originals, reconstructions and their errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.metrics import reconstruction_error
from aetutor.plots._common import as_image_batch
from aetutor.plots._tiles import Tile, tile_figure
from aetutor.validation import check_number, check_positive_int, check_same_shape

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.figure import Figure

__all__ = ["image_grid", "image_rows"]


def image_grid(
    rows: Mapping[str, np.ndarray],
    *,
    n: int | None = None,
    image_shape: Sequence[int] | None = None,
    titles: Mapping[str, Sequence[str]] | None = None,
    cmaps: Mapping[str, str] | None = None,
    title: str | None = None,
    size: float = 1.1,
) -> Figure:
    """Rows of images, one row per entry of ``rows`` (label -> images), aligned by column.

    ``titles`` may give a caption per image for any row; ``cmaps`` a colormap
    per row (default grey, scaled to [0, 1]). All images share one frameless
    Axes (see :mod:`aetutor.plots._tiles`); ``captions_of(fig, r)`` and
    ``row_labels_of(fig)`` there read the captions back. Returns the Figure.
    """
    if not isinstance(rows, Mapping):
        raise TypeError(
            "rows must be a dict mapping row labels to batches of images, got "
            f"{type(rows).__name__}"
        )
    if not rows:
        raise ValueError("rows must map at least one row label to a batch of images")
    for arg, value in (("titles", titles), ("cmaps", cmaps)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{arg} must be a dict keyed by row label, got {type(value).__name__}")
    size = check_number(size, "size", low=0.0, low_open=True)
    batches = {
        label: as_image_batch(imgs, f"rows[{label!r}]", image_shape) for label, imgs in rows.items()
    }
    lengths = {label: len(b) for label, b in batches.items()}
    n = min(lengths.values()) if n is None else check_positive_int(n, "n")
    if n > min(lengths.values()):
        raise ValueError(f"n must be in 1..{min(lengths.values())} (rows hold {lengths}), got {n}")
    titles = titles or {}
    cmaps = cmaps or {}
    for label, caps in titles.items():  # before any figure exists, so nothing half-drawn is left
        if isinstance(caps, (str, bytes)) or not isinstance(caps, (Sequence, np.ndarray)):
            raise TypeError(f"titles[{label!r}] must be a list of captions, got {caps!r:.60}")
        if label in batches and len(caps) < n:
            raise ValueError(f"titles[{label!r}] has {len(caps)} captions, need {n}")
    grid = [
        [Tile(batch[c], cmap=cmaps.get(label, "gray"),
              caption=None if titles.get(label) is None else str(titles[label][c]))
         for c in range(n)]
        for label, batch in batches.items()
    ]
    return tile_figure(grid, size=size, row_labels=list(batches), title=title)


def image_rows(
    x: ArrayLike,
    x_hat: ArrayLike,
    *,
    n: int = 8,
    image_shape: Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
    error_kind: str = "mse",
    show_error: bool = True,
    title: str | None = None,
) -> Figure:
    """Originals, their reconstructions and the absolute-error images, in three rows.

    Each reconstruction is titled with its own error (``error_kind``), and the
    figure title with the mean over the images shown, so the numbers sit next
    to the pictures they describe. ``labels`` captions the originals.
    """
    x = as_image_batch(x, "x", image_shape)
    x_hat = as_image_batch(x_hat, "x_hat", image_shape)
    check_same_shape(x, x_hat)
    n = min(check_positive_int(n, "n"), len(x))
    x, x_hat = x[:n], x_hat[:n]
    errors = reconstruction_error(x, x_hat, kind=error_kind)
    rows = {"original": x, "reconstruction": x_hat}
    titles = {"reconstruction": [f"{e:.4f}" for e in errors]}
    if labels is not None:
        if len(labels) < n:
            raise ValueError(f"labels has {len(labels)} entries, need at least {n}")
        titles["original"] = [str(lab) for lab in labels[:n]]
    cmaps = {}
    if show_error:
        rows["|x - x_hat|"] = np.abs(x - x_hat)
        cmaps["|x - x_hat|"] = "magma"
    heading = f"mean {error_kind.upper()} of these {n}: {errors.mean():.4f}"
    return image_grid(
        rows, n=n, titles=titles, cmaps=cmaps, title=f"{title} ({heading})" if title else heading
    )
