"""Measures of a sparse dictionary: FVU, L0, density, accuracy recovered, purity, intervals."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.dictionary import (
    accuracy_recovered,
    activity_purity,
    class_purity,
    feature_density,
    fraction_of_variance_unexplained,
    l0,
    mean_difference_interval,
)


def test_fvu_is_zero_for_perfect_and_one_for_the_mean():
    h = np.random.default_rng(0).random((50, 4))
    assert fraction_of_variance_unexplained(h, h) == 0.0
    mean = np.broadcast_to(h.mean(axis=0), h.shape)
    assert fraction_of_variance_unexplained(h, mean) == pytest.approx(1.0)


def test_fvu_rejects_bad_input():
    with pytest.raises(ValueError, match="same shape|shape"):
        fraction_of_variance_unexplained(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="no variance"):
        fraction_of_variance_unexplained(np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError):
        fraction_of_variance_unexplained(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="at least one"):
        fraction_of_variance_unexplained(np.zeros((0, 2)), np.zeros((0, 2)))


def test_l0_and_density_count_non_zero_entries():
    f = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0]])
    assert l0(f) == 1.5
    np.testing.assert_allclose(feature_density(f), [0.0, 0.5, 1.0])
    with pytest.raises(ValueError):
        l0(np.zeros(3))


def test_accuracy_recovered_scale_and_errors():
    assert accuracy_recovered(0.9, 0.9, 0.1) == pytest.approx(1.0)
    assert accuracy_recovered(0.1, 0.9, 0.1) == pytest.approx(0.0)
    assert accuracy_recovered(0.5, 0.9, 0.1) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="above ablated"):
        accuracy_recovered(0.5, 0.1, 0.2)
    with pytest.raises(ValueError, match="patched"):
        accuracy_recovered(1.5, 0.9, 0.1)
    with pytest.raises(TypeError, match="original"):
        accuracy_recovered(0.5, "0.9", 0.1)


def test_purity_of_a_pure_and_a_mixed_unit():
    labels = np.repeat(np.arange(4), 10)                  # 40 inputs, 4 classes
    pure = (labels == 2).astype(float) * np.arange(1, 41)  # fires only for class 2
    mixed = np.arange(40, 0, -1).astype(float) % 7 + 1     # fires for everything
    rare = np.zeros(40)
    rare[:3] = 1.0                                         # fires on 3 inputs only
    result = class_purity(np.stack([pure, mixed, rare], axis=1), labels, top=10)
    assert result.purity[0] == 1.0 and result.top_class[0] == 2
    assert result.purity[1] < 1.0
    assert not result.measured[2] and np.isnan(result.purity[2]) and result.top_class[2] == -1
    np.testing.assert_array_equal(result.values, result.purity[:2])


def test_purity_rejects_bad_input():
    with pytest.raises(ValueError, match="top"):
        class_purity(np.ones((5, 2)), np.zeros(5, dtype=int), top=6)
    with pytest.raises(ValueError, match="one label per sample"):
        class_purity(np.ones((5, 2)), np.zeros(4, dtype=int), top=2)
    with pytest.raises(ValueError, match="label"):
        class_purity(np.ones((5, 2)), -np.ones(5, dtype=int), top=2)
    with pytest.raises(TypeError):
        class_purity(np.ones((5, 2)), np.array(list("abcde")), top=2)


def test_mean_difference_interval_brackets_a_clear_gap_and_a_null():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.1, 200), rng.normal(0.0, 0.1, 200)
    diff, low, high = mean_difference_interval(a, b)
    assert low <= diff <= high and low > 0.9
    diff, low, high = mean_difference_interval(b, b + rng.normal(0, 1e-3, 200))
    assert low < 0 < high


def test_mean_difference_interval_rejects_bad_input():
    with pytest.raises(ValueError, match="at least 2"):
        mean_difference_interval([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="level"):
        mean_difference_interval([1.0, 2.0], [1.0, 2.0], level=1.5)


def test_activity_purity_counts_weak_activity_that_the_top_inputs_hide():
    labels = np.repeat(np.arange(4), 10)                    # 40 inputs, 4 classes
    strong_tip = np.where(labels == 1, 5.0, 1.0)            # strongest on class 1, weakly on all
    only_one = (labels == 3) * 2.0                          # fires for class 3 only
    rare = np.zeros(40)
    rare[:3] = 1.0                                          # fires on 3 inputs only
    acts = np.stack([strong_tip, only_one, rare], axis=1)
    tip = class_purity(acts, labels, top=10)
    whole = activity_purity(acts, labels, min_active=10)
    assert tip.purity[0] == 1.0                             # its top 10 are all class 1 ...
    assert whole.purity[0] == pytest.approx(50 / 80)        # ... but 30 of its 80 go elsewhere
    assert whole.purity[1] == 1.0 and whole.top_class[1] == 3
    assert not whole.measured[2] and np.isnan(whole.purity[2]) and whole.top_class[2] == -1
    assert whole.min_active == 10


def test_activity_purity_ignores_negative_values_and_rejects_bad_input():
    labels = np.array([0, 0, 1, 1])
    acts = np.array([[1.0], [1.0], [-5.0], [-5.0]])
    assert activity_purity(acts, labels, min_active=2).purity[0] == 1.0
    with pytest.raises(ValueError, match="min_active"):
        activity_purity(acts, labels, min_active=5)
    with pytest.raises(ValueError, match="one label per sample"):
        activity_purity(acts, labels[:3], min_active=1)
