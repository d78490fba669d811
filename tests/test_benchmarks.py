"""Tests of the benchmark harness (``benchmarks/``): the per-sample loop and the report.

The per-sample loop must compute exactly what the vectorised NumPy autoencoder
computes, or its timing comparison means nothing; the report must turn saved
raw results into RESULTS.md with the right units and budget marks. No timing
is asserted here: ``python -m benchmarks`` measures, tests only check.
"""

from __future__ import annotations

import copy
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

# benchmarks/ is a folder of the repository, not part of the installed package.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aetutor.numpy_ae import NumpyAutoencoder
from benchmarks import notebook_timings, report
from benchmarks.numpy_vs_loop import per_sample_gradients, train_per_sample
from benchmarks.run import main

SIZES = (8, 5, 3, 5, 8)


def unit_data(n: int, features: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, features))


# --- the per-sample loop -----------------------------------------------------------------


@pytest.mark.parametrize("sizes", [SIZES, (64, 32, 2, 32, 64)])
def test_per_sample_gradients_equal_backward_at_batch_size_1(sizes):
    model = NumpyAutoencoder(sizes, seed=3)
    x = unit_data(5, sizes[0], seed=1)
    for row in x:
        _, cache = model.forward(row[None, :])
        loss, gw, gb = model.backward(cache, row[None, :])
        loss_1, gw_1, gb_1 = per_sample_gradients(model, row)
        assert loss_1 == pytest.approx(loss, rel=1e-12)
        for a, b in zip(gw + gb, gw_1 + gb_1):
            assert a.shape == b.shape
            np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-15)


def test_per_sample_gradients_are_not_trivially_zero():
    model = NumpyAutoencoder(SIZES, seed=0)
    _, gw, gb = per_sample_gradients(model, unit_data(1)[0])
    assert all(np.abs(g).max() > 0 for g in gw)


@pytest.mark.parametrize("batch_size", [1, 4, 5])
def test_per_sample_training_matches_vectorised_fit(batch_size):
    start = NumpyAutoencoder(SIZES, seed=0)
    x = unit_data(13)  # 13 samples: batch sizes 4 and 5 leave a short last batch
    vectorised, loop = copy.deepcopy(start), copy.deepcopy(start)
    hist_v = vectorised.fit(x, epochs=2, batch_size=batch_size)
    hist_l = train_per_sample(loop, x, epochs=2, batch_size=batch_size)
    np.testing.assert_allclose(hist_l["loss"], hist_v["loss"], rtol=1e-10)
    for a, b in zip(vectorised.weights + vectorised.biases, loop.weights + loop.biases):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    # ...and training really moved the weights away from the start.
    assert np.abs(loop.weights[0] - start.weights[0]).max() > 1e-4


def test_per_sample_gradients_reject_a_batch():
    model = NumpyAutoencoder(SIZES, seed=0)
    with pytest.raises(ValueError, match=r"one sample of shape \(8,\), got \(2, 8\)"):
        per_sample_gradients(model, unit_data(2))


# --- the report --------------------------------------------------------------------------


def fake_notebooks() -> dict:
    runs = []
    for rep, secs in enumerate((50.0, 70.0, 60.0), start=1):
        runs.append({"notebook": "notebooks/01_basics.ipynb", "dataset": "mnist_5k",
                     "repeat": rep, "ok": True, "status": "ok", "seconds": secs,
                     "cpu_seconds": secs / 2, "peak_memory_mb": 900.0, "message": None})
        runs.append({"notebook": "notebooks/02_slow.ipynb", "dataset": "mnist_5k",
                     "repeat": rep, "ok": True, "status": "ok", "seconds": 130.0 + rep,
                     "peak_memory_mb": 800.0, "message": None})
    # 2,100 MB = 2,003 MiB (under 2,048 MiB); 2,200 MB = 2,098 MiB (over).
    runs.append({"notebook": "notebooks/01_basics.ipynb", "dataset": "fashion_mnist",
                 "repeat": 1, "ok": True, "status": "ok", "seconds": 300.0,
                 "peak_memory_mb": 2100.0, "message": None})
    runs.append({"notebook": "notebooks/02_slow.ipynb", "dataset": "fashion_mnist",
                 "repeat": 1, "ok": False, "status": "FAILED: MemoryError in cell 7",
                 "seconds": 10.0, "peak_memory_mb": 2200.0, "message": "MemoryError"})
    settings = {**notebook_timings.DEFAULTS, "full_repeats": 1,  # both tables in one section
                "notebooks": ["notebooks/01_basics.ipynb", "notebooks/02_slow.ipynb"]}
    return {"settings": settings, "runs": runs}


