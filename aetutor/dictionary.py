"""Measures of a sparse dictionary read off a network: fidelity, sparsity, life and meaning.

- :func:`fraction_of_variance_unexplained`: how much of the activations a
  reconstruction misses (0 perfect, 1 no better than their mean);
- :func:`l0` and :func:`feature_density`: how many features fire per input, and
  how often each feature fires;
- :func:`accuracy_recovered`: a patched network's accuracy on the scale from
  an ablated network (0) to the original (1);
- :func:`class_purity`: the share of a unit's top-activating inputs that share
  its most common class (what its strongest inputs agree on);
- :func:`activity_purity`: the share of a unit's whole activity, summed over
  all inputs, that goes to its most common class (what it responds to overall);
- :func:`mean_difference_interval`: a bootstrap interval for a difference of
  two means (for "purer by more than the spread").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import (
    check_finite,
    check_labels,
    check_positive_int,
    check_rank,
    check_same_shape,
    check_seed,
)

__all__ = [
    "fraction_of_variance_unexplained",
    "l0",
    "feature_density",
    "accuracy_recovered",
    "Purity",
    "class_purity",
    "activity_purity",
    "mean_difference_interval",
]


def _activations(x: ArrayLike, name: str) -> np.ndarray:
    x = check_rank(check_finite(x, name), (2,), name, "activations (inputs, units)")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must have at least one input and one unit, got shape {x.shape}")
    return x.astype(np.float64, copy=False)


def fraction_of_variance_unexplained(h: ArrayLike, h_hat: ArrayLike) -> float:
    """``sum ||h - h_hat||^2 / sum ||h - mean(h)||^2`` over all inputs and units.

    0 means a perfect reconstruction; 1 means no better than predicting each
    unit's mean activation for every input.
    """
    h, h_hat = _activations(h, "h"), _activations(h_hat, "h_hat")
    check_same_shape(h, h_hat, ("h", "h_hat"))
    total = float(((h - h.mean(axis=0)) ** 2).sum())
    if total == 0:
        raise ValueError("h has no variance (every input is the same), so FVU is undefined")
    return float(((h - h_hat) ** 2).sum()) / total


def l0(f: ArrayLike) -> float:
    """The mean number of non-zero features per input."""
    f = _activations(f, "f")
    return float((f != 0).sum(axis=1).mean())


def feature_density(f: ArrayLike) -> np.ndarray:
    """For each feature, the fraction of inputs on which it is non-zero (0: dead)."""
    f = _activations(f, "f")
    return (f != 0).mean(axis=0)


def _accuracy(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be an accuracy in [0, 1], got {value!r}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be an accuracy in [0, 1], got {value}")
    return value


def accuracy_recovered(patched: float, original: float, ablated: float) -> float:
    """``(patched - ablated) / (original - ablated)``: 1 = as good as the original network.

    ``ablated`` is the accuracy with the hidden layer replaced by something that
    carries no information about the input (for example its mean); ``patched``
    with it replaced by the dictionary's reconstruction.
    """
    patched = _accuracy(patched, "patched")
    original = _accuracy(original, "original")
    ablated = _accuracy(ablated, "ablated")
    if original <= ablated:
        raise ValueError(
            f"original ({original}) must be above ablated ({ablated}): otherwise there is no "
            "accuracy to recover"
        )
    return (patched - ablated) / (original - ablated)


@dataclass(frozen=True)
class Purity:
    """Per-unit class purity, from :func:`class_purity` or :func:`activity_purity`.

    Attributes
    ----------
    purity : (units,) the unit's share for its most common class, in
        [1 / classes, 1]; NaN where the unit is not measured.
    top_class : (units,) that class (-1 where not measured).
    measured : (units,) boolean mask of the units with a purity: those active
        (> 0) on at least ``min_active`` inputs.
    min_active : that minimum number of active inputs.
    """

    purity: np.ndarray
    top_class: np.ndarray
    measured: np.ndarray
    min_active: int

    @property
    def values(self) -> np.ndarray:
        """The purities of the measured units only."""
        return self.purity[self.measured]


def _purity_inputs(activations, labels, count: int, count_name: str):
    a = _activations(activations, "activations")
    y = check_labels(labels, len(a), "labels")
    count = check_positive_int(count, count_name)
    if count > len(a):
        raise ValueError(
            f"{count_name} must be at most the number of inputs ({len(a)}), got {count}"
        )
    if y.min() < 0:
        raise ValueError(f"labels must be class numbers 0, 1, 2, ..., got {int(y.min())}")
    return a, y, count, int(y.max()) + 1


def class_purity(activations: ArrayLike, labels: ArrayLike, top: int = 50) -> Purity:
    """How much a unit's strongest inputs agree on a class.

    For each unit (column of ``activations``), take the ``top`` inputs on which
    it is most active and the share of them that belong to their most common
    class. A unit that fires for one kind of thing scores near 1; one that
    fires for many unrelated things scores near 1 / (number of classes). Units
    active (> 0) on fewer than ``top`` inputs are not measured. This looks at
    the tip of a unit's activity only; :func:`activity_purity` looks at all of it.
    """
    a, y, top, n_classes = _purity_inputs(activations, labels, top, "top")
    order = np.argsort(-a, axis=0, kind="stable")[:top]  # (top, units)
    counts = np.stack([(y[order] == c).sum(axis=0) for c in range(n_classes)])
    measured = (a > 0).sum(axis=0) >= top
    purity = np.where(measured, counts.max(axis=0) / top, np.nan)
    top_class = np.where(measured, counts.argmax(axis=0), -1)
    return Purity(purity, top_class, measured, top)


def activity_purity(activations: ArrayLike, labels: ArrayLike, min_active: int = 50) -> Purity:
    """Where a unit's activity goes: the share of it spent on its most common class.

    For each unit (column of ``activations``), sum its positive activations
    over the inputs of each class; the purity is the largest class's share of
    the total. Unlike :func:`class_purity` it counts every input the unit fires
    on, weakly or strongly: a unit whose strongest inputs are all one class but
    which also fires, more weakly, on most other inputs scores low. 1 for a unit
    that fires for one class only; 1 / (number of classes) for one whose
    activity is spread evenly. Units active (> 0) on fewer than ``min_active``
    inputs are not measured.
    """
    a, y, min_active, n_classes = _purity_inputs(activations, labels, min_active, "min_active")
    positive = np.maximum(a, 0.0)
    mass = np.stack([positive[y == c].sum(axis=0) for c in range(n_classes)])  # (classes, units)
    measured = (a > 0).sum(axis=0) >= min_active
    total = np.where(measured, mass.sum(axis=0), 1.0)
    purity = np.where(measured, mass.max(axis=0) / total, np.nan)
    top_class = np.where(measured, mass.argmax(axis=0), -1)
    return Purity(purity, top_class, measured, min_active)


def mean_difference_interval(
    a: ArrayLike, b: ArrayLike, *, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> tuple[float, float, float]:
    """``mean(a) - mean(b)`` and a bootstrap interval for it (each sample resampled apart).

    Returns ``(difference, low, high)``; if ``low > 0``, ``a``'s mean is above
    ``b``'s by more than the spread of the two samples explains.
    """
    a = check_rank(check_finite(a, "a"), (1,), "a", "one value per unit").astype(np.float64)
    b = check_rank(check_finite(b, "b"), (1,), "b", "one value per unit").astype(np.float64)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"a and b need at least 2 values each, got {len(a)} and {len(b)}")
    n_boot = check_positive_int(n_boot, "n_boot", maximum=1_000_000)
    if not isinstance(level, float) or not 0.0 < level < 1.0:
        raise ValueError(f"level must be a float in (0, 1), got {level!r}")
    rng = np.random.default_rng(check_seed(seed))
    diffs = (a[rng.integers(0, len(a), (n_boot, len(a)))].mean(axis=1)
             - b[rng.integers(0, len(b), (n_boot, len(b)))].mean(axis=1))  # fmt: skip
    tail = (1.0 - level) / 2
    low, high = np.quantile(diffs, [tail, 1.0 - tail])
    return float(a.mean() - b.mean()), float(low), float(high)
