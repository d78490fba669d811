"""Tests of the few-label benchmark section (``benchmarks/fewlabels.py``, lesson 09 at full size).

The section's logic worth checking: the spread over draws, the settings check,
the two-stage fine-tuning (its head starts exactly at the linear probe), the
structure of a tiny real run, and the report table. No accuracy level is
asserted: ``python -m benchmarks --only fewlabels`` measures, tests only check.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import fewlabels, report  # noqa: E402


def test_spread_is_mean_population_std_and_range():
    s = fewlabels.spread([0.5, 0.7, 0.6])
    assert s["mean"] == pytest.approx(0.6)
    assert s["std"] == pytest.approx(np.std([0.5, 0.7, 0.6]))  # ddof=0, as in the lesson
    assert (s["min"], s["max"]) == (0.5, 0.7)
    assert fewlabels.spread([0.25]) == {"mean": 0.25, "std": 0.0, "min": 0.25, "max": 0.25}
    with pytest.raises(ValueError, match="at least one accuracy"):
        fewlabels.spread([])


@pytest.mark.parametrize("sizes, draws, message", [
    ((10, 100), (5,), "same nonzero length"),
    ((), (), "same nonzero length"),
    ((10, None), (5, 0), "positive integers"),
    ((10,), (True,), "positive integers"),
])
def test_bad_sizes_or_draws_are_refused_before_anything_trains(sizes, draws, message):
    settings = {**fewlabels.QUICK, "labels_per_class": sizes, "draws": draws}
    with pytest.raises(ValueError, match=message):
        fewlabels.run(settings, log=lambda _: None)


@pytest.fixture(scope="module")
def tiny():
    from aetutor import load_dataset

    ds = load_dataset("mnist_5k").subset(n_train=300, n_test=200, seed=0)
    settings = {**fewlabels.QUICK, "epochs": 1, "labels_per_class": (2, None), "draws": (2, 1),
                "pixel_probe_max": 50, "finetune_steps": 2}
    return ds, settings


def test_fine_tuning_starts_from_the_linear_probe(tiny):
    """With a zero learning rate stage 2 changes nothing: the model is stage 1's probe."""
    import keras

    from aetutor.fewlabels import label_draw, linear_probe
    from aetutor.models import conv_autoencoder

    ds, settings = tiny
    keras.utils.set_random_seed(0)
    ae = conv_autoencoder(ds.image_shape, (4, 8), 6)
    d = label_draw(ds.y_train, 10, seed=0)
    probe = linear_probe(ae.encode(ds.x_train[d]), ds.y_train[d], ae.encode(ds.x_test),
                         ds.y_test)
    frozen = fewlabels._fine_tune(ae.encoder, ds.x_train[d], ds.y_train[d], ds.x_test, ds.y_test,
                                  ds.n_classes, {**settings, "finetune_rate": 0.0}, True)
    assert frozen == pytest.approx(probe, abs=0.011)  # float32 vs float64: a test image or two
    # ... and with a learning rate the encoder's weights do move, which changes the accuracy.
    moved = fewlabels._fine_tune(ae.encoder, ds.x_train[d], ds.y_train[d], ds.x_test, ds.y_test,
                                 ds.n_classes, {**settings, "finetune_rate": 0.1,
                                                "finetune_steps": 20}, True)
    assert moved != pytest.approx(probe, abs=0.011)


