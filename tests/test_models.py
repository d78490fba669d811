"""The dense builder and the Autoencoder wrapper."""

from __future__ import annotations

import numpy as np
import pytest

import aetutor as at
from aetutor.models import Autoencoder, dense_autoencoder


def test_lesson_01_shape_784_128_32_128_784():
    ae = dense_autoencoder((28, 28), 32, hidden=(128,))
    assert isinstance(ae, Autoencoder)
    assert ae.encoder.name == "encoder" and ae.decoder.name == "decoder"
    dense_units = [layer.units for layer in ae.encoder.layers + ae.decoder.layers
                   if hasattr(layer, "units")]  # fmt: skip
    assert dense_units == [128, 32, 128, 784]
    assert ae.latent_dim == 32
    assert ae.count_params() == (784 * 128 + 128) + (128 * 32 + 32) + (32 * 128 + 128) + (
        128 * 784 + 784
    )


def test_encode_decode_reconstruct_shapes_and_range():
    ae = dense_autoencoder((8, 8), 3, hidden=(16, 8))
    x = np.random.default_rng(0).random((5, 8, 8)).astype(np.float32)
    z = ae.encode(x)
    assert z.shape == (5, 3)
    x_hat = ae.decode(z)
    assert x_hat.shape == (5, 8, 8) and 0 <= x_hat.min() and x_hat.max() <= 1
    np.testing.assert_allclose(ae.reconstruct(x), x_hat, rtol=1e-5, atol=1e-6)


def test_flat_inputs_work_too():
    ae = dense_autoencoder(64, 2)
    assert ae.reconstruct(np.zeros((3, 64), np.float32)).shape == (3, 64)


def test_training_lowers_the_loss():
    at.setup(seed=0, verbose=False)
    x = at.load_dataset("digits").flat().x_train
    ae = dense_autoencoder(64, 8, hidden=(32,))
    ae.compile(optimizer="adam", loss="mse")
    history = ae.fit(x, x, epochs=8, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]


def test_save_and_load_round_trip(tmp_path):
    import keras

    ae = dense_autoencoder((8, 8), 2, hidden=(8,))
    path = tmp_path / "ae.keras"
    ae.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, Autoencoder)
    x = np.random.default_rng(1).random((4, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(loaded.encode(x), ae.encode(x), rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"latent_dim": 0}, ValueError, "latent_dim must be at least 1, got 0"),
        ({"latent_dim": 2.5}, TypeError, "latent_dim must be an integer"),
        ({"hidden": ()}, ValueError, "hidden must name at least one hidden layer"),
        ({"hidden": (64, -3)}, ValueError, r"at least 1, got \(64, -3\)"),
        ({"hidden": (64, "a")}, TypeError, "hidden sizes must be integers"),
        ({"input_shape": ()}, ValueError, "input_shape must not be empty"),
    ],
)
def test_bad_sizes_are_rejected_clearly(kwargs, error, message):
    args = {"input_shape": (28, 28), "latent_dim": 2, **kwargs}
    with pytest.raises(error, match=message):
        dense_autoencoder(**args)


def test_array_helpers_reject_wrong_shapes_and_nan():
    ae = dense_autoencoder((8, 8), 2, hidden=(8,))
    with pytest.raises(ValueError, match=r"shape \(n, 8, 8\), got \(3, 64\)"):
        ae.encode(np.zeros((3, 64)))
    with pytest.raises(ValueError, match=r"for one sample use x\[None\]"):
        ae.encode(np.zeros((8, 8)))
    with pytest.raises(ValueError, match=r"z must .*\(n, 2\)"):
        ae.decode(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        ae.encode(np.full((1, 8, 8), np.nan))


def test_mismatched_encoder_and_decoder_are_refused():
    a = dense_autoencoder((8, 8), 2)
    b = dense_autoencoder((8, 8), 3)
    with pytest.raises(ValueError, match="must match the decoder's input shape"):
        Autoencoder(a.encoder, b.decoder)
    with pytest.raises(TypeError, match="keras.Model"):
        Autoencoder(a.encoder, "decoder")
