"""The README is the course's front page: every lesson listed, with working launch links."""

from __future__ import annotations

import re
from pathlib import Path

from aetutor import course

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
LESSONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_every_lesson_has_a_row_with_badges_that_match_course_py():
    for path in LESSONS:
        row = next((line for line in README.splitlines() if f"]({path})" in line), None)
        assert row, f"README's lesson table has no row linking {path}"
        assert course.colab_url(path) in row and course.binder_url(path) in row, (
            f"the badges for {path} in README.md do not point at {course.REPOSITORY}@"
            f"{course.BRANCH} (aetutor/course.py); update the row"
        )
        assert not re.search(r"TIME_\d\d", row), f"the time for {path} was never filled in"


def test_readme_shows_the_two_commands_and_the_dataset_switch():
    assert "pip install -r requirements.txt && jupyter lab notebooks/" in README
    assert "pip install -r requirements.txt && pytest" in README
    assert "AETUTOR_DATASET" in README and "aetutor run" in README
