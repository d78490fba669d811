"""Figures of the latent codes ``z``: scatters coloured by class, training snapshots, decoded grids.

Classes keep one colour in every figure (colour = label value), so a lesson's
panels can be compared at a glance.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.metrics import reconstruction_error
from aetutor.plots._common import as_image_batch, labels_for_rows, new_axes
from aetutor.validation import (
    check_finite,
    check_labels,
    check_number,
    check_positive_int,
    check_rank,
    check_seed,
)

MAX_GRID = 200
"""Largest ``n`` of an ``n`` x ``n`` decoded grid (40,000 tiles)."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "class_colors",
    "latent_bars",
    "latent_epochs",
    "latent_grid",
    "latent_grid_codes",
    "latent_scatter",
]


def latent_bars(
    z: ArrayLike,
    x: ArrayLike,
    y: ArrayLike,
    *,
    per_class: int = 2,
    classes: Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    image_shape: Sequence[int] | None = None,
    dead_tol: float = 1e-6,
    seed: int = 0,
) -> Figure:
    """Each chosen image beside its code drawn as a bar chart, ``per_class`` per class.

    Units whose value stays within ``dead_tol`` of zero for *every* row of ``z``
    (all samples passed, not only those drawn) are dead: they carry no
    information, and are drawn in grey. Bars share one y-scale so codes can be
    compared across classes. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    z = check_rank(check_finite(z, "z"), (2,), "z", "codes (n, latent_dim)")
    x = as_image_batch(x, "x", image_shape)
    if len(x) != len(z):
        raise ValueError(f"z and x must describe the same samples: {len(z)} codes, {len(x)} images")
    y = check_labels(y, len(z))
    per_class = check_positive_int(per_class, "per_class")
    seed = check_seed(seed)
    dead_tol = check_number(dead_tol, "dead_tol", low=0.0)
    if classes is not None:
        classes = check_labels(np.asarray(list(classes)), len(list(classes)), "classes").tolist()
    classes = list(np.unique(y)) if classes is None else [int(c) for c in classes]
    missing = [c for c in classes if not np.any(y == c)]
    if missing:
        raise ValueError(f"no samples of class(es) {missing} among the labels")
    if not classes:
        raise ValueError("classes must name at least one class")
    most = max(int(np.sum(y == c)) for c in classes)
    if per_class > most:  # columns that could only ever be empty
        raise ValueError(
            f"per_class must be at most {most}, the most samples any chosen class has, "
            f"got {per_class}"
        )
    if class_names is not None and max(classes) >= len(class_names):
        raise ValueError(
            f"class_names has {len(class_names)} names but the labels reach {max(classes)}"
        )
    rng = np.random.default_rng(seed)
    picks = [
        rng.choice(np.flatnonzero(y == c), size=min(per_class, int(np.sum(y == c))), replace=False)
        for c in classes
    ]
    dead = np.all(np.abs(z) <= dead_tol, axis=0)
    lo, hi = min(0.0, float(z.min())), max(0.0, float(z.max()))
    pad = 0.05 * (hi - lo or 1.0)
    colors = np.where(dead, "0.75", "C0")
    units = np.arange(z.shape[1])

    fig, axes = plt.subplots(
        len(classes), 2 * per_class, squeeze=False,
        figsize=(2.6 * per_class * 1.6, 1.1 * len(classes) + 0.8),
        gridspec_kw={"width_ratios": [1, 3] * per_class},
    )  # fmt: skip
    for r, (c, idx) in enumerate(zip(classes, picks)):
        for k in range(per_class):
            ax_img, ax_bar = axes[r, 2 * k], axes[r, 2 * k + 1]
            if k >= len(idx):
                ax_img.axis("off")
                ax_bar.axis("off")
                continue
            i = idx[k]
            ax_img.imshow(x[i], cmap="gray", vmin=0, vmax=1)
            ax_img.set_xticks([])
            ax_img.set_yticks([])
            ax_img.grid(False)
            if k == 0:
                name = class_names[c] if class_names is not None else str(c)
                ax_img.set_ylabel(name, rotation=0, ha="right", va="center")
            ax_bar.bar(units, z[i], color=colors, width=0.8)
            ax_bar.plot(units[dead], np.zeros(int(dead.sum())), "x", color="0.5", ms=4)
            ax_bar.set_ylim(lo - pad, hi + pad)
            ax_bar.set_xticks([] if r < len(classes) - 1 else units[:: max(1, len(units) // 8)])
            ax_bar.tick_params(labelsize=7)
    fig.suptitle(
        f"codes of {z.shape[1]} units; {int(dead.sum())} dead (zero for all {len(z)} samples, grey)"
    )
    return fig


def _codes_2d(z, name: str = "z") -> np.ndarray:
    z = check_rank(check_finite(z, name), (2,), name, "codes (n, 2)")
    if z.shape[1] != 2 or len(z) == 0:
        raise ValueError(
            f"{name} must be 2-D codes of shape (n, 2) with n >= 1, got shape {z.shape}; "
            "for longer codes use embedding_2d (PCA or t-SNE) first"
        )
    return z


def _names(class_names: Sequence[str] | None, y: np.ndarray) -> list[str] | None:
    if class_names is None:
        return None
    names = [str(c) for c in class_names]
    if len(y) and (y.min() < 0 or y.max() >= len(names)):
        raise ValueError(
            f"class_names has {len(names)} entries, so labels must be in 0..{len(names) - 1}, "
            f"got labels in {int(y.min())}..{int(y.max())}"
        )
    return names


def class_colors(y: ArrayLike) -> np.ndarray:
    """One RGBA colour per label, fixed by the label's value (tab10 up to 10 classes)."""
    import matplotlib

    y = check_labels(y, np.size(y))
    top = int(y.max()) + 1 if y.size else 1
    cmap = matplotlib.colormaps["tab10" if top <= 10 else "tab20" if top <= 20 else "turbo"]
    return cmap(y / (top - 1)) if top > 20 else cmap(y % cmap.N)


