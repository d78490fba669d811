"""Figures of variational autoencoders: ELBO curves, the prior's decoded grid, a beta sweep."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from aetutor.plots._common import as_image_batch, new_axes
from aetutor.plots.latent import _mosaic
from aetutor.validation import check_finite, check_positive_int, check_rank

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["beta_sweep", "elbo_curves", "prior_grid"]

_PARTS = (("elbo", "ELBO (higher is better)"),
          ("reconstruction", "reconstruction: -log p(x|z)"),
          ("kl", "KL(q(z|x) || p(z))"))  # fmt: skip


def elbo_curves(history: Any, *, title: str | None = None) -> Figure:
    """The ELBO and its two parts per epoch, training (solid) and validation (dashed), in nats.

    ``history`` is a Keras ``History`` (or its dict) of a
    :class:`aetutor.variational.VariationalAutoencoder` fit, holding ``elbo``,
    ``reconstruction`` and ``kl`` (and their ``val_`` versions when validation
    data was given). Three panels, one shared legend. Returns the Figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    h = getattr(history, "history", history)
    if not isinstance(h, Mapping):
        raise TypeError(f"history must be a Keras History or a dict, got {type(h).__name__}")
    missing = [key for key, _ in _PARTS if key not in h]
    if missing:
        raise ValueError(f"history lacks {missing}: fit a VariationalAutoencoder (it holds "
                         f"{sorted(h)})")  # fmt: skip
    fig, axes = plt.subplots(1, 3, figsize=(11.5, 3.8), layout="constrained")
    for ax, (key, label) in zip(axes, _PARTS):
        for name, style, kind in ((key, "-", "training"), (f"val_{key}", "--", "validation")):
            if name in h:
                values = check_finite(np.asarray(h[name], dtype=float), f"history[{name!r}]")
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, color="C0" if kind == "training" else "C1",
                        marker="o" if len(values) == 1 else None, label=kind)
        last = h[f"val_{key}"][-1] if f"val_{key}" in h else h[key][-1]
        ax.set_title(f"{label}\nlast epoch: {last:.1f} nats")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylabel("nats per image")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    if title:
        fig.suptitle(title)
    return fig


def prior_grid(decode: Callable[[np.ndarray], np.ndarray], *, n: int = 15,
               coverage: float = 0.9, image_shape: Sequence[int] | None = None,
               ax: Axes | None = None, title: str | None = None,
               cmap: str = "gray_r") -> Axes:
    """Decode an ``n`` x ``n`` grid at evenly spaced quantiles of the 2-D prior N(0, I).

    The classic VAE figure: codes from :func:`aetutor.variational.prior_grid_codes`
    (``coverage`` of the prior's probability on each axis), decoded in one call
    to ``decode`` and drawn as one mosaic. The axes show the prior's cumulative
    probability, so each tile stands for the same prior mass; ticks name the
    code values. ``cmap`` colours the tiles ("gray": light digits on black).
    Returns the Axes.
    """
    from aetutor.variational import prior_grid_codes

    if not callable(decode):
        raise TypeError(f"decode must be a callable codes -> images, got {type(decode).__name__}")
    n = check_positive_int(n, "n", minimum=2)
    codes, probs = prior_grid_codes(n, coverage)
    tiles = as_image_batch(np.asarray(decode(codes)), "decode(codes)", image_shape)
    if len(tiles) != n * n:
        raise ValueError(f"decode must return one image per code: {n * n} codes, "
                         f"{len(tiles)} images")  # fmt: skip
    spread = float(tiles.reshape(len(tiles), -1).std(axis=0).mean())
    half = (probs[1] - probs[0]) / 2
    extent = (probs[0] - half, probs[-1] + half, probs[0] - half, probs[-1] + half)
    ax = new_axes(ax, figsize=(6.2, 6.2))
    ax.imshow(_mosaic(tiles, n), cmap=cmap, vmin=0.0, vmax=1.0, extent=extent,
              interpolation="nearest")
    ax.grid(False)
    z_ticks = np.array([-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5])
    from scipy.stats import norm

    ticks = norm.cdf(z_ticks)
    keep = (ticks >= extent[0]) & (ticks <= extent[1])
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks(ticks[keep], [f"{v:g}" for v in z_ticks[keep]])
    ax.set_xlabel("$z_1$ (tiles at equal steps of prior probability)")
    ax.set_ylabel("$z_2$")
    ax.set_title(title or f"{n}x{n} decoded grid over the prior's central {coverage:.0%} "
                          f"(tile spread {spread:.3f})")  # fmt: skip
    return ax


def beta_sweep(betas: ArrayLike, rate: ArrayLike, distortion: ArrayLike, active: ArrayLike, *,
               latent_dim: int, title: str | None = None) -> Figure:
    """A beta-VAE sweep: rate against distortion (nats), and active units against beta.

    ``rate`` is the mean KL term and ``distortion`` the mean reconstruction
    term (both nats per image) of the models trained with each ``beta``;
    ``active`` counts each model's active units out of ``latent_dim``.
    Returns the Figure (two panels).
    """
    import matplotlib.pyplot as plt

    b = check_rank(check_finite(betas, "betas"), (1,), "betas", "one beta per model")
    arrays = [check_rank(check_finite(v, name), (1,), name, "one value per beta")
              for v, name in ((rate, "rate"), (distortion, "distortion"), (active, "active"))]
    if len(b) < 2 or any(len(v) != len(b) for v in arrays):
        raise ValueError(f"betas, rate, distortion and active need the same length >= 2, got "
                         f"{[len(b)] + [len(v) for v in arrays]}")  # fmt: skip
    if np.any(b <= 0):
        raise ValueError(f"betas must be positive (drawn on a log axis), got {b.tolist()}")
    latent_dim = check_positive_int(latent_dim, "latent_dim")
    rate, distortion, active = arrays
    fig, (ax_rd, ax_au) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    ax_rd.plot(rate, distortion, "-", color="0.6", zorder=1)
    ax_rd.scatter(rate, distortion, c=np.log(b), cmap="viridis", s=50, zorder=2)
    for r, d, beta in zip(rate, distortion, b):
        ax_rd.annotate(f"β={beta:g}", (r, d), xytext=(6, 4), textcoords="offset points",
                       fontsize=9)
    ax_rd.set_xlabel("rate: KL(q(z|x) || p(z)), nats per image")
    ax_rd.set_ylabel("distortion: -log p(x|z), nats per image")
    ax_rd.set_title("rate against distortion on test images")
    ax_au.plot(b, active, "o-", color="C0")
    ax_au.set_xscale("log")
    ax_au.set_xticks(b, [f"{v:g}" for v in b])
    ax_au.minorticks_off()
    ax_au.set_ylim(-0.5, latent_dim + 0.5)
    ax_au.axhline(latent_dim, color="0.5", ls=":", lw=1)
    ax_au.set_xlabel("β (weight of the KL term)")
    ax_au.set_ylabel(f"active units (of {latent_dim})")
    ax_au.set_title("active units: Var over images of the posterior mean > 0.01")
    if title:
        fig.suptitle(title)
    return fig
