"""Tests of the latent-space figures: scatter, epochs, decoded grid, histograms, embeddings."""

from __future__ import annotations

import matplotlib.colors as mcolors
import numpy as np
import pytest

import aetutor as at


@pytest.fixture
def codes():
    """Three well-separated 2-D clusters, labels 0..2."""
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    return centres[y] + rng.normal(size=(120, 2)), y


def _legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_class_colors_are_fixed_by_label_value():
    c = at.plots.class_colors([0, 1, 0, 9])
    assert c.shape == (4, 4)
    np.testing.assert_array_equal(c[0], c[2])
    assert not np.allclose(c[0], c[1])
    np.testing.assert_allclose(c[1], mcolors.to_rgba("C1"))  # tab10 order, like C0..C9
    assert len({tuple(row) for row in at.plots.class_colors(np.arange(15))}) == 15
    assert len({tuple(row) for row in at.plots.class_colors(np.arange(30))}) == 30


def test_latent_scatter_colours_points_by_class_with_a_named_legend(codes):
    z, y = codes
    ax = at.plots.latent_scatter(z, y, class_names=["cat", "dog", "eel"], title="codes")
    assert _legend_texts(ax) == ["cat", "dog", "eel"]
    assert ax.get_title() == "codes"
    (points,) = ax.collections
    offsets = np.asarray(points.get_offsets())
    assert offsets.shape == (120, 2)
    # every drawn point keeps its own class colour, whatever the drawing order
    colours = points.get_facecolors()
    for row, colour in zip(offsets, colours):
        i = int(np.argmin(np.abs(z - row).sum(axis=1)))
        np.testing.assert_allclose(colour[:3], at.plots.class_colors([y[i]])[0][:3])


def test_legend_colours_match_the_points_beyond_ten_classes():
    rng = np.random.default_rng(0)
    y = np.arange(14).repeat(3)
    ax = at.plots.latent_scatter(rng.normal(size=(42, 2)), y)
    handles = ax.get_legend().legend_handles
    assert len(handles) == 14
    point_colours = at.plots.class_colors(y)
    for c, handle in enumerate(handles):
        np.testing.assert_allclose(mcolors.to_rgba(handle.get_color()), point_colours[3 * c])


def test_latent_scatter_draws_on_a_given_axes_without_legend(codes):
    import matplotlib.pyplot as plt

    z, y = codes
    _, ax = plt.subplots()
    assert at.plots.latent_scatter(z, y, ax=ax, legend=False) is ax
    assert ax.get_legend() is None


def test_latent_scatter_rejects_bad_inputs(codes):
    z, y = codes
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        at.plots.latent_scatter(np.zeros((5, 3)), np.zeros(5, int))
    with pytest.raises(ValueError, match="2 dimensions"):
        at.plots.latent_scatter(np.zeros(5), np.zeros(5, int))
    with pytest.raises(ValueError, match="one per row of z: z has 120 rows, y has 119"):
        at.plots.latent_scatter(z, y[:-1])
    bad = z.copy()
    bad[3, 1] = np.inf
    with pytest.raises(ValueError, match="finite"):
        at.plots.latent_scatter(bad, y)
    with pytest.raises(ValueError, match="class_names has 2 entries"):
        at.plots.latent_scatter(z, y, class_names=["a", "b"])
    with pytest.raises(TypeError, match="integer class labels"):
        at.plots.latent_scatter(z, y + 0.5)


def test_latent_epochs_draws_one_panel_per_epoch_with_reconstruction_errors(codes):
    z, y = codes
    rng = np.random.default_rng(1)
    images = rng.random((6, 5, 5)).astype(np.float32)
    recs = {0: np.full_like(images, 0.5), 4: images * 0.9}
    fig = at.plots.latent_epochs({4: z, 0: z * 0.01}, y, images=images, reconstructions=recs,
                                 class_names=["a", "b", "c"])  # fmt: skip
    titles = [ax.get_title() for ax in fig.axes]
    assert "untrained" in titles and "after 4 epochs" in titles
    assert titles.index("untrained") < titles.index("after 4 epochs")  # sorted by epoch
    for r in recs.values():
        mse = at.metrics.reconstruction_error(images, r).mean()
        assert f"reconstructions, MSE {mse:.4f}" in titles
    assert "originals" in titles
    assert "120 samples" in fig._suptitle.get_text()


