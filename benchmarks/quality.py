"""How good the course's models are at full size, on Fashion-MNIST (60,000 / 10,000 images).

Four figures, each from real training on the full training set (unless a
``--quick`` run subsamples it):

- ``reference``: a dense 784-100-30 autoencoder trained for 20 epochs, the
  common reference configuration; test MSE (and BCE).
- ``pca_vs_ae``: PCA against a nonlinear dense autoencoder at several latent
  sizes; test MSE of each (modest epochs, stated in the table).
- ``anomaly``: for each normal class, an autoencoder trained on that class
  only; the reconstruction error (MSE) scores every test image; ROC AUC of
  "anomaly = any other class" (:func:`aetutor.metrics.detection_report`).
- ``denoising``: a dense denoising autoencoder trained with fresh noise every
  batch (:class:`aetutor.models.TrainingNoise`); mean PSNR of the corrupted and
  the denoised test images (:func:`aetutor.metrics.psnr`,
  :func:`aetutor.noise.corrupt`) and the gain.

Every model: ReLU hidden layers, linear code, sigmoid output
(:func:`aetutor.models.dense_autoencoder`), binary cross-entropy loss, Adam.
"""

from __future__ import annotations

import contextlib
import io
import time
from typing import Any

import numpy as np

__all__ = ["DEFAULTS", "QUICK", "render", "run"]

DEFAULTS: dict[str, Any] = {
    "dataset": "fashion_mnist",
    "n_train": None,  # None: all 60,000
    "n_test": None,  # None: all 10,000
    "seed": 42,
    "batch_size": 256,
    "learning_rate": 1e-3,
    "reference": {"hidden": (100,), "latent_dim": 30, "epochs": 20},
    "pca_vs_ae": {"hidden": (128,), "latent_dims": (2, 8, 32), "epochs": 10},
    "anomaly": {"hidden": (128,), "latent_dim": 16, "epochs": 20, "classes": None,
                "threshold_percentile": 95.0},
    "denoising": {"hidden": (256,), "latent_dim": 64, "epochs": 10,
                  "noises": (("gaussian", 0.5), ("masking", 0.5)), "test_seed": 0},
}
QUICK: dict[str, Any] = {
    **DEFAULTS,
    "n_train": 3000,
    "n_test": 1000,
    "reference": {**DEFAULTS["reference"], "epochs": 2},
    "pca_vs_ae": {**DEFAULTS["pca_vs_ae"], "latent_dims": (2, 8), "epochs": 2},
    "anomaly": {**DEFAULTS["anomaly"], "epochs": 2, "classes": (0, 1)},
    "denoising": {**DEFAULTS["denoising"], "epochs": 2, "noises": (("gaussian", 0.5),)},
}


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def _model(input_shape, latent_dim: int, hidden, seed: int):
    import keras

    from aetutor.models import dense_autoencoder

    keras.utils.set_random_seed(seed)  # each model starts from a seeded state
    return dense_autoencoder(input_shape, latent_dim, hidden=tuple(hidden))


def _fit(model, x, settings: dict[str, Any], epochs: int, inputs=None) -> float:
    """Compile with Adam + BCE and train on ``x -> x``; return the seconds it took."""
    import keras

    trainee = model if inputs is None else inputs
    trainee.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]),
                    loss="binary_crossentropy")
    t0 = time.perf_counter()
    trainee.fit(x, x, epochs=epochs, batch_size=settings["batch_size"], verbose=0, shuffle=True)
    return time.perf_counter() - t0


def _mse(x: np.ndarray, x_hat: np.ndarray) -> np.ndarray:
    from aetutor.metrics import reconstruction_error

    return reconstruction_error(x, x_hat, kind="mse")


def reference(ds, settings: dict[str, Any], log: Any) -> dict[str, Any]:
    """The 784-100-30 dense autoencoder, 20 epochs: test MSE and BCE."""
    from aetutor.metrics import reconstruction_error

    cfg = settings["reference"]
    model = _model(ds.image_shape, cfg["latent_dim"], cfg["hidden"], settings["seed"])
    seconds = _fit(model, ds.x_train, settings, cfg["epochs"])
    x_hat = model.reconstruct(ds.x_test)
    out = {
        "architecture": "-".join(str(n) for n in (784, *cfg["hidden"], cfg["latent_dim"],
                                                  *cfg["hidden"][::-1], 784)),
        "epochs": cfg["epochs"],
        "test_mse": float(_mse(ds.x_test, x_hat).mean()),
        "test_bce": float(reconstruction_error(ds.x_test, x_hat, kind="bce").mean()),
        "train_seconds": seconds,
    }
    log(f"quality: reference {out['architecture']}: test MSE {out['test_mse']:.5f} "
        f"({seconds:.0f} s)")
    return out


