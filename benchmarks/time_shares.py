"""Where each lesson's time goes, and how far training is from the hardware's limit.

Each lesson runs with the engine of ``aetutor run`` (:mod:`aetutor.runner`) from
a *copy* with two injected cells (the source notebook is never changed): a
first cell that installs :mod:`benchmarks.time_shares_profiler` in the kernel
and a last one that prints its totals as one JSON line. The share of the
lesson's cell time spent training (Keras ``fit``, aetutor's NumPy
autoencoder), in inference (``predict``/``evaluate``/eager model calls), in
scikit-learn (PCA, t-SNE, k-NN, classifiers) and drawing (building and
rendering matplotlib figures) is reported; the rest is "other" (imports,
NumPy, data loading, printing).

For training, the model's FLOPs per step (forward = 2 x the multiply-accumulates
of its Dense/Conv layers per sample, training ~ 3 x forward, times the batch)
are set against the measured step time (seconds inside Keras's compiled train
function, divided by the optimizer steps), giving the FLOP/s achieved and its
share of the machine's attainable peak, measured once here with a large float32
matrix product (the faster of NumPy and the Keras backend).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.time_shares_profiler import CATEGORIES, MARKER

__all__ = [
    "DEFAULTS", "QUICK", "flops_summary", "measure_peak_flops", "parse_report",
    "profiled_copy", "render", "run", "shares",
]

DEFAULTS: dict[str, Any] = {
    "dataset": "mnist_5k",
    "notebooks": None,  # None: every notebooks/*.ipynb
    "matmul_size": 2048,
    "matmul_repeats": 5,
}
QUICK: dict[str, Any] = {**DEFAULTS, "notebooks": ["notebooks/01_basics.ipynb"],
                         "matmul_size": 1024, "matmul_repeats": 3}

TOP_ITEMS = 4  # largest counted functions listed per lesson


def _first_cell(root: Path) -> str:
    return (
        "# time_shares profiler (benchmarks/time_shares.py): times training, inference,\n"
        "# scikit-learn and drawing in this kernel; not part of the lesson\n"
        "import sys as _ts_sys\n\n"
        f"_ts_sys.path.append({str(root)!r})\n"
        "import benchmarks.time_shares_profiler as _ts_profiler  # noqa: E402\n\n"
        "_ts_profiler.install()\n"
    )


_LAST_CELL = "print(_ts_profiler.report_line())\n"


def profiled_copy(nb: Any, root: Path) -> Any:
    """A copy of notebook ``nb`` with the profiler's first cell and the report's last cell."""
    import copy

    import nbformat

    nb = copy.deepcopy(nb)
    nb.cells.insert(0, nbformat.v4.new_code_cell(_first_cell(root)))
    nb.cells.append(nbformat.v4.new_code_cell(_LAST_CELL))
    return nb


def parse_report(nb: Any) -> dict[str, Any] | None:
    """The profiler's totals from an executed profiled copy (the last cell's marked line)."""
    for cell in reversed(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") != "stream":
                continue
            for line in output.get("text", "").splitlines():
                if line.startswith(MARKER):
                    return json.loads(line[len(MARKER):])
        break  # only the last code cell prints the report
    return None


def shares(profile: dict[str, Any]) -> dict[str, float]:
    """Fractions of the total (lesson cells + the profiler's setup imports) per category.

    "other" is what no category claims; it includes the setup cell's imports.
    """
    total = profile["cell_seconds"] + profile["setup_seconds"]
    if total <= 0:
        raise ValueError(f"profile has no cell time (cell_seconds + setup_seconds = {total})")
    out = {c: profile["seconds"][c] / total for c in CATEGORIES}
    out["other"] = max(0.0, 1.0 - sum(out.values()))
    return out


def flops_summary(fits: list[dict[str, Any]], peak_flops: float) -> dict[str, Any]:
    """Steps, step time, FLOPs per step and the FLOP/s achieved by a lesson's Keras fits.

    Training FLOPs per sample = 3 x forward = 6 x the forward MACs. Step
    seconds are the seconds inside the compiled train function (first call
    included: tracing and compiling are overhead the lesson pays) over the
    optimizer steps; ``steady_ms_per_step`` leaves the first call out (median
    over fits); ``peak_ms_per_step`` is the time the arithmetic alone would take
    at ``peak_flops``, so ``ms_per_step - peak_ms_per_step`` is the overhead;
    ``steps_share_of_fit`` is the share of the ``fit`` calls spent in the steps.
    Fits without a MAC count or a step count are left out of the FLOP figures.
    """
    keras_fits = [f for f in fits if f["kind"] == "keras" and f.get("steps")]
    usable = [f for f in keras_fits if f.get("forward_macs_per_sample") and f.get("samples")
              and f.get("train_function_seconds")]
    steps = sum(f["steps"] for f in usable)
    seconds = sum(f["train_function_seconds"] for f in usable)
    flops = sum(6.0 * f["forward_macs_per_sample"] * f["samples"] for f in usable)
    steady = [
        (f["train_function_seconds"] - f["first_call_seconds"])
        / (f["steps"] - f["steps_per_execution"])
        for f in usable if f["steps"] > f["steps_per_execution"]
    ]
    fit_seconds = sum(f["seconds"] for f in keras_fits)
    achieved = flops / seconds if seconds > 0 else None
    per_step = flops / steps if steps else None
    return {
        "fits": len(keras_fits),
        "fits_counted": len(usable),
        "steps": steps,
        "fit_seconds": fit_seconds,
        "step_seconds": seconds,
        "steps_share_of_fit": seconds / fit_seconds if fit_seconds > 0 and usable else None,
        "ms_per_step": 1e3 * seconds / steps if steps else None,
        "steady_ms_per_step": 1e3 * statistics.median(steady) if steady else None,
        "mflop_per_step": per_step / 1e6 if per_step else None,
        "peak_ms_per_step": 1e3 * per_step / peak_flops if per_step and peak_flops else None,
        "gflops": achieved / 1e9 if achieved else None,
        "peak_share": achieved / peak_flops if achieved and peak_flops else None,
        "uncounted_layers": sorted({n for f in usable for n in f.get("uncounted_layers", [])}),
    }


def measure_peak_flops(size: int = 2048, repeats: int = 5) -> dict[str, float]:
    """Attainable float32 FLOP/s of this process: best of ``repeats`` ``size``-square matmuls.

    Measured with NumPy and with the Keras backend (``keras.ops.matmul``); both
    use every core this process may use. Returns FLOP/s of each and the best.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    flop = 2.0 * size**3

    def best(fn: Any) -> float:
        fn()  # warm up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return flop / min(times)

    result = {"numpy": best(lambda: a @ b)}
    try:
        from aetutor.backend import import_keras_quietly

        keras = import_keras_quietly()  # the course's backend, as the lessons run on
        ta, tb = keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b)
        result["keras"] = best(lambda: keras.ops.convert_to_numpy(keras.ops.matmul(ta, tb)))
    except Exception:  # noqa: BLE001 - NumPy alone still gives a peak
        pass
    result["peak"] = max(result.values())
    return result