def test_latent_epochs_fits_a_notebook_column_with_one_legend_off_the_data(codes):
    z, y = codes
    images = np.random.default_rng(2).random((8, 28, 28)).astype(np.float32)
    epochs = (0, 1, 3, 8, 25)
    fig = at.plots.latent_epochs({e: z for e in epochs}, y, images=images,
                                 reconstructions={e: images for e in epochs})  # fmt: skip
    assert fig.get_size_inches()[0] * fig.dpi <= 1200  # no wider than a JupyterLab column
    assert len(fig.legends) == 1  # one shared legend, in the figure, not over a panel
    assert not any(ax.get_legend() for ax in fig.axes)
    assert len(fig.legends[0].get_texts()) == len(np.unique(y))
    scatters = [ax for ax in fig.axes if ax.get_title().startswith(("untrained", "after"))]
    assert len(scatters) == len(epochs)
    rows = sorted({round(ax.get_position().y0, 3) for ax in scatters})
    assert len(rows) == 2  # five epochs wrap onto two rows of at most three
    with pytest.raises(ValueError, match="max_cols"):
        at.plots.latent_epochs({0: z}, y, max_cols=0)


def test_latent_epochs_works_without_images_and_checks_its_inputs(codes):
    z, y = codes
    fig = at.plots.latent_epochs({1: z}, y)
    assert [ax.get_title() for ax in fig.axes] == ["after 1 epoch"]
    with pytest.raises(ValueError, match="at least one epoch"):
        at.plots.latent_epochs({}, y)
    with pytest.raises(ValueError, match="same samples"):
        at.plots.latent_epochs({0: z, 1: z[:10]}, y)
    with pytest.raises(ValueError, match="pass images="):
        at.plots.latent_epochs({0: z}, y, reconstructions={0: np.zeros((2, 4, 4))})
    images = np.zeros((2, 4, 4), np.float32)
    with pytest.raises(ValueError, match=r"no entry for epoch\(s\) \[1\]"):
        at.plots.latent_epochs({0: z, 1: z}, y, images=images, reconstructions={0: images})
    with pytest.raises(ValueError, match="must match images' shape"):
        at.plots.latent_epochs({0: z}, y, images=images, reconstructions={0: images[:1]})
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        at.plots.latent_epochs({0: z}, y, images=images, reconstructions={0: images + 2})


def test_latent_grid_codes_span_the_range_in_reading_order():
    z = np.array([[0.0, 0.0], [4.0, 2.0], [2.0, 1.0]])
    codes, extent = at.plots.latent_grid_codes(z, n=3, quantiles=(0.0, 1.0))
    assert codes.shape == (9, 2) and codes.dtype == np.float32
    np.testing.assert_allclose(codes[0], [0.0, 2.0])  # top-left: smallest z1, largest z2
    np.testing.assert_allclose(codes[2], [4.0, 2.0])  # top-right
    np.testing.assert_allclose(codes[-1], [4.0, 0.0])  # bottom-right
    np.testing.assert_allclose(extent, (-1.0, 5.0, -0.5, 2.5))  # tiles centred on the codes
    # collapsed codes still give a grid, around them
    flat_codes, _ = at.plots.latent_grid_codes(np.ones((5, 2)), n=2)
    assert np.ptp(flat_codes[:, 0]) > 0 and np.ptp(flat_codes[:, 1]) > 0


