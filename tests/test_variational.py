"""Variational autoencoders: the KL term, the sampling layer, the builder and the bounds."""

from __future__ import annotations

import keras
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from aetutor import plots  # noqa: E402
from aetutor.models import Sampling, VariationalAutoencoder, variational_autoencoder  # noqa: E402
from aetutor.variational import (  # noqa: E402
    active_units,
    bernoulli_nll,
    elbo_terms,
    gaussian_kl,
    gaussian_kl_numpy,
    importance_weighted_bound,
    prior_grid_codes,
)


def _np(t) -> np.ndarray:
    return keras.ops.convert_to_numpy(t)


@pytest.fixture(scope="module")
def tiny_vae():
    keras.utils.set_random_seed(3)
    return variational_autoencoder((4, 4), 2, (8,), seed=1)


@pytest.fixture(scope="module")
def pixels():
    return np.random.default_rng(0).uniform(0, 1, size=(12, 4, 4)).astype("float32")


def test_kl_of_identical_distributions_is_zero_and_positive_otherwise():
    zeros = np.zeros((3, 5), np.float32)
    assert np.allclose(_np(gaussian_kl(zeros, zeros)), 0.0, atol=1e-7)
    assert np.allclose(gaussian_kl_numpy(zeros, zeros), 0.0)
    rng = np.random.default_rng(1)
    m, lv = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    assert np.all(gaussian_kl_numpy(m, lv) > 0)
    assert np.allclose(_np(gaussian_kl(m.astype("float32"), lv.astype("float32"))),
                       gaussian_kl_numpy(m, lv), rtol=1e-5)


def test_closed_form_kl_matches_a_monte_carlo_estimate():
    rng = np.random.default_rng(2)
    m, lv = rng.normal(0, 1, (1, 3)), rng.normal(0, 0.7, (1, 3))
    z = m + np.exp(0.5 * lv) * rng.standard_normal((400_000, 3))
    log_q = -0.5 * (np.log(2 * np.pi) + lv + (z - m) ** 2 / np.exp(lv)).sum(axis=1)
    log_p = -0.5 * (np.log(2 * np.pi) + z**2).sum(axis=1)
    mc = log_q - log_p
    assert gaussian_kl_numpy(m, lv)[0] == pytest.approx(mc.mean(), abs=4 * mc.std() / 632.5)


def test_bernoulli_nll_sums_the_cross_entropy_over_pixels():
    x = np.array([[0.0, 1.0, 0.25, 0.5]], np.float32)
    p = np.full((1, 4), 0.5, np.float32)
    assert float(_np(bernoulli_nll(x, p))[0]) == pytest.approx(4 * np.log(2), rel=1e-6)
    p2 = np.array([[0.1, 0.8, 0.3, 0.5]], np.float32)
    want = -np.sum(x * np.log(p2) + (1 - x) * np.log(1 - p2))
    assert float(_np(bernoulli_nll(x.reshape(1, 2, 2), p2.reshape(1, 2, 2)))[0]) == pytest.approx(
        want, rel=1e-5)


def test_sampling_is_seeded_and_has_the_right_mean_and_spread():
    m = np.full((20_000, 2), [1.0, -2.0], np.float32)
    lv = np.full((20_000, 2), [0.0, np.log(0.25)], np.float32)
    a, b = _np(Sampling(seed=5)([m, lv])), _np(Sampling(seed=5)([m, lv]))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, _np(Sampling(seed=6)([m, lv])))
    assert np.allclose(a.mean(axis=0), [1.0, -2.0], atol=0.03)
    assert np.allclose(a.std(axis=0), [1.0, 0.5], atol=0.03)


