"""Sparse autoencoders: the KL and L1 activity penalties, the penalty layer and the builder."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.models import (
    ActivityPenalty,
    Autoencoder,
    KLSparsity,
    L1Sparsity,
    sparse_autoencoder,
)


def _kl_penalty(a: np.ndarray, rho: float, beta: float) -> float:
    """The textbook formula in float64: beta * sum_j KL(rho || mean activation of unit j)."""
    q = a.astype(np.float64).mean(axis=0)
    return beta * float(np.sum(rho * np.log(rho / q) + (1 - rho) * np.log((1 - rho) / (1 - q))))


def test_kl_matches_the_formula_and_is_zero_at_the_target():
    a = np.random.default_rng(0).uniform(0.01, 0.3, size=(40, 7)).astype(np.float32)
    value = float(KLSparsity(rho=0.1, beta=2.5)(a))
    assert value == pytest.approx(_kl_penalty(a, 0.1, 2.5), rel=1e-4)
    assert value > 0
    at_target = np.full((8, 5), 0.1, np.float32)
    assert float(KLSparsity(rho=0.1, beta=3.0)(at_target)) == pytest.approx(0.0, abs=1e-5)


def test_kl_grows_as_the_mean_activation_leaves_rho_on_either_side():
    reg = KLSparsity(rho=0.05, beta=1.0)
    values = [float(reg(np.full((4, 3), q, np.float32))) for q in (0.05, 0.1, 0.3, 0.6)]
    assert values == sorted(values) and values[0] < 1e-5
    assert float(reg(np.full((4, 3), 0.01, np.float32))) > 0.01  # below the target costs too


def test_kl_stays_finite_for_silent_or_saturated_units():
    reg = KLSparsity(rho=0.05, beta=1.0)
    for q in (0.0, 1.0):
        assert np.isfinite(float(reg(np.full((6, 4), q, np.float32))))


def test_kl_averages_over_the_batch_not_per_sample():
    # half the samples fire fully, half not at all: each unit's mean is 0.5
    a = np.zeros((10, 3), np.float32)
    a[:5] = 1.0
    assert float(KLSparsity(rho=0.5, beta=1.0)(a)) == pytest.approx(0.0, abs=1e-5)


def test_l1_is_the_mean_over_samples_of_the_summed_absolute_activations():
    a = np.random.default_rng(1).normal(size=(6, 4)).astype(np.float32)
    assert float(L1Sparsity(l1=0.3)(a)) == pytest.approx(0.3 * np.abs(a).sum(axis=1).mean(),
                                                        rel=1e-5)
    # the same value whatever the batch size
    assert float(L1Sparsity(l1=0.3)(np.tile(a, (3, 1)))) == pytest.approx(
        float(L1Sparsity(l1=0.3)(a)), rel=1e-5)


def test_regularizers_round_trip_through_their_config():
    kl = KLSparsity(rho=0.2, beta=0.7)
    assert KLSparsity.from_config(kl.get_config()).get_config() == {"rho": 0.2, "beta": 0.7}
    assert L1Sparsity.from_config(L1Sparsity(l1=0.01).get_config()).l1 == 0.01


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"rho": 0.0}, ValueError, "rho must be strictly between 0 and 1"),
        ({"rho": 1.0}, ValueError, "rho must be strictly between 0 and 1"),
        ({"rho": "0.05"}, TypeError, "rho must be a number"),
        ({"beta": -1.0}, ValueError, "beta must be a finite number >= 0"),
        ({"beta": float("nan")}, ValueError, "beta must be a finite number >= 0"),
    ],
)
def test_kl_rejects_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        KLSparsity(**kwargs)


def test_penalty_layer_adds_the_penalty_once_per_batch():
    """The loss term is beta * sum KL exactly, not divided by the batch size."""
    import keras

    a = np.random.default_rng(2).uniform(0.05, 0.5, size=(32, 6)).astype(np.float32)
    layer = ActivityPenalty(KLSparsity(rho=0.1, beta=2.0))
    out = layer(a)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out), a)
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(_kl_penalty(a, 0.1, 2.0), rel=1e-4)
    with pytest.raises(ValueError, match="regularizer must be"):
        ActivityPenalty(None)


@pytest.mark.parametrize("sparsity", ["kl", "l1", None])
def test_builder_shapes_and_names(sparsity):
    ae = sparse_autoencoder((8, 8), 12, sparsity=sparsity)
    assert isinstance(ae, Autoencoder) and ae.latent_dim == 12
    assert ae.encoder.get_layer("code").kernel.shape == (64, 12)
    assert ae.count_params() == (64 * 12 + 12) + (12 * 64 + 64)  # the penalty has no weights
    x = np.random.default_rng(0).random((5, 8, 8)).astype(np.float32)
    z = ae.encode(x)
    assert z.shape == (5, 12) and 0 <= z.min() and z.max() <= 1  # sigmoid units
    assert ae.reconstruct(x).shape == (5, 8, 8)
    penalties = [layer for layer in ae.encoder.layers if isinstance(layer, ActivityPenalty)]
    assert len(penalties) == (0 if sparsity is None else 1)


def test_model_loss_is_reconstruction_plus_kl_penalty():
    import keras

    ae = sparse_autoencoder(16, 5, sparsity="kl", rho=0.1, beta=0.5)
    ae.compile(optimizer="adam", loss="binary_crossentropy")
    x = np.random.default_rng(3).random((20, 16)).astype(np.float32)
    loss = ae.evaluate(x, x, batch_size=20, verbose=0)
    bce = float(np.mean(keras.ops.convert_to_numpy(
        keras.losses.binary_crossentropy(x, ae.reconstruct(x)))))
    assert loss == pytest.approx(bce + _kl_penalty(ae.encode(x), 0.1, 0.5), rel=1e-4)


def test_kl_training_pulls_the_mean_activation_towards_rho():
    import keras

    keras.utils.set_random_seed(0)
    x = (np.random.default_rng(4).random((256, 16)) > 0.5).astype(np.float32)
    ae = sparse_autoencoder(16, 8, sparsity="kl", rho=0.1, beta=1.0)
    ae.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy")
    before = float(ae.encode(x).mean())
    ae.fit(x, x, epochs=30, batch_size=64, verbose=0)
    after = float(ae.encode(x).mean())
    assert abs(after - 0.1) < 0.5 * abs(before - 0.1), (before, after)


def test_weight_decay_adds_kernel_losses():
    ae = sparse_autoencoder(16, 4, sparsity=None, weight_decay=1e-3)
    assert ae.encoder.get_layer("code").kernel_regularizer is not None
    assert ae.decoder.get_layer("pixels").kernel_regularizer is not None
    assert sparse_autoencoder(16, 4, sparsity=None).encoder.get_layer("code").kernel_regularizer \
        is None


def test_save_and_load_keep_the_penalty(tmp_path):
    import keras

    ae = sparse_autoencoder(16, 4, sparsity="kl", rho=0.2, beta=0.3)
    path = tmp_path / "sparse.keras"
    ae.save(path)
    loaded = keras.saving.load_model(path)
    layer = loaded.encoder.get_layer("kl_sparsity")
    assert isinstance(layer.regularizer, KLSparsity)
    assert layer.regularizer.get_config() == {"rho": 0.2, "beta": 0.3}
    x = np.random.default_rng(5).random((3, 16)).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), ae.reconstruct(x), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"sparsity": "l2"}, ValueError, "sparsity must be 'kl', 'l1' or None"),
        ({"rho": 1.5}, ValueError, "rho must be strictly between 0 and 1"),
        ({"beta": -0.1}, ValueError, "beta must be a finite number >= 0"),
        ({"l1": -1e-3}, ValueError, "l1 must be a finite number >= 0"),
        ({"l1": True}, TypeError, "l1 must be a number"),
        ({"weight_decay": float("inf")}, ValueError, "weight_decay must be a finite number"),
        ({"activation": "relu"}, ValueError, "needs activations in \\[0, 1\\]"),
        ({"latent_dim": 0}, ValueError, "latent_dim must be at least 1"),
    ],
)
def test_builder_rejects_bad_settings(kwargs, error, match):
    kwargs = {"latent_dim": 4, **kwargs}
    with pytest.raises(error, match=match):
        sparse_autoencoder((8, 8), **kwargs)


def test_l1_allows_relu_units():
    ae = sparse_autoencoder(16, 4, sparsity="l1", activation="relu")
    assert ae.encode(np.ones((2, 16), np.float32)).min() >= 0
