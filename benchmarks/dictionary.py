"""Lesson 10 at full size: a sparse dictionary read off a classifier's hidden layer.

A 784-128-10 ReLU classifier trained on the full training set; a top-k sparse
autoencoder (:func:`aetutor.sae.sparse_dictionary`, 4 x 128 features) trained on
its hidden activations, with and without dead-feature resampling
(:class:`aetutor.sae.DeadFeatureResampler`). Reported on test images: L0, the
fraction of variance unexplained, the accuracy recovered when the reconstruction
replaces the hidden layer (mean ablation = 0, original = 1), dead features on the
training activations, and the class purity of features against neurons and
against the same dictionary before training (activity purity: the share of a
unit's summed activation on its most common class; tip purity: the share of its
top images from that class).
"""

from __future__ import annotations

import contextlib
import io
import time
from typing import Any

__all__ = ["DEFAULTS", "QUICK", "render", "run"]

DEFAULTS: dict[str, Any] = {
    "datasets": ("fashion_mnist", "mnist"),
    "optional": ("mnist",),  # skipped (and said so) when not available offline
    "n_train": None,  # None: the full training set
    "hidden": 128,
    "classifier_epochs": 8,
    "expansion": 4,
    "k": 8,
    "epochs": 20,
    "batch_size": 256,
    "resample_every": 4,
    "top": 50,
    "seed": 42,
}
QUICK: dict[str, Any] = {**DEFAULTS, "datasets": ("fashion_mnist",), "n_train": 3000,
                         "classifier_epochs": 1, "epochs": 2, "resample_every": 1}


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def score(ds, s: dict[str, Any]) -> dict[str, Any]:
    """Train the classifier and both dictionaries on ``ds``; return the lesson's measures."""
    import keras
    import numpy as np

    from aetutor import dictionary as measures
    from aetutor.sae import DeadFeatureResampler, sparse_dictionary

    keras.utils.set_random_seed(s["seed"])
    flat = ds.flat()
    x_train, x_test = flat.x_train, flat.x_test
    pixels = keras.Input(shape=(x_train.shape[1],))
    hidden_layer = keras.layers.Dense(s["hidden"], activation="relu")(pixels)
    readout = keras.layers.Dense(ds.n_classes, activation="softmax")
    classifier = keras.Model(pixels, readout(hidden_layer))
    classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    t0 = time.perf_counter()
    classifier.fit(x_train, ds.y_train, epochs=s["classifier_epochs"], batch_size=64, verbose=0)
    classifier_seconds = time.perf_counter() - t0
    hidden = keras.Model(pixels, hidden_layer)
    h_train = hidden.predict(x_train, batch_size=1024, verbose=0)
    h_test = hidden.predict(x_test, batch_size=1024, verbose=0)

    def accuracy(h):
        return float((keras.ops.convert_to_numpy(readout(h)).argmax(axis=1) == ds.y_test).mean())

    original = accuracy(h_test)
    ablated = accuracy(np.broadcast_to(h_train.mean(axis=0), h_test.shape).astype("float32"))
    scale = float(np.sqrt((h_train**2).sum(axis=1).mean()))
    a_train, a_test = h_train / scale, h_test / scale
    neurons = measures.activity_purity(h_train, ds.y_train, min_active=s["top"])
    neurons_tip = measures.class_purity(h_train, ds.y_train, top=s["top"])
    n_features = s["expansion"] * s["hidden"]
    untrained = sparse_dictionary(s["hidden"], n_features, k=s["k"], seed=s["seed"])
    untrained_purity = measures.activity_purity(untrained.encode(a_train), ds.y_train,
                                                min_active=s["top"])
    rows = {}
    for name, resample in (("top-k", False), ("top-k + resampling", True)):
        sae = sparse_dictionary(s["hidden"], s["expansion"] * s["hidden"], k=s["k"], seed=s["seed"])
        sae.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
        callbacks = [DeadFeatureResampler(a_train, every=s["resample_every"], seed=s["seed"])]
        t0 = time.perf_counter()
        sae.fit(a_train, a_train, epochs=s["epochs"], batch_size=s["batch_size"], verbose=0,
                callbacks=callbacks if resample else [])
        seconds = time.perf_counter() - t0
        f_train = sae.encode(a_train)
        a_hat = sae.reconstruct(a_test)
        purity = measures.activity_purity(f_train, ds.y_train, min_active=s["top"])
        tip = measures.class_purity(f_train, ds.y_train, top=s["top"])
        rows[name] = {
            "l0": measures.l0(sae.encode(a_test)),
            "fvu": measures.fraction_of_variance_unexplained(a_test, a_hat),
            "recovered": measures.accuracy_recovered(accuracy(a_hat * scale), original, ablated),
            "dead": int((measures.feature_density(f_train) == 0).sum()),
            "purity": float(purity.values.mean()) if purity.measured.any() else None,
            "tip_purity": float(tip.values.mean()) if tip.measured.any() else None,
            "train_seconds": seconds,
        }
    return {
        "n_train": len(x_train), "n_test": len(x_test), "source": ds.source,
        "accuracy": original, "ablated": ablated, "classifier_seconds": classifier_seconds,
        "neuron_purity": float(neurons.values.mean()),
        "neuron_tip_purity": float(neurons_tip.values.mean()),
        "untrained_purity": (float(untrained_purity.values.mean())
                             if untrained_purity.measured.any() else None),
        "dictionaries": rows,
    }