def fake_numpy() -> dict:
    settings = {"layer_sizes": [64, 32, 2, 32, 64], "epochs": 100, "batch_sizes": [32],
                "epochs_batch_1": 10, "seed": 0, "repeats": 3, "n_train": 1437, "n_test": 360}
    rows = [
        {"version": v, "batch_size": 32, "epochs": 100, "optimizer_steps": 4500,
         "seconds": [s, s, s], "median_seconds": s, "cpu_seconds": [s, s, s],
         "median_cpu_seconds": s, "train_mse": 0.03, "test_mse": 0.031,
         "max_weight_difference": 1e-15}
        for v, s in (("vectorised", 2.0), ("per-sample loop", 50.0))
    ]
    return {"settings": settings, "rows": rows}


def save(tmp_path: Path, section: str, data: dict, load_before: float = 0.1) -> Path:
    return report.save_result(
        tmp_path, section, data, command=f"python -m benchmarks --only {section}",
        started=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
        load={"before": [load_before, 0.2, 0.3], "after": [1.0, 0.5, 0.4],
              "during_mean": 1.1, "during_max": 1.5},
        quick=False,
    )


def test_notebook_summary_takes_medians_and_converts_to_mib():
    rows = {r["notebook"]: r for r in notebook_timings.summarise(fake_notebooks())}
    basics = rows["notebooks/01_basics.ipynb"]
    assert basics["subset"]["median_seconds"] == 60.0
    assert basics["subset"]["median_cpu_seconds"] == 30.0
    assert basics["full"]["peak_mib"] == pytest.approx(2100e6 / 2**20)
    assert rows["notebooks/02_slow.ipynb"]["full"]["failed"] == 1


def test_report_renders_saved_results(tmp_path):
    save(tmp_path, "notebooks", fake_notebooks())
    save(tmp_path, "numpy", fake_numpy(), load_before=3.5)
    text = report.render_report(report.load_results(tmp_path))

    assert "`python -m benchmarks --only notebooks`" in text
    assert "2026-01-02 03:04 UTC" in text
    basics = next(line for line in text.splitlines() if line.startswith("| notebooks/01_basics"))
    assert "| 60.0 (50–70) | 30.0 | 858 | ✓ |" in basics and "2,003 | ✓ |" in basics
    slow = next(line for line in text.splitlines() if line.startswith("| notebooks/02_slow"))
    assert "| 132.0 (131–133) | – | 763 | ✗ |" in slow and "✗ (failed)" in slow
    assert "02_slow.ipynb with `fashion_mnist`: FAILED: MemoryError in cell 7" in text
    # numpy: the loop/vectorised ratio from CPU seconds, and the load verdicts.
    assert "| 25.0x |" in text
    assert "otherwise idle" in text and "shared with other work" in text
    assert "Not measured yet: run `python -m benchmarks --only quality`" in text
    assert f"Python {sys.version.split()[0]}" in text