def run(settings: dict[str, Any], root: Path, out_dir: Path, log: Any = print) -> dict[str, Any]:
    """Profile every lesson (or ``settings["notebooks"]``) once; measure the matmul peak once."""
    import nbformat

    from aetutor import runner

    peak = measure_peak_flops(settings["matmul_size"], settings["matmul_repeats"])
    log(f"time_shares: attainable peak {peak['peak'] / 1e9:.1f} GFLOP/s "
        f"(NumPy {peak['numpy'] / 1e9:.1f}"
        + (f", Keras {peak['keras'] / 1e9:.1f}" if "keras" in peak else "") + ")")
    if settings.get("notebooks"):
        paths = [Path(p) for p in settings["notebooks"]]
    else:
        paths = runner.default_notebooks(root)
    copies = out_dir / "profiled"
    executed = out_dir / "executed"
    copies.mkdir(parents=True, exist_ok=True)
    lessons = []
    for path in paths:
        try:
            rel = str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            rel = str(path)
        copy = copies / path.name
        nbformat.write(profiled_copy(nbformat.read(path, as_version=4), root), copy)
        result = runner.run_notebook(copy, executed, dataset=settings["dataset"], progress=False)
        profile = None
        if result.ipynb:
            profile = parse_report(nbformat.read(result.ipynb, as_version=4))
        entry: dict[str, Any] = {"notebook": rel, "ok": result.ok and profile is not None,
                                 "status": result.status if profile or not result.ok
                                 else "FAILED: no profiler report",
                                 "seconds": result.seconds, "profile": profile}
        lessons.append(entry)
        if entry["ok"]:
            s = shares(profile)
            f = flops_summary(profile["fits"], peak["peak"])
            log(f"time_shares: {rel}: " + ", ".join(f"{k} {v:.0%}" for k, v in s.items())
                + (f"; training {f['gflops']:.2f} GFLOP/s = {f['peak_share']:.1%} of peak"
                   if f["gflops"] else ""))
        else:
            log(f"time_shares: {rel}: {entry['status']}")
    return {"settings": {**settings, "notebooks": [str(p) for p in paths]},
            "peak_flops": peak, "lessons": lessons}


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _backend_line(data: dict[str, Any]) -> str:
    """Which Keras backend the profiled kernels ran on, as their profiles recorded it."""
    seen = sorted({e["profile"].get("backend") or "?" for e in data["lessons"] if e.get("ok")})
    if seen in ([], ["?"]):
        return ("Keras backend of the profiled kernels: not recorded (profiles from before it was; "
                "those kernels imported Keras before aetutor, so they ran on TensorFlow).")
    return f"Keras backend of the profiled kernels: {', '.join(seen)}."


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section (used by :mod:`benchmarks.report`)."""
    s, peak = data["settings"], data["peak_flops"]
    others = ", ".join(f"{k} {v / 1e9:.1f}" for k, v in peak.items() if k != "peak")
    lines = [
        f"Each lesson once with `{s['dataset']}`, from a copy with a profiling first cell that "
        "times, in wall seconds of the kernel, Keras training (`fit`, aetutor's NumPy "
        "autoencoder), inference (`predict`, `evaluate`, eager model calls), scikit-learn "
        "estimator methods and drawing (building figures, and rendering them, which the inline "
        "backend does after each cell); a call inside another counted call belongs to the outer "
        "one (validation inside `fit` is training), except that drawing yields to what it "
        "computes. Shares are of the lesson's cell time plus the profiler cell's imports of "
        "Keras, scikit-learn and matplotlib (counted in *other*, with NumPy, data loading and "
        "printing).",
        "",
        _backend_line(data),
        "",
        "| notebook | cell time s | training | inference | scikit-learn | drawing | other |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    failures = []
    for entry in data["lessons"]:
        if not entry["ok"]:
            lines.append(f"| {entry['notebook']} | {entry['status']} | | | | | |")
            failures.append(entry)
            continue
        p = entry["profile"]
        sh = shares(p)
        lines.append(
            f"| {entry['notebook']} | {p['cell_seconds'] + p['setup_seconds']:.1f} | "
            + " | ".join(f"{sh[k]:.0%}" for k in (*CATEGORIES, "other")) + " |"
        )
    tops = []
    for entry in data["lessons"]:
        if entry["ok"] and entry["profile"].get("by_label"):
            p = entry["profile"]
            total = p["cell_seconds"] + p["setup_seconds"]
            items = list(p["by_label"].items())[:TOP_ITEMS]
            tops.append(f"- {entry['notebook']}: " + "; ".join(
                f"{label} {seconds:.1f} s ({seconds / total:.0%})" for label, seconds in items))
    if tops:
        lines += ["", f"The {TOP_ITEMS} largest counted items of each lesson (category: "
                  "package and function, exclusive seconds):", *tops]
    lines += [
        "",
        f"Training against the arithmetic: attainable peak **{peak['peak'] / 1e9:.1f} GFLOP/s** "
        f"(best float32 {s['matmul_size']}² matrix product in the benchmark process: {others} "
        "GFLOP/s). FLOPs per step = 6 × the forward multiply-accumulates of the model's "
        "Dense/Conv layers per sample × the batch (forward = 2 × MACs, training ≈ 3 × forward; "
        "activations, losses and optimizer updates are not counted, so the figures are a "
        "slight underestimate). Step time: seconds inside Keras's compiled train function "
        "(no callbacks, no validation) over the optimizer steps; *ms/step* includes the first "
        "call's tracing and compiling, *steady* is the median over fits without it. *fit s*: "
        "the whole `fit` calls (validation, callbacks and epoch loop included), *in steps*: the "
        "share of them spent in the steps. *ms/step at peak*: the time the step's arithmetic "
        "would take at the peak; the rest of *ms/step* is overhead.",
        "",
        "| notebook | fits | steps | fit s | in steps | ms/step | steady ms/step | MFLOP/step "
        "| ms/step at peak | GFLOP/s | % of peak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    uncounted = []
    for entry in data["lessons"]:
        if not entry["ok"]:
            continue
        f = flops_summary(entry["profile"]["fits"], peak["peak"])
        if not f["fits"]:
            lines.append(f"| {entry['notebook']} | 0 | | | | | | | | | |")
            continue
        lines.append(
            f"| {entry['notebook']} | {f['fits']} | {f['steps']:,} | {f['fit_seconds']:.1f} | "
            f"{_pct(f['steps_share_of_fit'])} | "
            f"{_fmt(f['ms_per_step'], '.2f')} | {_fmt(f['steady_ms_per_step'], '.2f')} | "
            f"{_fmt(f['mflop_per_step'], '.2f')} | {_fmt(f['peak_ms_per_step'], '.2f')} | "
            f"{_fmt(f['gflops'], '.2f')} | "
            f"{_fmt(None if f['peak_share'] is None else 100 * f['peak_share'], '.1f')} |"
        )
        if f["uncounted_layers"]:
            uncounted.append(f"- {entry['notebook']}: {', '.join(f['uncounted_layers'])}")
        numpy_fits = [x for x in entry["profile"]["fits"] if x["kind"] == "numpy"]
        if numpy_fits:
            secs = sum(x["seconds"] for x in numpy_fits)
            flops = sum(6.0 * x["forward_macs_per_sample"] * x["samples"] for x in numpy_fits
                        if x.get("forward_macs_per_sample") and x.get("samples"))
            uncounted.append(
                f"- {entry['notebook']}: NumPy autoencoder, {len(numpy_fits)} fit(s), "
                f"{secs:.1f} s, {flops / secs / 1e9 if secs else 0:.2f} GFLOP/s "
                f"({100 * flops / secs / peak['peak'] if secs else 0:.1f}% of peak; whole fit "
                "calls)")
    if uncounted:
        lines += ["", "Notes (layers with weights whose FLOPs were not counted; NumPy training):",
                  *uncounted]
    if failures:
        lines += ["", "Failures:", *(f"- {e['notebook']}: {e['status']}" for e in failures)]
    return lines
