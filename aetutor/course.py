"""Where the course lives: the repository and branch that every launch link points at.

``REPOSITORY`` and ``BRANCH`` below are the one place that names them. Every
lesson's title cell carries an "Open in Colab" and a "Launch Binder" badge for
that notebook, and its first code cell installs ``aetutor`` from the repository
when it runs on Colab; this module builds those snippets and rewrites them in a
notebook, so that ``aetutor badges`` (see :mod:`aetutor.cli`) can point every
lesson at a fork or another branch in one command, and ``aetutor badges
--check`` (and the tests) can prove that they all agree.

Notebooks are edited through nbformat and written back the way nbformat writes
them (one-space indent), only the matching snippets change, and nothing is
executed: no outputs are ever written into a lesson.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import nbformat

__all__ = [
    "REPOSITORY",
    "BRANCH",
    "check_ref",
    "check_repository",
    "colab_url",
    "binder_url",
    "badges_markdown",
    "install_requirement",
    "colab_install_source",
    "setup_cell_source",
    "KERNEL_METADATA",
    "kernel_metadata_problems",
    "set_kernel_metadata",
    "check_notebook",
    "rewrite_notebook",
    "notebook_name",
    "check_notebook_file",
    "rewrite_notebook_file",
    "read_repository",
    "write_repository",
]

REPOSITORY = "aetutor/aetutor"
"""The GitHub repository (``OWNER/NAME``) that the badges and the Colab install point at."""

BRANCH = "main"
"""The branch (or tag) of :data:`REPOSITORY` that the badges and the Colab install use."""

KERNEL_METADATA: dict[str, dict] = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": "3.11.7",
    },
}
"""The notebook metadata an ipykernel kernel writes on start, stored in every lesson.