def run(settings: dict[str, Any], log: Any = print) -> dict[str, Any]:
    """Score lesson 10's pipeline on every dataset in ``settings``; optional ones may be missing."""
    import resource

    from aetutor import setup
    from benchmarks.datasets import each_dataset

    _quiet(setup, seed=settings["seed"])
    results, skipped = {}, {}
    for name, ds in each_dataset(settings, "dictionary", skipped, log):
        results[name] = r = score(ds, settings)
        d = r["dictionaries"]["top-k + resampling"]
        log(f"dictionary: {name}: FVU {d['fvu']:.3f}, recovered {d['recovered']:.1%}, "
            f"dead {d['dead']}")
    return {"settings": settings, "results": results, "skipped": skipped,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section (used by :mod:`benchmarks.report`)."""
    s = data["settings"]
    n_features = s["expansion"] * s["hidden"]
    lines = [
        f"Lesson 10's pipeline: a 784-{s['hidden']}-10 ReLU classifier ({s['classifier_epochs']} "
        f"epochs), then a top-{s['k']} sparse autoencoder with {n_features} unit-norm features on "
        f"its hidden activations ({s['epochs']} epochs, batch {s['batch_size']}), without and with "
        f"dead-feature resampling every {s['resample_every']} epochs. L0, FVU and accuracy "
        "recovered on test images; dead features and mean class purity on training images, "
        f"over the units that fire on at least {s['top']} of them: *activity* purity (the share "
        "of a unit's summed activation that goes to its most common class) for the trained "
        "features, the same dictionary before training (a sparse code of random directions) "
        f"and the classifier's neurons; *tip* purity (the share of its top {s['top']} images from "
        "that class) for features and neurons.",
        "",
        "| dataset | images | classifier accuracy | dictionary | L0 | FVU | accuracy recovered "
        "| dead features | activity purity: features / untrained / neurons "
        "| tip purity: features / neurons | training |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in data["results"].items():
        for kind, d in r["dictionaries"].items():
            activity = (f"{_fmt(d['purity'])} / {_fmt(r.get('untrained_purity'))} / "
                        f"{_fmt(r['neuron_purity'])}")
            tip = f"{_fmt(d.get('tip_purity'))} / {_fmt(r.get('neuron_tip_purity'))}"
            lines.append(
                f"| `{name}` | {r['n_train']:,} / {r['n_test']:,} | {r['accuracy']:.3f} | {kind} | "
                f"{d['l0']:.2f} | {d['fvu']:.3f} | {d['recovered']:.1%} | {d['dead']} of "
                f"{n_features} | {activity} | {tip} | {d['train_seconds']:.0f} s |"
            )
    for name, why in data.get("skipped", {}).items():
        lines += ["", f"`{name}` skipped: {why}"]
    lines += ["", f"Peak memory of the run: {data['peak_rss_mib']:,.0f} MiB."]
    return lines
