"""Tests of the denoising figures: what they draw, the numbers they show, the errors they raise."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from aetutor import plots
from aetutor.metrics import psnr
from aetutor.plots._tiles import captions_of, row_labels_of


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    x = rng.random((5, 8, 8)).astype("float32")
    noisy = np.clip(x + rng.normal(0, 0.3, x.shape), 0, 1).astype("float32")
    return x, noisy


# --- denoising_rows ---------------------------------------------------------------------------


def test_denoising_rows_draws_one_row_per_method_with_psnr_captions(batch):
    x, noisy = batch
    restored = np.clip((x + noisy) / 2, 0, 1)
    fig = plots.denoising_rows(x, noisy, {"average": restored}, n=4, title="demo")
    assert len(fig.axes[0].get_images()) == 3 * 4
    labels = row_labels_of(fig)
    assert labels[0] == "clean"
    expected = psnr(x[:4], noisy[:4])
    assert labels[1] == f"corrupted\n{expected.mean():.1f} dB"
    assert labels[2].startswith("average\n")
    assert captions_of(fig, 1) == [f"{v:.1f}" for v in expected]
    assert captions_of(fig, 2) == [f"{v:.1f}" for v in psnr(x[:4], restored[:4])]
    assert fig._suptitle.get_text().startswith("demo: PSNR")
    assert isinstance(fig, plt.Figure)


def test_denoising_rows_accepts_flat_vectors(batch):
    x, noisy = batch
    fig = plots.denoising_rows(x.reshape(5, -1), noisy.reshape(5, -1), {}, n=2)
    assert len(fig.axes[0].get_images()) == 2 * 2
    assert len(plots.denoising_rows(x, noisy, {}).axes[0].get_images()) == 2 * 5  # n=8 > 5: all 5


def test_denoising_rows_errors(batch):
    x, noisy = batch
    with pytest.raises(ValueError, match="n must be at least 1"):
        plots.denoising_rows(x, noisy, {}, n=0)
    with pytest.raises(ValueError, match="same shape"):
        plots.denoising_rows(x, noisy[:, :4], {})
    with pytest.raises(ValueError, match=r"outputs\['bad'\].*same shape"):
        plots.denoising_rows(x, noisy, {"bad": x[:3]})
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        plots.denoising_rows(x, noisy, {"too bright": x * 3})
    with pytest.raises(TypeError, match="outputs must map"):
        plots.denoising_rows(x, noisy, [x])


# --- noise_level_curves -----------------------------------------------------------------------


def test_noise_level_curves_legend_carries_score_at_trained_level():
    levels = [0.1, 0.3, 0.5]
    scores = {"input": [20.0, 15.0, 12.0], "dae": [18.0, 18.5, 17.25]}
    ax = plots.noise_level_curves(levels, scores, trained_level=0.3, title="t")
    assert len(ax.lines) == 3  # two methods and the trained-level marker
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["input (15)", "dae (18.5)"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), scores["dae"])
    assert ax.get_title() == "t"


def test_noise_level_curves_without_trained_level_uses_highest_and_sorts():
    fig, ax = plt.subplots()
    out = plots.noise_level_curves([0.5, 0.1], {"m": [1.0, 2.0]}, ax=ax, ylabel="MSE")
    assert out is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["m (2)"]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.1, 0.5])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [2.0, 1.0])
    assert ax.get_ylabel() == "MSE"


def test_noise_level_curves_errors():
    with pytest.raises(ValueError, match="one value per level"):
        plots.noise_level_curves([0.1, 0.2], {"m": [1.0]})
    with pytest.raises(ValueError, match="not one of the levels"):
        plots.noise_level_curves([0.1, 0.2], {"m": [1.0, 2.0]}, trained_level=0.3)
    with pytest.raises(ValueError, match="at least one method"):
        plots.noise_level_curves([0.1], {})
    with pytest.raises(ValueError, match="must be finite"):
        plots.noise_level_curves([0.1, 0.2], {"m": [1.0, np.nan]})
    with pytest.raises(ValueError, match="non-empty list"):
        plots.noise_level_curves([], {"m": []})


# --- score_matrix -----------------------------------------------------------------------------


def test_score_matrix_writes_every_value():
    scores = np.array([[10.0, 12.5], [8.25, 20.0], [1.0, 2.0]])
    ax = plots.score_matrix(scores, ["a", "b", "c"], ["x", "y"], title="m")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["10.0", "12.5", "8.2", "20.0", "1.0", "2.0"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == "m"


def test_score_matrix_errors():
    with pytest.raises(ValueError, match="2-D table"):
        plots.score_matrix(np.zeros(3), ["a"], ["x"])
    with pytest.raises(ValueError, match=r"row_labels must have one label per row .* "
                                         "expected 2, got 1"):
        plots.score_matrix(np.zeros((2, 2)), ["a"], ["x", "y"])
    with pytest.raises(ValueError, match="must be finite"):
        plots.score_matrix(np.array([[np.inf]]), ["a"], ["x"])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"row_labels": None}, TypeError, "row_labels must be a list of 2 row labels, got None"),
        ({"col_labels": None}, TypeError, "col_labels must be a list of 3 column labels"),
        ({"row_labels": "ab"}, TypeError, "row_labels must be a list"),
        ({"col_labels": 3}, TypeError, "col_labels must be a list of 3 column labels, got 3"),
        ({"col_labels": ["x", "y"]}, ValueError,
         r"col_labels must have one label per column .* expected 3, got 2"),
        ({"fmt": None}, TypeError, "fmt must be a format string"),
        ({"fmt": "{:d}"}, ValueError, "fmt must format one number"),
    ],
)
def test_score_matrix_names_the_bad_labels_and_draws_nothing(kwargs, error, match):
    call = {"scores": np.zeros((2, 3)), "row_labels": ["a", "b"], "col_labels": ["x", "y", "z"]}
    with pytest.raises(error, match=match):
        plots.score_matrix(**{**call, **kwargs})
    assert not plt.get_fignums()  # refused before any figure was made


# --- noise_level_grid -------------------------------------------------------------------------


def _sweep():
    levels = {"masking": [0.1, 0.5], "gaussian": [0.1, 0.3, 0.5]}
    methods = ("input", "dae")
    psnr_rows = {k: {m: list(np.linspace(10 + i, 20 + i, len(v))) for i, m in enumerate(methods)}
                 for k, v in levels.items()}
    mse_rows = {k: {m: list(np.linspace(0.01, 0.1, len(v)) * (i + 1))
                    for i, m in enumerate(methods)} for k, v in levels.items()}
    return levels, {"mean PSNR (dB)": psnr_rows, "mean MSE": mse_rows}


def test_noise_level_grid_one_shared_legend_off_the_panels():
    levels, rows = _sweep()
    fig = plots.noise_level_grid(levels, rows, trained_levels={"masking": 0.5, "gaussian": 0.3},
                                 log_rows=["mean MSE"], title="sweep")
    assert isinstance(fig, plt.Figure)
    assert len(fig.axes) == 4
    assert all(ax.get_legend() is None for ax in fig.axes)  # no legend over any curves
    assert len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["input", "dae", "trained level"]
    assert fig.get_figwidth() <= 12
    axes = np.array(fig.axes).reshape(2, 2)
    assert [ax.get_yscale() for ax in axes[:, 0]] == ["linear", "log"]
    assert [ax.get_title() for ax in axes[0]] == ["masking", "gaussian"]
    assert axes[0, 0].get_ylabel() == "mean PSNR (dB)" and axes[0, 1].get_ylabel() == ""
    np.testing.assert_allclose(axes[1, 1].lines[1].get_ydata(), rows["mean MSE"]["gaussian"]["dae"])
    # the legend sits below every panel
    fig.canvas.draw()
    legend_top = fig.legends[0].get_window_extent().y1
    assert all(legend_top <= ax.get_window_extent().y0 for ax in axes[1])
    plt.close(fig)


def test_noise_level_grid_errors():
    levels, rows = _sweep()
    with pytest.raises(ValueError, match="every noise type"):
        plots.noise_level_grid({"masking": [0.1, 0.5]}, rows)
    with pytest.raises(ValueError, match="log_rows names rows"):
        plots.noise_level_grid(levels, rows, log_rows=["MSE"])
    with pytest.raises(ValueError, match="width must be"):
        plots.noise_level_grid(levels, rows, width=14)
    with pytest.raises(ValueError, match="at least one score"):
        plots.noise_level_grid(levels, {})
    with pytest.raises(ValueError, match="at least one noise type"):
        plots.noise_level_grid({}, rows)


@pytest.mark.parametrize(
    "levels, scores, kwargs, match",
    [
        ([0.1], {"m": [1.0, 2.0, 3.0]}, {},
         r"one value per level: levels has 1, scores\['m'\] has shape \(3,\)"),
        ([0.1, 0.2], {"ok": [1.0, 2.0], "m": None}, {}, r"scores\['m'\] must be an array"),
        ([0.1, 0.2], {"ok": [1.0, 2.0], "m": [1.0, np.nan]}, {}, r"scores\['m'\] must be finite"),
        ([0.1, 0.2], {"m": [1.0, 2.0]}, {"trained_level": "0.1"}, "trained_level must be a real"),
    ],
)
def test_noise_level_curves_refuses_bad_input_before_any_figure(levels, scores, kwargs, match):
    with pytest.raises((TypeError, ValueError), match=match):
        plots.noise_level_curves(levels, scores, **kwargs)
    assert not plt.get_fignums()


@pytest.mark.parametrize(
    "levels, scores, match",
    [
        ({"g": [0.1, 0.2], "s": None}, {"m": [1.0, 2.0]}, r"levels\['s'\] must be an array"),
        ({"g": [0.1, 0.2], "s": [np.nan]}, {"m": [1.0]}, r"levels\['s'\] must be finite"),
        ({"g": [0.1, 0.2], "s": [0.1]}, {"m": [1.0, 2.0]},
         r"rows\['psnr'\]\['s'\]\['m'\] must hold one value per level: levels\['s'\] has 1"),
    ],
)
def test_noise_level_grid_checks_every_panel_before_any_figure(levels, scores, match):
    # the first panel is fine: the grid used to be half drawn when the second one failed
    rows = {"psnr": {"g": {"m": [20.0, 18.0]}, "s": scores}}
    with pytest.raises((TypeError, ValueError), match=match):
        plots.noise_level_grid(levels, rows)
    assert not plt.get_fignums()
