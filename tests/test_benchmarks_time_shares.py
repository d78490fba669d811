"""Tests of ``benchmarks/time_shares.py`` and its kernel-side profiler.

The FLOP counts are checked against hand-counted multiply-accumulates; the
profiler is run in a separate Python (it patches Keras, scikit-learn and
matplotlib classes, which must not leak into this test process) on a tiny fit,
PCA and figure; parsing and rendering run on saved-looking data. No timing is
asserted beyond "more than zero where something ran, zero where nothing did".
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import keras
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aetutor.layers import DenseTranspose
from benchmarks import report, time_shares
from benchmarks.time_shares_profiler import MARKER, forward_macs

# --- FLOPs ---------------------------------------------------------------------------------


def test_forward_macs_of_dense_and_conv_layers_by_hand():
    image = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same")(image)            # 14x14x8 out
    x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(x)       # from 14x14x8
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(10)(x)
    model = keras.Model(image, x)
    macs, counted, skipped = forward_macs(model)
    conv = 14 * 14 * (3 * 3 * 1 * 8)
    transpose = 14 * 14 * (3 * 3 * 4 * 8)
    dense = 28 * 28 * 4 * 10
    assert macs == conv + transpose + dense
    assert len(counted) == 3 and skipped == []


def test_forward_macs_count_nested_models_tied_kernels_and_sequence_positions():
    inputs = keras.Input((5, 6))                          # 5 positions of 6 features
    encode = keras.layers.Dense(3)
    code = encode(inputs)
    encoder = keras.Model(inputs, code)
    decoder_in = keras.Input((5, 3))
    decoder = keras.Model(decoder_in, DenseTranspose(encode)(decoder_in))
    model = keras.Model(inputs, decoder(encoder(inputs)))
    macs, counted, skipped = forward_macs(model)
    assert macs == 5 * 6 * 3 * 2                          # encoder and its transpose
    assert len(counted) == 2 and skipped == []


def test_forward_macs_name_layers_with_weights_they_cannot_count():
    class Mixer(keras.layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1], 4))

        def call(self, x):
            return keras.ops.matmul(x, self.w)

    inputs = keras.Input((6,))
    model = keras.Model(inputs, keras.layers.Dense(2)(Mixer(name="mixer")(inputs)))
    macs, counted, skipped = forward_macs(model)
    assert macs == 4 * 2 and skipped == ["mixer"]


# --- the profiler in a kernel-like process -------------------------------------------------

PROFILED = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {root!r})
    import benchmarks.time_shares_profiler as p
    p.install()
    import keras, numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA          # imported after install: hooked on creation
    from aetutor.numpy_ae import NumpyAutoencoder

    x = np.random.default_rng(0).random((100, 8)).astype("float32")
    inputs = keras.Input((8,))
    model = keras.Model(inputs, keras.layers.Dense(8)(keras.layers.Dense(3)(inputs)))
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, x, epochs=2, batch_size=32, verbose=0, validation_data=(x, x))
    model.predict(x, verbose=0)                    # one inference call outside fit
    PCA(2).fit(x)
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    fig.savefig({png!r})
    NumpyAutoencoder((8, 3, 8), seed=0).fit(x, epochs=1, batch_size=50)
    print(p.report_line())
""")


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    png = tmp_path_factory.mktemp("fig") / "f.png"
    code = PROFILED.format(root=str(ROOT), png=str(png))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith(MARKER))
    return json.loads(line[len(MARKER):])


