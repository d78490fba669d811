"""Machine description, raw-result files and the Markdown report ``benchmarks/RESULTS.md``.

Every section's raw data is saved as ``results/<section>.json`` together with
the command that produced it, when, on what machine and how busy that machine
was; :func:`render_report` turns those files into ``RESULTS.md`` without
rerunning anything (``python -m benchmarks --report-only``).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import threading
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from aetutor.backend import keras_backend_name

__all__ = [
    "SECTIONS",
    "LoadSampler",
    "load_results",
    "machine_info",
    "render_report",
    "save_result",
]

SECTIONS = {
    "notebooks": "Notebooks: time and memory",
    "notebooks_full": "Notebooks at full size: time and memory",
    "time_shares": "Where the time goes: training, inference, scikit-learn, drawing; training "
    "FLOP/s against the peak",
    "numpy": "NumPy: vectorised autoencoder vs a per-sample loop",
    "quality": "Quality at full size (Fashion-MNIST)",
    "reference": "Against the reference: Géron's stacked autoencoder and the course's, "
    "side by side",
    "variational": "Variational autoencoder at full size: ELBO and importance-weighted NLL",
    "fewlabels": "Few labels at full size: accuracy of codes learnt without labels, with its "
    "spread over label draws",
    "dictionary": "Sparse autoencoders reading a classifier at full size: L0, FVU, accuracy "
    "recovered, dead features",
}
BEFORE = "notebooks_before"
"""The notebooks section run on an earlier commit (benchmarks/before_after.py), if saved."""
BEFORE_FULL = "notebooks_full_before"
"""The notebooks_full section run on an earlier commit, if saved."""
_PACKAGES = ("aetutor", "numpy", "jax", "tensorflow", "keras", "scikit-learn")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20  # kB -> GiB
    except OSError:
        pass
    return None


def machine_info() -> dict[str, Any]:
    """CPU model, cores, RAM, OS and the versions that matter, as a dict for the JSON."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gib": _ram_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "versions": {p: _version(p) for p in _PACKAGES},
        "keras_backend": keras_backend_name(),
    }


def _loadavg() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


class LoadSampler:
    """The 1-minute load average before, during (every ``interval`` s) and after a run.

    A load near 0 before the run means nothing else was running; during the
    run the benchmark itself adds about 1 per busy core it uses.
    """

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self.before = _loadavg()
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="loadavg")

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            load = _loadavg()
            if load:
                self.samples.append(load[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.after = _loadavg()

    def summary(self) -> dict[str, Any]:
        """Before/after load averages and the mean/max 1-minute load during the run."""
        during = self.samples
        return {
            "before": self.before,
            "after": getattr(self, "after", None),
            "during_mean": round(sum(during) / len(during), 2) if during else None,
            "during_max": max(during) if during else None,
        }


def save_result(
    results_dir: Path,
    section: str,
    data: dict[str, Any],
    *,
    command: str,
    started: datetime,
    load: dict[str, Any],
    quick: bool,
) -> Path:
    """Write ``results_dir/<section>.json`` with the data and where/when/how it was measured."""
    if section not in SECTIONS:
        raise ValueError(f"section must be one of {', '.join(SECTIONS)}, got {section!r}")
    payload = {
        "section": section,
        "command": command,
        "started_utc": started.strftime("%Y-%m-%d %H:%M UTC"),
        "finished_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": quick,
        "machine": machine_info(),
        "load": load,
        "data": data,
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{section}.json"
    path.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n", encoding="utf-8")
    return path


def _json_default(obj: Any) -> Any:
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, (set, range)):
        return list(obj)
    raise TypeError(f"cannot write {type(obj).__name__} to JSON")


def load_results(results_dir: Path) -> dict[str, dict[str, Any]]:
    """Every ``<section>.json`` found in ``results_dir``, by section name."""
    found = {}
    for section in (*SECTIONS, BEFORE, BEFORE_FULL):
        path = results_dir / f"{section}.json"
        if path.exists():
            found[section] = json.loads(path.read_text(encoding="utf-8"))
    return found


def _idle_verdict(load: dict[str, Any], cores: int | None) -> str:
    before = load.get("before")
    if not before:
        return "load average unavailable"
    text = (
        f"1-min load average {before[0]:.2f} before the run"
        + (f", {load['during_mean']:.2f} on average during it" if load.get("during_mean") else "")
        + (f", {load['after'][0]:.2f} after" if load.get("after") else "")
        + (f", on a machine with {cores} core{'s' if cores != 1 else ''}" if cores else "")
    )
    if before[0] < 0.5:
        return f"{text}: the machine was otherwise idle"
    return (
        f"{text}: **the machine was shared with other work, so times are inflated** "
        "(compare ratios, not absolute seconds)"
    )


def _header(result: dict[str, Any]) -> list[str]:
    m = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    ram = f", {m['ram_gib']:.0f} GiB RAM" if m.get("ram_gib") else ""
    cores = f"{m['cores']} cores" + (
        f" ({m['usable_cores']} usable)" if m.get("usable_cores") not in (None, m["cores"]) else ""
    )
    return [
        f"- Command: `{result['command']}`",
        f"- Date: {result['started_utc']} – {result['finished_utc']}"
        + (" (**quick smoke run: reduced settings, not the real figures**)" if result["quick"]
           else ""),
        f"- Hardware: {m['cpu']}, {cores}{ram}; {m['platform']}",
        f"- Software: Python {m['python']}, {versions}"
        + (f"; Keras backend **{m['keras_backend']}**" if m.get("keras_backend") else ""),
        f"- Load: {_idle_verdict(result['load'], m['cores'])}",
        "",
    ]


def render_report(results: dict[str, dict[str, Any]]) -> str:
    """The whole ``RESULTS.md`` from the saved results (missing sections say how to run them)."""
    from benchmarks import (
        before_after,
        dictionary,
        fewlabels,
        notebook_timings,
        numpy_vs_loop,
        quality,
        reference,
        time_shares,
        variational,
    )

    renderers = {
        "notebooks": notebook_timings.render,
        "notebooks_full": notebook_timings.render,
        "numpy": numpy_vs_loop.render,
        "quality": quality.render,
        "variational": variational.render,
        "dictionary": dictionary.render,
        "reference": reference.render,
        "time_shares": time_shares.render,
        "fewlabels": fewlabels.render,
    }
    lines = [
        "# Benchmarks",
        "",
        "How fast, how lean and how good the course is. Every figure below comes from real "
        "runs; each section names the command that reproduces it, the machine and how busy it "
        "was. Rerun everything with `python -m benchmarks` from the repository root (with "
        "aetutor installed); rebuild this page from the raw data in `benchmarks/results/` "
        "with `python -m benchmarks --report-only`. Timings are medians of several runs.",
        "",
    ]
    for i, (section, title) in enumerate(SECTIONS.items(), start=1):
        lines += [f"## {i}. {title}", ""]
        result = results.get(section)
        if result is None:
            lines += [f"Not measured yet: run `python -m benchmarks --only {section}`.", ""]
            continue
        lines += _header(result)
        lines += renderers[section](result["data"])
        if section == "notebooks" and BEFORE in results:
            lines += ["", *before_after.render(results[BEFORE], result)]
        if section == "notebooks_full" and BEFORE_FULL in results:
            lines += ["", *before_after.render_full(results[BEFORE_FULL], result)]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
