"""The first set of figures: image rows, training curves, latent bars."""

from __future__ import annotations

import numpy as np
import pytest

import aetutor as at
from aetutor.plots._tiles import captions_of, row_labels_of


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.random((10, 8, 8)).astype(np.float32)


def test_image_rows_titles_each_reconstruction_with_its_error(images):
    x_hat = np.clip(images + 0.1, 0, 1)
    fig = at.plots.image_rows(images, x_hat, n=4, labels=list("abcdefghij"))
    assert len(fig.axes[0].get_images()) == 12  # 3 rows x 4 columns, in one frameless Axes
    errors = at.metrics.reconstruction_error(images[:4], x_hat[:4])
    assert captions_of(fig, 1) == [f"{e:.4f}" for e in errors]
    assert captions_of(fig, 0) == ["a", "b", "c", "d"]
    assert row_labels_of(fig) == ["original", "reconstruction", "|x - x_hat|"]
    shown = [np.asarray(im.get_array()) for im in fig.axes[0].get_images()]
    np.testing.assert_array_equal(shown[4], x_hat[0])  # row 1, column 0
    assert fig.axes[0].get_images()[8].get_cmap().name == "magma"  # the error row
    assert f"{errors.mean():.4f}" in fig._suptitle.get_text()


def test_image_rows_accepts_flat_vectors_and_can_drop_the_error_row(images):
    fig = at.plots.image_rows(images.reshape(10, 64), images.reshape(10, 64), n=3,
                              show_error=False)  # fmt: skip
    assert len(fig.axes[0].get_images()) == 6


