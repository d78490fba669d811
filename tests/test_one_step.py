"""Every lesson's closing checks fail when each model takes a single gradient step.

A check that a barely trained model passes cannot tell a reader anything, so
this guard runs each lesson with one-step training (see ``tests/one_step.py``)
and expects its "What we measured" cell, and nothing earlier, to fail with an
``AssertionError``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from one_step import run_one_step

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_closing_checks_fail_after_one_training_step(path):
    result = run_one_step(path)
    assert result.failed_cell is not None, (
        f"{path.name}: every check passed with one-step training; its claims cannot fail"
    )
    assert result.failed_cell == result.closing_cell and result.ename == "AssertionError", (
        f"{path.name}: with one-step training, cell {result.failed_cell} raised "
        f"{result.ename}: {result.evalue} (expected an AssertionError in the closing cell "
        f"{result.closing_cell}, and no crash before it)"
    )
