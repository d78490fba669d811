"""Figures of a sparse dictionary: trade-off, density histogram, top-activating images."""

from __future__ import annotations

import numpy as np
import pytest

import aetutor.plots as plots


def test_sparsity_tradeoff_draws_one_line_per_kind():
    ax = plots.sparsity_tradeoff({"top-k": ([4, 8], [0.3, 0.2]), "L1": ([10, 30], [0.25, 0.1])})
    assert len(ax.lines) == 2 and ax.get_xscale() == "log"
    assert ax.get_legend() is not None


@pytest.mark.parametrize(
    "curves, error",
    [({}, TypeError), ({"a": ([1, 2], [0.1])}, ValueError),
     ({"a": ([0, 2], [0.1, 0.2])}, ValueError), ({"a": [1, 2, 3]}, TypeError)],
)
def test_sparsity_tradeoff_rejects_bad_curves(curves, error):
    with pytest.raises(error):
        plots.sparsity_tradeoff(curves)


def test_density_histogram_counts_dead_features_in_the_legend():
    ax = plots.density_histogram({"a": np.array([0.0, 0.0, 0.1, 0.5]), "b": np.array([0.2, 0.3])})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a (2 of 4 dead)", "b (0 of 2 dead)"]
    with pytest.raises(ValueError, match="fractions"):
        plots.density_histogram({"a": np.array([1.5])})


def test_top_activating_draws_the_strongest_images_first():
    images = np.linspace(0, 1, 5 * 16).reshape(5, 4, 4)
    acts = np.array([[0.0, 5.0], [3.0, 1.0], [1.0, 4.0], [2.0, 3.0], [4.0, 2.0]])
    fig = plots.top_activating(images, acts, [0, 1], n=3, row_titles=["u0", "u1"])
    axes = np.array(fig.axes).reshape(2, 3)
    first_row = [ax.images[0].get_array().data for ax in axes[0]]
    np.testing.assert_allclose(first_row[0], images[4])   # unit 0 is strongest on image 4
    assert axes[1, 0].get_title(loc="left") == "u1"
    assert fig.get_figwidth() * fig.dpi <= 1200


@pytest.mark.parametrize(
    "kwargs, error",
    [({"units": [2]}, ValueError), ({"units": []}, ValueError), ({"n": 6}, ValueError),
     ({"row_titles": ["x"]}, ValueError), ({"units": [-1]}, ValueError)],
)
def test_top_activating_rejects_bad_arguments(kwargs, error):
    images = np.zeros((5, 4, 4))
    acts = np.zeros((5, 2))
    args = {"units": [0, 1], "n": 2, **kwargs}
    with pytest.raises(error):
        plots.top_activating(images, acts, **args)


@pytest.mark.parametrize(
    "second, error, match",
    [
        (None, TypeError, r"curves\['b'\] must be a pair"),
        (([1.0, np.nan], [0.2, 0.1]), ValueError, r"curves\['b'\] l0s must be finite"),
        (([1.0, 2.0], "x"), TypeError, r"curves\['b'\] fvus must be an array"),
        (([0.0, 2.0], [0.2, 0.1]), ValueError, r"curves\['b'\]: every L0 must be > 0"),
    ],
)
def test_sparsity_tradeoff_checks_every_curve_before_any_figure(second, error, match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        plots.sparsity_tradeoff({"a": ([2.0, 4.0], [0.3, 0.2]), "b": second})
    assert not plt.get_fignums()  # the first curve used to be drawn already


@pytest.mark.parametrize(
    "second, error, match",
    [
        (None, TypeError, r"densities\['b'\] must be an array"),
        ([np.nan], ValueError, r"densities\['b'\] must be finite"),
        ([1.5], ValueError, r"densities\['b'\] must be fractions in \[0, 1\]"),
    ],
)
def test_density_histogram_checks_every_array_before_any_figure(second, error, match):
    import matplotlib.pyplot as plt

    with pytest.raises(error, match=match):
        plots.density_histogram({"a": [0.1, 0.0], "b": second})
    assert not plt.get_fignums()
