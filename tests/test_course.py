"""Tests of :mod:`aetutor.course` and ``aetutor badges``: the launch links of every lesson.

Notebooks are built in ``tmp_path`` (or copied there); the real lessons are
only read, by ``test_repository_notebooks_agree``, which fails when a badge or
Colab install in ``notebooks/`` disagrees with ``aetutor/course.py``.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat
import pytest

from aetutor import course
from aetutor.cli import main

REPO = Path(__file__).resolve().parents[1]
COURSE_FILE = REPO / "aetutor" / "course.py"

# The templates in CONTRIBUTING.md / the lesson brief, spelled out by hand.
TEMPLATE_BADGES = (
    "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    "(https://colab.research.google.com/github/aetutor/aetutor/blob/main/notebooks/01_x.ipynb)\n"
    "[![Launch Binder](https://mybinder.org/badge_logo.svg)]"
    "(https://mybinder.org/v2/gh/aetutor/aetutor/main?labpath=notebooks%2F01_x.ipynb)"
)
TEMPLATE_SETUP = r"""import subprocess
import sys
import tempfile

if "google.colab" in sys.modules:  # on Colab: add aetutor, change nothing Colab ships
    def pip(*args):
        return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True,
                              text=True)

    have = set(pip("list", "--format=freeze").stdout.split())  # name==version, each
    if not any(line.startswith("aetutor==") for line in have):
        pins = f"{tempfile.gettempdir()}/colab-pins.txt"  # keep these versions as they are
        with open(pins, "w") as file:
            file.write("\n".join(sorted(have)))
        done = pip("install", "-q", "--root-user-action=ignore", "-c", pins,
                   "aetutor @ git+https://github.com/aetutor/aetutor@main")
        if done.returncode != 0:
            raise RuntimeError("pip could not add aetutor without changing Colab's packages:"
                               f"\n{done.stderr[-3000:]}")
        added = sorted(set(pip("list", "--format=freeze").stdout.split()) - have)
        print("Installed:", ", ".join(added))
        names = {line.split("==")[0] for line in have}
        if any(line.split("==")[0] in names for line in added):  # a version changed
            print("Restart the session (Runtime > Restart session), then run this cell "
                  "again: a package that Colab had already loaded changed version.")

import aetutor as at

at.setup(seed=42)"""


def lesson(
    name: str = "01_x.ipynb",
    repo: str = "aetutor/aetutor",
    ref: str = "main",
    *,
    title: str | None = None,
    setup: str | None = None,
) -> nbformat.NotebookNode:
    """A lesson skeleton whose links point at ``repo``/``ref``."""
    nb_path = f"notebooks/{name}"
    if title is None:
        title = (
            f"# {name[:2]} · A lesson\n\n{course.badges_markdown(nb_path, repo, ref)}\n\n"
            "Some prose with a [link](https://example.org).\n\n**Time to run:** a minute."
        )
    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(course.KERNEL_METADATA)
    nb.cells = [
        nbformat.v4.new_markdown_cell(title),
        nbformat.v4.new_code_cell(setup or course.setup_cell_source(7, repo, ref)),
        nbformat.v4.new_code_cell("EPOCHS = 3  # parameters", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("Open [the next lesson](02_y.ipynb)."),
    ]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # fixed ids, so that equal lessons compare equal
    return nb


def write(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A repository folder with aetutor/course.py (copied) and three lessons at the defaults."""
    (tmp_path / "aetutor").mkdir()
    shutil.copy(COURSE_FILE, tmp_path / "aetutor" / "course.py")
    course.write_repository(tmp_path / "aetutor" / "course.py", "aetutor/aetutor", "main")
    for name in ("01_a.ipynb", "02_b.ipynb", "03_c.ipynb"):
        write(lesson(name), tmp_path / "notebooks" / name)
    return tmp_path


# ----------------------------------------------------------------------------- snippets


def test_snippets_match_the_course_templates():
    assert course.badges_markdown("notebooks/01_x.ipynb", "aetutor/aetutor", "main") == (
        TEMPLATE_BADGES
    )
    assert course.setup_cell_source(42, "aetutor/aetutor", "main") == TEMPLATE_SETUP
    assert course.install_requirement("o/n", "v1.2") == "aetutor @ git+https://github.com/o/n@v1.2"


def test_defaults_come_from_the_module_constants():
    assert course.install_requirement() == (
        f"aetutor @ git+https://github.com/{course.REPOSITORY}@{course.BRANCH}"
    )
    assert course.colab_url("notebooks/a.ipynb").startswith(
        f"https://colab.research.google.com/github/{course.REPOSITORY}/blob/{course.BRANCH}/"
    )
    assert course.read_repository(COURSE_FILE) == (course.REPOSITORY, course.BRANCH)


def test_urls_quote_what_a_url_must_quote():
    assert course.binder_url("notebooks/01 x.ipynb", "me/fork", "feature/x") == (
        "https://mybinder.org/v2/gh/me/fork/feature%2Fx?labpath=notebooks%2F01%20x.ipynb"
    )
    assert course.colab_url("notebooks/a.ipynb", "me/fork", "v2") == (
        "https://colab.research.google.com/github/me/fork/blob/v2/notebooks/a.ipynb"
    )


@pytest.mark.parametrize("repo", ["aetutor", "a/b/c", "", "-x/y", "x/..", "x/y z", "x/"])
def test_bad_repository_names_are_refused(repo):
    with pytest.raises(ValueError, match="OWNER/NAME"):
        course.check_repository(repo)


@pytest.mark.parametrize("ref", ["", "-x", "a..b", "x.lock", "a b", "/x", "x/", "a//b", ".x"])
def test_bad_refs_are_refused(ref):
    with pytest.raises(ValueError, match="branch or tag"):
        course.check_ref(ref)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="got int"):
        course.check_repository(3)
    with pytest.raises(ValueError, match="relative to the repository root"):
        course.colab_url("/abs/notebooks/a.ipynb")
    with pytest.raises(ValueError, match="'notebooks/01_basics.ipynb'"):
        course.binder_url("notebooks/a.py")
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        course.setup_cell_source(-1)


# ----------------------------------------------------------------------------- check / rewrite


def test_a_lesson_at_the_expected_links_agrees():
    assert course.check_notebook(lesson(), "notebooks/01_x.ipynb", "aetutor/aetutor", "main") == []


def test_check_names_each_disagreement():
    nb = lesson(repo="old/repo", ref="dev")
    problems = course.check_notebook(nb, "notebooks/01_x.ipynb", "aetutor/aetutor", "main")
    assert len(problems) == 3
    assert "https://colab.research.google.com/github/old/repo/blob/dev/" in problems[0]
    assert problems[0].startswith("the Colab badge links to ")
    assert "expected https://mybinder.org/v2/gh/aetutor/aetutor/main?" in problems[1]
    assert "old/repo@dev" in problems[2] and "aetutor/aetutor@main" in problems[2]


def test_check_catches_badges_copied_from_another_lesson():
    nb = lesson("02_y.ipynb")  # badges open notebooks/02_y.ipynb ...
    problems = course.check_notebook(nb, "notebooks/01_x.ipynb", "aetutor/aetutor", "main")
    assert len(problems) == 2 and all("02_y.ipynb, expected" in p for p in problems)


def test_check_wants_one_badge_of_each_kind_and_the_install_inside_the_guard():
    badges = course.badges_markdown("notebooks/01_x.ipynb")
    nb = lesson(title=f"# 01 · T\n\n{badges}\n{badges.splitlines()[0]}")
    nb.cells[1].source = nb.cells[1].source.replace('                   "aetutor', '"aetutor')
    problems = course.check_notebook(nb, "notebooks/01_x.ipynb")
    assert problems == [
        "the title cell has 2 Colab badges, expected 1",
        "the aetutor install must be indented inside 'if \"google.colab\" in sys.modules:'",
    ]
    nb.cells[1].source = "import aetutor as at"
    nb.cells[0].cell_type = "code"
    assert course.check_notebook(nb, "notebooks/01_x.ipynb") == [
        "the first cell must be the markdown title cell with the badges",
        "the first code cell has 0 aetutor install lines, expected 1",
        "the first code cell lacks the Colab guard 'if \"google.colab\" in sys.modules:'",
    ]


