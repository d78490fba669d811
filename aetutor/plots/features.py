"""Figures of what hidden units learn: weights as images, pixel weight maps, activation rates."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.plots._common import new_axes
from aetutor.plots._tiles import Tile, tile_figure
from aetutor.validation import check_finite, check_number, check_positive_int, check_rank

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["weight_images", "pixel_weight_map", "pixel_weight_changes", "activation_histograms"]


_MAX_BINS = 1000
"""Most histogram bins :func:`activation_histograms` draws (more only allocate, not inform)."""


def _weights_and_shape(weights, image_shape: Sequence[int] | None) -> tuple[np.ndarray, tuple]:
    """A finite (pixels, units) weight matrix and the image shape its rows fill."""
    w = check_rank(check_finite(weights, "weights"), (2,), "weights",
                   "a first-layer kernel (input pixels, hidden units)")
    if w.shape[0] == 0 or w.shape[1] == 0:
        raise ValueError(f"weights must have at least one pixel and one unit, got shape {w.shape}")
    if image_shape is None:
        side = math.isqrt(w.shape[0])
        if side * side != w.shape[0]:
            raise ValueError(
                f"weights have {w.shape[0]} rows (one per input pixel), which do not fill a "
                "square image; pass image_shape=(height, width)"
            )
        shape = (side, side)
    else:
        if isinstance(image_shape, (str, bytes)) or not isinstance(image_shape, Sequence):
            raise TypeError(f"image_shape must be (height, width), got {image_shape!r}")
        shape = tuple(check_positive_int(s, "each entry of image_shape") for s in image_shape)
        if len(shape) != 2 or int(np.prod(shape)) != w.shape[0]:
            raise ValueError(
                f"weights have {w.shape[0]} rows (one per input pixel), but image_shape {shape} "
                f"has {int(np.prod(shape))} pixels; pass the (height, width) of the images"
            )
    return w.astype(np.float64, copy=False), shape


def _pixel_norms(w: np.ndarray) -> np.ndarray:
    """Each row's Euclidean norm (how strongly pixel ``i`` feeds the code), without overflow.

    The rows are scaled by the largest ``|w|`` first, so finite weights as large
    as 1e300 give finite norms instead of an overflow in ``w**2``.
    """
    scale = float(np.abs(w).max())
    if scale == 0.0:
        return np.zeros(len(w))
    with np.errstate(over="ignore"):
        norms = scale * np.sqrt(np.sum((w / scale) ** 2, axis=1))
    if not np.isfinite(norms).all():
        raise ValueError(
            f"weights are too large to draw: their largest |w| is {scale:.3g}, and the pixel "
            "norms overflow float64 (check the model's training for divergence)"
        )
    return norms


def _bare(ax) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


def weight_images(
    weights: ArrayLike,
    *,
    image_shape: Sequence[int] | None = None,
    units: Sequence[int] | None = None,
    ncols: int | None = None,
    captions: Sequence[str] | None = None,
    cmap: str = "RdBu_r",
    title: str | None = None,
    size: float = 0.8,
) -> Figure:
    """Each hidden unit's incoming weights drawn as an image: the pattern the unit looks for.

    ``weights`` is a first-layer kernel shaped ``(pixels, units)`` (for a Keras
    ``Dense`` layer, ``layer.kernel``). Column ``j`` is reshaped to
    ``image_shape`` (default: square) and drawn with a diverging colormap
    centred on zero, each image scaled to its own largest ``|w|``: red pixels
    push the unit on, blue pixels push it off, white ones do not matter.
    ``units`` picks which columns to draw (default all); ``captions`` labels
    them. All images share one frameless Axes (:mod:`aetutor.plots._tiles`).
    Returns the Figure.
    """
    w, shape = _weights_and_shape(weights, image_shape)
    n_units = w.shape[1]
    if units is None:
        units = list(range(n_units))
    else:
        units = [int(u) for u in units]
        bad = [u for u in units if not 0 <= u < n_units]
        if not units or bad:
            shown = bad or units
            raise ValueError(f"units must list column indices in 0..{n_units - 1}, got {shown}")
    if captions is not None and len(captions) != len(units):
        raise ValueError(f"captions must have one entry per unit drawn ({len(units)}), "
                         f"got {len(captions)}")
    n = len(units)
    ncols = int(np.ceil(np.sqrt(n))) if ncols is None else int(ncols)
    if ncols < 1:
        raise ValueError(f"ncols must be at least 1, got {ncols}")
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    tiles = []
    for k, unit in enumerate(units):
        img = w[:, unit].reshape(shape)
        vmax = float(np.abs(img).max()) or 1.0
        tiles.append(Tile(img, cmap=cmap, vmin=-vmax, vmax=vmax,
                          caption=None if captions is None else str(captions[k])))
    grid = [tiles[r * ncols:(r + 1) * ncols] for r in range(nrows)]
    heading = f"{n} of {n_units} units, each scaled to its own max |w|"
    return tile_figure(grid, size=size, caption_fontsize=7, title_fontsize=10,
                       title=f"{title}\n{heading}" if title else heading)


def pixel_weight_map(
    weights: ArrayLike,
    *,
    image_shape: Sequence[int] | None = None,
    top: float = 0.1,
    ax: Axes | None = None,
    cmap: str = "viridis",
    title: str | None = None,
) -> Axes:
    """Heat-map of how strongly each input pixel feeds the code: ``||w_i||`` over all units.

    ``weights`` is a first-layer kernel shaped ``(pixels, units)``; pixel ``i``
    is drawn with the Euclidean norm of its row. Bright pixels move the code a
    lot; pixels that never vary in the data get no gradient and keep their
    small random starting weights. The title gives the share of the summed
    norm held by the ``top`` fraction of pixels, a measure of how concentrated
    the encoder's attention is. Returns the Axes.
    """
    w, shape = _weights_and_shape(weights, image_shape)
    if not 0.0 < check_number(top, "top") <= 1.0:
        raise ValueError(f"top must be a fraction in (0, 1], got {top!r}")
    norms = _pixel_norms(w)
    share = _top_share(norms, top)
    ax = new_axes(ax, figsize=(3.6, 3.4))
    im = ax.imshow(norms.reshape(shape), cmap=cmap, vmin=0.0)
    _bare(ax)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="weight norm")
    heading = f"top {top:.0%} of pixels: {share:.0%} of the weight"
    ax.set_title(f"{title}\n{heading}" if title else heading, fontsize=10)
    return ax


def _top_share(norms: np.ndarray, top: float) -> float:
    """Share of the summed norm held by the ``top`` fraction of pixels."""
    k = max(1, int(round(float(top) * len(norms))))
    peak = float(norms.max())
    if peak <= 0:
        return 0.0
    rel = norms / peak  # a ratio of sums: scaling first keeps huge norms from overflowing
    return float(np.sort(rel)[::-1][:k].sum() / rel.sum())


def pixel_weight_changes(
    weights: Mapping[str, ArrayLike],
    *,
    image_shape: Sequence[int] | None = None,
    top: float = 0.1,
    title: str | None = None,
) -> Figure:
    """One pixel weight map, then how every other model's map differs from it, in one row.

    ``weights`` maps model names to first-layer kernels ``(pixels, units)`` of
    the same shape. The first panel is the first model's map (as
    :func:`pixel_weight_map`: the norm of each pixel's weights); each further
    panel shows *another model's norms minus the first's* on one shared,
    zero-centred scale (red: the pixel feeds that model's code more strongly).
    Three near-identical heat-maps hide what changed; differences show it.
    Titles give each model's share of the weight held by its ``top`` pixels.
    Returns the Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(weights, Mapping) or len(weights) < 2:
        raise ValueError("weights must map at least two model names to kernels (pixels, units)")
    if not 0.0 < check_number(top, "top") <= 1.0:
        raise ValueError(f"top must be a fraction in (0, 1], got {top!r}")
    norms, shape = {}, None
    for name, w in weights.items():
        w, shape_k = _weights_and_shape(w, image_shape)
        if shape is not None and shape_k != shape:
            raise ValueError(f"weights[{name!r}] fills images of shape {shape_k}, not {shape}")
        shape = shape_k
        norms[name] = _pixel_norms(w)
    names = list(norms)
    first = norms[names[0]]
    diffs = {name: norms[name] - first for name in names[1:]}
    vmax = max(float(np.abs(d).max()) for d in diffs.values()) or 1.0
    fig, axes = plt.subplots(1, len(names), figsize=(3.3 * len(names) + 0.8, 3.5),
                             layout="constrained")
    im = axes[0].imshow(first.reshape(shape), cmap="viridis", vmin=0.0)
    fig.colorbar(im, ax=axes[0], fraction=0.046, pad=0.04, label="weight norm")
    axes[0].set_title(f"{names[0]}\ntop {top:.0%} of pixels: {_top_share(first, top):.0%} "
                      "of the weight", fontsize=10)
    for ax, name in zip(axes[1:], names[1:]):
        im_diff = ax.imshow(diffs[name].reshape(shape), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
        ax.set_title(f"{name} minus {names[0]}\n{name}: top {top:.0%} of pixels hold "
                     f"{_top_share(norms[name], top):.0%}", fontsize=10)
    fig.colorbar(im_diff, ax=list(axes[1:]), fraction=0.046, pad=0.04,
                 label=f"change of weight norm from {names[0]}")
    for ax in axes:
        _bare(ax)
    if title:
        fig.suptitle(title)
    return fig


def activation_histograms(
    activations: Mapping[str, np.ndarray],
    *,
    rho: float | None = None,
    threshold: float = 0.5,
    bins: int = 25,
    title: str | None = None,
) -> Figure:
    """How often hidden units fire, one column per model (name -> activations ``(n, units)``).

    Top row: histogram of each unit's mean activation over the inputs, with the
    target rate ``rho`` marked when given. Bottom row: histogram of how many
    units are active (activation above ``threshold``) for each input. Panel
    titles carry the mean of each. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(activations, Mapping):
        raise TypeError(
            "activations must be a dict mapping model names to activations (n, units), got "
            f"{type(activations).__name__}"
        )
    if not activations:
        raise ValueError("activations must map at least one model name to its activations")
    if rho is not None and not 0.0 < check_number(rho, "rho") < 1.0:
        raise ValueError(f"rho must be strictly between 0 and 1, got {rho!r}")
    threshold = check_number(threshold, "threshold")
    bins = check_positive_int(bins, "bins", maximum=_MAX_BINS)
    acts = {}
    for name, a in activations.items():
        a = check_rank(check_finite(a, f"activations[{name!r}]"), (2,), f"activations[{name!r}]",
                       "(inputs, hidden units)")
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise ValueError(f"activations[{name!r}] is empty: shape {a.shape}")
        acts[name] = a.astype(np.float64, copy=False)
    hi = max(1.0, max(float(a.max()) for a in acts.values()))
    max_units = max(a.shape[1] for a in acts.values())

    k = len(acts)
    fig, axes = plt.subplots(
        2, k, squeeze=False, figsize=(3.3 * k + 0.4, 5.4), layout="constrained"
    )
    unit_bins = np.linspace(0.0, hi, bins + 1)
    count_bins = np.arange(-0.5, max_units + 1.5, max(1, int(np.ceil((max_units + 1) / bins))))
    for c, (name, a) in enumerate(acts.items()):
        rho_hat = a.mean(axis=0)
        active = (a > threshold).sum(axis=1)
        top, bottom = axes[0, c], axes[1, c]
        top.hist(rho_hat, bins=unit_bins, color=f"C{c}")
        if rho is not None:
            top.axvline(float(rho), color="k", ls="--", lw=1, label=f"target rho = {rho:g}")
            if c == 0:  # the same line in every panel: one legend
                top.legend(fontsize=8, loc="upper right")
        top.set_title(f"{name}\nmean activation {rho_hat.mean():.3f}", fontsize=10)
        top.set_xlabel("mean activation of a unit")
        bottom.hist(active, bins=count_bins, color=f"C{c}")
        bottom.set_title(f"{active.mean():.1f} active units per input", fontsize=10)
        bottom.set_xlabel(f"units with activation > {threshold:g}")
        if c == 0:
            top.set_ylabel("hidden units")
            bottom.set_ylabel("inputs")
    if title:
        fig.suptitle(title)
    return fig
