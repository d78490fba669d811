"""The vectorised NumPy autoencoder against a straightforward one-sample-at-a-time loop.

Lesson 01's :class:`aetutor.numpy_ae.NumpyAutoencoder` computes the forward
and backward passes for a whole mini-batch with matrix products. Here the same
network is trained by a plain Python loop that handles **one example at a
time** (vector-matrix products, ``np.outer`` for the weight gradients), with the
same initial weights, the same shuffling, the same Adam optimizer, the same
epochs and the same digits split. So:

- at the lesson's batch size (32) the loop accumulates the 32 per-sample
  gradients and takes the same Adam step the vectorised model takes: the two
  runs do the same arithmetic and end with the same weights (up to rounding),
  and the time ratio is the pure speed-up from vectorisation;
- at batch size 1 (per-sample updates, "online" training) both versions do
  one sample per step, so vectorisation has nothing to batch: the ratio shows
  that the gain comes from batching, not from NumPy itself.

BLAS is limited to one thread for every run (these matrices are tiny, extra
threads only add overhead, and it keeps the comparison fair on a shared machine).
"""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

import numpy as np

from aetutor.numpy_ae import DEFAULT_LR, Adam, NumpyAutoencoder, relu, sigmoid

__all__ = [
    "DEFAULTS",
    "QUICK",
    "per_sample_gradients",
    "run",
    "train_per_sample",
]

DEFAULTS: dict[str, Any] = {
    "layer_sizes": (64, 32, 2, 32, 64),  # lesson 01's model on 8x8 digits
    "epochs": 100,  # lesson 01's NUMPY_EPOCHS (fit's default)
    "batch_sizes": (32, 1),  # fit's default batch size, and per-sample updates
    "epochs_batch_1": 10,  # batch size 1 takes 32x more optimizer steps; see run()
    "seed": 0,
    "repeats": 3,
}
QUICK: dict[str, Any] = {**DEFAULTS, "epochs": 5, "epochs_batch_1": 1, "repeats": 1}


