"""Property-based tests: every public function, valid and hostile inputs (Hypothesis).

For each public callable (every name in each module's ``__all__``, listed in
:data:`CASES` or, with a reason, in :data:`EXEMPT`) a builder draws a valid
call: small random arrays of the documented kinds (images in [0, 1], codes,
labels, scores). Two properties are checked:

* valid inputs give a result that is finite and, where :data:`SHAPES` says,
  of the documented shape;
* replacing one argument with a hostile value (None, a string, NaN, inf,
  complex, 1e39, a huge or negative size, the wrong rank, an empty array …)
  gives either a ``ValueError``/``TypeError`` whose message names that
  argument, or a finite result. Anything else (``IndexError``,
  ``ZeroDivisionError``, ``MemoryError``, a NumPy message, a NaN result) fails.

Profiles: ``ci`` (the default; derandomized, so a run repeats exactly, and
sized to take a few minutes on 2 cores) and ``dev`` (more examples, random);
choose with ``HYPOTHESIS_PROFILE=dev``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib
import inspect
import os
import warnings
from collections.abc import Callable
from typing import Any

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aetutor

matplotlib.use("Agg")

settings.register_profile(
    "ci", max_examples=8, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.register_profile(
    "dev", max_examples=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --------------------------------------------------------------------------- drawing valid inputs


class Draw:
    """Valid inputs of the kinds the course uses, drawn through Hypothesis."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.n = data.draw(st.integers(4, 7), label="n")
        self.rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="rng seed"))

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def images(self, n: int | None = None, side: int = 4) -> np.ndarray:
        return self.rng.random((n or self.n, side, side)).astype(np.float32)

    def flat(self, n: int | None = None, d: int = 16) -> np.ndarray:
        return self.rng.random((n or self.n, d))

    def codes(self, n: int | None = None, d: int = 2) -> np.ndarray:
        return self.rng.normal(size=(n or self.n, d))

    def labels(self, n: int | None = None, k: int = 2) -> np.ndarray:
        return np.arange(n or self.n) % k

    def anomaly(self, n: int | None = None) -> np.ndarray:
        return (np.arange(n or self.n) % 2).astype(bool)

    def scores(self, n: int | None = None) -> np.ndarray:
        return self.rng.random(n or self.n) + 0.01


@functools.cache
def small_keras_model():
    from aetutor.models import dense_autoencoder

    return dense_autoencoder((4, 4), 2, hidden=(8,))


@functools.cache
def tiny_notebook():
    import nbformat

    from aetutor import course

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · Title"),
                nbformat.v4.new_code_cell(course.setup_cell_source())]  # fmt: skip
    return nb


def _series(d: Draw):
    from aetutor.timeseries import sensor_signals

    return sensor_signals(400, 2, period=8, n_anomalies=2, seed=d.int(0, 50))


def _dataset(d: Draw):
    from aetutor.dataset import Dataset

    n = d.n * 2
    return Dataset("toy", d.images(n), d.labels(n), d.images(n), d.labels(n), ("a", "b"), "test")


@functools.cache
def small_vae():
    from aetutor.variational import variational_autoencoder

    return variational_autoencoder((4, 4), 2, hidden=(8,), seed=0)


def _dense_layer(d: Draw):
    import keras

    layer = keras.layers.Dense(3)
    layer.build((None, 4))
    return layer


def _vae_history(d: Draw) -> dict:
    return {key: list(d.scores(3)) for key in ("elbo", "reconstruction", "kl")}


@dataclasses.dataclass
class Case:
    """How to call one public function: ``build(d) -> (callable, kwargs)``.

    ``names`` maps an argument to other words its error message may use;
    ``weight`` scales the examples (Keras and plotting calls are slower).
    """

    build: Callable[[Draw], tuple[Callable, dict[str, Any]]]
    weight: float = 1.0
    names: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    hostile: bool = True
    fixed: tuple[str, ...] = ()  # arguments the hostile test leaves alone (checker settings)
    finite: bool = True  # the result is promised finite (False: a check that returns its input)


def fn(path: str) -> Callable:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(f"aetutor.{module}"), name)


def case(path: str, kwargs: Callable[[Draw], dict], **options) -> tuple[str, Case]:
    return path, Case(lambda d: (fn(path), kwargs(d)), **options)


def method(key: str, make: Callable[[Draw], Any], name: str, kwargs: Callable[[Draw, Any], dict],
           **options) -> tuple[str, Case]:
    def build(d: Draw):
        obj = make(d)
        return getattr(obj, name), kwargs(d, obj)

    return key, Case(build, **options)


PLOT = {"weight": 0.5}
KERAS = {"weight": 0.25}