def test_rewrite_changes_only_the_links():
    nb = lesson(repo="old/repo", ref="dev")
    changed = course.rewrite_notebook(nb, "notebooks/01_x.ipynb", "new-owner/ae.course", "v1.0")
    assert changed == ["badges", "Colab install"]
    assert nb == lesson(repo="new-owner/ae.course", ref="v1.0")  # every other byte as it was
    assert course.rewrite_notebook(nb, "notebooks/01_x.ipynb", "new-owner/ae.course", "v1.0") == []


def test_rewrite_recognises_other_spellings_of_the_links():
    title = (
        "# 01 · T\n[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        "(https://colab.research.google.com/github/x/y/blob/master/old.ipynb) and "
        "[![Binder](https://mybinder.org/badge.svg)](https://mybinder.org/v2/gh/x/y/HEAD)\ntext"
    )
    setup = (
        'import sys\nif "google.colab" in sys.modules:\n'
        '    !pip install "aetutor @ git+https://github.com/x/y.git"\n\n\n'
        "import aetutor as at\nat.setup(seed=3)\n"
    )
    nb = lesson(title=title, setup=setup)
    course.rewrite_notebook(nb, "notebooks/01_x.ipynb", "o/n", "main")
    colab, binder = course.badges_markdown("notebooks/01_x.ipynb", "o/n", "main").split("\n")
    assert nb.cells[0].source == f"# 01 · T\n{colab} and {binder}\ntext"
    # the whole install block is replaced; what follows it stays as it was
    assert nb.cells[1].source == (
        course.colab_install_source("o/n", "main") + "\n\nimport aetutor as at\nat.setup(seed=3)\n"
    )
    assert course.check_notebook(nb, "notebooks/01_x.ipynb", "o/n", "main") == []
    nb.cells[0].source = nb.cells[0].source.replace("Open in Colab", "Colab")
    assert course.check_notebook(nb, "notebooks/01_x.ipynb", "o/n", "main") == [
        f"the Colab badge reads {colab.replace('Open in Colab', 'Colab')!r}, expected {colab!r}"
    ]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("# 01 · T\n\nProse.", "# 01 · T\n\n{badges}\n\nProse."),
        ("# 01 · T\nProse.", "# 01 · T\n\n{badges}\n\nProse."),
        ("# 01 · T", "# 01 · T\n\n{badges}"),
        ("Prose only.", "{badges}\n\nProse only."),
        ("# 01 · T\n\n{colab} first", "# 01 · T\n\n{colab}\n{binder} first"),
        ("# 01 · T\n\n{binder}", "# 01 · T\n\n{colab}\n{binder}"),
    ],
)
def test_rewrite_inserts_missing_badges(title, expected):
    badges = course.badges_markdown("notebooks/01_x.ipynb", "o/n", "b")
    colab, binder = badges.split("\n")
    old_colab, old_binder = course.badges_markdown("notebooks/01_x.ipynb", "p/q", "r").split("\n")
    nb = lesson(title=title.format(colab=old_colab, binder=old_binder))
    assert "badges" in course.rewrite_notebook(nb, "notebooks/01_x.ipynb", "o/n", "b")
    assert nb.cells[0].source == expected.format(badges=badges, colab=colab, binder=binder)
    assert course.check_notebook(nb, "notebooks/01_x.ipynb", "o/n", "b") == []