JupyterLab rewrites ``kernelspec`` and ``language_info`` when the kernel starts and
marks the notebook unsaved if anything differs, the Python version included
(checked in headless Chromium: the bare ``{"name": "python"}`` or a missing
version opens "unsaved"; this exact metadata opens clean on Python 3.11.7, the
course's development Python and Binder's minor version). Only the version
depends on the reader's machine.
"""

COLAB_GUARD = 'if "google.colab" in sys.modules:'
"""The line that makes the install run on Colab only."""

# Any Colab / Binder badge, whatever repository, ref or notebook it points at.
COLAB_BADGE_RE = re.compile(
    r"\[!\[[^\]]*\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((?P<url>https://colab\.research\.google\.com/github/[^)\s]*)\)"
)
BINDER_BADGE_RE = re.compile(
    r"\[!\[[^\]]*\]\(https://mybinder\.org/badge(?:_logo)?\.svg\)\]"
    r"\((?P<url>https://mybinder\.org/v2/gh/[^)\s]*)\)"
)
# The pip requirement that installs aetutor from GitHub, with or without "@ref".
INSTALL_RE = re.compile(r"aetutor\s*@\s*git\+https://github\.com/[^\s\"'@]+(?:@[^\s\"']+)?")

_REPO_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+")
_REF_RE = re.compile(r"[A-Za-z0-9._/-]+")
_CONSTANT_RE = {
    name: re.compile(rf'^{name} = "([^"\n]*)"$', re.M) for name in ("REPOSITORY", "BRANCH")
}


def check_repository(repo: str) -> str:
    """Return ``repo`` if it is a GitHub ``OWNER/NAME``, else raise ``ValueError``."""
    if not isinstance(repo, str):
        raise TypeError(f"repository must be a str like 'OWNER/NAME', got {type(repo).__name__}")
    if not _REPO_RE.fullmatch(repo) or repo.split("/")[1] in (".", ".."):
        raise ValueError(f"repository must be a GitHub 'OWNER/NAME' such as 'aetutor/aetutor', "
                         f"got {repo!r}")  # fmt: skip
    return repo


def check_ref(ref: str) -> str:
    """Return ``ref`` if it is a usable git branch or tag name, else raise ``ValueError``."""
    if not isinstance(ref, str):
        raise TypeError(f"ref must be a str like 'main', got {type(ref).__name__}")
    bad = (
        not _REF_RE.fullmatch(ref)
        or ref.startswith(("-", "/", "."))
        or ref.endswith(("/", ".", ".lock"))
        or ".." in ref
        or "//" in ref
    )
    if bad:
        raise ValueError(f"ref must be a git branch or tag name such as 'main' (letters, digits, "
                         f"'.', '_', '-', '/'), got {ref!r}")  # fmt: skip
    return ref


def _resolve(repo: str | None, ref: str | None) -> tuple[str, str]:
    return check_repository(REPOSITORY if repo is None else repo), check_ref(
        BRANCH if ref is None else ref
    )


def _check_notebook_path(notebook: str) -> str:
    if not isinstance(notebook, str) or not notebook.endswith(".ipynb"):
        raise ValueError(
            f"notebook must be a path like 'notebooks/01_basics.ipynb', got {notebook!r}"
        )
    if notebook.startswith("/") or "\\" in notebook or ".." in notebook.split("/"):
        raise ValueError(f"notebook must be relative to the repository root and use '/', "
                         f"got {notebook!r}")  # fmt: skip
    return notebook


def colab_url(notebook: str, repo: str | None = None, ref: str | None = None) -> str:
    """The URL that opens ``notebook`` (a path in the repository) on Colab."""
    repo, ref = _resolve(repo, ref)
    path = _check_notebook_path(notebook)
    return f"https://colab.research.google.com/github/{repo}/blob/{ref}/{path}"


def binder_url(notebook: str, repo: str | None = None, ref: str | None = None) -> str:
    """The URL that builds the repository on mybinder.org and opens ``notebook`` in JupyterLab."""
    repo, ref = _resolve(repo, ref)
    path = quote(_check_notebook_path(notebook), safe="")
    return f"https://mybinder.org/v2/gh/{repo}/{quote(ref, safe='')}?labpath={path}"


def badges_markdown(notebook: str, repo: str | None = None, ref: str | None = None) -> str:
    """The two badge lines (Colab, then Binder) for a lesson's title cell (no final newline)."""
    colab = colab_url(notebook, repo, ref)
    binder = binder_url(notebook, repo, ref)
    return (
        f"[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})\n"
        f"[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder})"
    )


def install_requirement(repo: str | None = None, ref: str | None = None) -> str:
    """The pip requirement that installs ``aetutor`` from the repository at ``ref``."""
    repo, ref = _resolve(repo, ref)
    return f"aetutor @ git+https://github.com/{repo}@{ref}"


def colab_install_source(repo: str | None = None, ref: str | None = None) -> str:
    """The top of a lesson's setup cell: on Colab only, add ``aetutor`` and what it lacks.

    It changes nothing Colab ships: every package already installed is passed to
    pip as a constraint at its installed version (from ``pip list``), so pip only
    adds what is missing (``aetutor`` itself, and any requirement the runtime
    lacks, at a version that fits what is there) or stops with an error, rather
    than upgrading or downgrading a package under a running kernel. pip's output
    is kept out of the lesson unless it fails; one line says what was added. A
    rerun finds ``aetutor`` installed and does nothing. If a version ever did
    change, the cell says to restart the session.
    """
    return (
        "import subprocess\n"
        "import sys\n"
        "import tempfile\n"
        "\n"
        f"{COLAB_GUARD}  # on Colab: add aetutor, change nothing Colab ships\n"
        "    def pip(*args):\n"
        '        return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True,\n'
        "                              text=True)\n"
        "\n"
        '    have = set(pip("list", "--format=freeze").stdout.split())  # name==version, each\n'
        '    if not any(line.startswith("aetutor==") for line in have):\n'
        '        pins = f"{tempfile.gettempdir()}/colab-pins.txt"  # keep these versions'
        " as they are\n"
        '        with open(pins, "w") as file:\n'
        '            file.write("\\n".join(sorted(have)))\n'
        '        done = pip("install", "-q", "--root-user-action=ignore", "-c", pins,\n'
        f'                   "{install_requirement(repo, ref)}")\n'
        "        if done.returncode != 0:\n"
        "            raise RuntimeError(\"pip could not add aetutor without changing Colab's"
        ' packages:"\n'
        '                               f"\\n{done.stderr[-3000:]}")\n'
        '        added = sorted(set(pip("list", "--format=freeze").stdout.split()) - have)\n'
        '        print("Installed:", ", ".join(added))\n'
        '        names = {line.split("==")[0] for line in have}\n'
        '        if any(line.split("==")[0] in names for line in added):  # a version changed\n'
        '            print("Restart the session (Runtime > Restart session), then run this cell "\n'
        '                  "again: a package that Colab had already loaded changed version.")'
    )


