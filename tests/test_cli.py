"""Tests of the ``aetutor`` command line: ``run``, ``datasets`` and ``--version``.

The ``run`` tests execute tiny notebooks written into ``tmp_path`` in real
kernels (about a second each), so they check what a reader relies on: outputs
land in the output folder, sources stay byte-identical, failures are reported
with their cell, and ``--dataset`` reaches the kernel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

import aetutor
import aetutor.data
from aetutor.cli import main

REPO = Path(__file__).resolve().parents[1]


def write_notebook(path: Path, *cells: tuple[str, str]) -> Path:
    """Write a notebook of ("code"|"markdown", source) cells to ``path``."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(src) if kind == "code" else nbformat.v4.new_markdown_cell(src)
        for kind, src in cells
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def stdout_of(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


OK_CELLS = (
    ("markdown", "# A lesson that runs"),
    (
        "code",
        (
            "import os, sys\n"
            "print('cwd=' + os.getcwd())\n"
            "print('dataset=' + os.environ.get('AETUTOR_DATASET', '<unset>'))\n"
            "print('python=' + sys.executable)"
        ),
    ),
    (
        "code",
        # 100 MB held for a second, then freed: only the background sampler sees it.
        "import time\nbig = b'x' * 100_000_000\ntime.sleep(1.0)\nprint(len(big))\ndel big",
    ),
)

FAILING_CELLS = (
    ("code", "print('before the error')"),
    ("markdown", "The next cell fails."),
    ("code", "raise ValueError('lesson broke here')"),
    ("code", "print('never runs')"),
)


@pytest.fixture
def lessons(tmp_path: Path) -> dict[str, Path]:
    """A folder with one notebook that runs and one that fails at cell index 2."""
    src = tmp_path / "lessons"
    return {
        "ok": write_notebook(src / "ok.ipynb", *OK_CELLS),
        "fail": write_notebook(src / "broken.ipynb", *FAILING_CELLS),
    }


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"aetutor {aetutor.__version__}"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "run" in err and "datasets" in err


def test_import_is_cheap() -> None:
    heavy = ("nbclient", "nbconvert", "tqdm", "psutil")
    code = f"import sys, aetutor.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.strip() == "[]"


def test_run_writes_outputs_reports_failure_and_keeps_sources(
    lessons: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    report = tmp_path / "results" / "run.json"
    before = {p: p.read_bytes() for p in lessons.values()}
    listing_before = sorted(os.listdir(lessons["ok"].parent))

    code = main(
        [
            "run",
            str(lessons["ok"]),
            str(lessons["fail"]),
            "--out",
            str(out),
            "--dataset",
            "digits",
            "--json",
            str(report),
        ]
    )
    captured = capsys.readouterr()

    assert code == 1  # one notebook failed
    # Sources untouched, nothing added next to them.
    assert {p: p.read_bytes() for p in lessons.values()} == before
    assert sorted(os.listdir(lessons["ok"].parent)) == listing_before
    for name in ("ok", "broken"):
        assert (out / f"{name}.ipynb").is_file()
        assert (out / f"{name}.html").is_file()

    # The good notebook ran in its own folder, in this Python, with the dataset variable.
    ok = nbformat.read(out / "ok.ipynb", as_version=4)
    text = stdout_of(ok.cells[1])
    assert f"cwd={lessons['ok'].parent.resolve()}" in text
    assert "dataset=digits" in text
    assert f"python={sys.executable}" in text
    assert stdout_of(ok.cells[2]).strip() == "100000000"

    # The failing notebook keeps its partial outputs: up to and including the error.
    broken = nbformat.read(out / "broken.ipynb", as_version=4)
    assert stdout_of(broken.cells[0]).strip() == "before the error"
    errors = [o for o in broken.cells[2].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "ValueError"
    assert broken.cells[3].outputs == []
    html = (out / "broken.html").read_text(encoding="utf-8")
    assert "before the error" in html and "lesson broke here" in html

    # The table: one row per notebook with status, seconds and peak memory.
    rows = {line.split()[0]: line for line in captured.out.splitlines() if ".ipynb " in line}
    assert rows[str(lessons["ok"])].split()[1] == "ok"
    assert "FAILED: ValueError in cell 2" in rows[str(lessons["fail"])]
    assert "notebook" in captured.out and "peak MB" in captured.out
    assert "ok.ipynb" in captured.err and "cell" in captured.err  # the progress bars

    # The JSON file carries the same results, with the measurements.
    data = json.loads(report.read_text())
    assert data["dataset"] == "digits"
    by_name = {Path(r["notebook"]).name: r for r in data["results"]}
    assert by_name["ok.ipynb"]["ok"] is True
    assert by_name["ok.ipynb"]["peak_memory_mb"] >= 100  # it held 100 MB for a second
    assert by_name["ok.ipynb"]["seconds"] > 0
    assert by_name["broken.ipynb"]["ok"] is False
    assert by_name["broken.ipynb"]["error"] == "ValueError"
    assert by_name["broken.ipynb"]["cell_index"] == 2


def test_run_defaults_to_notebooks_folder_and_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(tmp_path / "notebooks" / "01_first.ipynb", ("code", "print('hello')"))
    write_notebook(tmp_path / "elsewhere.ipynb", ("code", "1 / 0"))  # not in notebooks/
    monkeypatch.chdir(tmp_path)

    assert main(["run"]) == 0
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [
        "01_first.html",
        "01_first.ipynb",
    ]
    out = capsys.readouterr().out
    assert "01_first.ipynb" in out and "elsewhere" not in out


def test_run_cell_timeout_fails_the_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nb = write_notebook(tmp_path / "src" / "slow.ipynb", ("code", "import time\ntime.sleep(60)"))
    assert main(["run", str(nb), "--out", str(tmp_path / "out"), "--timeout", "1"]) == 1
    assert "FAILED: timeout in cell 0" in capsys.readouterr().out
    assert (tmp_path / "out" / "slow.html").is_file()


@pytest.mark.parametrize("out", ["{src}", "{src}/../lessons", "{src}/."])
def test_run_refuses_to_write_into_source_folder(
    lessons: dict[str, Path], out: str, capsys: pytest.CaptureFixture[str]
) -> None:
    src = lessons["ok"].parent
    listing = sorted(os.listdir(src))
    assert main(["run", str(lessons["ok"]), "--out", out.format(src=src)]) == 2
    assert "refusing" in capsys.readouterr().err
    assert sorted(os.listdir(src)) == listing


def test_run_refuses_to_overwrite_a_different_source_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aetutor run copy/lesson.ipynb --out lessons/` must not replace lessons/lesson.ipynb."""
    theirs = write_notebook(tmp_path / "lessons" / "lesson.ipynb", ("code", "print('mine')"))
    copy = write_notebook(tmp_path / "copy" / "lesson.ipynb", ("code", "print('copy')"))
    before = theirs.read_bytes()
    assert main(["run", str(copy), "--out", str(theirs.parent)]) == 2
    err = capsys.readouterr().err
    assert "refusing to overwrite" in err and str(theirs) in err
    assert theirs.read_bytes() == before
    assert sorted(os.listdir(theirs.parent)) == ["lesson.ipynb"]


def test_run_notebook_refuses_its_own_folder_as_output(tmp_path: Path) -> None:
    """`runner.run_notebook(nb, nb.parent)`: the output path resolves to the input."""
    from aetutor import runner

    nb = write_notebook(tmp_path / "src" / "lesson.ipynb", ("code", "print(1)"))
    before = nb.read_bytes()
    for out in (nb.parent, tmp_path / "src" / ".." / "src"):
        with pytest.raises(runner.RunnerError, match="input notebook"):
            runner.run_notebook(nb, out, progress=False)
    assert nb.read_bytes() == before and sorted(os.listdir(nb.parent)) == ["lesson.ipynb"]


def test_run_replaces_only_its_own_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second run into the same folder replaces the marked outputs of the first."""
    from aetutor import runner

    nb = write_notebook(tmp_path / "src" / "lesson.ipynb", ("code", "print('run')"))
    out = tmp_path / "out"
    assert main(["run", str(nb), "--out", str(out)]) == 0
    executed = nbformat.read(out / "lesson.ipynb", as_version=4)
    assert executed.metadata["aetutor"]["executed_by"] == runner.EXECUTED_BY
    assert main(["run", str(nb), "--out", str(out)]) == 0  # its own files: replaced
    (out / "lesson.html").write_text("<html>my notes</html>", encoding="utf-8")
    assert main(["run", str(nb), "--out", str(out)]) == 2  # an html page it did not write
    assert (out / "lesson.html").read_text(encoding="utf-8") == "<html>my notes</html>"
    assert "refusing to overwrite" in capsys.readouterr().err


def test_run_missing_notebook_is_named(
    lessons: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope" / "missing.ipynb"
    code = main(["run", str(lessons["ok"]), str(missing), "--out", str(tmp_path / "out")])
    assert code == 2
    assert str(missing) in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # checked before anything ran


def test_run_no_notebooks_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 2
    assert "no notebooks" in capsys.readouterr().err


def test_run_unknown_kernel(
    lessons: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", str(lessons["ok"]), "--out", str(tmp_path / "o"), "--kernel", "no-such-kernel"]
    assert main(args) == 2
    assert "no-such-kernel" in capsys.readouterr().err


@pytest.mark.skipif(
    not hasattr(aetutor.data, "DATASET_NAMES"), reason="aetutor.data has no DATASET_NAMES"
)
def test_run_unknown_dataset(
    lessons: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", str(lessons["ok"]), "--out", str(tmp_path / "o"), "--dataset", "cifar"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "cifar" in err and "digits" in err


@dataclass(frozen=True)
class _FakeInfo:
    name: str
    available: bool
    source: str
    description: str


def test_datasets_prints_a_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    info = getattr(aetutor.data, "DatasetInfo", _FakeInfo)
    fake = [
        info("alpha", True, "/data/alpha.npz", "first fake set"),
        info("beta_set", False, "not cached; would download from https://example.org", "second"),
    ]
    monkeypatch.setattr(aetutor.data, "available_datasets", lambda: fake, raising=False)

    assert main(["datasets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    alpha = next(line for line in lines if line.startswith("alpha "))
    beta = next(line for line in lines if line.startswith("beta_set "))
    assert alpha.split()[1:3] == ["yes", "/data/alpha.npz"] and "first fake set" in alpha
    assert beta.split()[1] == "no" and "https://example.org" in beta


@pytest.mark.skipif(
    not hasattr(aetutor.data, "available_datasets"), reason="aetutor.data not written yet"
)
def test_datasets_with_the_real_loaders(capsys: pytest.CaptureFixture[str]) -> None:
    infos = aetutor.data.available_datasets()
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    for i in infos:
        assert any(line.startswith(f"{i.name} ") for line in out.splitlines()), i.name