CASES: dict[str, Case] = dict([
    # ---------------------------------------------------------------- validation
    case("validation.as_array", lambda d: {"x": d.codes(), "name": "x"}, fixed=("name",),
         finite=False),
    case("validation.check_finite", lambda d: {"x": d.codes(), "name": "x"}, fixed=("name",)),
    case("validation.check_unit_range", lambda d: {"x": d.images(), "name": "x"},
         fixed=("name",)),
    case("validation.check_same_shape", lambda d: {"a": d.codes(), "b": d.codes()},
         names={"a": ("x",), "b": ("x_hat",)}, finite=False),
    case("validation.check_rank", lambda d: {"x": d.codes(), "ranks": (2,), "name": "x"},
         fixed=("name", "ranks"), finite=False),
    case("validation.check_images", lambda d: {"x": d.images(), "name": "x"}, fixed=("name",)),
    case("validation.check_labels", lambda d: {"y": d.labels(), "n": d.n, "name": "y"},
         names={"n": ("y",)}, fixed=("name", "n")),
    case("validation.check_positive_int", lambda d: {"value": d.int(1, 9), "name": "size"},
         names={"value": ("size",)}),
    case("validation.check_number", lambda d: {"value": 0.5, "name": "rate"},
         names={"value": ("rate",)}),
    case("validation.check_seed", lambda d: {"seed": d.int(0, 9)}),
    case("validation.check_bool", lambda d: {"value": True, "name": "flag"},
         names={"value": ("flag",)}),
    case("validation.check_finite_result", lambda d: {"result": d.codes(), "name": "f(x)",
                                                      "why": "because"},
         names={"result": ("f(x)",)}, fixed=("name", "why")),
    # ---------------------------------------------------------------- progress
    # Outside a notebook and a terminal (pytest captures stdout) it shows nothing until close.
    case("progress.ProgressLine", lambda d: {"label": "fit", "min_interval": 0.25}),
    # ---------------------------------------------------------------- metrics
    case("metrics.reconstruction_error", lambda d: {"x": d.images(), "x_hat": d.images(),
                                                    "kind": "mse"}),
    case("metrics.psnr", lambda d: {"x": d.images(), "x_hat": d.images(), "data_range": 1.0}),
    case("metrics.knn_accuracy", lambda d: {"z_train": d.codes(), "y_train": d.labels(),
                                            "z_test": d.codes(), "y_test": d.labels(), "k": 2},
         names={"z_train": ("y_train",), "z_test": ("y_test",)}),
    case("metrics.far_from_data", lambda d: {"samples": d.codes(), "reference": d.codes(),
                                             "percentile": 90.0}),
    case("metrics.anomaly_labels", lambda d: {"y_true": d.anomaly(), "name": "y_true"}),
    case("metrics.detection_report", lambda d: {"y_true": d.anomaly(), "scores": d.scores(),
                                                "threshold": 0.5}),
    case("metrics.principal_angles", lambda d: {"a": d.codes(6, 2), "b": d.codes(6, 3)}),
    case("metrics.DetectionReport", lambda d: {
        "threshold": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5, "roc_auc": 0.5,
        "average_precision": 0.5, "tp": 1, "fp": 1, "tn": 1, "fn": 1}),
    # ---------------------------------------------------------------- interpolation
    case("interpolation.path_fractions", lambda d: {"steps": d.int(2, 9)}),
    case("interpolation.lerp", lambda d: {"a": d.codes(), "b": d.codes(), "steps": d.int(2, 6)}),
    case("interpolation.slerp", lambda d: {"a": d.codes(), "b": d.codes(), "steps": d.int(2, 6),
                                           "eps": 1e-6}),
    case("interpolation.random_pairs", lambda d: {"y": d.labels(), "n_pairs": 2,
                                                  "different_classes": True, "seed": 0}),
    case("interpolation.empty_region_mask", lambda d: {"points": d.codes(3), "z": d.codes(12),
                                                       "quantile": 0.9, "n_neighbors": 5}),
    # ---------------------------------------------------------------- noise
    case("noise.check_noise_level", lambda d: {"kind": "gaussian", "level": 0.3},
         names={"level": ("sigma",)}),
    case("noise.corrupt", lambda d: {"x": d.images(), "kind": "masking", "level": 0.3,
                                     "seed": d.int(0, 9)}, names={"level": ("rate",)}),
    case("noise.gaussian_noise", lambda d: {"x": d.images(), "sigma": 0.3, "seed": 1}),
    case("noise.masking_noise", lambda d: {"x": d.images(), "rate": 0.3, "seed": 1}),
    case("noise.salt_and_pepper_noise", lambda d: {"x": d.images(), "rate": 0.3, "seed": 1}),
    # ---------------------------------------------------------------- numpy_ae
    # relu and sigmoid are the formulas the lesson reads, on arrays the model already checked.
    case("numpy_ae.relu", lambda d: {"z": d.codes()}, hostile=False),
    case("numpy_ae.sigmoid", lambda d: {"z": d.codes()}, hostile=False),
    case("numpy_ae.SGD", lambda d: {"lr": 0.1, "momentum": 0.5}),
    case("numpy_ae.Adam", lambda d: {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    case("numpy_ae.NumpyAutoencoder", lambda d: {"layer_sizes": (16, 4, 2, 4, 16), "seed": 0}),
    case("numpy_ae.gradient_check", lambda d: {
        "model": fn("numpy_ae.NumpyAutoencoder")((16, 3, 16)), "x": d.flat(3), "eps": 1e-5,
        "max_entries": 20, "seed": 0}, weight=0.5),
    method("numpy_ae.NumpyAutoencoder.fit", lambda d: fn("numpy_ae.NumpyAutoencoder")((16, 2, 16)),
           "fit", lambda d, m: {"x": d.flat(), "epochs": 2, "batch_size": 4, "lr": 0.01,
                                "optimizer": "adam"}, weight=0.5),
    method("numpy_ae.NumpyAutoencoder.encode",
           lambda d: fn("numpy_ae.NumpyAutoencoder")((16, 2, 16)), "encode",
           lambda d, m: {"x": d.flat()}),
    method("numpy_ae.NumpyAutoencoder.decode",
           lambda d: fn("numpy_ae.NumpyAutoencoder")((16, 2, 16)), "decode",
           lambda d, m: {"z": d.codes()}),
    method("numpy_ae.NumpyAutoencoder.backward",
           lambda d: fn("numpy_ae.NumpyAutoencoder")((16, 2, 16)), "backward",
           lambda d, m: {"cache": m.forward(x := d.flat())[1], "x": x}),
    method("numpy_ae.Adam.step", lambda d: fn("numpy_ae.Adam")(0.01), "step",
           lambda d, o: {"params": [np.zeros(3), np.zeros((2, 2))],
                         "grads": [d.codes(1, 3)[0], d.codes(2, 2)]}),
    method("numpy_ae.SGD.step", lambda d: fn("numpy_ae.SGD")(0.1), "step",
           lambda d, o: {"params": [np.zeros(3)], "grads": [d.codes(1, 3)[0]]}),
    # ---------------------------------------------------------------- timeseries
    case("timeseries.sensor_signals", lambda d: {"n_steps": 400, "n_channels": 2, "period": 8,
                                                 "n_anomalies": 2, "seed": d.int(0, 9),
                                                 "trend": 0.3, "noise": 0.1}),
    case("timeseries.window_starts", lambda d: {"n_steps": 20, "size": d.int(1, 20),
                                                "step": d.int(1, 5)}),
    case("timeseries.windows", lambda d: {"x": d.codes(20), "size": 5, "step": 2}),
    case("timeseries.overlap_average", lambda d: {"values": d.rng.random((8, 5)), "n_steps": 12,
                                                  "size": 5, "step": 1}),
    case("timeseries.mask_to_spans", lambda d: {"mask": d.anomaly()}),
    case("timeseries.detect_spans", lambda d: {"errors": d.scores(), "threshold": 0.5,
                                               "merge_gap": 1, "min_length": 1}),
    case("timeseries.match_events", lambda d: {"true_spans": [(0, 2), (5, 7)],
                                               "detected_spans": [(1, 3)], "n_steps": 10}),
    case("timeseries.Anomaly", lambda d: {"kind": "spike", "start": 1, "stop": 3, "channel": 0},
         hostile=False),
    case("timeseries.EventReport", lambda d: {"detected": (True, False), "n_detections": 2,
                                              "n_false_alarms": 1, "n_steps": 100}),
    method("timeseries.SensorSignals.slice", _series, "slice",
           lambda d, s: {"start": 10, "stop": 200}),
    # ---------------------------------------------------------------- dataset
    case("dataset.Dataset", lambda d: {"name": "toy", "x_train": d.images(), "y_train": d.labels(),
                                       "x_test": d.images(), "y_test": d.labels(),
                                       "class_names": ("a", "b"), "source": "test"}),
    method("dataset.Dataset.subset", _dataset, "subset",
           lambda d, ds: {"classes": [0, 1], "n_train": 4, "n_test": 2, "seed": 0}),
    # ---------------------------------------------------------------- models (small)
    case("models.check_sizes", lambda d: {"input_shape": (4, 4), "latent_dim": 2,
                                          "hidden": (8,)}, names={"input_shape": ("input",)}),
    case("models.dense_autoencoder", lambda d: {"input_shape": (4, 4), "latent_dim": 2,
                                                "hidden": (8,)}, **KERAS),
    case("models.linear_autoencoder", lambda d: {"input_shape": 16, "latent_dim": 2}, **KERAS),
    case("models.sparse_autoencoder", lambda d: {"input_shape": 16, "latent_dim": 4}, **KERAS),
    case("models.conv_autoencoder", lambda d: {"input_shape": (8, 8), "filters": (4,)},
         names={"filters": ("hidden",)}, **KERAS),
    method("models.Autoencoder.encode", lambda d: small_keras_model(), "encode",
           lambda d, m: {"x": d.images(), "batch_size": 4}, **KERAS),
    method("models.Autoencoder.decode", lambda d: small_keras_model(), "decode",
           lambda d, m: {"z": d.codes(), "batch_size": 4}, **KERAS),
    method("models.Autoencoder.reconstruct", lambda d: small_keras_model(), "reconstruct",
           lambda d, m: {"x": d.images(), "batch_size": 4}, **KERAS),
    case("metrics.checkerboard_energy", lambda d: {"x": d.images()}),
    # ---------------------------------------------------------------- dictionary (lesson 10)
    case("dictionary.Purity", lambda d: {"purity": d.scores(3), "top_class": d.labels(3),
                                         "measured": np.ones(3, bool), "min_active": 2},
         hostile=False),  # a record built by class_purity, which checks its inputs
    case("dictionary.accuracy_recovered", lambda d: {"patched": 0.8, "original": 0.9,
                                                     "ablated": 0.1}),
    case("dictionary.class_purity", lambda d: {"activations": d.flat(d.n, 3),
                                               "labels": d.labels(), "top": 2},
         names={"activations": ("labels",)},
         finite=False),  # purity is NaN, by design, for units that are not measured
    case("dictionary.activity_purity", lambda d: {"activations": d.flat(d.n, 3),
                                                  "labels": d.labels(), "min_active": 2},
         names={"activations": ("labels",)},
         finite=False),  # purity is NaN, by design, for units that are not measured
    case("dictionary.feature_density", lambda d: {"f": d.flat(d.n, 3) - 0.5}),
    case("dictionary.l0", lambda d: {"f": d.flat(d.n, 3) - 0.5}),
    case("dictionary.fraction_of_variance_unexplained", lambda d: {"h": d.flat(d.n, 3),
                                                                   "h_hat": d.flat(d.n, 3)}),
    case("dictionary.mean_difference_interval", lambda d: {"a": d.scores(), "b": d.scores(),
                                                           "n_boot": 50, "level": 0.9,
                                                           "seed": 0}),
    # ---------------------------------------------------------------- fewlabels, retrieval
    case("fewlabels.label_draw", lambda d: {"y": d.labels(), "per_class": 1, "seed": d.int(0, 9)}),
    case("fewlabels.linear_probe", lambda d: {"f_train": d.codes(), "y_train": d.labels(),
                                              "f_test": d.codes(), "y_test": d.labels(),
                                              "c": 1.0, "max_iter": 50},
         names={"f_train": ("y_train",), "f_test": ("y_test",)}, weight=0.5),
    case("retrieval.nearest_neighbours", lambda d: {"queries": d.codes(3), "database": d.codes(),
                                                    "k": 2, "metric": "euclidean",
                                                    "batch_size": 2}),
    case("retrieval.precision_at_k", lambda d: {"y_queries": d.labels(3),
                                                "y_database": d.labels(),
                                                "neighbours": np.array([[0, 1], [1, 2], [2, 3]])},
         names={"neighbours": ("y_queries",), "y_database": ("neighbours",)}),
    # ---------------------------------------------------------------- variational (lesson 08)
    # gaussian_kl and bernoulli_nll are the loss formulas in keras.ops, on tensors the model made.
    case("variational.gaussian_kl", lambda d: {"z_mean": d.codes(), "z_log_var": d.codes()},
         hostile=False),
    case("variational.bernoulli_nll", lambda d: {"x": d.images(), "x_hat": d.images()},
         hostile=False),
    case("variational.gaussian_kl_numpy", lambda d: {"z_mean": d.codes(), "z_log_var": d.codes()}),
    case("variational.active_units", lambda d: {"z_mean": d.codes(), "threshold": 0.01}),
    case("variational.prior_grid_codes", lambda d: {"n": d.int(2, 6), "coverage": 0.9}),
    case("variational.variational_autoencoder", lambda d: {"input_shape": (4, 4), "latent_dim": 2,
                                                           "hidden": (8,), "beta": 1.0,
                                                           "seed": 0}, **KERAS),
    case("variational.elbo_terms", lambda d: {"vae": small_vae(), "x": d.images(), "seed": 0,
                                              "batch_size": 4}, **KERAS),
    case("variational.importance_weighted_bound", lambda d: {"vae": small_vae(), "x": d.images(),
                                                             "k": 3, "seed": 0,
                                                             "batch_size": 8}, **KERAS),
    # ---------------------------------------------------------------- sae (lesson 10)
    case("sae.sparse_dictionary", lambda d: {"n_inputs": 6, "n_features": 8, "k": 2, "seed": 0},
         **KERAS),
    case("sae.normalise_rows", lambda d: {"layer": _dense_layer(d)}, **KERAS),
    case("layers.check_rate", lambda d: {"value": 0.3, "name": "rho", "rate": True},
         names={"value": ("rho",)}),
    # ---------------------------------------------------------------- course
    case("course.check_ref", lambda d: {"ref": "main"}),
    case("course.check_repository", lambda d: {"repo": "owner/name"}),
    case("course.colab_url", lambda d: {"notebook": "notebooks/01_basics.ipynb"}),
    case("course.binder_url", lambda d: {"notebook": "notebooks/01_basics.ipynb"}),
    case("course.badges_markdown", lambda d: {"notebook": "notebooks/01_basics.ipynb"}),
    case("course.install_requirement", lambda d: {"repo": "owner/name", "ref": "main"}),
    case("course.setup_cell_source", lambda d: {"seed": d.int(0, 99)}),
    case("course.check_notebook", lambda d: {"nb": tiny_notebook(),
                                             "notebook": "notebooks/01_basics.ipynb"}),
    case("course.colab_install_source", lambda d: {"repo": "owner/name", "ref": "main"}),
    case("course.kernel_metadata_problems", lambda d: {"nb": tiny_notebook()}),
    case("course.set_kernel_metadata", lambda d: {"nb": copy.deepcopy(tiny_notebook())}),
    # ---------------------------------------------------------------- plots
    case("plots.class_colors", lambda d: {"y": d.labels()}),
    case("plots.latent_grid_codes", lambda d: {"z": d.codes(), "n": d.int(2, 6),
                                               "quantiles": (0.0, 1.0)}),
    case("plots.latent_scatter", lambda d: {"z": d.codes(), "y": d.labels(), "seed": 0}, **PLOT),
    case("plots.latent_bars", lambda d: {"z": d.codes(d.n, 3), "x": d.images(), "y": d.labels(),
                                         "per_class": 1, "seed": 0}, **PLOT),
    case("plots.latent_grid", lambda d: {"decode": lambda c: np.full((len(c), 4, 4), 0.5),
                                         "z": d.codes(), "y": d.labels(), "n": 3}, **PLOT),
    case("plots.latent_epochs", lambda d: {"latents": {0: d.codes(), 2: d.codes()},
                                           "y": d.labels()}, **PLOT),
    case("plots.latent_histograms", lambda d: {"z": d.codes(d.n, 2), "bins": 5, "max_dims": 2},
         **PLOT),
    case("plots.embedding_2d", lambda d: {"z": d.codes(d.n, 3), "y": d.labels(),
                                          "method": "pca", "n_samples": d.n}, **PLOT),
    case("plots.error_histogram", lambda d: {"errors": d.scores(), "threshold": 0.5, "bins": 5},
         **PLOT),
    case("plots.error_by_class", lambda d: {"errors": d.scores(), "y": d.labels(d.n, 3),
                                            "normal": 0}, names={"errors": ("y",)}, **PLOT),
    case("plots.roc", lambda d: {"y_true": d.anomaly(), "scores": d.scores()}, **PLOT),
    case("plots.threshold_tradeoff", lambda d: {"percentiles": [90.0, 95.0, 99.0],
                                                "precision": [0.5, 0.6, 0.7],
                                                "recall": [0.9, 0.8, 0.5]}, **PLOT),
    case("plots.timeseries_errors", lambda d: {"x": d.codes(20), "x_hat": d.codes(20),
                                               "errors": d.scores(20), "threshold": 0.5}, **PLOT),
    case("plots.image_rows", lambda d: {"x": d.images(), "x_hat": d.images(), "n": 3}, **PLOT),
    case("plots.image_grid", lambda d: {"rows": {"a": d.images()}, "n": 3}, **PLOT),
    case("plots.training_curves", lambda d: {"history": {"loss": list(d.scores())}}, **PLOT),
    case("plots.denoising_rows", lambda d: {"x": d.images(), "noisy": d.images(),
                                            "outputs": {"m": d.images()}, "n": 3}, **PLOT),
    case("plots.noise_level_curves", lambda d: {"levels": [0.1, 0.2, 0.3],
                                                "scores": {"m": [1.0, 2.0, 3.0]}}, **PLOT),
    case("plots.score_matrix", lambda d: {"scores": d.codes(2, 3), "row_labels": ["a", "b"],
                                          "col_labels": ["x", "y", "z"]}, **PLOT),
    case("plots.error_vs_latent_dim", lambda d: {"latent_dims": [1, 2, 4],
                                                 "errors": {"m": [0.3, 0.2, 0.1]}}, **PLOT),
    case("plots.rate_distortion", lambda d: {"variances": np.sort(d.scores())[::-1]}, **PLOT),
    case("plots.subspace_angles", lambda d: {"angles": {"k=2": [1.0, 30.0]}}, **PLOT),
    case("plots.interpolation", lambda d: {"paths": {"a": d.rng.random((5, 4, 4))}}, **PLOT),
    case("plots.latent_path", lambda d: {"z": d.codes(30), "y": d.labels(30),
                                         "paths": {"p": d.codes(5)}, "n_neighbors": 5}, **PLOT),
    case("plots.path_profile", lambda d: {"values": {"p": d.rng.random((3, 5))}}, **PLOT),
    case("plots.activation_histograms", lambda d: {"activations": {"m": d.rng.random((9, 3))},
                                                   "bins": 5}, **PLOT),
    case("plots.weight_images", lambda d: {"weights": d.codes(16, 3)}, **PLOT),
    case("plots.pixel_weight_map", lambda d: {"weights": d.codes(16, 3), "top": 0.1}, **PLOT),
    case("plots.accuracy_vs_labels", lambda d: {"n_labels": [1.0, 5.0],
                                                "accuracies": {"m": [[0.5, 0.6], [0.8]]},
                                                "chance": 0.1}, **PLOT),
    case("plots.beta_sweep", lambda d: {"betas": [0.5, 1.0, 4.0], "rate": d.scores(3),
                                        "distortion": d.scores(3), "active": [2.0, 2.0, 1.0],
                                        "latent_dim": 2}, **PLOT),
    case("plots.density_histogram", lambda d: {"densities": {"m": d.rng.random(d.n)}},
         **PLOT),  # densities are fractions in [0, 1] (scores() can reach 1.01)
    case("plots.elbo_curves", lambda d: {"history": _vae_history(d)}, **PLOT),
    case("plots.neighbour_rows", lambda d: {"queries": d.images(2), "y_queries": d.labels(2),
                                            "database": d.images(), "y_database": d.labels(),
                                            "neighbours": {"m": np.array([[0, 1], [2, 3]])}},
         **PLOT),
    case("plots.noise_level_grid", lambda d: {"levels": {"g": [0.1, 0.2]},
                                              "rows": {"psnr": {"g": {"m": [20.0, 18.0]}}},
                                              "width": 6.0}, names={"levels": ("rows",)}, **PLOT),
    case("plots.pixel_weight_changes", lambda d: {"weights": {"a": d.codes(16, 3),
                                                              "b": d.codes(16, 3)},
                                                  "top": 0.1}, **PLOT),
    case("plots.prior_grid", lambda d: {"decode": lambda c: np.full((len(c), 4, 4), 0.5),
                                        "n": 3, "coverage": 0.9}, **PLOT),
    case("plots.sparsity_tradeoff", lambda d: {"curves": {"m": ([2.0, 4.0, 8.0],
                                                                [0.3, 0.2, 0.1])}}, **PLOT),
    case("plots.top_activating", lambda d: {"images": d.images(), "activations": d.flat(d.n, 3),
                                            "units": [0, 2], "n": 3},
         names={"activations": ("units",)}, **PLOT),
    case("plots.autoencoder_diagram", lambda d: {"layer_sizes": (16, 4, 2, 4, 16)}, **PLOT),
])  # fmt: skip

# Re-exports: the same object as a listed case.
ALIASES = {
    "data.Dataset": "dataset.Dataset", "data.download": "datafiles.download",
    "data.read_idx": "datafiles.read_idx", "models.ActivityPenalty": "layers.ActivityPenalty",
    "models.KLSparsity": "layers.KLSparsity", "models.L1Sparsity": "layers.L1Sparsity",
    "models.TrainingNoise": "layers.TrainingNoise", "models.Standardize": "layers.Standardize",
    "models.DenseTranspose": "layers.DenseTranspose", "models.Sampling": "variational.Sampling",
    "models.VariationalAutoencoder": "variational.VariationalAutoencoder",
    "models.variational_autoencoder": "variational.variational_autoencoder",
}  # fmt: skip

EXEMPT = {
    "cli.build_parser": "argparse parser; the command line is tested in tests/test_cli.py",
    "cli.main": "runs notebooks in kernels; tested by name in tests/test_cli.py",
    "environment.setup": "changes global state; its argument checks are tested by name in "
    "tests/test_environment.py (nothing changes before they pass)",
    "environment.describe_environment": "imports the backend; takes only a seed to echo back",
    "environment.import_tensorflow_quietly": "takes no arguments",
    "environment.import_keras_quietly": "takes no arguments",
    "environment.keras_backend_name": "takes no arguments; tested in tests/test_environment.py",
    "environment.draw_inline_figures_once": "takes an IPython shell or None; tested with a fake "
    "shell and a real kernel in tests/test_environment.py",
    "backend.*": "no data arguments: reads the process environment and Keras's config file; "
    "tested in tests/test_environment.py and tests/test_doctor.py",
    "environment.Environment": "a record of version strings, built by describe_environment",
    "data.load_dataset": "reads files and the network; tested by name in tests/test_data.py",
    "data.available_datasets": "takes no arguments",
    "data.data_dirs": "takes no arguments",
    "data.DatasetInfo": "a record of strings, built by available_datasets",
    "data.DatasetError": "an exception class",
    "dataset.DatasetError": "an exception class",
    "datafiles.download": "needs a server; argument checks and failures in tests/test_data.py",
    "datafiles.read_idx": "reads files; damaged files are tested in tests/test_data.py",
    "datafiles.file_sha256": "reads a file; used by read_mnist_npz and download",
    "datafiles.read_mnist_npz": "reads files; every bad file is tested by name in test_data.py",
    "course.rewrite_notebook": "rewrites a notebook in place; tested in tests/test_course.py",
    "course.notebook_name": "paths in a repository; tested in tests/test_course.py",
    "course.check_notebook_file": "reads a file; tested in tests/test_course.py",
    "course.rewrite_notebook_file": "writes a file; tested in tests/test_course.py",
    "course.read_repository": "reads a file; tested in tests/test_course.py",
    "course.write_repository": "writes a file; tested in tests/test_course.py",
    "callbacks.LatentHistory": "a Keras callback: needs a training run (tests/test_callbacks.py)",
    "callbacks.TrainingProgress": "a Keras callback: needs a training run; its output (one "
    "line printed, rewritten or displayed) and its label check are tested in "
    "tests/test_callbacks.py",
    "layers.ActivityPenalty": "a Keras layer used inside models; tested in test_models_sparse.py",
    "layers.KLSparsity": "a Keras regularizer; tested in tests/test_models_sparse.py",
    "layers.L1Sparsity": "a Keras regularizer; tested in tests/test_models_sparse.py",
    "layers.TrainingNoise": "a Keras layer; tested in tests/test_models.py and test_noise.py",
    "layers.Standardize": "a Keras layer; its adapt's input checks (shape, features, finite "
    "values) are tested by name in tests/test_layers_standardize.py",
    "initializers.GlorotUniform": "a Keras initialiser, called by Keras with a weight shape; its "
    "seed check and draws are tested in tests/test_initializers.py",
    "initializers.Zeros": "a Keras initialiser, called by Keras with a weight shape; tested in "
    "tests/test_initializers.py",
    "initializers.numpy_defaults": "takes no arguments; tested in tests/test_initializers.py",
    "models.Autoencoder": "built by the builders; its encode/decode/reconstruct are cases here",
    "timeseries.SensorSignals": "built by sensor_signals; its slice method is a case here",
    "layers.DenseTranspose": "a Keras layer tied to another Dense layer's kernel; tested in "
    "tests/test_models_tied.py",
    "variational.Sampling": "a Keras layer inside the VAE; tested in tests/test_variational.py",
    "variational.VariationalAutoencoder": "a keras.Model subclass built by "
    "variational_autoencoder (a case here); training tested in tests/test_variational.py",
    "sae.TopK": "a Keras layer inside sparse_dictionary (a case here); tested in tests/test_sae.py",
    "sae.kth_largest_distinct": "gives -inf past a row's distinct values by design (not finite); "
    "tested against keras.ops.top_k in tests/test_sae.py",
    "sae.DeadFeatureResampler": "a Keras callback: needs a training run (tests/test_sae.py)",
    "runner.*": "runs notebooks in kernels; tested by name in tests/test_cli.py",
}

# Hostile inputs a function still answers with the wrong kind of error: name -> what goes
# wrong. Each entry is an open task (the test runs as xfail and reports XPASS once fixed);
# empty since the six plot functions found by this suite were fixed (issue #14).
KNOWN_GAPS: dict[str, str] = {}

SHAPES: dict[str, Callable[[Any, dict], bool]] = {
    "metrics.reconstruction_error": lambda r, k: r.shape == (len(k["x"]),),
    "metrics.psnr": lambda r, k: r.shape == (len(k["x"]),),
    "metrics.principal_angles": lambda r, k: r.shape == (2,) and (0 <= r).all() and (r <= 90).all(),
    "interpolation.lerp": lambda r, k: r.shape == (len(k["a"]), k["steps"], 2),
    "interpolation.slerp": lambda r, k: r.shape == (len(k["a"]), k["steps"], 2),
    "interpolation.path_fractions": lambda r, k: r.shape == (k["steps"],),
    "noise.corrupt": lambda r, k: r.shape == k["x"].shape and (0 <= r).all() and (r <= 1).all(),
    "plots.latent_grid_codes": lambda r, k: r[0].shape == (k["n"] ** 2, 2),
    "numpy_ae.NumpyAutoencoder.encode": lambda r, k: r.shape == (len(k["x"]), 2),
    "numpy_ae.NumpyAutoencoder.decode": lambda r, k: r.shape == (len(k["z"]), 16),
    "models.Autoencoder.encode": lambda r, k: r.shape == (len(k["x"]), 2),
    "models.Autoencoder.decode": lambda r, k: r.shape == (len(k["z"]), 4, 4),
    "models.Autoencoder.reconstruct": lambda r, k: r.shape == k["x"].shape,
    "timeseries.windows": lambda r, k: r.shape[1:] == (k["size"], 2),
    "timeseries.overlap_average": lambda r, k: r.shape == (k["n_steps"],),
}


def public_names() -> set[str]:
    """Every public callable, as ``module.name``, from each module's ``__all__``."""
    names = set()
    for module in aetutor._SUBMODULES:
        mod = importlib.import_module(f"aetutor.{module}")
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj) and not inspect.ismodule(obj):
                names.add(f"{module}.{name}")
    return names


def test_every_public_callable_is_covered_or_exempt():
    missing = sorted(
        name for name in public_names()
        if name not in CASES and name not in EXEMPT and name not in ALIASES
        and f"{name.split('.')[0]}.*" not in EXEMPT
    )  # fmt: skip
    assert not missing, f"add a Case (or an EXEMPT reason) for: {missing}"
    stale = sorted(set(EXEMPT) - public_names() - {"runner.*", "backend.*"})
    assert not stale, f"EXEMPT lists names that are no longer public: {stale}"


# --------------------------------------------------------------------------- results


def _finite(value: Any, depth: int = 0) -> bool:
    """Whether every number in a result (arrays, tuples, dataclasses, dicts) is finite."""
    if depth > 4:
        return True
    if isinstance(value, np.ndarray):
        return not np.issubdtype(value.dtype, np.inexact) or bool(np.isfinite(value).all())
    if isinstance(value, (float, np.floating)):
        return bool(np.isfinite(value))
    if isinstance(value, (list, tuple)):
        return all(_finite(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(_finite(v, depth + 1) for v in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_finite(getattr(value, f.name), depth + 1)
                   for f in dataclasses.fields(value) if f.name != "recall")  # fmt: skip
    return True


def _call(f: Callable, kwargs: dict) -> Any:
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow/invalid: must not pass quietly
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="threadpoolctl")
        try:
            return f(**kwargs)
        except (ValueError, TypeError) as exc:
            # Refuse bad input before drawing: a figure made first stays open (and shows up
            # empty in a notebook) when the check fails.
            if set(plt.get_fignums()) - before:
                raise AssertionError(
                    f"{getattr(f, '__qualname__', f)} refused its input only after creating "
                    f"a figure: {exc}"
                ) from exc
            raise
        finally:
            # One test runs many examples: without this, the 21st open figure raises
            # matplotlib's "More than 20 figures" RuntimeWarning as an error (dev profile).
            plt.close("all")


def _examples(case_: Case) -> int:
    return max(2, round(settings.default.max_examples * case_.weight))


@pytest.mark.parametrize("key", sorted(CASES))
def test_valid_inputs_give_finite_results_of_the_documented_shape(key):
    case_ = CASES[key]

    @settings(max_examples=_examples(case_))
    @given(st.data())
    def run(data):
        f, kwargs = case_.build(Draw(data))
        result = _call(f, kwargs)
        assert _finite(result) or not case_.finite, f"{key}: non-finite values for valid input"
        if key in SHAPES:
            assert SHAPES[key](result, kwargs), f"{key}: unexpected result {result!r:.200}"

    run()


# --------------------------------------------------------------------------- hostile inputs


def _hostile_values(valid: Any) -> list:
    """Values that should be refused (or handled) in place of ``valid``."""
    out: list = [None, "text", b"\x00", True, 1j, [], {}, object(), ["a", "b"],
                 float("nan"), float("inf"), -float("inf"), 1e300, -1e300, 1.7, -1,
                 0, 2**32, 2**40, -(2**63), 2**64]  # fmt: skip
    if isinstance(valid, np.ndarray) and valid.size:
        arr = valid.astype(np.float64)
        out += [
            arr.astype(np.complex128),
            arr + 1j,
            np.where(np.arange(arr.size).reshape(arr.shape) == 0, np.nan, arr),
            np.where(np.arange(arr.size).reshape(arr.shape) == 0, np.inf, arr),
            arr * 1e39,
            np.full(arr.shape, 1e300) * np.where(np.arange(arr.size).reshape(arr.shape) % 2, 1, -1),
            arr - 1.5,
            arr * 1000,
            arr.ravel(),
            arr[None],
            arr[:0],
            arr[:1],
            arr[..., :0] if arr.ndim > 1 else arr[:0],
            arr.astype(str),
            arr.astype(object),
            arr + 0.5,
            np.zeros_like(arr),
            arr[: max(1, len(arr) - 1)],
        ]
        if np.issubdtype(valid.dtype, np.integer) or valid.dtype == bool:
            out += [valid.astype(np.int64) - 1, valid.astype(np.float64) + 0.3,
                    np.full(valid.shape, 1e20), valid.astype(np.int64).reshape(-1, 1)]  # fmt: skip
    if isinstance(valid, (list, tuple)) and valid:
        kind, k = type(valid), len(valid)
        out += [kind(list(valid)[:1]), kind([None] * k), kind([float("nan")] * k), kind(["x"] * k)]
    if isinstance(valid, dict) and valid:
        key = next(iter(valid))
        out += [{key: None}, {key: "x"}, {key: np.array([np.nan])}, {}, {3: valid[key]}]
    return out


def _names_argument(message: str, name: str, case_: Case) -> bool:
    words = (name, *case_.names.get(name, ()))
    return any(w in message for w in words)


@pytest.mark.parametrize("key", [
    pytest.param(k, marks=pytest.mark.xfail(reason=KNOWN_GAPS[k], strict=False))
    if k in KNOWN_GAPS else k
    for k, c in sorted(CASES.items()) if c.hostile
])  # fmt: skip
def test_hostile_argument_is_refused_naming_it_or_handled(key):
    case_ = CASES[key]

    @settings(max_examples=round(_examples(case_) * 1.5))
    @given(st.data())
    def run(data):
        f, kwargs = case_.build(Draw(data))
        free = sorted(k for k in kwargs if k not in case_.fixed)
        name = data.draw(st.sampled_from(free), label="argument")
        value = data.draw(st.sampled_from(_hostile_values(kwargs[name])), label="hostile value")
        kwargs = {**kwargs, name: value}
        try:
            result = _call(f, kwargs)
        except (ValueError, TypeError) as exc:
            if type(exc).__module__.startswith(("numpy", "sklearn", "scipy", "keras")):
                raise AssertionError(f"{key}({name}=…) leaked {type(exc).__name__}: {exc}") from exc
            assert _names_argument(str(exc), name, case_), (
                f"{key}: the error for a bad {name!r} does not name it: {exc}"
            )
            return
        except aetutor.DatasetError:
            return
        assert _finite(result) or not case_.finite, (
            f"{key}({name}={value!r:.60}) returned non-finite values"
        )

    run()
