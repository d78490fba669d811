"""Tests of aetutor.retrieval: nearest neighbours and precision@k."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.retrieval import nearest_neighbours, precision_at_k


def test_neighbours_are_the_closest_in_order():
    db = np.array([[0.0], [10.0], [3.0], [1.0], [7.0]])
    nb = nearest_neighbours(np.array([[0.2], [8.0]]), db, k=3)
    assert nb.tolist() == [[0, 3, 2], [4, 1, 2]]


def test_neighbours_agree_with_brute_force_for_any_batch_size():
    rng = np.random.default_rng(0)
    q, db = rng.normal(size=(37, 6)), rng.normal(size=(80, 6))
    d = np.linalg.norm(q[:, None] - db[None], axis=2)
    want = np.argsort(d, axis=1, kind="stable")[:, :5]
    for batch in (1, 7, 512):
        assert np.array_equal(nearest_neighbours(q, db, 5, batch_size=batch), want)


def test_k_equal_to_the_database_size_ranks_everything():
    db = np.array([[3.0], [1.0], [2.0]])
    assert nearest_neighbours(np.array([[0.0]]), db, k=3).tolist() == [[1, 2, 0]]


def test_cosine_ignores_length_and_euclidean_does_not():
    db = np.array([[10.0, 0.0], [0.9, 0.5]])
    q = np.array([[1.0, 0.0]])
    assert nearest_neighbours(q, db, 1, metric="cosine").tolist() == [[0]]
    assert nearest_neighbours(q, db, 1, metric="euclidean").tolist() == [[1]]


def test_images_are_flattened():
    rng = np.random.default_rng(1)
    db = rng.random((20, 4, 4))
    assert nearest_neighbours(db[[3, 7]], db, 1).ravel().tolist() == [3, 7]


def test_neighbours_reject_bad_input():
    db = np.zeros((5, 3))
    with pytest.raises(ValueError, match="same number of features, got 2 and 3"):
        nearest_neighbours(np.zeros((1, 2)), db)
    with pytest.raises(ValueError, match=r"k must be at most the database size \(5\), got 10"):
        nearest_neighbours(np.zeros((1, 3)), db, k=10)
    with pytest.raises(ValueError, match="metric must be one of euclidean, cosine"):
        nearest_neighbours(np.zeros((1, 3)), db, k=2, metric="manhattan")
    with pytest.raises(ValueError, match="queries must be finite"):
        nearest_neighbours(np.full((1, 3), np.inf), db, k=2)
    with pytest.raises(ValueError, match="database must be features of shape"):
        nearest_neighbours(np.zeros((1, 3)), np.zeros(3), k=1)


def test_precision_at_k_counts_neighbours_of_the_query_class():
    y_db = np.array([0, 0, 1, 1, 2])
    nb = np.array([[0, 1, 1], [2, 3, 4], [4, 4, 0]])
    p = precision_at_k(np.array([0, 1, 1]), y_db, nb)
    np.testing.assert_allclose(p, [1.0, 2 / 3, 0.0])


def test_precision_at_k_of_a_random_order_is_about_the_class_share():
    rng = np.random.default_rng(0)
    y_db = np.repeat(np.arange(10), 100)
    nb = np.stack([rng.permutation(1000)[:10] for _ in range(500)])
    assert abs(precision_at_k(rng.integers(0, 10, 500), y_db, nb).mean() - 0.1) < 0.02


def test_precision_at_k_rejects_bad_input():
    y_db = np.array([0, 1, 2])
    with pytest.raises(ValueError, match="neighbours must be indices of shape"):
        precision_at_k([0], y_db, np.array([0, 1]))
    with pytest.raises(TypeError, match="integer indices"):
        precision_at_k([0], y_db, np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"must index the database \(0..2\)"):
        precision_at_k([0], y_db, np.array([[0, 3]]))
    with pytest.raises(ValueError, match="y_queries must have one label per sample"):
        precision_at_k([0, 1], y_db, np.array([[0, 1]]))