def pca_vs_ae(ds, settings: dict[str, Any], log: Any) -> list[dict[str, Any]]:
    """Test MSE of PCA and of a nonlinear dense autoencoder at each latent size."""
    from sklearn.decomposition import PCA

    cfg = settings["pca_vs_ae"]
    x_train, x_test = ds.flat().x_train, ds.flat().x_test
    rows = []
    for k in cfg["latent_dims"]:
        pca = PCA(n_components=k, random_state=settings["seed"]).fit(x_train)
        pca_mse = float(_mse(x_test, pca.inverse_transform(pca.transform(x_test))).mean())
        model = _model(ds.image_shape, k, cfg["hidden"], settings["seed"] + k)
        seconds = _fit(model, ds.x_train, settings, cfg["epochs"])
        ae_mse = float(_mse(ds.x_test, model.reconstruct(ds.x_test)).mean())
        rows.append({"latent_dim": k, "pca_mse": pca_mse, "ae_mse": ae_mse,
                     "ae_train_seconds": seconds})
        log(f"quality: latent {k}: PCA MSE {pca_mse:.5f}, autoencoder MSE {ae_mse:.5f}")
    return rows


def anomaly(ds, settings: dict[str, Any], log: Any) -> list[dict[str, Any]]:
    """One autoencoder per normal class; ROC AUC of reconstruction error, normal vs the rest."""
    from aetutor.metrics import detection_report

    cfg = settings["anomaly"]
    classes = cfg["classes"] if cfg["classes"] is not None else range(ds.n_classes)
    rows = []
    for c in classes:
        normal = ds.x_train[ds.y_train == c]
        model = _model(ds.image_shape, cfg["latent_dim"], cfg["hidden"],
                       settings["seed"] + 100 + int(c))
        seconds = _fit(model, normal, settings, cfg["epochs"])
        train_err = _mse(normal, model.reconstruct(normal))
        # A label-free threshold: a high percentile of the normal training errors.
        threshold = float(np.percentile(train_err, cfg["threshold_percentile"]))
        scores = _mse(ds.x_test, model.reconstruct(ds.x_test))
        report = detection_report(ds.y_test != c, scores, threshold)
        rows.append({
            "normal_class": int(c), "class_name": ds.class_names[int(c)],
            "n_train": int(len(normal)), "roc_auc": report.roc_auc,
            "average_precision": report.average_precision, "recall": report.recall,
            "false_positive_rate": report.false_positive_rate, "train_seconds": seconds,
        })
        log(f"quality: anomaly, normal class {c} ({ds.class_names[int(c)]}): "
            f"ROC AUC {report.roc_auc:.3f}")
    return rows


def denoising(ds, settings: dict[str, Any], log: Any) -> list[dict[str, Any]]:
    """Dense denoising autoencoders: PSNR of corrupted vs denoised test images."""
    import keras

    from aetutor.metrics import psnr
    from aetutor.models import TrainingNoise
    from aetutor.noise import corrupt

    cfg = settings["denoising"]
    rows = []
    for kind, level in cfg["noises"]:
        model = _model(ds.image_shape, cfg["latent_dim"], cfg["hidden"],
                       settings["seed"] + 200)
        x_in = keras.Input(shape=ds.image_shape, name="clean")
        noisy = TrainingNoise(kind, level, seed=settings["seed"], name="noise")(x_in)
        trainer = keras.Model(x_in, model(noisy), name="denoising_trainer")
        seconds = _fit(model, ds.x_train, settings, cfg["epochs"], inputs=trainer)
        x_noisy = corrupt(ds.x_test, kind, level, seed=cfg["test_seed"])
        x_denoised = model.reconstruct(x_noisy)
        before = float(psnr(ds.x_test, x_noisy).mean())
        after = float(psnr(ds.x_test, x_denoised).mean())
        rows.append({"noise": kind, "level": level, "psnr_noisy_db": before,
                     "psnr_denoised_db": after, "gain_db": after - before,
                     "train_seconds": seconds})
        log(f"quality: denoising {kind} {level}: PSNR {before:.2f} -> {after:.2f} dB")
    return rows


