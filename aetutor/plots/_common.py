"""Small pieces the plot modules share: input checks and image reshaping."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import check_finite, check_labels, check_rank, check_unit_range

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes

__all__ = ["as_image_batch", "check_magnitude", "labels_for_rows", "new_axes", "square_shape"]


def square_shape(n_pixels: int) -> tuple[int, int]:
    """(side, side) for a square image with ``n_pixels`` pixels, else an error."""
    side = math.isqrt(n_pixels)
    if side * side != n_pixels:
        raise ValueError(
            f"cannot infer the image shape of vectors with {n_pixels} values; "
            "pass image_shape=(height, width)"
        )
    return side, side


def as_image_batch(
    x: ArrayLike, name: str = "x", image_shape: Sequence[int] | None = None, unit_range: bool = True
) -> np.ndarray:
    """A batch of grey images (n, h, w) from images or flat vectors (n, h*w)."""
    arr = check_unit_range(x, name) if unit_range else check_finite(x, name)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim == 2:
        shape = tuple(image_shape) if image_shape is not None else square_shape(arr.shape[1])
        if int(np.prod(shape)) != arr.shape[1]:
            raise ValueError(
                f"image_shape {shape} does not match {name}'s {arr.shape[1]} values per sample"
            )
        arr = arr.reshape(len(arr), *shape)
    if arr.ndim != 3:
        raise ValueError(
            f"{name} must be images (n, h, w) or flat vectors (n, pixels), got shape {arr.shape}"
        )
    if len(arr) == 0:
        raise ValueError(f"{name} is empty: nothing to draw")
    if 0 in arr.shape[1:]:  # matplotlib would warn about singular limits and draw nothing
        raise ValueError(f"{name} must be images with at least one pixel, got shape {arr.shape}")
    return arr


def check_magnitude(arr: np.ndarray, name: str, limit: float = 1e150) -> np.ndarray:
    """Refuse finite values so large that squaring them (a variance, a distance) overflows."""
    if arr.size and float(np.abs(arr).max()) > limit:
        raise ValueError(
            f"{name} must lie within ±{limit:.0e} (squares of larger values overflow), got "
            f"values up to {float(np.abs(arr).max()):.3g}"
        )
    return arr


def labels_for_rows(y: ArrayLike, rows: np.ndarray, name: str = "y", of: str = "z") -> np.ndarray:
    """Class labels ``y``, one per row of ``rows`` (the array named ``of``).

    A length mismatch names both arguments, since either may be the wrong one.
    """
    arr = check_rank(y, (1,), name, "one integer label per sample")
    if len(arr) != len(rows):
        raise ValueError(
            f"{name} must have one label per sample, one per row of {of}: {of} has "
            f"{len(rows)} rows, {name} has {len(arr)} labels"
        )
    return check_labels(arr, len(rows), name)


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] | None = None) -> Axes:
    """The given Axes, or a fresh figure's single Axes."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax
