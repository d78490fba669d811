"""Tests of :mod:`aetutor.doctor` and ``aetutor doctor``, and of the [run] extra check.

Ranges are built by hand where a test needs a verdict to go either way; the real
ranges are read from this repository's pyproject.toml.
"""

from __future__ import annotations

import json
import platform
import re

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from aetutor import doctor
from aetutor.cli import main


def ranges(python: str = ">=3.0", **groups: list[str]) -> doctor.Ranges:
    return doctor.Ranges(
        python=SpecifierSet(python),
        groups={name: [Requirement(r) for r in reqs] for name, reqs in groups.items()},
        source="a test",
    )


@pytest.fixture
def versions(monkeypatch):
    """Pretend these distributions (name: version) are the ones installed."""
    installed: dict[str, str] = {}
    monkeypatch.setattr(doctor, "installed_version", lambda name: installed.get(name))
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    return installed


def test_real_ranges_come_from_pyproject_and_group_the_extras():
    found = doctor.tested_ranges()
    assert found.source.endswith("pyproject.toml")
    names = {g: [r.name for r in reqs] for g, reqs in found.groups.items()}
    assert {"keras", "jax", "jaxlib", "numpy", "mlxtend"} <= set(names["required"])
    assert names["tensorflow"] == ["tensorflow"], "the other backend is an extra"
    assert {"nbclient", "nbconvert", "ipykernel", "psutil"} <= set(names["run"])
    assert "nbclient" not in names["required"] and "pytest" in names["test"]
    assert "aetutor" not in sum(names.values(), []), "aetutor[run] inside [test] is no package"
    assert found.python.contains("3.10") and not found.python.contains("3.9")


def test_metadata_and_pyproject_read_alike(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "aetutor"\nrequires-python = ">=3.10"\n'
        'dependencies = ["keras>=3.3,<4"]\n'
        '[project.optional-dependencies]\nrun = ["nbclient>=0.8"]\n'
        'test = ["aetutor[run]", "pytest>=7.4; python_version >= \'3\'"]\n'
    )
    found = doctor.ranges_from_pyproject(pyproject)
    assert {g: [str(r) for r in reqs] for g, reqs in found.groups.items()} == {
        "required": ["keras<4,>=3.3"], "run": ["nbclient>=0.8"], "test": ["pytest>=7.4"]
    }  # fmt: skip
    assert str(found.python) == ">=3.10"


def test_check_runtime_flags_what_is_outside_or_missing(versions):
    versions.update(tensorflow="2.20.0", keras="3.1.0", numpy="2.0.2")
    python = platform.python_version()
    got = doctor.check_runtime(
        ranges(f"=={python}", required=["keras>=3.3,<4", "numpy>=1.26,<3", "scipy>=1.11"],
               run=["nbclient>=0.8"])  # fmt: skip
    )
    verdict = {c.name: (c.group, c.found, c.ok) for c in got}
    assert verdict == {
        "Python": ("required", python, True),
        "Keras backend": ("required", "tensorflow", True),
        "keras": ("required", "3.1.0", False),
        "numpy": ("required", "2.0.2", True),
        "scipy": ("required", None, False),
        "nbclient": ("run", None, False),
    }
    assert doctor.check_runtime(ranges("<3.0"))[0].ok is False


def test_backend_is_found_as_keras_finds_it(monkeypatch, tmp_path, versions):
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # no JAX here
    assert doctor.keras_backend() == "tensorflow"  # Keras's default
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "jax"}))
    assert doctor.keras_backend() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert doctor.keras_backend() == "torch"
    backend = doctor.check_runtime(ranges())[1]
    assert (backend.name, backend.found, backend.ok) == ("Keras backend", "torch", False)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert doctor.check_runtime(ranges())[1].ok is False, "JAX is not installed"
    versions["jax"] = "0.10.2"
    assert doctor.check_runtime(ranges())[1].ok is True
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert doctor.check_runtime(ranges())[1].ok is False, "TensorFlow is not installed"
    versions["tensorflow"] = "2.20.0"
    assert doctor.check_runtime(ranges())[1].ok is True


def test_missing_extra_names_the_packages(versions):
    r = ranges(required=["numpy"], run=["nbclient>=0.8", "psutil"])
    versions["psutil"] = "5.9.0"
    assert doctor.missing_extra("run", r) == ["nbclient"]
    with pytest.raises(ValueError, match=r"extra must be one of \['required', 'run'\]"):
        doctor.missing_extra("nope", r)


def test_doctor_command_prints_a_table_and_what_to_do(monkeypatch, versions, capsys):
    python = platform.python_version()
    monkeypatch.setattr(doctor, "tested_ranges", lambda: ranges(
        f">={python}", required=["keras>=3.3.0,<4", "numpy>=1.26"],
        run=["nbclient>=0.8", "psutil"]))  # fmt: skip
    versions.update(tensorflow="2.20.0", keras="3.13.2", numpy="2.0.2", psutil="5.9.5")
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"keras\s+lessons\s+>=3\.3\.0,\ <4\s+3\.13\.2\s+ok", out), out
    assert re.search(r"nbclient\s+\[run\]\s+>=0\.8\s+\-\s+missing", out), out
    assert '[run] extra, for `aetutor run`, lacks nbclient: pip install "aetutor[run]"' in out
    assert out.rstrip().endswith("Everything a lesson needs is within the tested ranges.")

    versions["keras"] = "3.1.0"
    del versions["numpy"]
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"keras\s+lessons\s+>=3\.3\.0,\ <4\s+3\.1\.0\s+OUTSIDE", out), out
    assert 'pip install "keras<4,>=3.3.0" "numpy>=1.26"' in out
    assert out.rstrip().endswith("2 of what a lesson needs is outside the tested ranges.")


def test_doctor_on_this_machine_runs():
    # whatever this machine has, it prints a verdict and exits 0 or 1
    assert main(["doctor"]) in (0, 1)


def test_run_without_the_runner_extra_names_the_extra(monkeypatch, versions, capsys, tmp_path):
    monkeypatch.setattr(doctor, "tested_ranges", lambda: ranges(
        required=["numpy"], run=["nbclient>=0.8", "nbconvert", "psutil"]))  # fmt: skip
    versions["nbconvert"] = "7.16.5"
    nb = tmp_path / "a.ipynb"
    nb.write_text("{}")
    assert main(["run", str(nb), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "`aetutor run` needs the [run] extra, and nbclient, psutil are not installed" in err
    assert 'pip install "aetutor[run]"' in err
    assert not (tmp_path / "out").exists()