def test_rewrite_refuses_what_it_cannot_fix_and_changes_nothing():
    nb = lesson()
    nb.cells.insert(0, nbformat.v4.new_code_cell("print(1)"))
    with pytest.raises(ValueError, match="first cell must be the markdown title cell"):
        course.rewrite_notebook(nb, "notebooks/01_x.ipynb", "o/n", "b")
    nb = lesson(setup="import aetutor as at\nat.setup(seed=1)")
    before = copy.deepcopy(nb)
    with pytest.raises(ValueError, match=r"(?s)no aetutor install line.*google.colab"):
        course.rewrite_notebook(nb, "notebooks/01_x.ipynb", "o/n", "b")
    assert nb == before


# ----------------------------------------------------------------------------- files


def test_rewrite_file_writes_as_nbformat_does_and_only_when_needed(tmp_path):
    path = write(lesson(repo="old/repo", ref="dev"), tmp_path / "notebooks" / "01_x.ipynb")
    assert course.rewrite_notebook_file(path, tmp_path, "o/n", "main") == [
        "badges", "Colab install"
    ]  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert text == nbformat.writes(lesson(repo="o/n", ref="main")) + "\n"
    assert text.startswith('{\n "cells": [\n  {\n')  # indent=1, as nbformat writes
    before = path.stat().st_mtime_ns
    assert course.rewrite_notebook_file(path, tmp_path, "o/n", "main") == []
    assert path.stat().st_mtime_ns == before, "an agreeing notebook must not be rewritten"
    assert course.check_notebook_file(path, tmp_path, "o/n", "main") == []


def test_notebook_name_is_the_path_in_the_repository(tmp_path):
    assert course.notebook_name(tmp_path / "notebooks" / "a.ipynb", tmp_path) == "notebooks/a.ipynb"
    with pytest.raises(ValueError, match="not inside the repository folder"):
        course.notebook_name(tmp_path / "a.ipynb", tmp_path / "notebooks")


def test_write_repository_changes_only_the_two_constants(tmp_path):
    copy = tmp_path / "course.py"
    shutil.copy(COURSE_FILE, copy)
    original = copy.read_text(encoding="utf-8")
    assert course.write_repository(copy, "me/fork", "dev/x") is True
    assert course.read_repository(copy) == ("me/fork", "dev/x")
    changed = [
        (a, b)
        for a, b in zip(original.splitlines(), copy.read_text(encoding="utf-8").splitlines())
        if a != b
    ]
    assert [b for _, b in changed] == ['REPOSITORY = "me/fork"', 'BRANCH = "dev/x"']
    assert course.write_repository(copy, "me/fork", "dev/x") is False
    with pytest.raises(ValueError, match="OWNER/NAME"):
        course.write_repository(copy, "nope", "main")
    copy.write_text('REPOSITORY = "a/b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="expected one line 'BRANCH = \"...\"', found 0"):
        course.read_repository(copy)


# ----------------------------------------------------------------------------- aetutor badges


def test_badges_command_points_everything_at_a_fork_and_check_agrees(repo_copy, capsys):
    root = str(repo_copy)
    assert main(["badges", "--check", "--root", root]) == 0
    assert main(["badges", "--root", root, "--repo", "me/fork", "--ref", "dev"]) == 0
    out = capsys.readouterr().out
    assert "REPOSITORY = 'me/fork', BRANCH = 'dev'" in out
    assert "3 updated, 0 already did, 0 could not be fixed" in out
    assert course.read_repository(repo_copy / "aetutor" / "course.py") == ("me/fork", "dev")
    assert main(["badges", "--check", "--root", root]) == 0
    assert "all 3 notebook(s) agree with me/fork@dev" in capsys.readouterr().out
    # without options, it uses course.py: nothing left to do
    assert main(["badges", "--root", root]) == 0
    assert "0 updated, 3 already did" in capsys.readouterr().out


