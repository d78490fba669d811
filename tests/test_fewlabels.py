"""Tests of aetutor.fewlabels: labelled subsets and the linear probe."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.fewlabels import label_draw, linear_probe


def _labels():
    return np.repeat(np.arange(4), [5, 6, 7, 8])


def test_label_draw_takes_per_class_of_every_class_sorted():
    y = _labels()
    idx = label_draw(y, 3, seed=0)
    assert np.all(np.diff(idx) > 0)
    assert np.array_equal(np.bincount(y[idx]), [3, 3, 3, 3])


def test_label_draw_seeds_repeat_and_differ():
    y = np.repeat(np.arange(3), 50)
    assert np.array_equal(label_draw(y, 10, seed=1), label_draw(y, 10, seed=1))
    assert not np.array_equal(label_draw(y, 10, seed=1), label_draw(y, 10, seed=2))


def test_label_draw_none_takes_everything():
    y = _labels()
    assert np.array_equal(label_draw(y, None), np.arange(len(y)))


def test_label_draw_rejects_bad_input():
    y = _labels()
    with pytest.raises(ValueError, match=r"per_class must be at most 5 .*class, 0\), got 6"):
        label_draw(y, 6)
    with pytest.raises(ValueError, match="per_class must be at least 1"):
        label_draw(y, 0)
    with pytest.raises(TypeError, match="per_class must be an integer"):
        label_draw(y, 2.5)
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        label_draw(np.array([0.5, 1.0]), 1)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        label_draw(y, 1, seed=-1)


def _blobs(n_per_class=40, dims=5, sep=4.0, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, dims)) * sep
    y = np.repeat(np.arange(3), n_per_class)
    return centres[y] + rng.normal(size=(len(y), dims)), y


def test_linear_probe_separable_classes_score_high_and_noise_scores_chance():
    f, y = _blobs()
    f_test, y_test = _blobs(seed=0)  # same centres, fresh draw below
    f_test = f_test + np.random.default_rng(5).normal(size=f_test.shape) * 0.1
    assert linear_probe(f, y, f_test, y_test) > 0.95
    rng = np.random.default_rng(1)
    noise_acc = linear_probe(rng.normal(size=(300, 5)), rng.integers(0, 3, 300),
                             rng.normal(size=(300, 5)), rng.integers(0, 3, 300))
    assert 0.2 < noise_acc < 0.5


def test_linear_probe_flattens_images():
    rng = np.random.default_rng(0)
    x = rng.random((30, 4, 4))
    y = np.arange(30) % 2
    x[y == 1, 0, 0] += 5
    assert linear_probe(x, y, x, y) == 1.0


def test_linear_probe_rejects_bad_input():
    f, y = _blobs()
    with pytest.raises(ValueError, match="same number of features, got 5 and 4"):
        linear_probe(f, y, f[:, :4], y)
    with pytest.raises(ValueError, match="y_train must have one label per sample"):
        linear_probe(f, y[:-1], f, y)
    with pytest.raises(ValueError, match="at least two classes"):
        linear_probe(f, np.zeros(len(f), dtype=int), f, y)
    with pytest.raises(ValueError, match="f_train must be finite"):
        linear_probe(np.full_like(f, np.nan), y, f, y)
    with pytest.raises(ValueError, match="c must be a positive number"):
        linear_probe(f, y, f, y, c=0)
    with pytest.raises(ValueError, match="f_test must be features of shape"):
        linear_probe(f, y, f[0], y[:1])


def test_linear_probe_matches_plain_scikit_learn_and_restores_blas_threads():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_info

    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1, (3, 40))
    y = np.repeat(np.arange(3), 60)
    f = centres[y] + rng.normal(0, 2.5, (len(y), 40))     # overlapping: accuracy below 1
    train, test = np.arange(0, len(y), 2), np.arange(1, len(y), 2)
    before = [(i["internal_api"], i["num_threads"]) for i in threadpool_info()]
    acc = linear_probe(f[train], y[train], f[test], y[test])
    plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    plain.fit(f[train], y[train])
    assert acc == float(np.mean(plain.predict(f[test]) == y[test]))
    assert 0.5 < acc < 1.0
    assert [(i["internal_api"], i["num_threads"]) for i in threadpool_info()] == before
