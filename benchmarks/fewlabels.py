"""Lesson 09 at full size: classifying from few labels with codes learnt without labels.

The lesson's convolutional autoencoder (:func:`aetutor.models.conv_autoencoder`,
filters 16-32, a 16-number code) is pretrained on every training image, labels
unused. Then ``n`` labelled images per class are drawn
(:func:`aetutor.fewlabels.label_draw`, several seeds at small ``n``) and a
classifier is scored on the whole test set:

- a linear probe (:func:`aetutor.fewlabels.linear_probe`: logistic regression on
  standardised features) on the AE codes, on an untrained encoder's codes of the
  same shape, on PCA features of the same size and on the raw pixels;
- the pretrained encoder fine-tuned with a softmax head in two stages (the head
  starts from the linear probe's weights, then everything trains), against the
  same network trained the same way from random weights.

Every setting that the lesson has (code size, filters, optimizer, fine-tuning
steps and rate) is the lesson's; what differs at full size is said in the
report: the number of pretraining epochs, the draws per ``n``, and that the
scikit-learn fits (PCA, the probes) run with one BLAS thread: with OpenBLAS's
default two threads on a busy 2-core machine the same fits ran up to 30 times
slower (threads waiting for each other), and one thread costs little when idle.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
import warnings
from typing import Any

__all__ = ["DEFAULTS", "FEATURES", "QUICK", "render", "run", "score", "spread"]

#: The feature kinds (columns of the report), in the lesson's order and with its names.
FEATURES = ("AE codes", "untrained encoder", "PCA", "pixels",
            "fine-tuned AE encoder", "same network from scratch")
_PROBED = FEATURES[:4]  # linear probe on fixed features; the last two fine-tune an encoder

DEFAULTS: dict[str, Any] = {
    "datasets": ("fashion_mnist", "mnist"),
    "optional": ("mnist",),  # skipped (and said so) when not available offline
    "n_train": None,  # None: the full training set (pretraining pool and label pool)
    "n_test": None,  # None: the full test set
    "latent_dim": 16,  # the lesson's LATENT_DIM
    "filters": (16, 32),  # the lesson's CONV_FILTERS
    "epochs": 5,  # the lesson: 10 epochs of 10,000 images; here 5 of 60,000 (3x the steps)
    "batch_size": 128,
    "learning_rate": 3e-3,
    "labels_per_class": (10, 100, 1000, None),  # None: every training label
    "draws": (5, 5, 3, 1),  # label draws (seeds 0, 1, ...) at each size
    "probe_max_iter": 500,  # the lesson's (linear_probe's default)
    "probe_threads": 1,  # BLAS threads of the scikit-learn fits (None: the library's default)
    "pixel_probe_max": None,  # most labelled images the pixel probe is fitted on (None: no cap)
    "finetune_steps": 60,  # at least this many steps, in whole epochs (the lesson's rule)
    "finetune_batch": 32,
    "finetune_rate": 1e-3,
    "seed": 42,
}
QUICK: dict[str, Any] = {
    **DEFAULTS,
    "datasets": ("fashion_mnist",),
    "n_train": 3000,
    "n_test": 500,
    "epochs": 1,
    "labels_per_class": (10, None),
    "draws": (2, 1),
    "pixel_probe_max": 1000,  # so that the quick run also shows a skipped pixel probe
    "finetune_steps": 10,
}


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def _unconverged(caught: list[warnings.WarningMessage]) -> bool:
    from sklearn.exceptions import ConvergenceWarning

    return any(issubclass(w.category, ConvergenceWarning) for w in caught)


def _timed(fn, *args, **kwargs) -> tuple[Any, float, bool]:
    """``fn(...)``, its wall seconds, and whether a logistic regression in it did not converge."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        seconds = time.perf_counter() - t0
    return out, seconds, _unconverged(caught)


def _blas_threads(s: dict[str, Any]):
    """A context that limits the BLAS threads of NumPy/SciPy/scikit-learn as the settings say."""
    if s["probe_threads"] is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=s["probe_threads"], user_api="blas")


def spread(values: list[float]) -> dict[str, float]:
    """Mean, standard deviation (over the draws, ``ddof=0`` as in the lesson), lowest, highest."""
    import numpy as np

    if len(values) == 0:
        raise ValueError("values must hold at least one accuracy, got none")
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
            "max": float(v.max())}


