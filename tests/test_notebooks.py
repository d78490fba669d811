"""Every lesson is committed clean and follows the course skeleton (CONTRIBUTING.md).

nbval executes the notebooks themselves (see pyproject.toml); these checks
read them as files, so a lesson that drifts from the skeleton fails fast.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_there_are_lessons_and_every_notebook_is_numbered():
    assert NOTEBOOKS, f"no lessons found in {NOTEBOOK_DIR}"
    assert sorted(NOTEBOOK_DIR.glob("*.ipynb")) == NOTEBOOKS, "name notebooks NN_topic.ipynb"
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(set(numbers)) == len(numbers), f"two lessons share a number: {numbers}"


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    path = request.param
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    return path, nb


def test_committed_without_outputs(notebook):
    path, nb = notebook
    dirty = [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]  # fmt: skip
    assert not dirty, (
        f"{path.name}: cells {dirty} keep outputs; run "
        f"jupyter nbconvert --clear-output --inplace {path.relative_to(NOTEBOOK_DIR.parent)}"
    )


def test_uses_the_python3_kernel(notebook):
    path, nb = notebook
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", path.name


def test_title_cell_has_badges_for_this_notebook(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert re.match(rf"# {path.name[:2]} · \S", first.source), "title: '# NN · Title'"
    assert "colab.research.google.com/github/" in first.source
    assert f"notebooks/{path.name}" in first.source, "Colab badge must open this notebook"
    assert f"labpath=notebooks%2F{path.name}" in first.source, "Binder badge must open it too"
    for heading in ("What you will learn", "Time to run"):
        assert heading in first.source, f"{path.name}: title cell lacks '{heading}'"


def test_setup_and_parameters_cells_come_first(notebook):
    path, nb = notebook
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "google.colab" in code[0].source and "at.setup(seed=" in code[0].source, (
        f"{path.name}: the first code cell installs on Colab and calls at.setup(seed=...)"
    )
    assert "parameters" in code[1].metadata.get("tags", []), (
        f"{path.name}: the second code cell must be tagged 'parameters'"
    )


def test_ends_by_checking_its_claims_then_exercises(notebook):
    path, nb = notebook
    heads = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "markdown" and "What we measured" in c.source]  # fmt: skip
    assert heads, f"{path.name}: no 'What we measured' section"
    after = nb.cells[heads[-1] + 1 :]
    asserts = [
        c for c in after if c.cell_type == "code" and re.search(r"^\s*assert ", c.source, re.M)
    ]
    assert asserts, f"{path.name}: the closing cell must assert the lesson's claims"
    assert any(c.cell_type == "markdown" and "Exercises" in c.source for c in after), (
        f"{path.name}: exercises come after 'What we measured'"
    )


def _rendered_details(markdown: str) -> list[str]:
    """The HTML of each <details> block once the cell's Markdown is rendered."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    html = markdown2html_mistune(markdown)
    return re.findall(r"<details>.*?</details>", html, flags=re.S)


def test_hints_render_without_raw_markdown(notebook):
    """Markdown inside a hint renders only after a blank line following </summary>.

    Without it, CommonMark keeps the block as raw HTML and the reader sees literal
    backticks and asterisks, so the rendered <details> blocks must contain none.
    """
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or "<details" not in cell.source:
            continue
        for block in _rendered_details(cell.source):
            text = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", "", block, flags=re.S)
            assert "`" not in text and "**" not in text, (
                f"{path.name}, cell {i}: a hint shows raw Markdown; put a blank line after "
                f"</summary> (and after any HTML tag line) so it renders: {block[:200]!r}"
            )
