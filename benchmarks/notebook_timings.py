"""Wall time and peak kernel memory of every lesson notebook, run headlessly.

Uses the same engine as ``aetutor run`` (:mod:`aetutor.runner`): each notebook
runs in a fresh kernel of this Python; the runner measures wall seconds from
kernel start to shutdown and samples the resident memory of the kernel's
process tree (sum of RSS, every 0.2 s and after each cell). The runner reports
memory in MB (10**6 bytes); this section converts to MiB (2**20 bytes), the
unit of the 2 GB (= 2,048 MiB) memory budget.

Budgets (CONTRIBUTING.md): under 2 minutes per notebook with the bundled
``mnist_5k`` subset; under 2 GB per notebook with full-size data
(``fashion_mnist``, 60,000/10,000 images, the size of full MNIST).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULTS", "MEMORY_BUDGET_MIB", "MIB", "QUICK", "TIME_BUDGET_S", "render", "run", "summarise",
]

TIME_BUDGET_S = 120.0  # with mnist_5k
MEMORY_BUDGET_MIB = 2048.0  # with full-size data (Binder's 2 GB)
MIB = 2**20

DEFAULTS: dict[str, Any] = {
    "subset_dataset": "mnist_5k",
    "full_dataset": "fashion_mnist",
    "repeats": 3,  # runs with the subset (median reported)
    "full_repeats": 0,  # runs at full size (the notebooks_full section sets 1 and repeats 0)
    "notebooks": None,  # None: every notebooks/*.ipynb
}
QUICK: dict[str, Any] = {**DEFAULTS, "repeats": 1, "full_repeats": 0}


def _mib(mb: float | None) -> float | None:
    """The runner's MB (10**6 bytes) in MiB (2**20 bytes)."""
    return None if mb is None else mb * 1e6 / MIB


def _children_cpu() -> float:
    """CPU seconds (user + system) of every finished child process of this one so far.

    The kernels are children of this process; once a kernel has exited and been
    reaped, its CPU time (and that of its own reaped children) is counted here.
    Unlike wall time, CPU time barely changes when other work shares the machine.
    """
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _display_path(path: Path, root: Path) -> str:
    """``path`` relative to the repository root where it lies inside it."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def run(settings: dict[str, Any], root: Path, out_dir: Path, log: Any = print) -> dict[str, Any]:
    """Run the notebooks ``repeats`` times with the subset and ``full_repeats`` times at full size.

    Executed copies go to ``out_dir/<dataset>_<repeat>/``. Repeats are
    interleaved (all notebooks once, then again), so a burst of load on a
    shared machine spreads over the notebooks instead of hitting one.
    """
    from aetutor import runner

    if settings.get("notebooks"):
        paths = [Path(p) for p in settings["notebooks"]]
    else:
        paths = runner.default_notebooks(root)
    if not paths:
        raise FileNotFoundError(f"no notebooks found in {root / 'notebooks'}")
    runs: list[dict[str, Any]] = []
    plan = [(settings["subset_dataset"], i) for i in range(settings["repeats"])]
    plan += [(settings["full_dataset"], i) for i in range(settings["full_repeats"])]
    for dataset, i in plan:
        for path in paths:
            cpu_before = _children_cpu()
            result = runner.run_notebooks(
                [path], out_dir / f"{dataset}_{i + 1}", dataset=dataset, progress=False
            )[0]
            cpu = _children_cpu() - cpu_before
            rel = _display_path(Path(result.notebook), root)
            runs.append(
                {
                    "notebook": rel,
                    "dataset": dataset,
                    "repeat": i + 1,
                    "ok": result.ok,
                    "status": result.status,
                    "seconds": result.seconds,
                    "peak_memory_mb": result.peak_memory_mb,
                    "cpu_seconds": round(cpu, 2) if cpu > 0 else None,
                    "message": result.message,
                }
            )
            mem = _mib(result.peak_memory_mb)
            log(
                f"notebooks: {rel} with {dataset} (run {i + 1}): {result.status}, "
                f"{result.seconds:.1f} s ({cpu:.1f} s CPU), "
                f"peak {'-' if mem is None else f'{mem:.0f}'} MiB"
            )
    return {"settings": {**settings, "notebooks": [str(p) for p in paths]}, "runs": runs}


def summarise(data: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per notebook: median seconds and peak memory per dataset, and the budget checks."""
    s = data["settings"]
    by_nb: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in data["runs"]:
        by_nb.setdefault(r["notebook"], {}).setdefault(r["dataset"], []).append(r)
    rows = []
    for nb, per in by_nb.items():
        row: dict[str, Any] = {"notebook": nb}
        for key, dataset in (("subset", s["subset_dataset"]), ("full", s["full_dataset"])):
            runs = per.get(dataset, [])
            ok = [r for r in runs if r["ok"]]
            mems = [_mib(r["peak_memory_mb"]) for r in runs if r["peak_memory_mb"] is not None]
            row[key] = {
                "runs": len(runs),
                "failed": len(runs) - len(ok),
                "median_seconds": statistics.median(r["seconds"] for r in ok) if ok else None,
                "median_cpu_seconds": (
                    statistics.median(cpus)
                    if (cpus := [r["cpu_seconds"] for r in ok if r.get("cpu_seconds")])
                    else None
                ),
                "seconds": [r["seconds"] for r in runs],
                "peak_mib": max(mems) if mems else None,
                "failures": sorted({r["status"] for r in runs if not r["ok"]}),
            }
        rows.append(row)
    return rows