def _legend_handles(y: np.ndarray, names: list[str] | None) -> list:
    """Full-opacity marker handles, one per class present, labelled by name."""
    from matplotlib.lines import Line2D

    classes = np.unique(y)  # same largest label as y, hence the same colour map
    return [
        Line2D([], [], ls="", marker="o", ms=6, color=colour,
               label=names[c] if names is not None else str(c))
        for c, colour in zip(classes, class_colors(classes))
    ]  # fmt: skip


def latent_scatter(
    z: ArrayLike,
    y: ArrayLike,
    *,
    class_names: Sequence[str] | None = None,
    ax: Axes | None = None,
    s: float = 6.0,
    alpha: float = 0.7,
    legend: bool = True,
    title: str | None = None,
    seed: int = 0,
) -> Axes:
    """Two-dimensional codes as points coloured by class, with a legend of class names.

    Points are drawn in a random order (``seed``) so no class hides the others,
    and the legend sits outside the axes with full-opacity markers, so it stays
    readable at 10 classes. Returns the Axes.
    """
    z = _codes_2d(z)
    y = labels_for_rows(y, z)
    names = _names(class_names, y)
    order = np.random.default_rng(check_seed(seed)).permutation(len(z))
    ax = new_axes(ax, figsize=(6.4, 5.2))
    colors = class_colors(y)
    ax.scatter(z[order, 0], z[order, 1], c=colors[order], s=s, alpha=alpha, linewidths=0)
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(handles=_legend_handles(y, names), loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize=8, frameon=False, handletextpad=0.2, borderaxespad=0.0)  # fmt: skip
    return ax


def _mosaic(images: np.ndarray, ncols: int, gap: int = 0, fill: float = 1.0) -> np.ndarray:
    """Tile ``(n, h, w)`` images into one 2-D array, row by row, ``gap`` pixels apart."""
    n, h, w = images.shape
    nrows = math.ceil(n / ncols)
    out = np.full((nrows * (h + gap) - gap, ncols * (w + gap) - gap), fill, dtype=np.float32)
    for i, img in enumerate(images):
        r, c = divmod(i, ncols)
        top, left = r * (h + gap), c * (w + gap)
        out[top : top + h, left : left + w] = img
    return out


def _image_panel(ax, mosaic: np.ndarray, title: str | None = None) -> None:
    ax.imshow(mosaic, cmap="gray", vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():  # no frame: the grey gaps already separate the images
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=9)