def test_a_tiny_run_has_every_kind_at_every_size(tiny):
    ds, settings = tiny
    logged = []
    r = fewlabels.score(ds, settings, log=logged.append)
    assert [size["per_class"] for size in r["sizes"]] == [2, None]
    assert [size["n_labelled"] for size in r["sizes"]] == [20, 300]
    assert [size["draws"] for size in r["sizes"]] == [2, 1]
    for size in r["sizes"]:
        assert set(size["kinds"]) == set(fewlabels.FEATURES)
        for name, kind in size["kinds"].items():
            if name == "pixels" and size["per_class"] is None:  # 300 labels > pixel_probe_max 50
                assert kind == {"skipped": "more than 50 labelled images"}
                continue
            assert len(kind["accuracy"]) == len(kind["seconds"]) == size["draws"]
            assert all(0.0 <= a <= 1.0 for a in kind["accuracy"])
    two = r["sizes"][0]["kinds"]["AE codes"]["accuracy"]
    assert two[0] != two[1]  # two different label draws, not one scored twice
    assert r["n_train"] == 300 and r["n_test"] == 200 and r["pretrain_seconds"] > 0
    assert len(logged) == 3 and "pretrained 1 epoch on 300 images" in logged[0]


def fake_data() -> dict:
    def kind(acc, unconverged=0):
        return {"accuracy": acc, "seconds": [1.0] * len(acc), "unconverged": unconverged}

    sizes = [
        {"per_class": 10, "n_labelled": 100, "draws": 2,
         "kinds": {"AE codes": kind([0.70, 0.74]), "untrained encoder": kind([0.5, 0.6]),
                   "PCA": kind([0.6, 0.62]), "pixels": kind([0.64, 0.66]),
                   "fine-tuned AE encoder": kind([0.71, 0.73]),
                   "same network from scratch": kind([0.4, 0.5])}},
        {"per_class": None, "n_labelled": 60000, "draws": 1,
         "kinds": {"AE codes": kind([0.80]), "untrained encoder": kind([0.7]),
                   "PCA": kind([0.78]), "pixels": {"skipped": "more than 10,000 labelled images"},
                   "fine-tuned AE encoder": kind([0.85], unconverged=1),
                   "same network from scratch": kind([0.84])}},
    ]
    row = {"n_train": 60000, "n_test": 10000, "source": "x", "n_classes": 10,
           "pretrain_seconds": 80.4, "ae_test_mse": 0.0123, "mean_image_mse": 0.0956,
           "pca_seconds": 2.5, "sizes": sizes}
    return {"settings": {**fewlabels.DEFAULTS, "pixel_probe_max": 10_000},
            "results": {"fashion_mnist": row}, "skipped": {"mnist": "not cached"},
            "peak_rss_mib": 1500.0}


def test_the_report_table_shows_spread_range_and_skips():
    text = "\n".join(fewlabels.render(fake_data()))
    first = next(line for line in text.splitlines() if line.startswith("| `fashion_mnist` | 100 "))
    assert "| 100 (10 per class) | 2 | 0.720 ± 0.020 (0.700–0.740) |" in first
    every = next(line for line in text.splitlines()
                 if line.startswith("| `fashion_mnist` | 60,000 (all) | 1 |"))
    assert "| 0.800 | 0.700 | 0.780 | not run | 0.850 † | 0.840 |" in every
    assert "| `fashion_mnist` | 60,000 (all) | 1.0 | 1.0 | 1.0 | – | 1.0 | 1.0 |" in text
    assert "100 labels +0.070" in text and "60,000 labels" not in text.split("minus on pixels")[1]
    assert "pixel probe runs only up to 10,000 labelled images" in text
    assert "5 epochs" in text and "5 at 10, 5 at 100, 3 at 1000, 1 at all" in text
    assert "`mnist` skipped: not cached" in text and "1,500 MiB" in text


def test_the_section_is_registered_in_the_report_and_the_command_line(tmp_path):
    from datetime import datetime, timezone

    from benchmarks.run import build_parser

    assert build_parser().parse_args(["--only", "fewlabels"]).only == ["fewlabels"]
    report.save_result(tmp_path, "fewlabels", fake_data(),
                       command="python -m benchmarks --only fewlabels",
                       started=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
                       load={"before": [0.1, 0.1, 0.1]}, quick=False)
    text = report.render_report(report.load_results(tmp_path))
    assert "## 8. Few labels at full size" in text
    assert "| 0.720 ± 0.020 (0.700–0.740) |" in text