def test_latent_grid_codes_rejects_bad_arguments():
    z = np.zeros((4, 2))
    with pytest.raises(ValueError, match="n must be at least 2"):
        at.plots.latent_grid_codes(z, n=1)
    with pytest.raises(ValueError, match="quantiles"):
        at.plots.latent_grid_codes(z, quantiles=(0.9, 0.1))
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        at.plots.latent_grid_codes(np.zeros((4, 5)))


def test_latent_grid_decodes_once_and_places_the_mosaic_over_the_codes(codes):
    z, y = codes
    calls = []

    def decode(c):
        calls.append(c.shape)
        # each tile's brightness follows z1, so the mosaic is not constant
        v = (c[:, 0] - c[:, 0].min()) / np.ptp(c[:, 0])
        return np.broadcast_to(v[:, None, None], (len(c), 4, 4)).astype(np.float32)

    ax = at.plots.latent_grid(decode, z, y, n=5, class_names=["a", "b", "c"])
    assert calls == [(25, 2)]  # one batched call for the whole grid
    (image,) = ax.images
    assert image.get_array().shape == (20, 20)
    _, extent = at.plots.latent_grid_codes(z, n=5)
    np.testing.assert_allclose(image.get_extent(), extent)
    assert _legend_texts(ax) == ["a", "b", "c"]
    assert "5x5" in ax.get_title() and "spread" in ax.get_title()
    assert image.get_cmap().name == "gray_r"
    assert at.plots.latent_grid(decode, z, n=3, cmap="gray").images[0].get_cmap().name == "gray"

    constant = at.plots.latent_grid(lambda c: np.zeros((len(c), 4, 4)), z, n=3)
    assert "spread 0.000" in constant.get_title()

    # only max_points codes are drawn over the tiles, but the grid spans them all
    few = at.plots.latent_grid(decode, z, y, n=5, max_points=30)
    assert np.asarray(few.collections[0].get_offsets()).shape == (30, 2)
    np.testing.assert_allclose(few.images[0].get_extent(), extent)


def test_latent_grid_rejects_bad_decoders_and_codes(codes):
    z, y = codes
    with pytest.raises(TypeError, match="callable"):
        at.plots.latent_grid(np.zeros((9, 4, 4)), z)
    with pytest.raises(ValueError, match="one image per code"):
        at.plots.latent_grid(lambda c: np.zeros((3, 4, 4)), z, n=3)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        at.plots.latent_grid(lambda c: np.full((len(c), 4, 4), 3.0), z, n=3)
    with pytest.raises(ValueError, match="one label per sample"):
        at.plots.latent_grid(lambda c: np.zeros((len(c), 4, 4)), z, y[:5], n=3)
    with pytest.raises(ValueError, match="max_points must be at least 1"):
        at.plots.latent_grid(lambda c: np.zeros((len(c), 4, 4)), z, n=3, max_points=0)


def test_latent_histograms_title_each_dimension_with_its_mean_and_std():
    rng = np.random.default_rng(0)
    z = np.c_[rng.normal(3.0, 2.0, 500), rng.normal(-1.0, 0.5, 500), rng.normal(size=500)]
    fig = at.plots.latent_histograms(z, bins=20)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 3
    for d, title in enumerate(titles):
        assert f"mean {z[:, d].mean():.2f}, std {z[:, d].std():.2f}" in title
    assert "all 3" in fig._suptitle.get_text()
    many = at.plots.latent_histograms(rng.normal(size=(50, 12)), max_dims=4)
    assert "first 4 of 12" in many._suptitle.get_text()


