"""Figures of the latent codes ``z``."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from aetutor.plots._common import as_image_batch
from aetutor.validation import check_finite, check_labels, check_rank

__all__ = ["latent_bars"]


def latent_bars(
    z,
    x,
    y,
    *,
    per_class: int = 2,
    classes: Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    image_shape: Sequence[int] | None = None,
    dead_tol: float = 1e-6,
    seed: int = 0,
):
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
    per_class = int(per_class)
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}")
    classes = list(np.unique(y)) if classes is None else [int(c) for c in classes]
    missing = [c for c in classes if not np.any(y == c)]
    if missing:
        raise ValueError(f"no samples of class(es) {missing} among the labels")
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