def setup_cell_source(seed: int = 42, repo: str | None = None, ref: str | None = None) -> str:
    """A lesson's setup cell: :func:`colab_install_source`, then ``at.setup(seed=...)``."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    return f"{colab_install_source(repo, ref)}\n\nimport aetutor as at\n\nat.setup(seed={seed})"


def _split_install_block(source: str) -> tuple[str, str] | None:
    """``source`` as (the Colab install block, the rest), or None without a Colab guard.

    The block is every line up to the end of the ``if "google.colab" ...:`` body
    (the first unindented line after it), blank lines at its end dropped.
    """
    lines = source.split("\n")
    guard = next((i for i, ln in enumerate(lines) if ln.startswith(COLAB_GUARD)), None)
    if guard is None:
        return None
    body = range(guard + 1, len(lines))
    end = next((i for i in body if lines[i].strip() and not lines[i][:1].isspace()), len(lines))
    return "\n".join(lines[:end]).rstrip("\n"), "\n".join(lines[end:])


def _first_code_cell(nb: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    return next((c for c in nb.cells if c.cell_type == "code"), None)


def kernel_metadata_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Where ``nb``'s kernelspec / language_info differ from :data:`KERNEL_METADATA`."""
    if not isinstance(nb, nbformat.NotebookNode) or not isinstance(nb.get("metadata"), dict):
        raise TypeError(f"nb must be a notebook (nbformat.NotebookNode with metadata), got "
                        f"{type(nb).__name__}")  # fmt: skip
    return [
        f"metadata.{key} is {nb.metadata.get(key)!r}, expected {want!r} (aetutor badges fixes it)"
        for key, want in KERNEL_METADATA.items()
        if nb.metadata.get(key) != want
    ]


def set_kernel_metadata(nb: nbformat.NotebookNode) -> bool:
    """Store :data:`KERNEL_METADATA` in ``nb`` (in place); True if anything changed."""
    if not kernel_metadata_problems(nb):
        return False
    for key, want in KERNEL_METADATA.items():
        nb.metadata[key] = nbformat.from_dict(want)
    return True


