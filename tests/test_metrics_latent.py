"""Tests of the code-space measures: k-NN accuracy and the far-from-data fraction."""

from __future__ import annotations

import numpy as np
import pytest

import aetutor as at


def _clusters(n_per_class: int, spread: float, seed: int):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(3), n_per_class)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    return centres[y] + spread * rng.normal(size=(len(y), 2)), y


def test_knn_accuracy_is_high_for_separated_classes_and_near_chance_for_mixed_ones():
    z_tr, y_tr = _clusters(50, 1.0, 0)
    z_te, y_te = _clusters(20, 1.0, 1)
    assert at.metrics.knn_accuracy(z_tr, y_tr, z_te, y_te, k=5) == 1.0
    rng = np.random.default_rng(2)
    shuffled = rng.permutation(y_tr)
    acc = at.metrics.knn_accuracy(z_tr, shuffled, z_te, y_te, k=5)
    assert 0.0 <= acc < 0.7


def test_knn_accuracy_matches_a_hand_computed_1nn():
    z_tr = np.array([[0.0], [1.0], [5.0]])
    y_tr = np.array([0, 1, 2])
    z_te = np.array([[0.2], [4.0], [0.9], [10.0]])
    y_te = np.array([0, 1, 1, 2])  # the second is wrong (nearest is class 2)
    assert at.metrics.knn_accuracy(z_tr, y_tr, z_te, y_te, k=1) == pytest.approx(0.75)


def test_knn_accuracy_rejects_bad_inputs():
    z = np.zeros((5, 2))
    y = np.zeros(5, int)
    with pytest.raises(ValueError, match="same code length"):
        at.metrics.knn_accuracy(z, y, np.zeros((3, 4)), y[:3])
    with pytest.raises(ValueError, match="y_test must have one label per sample: expected 3"):
        at.metrics.knn_accuracy(z, y, z[:3], y)
    with pytest.raises(ValueError, match="k must be at most"):
        at.metrics.knn_accuracy(z, y, z, y, k=6)
    with pytest.raises(ValueError, match="k must be at least 1"):
        at.metrics.knn_accuracy(z, y, z, y, k=0)
    with pytest.raises(ValueError, match="finite"):
        at.metrics.knn_accuracy(np.full((5, 2), np.nan), y, z, y)
    with pytest.raises(ValueError, match=r"shape \(n, latent_dim\)"):
        at.metrics.knn_accuracy(np.zeros(5), y, z, y)


def test_far_from_data_baseline_outliers_and_scale_invariance():
    ref, _ = _clusters(200, 1.0, 0)
    held_out, _ = _clusters(200, 1.0, 1)
    frac, threshold = at.metrics.far_from_data(held_out, ref, percentile=99)
    assert threshold > 0
    assert frac < 0.05  # held-out data is rarely far: about 1 - percentile / 100
    void = np.array([[30.0, 30.0], [-20.0, 5.0], [5.0, 5.0], [0.0, 0.0]])
    frac_void, _ = at.metrics.far_from_data(void, ref, percentile=99)
    assert frac_void == pytest.approx(0.75)  # all but the one inside a cluster
    # stretching every code together changes the threshold, not the answer
    frac_big, threshold_big = at.metrics.far_from_data(10 * void, 10 * ref, percentile=99)
    assert frac_big == frac_void
    assert threshold_big == pytest.approx(10 * threshold)


def test_far_from_data_rejects_bad_inputs():
    ref = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="same code length"):
        at.metrics.far_from_data(np.zeros((3, 3)), ref)
    with pytest.raises(ValueError, match="at least 2 codes"):
        at.metrics.far_from_data(np.zeros((3, 2)), ref[:1])
    with pytest.raises(ValueError, match=r"percentile must be in \(0, 100\]"):
        at.metrics.far_from_data(ref, ref, percentile=0)
    with pytest.raises(ValueError, match=r"percentile must be in \(0, 100\]"):
        at.metrics.far_from_data(ref, ref, percentile=120)
    with pytest.raises(ValueError, match="finite"):
        at.metrics.far_from_data(np.array([[np.inf, 0.0]]), ref)
