"""A diagram of an autoencoder's layers: the hourglass that gives it its name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aetutor.plots._common import new_axes
from aetutor.validation import check_positive_int

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes

__all__ = ["autoencoder_diagram"]


def autoencoder_diagram(
    layer_sizes: Sequence[int], *, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Draw layers as bars whose heights grow with their width (square-root scale).

    The narrowest layer is the bottleneck (the code ``z``): layers before it
    form the encoder, layers after it the decoder. Returns the Axes.
    """
    import matplotlib.patches as patches
    import numpy as np

    if isinstance(layer_sizes, np.ndarray) and layer_sizes.ndim == 1:
        layer_sizes = layer_sizes.tolist()
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise TypeError(
            "layer_sizes must be a sequence of units per layer, e.g. (784, 32, 784); got "
            f"{layer_sizes!r:.60}"
        )
    sizes = [check_positive_int(s, "each entry of layer_sizes") for s in layer_sizes]
    if len(sizes) < 3:
        raise ValueError(
            f"layer_sizes needs at least input, code and output, e.g. (784, 32, 784); got {sizes}"
        )
    ax = new_axes(ax, figsize=(1.3 * len(sizes) + 1, 3.6))
    code = int(np.argmin(sizes))
    heights = np.sqrt(np.asarray(sizes, float))
    heights = 0.15 + 2.85 * heights / heights.max()
    for i, (size, h) in enumerate(zip(sizes, heights)):
        role = "encoder" if i < code else "decoder" if i > code else "code"
        color = {"encoder": "C0", "code": "C3", "decoder": "C2"}[role]
        ax.add_patch(patches.FancyBboxPatch((i - 0.22, -h / 2), 0.44, h, color=color, alpha=0.8,
                                            boxstyle="round,pad=0.02"))  # fmt: skip
        ax.text(i, -h / 2 - 0.2, f"{size}", ha="center", va="top", fontsize=9)
        if i:
            ax.annotate("", xy=(i - 0.25, 0), xytext=(i - 0.75, 0),
                        arrowprops={"arrowstyle": "->", "color": "0.4"})  # fmt: skip
    labels = [("input x", 0), ("code z", code), ("output x_hat", len(sizes) - 1)]
    for text, i in labels:
        ax.text(i, heights[i] / 2 + 0.15, text, ha="center", va="bottom", fontsize=9)
    top = heights.max() / 2 + 0.7
    if code > 0:
        ax.text((code - 1) / 2, top, "encoder", ha="center", color="C0", fontweight="bold")
    if code < len(sizes) - 1:
        ax.text((code + len(sizes)) / 2, top, "decoder", ha="center", color="C2",
                fontweight="bold")  # fmt: skip
    ax.set_xlim(-0.6, len(sizes) - 0.4)
    ax.set_ylim(-heights.max() / 2 - 0.7, top + 0.4)
    ax.axis("off")
    ax.set_title(title or "units per layer: " + " → ".join(str(s) for s in sizes))
    return ax