def test_builder_shapes_outputs_and_encode_decode(tiny_vae, pixels):
    vae = tiny_vae
    assert isinstance(vae, VariationalAutoencoder) and vae.latent_dim == 2
    out = vae(pixels)
    assert set(out) == {"x_hat", "z_mean", "z_log_var"}
    assert tuple(out["x_hat"].shape) == (12, 4, 4) and tuple(out["z_mean"].shape) == (12, 2)
    assert vae.encode(pixels).shape == (12, 2)
    m, lv = vae.encode_distribution(pixels)
    assert m.shape == lv.shape == (12, 2)
    decoded = vae.decode(np.zeros((3, 2), np.float32))
    assert decoded.shape == (3, 4, 4) and 0 <= decoded.min() and decoded.max() <= 1
    assert vae.reconstruct(pixels).shape == (12, 4, 4)


def test_fit_reports_elbo_and_its_parts_and_the_loss_weighs_the_kl_by_beta(pixels):
    keras.utils.set_random_seed(0)
    vae = variational_autoencoder((4, 4), 2, (8,), beta=3.0, seed=0)
    vae.compile(optimizer="adam")
    history = vae.fit(pixels, epochs=1, batch_size=6, verbose=0, validation_data=(pixels,))
    assert {"loss", "elbo", "reconstruction", "kl", "val_elbo", "val_kl"} <= set(history.history)
    r = vae.evaluate(pixels, batch_size=12, verbose=0, return_dict=True)
    assert r["elbo"] == pytest.approx(-(r["reconstruction"] + r["kl"]), rel=1e-5)
    assert r["loss"] == pytest.approx(r["reconstruction"] + 3.0 * r["kl"], rel=1e-5)


def test_same_seed_same_weights_and_elbo(pixels):
    results = []
    for _ in range(2):
        keras.utils.set_random_seed(7)
        vae = variational_autoencoder((4, 4), 3, (8,), seed=2)
        vae.compile(optimizer="adam")
        results.append((vae.get_weights(), vae.evaluate(pixels, verbose=0, return_dict=True)))
    (w1, r1), (w2, r2) = results
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    assert r1["elbo"] == pytest.approx(r2["elbo"], rel=1e-6)


def test_config_round_trip(tiny_vae):
    clone = VariationalAutoencoder.from_config(tiny_vae.get_config())
    assert clone.beta == tiny_vae.beta and clone.latent_dim == tiny_vae.latent_dim


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"latent_dim": 0}, ValueError, "latent_dim"),
        ({"hidden": ()}, ValueError, "hidden"),
        ({"beta": -1.0}, ValueError, "beta"),
        ({"beta": "1"}, TypeError, "beta"),
        ({"latent_dim": 2.5}, TypeError, "latent_dim"),
    ],
)
def test_builder_rejects_bad_sizes(kwargs, error, match):
    args = {"input_shape": (4, 4), "latent_dim": 2, "hidden": (8,), **kwargs}
    with pytest.raises(error, match=match):
        variational_autoencoder(args.pop("input_shape"), args.pop("latent_dim"), **args)


def test_model_rejects_an_encoder_with_one_output():
    x = keras.Input((3,))
    enc = keras.Model(x, keras.layers.Dense(2)(x))
    z = keras.Input((2,))
    dec = keras.Model(z, keras.layers.Dense(3, activation="sigmoid")(z))
    with pytest.raises(ValueError, match="z_mean, z_log_var"):
        VariationalAutoencoder(enc, dec)
    with pytest.raises(TypeError, match="keras.Model"):
        VariationalAutoencoder("encoder", dec)


def test_iw_bound_with_one_sample_equals_the_elbo_in_expectation(tiny_vae, pixels):
    x = np.repeat(pixels[:3], 3000, axis=0)  # many draws for each of three images
    rec, kl = elbo_terms(tiny_vae, x, seed=1)
    elbo = -(rec + kl)
    iw1 = importance_weighted_bound(tiny_vae, x, 1, seed=2)
    diff = iw1 - elbo
    assert abs(diff.mean()) < 4 * diff.std() / np.sqrt(len(diff))