def check_notebook(
    nb: nbformat.NotebookNode, notebook: str, repo: str | None = None, ref: str | None = None
) -> list[str]:
    """What in ``nb`` disagrees with the expected badges and Colab install (empty: all agree).

    ``notebook`` is the notebook's path in the repository (``notebooks/NN_name.ipynb``):
    the badges in the first (title) cell must open exactly this notebook at
    ``repo``/``ref``, and the first code cell must install exactly
    :func:`install_requirement` inside ``if "google.colab" in sys.modules:``.
    """
    if not isinstance(nb, nbformat.NotebookNode) or not isinstance(nb.get("cells"), list):
        raise TypeError(f"nb must be a notebook (nbformat.NotebookNode), got {type(nb).__name__}")
    if not isinstance(notebook, str):
        raise TypeError(f"notebook must be the notebook's path as a string, got {notebook!r}")
    repo, ref = _resolve(repo, ref)
    expected = badges_markdown(notebook, repo, ref).split("\n")
    problems = kernel_metadata_problems(nb)
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        problems.append("the first cell must be the markdown title cell with the badges")
    else:
        title = nb.cells[0].source
        for kind, pattern, want in (("Colab", COLAB_BADGE_RE, expected[0]),
                                    ("Binder", BINDER_BADGE_RE, expected[1])):  # fmt: skip
            found = list(pattern.finditer(title))
            if len(found) != 1:
                problems.append(f"the title cell has {len(found)} {kind} badges, expected 1")
            elif found[0]["url"] != pattern.fullmatch(want)["url"]:
                problems.append(f"the {kind} badge links to {found[0]['url']}, expected "
                                f"{pattern.fullmatch(want)['url']}")  # fmt: skip
            elif found[0].group(0) != want:
                problems.append(f"the {kind} badge reads {found[0].group(0)!r}, expected {want!r}")
    code = _first_code_cell(nb)
    want = install_requirement(repo, ref)
    if code is None:
        problems.append("no code cell: the first code cell must install aetutor on Colab")
        return problems
    found = INSTALL_RE.findall(code.source)
    if len(found) != 1:
        problems.append(f"the first code cell has {len(found)} aetutor install lines, expected 1")
    elif found[0] != want:
        problems.append(f"the Colab install is {found[0]!r}, expected {want!r}")
    lines = code.source.split("\n")
    guard = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith(COLAB_GUARD)), None)
    install = next((i for i, line in enumerate(lines) if INSTALL_RE.search(line)), None)
    if guard is None:
        problems.append(f"the first code cell lacks the Colab guard {COLAB_GUARD!r}")
    elif install is not None and not (install > guard and lines[install][:1].isspace()):
        problems.append(f"the aetutor install must be indented inside {COLAB_GUARD!r}")
    elif not problems:
        block = _split_install_block(code.source)
        if block is None or block[0] != colab_install_source(repo, ref):
            problems.append("the Colab install block differs from aetutor/course.py's "
                            "colab_install_source()")  # fmt: skip
    return problems


def rewrite_notebook(
    nb: nbformat.NotebookNode, notebook: str, repo: str | None = None, ref: str | None = None
) -> list[str]:
    """Point ``nb``'s badges and Colab install at ``repo``/``ref``, in place; return what changed.

    Existing badges are replaced where they stand; in the first code cell, the
    Colab install block (every line up to the end of the ``if "google.colab" ...``
    body) is replaced by :func:`colab_install_source`. The rest of each cell stays
    byte-identical. A title cell without badges gets both inserted after its
    heading line; one with a single badge gets the other one next to it. Raises
    ``ValueError`` for what cannot be fixed safely here: a first cell that is not
    markdown, or a first code cell with no aetutor install line or no Colab guard
    at the start of a line (add the setup cell from :func:`setup_cell_source`).
    """
    repo, ref = _resolve(repo, ref)
    colab, binder = badges_markdown(notebook, repo, ref).split("\n")
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise ValueError(f"{notebook}: the first cell must be the markdown title cell, "
                         "'# NN · Title' (see CONTRIBUTING.md)")  # fmt: skip
    code = _first_code_cell(nb)
    if code is None or not INSTALL_RE.search(code.source):
        raise ValueError(
            f"{notebook}: the first code cell has no aetutor install line to rewrite; start the "
            f"notebook with the setup cell:\n{setup_cell_source(42, repo, ref)}"
        )
    block = _split_install_block(code.source)
    if block is None:
        raise ValueError(f"{notebook}: the first code cell has no line starting with "
                         f"{COLAB_GUARD!r}; start the notebook with the setup cell:\n"
                         f"{setup_cell_source(42, repo, ref)}")  # fmt: skip
    changed = []
    title = nb.cells[0]
    source = title.source
    has_colab = COLAB_BADGE_RE.search(source) is not None
    has_binder = BINDER_BADGE_RE.search(source) is not None
    if has_colab and has_binder:
        source = COLAB_BADGE_RE.sub(lambda m: colab, source)
        source = BINDER_BADGE_RE.sub(lambda m: binder, source)
    elif has_colab:
        source = COLAB_BADGE_RE.sub(lambda m: f"{colab}\n{binder}", source, count=1)
    elif has_binder:
        source = BINDER_BADGE_RE.sub(lambda m: f"{colab}\n{binder}", source, count=1)
    elif source.startswith("#"):
        head, newline, rest = source.partition("\n")
        tail = newline + rest if rest.strip() else ""
        tail = tail if not tail or tail.startswith("\n\n") else "\n" + tail
        source = f"{head}\n\n{colab}\n{binder}{tail}"
    else:
        source = f"{colab}\n{binder}\n\n{source}" if source.strip() else f"{colab}\n{binder}"
    if source != title.source:
        title.source = source
        changed.append("badges")
    rest = block[1].lstrip("\n")
    new = colab_install_source(repo, ref) + (f"\n\n{rest}" if rest else "")
    if new != code.source:
        code.source = new
        changed.append("Colab install")
    if set_kernel_metadata(nb):
        changed.append("kernel metadata")
    return changed


