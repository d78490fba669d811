"""Tests of aetutor.timeseries: the signal generator, windows, and event scoring."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.timeseries import (
    ANOMALY_KINDS,
    Anomaly,
    detect_spans,
    mask_to_spans,
    match_events,
    overlap_average,
    sensor_signals,
    window_starts,
    windows,
)


@pytest.fixture(scope="module")
def series():
    return sensor_signals(6000, 3, period=24, n_anomalies=8, anomaly_free=2000, seed=3)


# -- the generator -------------------------------------------------------------------------


def test_shapes_dtypes_and_names(series):
    assert series.x.shape == series.x_clean.shape == (6000, 3)
    assert series.x.dtype == np.float32
    assert series.labels.shape == (6000,) and series.labels.dtype == bool
    assert series.n_steps == 6000 and series.n_channels == 3 and series.period == 24
    assert len(series.channel_names) == 3
    assert np.all(np.isfinite(series.x))


def test_labels_mark_exactly_the_injected_spans(series):
    expected = np.zeros(series.n_steps, dtype=bool)
    for a in series.anomalies:
        expected[a.start:a.stop] = True
    np.testing.assert_array_equal(series.labels, expected)
    changed = np.any(series.x != series.x_clean, axis=1)
    # nothing changed outside the labelled spans ...
    assert not changed[~series.labels].any()
    # ... and inside each span the readings differ, on the anomaly's channel only
    for a in series.anomalies:
        diff = series.x[a.start:a.stop] != series.x_clean[a.start:a.stop]
        assert diff[:, a.channel].all(), a
        others = [c for c in range(series.n_channels) if c != a.channel]
        assert not diff[:, others].any(), a


def test_every_kind_appears_with_its_length_and_no_overlap(series):
    assert len(series.anomalies) == 8
    assert {a.kind for a in series.anomalies} == set(ANOMALY_KINDS)
    for a in series.anomalies:
        assert a.start >= 2000  # the anomaly-free stretch stays clean
        if a.kind == "spike":
            assert 1 <= a.length <= 3
        else:
            assert 24 <= a.length <= 72
    starts = [a.start for a in series.anomalies]
    assert starts == sorted(starts)
    for a, b in zip(series.anomalies, series.anomalies[1:]):
        assert b.start - a.stop >= 24  # separated by at least one period
    assert not series.labels[:2000].any()


def test_kinds_change_the_signal_as_described(series):
    for a in series.anomalies:
        d = (series.x - series.x_clean)[a.start:a.stop, a.channel]
        if a.kind == "level_shift":
            np.testing.assert_allclose(d, d[0], rtol=1e-4, atol=1e-4)  # constant offset
        elif a.kind == "drift":
            assert np.all(np.diff(np.abs(d)) > 0)  # grows steadily
        elif a.kind == "spike":
            assert np.abs(d).min() > 3 * series.x_clean[:, a.channel].std()


def test_channels_are_correlated_and_seed_reproducible(series):
    corr = np.corrcoef(series.x_clean[:2000].T)
    assert np.abs(corr[np.triu_indices(3, 1)]).max() > 0.5
    again = sensor_signals(6000, 3, period=24, n_anomalies=8, anomaly_free=2000, seed=3)
    np.testing.assert_array_equal(again.x, series.x)
    other = sensor_signals(6000, 3, period=24, n_anomalies=8, anomaly_free=2000, seed=4)
    assert not np.array_equal(other.x, series.x)


def test_daily_cycle_has_the_given_period():
    s = sensor_signals(4800, 2, period=48, n_anomalies=0, noise=0.0, trend=0.0)
    spectrum = np.abs(np.fft.rfft(s.x_clean[:, 0] - s.x_clean[:, 0].mean()))
    freq = np.fft.rfftfreq(4800)
    assert abs(1 / freq[np.argmax(spectrum)] - 48) < 1
    assert not s.labels.any() and s.anomalies == ()


def test_slice_clips_and_reindexes_anomalies(series):
    a = series.anomalies[0]
    part = series.slice(a.start + 1, a.stop + 500)
    assert part.n_steps == a.stop + 499 - a.start
    assert part.anomalies[0] == Anomaly(a.kind, 0, a.stop - a.start - 1, a.channel)
    np.testing.assert_array_equal(part.labels, series.labels[a.start + 1:a.stop + 500])
    assert part.spans == [(b.start, b.stop) for b in part.anomalies]
    with pytest.raises(ValueError, match="start < stop"):
        series.slice(10, 10)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"kinds": ("spike", "wobble")}, "kinds must be"),
        ({"kinds": ()}, "kinds must be"),
        ({"n_anomalies": 50}, "use more steps or fewer anomalies"),
        ({"anomaly_free": 3000}, "anomaly_free must be below"),
        ({"noise": -1.0}, "noise must be"),
        ({"trend": float("nan")}, "trend must be a finite"),
        ({"period": 2}, "period must be at least 4"),
        ({"n_channels": 0}, "n_channels must be at least 1"),
    ],
)
def test_generator_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sensor_signals(**{"n_steps": 3000, **kwargs})


def test_generator_rejects_non_integer_sizes():
    with pytest.raises(TypeError, match="n_steps must be an integer"):
        sensor_signals(1000.5)


# -- windows ---------------------------------------------------------------------------------


def test_window_starts_cover_every_step():
    np.testing.assert_array_equal(window_starts(10, 4, 3), [0, 3, 6])
    np.testing.assert_array_equal(window_starts(11, 4, 3), [0, 3, 6, 7])  # one flush with the end
    np.testing.assert_array_equal(window_starts(5, 5, 2), [0])
    with pytest.raises(ValueError, match="at most the series length"):
        window_starts(5, 6)
    with pytest.raises(ValueError, match="step must be at least 1"):
        window_starts(5, 2, 0)


def test_windows_content_for_1d_and_2d():
    x = np.arange(10.0)
    w = windows(x, 4, 3)
    np.testing.assert_array_equal(w, [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]])
    x2 = np.stack([x, -x], axis=1)
    w2 = windows(x2, 4, 2)
    assert w2.shape == (4, 4, 2)
    np.testing.assert_array_equal(w2[1, :, 1], [-2, -3, -4, -5])
    w2[0, 0, 0] = 99  # a copy: the series is untouched
    assert x2[0, 0] == 0


def test_windows_bad_input():
    with pytest.raises(ValueError, match="must have 1 or 2 dimensions"):
        windows(np.zeros((2, 3, 4)), 2)
    with pytest.raises(ValueError, match="must be finite"):
        windows(np.array([1.0, np.nan, 2.0]), 2)


@pytest.mark.parametrize("n, size, step", [(10, 4, 1), (11, 4, 3), (20, 5, 5), (7, 7, 1)])
def test_overlap_average_inverts_windows(n, size, step):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    w = windows(x, size, step)
    np.testing.assert_allclose(overlap_average(w, n, size, step), x)
    np.testing.assert_allclose(overlap_average(w[..., 0], n, size, step), x[:, 0])


def test_overlap_average_averages_every_covering_window():
    # windows of size 3, step 1 over 5 steps; window k has the constant value k
    values = np.repeat(np.arange(3.0)[:, None], 3, axis=1)
    # step 0 is in window 0; step 2 in windows 0, 1, 2; step 4 in window 2 only
    np.testing.assert_allclose(overlap_average(values, 5, 3), [0, 0.5, 1, 1.5, 2])


def test_overlap_average_bad_shape():
    with pytest.raises(ValueError, match=r"values must have shape \(3, 3, ...\)"):
        overlap_average(np.zeros((4, 3)), 5, 3)
    with pytest.raises(ValueError, match="must have 2 or 3 dimensions"):
        overlap_average(np.zeros(5), 5, 3)


# -- spans and events -------------------------------------------------------------------------


def test_mask_to_spans():
    assert mask_to_spans(np.array([1, 1, 0, 0, 1, 0, 1, 1], dtype=bool)) == [(0, 2), (4, 5), (6, 8)]
    assert mask_to_spans(np.zeros(4, dtype=bool)) == []
    with pytest.raises(ValueError, match="must have 1 dimensions"):
        mask_to_spans(np.zeros((2, 2), dtype=bool))


def test_detect_spans_merges_and_filters():
    e = np.array([0, 5, 5, 0, 0, 5, 0, 0, 0, 0, 5, 0], dtype=float)
    assert detect_spans(e, 1.0) == [(1, 3), (5, 6), (10, 11)]
    assert detect_spans(e, 1.0, merge_gap=2) == [(1, 6), (10, 11)]
    assert detect_spans(e, 1.0, min_length=2) == [(1, 3)]
    assert detect_spans(e, 10.0) == []
    with pytest.raises(ValueError, match="threshold must be a finite"):
        detect_spans(e, np.nan)
    with pytest.raises(ValueError, match="merge_gap must be at least 0"):
        detect_spans(e, 1.0, merge_gap=-1)


def test_match_events_counts_hits_and_false_alarms():
    truth = [Anomaly("spike", 10, 12, 0), (50, 80), (200, 210)]
    found = [(0, 5), (11, 13), (60, 61), (70, 90), (300, 310)]
    r = match_events(truth, found, 2000)
    assert r.detected == (True, True, False)
    assert r.n_events == 3 and r.n_detected == 2
    assert r.recall == pytest.approx(2 / 3)
    assert r.n_detections == 5 and r.n_false_alarms == 2  # (0, 5) and (300, 310)
    assert r.false_alarms_per_1000 == pytest.approx(1.0)
    assert "2 of 3 events detected" in str(r)


def test_match_events_touching_is_not_overlapping():
    r = match_events([(10, 20)], [(0, 10), (20, 25)], 100)
    assert r.detected == (False,) and r.n_false_alarms == 2


def test_match_events_bad_spans():
    with pytest.raises(ValueError, match="each of detected_spans must be"):
        match_events([(0, 5)], [(5, 3)], 100)
    with pytest.raises(ValueError, match="each of true_spans must be"):
        match_events([(90, 101)], [], 100)