def _activation(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return relu(z)
    if name == "sigmoid":
        return sigmoid(z)
    return z  # linear code layer


def _derivative(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "sigmoid":
        return a * (1.0 - a)
    return np.ones_like(z)


def per_sample_gradients(
    model: NumpyAutoencoder, x: np.ndarray
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Loss and gradients for ONE sample ``x`` of shape ``(features,)``, written as a plain loop.

    Same network and loss (mean squared error over the features) as
    ``model.backward``, but with vectors instead of batches: ``a @ W + b`` for
    one row, and ``np.outer`` for each weight gradient.
    """
    if x.ndim != 1 or x.shape[0] != model.layer_sizes[0]:
        raise ValueError(f"x must be one sample of shape ({model.layer_sizes[0]},), got {x.shape}")
    zs, acts = [], [x]
    a = x
    for w, b, name in zip(model.weights, model.biases, model.activations):
        z = a @ w + b
        a = _activation(name, z)
        zs.append(z)
        acts.append(a)
    diff = a - x
    loss = float(np.mean(diff**2))
    da = 2.0 * diff / diff.size
    grads_w: list[np.ndarray] = [np.empty(0)] * len(model.weights)
    grads_b: list[np.ndarray] = [np.empty(0)] * len(model.weights)
    for i in range(len(model.weights) - 1, -1, -1):
        dz = da * _derivative(model.activations[i], zs[i], acts[i + 1])
        grads_w[i] = np.outer(acts[i], dz)
        grads_b[i] = dz
        da = model.weights[i] @ dz
    return loss, grads_w, grads_b


def train_per_sample(
    model: NumpyAutoencoder,
    x: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    lr: float | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` in place, one sample at a time; return ``{"loss": [...]}`` per epoch.

    Mirrors ``model.fit(x, epochs, batch_size)`` with Adam: the same shuffle
    (drawn from ``model.rng``), the same optimizer class and learning rate, and
    the loss on the whole training set after each epoch. Each optimizer step
    uses the mean of ``batch_size`` per-sample gradients, computed one by one.
    """
    x = np.asarray(x, dtype=model.dtype)
    opt = Adam(DEFAULT_LR["adam"] if lr is None else lr)  # fit's default for Adam
    params = model.weights + model.biases
    history: dict[str, list[float]] = {"loss": []}
    for _ in range(epochs):
        order = model.rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            sum_w = [np.zeros_like(w) for w in model.weights]
            sum_b = [np.zeros_like(b) for b in model.biases]
            for r in rows:  # one example at a time
                _, gw, gb = per_sample_gradients(model, x[r])
                for acc, g in zip(sum_w + sum_b, gw + gb):
                    acc += g
            opt.step(params, [g / len(rows) for g in sum_w + sum_b])
        history["loss"].append(model.loss(x))
    return history


def _digits() -> tuple[np.ndarray, np.ndarray]:
    """Lesson 01's data: ``at.load_dataset("digits")``, flat, float64."""
    import contextlib
    import io

    from aetutor import load_dataset

    with contextlib.redirect_stdout(io.StringIO()):  # the loader prints one line
        flat = load_dataset("digits").flat()
    return flat.x_train.astype(np.float64), flat.x_test.astype(np.float64)


def run(settings: dict[str, Any], log: Any = print) -> dict[str, Any]:
    """Time each (version, batch size) pair ``repeats`` times; return rows for the report.

    Batch size 1 uses ``epochs_batch_1`` epochs for *both* versions (per-sample
    updates are 32x more optimizer steps, and each of the two versions then
    runs a Python loop over every sample), so that row stays a fair, equal-work
    comparison that finishes in seconds.
    """
    from threadpoolctl import threadpool_limits

    x_train, x_test = _digits()
    sizes = tuple(settings["layer_sizes"])
    rows = []
    with threadpool_limits(limits=1):
        for batch_size in settings["batch_sizes"]:
            epochs = settings["epochs"] if batch_size != 1 else settings["epochs_batch_1"]
            start_model = NumpyAutoencoder(sizes, seed=settings["seed"])
            finals: dict[str, NumpyAutoencoder] = {}
            for version in ("vectorised", "per-sample loop"):
                times, cpu_times = [], []
                for _ in range(settings["repeats"]):
                    model = copy.deepcopy(start_model)  # same weights AND same shuffling rng
                    t0, c0 = time.perf_counter(), time.process_time()
                    if version == "vectorised":
                        model.fit(x_train, epochs=epochs, batch_size=batch_size)
                    else:
                        train_per_sample(model, x_train, epochs=epochs, batch_size=batch_size)
                    times.append(time.perf_counter() - t0)
                    cpu_times.append(time.process_time() - c0)
                finals[version] = model
                rows.append(
                    {
                        "version": version,
                        "batch_size": batch_size,
                        "epochs": epochs,
                        "optimizer_steps": epochs * -(-len(x_train) // batch_size),
                        "seconds": times,
                        "median_seconds": statistics.median(times),
                        "cpu_seconds": cpu_times,
                        "median_cpu_seconds": statistics.median(cpu_times),
                        "train_mse": finals[version].loss(x_train),
                        "test_mse": finals[version].loss(x_test),
                    }
                )
                log(
                    f"numpy: {version:>15}, batch {batch_size:>2}, {epochs} epochs: "
                    f"median {statistics.median(times):.2f} s wall, "
                    f"{statistics.median(cpu_times):.2f} s CPU, test MSE {rows[-1]['test_mse']:.5f}"
                )
            diff = max(
                float(np.max(np.abs(a - b)))
                for a, b in zip(
                    finals["vectorised"].weights + finals["vectorised"].biases,
                    finals["per-sample loop"].weights + finals["per-sample loop"].biases,
                )
            )
            for row in rows[-2:]:
                row["max_weight_difference"] = diff
    return {
        "settings": {**settings, "n_train": len(x_train), "n_test": len(x_test)},
        "rows": rows,
    }


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section's table (used by :mod:`benchmarks.report`)."""
    s = data["settings"]
    sizes = "-".join(str(n) for n in s["layer_sizes"])
    lines = [
        f"Model {sizes} (ReLU hidden, linear code, sigmoid output, MSE loss), Adam "
        f"(lr 5e-3), seed {s['seed']}, scikit-learn digits ({s['n_train']:,} train / "
        f"{s['n_test']:,} test, `at.load_dataset(\"digits\")`). Both versions start from the "
        "same weights and shuffle identically; BLAS limited to one thread. Times are the "
        f"median of {s['repeats']} runs (training only): wall seconds, and CPU seconds of "
        "the process (less sensitive to other work on a shared machine; the ratio uses CPU "
        "seconds).",
        "",
        "| batch size | epochs | optimizer steps | version | median wall s | median CPU s "
        "| CPU s per epoch | loop / vectorised (CPU) | test MSE | max weight difference |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    by_batch: dict[int, dict[str, Any]] = {}
    for row in data["rows"]:
        by_batch.setdefault(row["batch_size"], {})[row["version"]] = row
    for batch_size, pair in by_batch.items():
        vec, loop = pair.get("vectorised"), pair.get("per-sample loop")
        ratio = (
            f"{loop['median_cpu_seconds'] / vec['median_cpu_seconds']:.1f}x"
            if vec and loop and vec["median_cpu_seconds"] > 0
            else "-"
        )
        for row in (vec, loop):
            if row is None:
                continue
            lines.append(
                f"| {batch_size} | {row['epochs']} | {row['optimizer_steps']:,} | "
                f"{row['version']} | {row['median_seconds']:.2f} | "
                f"{row['median_cpu_seconds']:.2f} | "
                f"{row['median_cpu_seconds'] / row['epochs']:.3f} | "
                f"{ratio if row is loop else ''} | {row['test_mse']:.5f} | "
                f"{row.get('max_weight_difference', float('nan')):.1e} |"
            )
    lines += [
        "",
        "*Max weight difference*: the largest absolute difference between any final "
        "weight of the two versions; near rounding level it means both did the same "
        "computation, so the time ratio measures vectorisation alone. At batch size 1 "
        "neither version has a batch to vectorise over. Batch size 1 runs fewer epochs "
        "(both versions alike) to keep the run short; compare speeds per epoch.",
    ]
    return lines
