"""Tests of aetutor.plots.detection: what each figure draws, and bad input."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from aetutor import plots
from aetutor.timeseries import Anomaly


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 40)
    s = np.where(y == 1, rng.normal(2, 0.5, 100), rng.normal(1, 0.3, 100)) ** 2 + 0.01
    return y, s


def test_error_histogram_legend_reports_fraction_above(scored):
    y, s = scored
    ax = plots.error_histogram({"normal": s[y == 0], "anomalous": s[y == 1]}, threshold=2.0,
                               log=True, title="t")
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    above = np.mean(s[y == 1] > 2.0)
    assert f"anomalous (n=40): {above:.0%} above" in texts
    assert any(t.startswith("threshold 2") for t in texts)
    assert ax.get_xscale() == "log" and ax.get_title() == "t"
    heights = [p for p in ax.patches]
    assert heights  # bars were drawn


def test_error_histogram_single_array_and_ax(scored):
    _, s = scored
    fig, ax = plt.subplots()
    assert plots.error_histogram(s, ax=ax, bins=10) is ax


@pytest.mark.parametrize(
    "errors, kwargs, match",
    [
        ({}, {}, "at least one name"),
        ({"a": [1.0, np.nan]}, {}, "must be finite"),
        ({"a": [1.0, 2.0]}, {"bins": 1}, "bins must be an integer >= 2"),
        ({"a": [0.0, 2.0]}, {"log": True}, "log=True needs positive"),
        ({"a": [1.0, 2.0]}, {"threshold": np.inf}, "threshold must be a finite"),
        ({"a": [[1.0, 2.0]]}, {}, "must have 1 dimensions"),
    ],
)
def test_error_histogram_bad_input(errors, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.error_histogram(errors, **kwargs)


def test_roc_draws_both_curves_with_auc_and_ap(scored):
    from sklearn.metrics import roc_auc_score

    y, s = scored
    fig = plots.roc(y, {"model": s, "noise": np.random.default_rng(1).random(100)}, title="x")
    ax_roc, ax_pr = fig.axes
    roc_labels = [t.get_text() for t in ax_roc.get_legend().get_texts()]
    assert f"model: AUC {roc_auc_score(y, s):.3f}" in roc_labels
    assert "chance 0.5" in roc_labels
    pr_labels = [t.get_text() for t in ax_pr.get_legend().get_texts()]
    assert "chance 0.400" in pr_labels and any(t.startswith("noise: AP") for t in pr_labels)
    assert len(ax_roc.get_lines()) == 3


def test_roc_bad_input(scored):
    y, s = scored
    with pytest.raises(ValueError, match="both anomalies"):
        plots.roc(np.ones(100, dtype=bool), s)
    with pytest.raises(ValueError, match=r"scores\['b'\] has 99 entries"):
        plots.roc(y, {"a": s, "b": s[:99]})


def test_threshold_tradeoff():
    ax = plots.threshold_tradeoff([90, 95, 99], [0.8, 0.9, 1.0], [0.9, 0.7, 0.3],
                                  f1=[0.85, 0.79, 0.46], chosen=95)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["precision", "recall", "F1", "chosen: 95th percentile"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [0.9, 0.7, 0.3])
    with pytest.raises(ValueError, match="recall must have one value per percentile"):
        plots.threshold_tradeoff([90, 95], [0.8, 0.9], [0.9])


def test_error_by_class_sorts_and_highlights_normal():
    errors = np.array([1.0, 1.2, 5.0, 5.2, 3.0, 3.4])
    y = np.array([0, 0, 1, 1, 2, 2])
    ax = plots.error_by_class(errors, y, class_names=["zero", "one", "two"], normal=0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["zero", "two", "one"]
    np.testing.assert_allclose([p.get_height() for p in ax.patches], [1.1, 3.2, 5.1])
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()
    assert "2.9x" in ax.get_title()  # lowest other class 3.2 / normal 1.1
    with pytest.raises(ValueError, match="class_names has 2 names"):
        plots.error_by_class(errors, y, class_names=["a", "b"])
    with pytest.raises(ValueError, match="one label per sample"):
        plots.error_by_class(errors, y[:5])


def test_timeseries_errors_panels_and_counts():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    errors = rng.random(300) + 0.01
    fig = plots.timeseries_errors(x, x * 0.9, errors, 0.5,
                                  true_spans=[Anomaly("spike", 10, 12, 0), (100, 150)],
                                  detected_spans=[(11, 14), (200, 210)],
                                  channel_names=["a", "b"], t0=1000, title="demo")
    assert len(fig.axes) == 3
    err_ax = fig.axes[-1]
    assert err_ax.get_yscale() == "log"
    assert err_ax.get_title().startswith("1 of 2 true anomalies overlapped")
    assert "2 detected spans" in err_ax.get_title()
    assert err_ax.get_lines()[0].get_xdata()[0] == 1000  # time axis offset by t0


def _red_bands(ax):
    return [p for p in ax.patches if p.get_facecolor()[:3] == (1.0, 0.0, 0.0)]


def test_timeseries_errors_bands_only_on_the_affected_channel():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 3))
    errors = rng.random(2000) + 0.01
    fig = plots.timeseries_errors(x, x, errors, 0.5,
                                  true_spans=[Anomaly("level_shift", 100, 300, 2),
                                              (500, 600, 1), (900, 950)])
    ch0, ch1, ch2, err_ax = fig.axes
    assert len(_red_bands(ch0)) == 1  # only the span without a channel
    assert len(_red_bands(ch1)) == 2  # (500, 600, 1) and the span without a channel
    assert len(_red_bands(ch2)) == 2  # the level shift and the span without a channel
    assert len(_red_bands(err_ax)) == 3  # the error panel shows every event


def test_timeseries_errors_short_events_stay_visible():
    x = np.zeros((4000, 2))
    fig = plots.timeseries_errors(x, x, np.ones(4000), 0.5,
                                  true_spans=[Anomaly("spike", 1000, 1001, 1), (2000, 2400)])
    ch0, ch1, err_ax = fig.axes
    (spike,) = _red_bands(ch1)[:1]
    # axvspan returns a Rectangle (matplotlib >= 3.9) or a Polygon (older)
    xs = (np.array([spike.get_x(), spike.get_x() + spike.get_width()])
          if hasattr(spike, "get_width") else np.asarray(spike.get_xy())[:, 0])
    assert xs.max() - xs.min() >= 4000 / 400  # widened from one step to a visible minimum
    markers = [ln for ln in ch1.get_lines() if ln.get_marker() == "v"]
    assert len(markers) == 1 and markers[0].get_xdata()[0] == 1000
    assert not [ln for ln in ch0.get_lines() if ln.get_marker() == "v"]  # not on channel 0
    long_band = _red_bands(ch0)[0]  # the 400-step span is drawn as it is, without a marker
    assert long_band.get_alpha() == pytest.approx(0.15)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"x_hat": np.zeros((10, 3))}, "same shape"),
        ({"errors": np.ones(9)}, "one value per timestep"),
        ({"errors": np.zeros(10)}, "must be positive"),
        ({"threshold": -1.0}, r"threshold must be > 0\.0, got -1\.0"),
        ({"true_spans": [(5, 20)]}, "true_spans must lie in 0..10"),
        ({"true_spans": [(1, 3, 2)]}, "channel must lie in 0..1"),
        ({"true_spans": [(1, 2, 0, 4)]}, r"\(start, stop\) pairs or \(start, stop, channel\)"),
        ({"detected_spans": [(1, 3, 0)]}, r"detected_spans must hold \(start, stop\) pairs, got"),
        ({"channel_names": ["only one"]}, "1 names for 2 channels"),
    ],
)
def test_timeseries_errors_bad_input(kwargs, match):
    args = {"x": np.zeros((10, 2)), "x_hat": np.zeros((10, 2)), "errors": np.ones(10),
            "threshold": 0.5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        plots.timeseries_errors(args.pop("x"), args.pop("x_hat"), args.pop("errors"),
                                args.pop("threshold"), **args)


@pytest.mark.parametrize(
    "threshold, error, match",
    [
        (None, TypeError, "threshold must be a real number, got None"),
        ("0.5", TypeError, "threshold must be a real number"),
        ([], TypeError, r"threshold must be a real number, got \[\]"),
        (1j, TypeError, "threshold must be a real number"),
        (1e101, ValueError, "threshold must be <= 1e"),
        (1e300, ValueError, "threshold must be <= 1e"),  # overflowed the log axis
        (float("nan"), ValueError, "threshold must be a finite number"),
    ],
)
def test_timeseries_errors_names_a_bad_threshold(threshold, error, match):
    with pytest.raises(error, match=match):
        plots.timeseries_errors(np.zeros((10, 2)), np.zeros((10, 2)), np.ones(10), threshold)
    assert not plt.get_fignums()


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([90.0], [0.5, 0.6, 0.7], [0.9, 0.8, 0.5]), {},
         "precision must have one value per percentile: percentiles has 1, precision has 3"),
        (([90.0, 95.0], [0.5, 0.6], None), {}, "recall must be an array"),
        (([90.0, 95.0], [0.5, 0.6], [0.9, float("nan")]), {}, "recall must be finite"),
        (([90.0, 95.0], [0.5, 0.6], [0.9, 0.8]), {"f1": [0.1]}, "F1 must have one value"),
        (([90.0, 95.0], [0.5, 0.6], [0.9, 0.8]), {"chosen": "95"}, "chosen must be a real"),
    ],
)
def test_threshold_tradeoff_refuses_bad_curves_before_any_figure(args, kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        plots.threshold_tradeoff(*args, **kwargs)
    assert not plt.get_fignums()


def test_roc_refuses_scores_of_another_length_before_any_figure(scored):
    y, s = scored
    with pytest.raises(ValueError, match=r"scores\['b'\] has 99 entries, y_true 100"):
        plots.roc(y, {"a": s, "b": s[:99]})
    assert not plt.get_fignums()


def test_error_by_class_refuses_errors_whose_squares_overflow_and_handles_zero_errors():
    y = np.array([0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"errors must lie within ±1e\+150"):
        plots.error_by_class(np.array([1e300, -1e300, 1.0, 2.0]), y)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # was 0 / 0 in the title's ratio
        ax = plots.error_by_class(np.zeros(4), y, normal=0)
    assert ax.get_title() == "mean error per class"
