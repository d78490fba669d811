"""Tests of aetutor.plots.comparison: what each figure draws, and its bad-input errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from aetutor import plots  # noqa: E402
from aetutor.plots.comparison import error_vs_latent_dim, rate_distortion, subspace_angles  # noqa: E402

DIMS = (1, 2, 4, 8)
ERRORS = {"PCA": [0.06, 0.05, 0.04, 0.03], "AE": [0.05, 0.04, 0.025, 0.02]}


def test_reexported_from_plots():
    assert plots.error_vs_latent_dim is error_vs_latent_dim
    assert plots.rate_distortion is rate_distortion
    assert plots.subspace_angles is subspace_angles


def test_error_vs_latent_dim_draws_one_line_per_model():
    ax = error_vs_latent_dim(DIMS, ERRORS)
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_xdata(), DIMS)
    np.testing.assert_allclose(lines[1].get_ydata(), ERRORS["AE"])
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("PCA") and "0.0600" in labels[0] and "0.0300" in labels[0]
    assert "lowest at 1: AE" in ax.get_title()


def test_error_vs_latent_dim_uses_given_axes_and_title():
    fig, ax = plt.subplots()
    out = error_vs_latent_dim(DIMS, ERRORS, ax=ax, log=True, title="mine")
    assert out is ax and ax.get_yscale() == "log" and ax.get_title() == "mine"
    assert len(fig.axes) == 1


@pytest.mark.parametrize(
    "dims, errors, error, match",
    [
        ((1, 2, 4), ERRORS, ValueError, r"latent_dims has 3, errors\[.PCA.\] has 4"),
        ((1, 4, 2, 8), ERRORS, ValueError, "strictly increasing"),
        ((0, 2, 4, 8), ERRORS, ValueError, "at least 1"),
        ((), ERRORS, ValueError, "at least one latent size"),
        (DIMS, {}, TypeError, "errors must map model names"),
        (DIMS, {"PCA": [0.1, np.nan, 0.1, 0.1]}, ValueError, "must be finite"),
        (DIMS, {"PCA": [0.1, -0.1, 0.1, 0.1]}, ValueError, "non-negative"),
    ],
)
def test_error_vs_latent_dim_bad_input(dims, errors, error, match):
    with pytest.raises(error, match=match):
        error_vs_latent_dim(dims, errors)


def test_rate_distortion_curves_match_the_variances():
    var = np.array([4.0, 2.0, 1.0, 0.5, 0.5, 0.0])
    fig = rate_distortion(var, DIMS, ERRORS, input_dim=8, fraction=0.8)
    ax_var, ax_dist = fig.axes
    explained = ax_var.get_lines()[0]
    np.testing.assert_allclose(explained.get_ydata(), np.cumsum(var) / var.sum())
    distortion = ax_dist.get_lines()[0]
    np.testing.assert_allclose(distortion.get_xdata(), np.arange(1, 7))
    np.testing.assert_allclose(distortion.get_ydata(), (var.sum() - np.cumsum(var)) / 8)
    markers = ax_dist.get_lines()[1:3]
    np.testing.assert_allclose(markers[1].get_ydata(), ERRORS["AE"])
    # 80% of 8.0 is reached after 3 components; the input dimension is marked on both panels
    assert "80% needs 3 of 8" in ax_var.get_title()
    for ax in (ax_var, ax_dist):
        assert any(np.allclose(line.get_xdata(), 8) for line in ax.get_lines())


def test_rate_distortion_without_errors_and_with_title():
    fig = rate_distortion([3.0, 1.0], title="two pixels")
    assert len(fig.axes) == 2 and fig._suptitle.get_text() == "two pixels"
    assert "input dimension 2" in [t.get_text() for t in fig.axes[1].get_legend().get_texts()]


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        (([1.0, 2.0],), {}, "largest first"),
        (([0.0, 0.0],), {}, "positive sum"),
        (([-1.0, 0.5],), {}, "non-negative"),
        (([2.0, 1.0],), {"input_dim": 1}, "at least the number of variances"),
        (([2.0, 1.0],), {"fraction": 1.0}, "fraction must be between 0 and 1"),
        (([2.0, 1.0], None, {"PCA": []}), {}, "need latent_dims"),
        (([[2.0, 1.0]],), {}, "must have 1 dimensions"),
    ],
)
def test_rate_distortion_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        rate_distortion(*args, **kwargs)


def test_subspace_angles_one_curve_per_entry():
    ax = subspace_angles({"code 2": [1.0, 3.0], "code 4": [0.5, 1.0, 2.0, 60.0]})
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.5, 1.0, 2.0, 60.0])
    assert "largest 60.0°" in ax.get_title()
    assert "median 1.5°, max 60.0°" in ax.get_legend().get_texts()[1].get_text()


@pytest.mark.parametrize(
    "angles, error, match",
    [
        ({}, TypeError, "angles must map a label"),
        ([1.0, 2.0], TypeError, "angles must map a label"),
        ({"a": []}, ValueError, "is empty"),
        ({"a": [10.0, 95.0]}, ValueError, r"in \[0, 90\] degrees"),
        ({"a": [np.inf]}, ValueError, "must be finite"),
    ],
)
def test_subspace_angles_bad_input(angles, error, match):
    with pytest.raises(error, match=match):
        subspace_angles(angles)


def test_rate_distortion_titles_say_what_the_distortion_panel_shows():
    var = np.array([4.0, 2.0, 1.0, 0.5, 0.5, 0.0])
    ax_dist = rate_distortion(var, DIMS, ERRORS, input_dim=8).axes[1]
    expected = "distortion: PCA from its variances (line), given errors (markers)"
    assert ax_dist.get_title() == expected
    fig = rate_distortion(var, DIMS, ERRORS, input_dim=8,
                          distortion_title="PCA on training data, models on test data")
    assert fig.axes[1].get_title() == "PCA on training data, models on test data"
    assert rate_distortion(var).axes[1].get_title() == "PCA's distortion: 0.6667 at rate 1"


@pytest.mark.parametrize(
    "latent_dims, match",
    [
        ([1], r"one error per entry of latent_dims: latent_dims has 1, errors\['m'\] has 3"),
        ([float("nan")] * 3, r"latent_dims\[0\] must be an integer, got nan"),
        ([1, 2.5, 4], r"latent_dims\[\d\] must be an integer, got \d"),
    ],
)
def test_error_vs_latent_dim_names_latent_dims_when_it_is_wrong(latent_dims, match):
    with pytest.raises((TypeError, ValueError), match=match):
        error_vs_latent_dim(latent_dims, {"m": [0.3, 0.2, 0.1]})
    assert not plt.get_fignums()


@pytest.mark.parametrize("values", [None, "x", [float("nan")], [], [10.0, 95.0]])
def test_subspace_angles_refuses_bad_angles_before_any_figure(values):
    with pytest.raises((TypeError, ValueError), match=r"angles\['k=2'\]"):
        subspace_angles({"ok": [1.0, 2.0], "k=2": values})
    assert not plt.get_fignums()  # nothing half-drawn is left open


def test_rate_distortion_markers_match_error_vs_latent_dim_styles():
    var = np.array([4.0, 2.0, 1.0, 0.5, 0.5, 0.0])
    line_ax = error_vs_latent_dim(DIMS, ERRORS)
    dist_ax = rate_distortion(var, DIMS, ERRORS, input_dim=8).axes[1]
    lines = {ln.get_label().split(" (")[0]: ln for ln in line_ax.get_lines()}
    markers = {ln.get_label(): ln for ln in dist_ax.get_lines() if ln.get_linestyle() == "None"}
    for name in ERRORS:
        assert markers[name].get_color() == lines[name].get_color(), name
        assert markers[name].get_marker() == lines[name].get_marker(), name
