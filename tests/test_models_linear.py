"""Tests of aetutor.models.linear_autoencoder: structure, linearity, the PCA optimum, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.models import Autoencoder, linear_autoencoder


def _dense_layers(model):
    return [layer for part in (model.encoder, model.decoder) for layer in part.layers
            if layer.__class__.__name__ == "Dense"]


def test_shapes_parameters_and_no_activation():
    model = linear_autoencoder((6, 5), 3)
    assert isinstance(model, Autoencoder)
    assert model.latent_dim == 3
    assert tuple(model.output.shape[1:]) == (6, 5)
    assert model.count_params() == (30 * 3 + 3) + (3 * 30 + 30)
    dense = _dense_layers(model)
    assert [layer.name for layer in dense] == ["code", "pixels"]
    assert all(layer.activation.__name__ == "linear" for layer in dense)


def test_without_bias_has_only_weights():
    model = linear_autoencoder(12, 4, use_bias=False, name="no_bias")
    assert model.name == "no_bias"
    assert model.count_params() == 12 * 4 * 2
    assert all(not layer.use_bias for layer in _dense_layers(model))
    x = np.zeros((2, 12), dtype=np.float32)
    np.testing.assert_array_equal(model.reconstruct(x), 0.0)  # linear without offset: 0 -> 0


def test_is_affine_and_unbounded():
    model = linear_autoencoder(8, 2)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 5, 8)).astype(np.float32) * 10
    f = model.reconstruct
    zero = f(np.zeros((5, 8), np.float32))
    np.testing.assert_allclose(f(a + b) - zero, (f(a) - zero) + (f(b) - zero), atol=1e-3)
    assert np.abs(f(a)).max() > 1.0  # no sigmoid squashing the output into [0, 1]


def test_with_pca_weights_it_reconstructs_exactly_like_pca():
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(200, 3)) * [3.0, 2.0, 1.0]) @ rng.normal(size=(3, 10)) + 0.5
    x += 0.01 * rng.normal(size=x.shape)
    mean = x.mean(axis=0)
    v = np.linalg.svd(x - mean, full_matrices=False)[2][:2]      # (2, 10)
    model = linear_autoencoder(10, 2)
    model.encoder.get_layer("code").kernel.assign(v.T.astype("float32"))
    model.encoder.get_layer("code").bias.assign((-mean @ v.T).astype("float32"))
    model.decoder.get_layer("pixels").kernel.assign(v.astype("float32"))
    model.decoder.get_layer("pixels").bias.assign(mean.astype("float32"))
    expected = (x - mean) @ v.T @ v + mean
    np.testing.assert_allclose(model.reconstruct(x.astype("float32")), expected, atol=1e-4)


def test_training_approaches_the_pca_error_from_above():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(2)
    x = ((rng.normal(size=(256, 4)) * [4.0, 2.0, 1.0, 0.5]) @ np.linalg.qr(
        rng.normal(size=(8, 4)))[0].T + 0.3 * rng.normal(size=(256, 8))).astype("float32")
    mean = x.mean(axis=0)
    v = np.linalg.svd(x - mean, full_matrices=False)[2][:2]
    pca_mse = np.mean((x - ((x - mean) @ v.T @ v + mean)) ** 2)
    model = linear_autoencoder(8, 2)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    first = model.evaluate(x, x, verbose=0)
    model.fit(x, x, epochs=150, batch_size=256, verbose=0)
    mse = np.mean((x - model.reconstruct(x)) ** 2)
    assert first > 2 * pca_mse
    assert pca_mse * (1 - 1e-4) <= mse <= pca_mse * 1.05


def test_round_trips_through_keras_save(tmp_path):
    import keras

    model = linear_autoencoder((4, 4), 2)
    path = tmp_path / "linear.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(3).random((3, 4, 4)).astype("float32")
    np.testing.assert_allclose(loaded.reconstruct(x), model.reconstruct(x), atol=1e-6)


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        (((28, 28), 0), {}, ValueError, "latent_dim must be at least 1"),
        (((28, 28), 2.5), {}, TypeError, "latent_dim must be an integer"),
        (((), 2), {}, ValueError, "input_shape must not be empty"),
        (((28, 0), 2), {}, ValueError, "at least 1"),
        (((28, 28), 2), {"use_bias": "yes"}, TypeError, "use_bias must be True or False"),
    ],
)
def test_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        linear_autoencoder(*args, **kwargs)
