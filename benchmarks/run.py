"""Measure the course and write ``benchmarks/RESULTS.md``: ``python -m benchmarks``.

Exit code: 0 done, 1 a notebook failed (the report still shows it), 2 bad arguments.

Sections (all by default, or pick with ``--only``):

- ``notebooks``: every lesson executed headlessly, wall seconds and peak kernel
  memory, with the bundled ``mnist_5k`` subset (median of ``--repeats`` runs);
- ``notebooks_full``: the same with full-size Fashion-MNIST (one run each; the
  memory budget applies here; ``--no-full-size`` skips it);
- ``numpy``: the vectorised NumPy autoencoder against a per-sample loop;
- ``quality``: reconstruction, PCA comparison, anomaly detection and denoising
  figures at full size on Fashion-MNIST;
- ``variational``: lesson 08's VAE at full size, test ELBO and importance-weighted
  NLL in nats (Fashion-MNIST, and full MNIST when present);
- ``dictionary``: lesson 10's sparse dictionary at full size;
- ``reference``: Géron's stacked autoencoder and the course's reference side by
  side in one process (test MSE and training time);
- ``time_shares``: per lesson, the share of time spent training, in inference, in
  scikit-learn and drawing, and training's FLOP/s against the machine's peak;
- ``fewlabels``: lesson 09's few-label accuracy at full size, with its spread over
  label draws (Fashion-MNIST, and full MNIST when present).

Raw data goes to ``benchmarks/results/<section>.json``; the report is rebuilt
from whatever raw data is there, so sections can be run separately.
``--quick`` is a smoke run with tiny settings; it writes to
``build/benchmarks-quick/`` so it never overwrites the real figures.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
QUICK_DIR = ROOT / "build" / "benchmarks-quick"

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m benchmarks``."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the course (time, memory, quality) and write benchmarks/RESULTS.md.",
    )
    p.add_argument("--only", action="append",
                   choices=["notebooks", "notebooks_full", "numpy", "quality", "variational",
                            "dictionary", "fewlabels", "reference", "time_shares"],
                   help="run only this section (repeatable; default: every section)")
    p.add_argument("--repeats", type=int, default=None, metavar="N",
                   help="timed runs per measurement, the median is reported "
                        "(default: 3; notebooks at full size always run once)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run with tiny settings, written to build/benchmarks-quick/")
    p.add_argument("--report-only", action="store_true",
                   help="rebuild RESULTS.md from the saved raw results without running anything")
    p.add_argument("--notebook", action="append", metavar="PATH", dest="notebooks",
                   help="notebooks and time_shares: only this notebook (repeatable; default: "
                        "every notebooks/*.ipynb); the section's saved results are replaced "
                        "by this run's")
    p.add_argument("--no-full-size", action="store_true",
                   help="skip the notebooks_full section (every lesson at full size)")
    p.add_argument("--cores", type=int, default=None, metavar="N",
                   help="pin this run (and the notebook kernels it starts) to N CPU cores, "
                        "e.g. 2 to check the 2-core budget on a bigger machine (Linux only)")
    p.add_argument("--results-dir", type=Path, default=None,
                   help="folder of the raw JSON results (default: benchmarks/results/)")
    p.add_argument("--report", type=Path, default=None,
                   help="Markdown report to write (default: benchmarks/RESULTS.md)")
    return p


def _command(section: str, args: argparse.Namespace) -> str:
    """The command that reruns one section with the same settings."""
    parts = ["python -m benchmarks", f"--only {section}"]
    if args.repeats is not None and section in ("notebooks", "numpy"):
        parts.append(f"--repeats {args.repeats}")
    if section in ("notebooks", "notebooks_full", "time_shares"):
        parts += [f"--notebook {nb}" for nb in args.notebooks or []]
    if args.cores is not None:
        parts.append(f"--cores {args.cores}")
    if args.quick:
        parts.append("--quick")
    return " ".join(parts)


def _pin_cores(n: int) -> str | None:
    """Restrict this process (and the processes it starts) to ``n`` cores; an error or None."""
    if not hasattr(os, "sched_setaffinity"):
        return "--cores needs Linux (os.sched_setaffinity)"
    available = sorted(os.sched_getaffinity(0))
    if not 1 <= n <= len(available):
        return f"--cores must be between 1 and {len(available)} (the usable cores), got {n}"
    os.sched_setaffinity(0, available[:n])
    return None


def _log(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections, save their raw results, write the report; return the exit code."""
    from benchmarks import (
        dictionary,
        fewlabels,
        notebook_timings,
        numpy_vs_loop,
        quality,
        reference,
        report,
        time_shares,
        variational,
    )

    args = build_parser().parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        print("python -m benchmarks: error: --repeats must be at least 1", file=sys.stderr)
        return 2
    if args.cores is not None and not args.report_only:
        problem = _pin_cores(args.cores)
        if problem:
            print(f"python -m benchmarks: error: {problem}", file=sys.stderr)
            return 2
    base = QUICK_DIR if args.quick else HERE
    results_dir = args.results_dir or base / "results"
    report_path = args.report or base / "RESULTS.md"

    failed_notebooks = False
    if not args.report_only:
        sections = args.only or ["notebooks", "notebooks_full", "numpy", "quality", "variational",
                                 "dictionary", "fewlabels", "reference", "time_shares"]
        if args.no_full_size:
            sections = [s for s in sections if s != "notebooks_full"]
        for section in dict.fromkeys(sections):
            started = datetime.now(timezone.utc)
            with report.LoadSampler() as load:
                if section in ("notebooks", "notebooks_full"):
                    s = dict(notebook_timings.QUICK if args.quick else notebook_timings.DEFAULTS)
                    if args.repeats is not None:
                        s["repeats"] = args.repeats
                    if section == "notebooks_full":  # full size only, once per lesson
                        s["repeats"], s["full_repeats"] = 0, 0 if args.quick else 1
                    s["notebooks"] = args.notebooks
                    data = notebook_timings.run(s, ROOT, ROOT / "build" / "benchmarks", _log)
                    failed_notebooks = any(not r["ok"] for r in data["runs"])
                elif section == "numpy":
                    s = dict(numpy_vs_loop.QUICK if args.quick else numpy_vs_loop.DEFAULTS)
                    if args.repeats is not None:
                        s["repeats"] = args.repeats
                    data = numpy_vs_loop.run(s, _log)
                elif section == "quality":
                    s = dict(quality.QUICK if args.quick else quality.DEFAULTS)
                    data = quality.run(s, _log)
                elif section == "variational":
                    s = dict(variational.QUICK if args.quick else variational.DEFAULTS)
                    data = variational.run(s, _log)
                elif section == "time_shares":
                    s = dict(time_shares.QUICK if args.quick else time_shares.DEFAULTS)
                    if args.notebooks:
                        s["notebooks"] = args.notebooks
                    data = time_shares.run(s, ROOT, ROOT / "build" / "benchmarks" / "time_shares",
                                           _log)
                    failed_notebooks |= any(not r["ok"] for r in data["lessons"])
                elif section == "dictionary":
                    s = dict(dictionary.QUICK if args.quick else dictionary.DEFAULTS)
                    data = dictionary.run(s, _log)
                elif section == "fewlabels":
                    s = dict(fewlabels.QUICK if args.quick else fewlabels.DEFAULTS)
                    data = fewlabels.run(s, _log)
                else:
                    s = dict(reference.QUICK if args.quick else reference.DEFAULTS)
                    data = reference.run(s, _log)
            path = report.save_result(
                results_dir, section, data, command=_command(section, args), started=started,
                load=load.summary(), quick=args.quick,
            )
            _log(f"{section}: raw results written to {path}")

    results = report.load_results(results_dir)
    if not results:
        print(f"python -m benchmarks: error: no results in {results_dir}; run a section first",
              file=sys.stderr)
        return 1
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(report.render_report(results), encoding="utf-8")
    _log(f"report written to {report_path}")
    if failed_notebooks:
        print("python -m benchmarks: some notebooks failed; see the report", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # python benchmarks/run.py
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
