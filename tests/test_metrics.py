"""Per-sample reconstruction errors against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.metrics import reconstruction_error


def test_mse_and_mae_per_sample():
    x = np.zeros((2, 2, 2), np.float32)
    x_hat = np.array([[[0.5, 0.5], [0.5, 0.5]], [[1.0, 0.0], [0.0, 0.0]]], np.float32)
    np.testing.assert_allclose(reconstruction_error(x, x_hat), [0.25, 0.25])
    np.testing.assert_allclose(reconstruction_error(x, x_hat, kind="mae"), [0.5, 0.25])


def test_bce_matches_the_formula_and_is_finite_at_the_edges():
    x = np.array([[1.0, 0.0]])
    x_hat = np.array([[0.8, 0.4]])
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    np.testing.assert_allclose(reconstruction_error(x, x_hat, kind="bce"), [expected])
    edge = reconstruction_error(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]), kind="bce")
    assert np.isfinite(edge).all() and edge[0] > 10


def test_perfect_reconstruction_has_zero_error():
    x = np.random.default_rng(0).random((5, 7))
    assert np.all(reconstruction_error(x, x.copy()) == 0)


def test_bad_inputs_say_what_was_expected():
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"same shape, got \(3, 4\) and \(3, 5\)"):
        reconstruction_error(x, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="kind must be one of mse, mae, bce"):
        reconstruction_error(x, x, kind="rmse")
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        reconstruction_error(x, bad)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        reconstruction_error(x + 2, x, kind="bce")
    with pytest.raises(TypeError):
        reconstruction_error("abc", x)


# --- checkerboard_energy ------------------------------------------------------------------------


def test_checkerboard_energy_is_zero_on_smooth_images_and_one_on_a_checkerboard():
    from aetutor.metrics import checkerboard_energy

    i, j = np.mgrid[0:6, 0:8]
    flat = np.full((6, 8), 0.3)
    ramp = (i + 2 * j) / 20.0
    board = ((i + j) % 2).astype(float)
    e = checkerboard_energy(np.stack([flat, ramp, board]))
    np.testing.assert_allclose(e, [0.0, 0.0, 1.0], atol=1e-12)
    noisy = checkerboard_energy((ramp + 0.05 * board)[None])
    assert 0 < noisy[0] < 0.01


def test_checkerboard_energy_rejects_bad_input():
    from aetutor.metrics import checkerboard_energy

    with pytest.raises(ValueError, match=r"batch of images \(n, height, width\)"):
        checkerboard_energy(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="height, width >= 2"):
        checkerboard_energy(np.zeros((2, 1, 5)))
    with pytest.raises(ValueError, match="x must be finite"):
        checkerboard_energy(np.full((1, 3, 3), np.nan))