def _epochs(s: dict[str, Any]) -> str:
    return f"{s['epochs']} epoch{'s' * (s['epochs'] != 1)}"


def _check(s: dict[str, Any]) -> None:
    sizes, draws = tuple(s["labels_per_class"]), tuple(s["draws"])
    if len(sizes) != len(draws) or not sizes:
        raise ValueError(
            "labels_per_class and draws must be sequences of the same nonzero length (one "
            f"number of draws per size), got {len(sizes)} sizes and {len(draws)} draw counts"
        )
    bad = [d for d in draws if isinstance(d, bool) or not isinstance(d, int) or d < 1]
    if bad:
        raise ValueError(f"draws must be positive integers, got {list(draws)}")


def _fine_tune(encoder, x_train, y_train, x_test, y_test, n_classes: int, s: dict[str, Any],
               pretrained: bool) -> float:
    """The lesson's two-stage fine-tuning on ``(x_train, y_train)``; test accuracy.

    ``encoder`` is the pretrained one; ``pretrained=False`` trains a copy of it with
    fresh random weights the same way. Stage 1 fits the softmax head alone on the
    frozen encoder's standardised codes (the linear probe); stage 2 trains the
    whole network from there for ``finetune_steps`` steps or one epoch, whichever
    is more.
    """
    import keras
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    layers = keras.layers
    enc = keras.models.clone_model(encoder)  # same layers, fresh random weights
    if pretrained:
        enc.set_weights(encoder.get_weights())  # ... or a copy of the autoencoder's
    codes = enc.predict(x_train, batch_size=1024, verbose=0)  # in batches: 60k at once is GBs
    standardise = layers.Normalization(name="standardise")
    standardise.adapt(codes)
    with _blas_threads(s):
        probe = LogisticRegression(max_iter=s["probe_max_iter"]).fit(
            keras.ops.convert_to_numpy(standardise(codes)), y_train)
    head = layers.Dense(n_classes, activation="softmax", name="class")
    head.build((None, codes.shape[1]))
    head.set_weights([probe.coef_.T, probe.intercept_])
    x = keras.Input(shape=x_train.shape[1:], name="image")
    model = keras.Model(x, head(standardise(enc(x))), name="classifier")
    model.compile(optimizer=keras.optimizers.Adam(s["finetune_rate"]),
                  loss="sparse_categorical_crossentropy")
    epochs = math.ceil(s["finetune_steps"] / math.ceil(len(x_train) / s["finetune_batch"]))
    model.fit(x_train, y_train, epochs=epochs, batch_size=s["finetune_batch"], verbose=0)
    probs = model.predict(x_test, batch_size=1024, verbose=0)
    return float(np.mean(probs.argmax(axis=1) == y_test))