def run(settings: dict[str, Any], log: Any = print, parts=None) -> dict[str, Any]:
    """Load the data once, train every model, return the figures (and what they cost)."""
    import resource

    from aetutor import load_dataset, setup

    _quiet(setup, seed=settings["seed"])
    ds = _quiet(load_dataset, settings["dataset"])
    full = {"n_train": len(ds.x_train), "n_test": len(ds.x_test)}
    if settings["n_train"] is not None or settings["n_test"] is not None:
        ds = ds.subset(n_train=settings["n_train"], n_test=settings["n_test"], seed=0)
    parts = parts or ("reference", "pca_vs_ae", "anomaly", "denoising")
    functions = {"reference": reference, "pca_vs_ae": pca_vs_ae, "anomaly": anomaly,
                 "denoising": denoising}
    out: dict[str, Any] = {
        "settings": {**settings, "dataset_source": ds.source, "full_size": full,
                     "n_train_used": len(ds.x_train), "n_test_used": len(ds.x_test)},
    }
    seconds = {}
    for part in parts:
        t0 = time.perf_counter()
        out[part] = functions[part](ds, settings, log)
        seconds[part] = time.perf_counter() - t0
    out["seconds"] = seconds
    # ru_maxrss is in KiB on Linux: the peak resident memory of this process.
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section (used by :mod:`benchmarks.report`)."""
    s = data["settings"]
    n = f"{s['n_train_used']:,} train / {s['n_test_used']:,} test images"
    lines = [
        f"`{s['dataset']}` ({n}; source: {s['dataset_source']}). Every model: "
        "`aetutor.models.dense_autoencoder` (ReLU hidden layers, linear code, sigmoid "
        f"output), binary cross-entropy loss, Adam (lr {s['learning_rate']:g}), batch "
        f"{s['batch_size']}, seed {s['seed']}. MSE is the mean over test images of the "
        "per-image mean squared pixel error (pixels in [0, 1]). Each model is trained once "
        "(these are quality figures; the training seconds are for information only).",
    ]
    if s["n_train_used"] < s["full_size"]["n_train"]:
        lines += ["", "**Subsampled run (`--quick`): not the full-size figures.**"]
    if "reference" in data:
        r = data["reference"]
        lines += [
            "",
            f"**Reference autoencoder** {r['architecture']}, {r['epochs']} epochs: "
            f"test MSE **{r['test_mse']:.4f}** (test BCE {r['test_bce']:.4f}; trained in "
            f"{r['train_seconds']:.0f} s).",
        ]
    if "pca_vs_ae" in data:
        cfg = s["pca_vs_ae"]
        hidden = "-".join(str(h) for h in cfg["hidden"])
        lines += [
            "",
            f"**PCA vs autoencoder** (784-{hidden}-k-{hidden}-784, {cfg['epochs']} epochs "
            "each; PCA fitted on the same training images): test MSE",
            "",
            "| latent size k | PCA | autoencoder | autoencoder / PCA |",
            "|---:|---:|---:|---:|",
        ]
        for row in data["pca_vs_ae"]:
            lines.append(
                f"| {row['latent_dim']} | {row['pca_mse']:.4f} | {row['ae_mse']:.4f} | "
                f"{row['ae_mse'] / row['pca_mse']:.2f} |"
            )
    if "anomaly" in data:
        cfg = s["anomaly"]
        hidden = "-".join(str(h) for h in cfg["hidden"])
        rows = data["anomaly"]
        lines += [
            "",
            f"**Anomaly detection** (784-{hidden}-{cfg['latent_dim']}-{hidden}-784, trained "
            f"{cfg['epochs']} epochs on the training images of one class; score = "
            "reconstruction MSE; positives = test images of every other class; threshold "
            f"for recall/false alarms = {cfg['threshold_percentile']:g}th percentile of the "
            "normal training errors):",
            "",
            "| normal class | ROC AUC | average precision | recall | false-alarm rate |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in rows:
            lines.append(
                f"| {row['normal_class']} {row['class_name']} | {row['roc_auc']:.3f} | "
                f"{row['average_precision']:.3f} | {row['recall']:.3f} | "
                f"{row['false_positive_rate']:.3f} |"
            )
        aucs = [row["roc_auc"] for row in rows]
        lines.append(f"| **mean** | **{np.mean(aucs):.3f}** | | | |")
    if "denoising" in data:
        cfg = s["denoising"]
        hidden = "-".join(str(h) for h in cfg["hidden"])
        lines += [
            "",
            f"**Denoising** (784-{hidden}-{cfg['latent_dim']}-{hidden}-784, {cfg['epochs']} "
            "epochs, fresh noise every batch; test images corrupted once with seed "
            f"{cfg['test_seed']}; PSNR averaged over images):",
            "",
            "| noise | level | PSNR corrupted (dB) | PSNR denoised (dB) | gain (dB) |",
            "|---|---:|---:|---:|---:|",
        ]
        for row in data["denoising"]:
            lines.append(
                f"| {row['noise']} | {row['level']:g} | {row['psnr_noisy_db']:.2f} | "
                f"{row['psnr_denoised_db']:.2f} | **{row['gain_db']:+.2f}** |"
            )
    if "seconds" in data:
        spent = ", ".join(f"{k} {v:.0f} s" for k, v in data["seconds"].items())
        lines += ["", f"Wall time: {spent}; peak memory of the process "
                      f"{data['peak_rss_mib']:,.0f} MiB."]
    return lines