def test_image_rows_rejects_bad_input(images):
    with pytest.raises(ValueError, match="same shape"):
        at.plots.image_rows(images, images[:, :4, :4])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        at.plots.image_rows(images * 255, images)
    with pytest.raises(ValueError, match="image_shape"):
        at.plots.image_rows(np.zeros((3, 10)), np.zeros((3, 10)))
    bad = images.copy()
    bad[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        at.plots.image_rows(images, bad)


def test_image_grid_checks_rows_and_captions(images):
    fig = at.plots.image_grid({"a": images, "b": images[::-1]}, n=5, titles={"a": list("12345")})
    assert len(fig.axes) == 1 and len(fig.axes[0].get_images()) == 10
    assert captions_of(fig, 0) == list("12345") and captions_of(fig, 1) == []
    assert row_labels_of(fig) == ["a", "b"]
    boxes = [im.get_extent() for im in fig.axes[0].get_images()]
    assert boxes[1][0] > boxes[0][1] and boxes[5][3] > boxes[0][2]  # left to right, then down
    with pytest.raises(ValueError, match="at least one row"):
        at.plots.image_grid({})
    with pytest.raises(ValueError, match="captions"):
        at.plots.image_grid({"a": images}, n=5, titles={"a": ["x"]})


@pytest.mark.parametrize(
    "rows_of, kwargs, error, match",
    [
        (lambda im: "images", {}, TypeError, "rows must be a dict .* got str"),
        (lambda im: im, {}, TypeError, "rows must be a dict .* got ndarray"),
        (lambda im: {"a": im}, {"n": float("inf")}, TypeError, "n must be an integer, got inf"),
        (lambda im: {"a": im}, {"n": 2.0}, TypeError, "n must be an integer, got 2.0"),
        (lambda im: {"a": im}, {"n": 0}, ValueError, "n must be at least 1, got 0"),
        (lambda im: {"a": im}, {"n": 11}, ValueError, r"n must be in 1\.\.10"),
        (lambda im: {"a": im}, {"size": None}, TypeError, "size must be a real number"),
        (lambda im: {"a": im}, {"size": -1.0}, ValueError, "size must be > 0"),
        (lambda im: {"a": im}, {"titles": ["x"]}, TypeError, "titles must be a dict .* got list"),
        (lambda im: {"a": im}, {"titles": {"a": "abc"}}, TypeError,
         r"titles\['a'\] must be a list of captions"),
        (lambda im: {"a": im}, {"cmaps": "magma"}, TypeError, "cmaps must be a dict"),
        (lambda im: {"a": im, "b": im}, {"n": 5, "titles": {"b": ["x"]}}, ValueError,
         r"titles\['b'\] has 1 captions, need 5"),
    ],
)
def test_image_grid_names_the_bad_argument_and_draws_nothing(images, rows_of, kwargs, error,
                                                              match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        at.plots.image_grid(rows_of(images), **kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


def test_training_curves_single_and_several_runs():
    h = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4]}
    ax = at.plots.training_curves(h)
    assert len(ax.lines) == 2
    assert "final 0.25" in ax.get_legend().get_texts()[0].get_text()
    ax = at.plots.training_curves({"small": h, "big": {"loss": [2.0, 1.0]}}, log=True)
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"


def test_training_curves_ticks_only_whole_epochs():
    for n in (3, 8, 40):
        ax = at.plots.training_curves({"loss": np.linspace(1.0, 0.1, n)})
        ax.figure.canvas.draw()
        lo, hi = ax.get_xlim()
        ticks = [v for v in ax.get_xticks() if lo <= v <= hi]
        assert ticks and all(float(v).is_integer() for v in ticks), (n, ticks)


def test_training_curves_rejects_diverged_or_missing_metrics():
    with pytest.raises(ValueError, match="diverged"):
        at.plots.training_curves({"loss": [1.0, float("nan")]})
    with pytest.raises(ValueError, match="metric 'mae' not in history"):
        at.plots.training_curves({"loss": [1.0]}, metric="mae")
    with pytest.raises(TypeError, match="History"):
        at.plots.training_curves({"run": 3})


@pytest.mark.parametrize(
    "history, kwargs, error, match",
    [
        (None, {}, TypeError, "history must be a Keras History, .* got NoneType"),
        ("loss", {}, TypeError, "history must be a Keras History, .* got str"),
        ([0.5, 0.4], {}, TypeError, "history must be a Keras History, .* got list"),
        ({}, {}, ValueError, "history is empty"),
        ({"run": {}}, {}, ValueError, r"history\['run'\] is empty"),
        ({"loss": ["a", "b"]}, {}, TypeError,
         r"history\['loss'\] must be a list of per-epoch numbers"),
        ({"a": {"loss": [1.0]}, "b": {"mae": [1.0]}}, {}, ValueError,
         "metric 'loss' not in history"),
        ({"loss": [1.0]}, {"metric": None}, TypeError, "metric must be the name"),
    ],
)
def test_training_curves_names_history_and_draws_nothing_on_bad_input(history, kwargs, error,
                                                                      match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        at.plots.training_curves(history, **kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


def test_latent_bars_counts_dead_units(images):
    z = np.random.default_rng(1).random((10, 5))
    z[:, 2] = 0.0  # a unit that never fires
    y = np.arange(10) % 2
    fig = at.plots.latent_bars(z, images, y, per_class=2)
    assert "1 dead" in fig._suptitle.get_text()
    assert len(fig.axes) == 2 * 4  # 2 classes x (image, bars) x 2 samples


def test_latent_bars_rejects_mismatched_inputs(images):
    z = np.zeros((10, 3))
    with pytest.raises(ValueError, match="10 codes, 9 images"):
        at.plots.latent_bars(z, images[:9], np.zeros(10, int))
    with pytest.raises(ValueError, match="one label per sample"):
        at.plots.latent_bars(z, images, np.zeros(9, int))
    with pytest.raises(ValueError, match=r"no samples of class\(es\) \[5\]"):
        at.plots.latent_bars(z, images, np.zeros(10, int), classes=[5])


def test_autoencoder_diagram_marks_the_bottleneck():
    ax = at.plots.autoencoder_diagram((784, 128, 32, 128, 784))
    texts = [t.get_text() for t in ax.texts]
    assert "code z" in texts and "encoder" in texts and "decoder" in texts
    assert "784 → 128 → 32 → 128 → 784" in ax.get_title()
    heights = [p.get_height() for p in ax.patches]
    assert heights.index(min(heights)) == 2  # the 32-unit code is the narrowest bar
    with pytest.raises(ValueError, match="at least input, code and output"):
        at.plots.autoencoder_diagram((784, 32))
    with pytest.raises(ValueError, match="at least 1"):
        at.plots.autoencoder_diagram((784, 0, 784))


@pytest.mark.parametrize(
    "layer_sizes, error, match",
    [
        (None, TypeError, "layer_sizes must be a sequence of units per layer.*got None"),
        ("784,32,784", TypeError, "layer_sizes must be a sequence"),
        (784, TypeError, "layer_sizes must be a sequence.*got 784"),
        ({784, 32}, TypeError, "layer_sizes must be a sequence"),
        ((784, None, 784), TypeError, "each entry of layer_sizes must be an integer, got None"),
        ((784, 2.5, 784), TypeError, "each entry of layer_sizes must be an integer, got 2.5"),
        ((784, -1, 784), ValueError, "each entry of layer_sizes must be at least 1, got -1"),
    ],
)
def test_autoencoder_diagram_names_layer_sizes_and_draws_nothing_on_bad_input(
    layer_sizes, error, match
):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        at.plots.autoencoder_diagram(layer_sizes)
    assert not plt.get_fignums()  # refused before any figure was made


def test_autoencoder_diagram_accepts_a_numpy_array():
    ax = at.plots.autoencoder_diagram(np.array([64, 8, 2, 8, 64]))
    assert "64 → 8 → 2 → 8 → 64" in ax.get_title()


@pytest.mark.parametrize(
    "draw",
    [
        lambda im: at.plots.latent_bars(np.zeros((len(im), 2)), im, np.arange(len(im)) % 2),
        lambda im: at.plots.image_rows(im, im),
        lambda im: at.plots.top_activating(im, np.ones((len(im), 2)), units=[0], n=2),
    ],
)
def test_images_without_pixels_are_refused_before_any_figure(images, draw):
    import warnings

    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was matplotlib's 'identical low and high xlims'
        with pytest.raises(ValueError, match="must be images with at least one pixel"):
            draw(images[:, :, :0])
    assert not plt.get_fignums()