def score(ds, s: dict[str, Any], log: Any = print) -> dict[str, Any]:
    """Pretrain on ``ds``, then score every feature kind at every size; per-draw results."""
    import keras
    import numpy as np
    from sklearn.decomposition import PCA

    from aetutor.fewlabels import label_draw, linear_probe
    from aetutor.metrics import reconstruction_error
    from aetutor.models import conv_autoencoder

    _check(s)
    keras.utils.set_random_seed(s["seed"])
    x_train, y_train, x_test, y_test = ds.x_train, ds.y_train, ds.x_test, ds.y_test
    ae = conv_autoencoder(ds.image_shape, tuple(s["filters"]), s["latent_dim"])
    untrained = conv_autoencoder(ds.image_shape, tuple(s["filters"]), s["latent_dim"])
    ae.compile(optimizer=keras.optimizers.Adam(s["learning_rate"]), loss="binary_crossentropy")
    t0 = time.perf_counter()
    ae.fit(x_train, x_train, epochs=s["epochs"], batch_size=s["batch_size"], shuffle=True,
           verbose=0)
    pretrain_seconds = time.perf_counter() - t0
    ae_mse = float(reconstruction_error(x_test, ae.reconstruct(x_test)).mean())
    mean_mse = float(reconstruction_error(
        x_test, np.broadcast_to(x_train.mean(axis=0), x_test.shape)).mean())
    log(f"fewlabels: {ds.name}: pretrained {_epochs(s)} on {len(x_train):,} images in "
        f"{pretrain_seconds:.0f} s, test MSE {ae_mse:.4f} (mean image {mean_mse:.4f})")

    flat_train, flat_test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    with _blas_threads(s):
        pca, pca_seconds = _timed(PCA(s["latent_dim"], random_state=0).fit, flat_train)[:2]
    features = {
        "AE codes": (ae.encode(x_train), ae.encode(x_test)),
        "untrained encoder": (untrained.encode(x_train), untrained.encode(x_test)),
        "PCA": (pca.transform(flat_train), pca.transform(flat_test)),
        "pixels": (flat_train, flat_test),
    }
    sizes = []
    for per_class, n_draws in zip(s["labels_per_class"], s["draws"]):
        n_draws = 1 if per_class is None else n_draws  # one draw of every label is all there is
        draws = [label_draw(y_train, per_class, seed=seed) for seed in range(n_draws)]
        n_labelled = len(draws[0])
        kinds: dict[str, Any] = {}
        for name in FEATURES:
            if name == "pixels" and s["pixel_probe_max"] is not None \
                    and n_labelled > s["pixel_probe_max"]:
                kinds[name] = {"skipped": f"more than {s['pixel_probe_max']:,} labelled images"}
                continue
            runs = []
            for d in draws:
                if name in _PROBED:
                    f_train, f_test = features[name]
                    with _blas_threads(s):
                        runs.append(_timed(linear_probe, f_train[d], y_train[d], f_test, y_test,
                                           max_iter=s["probe_max_iter"]))
                else:
                    runs.append(_timed(_fine_tune, ae.encoder, x_train[d], y_train[d], x_test,
                                       y_test, ds.n_classes, s, name == FEATURES[4]))
            kinds[name] = {"accuracy": [r[0] for r in runs], "seconds": [r[1] for r in runs],
                           "unconverged": sum(r[2] for r in runs)}
        sizes.append({"per_class": per_class, "n_labelled": n_labelled, "draws": n_draws,
                      "kinds": kinds})
        log(f"fewlabels: {ds.name}: {n_labelled:,} labels ({n_draws} draw"
            f"{'s' * (n_draws != 1)}): " + ", ".join(
                f"{k} {np.mean(v['accuracy']):.3f}" for k, v in kinds.items() if "accuracy" in v))
    return {
        "n_train": len(x_train), "n_test": len(x_test), "source": ds.source,
        "n_classes": ds.n_classes, "pretrain_seconds": pretrain_seconds,
        "ae_test_mse": ae_mse, "mean_image_mse": mean_mse, "pca_seconds": pca_seconds,
        "sizes": sizes,
    }


