"""Tests of aetutor.metrics.detection_report and anomaly_labels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aetutor.metrics import DetectionReport, anomaly_labels, detection_report


def test_counts_and_scores_by_hand():
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.9, 0.4, 0.8, 0.85, 0.95])
    r = detection_report(y, s, threshold=0.5)
    # flagged: 0.9 (normal), 0.8, 0.85, 0.95 (anomalies); 0.4 is a missed anomaly
    assert (r.tp, r.fp, r.tn, r.fn) == (3, 1, 3, 1)
    assert r.precision == pytest.approx(0.75) and r.recall == pytest.approx(0.75)
    assert r.f1 == pytest.approx(0.75)
    # 16 normal/anomaly pairs; the anomaly wins in all but 3 (0.9 beats 0.4, 0.8, 0.85)
    assert r.roc_auc == pytest.approx(13 / 16)
    assert 0 < r.average_precision <= 1
    assert r.n_positive == 4 and r.n_negative == 4
    assert r.false_positive_rate == pytest.approx(0.25)
    assert r.threshold == 0.5
    assert "precision 0.750" in str(r) and "TP 3" in str(r)


def test_perfect_and_inverted_scores():
    y = np.array([False] * 5 + [True] * 5)
    s = np.arange(10.0)
    good = detection_report(y, s, 4.5)
    assert good.roc_auc == 1.0 and good.average_precision == 1.0 and good.f1 == 1.0
    bad = detection_report(y, -s, 0.0)
    assert bad.roc_auc == 0.0 and bad.tp == 0
    assert bad.precision == 0.0  # nothing flagged: defined as 0, no warning


def test_threshold_is_strict_and_report_is_frozen():
    r = detection_report([0, 1], [1.0, 2.0], 2.0)
    assert r.tp == 0 and r.fn == 1  # scores equal to the threshold are not flagged
    assert isinstance(r, DetectionReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.precision = 1.0


def test_random_scores_are_near_chance():
    rng = np.random.default_rng(0)
    y = rng.random(4000) < 0.3
    r = detection_report(y, rng.random(4000), 0.5)
    assert abs(r.roc_auc - 0.5) < 0.05
    assert abs(r.average_precision - y.mean()) < 0.05


@pytest.mark.parametrize(
    "y, scores, threshold, exc, match",
    [
        ([0, 1, 2], [1, 2, 3], 1.0, ValueError, "0/1 or booleans"),
        ([1, 1, 1], [1, 2, 3], 1.0, ValueError, "got only anomalies"),
        ([0, 0], [1, 2], 1.0, ValueError, "got only normal samples"),
        ([0, 1, 1], [1, 2], 1.0, ValueError, "one entry per sample"),
        ([0, 1], [1, np.nan], 1.0, ValueError, "must be finite"),
        ([0, 1], [[1, 2]], 1.0, ValueError, "scores must have 1 dimensions"),
        ([0, 1], [1, 2], np.inf, ValueError, "threshold must be a finite"),
        ([[0, 1]], [1, 2], 1.0, ValueError, "y_true must have 1 dimensions"),
        (["a", "b"], [1, 2], 1.0, TypeError, "must hold numbers"),
    ],
)
def test_bad_input(y, scores, threshold, exc, match):
    with pytest.raises(exc, match=match):
        detection_report(np.asarray(y), np.asarray(scores, dtype=float), threshold)


def test_anomaly_labels():
    np.testing.assert_array_equal(anomaly_labels(np.array([0, 1, 1])), [False, True, True])
    with pytest.raises(ValueError, match="labels must hold 0/1"):
        anomaly_labels(np.array([0, 3]), name="labels")