def test_profiler_counts_each_kind_once_and_absorbs_validation(profile):
    calls, seconds = profile["calls"], profile["seconds"]
    assert calls["training"] == 2                  # keras fit, NumPy fit
    assert calls["inference"] == 1                 # fit's validation belongs to training
    assert calls["sklearn"] >= 1 and calls["drawing"] >= 1
    assert all(seconds[k] > 0 for k in ("training", "inference", "sklearn", "drawing"))
    assert profile["cell_seconds"] == 0 and profile["cells"] == 0    # not in IPython
    assert profile["setup_seconds"] > 0
    labels = profile["by_label"]
    assert {"training: keras Model.fit", "sklearn: sklearn PCA.fit"} <= set(labels)
    inference = [k for k in labels if k.startswith("inference: ")]
    assert len(inference) == 1 and inference[0].endswith(".predict")  # evaluate: inside fit
    assert sum(labels.values()) == pytest.approx(sum(seconds.values()))


def test_profiler_runs_keras_on_the_course_backend(profile):
    # install() imports Keras before the code it profiles does: it must start it the way
    # aetutor would, not on Keras's own default (TensorFlow)
    from aetutor.backend import chosen_backend

    assert profile["backend"] == chosen_backend()


def test_profiler_records_steps_and_macs_of_each_fit(profile):
    keras_fit, numpy_fit = profile["fits"]
    assert keras_fit["kind"] == "keras" and keras_fit["steps"] == 2 * 4  # ceil(100/32) x 2
    assert keras_fit["samples"] == 200 and keras_fit["batch_size"] == 32
    assert keras_fit["forward_macs_per_sample"] == 8 * 3 + 3 * 8
    assert keras_fit["train_function_calls"] == 8
    assert 0 < keras_fit["train_function_seconds"] <= keras_fit["seconds"]
    assert numpy_fit["kind"] == "numpy" and numpy_fit["steps"] == 2          # 100 / 50
    assert numpy_fit["forward_macs_per_sample"] == 8 * 3 + 3 * 8


# --- the section: copy, parse, shares, FLOP/s, rendering ----------------------------------


def lesson() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 99 · Test"), nbformat.v4.new_code_cell("1 + 1")]
    return nb


def test_profiled_copy_adds_first_and_last_cell_and_leaves_the_lesson_alone():
    nb = lesson()
    copy = time_shares.profiled_copy(nb, ROOT)
    assert len(nb.cells) == 2                                  # the original is untouched
    assert [c.cell_type for c in copy.cells] == ["code", "markdown", "code", "code"]
    first = copy.cells[0].source
    assert "_ts_profiler.install()" in first and repr(str(ROOT)) in first
    assert "report_line()" in copy.cells[-1].source


def fake_profile(**seconds: float) -> dict:
    base = dict.fromkeys(("training", "inference", "sklearn", "drawing"), 0.0)
    return {"cell_seconds": 90.0, "cells": 20, "setup_seconds": 10.0,
            "seconds": {**base, **seconds}, "calls": dict.fromkeys(base, 1), "fits": []}


def test_parse_report_reads_the_marked_line_of_the_last_code_cell():
    nb = time_shares.profiled_copy(lesson(), ROOT)
    assert time_shares.parse_report(nb) is None                 # not executed
    data = fake_profile(training=40.0)
    nb.cells[-1].outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="hello\n" + MARKER + json.dumps(data) + "\n")]
    assert time_shares.parse_report(nb) == data
    nb.cells.append(nbformat.v4.new_code_cell("print('after')"))  # not the last cell any more
    assert time_shares.parse_report(nb) is None


def test_shares_are_of_cell_time_plus_setup_and_other_is_the_rest():
    s = time_shares.shares(fake_profile(training=40.0, inference=5.0, sklearn=10.0, drawing=20.0))
    assert s == pytest.approx({"training": 0.4, "inference": 0.05, "sklearn": 0.1,
                               "drawing": 0.2, "other": 0.25})
    with pytest.raises(ValueError, match="no cell time"):
        time_shares.shares({**fake_profile(), "cell_seconds": 0.0, "setup_seconds": 0.0})


def keras_fit(steps=100, seconds=2.0, first=1.0, macs=1000, samples=3200, **extra) -> dict:
    return {"model": "m", "kind": "keras", "seconds": 3.0, "steps": steps, "batch_size": 32,
            "samples": samples, "train_function_calls": steps,
            "train_function_seconds": seconds, "first_call_seconds": first,
            "steps_per_execution": 1, "forward_macs_per_sample": macs, "counted_layers": 2,
            "uncounted_layers": [], **extra}