def _mark(value: float | None, budget: float, failed: int) -> str:
    if failed:
        return "✗ (failed)"
    if value is None:
        return "not run"
    return "✓" if value < budget else "✗"


def render(data: dict[str, Any]) -> list[str]:
    """Markdown lines for this section's table (used by :mod:`benchmarks.report`).

    One table for whichever datasets were run: the subset (time budget), full
    size (memory budget), or both.
    """
    s = data["settings"]
    sub, full = s["subset_dataset"], s["full_dataset"]
    shown = [(key, dataset, n) for key, dataset, n in (("subset", sub, s["repeats"]),
                                                      ("full", full, s["full_repeats"])) if n]
    counts = "; ".join(
        f"{'median of ' if key == 'subset' else ''}{n} run(s) with `{dataset}`"
        + (" (min–max in brackets)" if key == "subset" and n > 1 else "")
        + (" (full size)" if key == "full" else "")
        for key, dataset, n in shown
    )
    lines = [
        f"Seconds: {counts}. Peak memory: the largest resident memory of the kernel's process "
        "tree over all runs with that dataset, in MiB (2^20 bytes; the runner's MB are "
        f"converted). Budgets: < 120 s with `{sub}`, < 2,048 MiB (2 GB) with `{full}`. CPU s: "
        "median CPU time (user + system) of the kernel and its children; it hardly depends on "
        "other work on the machine, so when the wall time misses the budget on a busy machine "
        "but the CPU time is far below it, the miss is contention (on an otherwise idle "
        "machine the wall time is at least CPU s divided by the cores the kernel keeps busy).",
        "",
    ]
    head, rule = ["notebook"], ["---"]
    for key, dataset, _ in shown:
        head += [f"`{dataset}` s", f"`{dataset}` CPU s", f"`{dataset}` peak MiB",
                 "< 120 s" if key == "subset" else "< 2,048 MiB"]
        rule += ["---:", "---:", "---:", ":---:"]
    lines += ["| " + " | ".join(head) + " |", "|" + "|".join(rule) + "|"]

    def fmt(v: float | None, spec: str) -> str:
        return "–" if v is None else format(v, spec)

    notes = []
    for row in summarise(data):
        cells = [row["notebook"]]
        for key, dataset, _ in shown:
            a = row[key]
            spread = (f" ({min(a['seconds']):.0f}–{max(a['seconds']):.0f})"
                      if len(a["seconds"]) > 1 else "")
            budget = (_mark(a["median_seconds"], TIME_BUDGET_S, a["failed"]) if key == "subset"
                      else _mark(a["peak_mib"], MEMORY_BUDGET_MIB, a["failed"]))
            cells += [f"{fmt(a['median_seconds'], '.1f')}{spread}",
                      fmt(a.get("median_cpu_seconds"), ".1f"), fmt(a["peak_mib"], ",.0f"), budget]
            for status in a["failures"]:
                notes.append(f"- {row['notebook']} with `{dataset}`: {status}")
        lines.append("| " + " | ".join(cells) + " |")
    if notes:
        lines += ["", "Failures:", *notes]
    return lines
