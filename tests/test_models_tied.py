"""Tests of tied weights: the DenseTranspose layer and dense_autoencoder(tied=True)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from aetutor.models import DenseTranspose, dense_autoencoder


def _dense(inputs=6, units=3, activation=None):
    layer = keras.layers.Dense(units, activation=activation)
    layer.build((None, inputs))
    return layer


def test_dense_transpose_multiplies_by_the_transposed_kernel_plus_its_own_bias():
    enc = _dense()
    layer = DenseTranspose(enc, activation="sigmoid")
    z = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(z))
    want = 1 / (1 + np.exp(-(z @ enc.kernel.numpy().T + layer.bias.numpy())))
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-6)
    assert out.shape == (4, 6)
    assert [w.shape for w in layer.trainable_weights if w is not enc.kernel] == [(6,)]


def test_dense_transpose_shares_the_kernel_it_is_tied_to():
    enc = _dense()
    layer = DenseTranspose(enc)
    z = np.ones((1, 3), dtype="float32")
    before = keras.ops.convert_to_numpy(layer(z))
    enc.kernel.assign(enc.kernel.numpy() * 2)
    after = keras.ops.convert_to_numpy(layer(z))
    np.testing.assert_allclose(after, 2 * before, rtol=1e-5, atol=1e-6)


def test_dense_transpose_rejects_bad_input():
    with pytest.raises(TypeError, match="tied must be a keras.layers.Dense layer, got Conv2D"):
        DenseTranspose(keras.layers.Conv2D(2, 3))
    with pytest.raises(ValueError, match="is not built yet"):
        DenseTranspose(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="takes inputs with 3 features .*got 5"):
        DenseTranspose(_dense())(np.zeros((2, 5), dtype="float32"))
    with pytest.raises(NotImplementedError, match="cannot be saved on its own"):
        DenseTranspose(_dense()).get_config()


def test_tied_autoencoder_has_about_half_the_weights_and_one_copy_of_each_kernel():
    untied = dense_autoencoder((28, 28), 16, hidden=(64,))
    tied = dense_autoencoder((28, 28), 16, hidden=(64,), tied=True)
    kernels = 784 * 64 + 64 * 16
    biases = 64 + 16 + 64 + 784
    assert untied.count_params() == 2 * kernels + biases
    assert tied.count_params() == kernels + biases
    assert len(tied.trainable_weights) == 6  # 2 kernels, 2 encoder biases, 2 decoder biases


def test_tied_autoencoder_decodes_with_the_encoder_kernels_and_trains():
    ae = dense_autoencoder((4, 4), 2, hidden=(5,), tied=True)
    w1, w2 = ae.encoder.get_layer("enc_1").kernel, ae.encoder.get_layer("code").kernel
    assert ae.decoder.get_layer("dec_1").tied_kernel is w2
    assert ae.decoder.get_layer("pixels").tied_kernel is w1
    x = np.random.default_rng(0).random((64, 4, 4)).astype("float32")
    ae.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    before = w1.numpy().copy()
    history = ae.fit(x, x, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert not np.allclose(before, w1.numpy())
    assert ae.reconstruct(x).shape == x.shape


def test_tied_must_be_a_bool():
    with pytest.raises(TypeError, match="tied must be True or False, got 'yes'"):
        dense_autoencoder((4, 4), 2, hidden=(5,), tied="yes")