def latent_epochs(
    latents: Mapping[int, np.ndarray],
    y: ArrayLike,
    *,
    images: ArrayLike | None = None,
    reconstructions: Mapping[int, np.ndarray] | None = None,
    class_names: Sequence[str] | None = None,
    image_shape: Sequence[int] | None = None,
    title: str | None = None,
    max_cols: int = 3,
) -> Figure:
    """The 2-D latent space at several epochs, each with its reconstructions underneath.

    ``latents`` maps epoch -> codes ``(n, 2)`` of the same samples (labels
    ``y``), as recorded by :class:`aetutor.callbacks.LatentHistory`;
    ``reconstructions`` maps epoch -> reconstructions of ``images``, titled with
    their mean squared error, and the originals are drawn once, in a strip on
    top. Epochs fill rows of at most ``max_cols`` panels, so the figure stays
    within a notebook column (at most 12 inches wide); the classes share one
    legend below the panels, off the data. Each scatter keeps its own axis
    limits, since the codes' scale changes as the model trains. Returns the
    Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(latents, Mapping) or not latents:
        raise ValueError("latents must map at least one epoch to codes, e.g. history.latents")
    max_cols = check_positive_int(max_cols, "max_cols")
    epochs = sorted(int(e) for e in latents)
    zs = {e: _codes_2d(latents[e], f"latents[{e}]") for e in epochs}
    sizes = {len(z) for z in zs.values()}
    if len(sizes) != 1:
        raise ValueError(f"every epoch's codes must describe the same samples, got sizes {sizes}")
    y = check_labels(y, len(zs[epochs[0]]))
    names = _names(class_names, y)
    show_images = reconstructions is not None
    if show_images:
        if images is None:
            raise ValueError("pass images= (the originals) together with reconstructions=")
        images = as_image_batch(images, "images", image_shape)
        missing = [e for e in epochs if e not in reconstructions]
        if missing:
            raise ValueError(f"reconstructions has no entry for epoch(s) {missing}")
        recs = {e: as_image_batch(reconstructions[e], f"reconstructions[{e}]", image_shape)
                for e in epochs}  # fmt: skip
        for e, r in recs.items():
            if r.shape != images.shape:
                raise ValueError(
                    f"reconstructions[{e}] must match images' shape {images.shape}, got {r.shape}"
                )
        ncols_img = math.ceil(len(images) / 2)

    ncol = min(len(epochs), max_cols)
    block_rows = math.ceil(len(epochs) / ncol)
    # One block per row of epochs: a scatter row, then (with images) a reconstruction row.
    block = [3.0, 1.6] if show_images else [3.0]
    heights = ([1.1] if show_images else []) + block * block_rows
    fig = plt.figure(figsize=(min(11.5, 3.8 * ncol + 0.6), sum(heights) + 1.0),
                     layout="constrained")  # fmt: skip
    grid = fig.add_gridspec(len(heights), ncol, height_ratios=heights)
    top = 1 if show_images else 0
    if show_images:
        _image_panel(fig.add_subplot(grid[0, :]), _mosaic(images, len(images), gap=2), "originals")
    for k, e in enumerate(epochs):
        row, col = divmod(k, ncol)
        ax = fig.add_subplot(grid[top + row * len(block), col])
        latent_scatter(zs[e], y, class_names=names, ax=ax, s=3, legend=False)
        ax.set_title("untrained" if e == 0 else f"after {e} epoch{'s' if e > 1 else ''}",
                     fontsize=10)  # fmt: skip
        ax.tick_params(labelsize=7)
        ax.set_xlabel("$z_1$", fontsize=8)
        ax.set_ylabel("$z_2$" if col == 0 else "", fontsize=8)
        if show_images:
            mse = float(reconstruction_error(images, recs[e]).mean())
            _image_panel(fig.add_subplot(grid[top + row * len(block) + 1, col]),
                         _mosaic(recs[e], ncols_img, gap=2), f"reconstructions, MSE {mse:.4f}")
    handles = _legend_handles(y, names)
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 10),
               fontsize=8, frameon=False, handletextpad=0.2, columnspacing=1.0)  # fmt: skip
    fig.suptitle(title or f"the latent space of {len(y):,} samples as training goes on")
    return fig


def latent_grid_codes(
    z: ArrayLike, n: int = 15, quantiles: tuple[float, float] = (0.005, 0.995)
) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A regular ``n`` x ``n`` grid of 2-D codes spanning the data's latent range.

    The range of each dimension runs between the given ``quantiles`` of ``z``
    (the defaults ignore a few extreme codes). Returns ``(codes, extent)``:
    ``codes`` of shape ``(n * n, 2)`` in reading order (the top row, at the
    largest ``z_2``, first; left to right in ``z_1``), and ``extent`` =
    ``(left, right, bottom, top)`` of the tiles centred on those codes, as
    ``imshow`` takes it.
    """
    z = _codes_2d(z)
    if z.size and np.abs(z).max() > _FLOAT32_MAX:  # the grid codes are float32, as models take
        raise ValueError(
            f"z must fit in float32 (|z| <= {_FLOAT32_MAX:.3g}): the grid codes are float32, "
            f"got values up to {np.abs(z).max():.4g}"
        )
    n = check_positive_int(n, "n", minimum=2, maximum=MAX_GRID)
    if isinstance(quantiles, (str, bytes)) or np.shape(quantiles) != (2,):
        raise TypeError(f"quantiles must be a pair (low, high), got {quantiles!r}")
    q_lo, q_hi = (check_number(q, "quantiles") for q in quantiles)
    if not 0.0 <= q_lo < q_hi <= 1.0:
        raise ValueError(f"quantiles must satisfy 0 <= low < high <= 1, got {quantiles}")
    lo, hi = np.quantile(z.astype(np.float64), [q_lo, q_hi], axis=0)
    flat = hi - lo <= 1e-12  # collapsed codes: still draw a (tiny) grid around them
    lo, hi = np.where(flat, lo - 0.5, lo), np.where(flat, hi + 0.5, hi)
    z1 = np.linspace(lo[0], hi[0], n)
    z2 = np.linspace(hi[1], lo[1], n)  # top row first
    g1, g2 = np.meshgrid(z1, z2)
    codes = np.stack([g1.ravel(), g2.ravel()], axis=1).astype(np.float32)
    h1, h2 = (hi - lo) / (n - 1) / 2
    extent = (float(lo[0] - h1), float(hi[0] + h1), float(lo[1] - h2), float(hi[1] + h2))
    return codes, extent


