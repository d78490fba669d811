"""Tests of the convolutional builder and the training-only noise layer in aetutor.models."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from aetutor import noise
from aetutor.models import Autoencoder, TrainingNoise, conv_autoencoder


def _np(t):
    return keras.ops.convert_to_numpy(t)


# --- conv_autoencoder -------------------------------------------------------------------------


def test_grey_images_in_and_out_with_a_feature_map_code():
    ae = conv_autoencoder((28, 28))
    assert isinstance(ae, Autoencoder)
    assert tuple(ae.encoder.output.shape[1:]) == (7, 7, 32)
    assert ae.latent_dim == 7 * 7 * 32
    x = np.random.default_rng(0).random((3, 28, 28)).astype("float32")
    x_hat = ae.reconstruct(x)
    assert x_hat.shape == x.shape
    assert x_hat.min() >= 0 and x_hat.max() <= 1  # sigmoid output
    assert ae.decode(ae.encode(x)).shape == x.shape


def test_layers_are_strided_convolutions_and_transposed_convolutions():
    ae = conv_autoencoder((16, 16), filters=(8, 16, 32))
    convs = [layer for layer in ae.encoder.layers if isinstance(layer, keras.layers.Conv2D)]
    deconvs = [layer for layer in ae.decoder.layers
               if isinstance(layer, keras.layers.Conv2DTranspose)]
    assert [c.filters for c in convs] == [8, 16, 32]
    assert [d.filters for d in deconvs] == [16, 8, 1]
    assert all(c.strides == (2, 2) for c in convs + deconvs)
    assert tuple(ae.encoder.output.shape[1:]) == (2, 2, 32)


def test_latent_dim_adds_a_dense_bottleneck():
    ae = conv_autoencoder((8, 8), filters=(4, 8), latent_dim=5)
    assert ae.latent_dim == 5
    z = ae.encode(np.zeros((2, 8, 8), dtype="float32"))
    assert z.shape == (2, 5)
    assert ae.decode(z).shape == (2, 8, 8)


def test_channel_axis_is_kept_when_given():
    ae = conv_autoencoder((8, 12, 3), filters=(4,))
    x = np.random.default_rng(1).random((2, 8, 12, 3)).astype("float32")
    assert ae.reconstruct(x).shape == x.shape


def test_rejects_sizes_not_divisible_by_the_downsampling_factor():
    with pytest.raises(ValueError, match=r"divisible by 4; got input_shape \(30, 30\)"):
        conv_autoencoder((30, 30))
    with pytest.raises(ValueError, match="divisible by 8"):
        conv_autoencoder((28, 28), filters=(8, 16, 32))  # 28 / 8 is not whole
    conv_autoencoder((8, 8), filters=(4, 8, 16))  # 8 / 8 is


@pytest.mark.parametrize("shape", [(784,), (1, 28, 28, 1), ()])
def test_rejects_wrong_rank_input_shape(shape):
    with pytest.raises(ValueError, match=r"\(height, width\) or \(height, width, channels\)"):
        conv_autoencoder(shape)


def test_rejects_bad_filters_latent_and_kernel():
    with pytest.raises(ValueError, match="at least one convolution"):
        conv_autoencoder((28, 28), filters=())
    with pytest.raises(ValueError, match="at least 1"):
        conv_autoencoder((28, 28), filters=(16, 0))
    with pytest.raises(ValueError, match="latent_dim must be at least 1"):
        conv_autoencoder((28, 28), latent_dim=0)
    with pytest.raises(TypeError, match="kernel_size must be an integer"):
        conv_autoencoder((28, 28), kernel_size=3.0)
    with pytest.raises(TypeError, match="input_shape"):
        conv_autoencoder(28)


def test_learns_on_a_tiny_problem():
    """A few steps on 64 blob images must lower the loss: the model is wired to learn."""
    rng = np.random.default_rng(0)
    x = np.zeros((64, 8, 8), dtype="float32")
    for i, (r, c) in enumerate(rng.integers(1, 6, size=(64, 2))):
        x[i, r:r + 3, c:c + 3] = 1.0
    keras.utils.set_random_seed(0)
    ae = conv_autoencoder((8, 8), filters=(8, 16))
    ae.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    loss = ae.fit(x, x, epochs=15, batch_size=32, verbose=0).history["loss"]
    assert loss[-1] < 0.7 * loss[0]


# --- TrainingNoise ----------------------------------------------------------------------------


@pytest.fixture
def grey():
    return np.full((20, 16, 16), 0.5, dtype="float32")


@pytest.mark.parametrize("kind", noise.NOISE_KINDS)
def test_noise_only_in_training(kind, grey):
    layer = TrainingNoise(kind, 0.4, seed=0)
    np.testing.assert_array_equal(_np(layer(grey)), grey)
    np.testing.assert_array_equal(_np(layer(grey, training=False)), grey)
    out = _np(layer(grey, training=True))
    assert out.shape == grey.shape and out.dtype == grey.dtype
    assert out.min() >= 0 and out.max() <= 1
    assert not np.array_equal(out, grey)
    assert not np.array_equal(out, _np(layer(grey, training=True)))  # fresh noise every call


def test_noise_statistics_match_aetutor_noise(grey):
    masked = _np(TrainingNoise("masking", 0.3, seed=1)(grey, training=True))
    assert abs(np.mean(masked == 0) - 0.3) < 0.03
    np.testing.assert_array_equal(masked[masked != 0], 0.5)
    sp = _np(TrainingNoise("salt_and_pepper", 0.4, seed=1)(grey, training=True))
    assert abs(np.mean(sp == 1) - 0.2) < 0.03 and abs(np.mean(sp == 0) - 0.2) < 0.03
    g = _np(TrainingNoise("gaussian", 0.1, seed=1)(grey, training=True)) - 0.5
    assert abs(g.std() - 0.1) < 0.01 and abs(g.mean()) < 0.01


def test_same_seed_same_noise(grey):
    a = _np(TrainingNoise("gaussian", 0.2, seed=3)(grey, training=True))
    b = _np(TrainingNoise("gaussian", 0.2, seed=3)(grey, training=True))
    np.testing.assert_array_equal(a, b)


def test_level_is_validated_like_aetutor_noise():
    with pytest.raises(ValueError, match=r"masking noise rate .* must be \[0, 1\]"):
        TrainingNoise("masking", 1.2)
    with pytest.raises(ValueError, match="kind must be one of"):
        TrainingNoise("speckle", 0.1)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        TrainingNoise("gaussian", 0.1, seed=-1)


def test_config_round_trip_and_saving(tmp_path, grey):
    layer = TrainingNoise("salt_and_pepper", 0.25, seed=5, name="sp")
    clone = TrainingNoise.from_config(layer.get_config())
    assert (clone.kind, clone.level, clone.seed, clone.name) == ("salt_and_pepper", 0.25, 5, "sp")

    ae = conv_autoencoder((16, 16), filters=(4, 8))
    x = keras.Input(shape=(16, 16))
    trainer = keras.Model(x, ae(TrainingNoise("masking", 0.5, seed=0)(x)))
    path = tmp_path / "dae.keras"
    trainer.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(grey, verbose=0), trainer.predict(grey, verbose=0),
                               atol=1e-6)


def test_denoising_training_model_fits_on_clean_targets(grey):
    """Inside fit the layer corrupts the inputs; the loss compares with the clean targets."""
    keras.utils.set_random_seed(0)
    ae = conv_autoencoder((16, 16), filters=(4, 8))
    x = keras.Input(shape=(16, 16))
    trainer = keras.Model(x, ae(TrainingNoise("masking", 0.5, seed=0)(x)))
    trainer.compile(optimizer="adam", loss="mse")
    trainer.fit(grey, grey, epochs=1, batch_size=10, verbose=0)
    # at inference the trainer and the bare autoencoder agree: the noise is off
    np.testing.assert_allclose(trainer.predict(grey, verbose=0), ae.reconstruct(grey), atol=1e-6)


# --- upsampling="resize" ----------------------------------------------------------------------


def test_resize_upsampling_uses_upsampling_and_plain_convolutions_with_the_same_weights():
    transposed = conv_autoencoder((8, 8), filters=(4, 8), latent_dim=3)
    resized = conv_autoencoder((8, 8), filters=(4, 8), latent_dim=3, upsampling="resize")
    kinds = [type(layer).__name__ for layer in resized.decoder.layers]
    assert "Conv2DTranspose" not in kinds and kinds.count("UpSampling2D") == 2
    assert resized.count_params() == transposed.count_params()
    x = np.random.default_rng(0).random((2, 8, 8)).astype("float32")
    assert resized.reconstruct(x).shape == x.shape


def test_rejects_an_unknown_upsampling():
    with pytest.raises(ValueError, match="upsampling must be 'transpose' or 'resize'"):
        conv_autoencoder((8, 8), upsampling="bilinear")