def test_full_size_section_shows_only_the_full_size_table(tmp_path):
    data = fake_notebooks()
    data["settings"] = {**data["settings"], "repeats": 0, "full_repeats": 1}
    data["runs"] = [r for r in data["runs"] if r["dataset"] == "fashion_mnist"]
    save(tmp_path, "notebooks_full", data)
    text = report.render_report(report.load_results(tmp_path))
    assert "## 2. Notebooks at full size" in text
    assert "`mnist_5k` s" not in text and "< 2,048 MiB |" in text
    basics = next(line for line in text.splitlines() if line.startswith("| notebooks/01_basics"))
    assert basics == "| notebooks/01_basics.ipynb | 300.0 | – | 2,003 | ✓ |"


def _timed(seconds: dict[str, float]) -> dict:
    runs = [{"notebook": f"notebooks/{name}.ipynb", "dataset": "mnist_5k", "repeat": 1,
             "ok": True, "status": "ok", "seconds": s, "cpu_seconds": s * 1.5,
             "peak_memory_mb": 900.0, "message": None} for name, s in seconds.items()]
    return {"settings": {**notebook_timings.DEFAULTS, "repeats": 1}, "runs": runs}


@pytest.mark.parametrize("after_01, half, under", [(20.0, "yes", "yes"), (70.0, "no", "no")])
def test_before_and_after_compares_lessons_01_to_07_and_the_60_s_target(tmp_path, after_01,
                                                                         half, under):

    before = {"01_basics": 80.0, "04_pca": 120.0, "09_features": 100.0}
    after = {"01_basics": after_01, "04_pca": 40.0, "09_features": 50.0}
    save(tmp_path, "notebooks", _timed(after))
    (tmp_path / "notebooks_before.json").write_text(json.dumps(
        {"label": "main at abc1234, TensorFlow", "started_utc": "2026-01-01 00:00 UTC",
         "data": _timed(before)}))  # fmt: skip
    text = report.render_report(report.load_results(tmp_path))
    assert "Before: main at abc1234, TensorFlow" in text
    assert "| 01_basics.ipynb | 80.0 (120) |" in text
    total = (after_01 + 40.0) / 200.0  # lessons 01 and 04; lesson 09 is not in the first seven
    assert f"| **lessons 01–07** | 200.0 | {after_01 + 40.0:.1f} | {total:.2f} |" in text
    assert f"at most half their earlier time: **{half}**" in text
    assert f"Every lesson under 60 s: **{under}**" in text
    assert "## 2. Notebooks at full size" in text, "the comparison is not a numbered section"


def test_saved_result_holds_machine_and_command(tmp_path):
    path = save(tmp_path, "numpy", fake_numpy())
    payload = json.loads(path.read_text())
    assert payload["command"] == "python -m benchmarks --only numpy"
    assert payload["machine"]["cores"] >= 1 and payload["machine"]["cpu"]
    assert {"numpy", "tensorflow", "keras"} <= set(payload["machine"]["versions"])
    with pytest.raises(
        ValueError, match="section must be one of notebooks, notebooks_full, time_shares, numpy"
    ):
        save(tmp_path, "speed", {})


def test_report_only_rebuilds_without_running(tmp_path, capsys):
    out = tmp_path / "RESULTS.md"
    assert main(["--report-only", "--results-dir", str(tmp_path), "--report", str(out)]) == 1
    assert "no results in" in capsys.readouterr().err
    save(tmp_path, "numpy", fake_numpy())
    assert main(["--report-only", "--results-dir", str(tmp_path), "--report", str(out)]) == 0
    assert "## 4. NumPy" in out.read_text() and "| 25.0x |" in out.read_text()


