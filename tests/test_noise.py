"""Tests of aetutor.noise: statistics, determinism, dtype/shape and the bad-input errors."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor import noise

FUNCS = {
    "masking": noise.masking_noise,
    "gaussian": noise.gaussian_noise,
    "salt_and_pepper": noise.salt_and_pepper_noise,
}


@pytest.fixture
def grey():
    """Mid-grey images: every pixel is 0.5, so any change is visible."""
    return np.full((50, 20, 20), 0.5, dtype=np.float32)


@pytest.fixture
def images():
    return np.random.default_rng(0).random((40, 12, 12)).astype(np.float32)


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_keeps_shape_dtype_range_and_leaves_input_alone(kind, images):
    before = images.copy()
    for dtype in (np.float32, np.float64):
        x = images.astype(dtype)
        out = noise.corrupt(x, kind, 0.4, seed=0)
        assert out.shape == x.shape and out.dtype == dtype
        assert out.min() >= 0 and out.max() <= 1
        assert not np.array_equal(out, x)
    np.testing.assert_array_equal(images, before)


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_works_on_flat_vectors_and_single_images(kind, images):
    flat = images.reshape(len(images), -1)
    assert noise.corrupt(flat, kind, 0.3, seed=1).shape == flat.shape
    assert noise.corrupt(images[0], kind, 0.3, seed=1).shape == images[0].shape


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_same_seed_same_noise_and_generator_gives_fresh_noise(kind, images):
    a = noise.corrupt(images, kind, 0.3, seed=7)
    b = noise.corrupt(images, kind, 0.3, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, noise.corrupt(images, kind, 0.3, seed=8))
    rng = np.random.default_rng(7)
    first = noise.corrupt(images, kind, 0.3, seed=rng)
    second = noise.corrupt(images, kind, 0.3, seed=rng)
    np.testing.assert_array_equal(first, a)  # a Generator seeded 7 draws what seed=7 draws
    assert not np.array_equal(first, second)  # and the next call draws new noise


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_level_zero_changes_nothing(kind, images):
    np.testing.assert_array_equal(noise.corrupt(images, kind, 0, seed=0), images)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_masking_zeroes_close_to_rate(rate, grey):
    out = noise.masking_noise(grey, rate, seed=0)
    zeroed = np.mean(out == 0)
    assert abs(zeroed - rate) < 0.02  # 20,000 pixels: the std of the fraction is < 0.004
    np.testing.assert_array_equal(out[out != 0], 0.5)  # the rest is untouched
    assert np.all(noise.masking_noise(grey, 1.0, seed=0) == 0)


@pytest.mark.parametrize("sigma", [0.05, 0.2])
def test_gaussian_has_the_right_spread_and_no_bias(sigma, grey):
    out = noise.gaussian_noise(grey, sigma, seed=0)
    diff = out.astype(np.float64) - 0.5
    assert abs(diff.std() - sigma) < 0.05 * sigma  # at 0.5, clipping at 4+ sigma is negligible
    assert abs(diff.mean()) < 0.01


def test_gaussian_clips_to_unit_range():
    x = np.array([[0.0, 1.0, 0.5, 0.99]] * 1000, dtype=np.float32)
    out = noise.gaussian_noise(x, 2.0, seed=0)
    assert out.min() == 0 and out.max() == 1
    assert np.mean(out == 1) > 0.3 and np.mean(out == 0) > 0.3  # big sigma: mostly clipped


@pytest.mark.parametrize("rate", [0.1, 0.6])
def test_salt_and_pepper_hits_rate_half_each(rate, grey):
    out = noise.salt_and_pepper_noise(grey, rate, seed=0)
    salt, pepper = np.mean(out == 1), np.mean(out == 0)
    assert abs(salt + pepper - rate) < 0.02
    assert abs(salt - pepper) < 0.02
    assert set(np.unique(out)) <= {0.0, 0.5, 1.0}


def test_gaussian_sigma_may_exceed_one_but_rates_may_not(images):
    noise.gaussian_noise(images, 1.5, seed=0)  # allowed: heavy noise
    with pytest.raises(ValueError, match=r"masking noise rate .* must be \[0, 1\], got 1.5"):
        noise.masking_noise(images, 1.5, seed=0)
    with pytest.raises(ValueError, match=r"salt_and_pepper noise rate .* must be \[0, 1\]"):
        noise.salt_and_pepper_noise(images, -0.1, seed=0)


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
@pytest.mark.parametrize("level", [-0.01, np.nan, np.inf])
def test_rejects_bad_levels(kind, level, images):
    with pytest.raises(ValueError, match=f"{kind} noise .* must be"):
        FUNCS[kind](images, level, seed=0)


@pytest.mark.parametrize("level", ["0.3", None, True])
def test_rejects_non_numeric_levels(level, images):
    with pytest.raises(TypeError, match="must be a number"):
        noise.gaussian_noise(images, level, seed=0)


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_rejects_non_finite_and_out_of_range_images(kind, images):
    bad = images.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="must be finite"):
        FUNCS[kind](bad, 0.2, seed=0)
    with pytest.raises(ValueError, match=r"must hold values in \[0, 1\].*divide 8-bit"):
        FUNCS[kind](images * 255, 0.2, seed=0)
    with pytest.raises(ValueError, match=r"must hold values in \[0, 1\]"):
        FUNCS[kind](images - 0.5, 0.2, seed=0)


def test_rejects_integer_images_and_bad_seeds(images):
    with pytest.raises(TypeError, match="floating-point"):
        noise.masking_noise(np.ones((2, 3, 3), dtype=np.uint8), 0.2, seed=0)
    for seed in (None, -1, 1.5, "0"):
        with pytest.raises(TypeError, match="seed must be"):
            noise.masking_noise(images, 0.2, seed=seed)
    with pytest.raises(TypeError):
        noise.masking_noise(images, 0.2)  # randomness is explicit: seed is required


def test_corrupt_rejects_unknown_kind(images):
    with pytest.raises(ValueError, match="kind must be one of masking, gaussian, salt_and_pepper"):
        noise.corrupt(images, "speckle", 0.1, seed=0)


def test_check_noise_level_returns_float():
    assert noise.check_noise_level("gaussian", 1) == 1.0
    assert isinstance(noise.check_noise_level("masking", np.float32(0.25)), float)
