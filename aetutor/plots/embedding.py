"""Views of codes beyond the plain 2-D scatter: PCA or t-SNE maps, per-dimension histograms."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.plots._common import check_magnitude, labels_for_rows
from aetutor.plots.latent import latent_scatter
from aetutor.validation import check_finite, check_positive_int, check_rank, check_seed

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["EMBEDDING_METHODS", "embedding_2d", "latent_histograms"]

EMBEDDING_METHODS = ("pca", "tsne")


def embedding_2d(
    z: ArrayLike,
    y: ArrayLike,
    *,
    method: str = "tsne",
    n_samples: int = 2000,
    perplexity: float = 30.0,
    seed: int = 0,
    class_names: Sequence[str] | None = None,
    threads: int | None = 1,
    ax: Axes | None = None,
    s: float = 6.0,
    legend: bool = True,
    title: str | None = None,
) -> Axes:
    """Codes of any length mapped to 2-D by PCA or t-SNE and drawn like :func:`latent_scatter`.

    Both methods run on a random subsample of ``n_samples`` codes (``seed``), so
    t-SNE stays fast on full-size data. PCA is linear, so distances along its
    two axes are faithful but much is lost; t-SNE keeps neighbourhoods, but the
    sizes of and distances between its clusters mean little. ``threads`` caps
    t-SNE's OpenMP threads: one thread is barely slower on a small sample and
    avoids the many-fold slowdown of spinning threads on a busy machine (``None``
    uses every core). Returns the Axes.
    """
    if method not in EMBEDDING_METHODS:
        raise ValueError(f"method must be one of {', '.join(EMBEDDING_METHODS)}, got {method!r}")
    z = check_rank(check_finite(z, "z"), (2,), "z", "codes (n, latent_dim)")
    z = check_magnitude(z, "z")
    if z.shape[1] < 2:
        raise ValueError(f"z must have at least 2 dimensions to embed, got shape {z.shape}")
    y = labels_for_rows(y, z)
    n_samples = check_positive_int(n_samples, "n_samples", minimum=3)
    if len(z) < 3:
        raise ValueError(f"z must hold at least 3 codes to embed, got {len(z)}")
    rng = np.random.default_rng(check_seed(seed))
    idx = np.sort(rng.choice(len(z), size=min(n_samples, len(z)), replace=False))
    zs, ys = z[idx].astype(np.float64), y[idx]
    if not np.ptp(zs, axis=0).any():
        raise ValueError("z must vary: every code drawn is the same point, nothing to embed")
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=seed).fit(zs)
        e = pca.transform(zs)
        kept = float(pca.explained_variance_ratio_.sum())
        label = f"PCA of {z.shape[1]}-D codes ({len(idx):,} samples, {kept:.0%} of variance)"
        axes = ("PC 1", "PC 2")
    else:
        from sklearn.manifold import TSNE

        if perplexity <= 0:
            raise ValueError(f"perplexity must be positive, got {perplexity}")
        perplexity = min(float(perplexity), (len(idx) - 1) / 3)  # t-SNE needs n > 3 * perplexity
        from threadpoolctl import threadpool_limits

        if threads is not None:
            threads = check_positive_int(threads, "threads")
        tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", learning_rate="auto",
                    random_state=seed)  # fmt: skip
        with threadpool_limits(limits=threads, user_api="openmp"):
            e = tsne.fit_transform(zs)
        label = f"t-SNE of {z.shape[1]}-D codes ({len(idx):,} samples)"
        axes = ("t-SNE 1", "t-SNE 2")
    ax = latent_scatter(e, ys, class_names=class_names, ax=ax, s=s, legend=legend, seed=seed)
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    ax.set_title(title or label)
    return ax


def latent_histograms(z: ArrayLike, *, bins: int = 40, max_dims: int = 8) -> Figure:
    """Each code dimension's histogram against the standard normal density N(0, 1).

    A dashed curve shows the normal with the dimension's own mean and standard
    deviation, so the panel separates "wrong scale/offset" from "not Gaussian
    at all". Titles give the mean and standard deviation. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    z = check_rank(check_finite(z, "z"), (2,), "z", "codes (n, latent_dim)").astype(np.float64)
    z = check_magnitude(z, "z")
    if len(z) < 2:
        raise ValueError(f"z must hold at least 2 codes to draw a histogram, got {len(z)}")
    if z.shape[1] == 0:
        raise ValueError(f"z must have at least one code dimension, got shape {z.shape}")
    bins = check_positive_int(bins, "bins", maximum=10_000)
    max_dims = check_positive_int(max_dims, "max_dims")
    dims = min(z.shape[1], max_dims)
    ncol = min(dims, 4)
    nrow = math.ceil(dims / ncol)
    fig, axes = plt.subplots(nrow, ncol, squeeze=False, figsize=(3.4 * ncol, 2.8 * nrow + 0.5),
                             layout="constrained")  # fmt: skip
    for d, ax in enumerate(axes.flat):
        if d >= dims:
            ax.axis("off")
            continue
        v = z[:, d]
        mu, sd = float(v.mean()), float(v.std())
        lo, hi = min(v.min(), -4.0), max(v.max(), 4.0)
        t = np.linspace(lo, hi, 400)
        ax.hist(v, bins=bins, range=(lo, hi), density=True, color="C0", alpha=0.6, label="codes")
        ax.plot(t, np.exp(-0.5 * t**2) / np.sqrt(2 * np.pi), "k", lw=1.5, label="N(0, 1)")
        if sd > 0:
            fit = np.exp(-0.5 * ((t - mu) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))
            ax.plot(t, fit, "C1--", lw=1.2, label="normal, same mean/std")
        ax.set_title(f"$z_{{{d + 1}}}$: mean {mu:.2f}, std {sd:.2f}", fontsize=10)
        ax.set_yticks([])
    axes.flat[0].legend(fontsize=7, frameon=False, loc="upper left")
    shown = f"first {dims} of {z.shape[1]}" if dims < z.shape[1] else f"all {dims}"
    fig.suptitle(f"code dimensions ({shown}) against a standard normal, {len(z):,} codes")
    return fig