def run(settings: dict[str, Any], log: Any = print) -> dict[str, Any]:
    """Score lesson 09's few-label pipeline on every dataset; optional ones may be missing."""
    import resource

    from aetutor import setup
    from benchmarks.datasets import each_dataset

    _check(settings)
    _quiet(setup, seed=settings["seed"])
    results, skipped = {}, {}
    for name, ds in each_dataset(settings, "fewlabels", skipped, log):
        results[name] = score(ds, settings, log)
    return {"settings": settings, "results": results, "skipped": skipped,
            # ru_maxrss is in KiB on Linux: the peak resident memory of this process.
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _labels(size: dict[str, Any]) -> str:
    per_class = "all" if size["per_class"] is None else f"{size['per_class']:,} per class"
    return f"{size['n_labelled']:,} ({per_class})"


def _cell(kind: dict[str, Any]) -> str:
    if "skipped" in kind:
        return "not run"
    a = spread(kind["accuracy"])
    mark = " †" if kind.get("unconverged") else ""
    if len(kind["accuracy"]) == 1:
        return f"{a['mean']:.3f}{mark}"
    return f"{a['mean']:.3f} ± {a['std']:.3f} ({a['min']:.3f}–{a['max']:.3f}){mark}"


def _seconds(kind: dict[str, Any]) -> str:
    if "skipped" in kind:
        return "–"
    return f"{sum(kind['seconds']) / len(kind['seconds']):.1f}"


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section (used by :mod:`benchmarks.report`)."""
    s = data["settings"]
    filters = "-".join(str(f) for f in s["filters"])
    draws = ", ".join(f"{d} at {'all' if p is None else p}"
                      for p, d in zip(s["labels_per_class"], s["draws"]))
    pixel_cap = ("" if s["pixel_probe_max"] is None else
                 f" The pixel probe runs only up to {s['pixel_probe_max']:,} labelled images: a "
                 "logistic regression on 784 standardised pixels is the slowest fit of the "
                 "section.")
    threads = ("" if s["probe_threads"] is None else
               f" The scikit-learn fits (PCA, probes) run with {s['probe_threads']} BLAS "
               f"thread{'s' * (s['probe_threads'] != 1)}, which keeps them from stalling on a "
               "busy machine.")
    lines = [
        f"Lesson 09's pipeline at full size. A convolutional autoencoder (filters {filters}, "
        f"stride 2, a {s['latent_dim']}-number code) is pretrained without labels on every "
        f"training image ({_epochs(s)}, Adam lr {s['learning_rate']:g}, batch "
        f"{s['batch_size']}, binary cross-entropy; the lesson trains 10 epochs on at most 10,000 "
        f"images). Then n labelled images per class are drawn at random (draws per size: "
        f"{draws}) and each classifier is scored on every test image. Linear probe: logistic "
        f"regression (C = 1, at most {s['probe_max_iter']} iterations) on standardised features: "
        f"the AE codes, an untrained encoder of the same shape, the first {s['latent_dim']} "
        f"principal components, the raw pixels. Fine-tuned: the encoder with a softmax head, "
        f"head initialised from the linear probe on its codes, then the whole network trained "
        f"with Adam (lr {s['finetune_rate']:g}, batch {s['finetune_batch']}) for "
        f"{s['finetune_steps']} steps or one epoch, whichever is more (the lesson's rule): with "
        f"every label that is a single pass over the training images, not fine-tuning to "
        f"convergence. \"Same network from scratch\" is that recipe from random weights."
        + pixel_cap + threads,
        "",
        "Test accuracy, mean ± standard deviation over the draws (lowest–highest draw); chance "
        "is 1 / number of classes. † a logistic regression stopped at the iteration cap before "
        "converging in at least one draw.",
        "",
        "| dataset | labelled images | draws | " + " | ".join(FEATURES) + " |",
        "|---|---:|---:|" + "---:|" * len(FEATURES),
    ]
    for name, r in data["results"].items():
        for size in r["sizes"]:
            lines.append(f"| `{name}` | {_labels(size)} | {size['draws']} | "
                         + " | ".join(_cell(size["kinds"][k]) for k in FEATURES) + " |")
    lines += [
        "",
        "Seconds per draw (fitting and scoring; fine-tuning includes its stage-1 probe):",
        "",
        "| dataset | labelled images | " + " | ".join(FEATURES) + " |",
        "|---|---:|" + "---:|" * len(FEATURES),
    ]
    for name, r in data["results"].items():
        for size in r["sizes"]:
            lines.append(f"| `{name}` | {_labels(size)} | "
                         + " | ".join(_seconds(size["kinds"][k]) for k in FEATURES) + " |")
    for name, r in data["results"].items():
        gains = []
        for size in r["sizes"]:
            codes, pixels = size["kinds"]["AE codes"], size["kinds"]["pixels"]
            if "accuracy" in codes and "accuracy" in pixels:
                gain = spread(codes["accuracy"])["mean"] - spread(pixels["accuracy"])["mean"]
                gains.append(f"{size['n_labelled']:,} labels {gain:+.3f}")
        lines += [
            "",
            f"`{name}`: {r['n_train']:,} training / {r['n_test']:,} test images, chance "
            f"{1 / r['n_classes']:.3f}. Pretraining {r['pretrain_seconds']:.0f} s, autoencoder "
            f"test MSE {r['ae_test_mse']:.4f} (mean image {r['mean_image_mse']:.4f}); PCA fit "
            f"{r['pca_seconds']:.1f} s. Linear probe on AE codes minus on pixels: "
            + (", ".join(gains) if gains else "not measured") + ".",
        ]
    for name, why in data.get("skipped", {}).items():
        lines += ["", f"`{name}` skipped: {why}"]
    lines += ["", f"Peak memory of the run: {data['peak_rss_mib']:,.0f} MiB."]
    return lines
