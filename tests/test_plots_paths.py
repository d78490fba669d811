"""Figures of interpolation paths: strips, a path on a 2-D map, profiles along t."""

from __future__ import annotations

import numpy as np
import pytest

import aetutor as at
from aetutor.interpolation import empty_region_mask, lerp
from aetutor.plots._tiles import captions_of, framed_of, notes_of, row_labels_of


@pytest.fixture
def strips():
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 3, 6, 6)).astype(np.float32)
    return lerp(a, b, 5), lerp(a[:, ::-1], b[:, ::-1], 5)  # (3, 5, 6, 6) each


def test_interpolation_draws_one_row_per_kind_and_labels_columns_with_t(strips):
    latent, pixel = strips
    fig = at.plots.interpolation({"latent path": latent[0], "pixel cross-fade": pixel[0]})
    images = fig.axes[0].get_images()  # every strip in one frameless Axes
    assert len(images) == 2 * 5
    assert captions_of(fig, 0) == ["t=0.00", "t=0.25", "t=0.50", "t=0.75", "t=1.00"]
    assert captions_of(fig, 1) == []  # only the top row says t
    assert row_labels_of(fig) == ["latent path", "pixel cross-fade"]
    np.testing.assert_allclose(images[7].get_array(), pixel[0, 2])


def test_interpolation_stacks_pairs_with_spacers_and_reports_midpoint_scores(strips):
    latent, pixel = strips
    scores = {"latent path": np.arange(15.0).reshape(3, 5), "pixel cross-fade": np.ones((3, 5))}
    fig = at.plots.interpolation(
        {"latent path": latent, "pixel cross-fade": pixel},
        pair_labels=["a→b", "c→d", "e→f"], scores=scores, score_name="distance",
    )  # fmt: skip
    images = fig.axes[0].get_images()
    assert len(images) == 3 * 2 * 5  # 6 image rows
    assert row_labels_of(fig)[2] == "c→d\nlatent path"  # row 3 = second pair
    assert notes_of(fig, 0)[2] == "2.00" and notes_of(fig, 5) == ["1.00"] * 5
    tops = [images[5 * r].get_extent()[3] for r in range(6)]
    steps = np.diff(tops)
    assert steps[1] > steps[0] and steps[3] > steps[2]  # a gap between pairs, not within
    heading = fig._suptitle.get_text()
    assert "distance" in heading and "latent path 7.00" in heading  # mean of 2, 7, 12 (t=0.5)
    assert "pixel cross-fade 1.00" in heading and "over 3 pairs" in heading


def test_interpolation_frames_the_midpoint_or_the_highlighted_images(strips):
    latent, pixel = strips
    fig = at.plots.interpolation({"a": latent[0], "b": pixel[0]})
    assert framed_of(fig) == [(0, 2), (1, 2)]  # t = 0.5 in both rows
    marks = np.array([True, False, False, False, True])
    fig = at.plots.interpolation({"a": latent[0], "b": pixel[0]}, highlight={"a": marks})
    assert framed_of(fig) == [(0, 0), (0, 4)]  # only the marked images of row "a"
    with pytest.raises(ValueError, match="highlight\\['c'\\] names no path"):
        at.plots.interpolation({"a": latent[0]}, highlight={"c": marks})


def test_interpolation_accepts_flat_images_with_a_shape(strips):
    latent, _ = strips
    fig = at.plots.interpolation({"path": latent[0].reshape(5, 36)}, image_shape=(6, 6))
    assert len(fig.axes[0].get_images()) == 5


def test_interpolation_rejects_bad_input(strips):
    latent, pixel = strips
    with pytest.raises(ValueError, match="at least one row name"):
        at.plots.interpolation({})
    with pytest.raises(ValueError, match="same \\(n_pairs, steps\\)"):
        at.plots.interpolation({"a": latent, "b": pixel[:2]})
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        at.plots.interpolation({"a": latent * 10})
    with pytest.raises(ValueError, match="pair_labels has 1 names for 3 pairs"):
        at.plots.interpolation({"a": latent}, pair_labels=["x"])
    with pytest.raises(ValueError, match="names no path"):
        at.plots.interpolation({"a": latent}, scores={"b": np.zeros((3, 5))})
    with pytest.raises(ValueError, match=r"must have shape \(3, 5\)"):
        at.plots.interpolation({"a": latent}, scores={"a": np.zeros((3, 4))})
    with pytest.raises(ValueError, match="one strip"):
        at.plots.interpolation({"a": np.zeros((2, 2, 5, 6, 6))})


@pytest.fixture
def clusters():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(-5, 0.3, (100, 2)), rng.normal(5, 0.3, (100, 2))])
    y = np.repeat([0, 1], 100)
    return z, y


def test_latent_path_circles_points_in_the_gap_and_counts_them(clusters):
    z, y = clusters
    path = lerp(np.array([[-5.0, -5.0]]), np.array([[5.0, 5.0]]), 11)[0]
    ax = at.plots.latent_path(z, y, {"straight": path}, class_names=["left", "right"])
    empty = empty_region_mask(path, z)
    assert not empty[[0, -1]].any() and empty.sum() > 0
    assert f"{int(empty.sum())} of 9 points between the ends" in ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["left", "right", "straight", "start", "end", "in an empty region"]
    circled = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(circled, path[empty])


