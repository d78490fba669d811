"""Standardize: Normalization's arithmetic, with statistics that a compiled model sees change."""

import keras
import numpy as np
import pytest

import aetutor as at


def test_matches_keras_normalization():
    data = np.random.default_rng(0).normal(3.0, 2.0, size=(200, 5)).astype("float32")
    ours = at.models.Standardize()
    ours.adapt(data)
    theirs = keras.layers.Normalization()
    theirs.adapt(data)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(data)),
                               keras.ops.convert_to_numpy(theirs(data)), atol=1e-4)
    out = keras.ops.convert_to_numpy(ours(data))
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-3)


def test_identity_before_adapt_and_constant_feature_is_finite():
    layer = at.models.Standardize()
    x = np.arange(12, dtype="float32").reshape(4, 3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x)
    layer.adapt(np.ones((4, 3), dtype="float32"))
    assert np.isfinite(keras.ops.convert_to_numpy(layer(x))).all()


def test_adapt_again_takes_effect_in_a_compiled_model():
    """What the layer is for: re-adapting changes what an already-trained model computes."""
    inputs = keras.Input(shape=(2,))
    layer = at.models.Standardize()
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="ones")(layer(inputs)))
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    x = np.array([[0.0, 0.0], [2.0, 4.0]], dtype="float32")
    layer.adapt(x)
    model.fit(x, np.zeros((2, 1)), epochs=1, batch_size=2, verbose=0)
    first = model.predict_on_batch(x)
    layer.adapt(x + 10.0)  # a new mean; the compiled functions must see it
    model.fit(x, np.zeros((2, 1)), epochs=1, batch_size=2, verbose=0)
    second = model.predict_on_batch(x)
    # 10 / 1 + 10 / 2: the new mean, over each feature's spread, summed by the ones kernel
    np.testing.assert_allclose(first - second, [[15.0], [15.0]], atol=1e-4)
    assert layer.mean.trainable is False and len(model.trainable_weights) == 2


@pytest.mark.parametrize("bad", [np.zeros((0, 3)), np.zeros(3), np.zeros((2, 3, 1))])
def test_adapt_rejects_bad_shapes(bad):
    with pytest.raises(ValueError, match="data must be a non-empty 2-D array"):
        at.models.Standardize().adapt(bad)


def test_adapt_rejects_wrong_width_and_nan():
    layer = at.models.Standardize()
    layer.adapt(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="must have 3 features"):
        layer.adapt(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="must be finite"):
        layer.adapt(np.array([[np.nan, 0.0, 0.0]]))
