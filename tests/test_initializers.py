"""Tests of aetutor.initializers: Keras's default distributions, drawn with NumPy, repeatable."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from aetutor.initializers import GlorotUniform, Zeros, fans, numpy_defaults
from aetutor.models import conv_autoencoder, dense_autoencoder


@pytest.mark.parametrize(
    "shape, expected",
    [((784, 32), (784, 32)), ((3, 3, 16, 32), (144, 288)), ((10,), (10, 10)), ((), (1, 1))],
)
def test_fans_count_like_keras(shape, expected):
    assert fans(shape) == expected


def test_glorot_uniform_has_keras_limit_and_spread():
    w = GlorotUniform(seed=0)((400, 600), dtype="float32")
    limit = math.sqrt(6 / (400 + 600))
    assert w.shape == (400, 600) and w.dtype == np.float32
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit            # it reaches the edges ...
    assert abs(w.std() - limit / math.sqrt(3)) < 0.01 * limit   # ... and is uniform in between
    assert abs(w.mean()) < 0.01 * limit


def test_seeded_repeats_and_seeds_differ():
    a = GlorotUniform(seed=3)((20, 5))
    np.testing.assert_array_equal(a, GlorotUniform(seed=3)((20, 5)))
    assert not np.array_equal(a, GlorotUniform(seed=4)((20, 5)))


def test_unseeded_follows_the_global_seed():
    keras.utils.set_random_seed(7)
    first = GlorotUniform()((20, 5))
    keras.utils.set_random_seed(7)
    np.testing.assert_array_equal(first, GlorotUniform()((20, 5)))


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_bad_seed_is_named(seed):
    with pytest.raises(ValueError, match="seed must be None or an int >= 0"):
        GlorotUniform(seed=seed)


def test_zeros_and_defaults():
    z = Zeros()((3, 2), dtype="float32")
    assert z.dtype == np.float32 and not z.any()
    defaults = numpy_defaults()
    assert isinstance(defaults["kernel_initializer"], GlorotUniform)
    assert isinstance(defaults["bias_initializer"], Zeros)
    assert numpy_defaults()["kernel_initializer"] is not defaults["kernel_initializer"]


def test_builders_start_like_keras_defaults():
    keras.utils.set_random_seed(0)
    model = dense_autoencoder((28, 28), 8, hidden=(64,))
    kernel = model.encoder.get_layer("enc_1").kernel.numpy()
    limit = math.sqrt(6 / (784 + 64))
    assert np.abs(kernel).max() <= limit and kernel.std() > 0.5 * limit / math.sqrt(3)
    assert not model.encoder.get_layer("enc_1").bias.numpy().any()
    conv = conv_autoencoder((28, 28), (4, 8), latent_dim=4)
    k = conv.encoder.get_layer("conv_2").kernel.numpy()
    assert np.abs(k).max() <= math.sqrt(6 / (9 * 4 + 9 * 8))


def test_clone_gives_fresh_weights_and_saving_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    model = dense_autoencoder(12, 3, hidden=(6,))
    clone = keras.models.clone_model(model.encoder)
    assert isinstance(clone.get_layer("enc_1").kernel_initializer, GlorotUniform)
    assert not np.array_equal(clone.get_layer("enc_1").kernel.numpy(),
                              model.encoder.get_layer("enc_1").kernel.numpy())
    path = tmp_path / "encoder.keras"
    model.encoder.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.get_layer("enc_1").kernel.numpy(),
                                  model.encoder.get_layer("enc_1").kernel.numpy())
    assert isinstance(loaded.get_layer("enc_1").kernel_initializer, GlorotUniform)
