"""Feature figures: weights as images, the per-pixel weight map, activation histograms."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import aetutor as at  # noqa: E402
from aetutor.plots import (  # noqa: E402
    activation_histograms,
    pixel_weight_changes,
    pixel_weight_map,
    weight_images,
)
from aetutor.plots._tiles import captions_of


def _images(fig):
    return [im for ax in fig.axes for im in ax.get_images()]


def test_weight_images_one_symmetric_image_per_unit():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(64, 7))
    w[:, 2] *= 10  # a unit with much larger weights still gets its own scale
    fig = weight_images(w, title="layer 1")
    images = _images(fig)
    assert len(images) == 7
    for j, im in enumerate(images):
        data = np.asarray(im.get_array())
        assert data.shape == (8, 8)
        np.testing.assert_allclose(data, w[:, j].reshape(8, 8))
        vmin, vmax = im.get_clim()
        assert vmin == pytest.approx(-vmax) and vmax == pytest.approx(np.abs(w[:, j]).max())
    assert "layer 1" in fig._suptitle.get_text() and "7 of 7 units" in fig._suptitle.get_text()
    boxes = [im.get_extent() for im in images]  # a 3 x 3 grid: three rows, the last of one
    assert len({b[2] for b in boxes}) == 3  # three rows
    assert [b[0] for b in boxes[:3]] == [b[0] for b in boxes[3:6]]  # in three columns


def test_weight_images_units_captions_and_rectangular_images():
    w = np.arange(12 * 5, dtype=float).reshape(12, 5) - 30
    fig = weight_images(w, image_shape=(3, 4), units=[4, 0], ncols=2, captions=["a", "b"])
    images = _images(fig)
    assert [np.asarray(im.get_array()).shape for im in images] == [(3, 4), (3, 4)]
    np.testing.assert_allclose(np.asarray(images[0].get_array()), w[:, 4].reshape(3, 4))
    assert captions_of(fig, 0) == ["a", "b"]


def test_weight_images_all_zero_unit_does_not_divide_by_zero():
    fig = weight_images(np.zeros((4, 2)))
    assert all(np.isfinite(im.get_clim()).all() for im in _images(fig))


@pytest.mark.parametrize(
    "weights, kwargs, error, match",
    [
        (np.zeros((784, 3)), {"image_shape": (8, 8)}, ValueError, "784 rows .* has 64 pixels"),
        (np.zeros(784), {}, ValueError, "weights must have 2 dimensions"),
        (np.zeros((10, 3)), {}, ValueError, "weights have 10 rows .* do not fill a square"),
        (np.zeros((4, 3)), {"image_shape": "ab"}, TypeError, "image_shape must be"),
        (np.full((4, 2), np.nan), {}, ValueError, "weights must be finite"),
        (np.zeros((4, 2)), {"units": [2]}, ValueError, "units must list column indices in 0..1"),
        (np.zeros((4, 2)), {"captions": ["x"]}, ValueError, "one entry per unit"),
        (np.zeros((4, 2)), {"ncols": 0}, ValueError, "ncols must be at least 1"),
        ("weights", {}, TypeError, "weights must be an array"),
    ],
)
def test_weight_images_rejects_bad_input(weights, kwargs, error, match):
    with pytest.raises(error, match=match):
        weight_images(weights, **kwargs)


def test_pixel_weight_map_draws_row_norms_and_reports_concentration():
    w = np.zeros((16, 3))
    w[5] = [3.0, 4.0, 0.0]  # norm 5: the only pixel that matters
    ax = pixel_weight_map(w, top=0.1, title="plain")
    data = np.asarray(ax.get_images()[0].get_array())
    assert data.shape == (4, 4)
    assert data.flat[5] == pytest.approx(5.0) and data.sum() == pytest.approx(5.0)
    assert "plain" in ax.get_title() and "100% of the weight" in ax.get_title()


def test_pixel_weight_map_uses_the_given_axes_and_rejects_bad_input():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert pixel_weight_map(np.ones((9, 2)), ax=ax) is ax
    assert "top 10% of pixels: 11% of the weight" in ax.get_title()  # 1 of 9 equal pixels
    with pytest.raises(ValueError, match="top must be a fraction"):
        pixel_weight_map(np.ones((9, 2)), top=0)
    with pytest.raises(ValueError, match="has 4 pixels"):
        pixel_weight_map(np.ones((9, 2)), image_shape=(2, 2))


def test_pixel_weight_map_names_weights_when_rows_fill_no_square_and_draws_nothing():
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match=r"weights have 15 rows .* image_shape=\(height, width\)"):
        pixel_weight_map(np.ones((15, 3)))
    assert not plt.get_fignums()  # refused before any figure was made
    ax = pixel_weight_map(np.ones((15, 3)), image_shape=(3, 5))
    assert np.asarray(ax.get_images()[0].get_array()).shape == (3, 5)


def test_pixel_weight_map_huge_finite_weights_do_not_overflow():
    import warnings

    w = np.full((4, 2), 1e300)
    w[0] *= -1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the old w**2 overflowed to inf here
        ax = pixel_weight_map(w)
    data = np.asarray(ax.get_images()[0].get_array())
    np.testing.assert_allclose(data, np.full((2, 2), np.sqrt(2) * 1e300))
    assert "25% of the weight" in ax.get_title()  # 1 of 4 equal pixels
    with pytest.raises(ValueError, match="weights are too large"):
        pixel_weight_map(np.full((4, 2), 1.7e308))


def test_pixel_weight_changes_draws_the_first_map_then_differences_on_one_scale():
    plain = np.ones((16, 2))
    kl = plain.copy()
    kl[5] = [3.0, 4.0]  # pixel 5: norm 5 instead of sqrt(2)
    l1 = plain * 0.5
    fig = pixel_weight_changes({"plain": plain, "KL": kl, "L1": l1})
    maps = [np.asarray(ax.get_images()[0].get_array()) for ax in fig.axes[:3]]
    np.testing.assert_allclose(maps[0], np.full((4, 4), np.sqrt(2)))
    assert maps[1].flat[5] == pytest.approx(5 - np.sqrt(2)) and maps[1].flat[0] == 0
    np.testing.assert_allclose(maps[2], np.full((4, 4), -np.sqrt(2) / 2))
    limits = {fig.axes[k].get_images()[0].get_clim() for k in (1, 2)}
    assert len(limits) == 1  # one shared, zero-centred scale for the differences
    lo, hi = limits.pop()
    assert lo == -hi == pytest.approx(-(5 - np.sqrt(2)))
    assert fig.axes[1].get_title().startswith("KL minus plain")
    assert len(fig.axes) == 5  # three maps and two colour bars


def test_pixel_weight_changes_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two model names"):
        pixel_weight_changes({"a": np.ones((4, 2))})
    with pytest.raises(ValueError, match="fills images of shape"):
        pixel_weight_changes({"a": np.ones((4, 2)), "b": np.ones((9, 2))})
    with pytest.raises(ValueError, match="top must be a fraction"):
        pixel_weight_changes({"a": np.ones((4, 2)), "b": np.ones((4, 2))}, top=2)


def test_activation_histograms_titles_carry_the_means():
    rng = np.random.default_rng(1)
    dense = rng.uniform(0.6, 1.0, size=(50, 10))
    sparse = np.where(rng.random((50, 10)) < 0.1, 0.9, 0.01)
    fig = activation_histograms({"plain": dense, "sparse": sparse}, rho=0.1, threshold=0.5)
    axes = np.array(fig.axes).reshape(2, 2)
    assert "plain" in axes[0, 0].get_title()
    assert f"{dense.mean():.3f}" in axes[0, 0].get_title()
    assert f"{sparse.mean():.3f}" in axes[0, 1].get_title()
    assert axes[1, 0].get_title().startswith("10.0 active units per input")
    assert f"{(sparse > 0.5).sum(axis=1).mean():.1f} active" in axes[1, 1].get_title()
    # the per-unit histogram counts every unit once; the per-input one every input once
    unit_counts = sum(p.get_height() for p in axes[0, 1].patches)
    input_counts = sum(p.get_height() for p in axes[1, 1].patches)
    assert unit_counts == 10 and input_counts == 50
    # the target rho is marked in every panel, and named once, in the first panel's legend
    assert all(any(line.get_ls() == "--" for line in ax.get_lines()) for ax in axes[0])
    assert axes[0, 0].get_legend() is not None and axes[0, 1].get_legend() is None


@pytest.mark.parametrize(
    "acts, kwargs, error, match",
    [
        ({}, {}, ValueError, "at least one model"),
        ({"a": np.zeros(5)}, {}, ValueError, "must have 2 dimensions"),
        ({"a": np.zeros((0, 3))}, {}, ValueError, "is empty"),
        ({"a": np.full((2, 2), np.inf)}, {}, ValueError, "must be finite"),
        ({"a": np.zeros((2, 2))}, {"rho": 1.2}, ValueError, "rho must be strictly between"),
        ({"a": np.zeros((2, 2))}, {"bins": 0}, ValueError, "bins must be at least 1"),
        ("relu", {}, TypeError, "activations must be a dict .* got str"),
        (np.zeros((2, 2)), {}, TypeError, "activations must be a dict .* got ndarray"),
        ({"a": np.zeros((2, 2))}, {"bins": None}, TypeError, "bins must be an integer, got None"),
        ({"a": np.zeros((2, 2))}, {"bins": float("inf")}, TypeError, "bins must be an integer"),
        ({"a": np.zeros((2, 2))}, {"bins": 2**32}, ValueError, "bins must be at most 1,000"),
        ({"a": np.zeros((2, 2))}, {"rho": "0.1"}, TypeError, "rho must be a real number"),
        ({"a": np.zeros((2, 2))}, {"threshold": None}, TypeError, "threshold must be a real"),
    ],
)
def test_activation_histograms_rejects_bad_input(acts, kwargs, error, match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        activation_histograms(acts, **kwargs)
    assert not plt.get_fignums()  # refused before any figure was made


def test_reexported_from_plots():
    assert at.plots.weight_images is weight_images
    assert {"weight_images", "pixel_weight_map", "activation_histograms"} <= set(at.plots.__all__)
