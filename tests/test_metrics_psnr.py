"""Tests of aetutor.metrics.psnr: known values, the cap for identical images, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.metrics import PSNR_MAX_DB, psnr, reconstruction_error


def test_known_values():
    x = np.zeros((3, 4, 4), dtype=np.float32)
    x_hat = x.copy()
    x_hat[0] += 0.1  # MSE 0.01 -> 20 dB
    x_hat[1] += 0.5  # MSE 0.25 -> 6.02 dB
    x_hat[2] += 1.0  # MSE 1 -> 0 dB
    np.testing.assert_allclose(psnr(x, x_hat), [20.0, 10 * np.log10(4), 0.0], atol=1e-5)


def test_one_value_per_sample_float64_any_shape():
    rng = np.random.default_rng(0)
    x = rng.random((5, 6, 7))
    out = psnr(x, np.clip(x + 0.05, 0, 1))
    assert out.shape == (5,) and out.dtype == np.float64
    flat = psnr(x.reshape(5, -1), np.clip(x + 0.05, 0, 1).reshape(5, -1))
    np.testing.assert_allclose(out, flat)


def test_matches_mse_definition_and_halving_mse_adds_3db():
    rng = np.random.default_rng(1)
    x = rng.random((10, 8, 8))
    x_hat = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)
    mse = reconstruction_error(x, x_hat)
    np.testing.assert_allclose(psnr(x, x_hat), -10 * np.log10(mse))
    # scaling the error by 1/sqrt(2) halves the MSE: +3.01 dB
    np.testing.assert_allclose(psnr(x, x + (x_hat - x) / np.sqrt(2)) - psnr(x, x_hat),
                               10 * np.log10(2))


def test_identical_images_are_capped_not_infinite():
    x = np.random.default_rng(2).random((4, 5, 5))
    out = psnr(x, x.copy())
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, PSNR_MAX_DB)
    assert PSNR_MAX_DB == 100.0
    # the cap only bites at MSE below 1e-10: a tiny real error still scores below it
    assert psnr(x[:1], x[:1] + 1e-4)[0] == pytest.approx(80.0)


def test_data_range_scales():
    x = np.zeros((2, 3, 3))
    x_hat = x + 25.5  # an 8-bit error of 25.5 is 0.1 of the range: 20 dB
    np.testing.assert_allclose(psnr(x, x_hat, data_range=255), 20.0)
    np.testing.assert_allclose(psnr(x, x.copy(), data_range=255), PSNR_MAX_DB)


def test_higher_is_better():
    x = np.full((1, 10, 10), 0.5)
    assert psnr(x, x + 0.01)[0] > psnr(x, x + 0.1)[0]


@pytest.mark.parametrize("data_range", [0, -1, np.inf, np.nan])
def test_rejects_bad_data_range(data_range):
    x = np.zeros((1, 2, 2))
    with pytest.raises(ValueError, match="data_range must be positive and finite"):
        psnr(x, x, data_range=data_range)


def test_rejects_non_numeric_data_range():
    x = np.zeros((1, 2, 2))
    with pytest.raises(TypeError, match="data_range must be a number"):
        psnr(x, x, data_range="1")


def test_rejects_shape_mismatch_and_nan():
    x = np.zeros((2, 3, 3))
    with pytest.raises(ValueError, match="same shape"):
        psnr(x, np.zeros((2, 3, 4)))
    bad = x.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="x_hat must be finite"):
        psnr(x, bad)