def test_iw_bound_does_not_decrease_with_k_and_is_repeatable(tiny_vae, pixels):
    x = np.repeat(pixels[:4], 200, axis=0)
    means = [importance_weighted_bound(tiny_vae, x, k, seed=0).mean() for k in (1, 10, 50)]
    assert means[0] <= means[1] + 1e-3 <= means[2] + 2e-3
    a = importance_weighted_bound(tiny_vae, pixels, 5, seed=3, batch_size=7)
    b = importance_weighted_bound(tiny_vae, pixels, 5, seed=3)
    assert a.shape == (12,) and np.all(np.isfinite(a))
    assert np.allclose(a, b)  # chunking changes nothing but memory (same draws per image order)


def test_bounds_validate_their_inputs(tiny_vae, pixels):
    with pytest.raises(ValueError, match="k must be at least 1"):
        importance_weighted_bound(tiny_vae, pixels, 0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        importance_weighted_bound(tiny_vae, pixels * 3, 2)
    with pytest.raises(ValueError, match="shape"):
        elbo_terms(tiny_vae, pixels.reshape(12, 16))
    with pytest.raises(TypeError, match="encoder"):
        importance_weighted_bound("model", pixels, 2)
    with pytest.raises(ValueError, match="empty"):
        importance_weighted_bound(tiny_vae, pixels[:0], 2)


def test_active_units_counts_dimensions_whose_mean_varies():
    rng = np.random.default_rng(0)
    z = np.stack([rng.normal(0, 1, 500), rng.normal(0, 0.01, 500), rng.normal(3, 0.5, 500)], 1)
    assert active_units(z).tolist() == [True, False, True]
    assert active_units(z, threshold=0.5).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="z_mean"):
        active_units(z[:1])
    with pytest.raises(ValueError, match="threshold"):
        active_units(z, threshold=-1)


def test_prior_grid_codes_sit_at_equal_prior_quantiles_in_reading_order():
    codes, probs = prior_grid_codes(5, coverage=0.8)
    assert codes.shape == (25, 2)
    assert np.allclose(probs, np.linspace(0.1, 0.9, 5))
    assert np.allclose(codes[:5, 1], codes[0, 1]) and codes[0, 1] > codes[-1, 1]  # top row first
    assert np.allclose(codes[:5, 0], -codes[:5, 0][::-1], atol=1e-6)  # symmetric about 0
    assert codes[2, 0] == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="coverage"):
        prior_grid_codes(5, coverage=1.0)
    with pytest.raises(ValueError, match="n must be at least 2"):
        prior_grid_codes(1)


def test_plots_draw_the_three_figures(tiny_vae):
    import matplotlib.pyplot as plt

    history = {"elbo": [-300.0, -200.0], "reconstruction": [290.0, 185.0], "kl": [10.0, 15.0],
               "val_elbo": [-250.0, -210.0], "val_reconstruction": [240, 195], "val_kl": [10, 15]}
    fig = plots.elbo_curves(history)
    assert len(fig.axes) == 3 and "-210.0" in fig.axes[0].get_title()
    ax = plots.prior_grid(tiny_vae.decode, n=4, image_shape=(4, 4))
    assert "4x4" in ax.get_title()
    assert ax.images[0].get_cmap().name == "gray_r"  # the default: dark digits on white
    light_on_dark = plots.prior_grid(tiny_vae.decode, n=4, image_shape=(4, 4), cmap="gray")
    assert light_on_dark.images[0].get_cmap().name == "gray"
    fig2 = plots.beta_sweep([0.5, 1, 4], [20, 12, 3], [100, 110, 150], [8, 6, 1], latent_dim=8)
    assert len(fig2.axes) == 2
    plt.close("all")


def test_plots_reject_bad_input(tiny_vae):
    with pytest.raises(ValueError, match="lacks"):
        plots.elbo_curves({"loss": [1.0]})
    with pytest.raises(TypeError, match="decode"):
        plots.prior_grid("decoder")
    with pytest.raises(ValueError, match="same length"):
        plots.beta_sweep([0.5, 1], [20, 12, 3], [1, 2], [1, 2], latent_dim=4)
    with pytest.raises(ValueError, match="positive"):
        plots.beta_sweep([0, 1], [20, 12], [1, 2], [1, 2], latent_dim=4)
