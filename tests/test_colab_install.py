"""The Colab setup cell adds aetutor and changes nothing that Colab ships.

The fast tests run the cell's install block (:func:`aetutor.course.colab_install_source`)
with a stand-in for pip, and check what it asks pip to do and what it tells the
reader. The slow test resolves what that pip command installs against Colab's
own package list (``../shared/colab/pip-freeze-*.txt`` beside the clone, or the
file named by ``AETUTOR_COLAB_FREEZE``) for Colab's Python and platform, with
the package index (it needs the network), and fails if the resolution fails or
would change any package Colab has.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from aetutor import course

REPO = Path(__file__).resolve().parents[1]
REQUIREMENT = "aetutor @ git+https://github.com/o/n@main"


def colab_freeze() -> Path | None:
    """Colab's pip freeze: $AETUTOR_COLAB_FREEZE, else the newest ../shared/colab/pip-freeze-*."""
    if os.environ.get("AETUTOR_COLAB_FREEZE"):
        return Path(os.environ["AETUTOR_COLAB_FREEZE"])
    found = sorted((REPO.parent / "shared" / "colab").glob("pip-freeze-*.txt"))
    return found[-1] if found else None


def pins(path: Path) -> dict[str, tuple[str, str]]:
    """canonical name -> (name, version) of every `name==version` line of a freeze file."""
    out = {}
    for line in path.read_text().splitlines():
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line.strip())
        if m:
            out[canonicalize_name(m[1])] = (m[1], m[2])
    return out


# ----------------------------------------------------------------------------- the cell itself


def run_cell(monkeypatch, tmp_path, lists, install_rc=0, stderr="", colab=True):
    """Execute the install block with pip replaced; return pip's argument lists."""
    calls, lists = [], iter(lists)

    def fake_run(cmd, **kwargs):
        assert cmd[:3] == [sys.executable, "-m", "pip"]
        assert kwargs == {"capture_output": True, "text": True}, "pip's output stays hidden"
        calls.append(cmd[3:])
        if cmd[3] == "list":
            return subprocess.CompletedProcess(cmd, 0, next(lists), "")
        return subprocess.CompletedProcess(cmd, install_rc, "", stderr)

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(course.colab_install_source("o/n", "main"), {})
    return calls


COLAB = "numpy==2.0.2\nkeras==3.13.2\ngoogle-colab==1.0.0\n"


def test_the_cell_pins_everything_installed_and_says_what_it_added(monkeypatch, tmp_path, capsys):
    after = COLAB + "aetutor==0.1.0\nmlxtend==0.23.4\n"
    calls = run_cell(monkeypatch, tmp_path, [COLAB, after])
    constraints = str(tmp_path / "colab-pins.txt")
    assert calls == [
        ["list", "--format=freeze"],
        ["install", "-q", "--root-user-action=ignore", "-c", constraints, REQUIREMENT],
        ["list", "--format=freeze"],
    ]
    assert Path(constraints).read_text().split() == sorted(COLAB.split())
    assert capsys.readouterr().out == "Installed: aetutor==0.1.0, mlxtend==0.23.4\n"


def test_a_rerun_or_another_runtime_installs_nothing(monkeypatch, tmp_path, capsys):
    assert run_cell(monkeypatch, tmp_path, [COLAB + "aetutor==0.1.0\n"]) == [
        ["list", "--format=freeze"]
    ]
    assert run_cell(monkeypatch, tmp_path, [], colab=False) == []
    assert capsys.readouterr().out == ""


def test_a_pip_failure_stops_the_cell_with_pips_reason(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match=r"(?s)without changing Colab's packages.*Impossible"):
        run_cell(monkeypatch, tmp_path, [COLAB], install_rc=1, stderr="ResolutionImpossible")


def test_a_changed_version_asks_for_a_restart(monkeypatch, tmp_path, capsys):
    after = COLAB.replace("numpy==2.0.2", "numpy==2.3.5") + "aetutor==0.1.0\n"
    run_cell(monkeypatch, tmp_path, [COLAB, after])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Installed: aetutor==0.1.0, numpy==2.3.5"
    assert out[1].startswith("Restart the session (Runtime > Restart session)")


# ----------------------------------------------------------------------------- Colab, resolved


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """aetutor built as a wheel, as pip builds it from git on Colab; (path, build log)."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return next(out.glob("aetutor-*.whl")), done.stdout + done.stderr


@pytest.mark.slow
def test_building_the_package_prints_no_deprecation_warnings(wheel):
    _, log = wheel
    found = [line for line in log.splitlines() if re.search(r"Deprecat|^\s*!!\s*$", line, re.I)
             and "Location 'file:" not in line]  # fmt: skip
    assert not found, "the build warns:\n" + "\n".join(found[:20])


def _python(version: str) -> str | None:
    """A Python ``version`` interpreter to run pip with, or None if there is none here.

    pip evaluates environment markers (``python_version < "3.13"`` …) with the interpreter
    it runs on, whatever ``--python-version`` says, so resolving Colab's install from another
    Python can fail where Colab would not (seen from Python 3.13: ResolutionImpossible).
    """
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(root.glob(f"versions/{version}.*/bin/python"), reverse=True)
    return str(found[0]) if found else shutil.which(f"python{version}")


@pytest.mark.slow
def test_colab_install_changes_no_package_colab_ships(wheel, tmp_path):
    freeze = colab_freeze()
    if freeze is None or not freeze.is_file():
        pytest.skip(f"Colab's package list not found ({REPO.parent / 'shared' / 'colab'}"
                    "/pip-freeze-*.txt, or set AETUTOR_COLAB_FREEZE)")  # fmt: skip
    header = re.search(r"Python (3\.\d+)", freeze.read_text().split("\n", 1)[0])
    python = header[1] if header else "3.12"
    colab = pins(freeze)
    assert {"numpy", "keras", "tensorflow", "ipykernel"} <= set(colab), f"{freeze} is no freeze"
    interpreter = _python(python)
    if interpreter is None:
        pytest.skip(f"no Python {python} here to resolve Colab's install with (pyenv or "
                    f"python{python} on PATH); pip needs that Python to read the markers")
    # Colab runs Ubuntu 22.04 (glibc 2.35) on x86_64: every manylinux wheel up to that.
    platforms = [f"manylinux_2_{minor}_x86_64" for minor in range(35, 16, -1)]
    platforms += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    report = tmp_path / "report.json"
    # What the setup cell runs, with Colab's list as the constraints and the wheel for git.
    cmd = [interpreter, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
           "--report", str(report), "--target", str(tmp_path / "target"),
           "--python-version", python, "--implementation", "cp", "--only-binary=:all:",
           *(f"--platform={p}" for p in platforms), "-c", str(freeze), str(wheel[0])]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    errors = "\n".join(ln for ln in done.stderr.splitlines() if "Location 'file:" not in ln)
    assert done.returncode == 0, f"pip cannot install aetutor on Colab unchanged:\n{errors[-4000:]}"
    resolved = {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"]
                for i in json.loads(report.read_text())["install"]}  # fmt: skip
    changed = {n: (colab[n][1], v) for n, v in resolved.items() if n in colab and colab[n][1] != v}
    assert not changed, f"the install would change Colab's packages (from, to): {changed}"
    added = sorted(f"{n}=={v}" for n, v in resolved.items() if n not in colab)
    assert any(a.startswith("aetutor==") for a in added)
    print(f"\nColab ({freeze.name}, Python {python}): the setup cell adds {', '.join(added)}; "
          f"{len(resolved) - len(added)} requirements are already there, unchanged")
