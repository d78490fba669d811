"""Tests of LatentHistory: what it records, when, and the errors it raises."""

from __future__ import annotations

import numpy as np
import pytest

import aetutor as at
from aetutor.callbacks import LatentHistory


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.random((64, 6, 6)).astype(np.float32)


def _model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    ae = at.models.dense_autoencoder((6, 6), latent_dim=2, hidden=(8,))
    ae.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return ae


def test_records_chosen_epochs_including_the_untrained_model(data):
    ae = _model()
    untrained_z = ae.encode(data[:10])
    cb = LatentHistory(data[:10], epochs=(0, 1, 3, 99), n_reconstructions=4, batch_size=4)
    ae.fit(data, data, epochs=3, batch_size=16, callbacks=[cb], verbose=0)
    assert cb.recorded == [0, 1, 3]  # 99 lies beyond the run
    assert set(cb.reconstructions) == {0, 1, 3}
    for z in cb.latents.values():
        assert z.shape == (10, 2) and z.dtype == np.float32
    np.testing.assert_allclose(cb.latents[0], untrained_z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cb.latents[3], ae.encode(data[:10]), rtol=1e-5, atol=1e-6)
    assert not np.allclose(cb.latents[0], cb.latents[3])  # training moved the codes
    assert cb.images.shape == (4, 6, 6)
    np.testing.assert_array_equal(cb.images, data[:4])
    np.testing.assert_allclose(cb.reconstructions[3], ae.reconstruct(data[:4]), rtol=1e-5,
                               atol=1e-6)  # fmt: skip


def test_none_records_every_epoch_and_a_second_fit_keeps_the_untrained_snapshot(data):
    ae = _model()
    cb = LatentHistory(data, epochs=None, n_reconstructions=0)
    ae.fit(data, data, epochs=1, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.recorded == [0, 1]
    z0 = cb.latents[0].copy()
    ae.fit(data, data, epochs=2, initial_epoch=1, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.recorded == [0, 1, 2]  # numbering continues; epoch 0 is not overwritten
    np.testing.assert_array_equal(cb.latents[0], z0)
    assert cb.reconstructions == {}


def test_an_explicit_encoder_works_for_any_model(data):
    import keras

    ae = _model()
    plain = keras.Model(ae.input, ae.output)  # no .encoder attribute
    plain.compile(optimizer="adam", loss="mse")
    cb = LatentHistory(data, epochs=(1,), n_reconstructions=2, encoder=ae.encoder)
    plain.fit(data, data, epochs=1, batch_size=32, callbacks=[cb], verbose=0)
    assert cb.latents[1].shape == (64, 2)

    missing = LatentHistory(data, epochs=(1,))
    with pytest.raises(TypeError, match="needs an encoder"):
        plain.fit(data, data, epochs=1, batch_size=32, callbacks=[missing], verbose=0)


def test_bad_inputs_are_rejected_with_clear_messages(data):
    with pytest.raises(ValueError, match="finite"):
        LatentHistory(np.full((4, 6, 6), np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="non-empty batch"):
        LatentHistory(np.zeros(5, dtype=np.float32))
    with pytest.raises(ValueError, match="non-empty batch"):
        LatentHistory(np.zeros((0, 6, 6), dtype=np.float32))
    with pytest.raises(ValueError, match="each epoch must be at least 0"):
        LatentHistory(data, epochs=(-1, 2))
    with pytest.raises(TypeError, match="each epoch must be an integer"):
        LatentHistory(data, epochs=(1.5,))
    with pytest.raises(ValueError, match="at least one epoch"):
        LatentHistory(data, epochs=())
    with pytest.raises(ValueError, match="at most len"):
        LatentHistory(data[:3], n_reconstructions=8)
    with pytest.raises(TypeError, match="keras.Model"):
        LatentHistory(data, encoder=lambda x: x)
    with pytest.raises(TypeError, match="array of numbers"):
        LatentHistory("images")
