"""Tests of aetutor.metrics.principal_angles: known angles, basis invariance, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.metrics import principal_angles


def test_same_subspace_in_another_basis_gives_zero():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20, 3))
    b = a @ rng.normal(size=(3, 3))           # invertible mix: same span, other columns
    np.testing.assert_allclose(principal_angles(a, b), 0.0, atol=1e-5)


def test_perpendicular_and_known_angle():
    e = np.eye(4)
    np.testing.assert_allclose(principal_angles(e[:, :2], e[:, 2:]), [90.0, 90.0])
    t = np.radians(30.0)
    line = (np.cos(t) * e[:, 0] + np.sin(t) * e[:, 1])[:, None]
    np.testing.assert_allclose(principal_angles(e[:, [0]], line), [30.0])
    # a plane against a line inside it, and one containing the other: one angle per min(k, m)
    np.testing.assert_allclose(principal_angles(e[:, :2], line), [0.0], atol=1e-6)


def test_ascending_float64_in_range():
    rng = np.random.default_rng(1)
    out = principal_angles(rng.normal(size=(30, 5)), rng.normal(size=(30, 3)))
    assert out.shape == (3,) and out.dtype == np.float64
    assert np.all(np.diff(out) >= 0) and out.min() >= 0 and out.max() <= 90


def test_scale_does_not_matter():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2, 10, 2))
    np.testing.assert_allclose(principal_angles(a, b), principal_angles(100 * a, 0.01 * b))


@pytest.mark.parametrize(
    "a, b, match",
    [
        (np.ones((5, 2)), np.ones((4, 2)), "same number of rows"),
        (np.ones(5), np.ones((5, 1)), "must have 2 dimensions"),
        (np.full((5, 2), np.nan), np.ones((5, 1)), "must be finite"),
        (np.zeros((5, 2)), np.ones((5, 1)), "all zeros"),
        (np.ones((3, 4)), np.ones((3, 1)), "between 1 and 3 columns"),
        (np.ones((3, 0)), np.ones((3, 1)), "between 1 and 3 columns"),
    ],
)
def test_bad_input(a, b, match):
    with pytest.raises(ValueError, match=match):
        principal_angles(a, b)