def latent_grid(
    decode: Callable[[np.ndarray], np.ndarray],
    z: ArrayLike,
    y: ArrayLike | None = None,
    *,
    n: int = 15,
    quantiles: tuple[float, float] = (0.005, 0.995),
    class_names: Sequence[str] | None = None,
    image_shape: Sequence[int] | None = None,
    s: float = 4.0,
    alpha: float = 0.5,
    max_points: int | None = 2000,
    seed: int = 0,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "gray_r",
) -> Axes:
    """Decode a regular grid over the codes' range and draw it as a mosaic under the codes.

    ``decode`` (e.g. ``autoencoder.decode``) is called once, on all ``n * n``
    grid codes from :func:`latent_grid_codes`. Tiles are drawn dark-on-light at
    their positions in latent space, and the data's codes ``z`` on top
    (coloured by ``y`` when given), so one sees which decoded images sit over
    the data and which over empty regions. The title gives the spread of the
    decoded images (mean per-pixel standard deviation across tiles: 0 means
    every tile is the same image). At most ``max_points`` codes (a random
    subsample, ``seed``) are drawn over the mosaic, so the tiles stay visible;
    the grid spans all of ``z``. ``cmap`` colours the tiles ("gray" draws
    light digits on black, as image grids do). Returns the Axes.
    """
    if not callable(decode):
        raise TypeError(f"decode must be a callable codes -> images, got {type(decode).__name__}")
    z = _codes_2d(z)
    if y is not None:
        y = labels_for_rows(y, z)
    codes, extent = latent_grid_codes(z, n, quantiles)
    tiles = as_image_batch(np.asarray(decode(codes)), "decode(codes)", image_shape)
    if len(tiles) != n * n:
        raise ValueError(
            f"decode must return one image per code: {n * n} codes, {len(tiles)} images"
        )
    spread = float(tiles.reshape(len(tiles), -1).std(axis=0).mean())
    if max_points is not None and len(z) > check_positive_int(max_points, "max_points"):
        keep = np.random.default_rng(check_seed(seed)).choice(len(z), size=max_points,
                                                              replace=False)
        z, y = z[keep], (None if y is None else y[keep])
    ax = new_axes(ax, figsize=(7.0, 6.2))
    ax.imshow(_mosaic(tiles, n), cmap=cmap, vmin=0.0, vmax=1.0, extent=extent,
              aspect="auto", interpolation="nearest")  # fmt: skip
    ax.set_box_aspect(1)
    ax.grid(False)
    if y is None:
        ax.scatter(z[:, 0], z[:, 1], s=s, alpha=alpha, color="C3", linewidths=0)
    else:
        latent_scatter(z, y, class_names=class_names, ax=ax, s=s, alpha=alpha)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$z_1$")
    ax.set_ylabel("$z_2$")
    ax.set_title(title or f"{n}x{n} decoded grid over the codes (tile spread {spread:.3f})")
    return ax