def test_badges_check_lists_every_disagreeing_notebook_and_fails(repo_copy, capsys):
    write(lesson("02_b.ipynb", "old/repo"), repo_copy / "notebooks" / "02_b.ipynb")
    write(lesson("01_a.ipynb", ref="dev"), repo_copy / "notebooks" / "03_c.ipynb")
    before = {p: p.read_bytes() for p in (repo_copy / "notebooks").iterdir()}
    assert main(["badges", "--check", "--root", str(repo_copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out[:-1]] == [
        "notebooks/02_b.ipynb", "notebooks/03_c.ipynb"
    ]  # fmt: skip
    assert "01_a.ipynb, expected" in out[1]
    assert out[-1].startswith("2 of 3 notebook(s) disagree with aetutor/aetutor@main")
    assert before == {p: p.read_bytes() for p in (repo_copy / "notebooks").iterdir()}


def test_badges_fixes_what_it_can_and_reports_the_rest(repo_copy, capsys):
    bad = write(lesson(setup="import aetutor as at"), repo_copy / "notebooks" / "04_d.ipynb")
    bad_bytes = bad.read_bytes()
    write(lesson("02_b.ipynb", "old/repo"), repo_copy / "notebooks" / "02_b.ipynb")
    assert main(["badges", "--root", str(repo_copy)]) == 1
    captured = capsys.readouterr()
    assert "notebooks/04_d.ipynb: not changed: " in captured.err
    assert "1 updated, 2 already did, 1 could not be fixed" in captured.out
    assert bad.read_bytes() == bad_bytes


def test_badges_command_rejects_bad_arguments(repo_copy, tmp_path, capsys):
    root = str(repo_copy)
    assert main(["badges", "--root", root, "--repo", "not-a-repo"]) == 2
    assert "OWNER/NAME" in capsys.readouterr().err
    assert main(["badges", "--root", root, "--ref", "a..b"]) == 2
    assert main(["badges", "--root", str(tmp_path / "nowhere")]) == 2
    assert "course.py not found" in capsys.readouterr().err
    assert main(["badges", "--root", root, str(repo_copy / "aetutor" / "course.py")]) == 2
    assert course.read_repository(repo_copy / "aetutor" / "course.py")[0] == "aetutor/aetutor"


def test_real_lessons_survive_a_round_trip_byte_for_byte(tmp_path):
    lessons = sorted((REPO / "notebooks").glob("*.ipynb"))
    if not lessons:
        pytest.skip("no lessons in notebooks/ yet")
    (tmp_path / "notebooks").mkdir()
    copies = [shutil.copy(p, tmp_path / "notebooks" / p.name) for p in lessons]
    repo, ref = course.read_repository(COURSE_FILE)
    for path in copies:
        course.rewrite_notebook_file(path, tmp_path, repo, ref)
    start = {p: Path(p).read_bytes() for p in copies}
    for path in copies:
        assert course.rewrite_notebook_file(path, tmp_path, "me/fork", "x") == [
            "badges", "Colab install"
        ]  # fmt: skip
        assert course.rewrite_notebook_file(path, tmp_path, repo, ref)
    assert start == {p: Path(p).read_bytes() for p in copies}


def test_repository_notebooks_agree(capsys):
    """Every lesson opens itself on Colab and Binder, and installs from course.py's repository."""
    lessons = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert lessons, f"no lessons in {REPO / 'notebooks'}"
    code = main(["badges", "--check", "--root", str(REPO)])
    out = capsys.readouterr().out
    assert code == 0, f"fix these with `aetutor badges` in the repository root:\n{out}"


def test_kernel_metadata_is_checked_and_rewritten():
    nb = lesson()
    assert course.kernel_metadata_problems(nb) == []
    nb.metadata["language_info"] = {"name": "python"}  # what a hand-made notebook stores
    nb.metadata["kernelspec"]["display_name"] = "Python 3"
    problems = course.check_notebook(nb, "notebooks/01_x.ipynb", "aetutor/aetutor", "main")
    assert len(problems) == 2 and all("aetutor badges fixes it" in p for p in problems)
    assert course.rewrite_notebook(nb, "notebooks/01_x.ipynb") == ["kernel metadata"]
    assert course.kernel_metadata_problems(nb) == []
    assert course.set_kernel_metadata(nb) is False  # already right: nothing to do
