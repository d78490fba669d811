"""Interpolation paths: lerp, slerp, random pairs and empty regions of a latent map."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.interpolation import empty_region_mask, lerp, path_fractions, random_pairs, slerp


def test_path_fractions_include_both_ends_and_the_midpoint():
    t = path_fractions(5)
    np.testing.assert_allclose(t, [0.0, 0.25, 0.5, 0.75, 1.0])
    with pytest.raises(ValueError, match="steps must be at least 2"):
        path_fractions(1)
    with pytest.raises(TypeError, match="steps must be an integer"):
        path_fractions(4.5)


def test_lerp_walks_each_pair_in_a_straight_line():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3, 4)).astype(np.float32)
    path = lerp(a, b, 5)
    assert path.shape == (3, 5, 4) and path.dtype == np.float32
    np.testing.assert_allclose(path[:, 0], a, rtol=1e-6)
    np.testing.assert_allclose(path[:, -1], b, rtol=1e-6)
    np.testing.assert_allclose(path[:, 2], (a + b) / 2, rtol=1e-5, atol=1e-6)
    steps = np.diff(path, axis=1)  # equal steps along a line
    np.testing.assert_allclose(steps, np.repeat(steps[:, :1], 4, axis=1), atol=1e-5)


def test_lerp_cross_fades_images_of_any_shape():
    a = np.zeros((2, 6, 6), np.float32)
    b = np.ones((2, 6, 6), np.float32)
    fade = lerp(a, b, 3)
    assert fade.shape == (2, 3, 6, 6)
    np.testing.assert_allclose(fade[:, 1], 0.5)


def test_lerp_rejects_bad_input():
    with pytest.raises(ValueError, match=r"for one pair pass a\[None\]"):
        lerp(np.zeros(4), np.ones(4), 3)
    with pytest.raises(ValueError, match="same shape"):
        lerp(np.zeros((2, 4)), np.ones((2, 5)), 3)
    with pytest.raises(ValueError, match="NaN or infinite"):
        lerp(np.full((1, 4), np.nan), np.ones((1, 4)), 3)
    with pytest.raises(ValueError, match="empty"):
        lerp(np.zeros((0, 4)), np.zeros((0, 4)), 3)
    with pytest.raises(TypeError, match="must be an array of numbers"):
        lerp("abc", np.ones((1, 4)), 3)


def test_slerp_keeps_the_norm_of_equal_length_codes_where_lerp_cuts_inside():
    a = np.array([[3.0, 0.0, 0.0]])
    b = np.array([[0.0, 3.0, 0.0]])
    arc = slerp(a, b, 9)
    line = lerp(a, b, 9)
    np.testing.assert_allclose(np.linalg.norm(arc, axis=-1), 3.0, rtol=1e-12)
    assert np.linalg.norm(line[0, 4]) == pytest.approx(3.0 / np.sqrt(2))
    np.testing.assert_allclose(arc[0, 0], a[0], atol=1e-12)
    np.testing.assert_allclose(arc[0, -1], b[0], atol=1e-12)
    # equal angles per step: the midpoint bisects the angle
    np.testing.assert_allclose(arc[0, 4], [3 / np.sqrt(2), 3 / np.sqrt(2), 0.0], atol=1e-12)


def test_slerp_falls_back_to_lerp_for_parallel_codes_and_keeps_float32():
    a = np.array([[1.0, 2.0], [1.0, 0.0]], np.float32)
    b = np.array([[2.0, 4.0], [0.0, 1.0]], np.float32)
    path = slerp(a, b, 5)
    assert path.dtype == np.float32 and path.shape == (2, 5, 2)
    assert np.all(np.isfinite(path))
    np.testing.assert_allclose(path[0], lerp(a[:1], b[:1], 5)[0], rtol=1e-6)


def test_slerp_rejects_zero_codes_and_images():
    with pytest.raises(ValueError, match="all-zero code"):
        slerp(np.zeros((1, 3)), np.ones((1, 3)), 3)
    with pytest.raises(ValueError, match="must have 2 dimensions"):
        slerp(np.ones((2, 4, 4)), np.ones((2, 4, 4)), 3)


def test_random_pairs_join_different_classes_reproducibly():
    y = np.repeat(np.arange(3), 10)
    i_a, i_b = random_pairs(y, 20, seed=1)
    assert len(i_a) == len(i_b) == 20
    assert np.all(y[i_a] != y[i_b])
    assert len({(a, b) for a, b in zip(i_a, i_b)}) == 20  # no pair twice
    j_a, j_b = random_pairs(y, 20, seed=1)
    np.testing.assert_array_equal(i_a, j_a)
    np.testing.assert_array_equal(i_b, j_b)
    k_a, _ = random_pairs(y, 20, seed=2)
    assert not np.array_equal(i_a, k_a)
    same_a, same_b = random_pairs(y, 5, different_classes=False, seed=0)
    assert np.all(same_a != same_b)


def test_random_pairs_rejects_bad_input():
    with pytest.raises(ValueError, match="at least two classes"):
        random_pairs(np.zeros(10, int), 3)
    with pytest.raises(ValueError, match="could not draw 50 distinct pairs"):
        random_pairs(np.array([0, 1]), 50)
    with pytest.raises(ValueError, match="n_pairs must be at least 1"):
        random_pairs(np.array([0, 1, 2]), 0)
    with pytest.raises(TypeError, match="integer class labels"):
        random_pairs(np.array([0.5, 1.0]), 1)


def test_empty_region_mask_finds_the_gap_between_two_clusters():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(-5, 0.3, (200, 2)), rng.normal(5, 0.3, (200, 2))])
    path = lerp(np.array([[-5.0, -5.0]]), np.array([[5.0, 5.0]]), 11)  # (1, 11, 2)
    empty = empty_region_mask(path, z)
    assert empty.shape == (1, 11)
    assert not empty[0, 0] and not empty[0, -1]  # the ends sit inside the clusters
    assert empty[0, 5]  # the midpoint (0, 0) is far from every code
    assert empty_region_mask(np.array([[-5.0, -5.0], [5.0, 5.0]]), z).sum() == 0


def test_empty_region_mask_judges_density_locally():
    rng = np.random.default_rng(1)
    dense = rng.normal(0, 0.2, (300, 2))
    spread = rng.normal(0, 5.0, (300, 2)) + [40.0, 0.0]  # a wide, sparse but gap-free cluster
    z = np.concatenate([dense, spread])
    assert not empty_region_mask(np.array([[40.0, 0.0]]), z)[0]  # inside the sparse cluster
    assert empty_region_mask(np.array([[1.5, 0.0]]), z)[0]  # just off the dense one: a gap
    share = empty_region_mask(z, z, quantile=0.9).mean()  # about 10% of the codes by definition
    assert 0.02 < share < 0.2


def test_empty_region_mask_takes_float32_codes_without_a_warning():
    import warnings

    z = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the range check once cast 1e150 to float32 (inf)
        mask = empty_region_mask(z[:5, None], z)
    assert mask.shape == (5, 1)


def test_empty_region_mask_rejects_bad_input():
    z = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(ValueError, match="latent size 2"):
        empty_region_mask(np.zeros((3, 3)), z)
    with pytest.raises(ValueError, match="more codes than n_neighbors=20"):
        empty_region_mask(np.zeros((3, 2)), z[:10])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        empty_region_mask(np.zeros((3, 2)), z, quantile=1.0)
    with pytest.raises(ValueError, match="must have 2 dimensions"):
        empty_region_mask(np.zeros((3, 2)), np.zeros(10))
    with pytest.raises(ValueError, match="n_neighbors must be at least 1"):
        empty_region_mask(np.zeros((3, 2)), z, n_neighbors=0)