def test_latent_path_judges_the_ends_only_when_asked(clusters):
    z, y = clusters
    lonely = np.array([[0.0, 8.0], [0.0, 6.0], [-5.0, -5.0]])  # starts far from every code
    ax = at.plots.latent_path(z, y, lonely)
    assert ax.get_title().startswith("1 of 1 points between the ends")
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), lonely[[1]])
    ax = at.plots.latent_path(z, y, lonely, ends=True)
    assert ax.get_title().startswith("2 of 3 path points")
    np.testing.assert_allclose(ax.collections[-1].get_offsets(), lonely[:2])


def test_latent_path_numbers_each_path_once_apart_and_names_it_in_the_legend(clusters):
    import matplotlib.pyplot as plt

    z, y = clusters
    _, ax = plt.subplots()
    start = np.array([[-5.0, -5.0]])
    paths = {name: lerp(start, np.array([end]), 9)[0]
             for name, end in (("a", [5.0, 5.0]), ("b", [5.0, -5.0]), ("c", [-5.0, 5.0]))}
    out = at.plots.latent_path(z, y, paths, ax=ax, max_points=50)
    assert out is ax
    assert "of 21 points between the ends" in ax.get_title()
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3"]  # one number per path
    spots = np.array([t.get_position() for t in ax.texts])
    gaps = np.linalg.norm(spots[:, None] - spots[None], axis=2)[np.triu_indices(3, 1)]
    assert gaps.min() > 0.15  # in axes fractions: labels apart, although the paths share a start
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-3:] == ["1: a", "2: b", "3: c"]
    _, ax = plt.subplots()
    at.plots.latent_path(z, y, paths, ax=ax, labels=False, legend=False)
    assert not ax.texts and ax.get_legend() is None


def test_latent_path_zooms_on_the_paths_and_can_skip_the_legend(clusters):
    z, y = clusters
    path = np.array([[-5.0, -5.0], [-4.0, -4.0]])
    ax = at.plots.latent_path(z, y, path, zoom=2.0, legend=False)
    np.testing.assert_allclose(ax.get_xlim(), (-5.5, -3.5))
    np.testing.assert_allclose(ax.get_ylim(), (-5.5, -3.5))
    assert ax.get_legend() is None
    with pytest.raises(ValueError, match="zoom must be at least 1"):
        at.plots.latent_path(z, y, path, zoom=0.5)


def test_latent_path_rejects_bad_input(clusters):
    z, y = clusters
    path = np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        at.plots.latent_path(np.zeros((10, 3)), np.zeros(10, int), path)
    with pytest.raises(ValueError, match="one label per sample"):
        at.plots.latent_path(z, y[:5], path)
    with pytest.raises(ValueError, match=r"steps >= 2, 2"):
        at.plots.latent_path(z, y, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least one path"):
        at.plots.latent_path(z, y, {})
    with pytest.raises(ValueError, match="max_points must be at least 1"):
        at.plots.latent_path(z, y, path, max_points=0)


def test_path_profile_plots_means_with_a_band_and_titles_the_midpoint():
    values = {"latent": np.array([[1.0, 2.0, 1.0], [1.0, 4.0, 1.0]]),
              "pixels": np.array([[1.0, 5.0, 1.0], [1.0, 7.0, 1.0]])}  # fmt: skip
    ax = at.plots.path_profile(values, reference=0.5, ylabel="distance")
    means = [line.get_ydata() for line in ax.get_lines()[:2]]
    np.testing.assert_allclose(means[0], [1.0, 3.0, 1.0])
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0.0, 0.5, 1.0])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["latent (3 at t=0.50)", "pixels (6 at t=0.50)"]
    assert "over 2 pairs" in ax.get_title()
    assert ax.get_ylabel() == "distance"
    assert len(ax.collections) == 2  # one band per curve


def test_path_profile_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one path kind"):
        at.plots.path_profile({})
    with pytest.raises(ValueError, match="same number of steps"):
        at.plots.path_profile({"a": np.zeros((2, 3)), "b": np.zeros((2, 4))})
    with pytest.raises(ValueError, match="must have 2 dimensions"):
        at.plots.path_profile({"a": np.zeros(3)})
    with pytest.raises(ValueError, match="NaN or infinite"):
        at.plots.path_profile({"a": np.full((2, 3), np.inf)})


@pytest.mark.parametrize(
    "change, error, match",
    [
        ({"n_neighbors": 1.7}, TypeError, "n_neighbors must be an integer"),
        ({"n_neighbors": 0}, ValueError, "n_neighbors must be at least 1"),
        ({"n_neighbors": 2**32}, ValueError, "more codes than n_neighbors"),
        ({"zoom": 0.5}, ValueError, "zoom must be at least 1"),
        ({"zoom": "2"}, TypeError, "zoom must be a real number"),
        ({"seed": -1}, ValueError, "seed must be in"),
        ({"z": np.full((30, 2), 1e300)}, ValueError, r"z must lie within ±1e150"),
        ({"z": np.zeros((29, 2))}, ValueError, "one per row of z: z has 29 rows, y has 30"),
    ],
)
def test_latent_path_refuses_bad_arguments_before_any_figure(clusters, change, error, match):
    import matplotlib.pyplot as plt

    z, y = clusters
    kwargs = {"z": z[:30], "y": y[:30], "paths": {"p": np.zeros((5, 2))}, "n_neighbors": 5,
              **change}  # fmt: skip
    with pytest.raises(error, match=match):
        at.plots.latent_path(**kwargs)
    assert not plt.get_fignums()  # refused before the map was drawn