def test_flops_summary_sets_six_times_macs_against_the_step_time():
    f = time_shares.flops_summary([keras_fit(), keras_fit(seconds=4.0, first=1.0)], 1e9)
    flops = 2 * 6 * 1000 * 3200
    assert f["steps"] == 200 and f["step_seconds"] == 6.0 and f["fit_seconds"] == 6.0
    assert f["gflops"] == pytest.approx(flops / 6.0 / 1e9)
    assert f["peak_share"] == pytest.approx(flops / 6.0 / 1e9)
    assert f["ms_per_step"] == pytest.approx(30.0)
    assert f["steady_ms_per_step"] == pytest.approx(1e3 * (1 / 99 + 3 / 99) / 2)
    assert f["mflop_per_step"] == pytest.approx(flops / 200 / 1e6)
    assert f["peak_ms_per_step"] == pytest.approx(1e3 * flops / 200 / 1e9)
    assert f["steps_share_of_fit"] == pytest.approx(1.0)
    # a fit whose MACs are unknown is left out of the FLOP figures, not counted as zero
    g = time_shares.flops_summary([keras_fit(), keras_fit(macs=None)], 1e9)
    assert g["fits"] == 2 and g["fits_counted"] == 1 and g["steps"] == 100


def fake_data() -> dict:
    ok = fake_profile(training=40.0, drawing=20.0)
    ok["fits"] = [keras_fit(uncounted_layers=["mixer"])]
    ok["by_label"] = {"training: keras Model.fit": 40.0, "drawing: aetutor roc": 15.0}
    return {
        "settings": {**time_shares.DEFAULTS, "notebooks": ["a", "b"]},
        "peak_flops": {"numpy": 2e10, "keras": 1.5e10, "peak": 2e10},
        "lessons": [
            {"notebook": "notebooks/01_a.ipynb", "ok": True, "status": "ok", "seconds": 105.0,
             "profile": ok},
            {"notebook": "notebooks/02_b.ipynb", "ok": False, "seconds": 3.0, "profile": None,
             "status": "FAILED: ValueError in cell 4"},
        ],
    }


def test_render_shows_shares_flops_and_failures():
    text = "\n".join(time_shares.render(fake_data()))
    assert "| notebooks/01_a.ipynb | 100.0 | 40% | 0% | 0% | 20% | 40% |" in text
    assert "attainable peak **20.0 GFLOP/s**" in text
    row = next(x for x in text.splitlines() if x.startswith("| notebooks/01_a.ipynb | 1 |"))
    assert "| 100 | 3.0 | 67% | 20.00 |" in row                  # steps, fit s, in steps, ms/step
    assert "- notebooks/01_a.ipynb: mixer" in text
    assert ("- notebooks/01_a.ipynb: training: keras Model.fit 40.0 s (40%); "
            "drawing: aetutor roc 15.0 s (15%)") in text
    assert "- notebooks/02_b.ipynb: FAILED: ValueError in cell 4" in text
    assert "backend of the profiled kernels: not recorded" in text
    data = fake_data()
    data["lessons"][0]["profile"]["backend"] = "jax"
    assert "backend of the profiled kernels: jax." in "\n".join(time_shares.render(data))


def test_report_has_a_time_shares_section(tmp_path):
    report.save_result(tmp_path, "time_shares", fake_data(),
                       command="python -m benchmarks --only time_shares",
                       started=datetime(2026, 1, 2, tzinfo=timezone.utc),
                       load={"before": [0.1, 0.1, 0.1]}, quick=False)
    text = report.render_report(report.load_results(tmp_path))
    assert "Where the time goes" in text and "| notebooks/01_a.ipynb | 100.0 | 40% |" in text
