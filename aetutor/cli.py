"""The ``aetutor`` command: run the lessons headlessly, list the datasets.

``aetutor run`` executes notebooks with nbclient into an output folder (never
into the sources) and prints a table of status, seconds and peak kernel memory;
``aetutor datasets`` says which datasets load here and from where;
``aetutor badges`` points every lesson's Colab/Binder badges and Colab install
at the repository named in :mod:`aetutor.course` (``--check`` only compares);
``aetutor doctor`` compares this runtime with the tested version ranges.
This module only parses arguments and prints: execution lives in :mod:`aetutor.runner`, and
heavy imports (nbclient, nbconvert, the data loaders) happen inside the command
functions so that ``aetutor --help`` and ``import aetutor.cli`` stay quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aetutor import __version__

__all__ = ["build_parser", "main"]

_EXIT_OK, _EXIT_FAILED, _EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``aetutor`` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="aetutor",
        description="Hands-on autoencoder lessons: run the notebooks, list the datasets.",
    )
    parser.add_argument("--version", action="version", version=f"aetutor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="execute notebooks headlessly; write executed .ipynb and .html copies",
        description=(
            "Execute notebooks in fresh kernels, each with the notebook's own folder as working "
            "directory, and write OUT/NAME.ipynb (with outputs) and OUT/NAME.html. The sources "
            "are only read. A failing notebook still gets its partial outputs written. Prints "
            "status, wall seconds and the peak resident memory of the kernel process tree. "
            "Exit code: 0 all ok, 1 some failed, 2 bad arguments."
        ),
        epilog=(
            "A failure names the cell by its index in the notebook, counting every cell "
            "(markdown too) from 0."
        ),
    )
    run.add_argument(
        "notebooks",
        nargs="*",
        metavar="NOTEBOOK",
        help="notebooks to run (default: every notebooks/*.ipynb here, sorted)",
    )
    run.add_argument(
        "--dataset",
        metavar="NAME",
        help="dataset the lessons load: sets AETUTOR_DATASET=NAME for the kernel "
        "(see `aetutor datasets`)",
    )
    run.add_argument(
        "--out",
        metavar="DIR",
        default="build",
        help="folder for the executed notebooks and HTML pages (default: build/); "
        "never a folder that holds a source notebook",
    )
    run.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=int,
        default=None,
        help="seconds one cell may run before the notebook fails (default: 600; 0: no limit)",
    )
    run.add_argument(
        "--kernel",
        metavar="NAME",
        help=f"an installed Jupyter kernelspec to run in (default: this Python, {sys.executable})",
    )
    run.add_argument(
        "--json",
        metavar="FILE",
        help="also write the results table, with settings and platform, as JSON",
    )
    run.set_defaults(func=_cmd_run)

    datasets = sub.add_parser(
        "datasets",
        help="show which datasets are available here and where they load from",
        description="Show which datasets load on this machine without a download, "
        "and from where (or why not).",
    )
    datasets.set_defaults(func=_cmd_datasets)

    badges = sub.add_parser(
        "badges",
        help="point every lesson's Colab/Binder badges and Colab install at the repository",
        description=(
            "Rewrite the 'Open in Colab' and 'Launch Binder' badges in each notebook's title "
            "cell and the Colab install line in its first code cell so that they point at "
            "REPOSITORY@BRANCH from aetutor/course.py (the one place that names them). With "
            "--repo/--ref, first set those constants in aetutor/course.py, then rewrite "
            "(with --check, only compare against them). "
            "Only those snippets change; nothing is executed. "
            "Exit code: 0 ok, 1 disagreements (--check) or notebooks that cannot be fixed, "
            "2 bad arguments."
        ),
    )
    badges.add_argument(
        "notebooks",
        nargs="*",
        metavar="NOTEBOOK",
        help="notebooks to rewrite or check (default: every ROOT/notebooks/*.ipynb)",
    )
    badges.add_argument(
        "--repo", metavar="OWNER/NAME", help="GitHub repository to point at (default: course.py's)"
    )
    badges.add_argument("--ref", metavar="BRANCH", help="branch or tag (default: course.py's)")
    badges.add_argument(
        "--check",
        action="store_true",
        help="change nothing; list every notebook that disagrees and exit 1 if any does",
    )
    badges.add_argument(
        "--root",
        metavar="DIR",
        default=".",
        help="the repository root, holding aetutor/course.py and notebooks/ (default: .)",
    )
    badges.set_defaults(func=_cmd_badges)

    doctor = sub.add_parser(
        "doctor",
        help="check this runtime against the versions the course is tested with",
        description=(
            "Compare Python, the Keras backend and every package the course uses with the "
            "ranges in pyproject.toml, the ones CI tests (the lowest versions, on the lowest "
            "Python, and the newest, on the highest). Prints a table and what to do. Exit "
            "code: 0 a lesson's needs are all within range (extras may be missing), 1 not."
        ),
    )
    doctor.set_defaults(func=_cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``aetutor`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: return, don't exit
        return exc.code if isinstance(exc.code, int) else _EXIT_USAGE
    if args.command is None:
        parser.print_help(sys.stderr)
        return _EXIT_USAGE
    return args.func(args)


def _error(message: str) -> int:
    print(f"aetutor: error: {message}", file=sys.stderr)
    return _EXIT_USAGE


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """Plain-text table, columns padded to fit; columns in ``right`` are right-aligned."""
    widths = [max(len(str(cell)) for cell in col) for col in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _check_dataset(name: str | None) -> None:
    """Reject an unknown --dataset name now, rather than in every notebook later."""
    if name is None:
        return
    try:
        from aetutor.data import DATASET_NAMES
    except ImportError:  # loaders unavailable: let the notebooks judge the name
        return
    known = ("auto", *DATASET_NAMES)
    if name.strip().lower().replace("-", "_") not in known:
        from aetutor.runner import RunnerError

        raise RunnerError(f"unknown dataset {name!r}; choose one of: {', '.join(known)}")


def _need_extra(extra: str, command: str) -> str | None:
    """Why ``command`` cannot run here (packages of ``extra`` missing), or None if it can."""
    from aetutor import doctor

    try:
        missing = doctor.missing_extra(extra)
    except LookupError:  # no metadata, no pyproject.toml: let the imports judge
        return None
    if not missing:
        return None
    return (f"`aetutor {command}` needs the [{extra}] extra, and {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed here; install it with "
            f"pip install \"aetutor[{extra}]\" (or, in a clone of the course, "
            f"pip install -r requirements.txt)")  # fmt: skip


def _cmd_run(args: argparse.Namespace) -> int:
    """``aetutor run``: execute notebooks, print the results table, optionally write JSON."""
    problem = _need_extra("run", "run")
    if problem:
        return _error(problem)
    try:
        from aetutor import runner
    except ImportError as exc:
        return _error(f"`aetutor run` cannot import {exc.name}: {exc}; install the [run] extra "
                      f"with pip install \"aetutor[run]\"")  # fmt: skip

    if args.notebooks:
        notebooks = [Path(p) for p in args.notebooks]
    else:
        notebooks = runner.default_notebooks(Path("."))
        if not notebooks:
            return _error(
                f"no notebooks given and none found in {Path.cwd() / 'notebooks'}; "
                "pass notebook paths or run from the repository root"
            )
    out = Path(args.out)
    json_file = Path(args.json) if args.json else None
    kernel = args.kernel or runner.CURRENT_ENV_KERNEL
    timeout = runner.DEFAULT_TIMEOUT if args.timeout is None else args.timeout
    timeout = timeout if timeout > 0 else None
    try:
        _check_dataset(args.dataset)
        runner.check_outputs(notebooks, out, json_file)
        runner.check_kernel(kernel)
    except runner.RunnerError as exc:
        return _error(str(exc))

    results = runner.run_notebooks(
        notebooks, out, dataset=args.dataset, timeout=timeout, kernel=kernel
    )
    _print_results(results, out)
    if json_file is not None:
        runner.write_json(results, json_file, dataset=args.dataset, timeout=timeout, kernel=kernel)
        print(f"results written to {json_file}")
    return _EXIT_OK if all(r.ok for r in results) else _EXIT_FAILED


def _print_results(results: Sequence[Any], out: Path) -> None:
    rows = [
        (
            r.notebook,
            r.status,
            f"{r.seconds:.1f}",
            "-" if r.peak_memory_mb is None else f"{r.peak_memory_mb:.0f}",
        )
        for r in results
    ]
    print()
    print(_table(("notebook", "status", "seconds", "peak MB"), rows, right={2, 3}))
    failed = [r for r in results if not r.ok]
    for r in failed:
        where = f" (see {r.html})" if r.html else ""
        print(f"{r.notebook}: {(r.message or r.status).rstrip('.')}{where}")
    print(
        f"{len(results)} notebook(s): {len(results) - len(failed)} ok, {len(failed)} failed; "
        f"outputs in {out}{'/' if not str(out).endswith('/') else ''}"
    )


def _cmd_datasets(args: argparse.Namespace) -> int:
    """``aetutor datasets``: one row per dataset: available here?, from where, what it is."""
    try:
        from aetutor.data import available_datasets
    except ImportError as exc:
        print(f"aetutor: error: cannot import the dataset loaders: {exc}", file=sys.stderr)
        return _EXIT_FAILED
    infos = available_datasets()
    rows = [(i.name, "yes" if i.available else "no", i.source, i.description) for i in infos]
    print(_table(("name", "available", "source", "description"), rows, right=set()))
    print("choose one with `aetutor run --dataset NAME` or AETUTOR_DATASET=NAME")
    return _EXIT_OK


def _cmd_badges(args: argparse.Namespace) -> int:
    """``aetutor badges``: rewrite (or ``--check``) badges and Colab installs against course.py."""
    try:
        from aetutor import course
    except ImportError as exc:
        return _error(f"`aetutor badges` needs nbformat, from the [run] extra ({exc}); install "
                      f"it with pip install \"aetutor[run]\"")  # fmt: skip

    root = Path(args.root)
    course_file = root / "aetutor" / "course.py"
    try:
        if not course_file.is_file():
            raise ValueError(f"{course_file} not found; run in the repository root or pass --root")
        repo, ref = course.read_repository(course_file)
        repo = course.check_repository(args.repo) if args.repo is not None else repo
        ref = course.check_ref(args.ref) if args.ref is not None else ref
        notebooks = [Path(p) for p in args.notebooks]
        notebooks = notebooks or sorted((root / "notebooks").glob("*.ipynb"))
        if not notebooks:
            raise ValueError(f"no notebooks given and none found in {root / 'notebooks'}")
        for nb in notebooks:
            if nb.suffix != ".ipynb" or not nb.is_file():
                raise ValueError(f"{nb} is not a notebook file (.ipynb)")
            course.notebook_name(nb, root)
    except ValueError as exc:
        return _error(str(exc))

    where = f"{repo}@{ref}"
    if args.check:
        bad = 0
        for nb in notebooks:
            try:
                problems = course.check_notebook_file(nb, root, repo, ref)
            except Exception as exc:  # unreadable JSON, invalid notebook: report, go on
                problems = [f"cannot read it: {exc}"]
            if problems:
                bad += 1
                print(f"{course.notebook_name(nb, root)}: " + "; ".join(problems))
        if bad:
            print(f"{bad} of {len(notebooks)} notebook(s) disagree with {where}; "
                  f"fix them with `aetutor badges` (after checking aetutor/course.py)")  # fmt: skip
            return _EXIT_FAILED
        print(f"all {len(notebooks)} notebook(s) agree with {where}")
        return _EXIT_OK

    if course.write_repository(course_file, repo, ref):
        print(f"{course_file}: REPOSITORY = {repo!r}, BRANCH = {ref!r}")
    updated = failed = 0
    for nb in notebooks:
        name = course.notebook_name(nb, root)
        try:
            changed = course.rewrite_notebook_file(nb, root, repo, ref)
        except Exception as exc:  # a notebook we cannot fix safely: say why, do the others
            failed += 1
            print(f"{name}: not changed: {exc}", file=sys.stderr)
            continue
        if changed:
            updated += 1
            print(f"{name}: updated {' and '.join(changed)}")
    unchanged = len(notebooks) - updated - failed
    print(f"{len(notebooks)} notebook(s), pointing at {where}: {updated} updated, "
          f"{unchanged} already did, {failed} could not be fixed")  # fmt: skip
    return _EXIT_FAILED if failed else _EXIT_OK


def _spec(specifier: Any) -> str:
    """A range as people write it, lower bound first: '>=3.3.0, <4'."""
    parts = sorted((str(s) for s in specifier), key=lambda s: (not s.startswith(">"), s))
    return ", ".join(parts) or "any"


def _cmd_doctor(args: argparse.Namespace) -> int:
    """``aetutor doctor``: this runtime against the tested ranges; a table and what to do."""
    from packaging.specifiers import SpecifierSet

    from aetutor import doctor

    try:
        ranges = doctor.tested_ranges()
    except LookupError as exc:
        print(f"aetutor: error: {exc}", file=sys.stderr)
        return _EXIT_FAILED
    checks = doctor.check_runtime(ranges)
    rows = []
    for c in checks:
        status = "ok" if c.ok else ("missing" if c.found is None else "OUTSIDE")
        needed_by = "lessons" if c.required else f"[{c.group}]"
        tested = c.tested if c.name == "Keras backend" else _spec(SpecifierSet(c.tested))
        rows.append((c.name, needed_by, tested, c.found or "-", status))
    print(f"aetutor {__version__}: this runtime against the tested ranges ({ranges.source})")
    print()
    print(_table(("package", "needed by", "tested", "found", "status"), rows, right=set()))
    print()
    bad = [c for c in checks if c.required and not c.ok]
    for c in bad:
        if c.name == "Python":
            print(f"- Python {c.found} is outside the tested {_spec(SpecifierSet(c.tested))}: "
                  "use a Python in that range (a new virtual environment).")  # fmt: skip
        elif c.name == "Keras backend":
            print(f"- Keras backend {c.found!r}: the course is tested on {c.tested}; set "
                  f"KERAS_BACKEND to one of them and pip install it (JAX is the "
                  f"course's default: pip install jax; for TensorFlow, "
                  f"KERAS_BACKEND=tensorflow and pip install 'aetutor[tensorflow]').")  # fmt: skip
    pins = [f'"{c.name}{c.tested}"' for c in bad if c.name not in ("Python", "Keras backend")]
    if pins:
        print(f"- A lesson needs versions in the tested ranges: pip install {' '.join(pins)}")
    for group in (g for g in ranges.groups if g != doctor.REQUIRED):
        missing = [c.name for c in checks if c.group == group and c.found is None]
        outside = [c for c in checks if c.group == group and c.found is not None and not c.ok]
        what = {"run": "`aetutor run`", "test": "the tests", "lab": "JupyterLab",
                "tensorflow": "the TensorFlow backend"}.get(group, group)  # fmt: skip
        if missing:
            print(f"- The [{group}] extra, for {what}, lacks {', '.join(missing)}: "
                  f'pip install "aetutor[{group}]" (lessons run without it).')  # fmt: skip
        if outside:
            print(f"- The [{group}] extra, for {what}, has untested versions: "
                  + ", ".join(f"{c.name} {c.found}" for c in outside))
    if bad:
        print(f"{len(bad)} of what a lesson needs is outside the tested ranges.")
        return _EXIT_FAILED
    print("Everything a lesson needs is within the tested ranges.")
    return _EXIT_OK


if __name__ == "__main__":  # python -m aetutor.cli
    sys.exit(main())