def test_bad_arguments_are_refused_before_anything_runs(tmp_path, capsys):
    common = ["--results-dir", str(tmp_path), "--report", str(tmp_path / "R.md")]
    assert main(["--only", "numpy", "--repeats", "0", *common]) == 2
    assert "--repeats must be at least 1" in capsys.readouterr().err
    assert main(["--only", "numpy", "--cores", "100000", *common]) == 2
    assert "--cores must be between 1 and" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_variational_section_renders_its_table_and_the_reference_caveat():
    from benchmarks import variational

    row = {"n_train": 60000, "n_test": 10000, "source": "x", "test_elbo": -240.5,
           "test_reconstruction": 225.0, "test_kl": 15.5, "active_units": 12, "n_iw_images": 2000,
           "iw_nll": 236.25, "iw_nll_sem": 0.9, "elbo_nll_same_images": 240.1,
           "train_seconds": 300.0, "iw_seconds": 50.0}
    data = {"settings": variational.DEFAULTS, "results": {"fashion_mnist": row},
            "skipped": {"mnist": "not found"}, "peak_rss_mib": 1500.0}
    text = "\n".join(variational.render(data))
    assert "| `fashion_mnist` | 60,000 / 10,000 | -240.50 |" in text
    assert "**236.25** ± 0.90" in text and "12 of 16" in text
    assert "`mnist` skipped: not found" in text and "86.8 nats" in text


def test_reference_section_judges_the_course_by_error_and_cpu_time(tmp_path):
    from benchmarks import reference

    def run_(course_mse, course_cpu):
        return {"seed": 42,
                "Géron": {"test_mse": 0.0105, "train_seconds": 90.0, "train_cpu_seconds": 180.0,
                          "batch_size": 32},
                "course": {"test_mse": course_mse, "train_seconds": 40.0,
                           "train_cpu_seconds": course_cpu, "batch_size": 128, "epochs": 10}}

    s = reference.DEFAULTS
    assert reference.verdict(run_(0.0100, 72.0), s) == (True, 0.4)
    assert not reference.verdict(run_(0.0110, 72.0), s)[0]   # error above the target
    assert not reference.verdict(run_(0.0100, 100.0), s)[0]  # more than half Géron's time
    data = {"settings": s, "skipped": {}, "peak_rss_mib": 1500.0,
            "results": {"fashion_mnist": {"n_train": 60000, "n_test": 10000,
                                          "runs": [run_(0.0100, 72.0)]}}}
    save(tmp_path, "reference", data)
    text = report.render_report(report.load_results(tmp_path))
    assert "| course | 10 × 128 | 0.01000 | 40 | 72 | 0.40 | ✓ |" in text
    assert "| Géron | 20 × 32 | 0.01050 | 90 | 180 |" in text  # the shared epochs setting


def test_full_size_before_and_after_compares_cpu_seconds_and_memory(tmp_path):
    def full(cpu: dict[str, float], mib: float) -> dict:
        runs = [{"notebook": f"notebooks/{name}.ipynb", "dataset": "fashion_mnist", "repeat": 1,
                 "ok": True, "status": "ok", "seconds": c * 2, "cpu_seconds": c,
                 "peak_memory_mb": mib * 1.048576, "message": None} for name, c in cpu.items()]
        settings = {**notebook_timings.DEFAULTS, "repeats": 0, "full_repeats": 1}
        return {"settings": settings, "runs": runs}

    save(tmp_path, "notebooks_full", full({"01_basics": 60.0, "09_features": 200.0}, 1200.0))
    (tmp_path / "notebooks_full_before.json").write_text(json.dumps(
        {"label": "main at abc1234, TensorFlow", "started_utc": "2026-01-01 00:00 UTC",
         "data": full({"01_basics": 120.0, "09_features": 250.0}, 1700.0)}))  # fmt: skip
    text = report.render_report(report.load_results(tmp_path))
    assert "**Before and after at full size.** Before: main at abc1234, TensorFlow" in text
    assert "| 01_basics.ipynb | 120 (240) | 60 (120) | 0.50 | 1,700 | 1,200 |" in text
    assert "| **lessons 01–07** | 120 | 60 | 0.50 | | |" in text
    assert "| **all lessons** | 370 | 260 | 0.70 | | |" in text
    assert text.index("at full size.** Before") > text.index("## 2. Notebooks at full size")
    assert text.index("at full size.** Before") < text.index("## 3.")
