"""How good lesson 08's VAE is at full size: test ELBO and importance-weighted NLL, in nats.

One dense VAE (:func:`aetutor.models.variational_autoencoder`, Bernoulli pixels
on [0, 1] grey levels, the lesson's model) trained on the full training set of
each dataset, then scored on test images: the ELBO with the closed-form KL
(:func:`aetutor.variational.elbo_terms`) and the importance-weighted bound
with ``K`` samples (:func:`aetutor.variational.importance_weighted_bound`),
reported as a negative log-likelihood (NLL, nats per image; lower is better).
Fashion-MNIST always; full MNIST when it is present. The published reference
for a one-stochastic-layer dense VAE, about 86.8 nats with 5,000 importance
samples (Burda et al., 2016), is on *binarised* MNIST after thousands of epochs:
the report says how this run differs rather than pretending to compare.
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
    "n_test": None,  # None: the full test set
    "n_iw_images": 2000,  # test images scored with the importance-weighted bound
    "k": 1000,
    "hidden": (256, 64),
    "latent_dim": 16,
    "epochs": 30,
    "batch_size": 100,
    "learning_rate": 1e-3,
    "seed": 42,
}
QUICK: dict[str, Any] = {
    **DEFAULTS,
    "datasets": ("fashion_mnist",),
    "n_train": 3000,
    "n_test": 500,
    "n_iw_images": 100,
    "k": 20,
    "epochs": 2,
}


def _quiet(fn, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


def score(ds, settings: dict[str, Any]) -> dict[str, Any]:
    """Train the VAE on ``ds``; return its test ELBO, IW NLL and training seconds."""
    import keras
    import numpy as np

    from aetutor.models import variational_autoencoder
    from aetutor.variational import active_units, elbo_terms, importance_weighted_bound

    keras.utils.set_random_seed(settings["seed"])
    vae = variational_autoencoder(ds.image_shape, settings["latent_dim"],
                                  tuple(settings["hidden"]), seed=settings["seed"])
    vae.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]))
    t0 = time.perf_counter()
    vae.fit(ds.x_train, epochs=settings["epochs"], batch_size=settings["batch_size"], verbose=0,
            shuffle=True)
    train_seconds = time.perf_counter() - t0
    reconstruction, kl = elbo_terms(vae, ds.x_test, seed=settings["seed"])
    x_iw = ds.x_test[: settings["n_iw_images"]]
    t0 = time.perf_counter()
    iw = importance_weighted_bound(vae, x_iw, settings["k"], seed=settings["seed"])
    iw_seconds = time.perf_counter() - t0
    elbo_subset = -(reconstruction[: len(x_iw)] + kl[: len(x_iw)])
    return {
        "n_train": len(ds.x_train),
        "n_test": len(ds.x_test),
        "source": ds.source,
        "test_elbo": float(-(reconstruction + kl).mean()),
        "test_reconstruction": float(reconstruction.mean()),
        "test_kl": float(kl.mean()),
        "active_units": int(active_units(vae.encode(ds.x_test)).sum()),
        "n_iw_images": len(x_iw),
        "iw_nll": float(-iw.mean()),
        "iw_nll_sem": float(iw.std(ddof=1) / np.sqrt(len(iw))),
        "elbo_nll_same_images": float(-elbo_subset.mean()),
        "train_seconds": train_seconds,
        "iw_seconds": iw_seconds,
    }


def run(settings: dict[str, Any], log: Any = print) -> dict[str, Any]:
    """Score the VAE on every dataset in ``settings``; optional ones may be missing."""
    import resource

    from aetutor import setup
    from benchmarks.datasets import each_dataset

    _quiet(setup, seed=settings["seed"])
    rows, skipped = {}, {}
    for name, ds in each_dataset(settings, "variational", skipped, log):
        rows[name] = score(ds, settings)
        r = rows[name]
        log(f"variational: {name}: test ELBO {r['test_elbo']:.2f} nats, IW NLL (K={settings['k']}) "
            f"{r['iw_nll']:.2f} nats ({r['train_seconds']:.0f} s training)")
    return {
        "settings": settings,
        "results": rows,
        "skipped": skipped,
        # ru_maxrss is in KiB on Linux: the peak resident memory of this process.
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section (used by :mod:`benchmarks.report`)."""
    s = data["settings"]
    hidden = "-".join(str(h) for h in s["hidden"])
    lines = [
        f"Lesson 08's dense VAE (784-{hidden}-{s['latent_dim']} Gaussian code, mirrored decoder "
        f"with Bernoulli pixels on [0, 1] grey levels), {s['epochs']} epochs, Adam "
        f"(lr {s['learning_rate']:g}), batch {s['batch_size']}, seed {s['seed']}. ELBO on all "
        f"test images (closed-form KL, one sample); NLL = minus the importance-weighted bound "
        f"with K = {s['k']} samples on the first test images (± one standard error). Nats per "
        "image; lower NLL is better.",
        "",
        "| dataset | train / test images | test ELBO | reconstruction | KL | active units | "
        "−ELBO on the IW images | IW NLL | training |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in data["results"].items():
        lines.append(
            f"| `{name}` | {r['n_train']:,} / {r['n_test']:,} | {r['test_elbo']:.2f} | "
            f"{r['test_reconstruction']:.2f} | {r['test_kl']:.2f} | {r['active_units']} of "
            f"{s['latent_dim']} | {r['elbo_nll_same_images']:.2f} ({r['n_iw_images']:,}) | "
            f"**{r['iw_nll']:.2f}** ± {r['iw_nll_sem']:.2f} | {r['train_seconds']:.0f} s |"
        )
    for name, why in data.get("skipped", {}).items():
        lines += ["", f"`{name}` skipped: {why}"]
    lines += [
        "",
        "For scale: the published one-stochastic-layer dense VAE reaches about 86.8 nats of NLL "
        "(K = 5,000) on *binarised* MNIST after thousands of epochs (Burda et al., 2016). These "
        f"runs use grey levels (a cross-entropy, not the likelihood of binary images), "
        f"{s['epochs']} epochs and K = {s['k']}, so the figures are not comparable with it.",
        "",
        f"Peak memory of the run: {data['peak_rss_mib']:,.0f} MiB.",
    ]
    return lines
