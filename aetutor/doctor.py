"""``aetutor doctor``: does this runtime lie inside the versions the course is tested on?

The tested ranges live in one place, ``pyproject.toml``: its ``requires-python``,
its ``dependencies`` (what a lesson imports) and its extras (``run``: the headless
runner; ``test``; ``lab``). CI runs the whole suite at the lower bound of every
range (``constraints/floors.txt``, on the lowest Python) and at the newest
releases (on the highest Python). This module reads those ranges from the
``pyproject.toml`` of the source checkout ``aetutor`` was imported from, else from
the installed package's metadata (which pip builds from the same file), and
compares them with what is installed here, without importing any of it.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from aetutor.backend import chosen_backend

__all__ = [
    "TESTED_BACKENDS",
    "Ranges",
    "Check",
    "tested_ranges",
    "ranges_from_metadata",
    "ranges_from_pyproject",
    "installed_version",
    "keras_backend",
    "check_runtime",
    "missing_extra",
]

TESTED_BACKENDS: dict[str, str] = {"tensorflow": "tensorflow", "jax": "jax"}
"""The Keras backends CI runs the course on, and the package each one needs."""

REQUIRED = "required"
"""The group name of the requirements a lesson needs (the others are extras)."""


@dataclass(frozen=True)
class Ranges:
    """The tested ranges: the Python range and the requirements of each group.

    ``groups`` maps ``"required"`` and each extra's name (``"run"``, ``"test"``,
    ``"lab"``) to its requirements; ``source`` says where they were read.
    """

    python: SpecifierSet
    groups: dict[str, list[Requirement]]
    source: str


@dataclass(frozen=True)
class Check:
    """One row of the doctor's table: what is tested, what is here, and the verdict."""

    name: str
    group: str
    tested: str
    found: str | None
    ok: bool

    @property
    def required(self) -> bool:
        """Whether a lesson needs it (True) or only an extra does (False)."""
        return self.group == REQUIRED


def _extra_of(req: Requirement, extras: list[str]) -> str:
    if req.marker is None:
        return REQUIRED
    for extra in extras:
        if req.marker.evaluate({"extra": extra}):
            return extra
    return REQUIRED if req.marker.evaluate({"extra": ""}) else "other"


def _group(requirements: list[Requirement], extras: list[str], self_name: str) -> dict:
    groups: dict[str, list[Requirement]] = {REQUIRED: [], **{e: [] for e in extras}}
    for req in requirements:
        if canonicalize_name(req.name) == canonicalize_name(self_name):
            continue  # aetutor[run] inside aetutor[test]: covered by the run group
        group = _extra_of(req, extras)
        req.marker = None
        groups.setdefault(group, []).append(req)
    return groups


def ranges_from_metadata(dist: str = "aetutor") -> Ranges:
    """The tested ranges from the installed distribution's metadata."""
    meta = metadata.metadata(dist)
    extras = [canonicalize_name(e) for e in meta.get_all("Provides-Extra") or []]
    reqs = [Requirement(r) for r in metadata.requires(dist) or []]
    return Ranges(
        python=SpecifierSet(meta.get("Requires-Python") or ""),
        groups=_group(reqs, extras, dist),
        source=f"the installed {dist} {meta['Version']}'s metadata",
    )


def ranges_from_pyproject(path: Path | str) -> Ranges:
    """The tested ranges from a ``pyproject.toml`` (needs Python 3.11+ or ``tomli``)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads(Path(path).read_text(encoding="utf-8"))["project"]
    optional = project.get("optional-dependencies", {})
    reqs = [Requirement(r) for r in project.get("dependencies", [])]
    for extra, items in optional.items():
        for item in items:
            req = Requirement(item)
            marker = f'extra == "{extra}"'
            req.marker = Marker(f"({req.marker}) and {marker}" if req.marker else marker)
            reqs.append(req)
    return Ranges(
        python=SpecifierSet(project.get("requires-python", "")),
        groups=_group(reqs, [canonicalize_name(e) for e in optional], project["name"]),
        source=str(path),
    )


def tested_ranges() -> Ranges:
    """The tested ranges for the ``aetutor`` being imported.

    From the ``pyproject.toml`` beside the package when ``aetutor`` is imported
    from a source checkout (the ranges of this very code), else from the
    installed metadata. Raises ``LookupError`` when neither can be read.
    """
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if pyproject.is_file() and re.search(r'^name = "aetutor"$', pyproject.read_text(), re.M):
        try:
            return ranges_from_pyproject(pyproject)
        except ModuleNotFoundError:  # Python 3.10 without tomli: use the metadata
            pass
    try:
        return ranges_from_metadata("aetutor")
    except metadata.PackageNotFoundError:
        raise LookupError(
            "aetutor is neither installed (no package metadata) nor imported from a source "
            "checkout with its pyproject.toml; install it: pip install -e ."
        ) from None


def installed_version(name: str) -> str | None:
    """The version of the installed distribution ``name``, or None if it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def keras_backend() -> str:
    """The Keras backend a lesson will get here, found as aetutor finds it, importing nothing.

    See :func:`aetutor.backend.chosen_backend`: ``KERAS_BACKEND`` if set, else a
    backend other than ``"tensorflow"`` named in ``keras.json``, else JAX if installed,
    else TensorFlow.
    """
    return chosen_backend()


def check_runtime(ranges: Ranges | None = None) -> list[Check]:
    """Compare this runtime with ``ranges`` (default :func:`tested_ranges`): one Check per row.

    Rows: Python, the Keras backend, then every requirement of every group.
    """
    ranges = tested_ranges() if ranges is None else ranges
    python = platform.python_version()
    checks = [Check("Python", REQUIRED, str(ranges.python), python,
                    ranges.python.contains(python, prereleases=True))]  # fmt: skip
    backend = keras_backend()
    backend_ok = backend in TESTED_BACKENDS and installed_version(TESTED_BACKENDS[backend])
    checks.append(Check("Keras backend", REQUIRED, " or ".join(TESTED_BACKENDS), backend,
                        bool(backend_ok)))  # fmt: skip
    for group, reqs in ranges.groups.items():
        for req in reqs:
            found = installed_version(req.name)
            ok = found is not None and req.specifier.contains(found, prereleases=True)
            checks.append(Check(req.name, group, str(req.specifier), found, ok))
    return checks


def missing_extra(extra: str, ranges: Ranges | None = None) -> list[str]:
    """The packages of ``extra`` (e.g. ``"run"``) that are not installed here."""
    ranges = tested_ranges() if ranges is None else ranges
    if extra not in ranges.groups:
        raise ValueError(f"extra must be one of {sorted(ranges.groups)}, got {extra!r}")
    return [r.name for r in ranges.groups[extra] if installed_version(r.name) is None]
