"""The course's reference autoencoder beside Géron's, in one process on the same data.

Géron's stacked autoencoder (*Hands-On Machine Learning*, 3rd edition, chapter
17): 784-100-30-100-784 with ReLU hidden layers and code, a linear output,
MSE loss, Nadam, batch 32, 20 epochs. The course's reference has the same
layer sizes, built by :func:`aetutor.models.dense_autoencoder` (linear code,
sigmoid output), trained with binary cross-entropy and Adam whose learning rate
decays to zero on a cosine, with larger batches and several optimizer steps per
call into the framework (``steps_per_execution``): the same arithmetic per
image, far less overhead per step. Both train on the same full training set,
one after the other with the same seed, and are scored by the test MSE of the
pixel values they output (clipped to [0, 1], which only helps the linear
output). Training time is wall and CPU seconds of ``fit`` alone.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from typing import Any

__all__ = ["DEFAULTS", "QUICK", "render", "run"]

DEFAULTS: dict[str, Any] = {
    "datasets": ("fashion_mnist",),
    "optional": (),
    "n_train": None,  # None: the full training set
    "n_test": None,
    "epochs": 20,
    "geron": {"batch_size": 32},
    # Fewer, smaller steps than before (20 epochs of 128) since JAX became the backend: with
    # little overhead per step, more updates per epoch pay off (measured: 10 epochs of 64 reach
    # a lower error than 12 of 128, in about the same CPU time as 10 of 128).
    "course": {"epochs": 10, "batch_size": 64, "learning_rate": 3e-3, "steps_per_execution": 8},
    "seeds": (42, 0, 1),  # Géron's error varies with the seed (0.0105-0.0134 seen)
    "target_mse": 0.0105,  # the course's reference must reach this ...
    "max_time_ratio": 0.5,  # ... in at most this share of Géron's training time
}
QUICK: dict[str, Any] = {**DEFAULTS, "n_train": 2000, "n_test": 500, "epochs": 1,
                         "course": {**DEFAULTS["course"], "epochs": 1}}


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def _geron(settings: dict[str, Any], n_train: int):
    import keras

    encoder = keras.Sequential([
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(30, activation="relu"),
    ])
    decoder = keras.Sequential([
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(28 * 28),
        keras.layers.Reshape((28, 28)),
    ])
    model = keras.Sequential([encoder, decoder])
    model.compile(loss="mse", optimizer="nadam")
    return model, settings["geron"]["batch_size"]


def _course(settings: dict[str, Any], n_train: int):
    import keras

    from aetutor.models import dense_autoencoder

    c = settings["course"]
    model = dense_autoencoder((28, 28), 30, hidden=(100,))
    steps = _epochs(settings, "course") * math.ceil(n_train / c["batch_size"])
    rate = keras.optimizers.schedules.CosineDecay(c["learning_rate"], decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="binary_crossentropy",
                  steps_per_execution=c["steps_per_execution"])
    return model, c["batch_size"]


def _epochs(settings: dict[str, Any], model: str) -> int:
    """Epochs of ``model`` ("Géron" or "course"): its own setting, else the shared one."""
    own = settings.get("geron" if model == "Géron" else "course", {})
    return int(own.get("epochs", settings["epochs"]))


def score(ds, settings: dict[str, Any], seed: int) -> dict[str, dict[str, float]]:
    """Train both models on ``ds`` with ``seed``; test MSE, wall and CPU seconds of each."""
    import keras
    import numpy as np

    x_train = ds.x_train.astype("float32")
    x_test = ds.x_test.astype("float32").reshape(len(ds.x_test), -1)
    out = {}
    for name, build in (("Géron", _geron), ("course", _course)):
        keras.utils.set_random_seed(seed)
        model, batch_size = build(settings, len(x_train))
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(x_train, x_train, epochs=_epochs(settings, name), batch_size=batch_size,
                  verbose=0)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        predicted = np.asarray(model.predict(ds.x_test.astype("float32"), batch_size=1000,
                                             verbose=0)).reshape(len(x_test), -1)
        mse = float(((np.clip(predicted, 0.0, 1.0) - x_test) ** 2).mean())
        out[name] = {"test_mse": mse, "train_seconds": wall, "train_cpu_seconds": cpu,
                     "batch_size": batch_size, "epochs": _epochs(settings, name)}
    return out


def run(settings: dict[str, Any], log: Any = print) -> dict[str, Any]:
    """Both configurations on every dataset and seed in ``settings``."""
    import resource

    from aetutor import setup
    from benchmarks.datasets import each_dataset

    _quiet(setup, seed=settings["seeds"][0])
    results, skipped = {}, {}
    for name, ds in each_dataset(settings, "reference", skipped, log):
        rows = []
        for seed in settings["seeds"]:
            r = score(ds, settings, seed)
            rows.append({"seed": seed, **r})
            log(f"reference: {name}, seed {seed}: Géron MSE {r['Géron']['test_mse']:.5f} in "
                f"{r['Géron']['train_seconds']:.0f} s, course {r['course']['test_mse']:.5f} in "
                f"{r['course']['train_seconds']:.0f} s")
        results[name] = {"n_train": len(ds.x_train), "n_test": len(ds.x_test), "runs": rows}
    return {"settings": settings, "results": results, "skipped": skipped,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def verdict(run_: dict[str, Any], settings: dict[str, Any]) -> tuple[bool, float]:
    """Whether the course met the target in time; and its share of Géron's CPU seconds."""
    ratio = run_["course"]["train_cpu_seconds"] / run_["Géron"]["train_cpu_seconds"]
    met = (run_["course"]["test_mse"] <= settings["target_mse"]
           and ratio <= settings["max_time_ratio"])
    return met, ratio


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section (used by :mod:`benchmarks.report`)."""
    s = data["settings"]
    c = s["course"]
    lines = [
        "Both 784-100-30-100-784, trained on the same images in one process, one after the "
        "other with the same seed. **Géron** (*Hands-On Machine Learning*, 3rd ed., ch. 17): "
        f"ReLU hidden layers and code, linear output, MSE, Nadam, {_epochs(s, 'Géron')} epochs "
        f"of batch {s['geron']['batch_size']} (the "
        "book trains on 55,000 images and validates on 5,000 each epoch; here both models "
        "train on the whole training set and skip per-epoch validation). **Course**: "
        "`aetutor.models.dense_autoencoder` (ReLU hidden layers, linear code, sigmoid output), "
        f"binary cross-entropy, Adam from {c['learning_rate']:g} decaying to 0 on a cosine, "
        f"{_epochs(s, 'course')} epochs of batch {c['batch_size']}, "
        f"`steps_per_execution={c['steps_per_execution']}`. Test MSE of the "
        "outputs clipped to [0, 1]; seconds of `fit` alone (wall, and CPU of the process, which "
        "depends less on other work). Target: the course's reference reaches test MSE "
        f"≤ {s['target_mse']} in at most {s['max_time_ratio']:.0%} of Géron's training time "
        "(CPU seconds).",
        "",
        "| dataset | seed | model | epochs × batch | test MSE | training s | training CPU s "
        "| course / Géron CPU | target met |",
        "|---|---:|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for name, r in data["results"].items():
        for run_ in r["runs"]:
            met, ratio = verdict(run_, s)
            for model in ("Géron", "course"):
                m = run_[model]
                last = model == "course"
                lines.append(
                    f"| `{name}` ({r['n_train']:,} / {r['n_test']:,}) | {run_['seed']} | {model} | "
                    f"{m.get('epochs', s['epochs'])} × {m['batch_size']} | {m['test_mse']:.5f} | "
                    f"{m['train_seconds']:.0f} | "
                    f"{m['train_cpu_seconds']:.0f} | {f'{ratio:.2f}' if last else ''} | "
                    f"{('✓' if met else '✗') if last else ''} |"
                )
    for name, why in data.get("skipped", {}).items():
        lines += ["", f"`{name}` skipped: {why}"]
    lines += ["", f"Peak memory of the run: {data['peak_rss_mib']:,.0f} MiB."]
    return lines