def notebook_name(path: Path | str, root: Path | str) -> str:
    """``path``'s location in the repository at ``root``, as the badge URLs spell it."""
    path, root = Path(path).resolve(), Path(root).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        raise ValueError(f"notebook {path} is not inside the repository folder {root}") from None


def _read(path: Path) -> tuple[str, nbformat.NotebookNode]:
    text = Path(path).read_text(encoding="utf-8")
    return text, nbformat.reads(text, as_version=nbformat.NO_CONVERT)


def check_notebook_file(
    path: Path | str, root: Path | str, repo: str | None = None, ref: str | None = None
) -> list[str]:
    """:func:`check_notebook` for the notebook file ``path`` in the repository at ``root``."""
    return check_notebook(_read(Path(path))[1], notebook_name(path, root), repo, ref)


def rewrite_notebook_file(
    path: Path | str, root: Path | str, repo: str | None = None, ref: str | None = None
) -> list[str]:
    """:func:`rewrite_notebook` on a file, written back (as nbformat writes) only if it changed."""
    text, nb = _read(Path(path))
    changed = rewrite_notebook(nb, notebook_name(path, root), repo, ref)
    new = nbformat.writes(nb)
    new = new if new.endswith("\n") else new + "\n"
    if new != text:
        Path(path).write_text(new, encoding="utf-8", newline="\n")
    return changed


def read_repository(course_file: Path | str) -> tuple[str, str]:
    """The ``(REPOSITORY, BRANCH)`` that a copy of this module's source file sets."""
    text = Path(course_file).read_text(encoding="utf-8")
    values = []
    for name, pattern in _CONSTANT_RE.items():
        found = pattern.findall(text)
        if len(found) != 1:
            raise ValueError(f"{course_file}: expected one line '{name} = \"...\"', "
                             f"found {len(found)}")  # fmt: skip
        values.append(found[0])
    return check_repository(values[0]), check_ref(values[1])


def write_repository(course_file: Path | str, repo: str, ref: str) -> bool:
    """Set ``REPOSITORY`` and ``BRANCH`` in the source file ``course_file``; True if it changed."""
    repo, ref = check_repository(repo), check_ref(ref)
    read_repository(course_file)  # both constants present, once each
    text = Path(course_file).read_text(encoding="utf-8")
    new = _CONSTANT_RE["REPOSITORY"].sub(lambda m: f'REPOSITORY = "{repo}"', text)
    new = _CONSTANT_RE["BRANCH"].sub(lambda m: f'BRANCH = "{ref}"', new)
    if new == text:
        return False
    Path(course_file).write_text(new, encoding="utf-8", newline="\n")
    return True
