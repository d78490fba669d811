"""Input checks shared by the helpers, so every bad input gets the same clear message.

Each check returns the array it accepted (as a NumPy array) and raises
``TypeError``/``ValueError`` saying what was expected and what arrived.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "as_array",
    "check_finite",
    "check_unit_range",
    "check_same_shape",
    "check_rank",
    "check_images",
    "check_labels",
    "check_positive_int",
    "check_number",
    "check_seed",
    "check_bool",
    "check_finite_result",
    "MAX_SEED",
]

MAX_SEED = 2**32 - 1
"""Largest seed the course accepts: what Keras, NumPy's legacy generator and PYTHONHASHSEED take."""


def _describe(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    return f"a {type(x).__name__}"


def as_array(x: Any, name: str = "x") -> np.ndarray:
    """Convert array-likes (lists, tensors) to a NumPy array; reject strings and None."""
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        # Images, codes, scores and labels are real: a complex array would lose its
        # imaginary part (or hide complex NaN) in the arithmetic that follows.
        raise TypeError(f"{name} must hold real numbers, got complex dtype {arr.dtype}")
    return arr


def check_finite(x: Any, name: str = "x") -> np.ndarray:
    """Reject NaN or infinite values, counting them in the message."""
    arr = as_array(x, name)
    if np.issubdtype(arr.dtype, np.floating):
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(
                f"{name} must be finite, but {int(bad.sum())} of {arr.size} values are NaN or "
                "infinite (check the model's loss for divergence, or the data for gaps)"
            )
    return arr


def check_unit_range(x: Any, name: str = "x") -> np.ndarray:
    """Images in this course are floats in [0, 1]; say so when they are not."""
    arr = check_finite(x, name)
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(
            f"{name} must hold values in [0, 1], got values in [{arr.min():.4g}, {arr.max():.4g}]"
            " (divide 8-bit images by 255)"
        )
    return arr


def check_same_shape(a: Any, b: Any, names: tuple[str, str] = ("x", "x_hat")) -> None:
    """Two arrays that are compared element by element must have equal shapes."""
    a, b = np.shape(a), np.shape(b)
    if a != b:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got {a} and {b}")


def check_rank(x: Any, ranks: tuple[int, ...], name: str = "x", meaning: str = "") -> np.ndarray:
    """Require one of the given numbers of dimensions."""
    arr = as_array(x, name)
    if arr.ndim not in ranks:
        want = " or ".join(str(r) for r in ranks)
        extra = f" ({meaning})" if meaning else ""
        raise ValueError(f"{name} must have {want} dimensions{extra}, got shape {arr.shape}")
    return arr


def check_images(x: Any, name: str = "x") -> np.ndarray:
    """A batch of grey images: (n, h, w), or (n, h, w, 1); finite, in [0, 1]."""
    arr = check_rank(x, (3, 4), name, "a batch of images (n, height, width)")
    if arr.ndim == 4:
        if arr.shape[-1] != 1:
            raise ValueError(
                f"{name} must be grey images (n, h, w) or (n, h, w, 1), got shape {arr.shape}"
            )
        arr = arr[..., 0]
    return check_unit_range(arr, name)


def check_labels(y: Any, n: int, name: str = "y") -> np.ndarray:
    """Integer class labels, one per sample."""
    arr = check_rank(y, (1,), name, "one integer label per sample")
    if arr.dtype == np.bool_:
        arr = arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating):
            raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
        with np.errstate(invalid="ignore"):  # NumPy 1.x warns on mod(inf, 1); inf fails anyway
            whole = np.isfinite(arr) & (np.mod(arr, 1) == 0) & (np.abs(arr) <= 2**53)
        if not whole.all():
            bad = arr[~whole][:3].tolist()
            raise TypeError(
                f"{name} must hold integer class labels, got non-integral or huge values such "
                f"as {bad}"
            )
        arr = arr.astype(np.int64)
    if len(arr) != n:
        raise ValueError(f"{name} must have one label per sample: expected {n}, got {len(arr)}")
    if arr.size and arr.min() < 0:
        raise ValueError(
            f"{name} must hold class labels >= 0 (they index class names and colours), got "
            f"{int(arr.min())}"
        )
    return arr


def check_positive_int(
    value: Any, name: str, minimum: int = 1, maximum: int | None = None
) -> int:
    """An integer size such as ``latent_dim``: at least ``minimum`` (and at most ``maximum``).

    ``maximum`` guards sizes that allocate memory, so an absurd value is refused
    with a message instead of a ``MemoryError`` minutes later.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {value:,}")
    return int(value)


def check_number(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number (not a bool, string or None), optionally within bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def check_seed(seed: Any, name: str = "seed", *, allow_generator: bool = False) -> Any:
    """A seed: an integer in 0..:data:`MAX_SEED` (or, where allowed, a NumPy Generator)."""
    if allow_generator and isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        extra = " or a numpy.random.Generator" if allow_generator else ""
        raise TypeError(f"{name} must be an integer{extra}, got {seed!r}")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{name} must be in 0..{MAX_SEED} (2**32 - 1), got {seed}")
    return int(seed)


def check_bool(value: Any, name: str) -> bool:
    """A flag: True or False (not 0/1 strings or None)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_finite_result(result: Any, name: str, why: str) -> np.ndarray:
    """A computed array must be finite; if finite inputs overflowed, say so and why."""
    arr = np.asarray(result)
    if np.issubdtype(arr.dtype, np.inexact) and not np.isfinite(arr).all():
        raise ValueError(
            f"{name} gave a result that is not finite ({int((~np.isfinite(arr)).sum())} of "
            f"{arr.size} values are NaN or infinite): {why}"
        )
    return arr
