"""Sparse autoencoders on activations: the top-k layer, the builder and the resampler."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import aetutor as at
from aetutor.sae import DeadFeatureResampler, TopK, normalise_rows, sparse_dictionary


def test_top_k_keeps_the_k_largest_after_a_relu():
    x = np.array([[3.0, -1.0, 2.0, 0.5], [-3.0, -2.0, -1.0, 4.0]], dtype="float32")
    out = keras.ops.convert_to_numpy(TopK(2)(x))
    np.testing.assert_allclose(out, [[3.0, 0.0, 2.0, 0.0], [0.0, 0.0, 0.0, 4.0]])
    # second row: its 2nd largest (-1) is negative, so only one feature survives the ReLU


@pytest.mark.parametrize("k, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_top_k_rejects_bad_k(k, error):
    with pytest.raises(error, match="k"):
        TopK(k)


def test_top_k_wider_than_its_input_is_refused():
    with pytest.raises(ValueError, match="at most the number of features"):
        TopK(5)(np.zeros((2, 4), dtype="float32"))


@pytest.mark.parametrize("sparsity", [{"k": 3}, {"l1": 1e-3}])
def test_builder_shapes_unit_rows_and_round_trip(sparsity):
    model = sparse_dictionary(6, 24, seed=0, **sparsity)
    kernel = keras.ops.convert_to_numpy(model.decoder.get_layer("dictionary").kernel)
    assert kernel.shape == (24, 6)
    np.testing.assert_allclose(np.linalg.norm(kernel, axis=1), 1.0, atol=1e-5)
    h = np.random.default_rng(0).random((10, 6)).astype("float32")
    f = model.encode(h)
    assert f.shape == (10, 24) and np.all(f >= 0)
    if "k" in sparsity:
        assert np.all((f > 0).sum(axis=1) <= 3)
    assert model.reconstruct(h).shape == (10, 6)


def test_builder_is_seeded():
    a = sparse_dictionary(5, 10, k=2, seed=3).get_weights()
    b = sparse_dictionary(5, 10, k=2, seed=3).get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({}, ValueError, "exactly one of k"),
        ({"k": 2, "l1": 0.1}, ValueError, "exactly one of k"),
        ({"k": 11}, ValueError, "at most n_features"),
        ({"l1": -1.0}, ValueError, "l1"),
        ({"k": "2"}, TypeError, "k"),
    ],
)
def test_builder_rejects_bad_sparsity(kwargs, error, match):
    with pytest.raises(error, match=match):
        sparse_dictionary(4, 10, **kwargs)


def test_builder_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_features"):
        sparse_dictionary(4, 0, k=1)
    with pytest.raises(TypeError, match="n_inputs"):
        sparse_dictionary(4.0, 10, k=1)


def test_unit_norm_constraint_holds_after_training():
    model = sparse_dictionary(8, 32, k=4, seed=1)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    h = np.random.default_rng(1).random((64, 8)).astype("float32")
    model.fit(h, h, epochs=2, batch_size=16, verbose=0)
    kernel = keras.ops.convert_to_numpy(model.decoder.get_layer("dictionary").kernel)
    np.testing.assert_allclose(np.linalg.norm(kernel, axis=1), 1.0, atol=1e-4)


def test_normalise_rows_needs_a_built_dense_layer():
    with pytest.raises(TypeError, match="Dense"):
        normalise_rows(keras.layers.ReLU())


def test_resampler_revives_dead_features():
    rng = np.random.default_rng(0)
    h = rng.random((200, 8)).astype("float32")
    model = sparse_dictionary(8, 64, k=2, seed=0)
    encode = model.encoder.get_layer("encode")
    w = np.array(keras.ops.convert_to_numpy(encode.kernel))  # a writable copy on every backend
    w[:, 32:] = -1.0  # half the features can never win: dead from the start
    encode.kernel.assign(w)
    before = int((model.encode(h).max(axis=0) <= 0).sum())
    assert before >= 32
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    resampler = DeadFeatureResampler(h, every=1, seed=0)
    model.fit(h, h, epochs=3, batch_size=50, verbose=0, callbacks=[resampler])
    assert [epoch for epoch, _ in resampler.resampled] == [1, 2]  # never in the last epoch
    assert resampler.resampled[0][1] >= 32
    after = int((model.encode(h).max(axis=0) <= 0).sum())
    assert after < before
    kernel = keras.ops.convert_to_numpy(model.decoder.get_layer("dictionary").kernel)
    np.testing.assert_allclose(np.linalg.norm(kernel, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize(
    "args, kwargs, error",
    [
        ((np.zeros((0, 4)),), {}, ValueError),
        ((np.zeros(4),), {}, ValueError),
        ((np.full((3, 4), np.nan),), {}, ValueError),
        ((np.zeros((3, 4)),), {"every": 0}, ValueError),
        ((np.zeros((3, 4)),), {"scale": 0}, ValueError),
        ((np.zeros((3, 4)),), {"scale": "big"}, ValueError),
    ],
)
def test_resampler_rejects_bad_input(args, kwargs, error):
    with pytest.raises(error):
        DeadFeatureResampler(*args, **kwargs)


def test_the_submodules_are_reachable_from_the_package():
    assert at.sae.sparse_dictionary is sparse_dictionary
    assert callable(at.dictionary.class_purity)


@pytest.mark.parametrize("k", [1, 2, 8, 32])
def test_kth_largest_distinct_matches_top_k_on_distinct_values(k):
    from aetutor.sae import kth_largest_distinct

    x = np.random.default_rng(k).normal(size=(5, 3, 40)).astype("float32")
    got = keras.ops.convert_to_numpy(kth_largest_distinct(x, k))
    assert got.shape == (5, 3, 1)
    np.testing.assert_array_equal(got[..., 0], np.sort(x, axis=-1)[..., -k])
    want = keras.ops.convert_to_numpy(keras.ops.top_k(x.reshape(15, 40), k)[0][:, -1])
    np.testing.assert_array_equal(got.ravel(), want)


def test_kth_largest_distinct_counts_ties_once_and_gives_minus_inf_past_the_end():
    from aetutor.sae import kth_largest_distinct

    x = np.array([[5.0, 5.0, 3.0, 1.0], [2.0, 2.0, 2.0, 2.0]], dtype="float32")
    for k, want in [(1, [5.0, 2.0]), (2, [3.0, -np.inf]), (3, [1.0, -np.inf])]:
        got = keras.ops.convert_to_numpy(kth_largest_distinct(x, k))[:, 0]
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="k"):
        kth_largest_distinct(x, 0)