def test_latent_histograms_reject_bad_inputs():
    with pytest.raises(ValueError, match="at least 2 codes"):
        at.plots.latent_histograms(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="finite"):
        at.plots.latent_histograms(np.array([[0.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(ValueError, match="2 dimensions"):
        at.plots.latent_histograms(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="bins must be at least 1"):
        at.plots.latent_histograms(np.zeros((3, 2)), bins=0)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_embedding_2d_draws_a_subsample_of_long_codes(method):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), 30)
    z = rng.normal(size=(120, 16)) + 6 * np.eye(16)[y]
    ax = at.plots.embedding_2d(z, y, method=method, n_samples=60, class_names=list("abcd"))
    (points,) = ax.collections
    assert np.asarray(points.get_offsets()).shape == (60, 2)
    assert np.isfinite(np.asarray(points.get_offsets())).all()
    assert "16-D codes (60 samples" in ax.get_title()
    assert ("PCA" if method == "pca" else "t-SNE") in ax.get_title()
    if method == "pca":
        assert "of variance" in ax.get_title()


def test_embedding_2d_rejects_bad_inputs():
    z = np.random.default_rng(0).normal(size=(10, 4))
    y = np.zeros(10, int)
    with pytest.raises(ValueError, match="method must be one of pca, tsne"):
        at.plots.embedding_2d(z, y, method="umap")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        at.plots.embedding_2d(np.zeros((10, 1)), y)
    with pytest.raises(ValueError, match="one label per sample"):
        at.plots.embedding_2d(z, y[:3])
    with pytest.raises(ValueError, match="n_samples must be at least 3"):
        at.plots.embedding_2d(z, y, n_samples=2)
    with pytest.raises(ValueError, match="perplexity must be positive"):
        at.plots.embedding_2d(z, y, perplexity=0)


def test_latent_grid_codes_refuse_codes_beyond_float32_naming_z():
    z = np.array([[0.0, 0.0], [1e39, 1.0], [2.0, 3.0]])  # finite in float64, inf in float32
    with pytest.raises(ValueError, match=r"z must fit in float32 .* got values up to 1e\+39"):
        at.plots.latent_grid_codes(z, n=3)
    with pytest.raises(ValueError, match="z must fit in float32"):
        at.plots.latent_grid(lambda c: np.zeros((len(c), 4, 4)), z, n=3)
    big = np.array([[-3e38, 0.0], [3e38, 1.0]])  # large, but float32 holds it
    grid, extent = at.plots.latent_grid_codes(big, n=3, quantiles=(0.0, 1.0))
    assert grid.dtype == np.float32 and np.isfinite(grid).all() and np.isfinite(extent).all()


@pytest.mark.parametrize("draw", ["scatter", "grid", "embedding"])
def test_labels_of_another_length_name_z_as_well_as_y(codes, draw):
    import matplotlib.pyplot as plt

    z, y = codes
    calls = {
        "scatter": lambda: at.plots.latent_scatter(z[:7], y),
        "grid": lambda: at.plots.latent_grid(lambda c: np.zeros((len(c), 4, 4)), z[:7], y, n=3),
        "embedding": lambda: at.plots.embedding_2d(np.c_[z, z][:7], y, method="pca"),
    }
    with pytest.raises(ValueError, match="y must have one label per sample, one per row of z: "
                                         "z has 7 rows, y has 120 labels"):
        calls[draw]()
    assert not plt.get_fignums()


@pytest.mark.parametrize("seed", [None, 1.5, -1, 2**32])
def test_latent_scatter_checks_seed_before_any_figure(codes, seed):
    import matplotlib.pyplot as plt

    with pytest.raises((TypeError, ValueError), match="seed must be"):
        at.plots.latent_scatter(*codes, seed=seed)
    assert not plt.get_fignums()


def test_huge_codes_are_refused_before_their_squares_overflow():
    z = np.array([[1e300, -1e300], [-1e300, 1e300], [1.0, 2.0]])
    with pytest.raises(ValueError, match=r"z must lie within ±1e\+150"):
        at.plots.latent_histograms(z)
    with pytest.raises(ValueError, match=r"z must lie within ±1e\+150"):
        at.plots.embedding_2d(z, np.zeros(3, int), method="pca")


def test_embedding_2d_refuses_codes_that_are_all_the_same_point():
    with pytest.raises(ValueError, match="z must vary"):
        at.plots.embedding_2d(np.ones((10, 4)), np.zeros(10, int), method="pca")
