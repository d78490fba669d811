"""ProgressLine: one status line that rewrites itself and ends as one line in saved output."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

import aetutor.progress as progress
from aetutor.progress import ProgressLine


class _Terminal(io.StringIO):
    """A stdout that says it is a terminal, and keeps everything written to it."""

    def isatty(self) -> bool:
        return True


def _visible(written: str) -> list[str]:
    """What a terminal shows: each carriage return goes back to the start of the line."""
    return [line.split("\r")[-1] for line in written.split("\n")]


def test_outside_a_terminal_only_the_final_line_is_printed(capsys):
    line = ProgressLine("train", min_interval=0)
    for epoch in range(1, 51):
        line.update(f"epoch {epoch}/50")
    line.close("50 epochs in 1.0 s")
    out, err = capsys.readouterr()
    assert out == "train: 50 epochs in 1.0 s\n"  # a log file gets one line, not 50
    assert err == ""


def test_in_a_terminal_the_line_is_rewritten_in_place_and_ends_with_one_newline(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr("sys.stdout", term)
    line = ProgressLine("train", min_interval=0)
    line.update("epoch 1/3")
    line.update("epoch 2/3")
    line.close("3 epochs")
    written = term.getvalue()
    assert written == "\rtrain: epoch 1/3\rtrain: epoch 2/3\rtrain: 3 epochs\n"
    assert _visible(written) == ["train: 3 epochs", ""]  # one line left on screen


def test_updates_closer_than_min_interval_are_skipped_but_the_final_line_is_not(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr("sys.stdout", term)
    clock = iter([0.0, 0.0, 0.1, 0.2, 5.0, 5.1])  # start, then one reading per update
    monkeypatch.setattr(progress, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    line = ProgressLine("fit", min_interval=1.0)
    for text in ("a", "b", "c", "d"):  # at 0.0, 0.1, 0.2, 5.0 s
        line.update(text)
    line.close("done")
    assert term.getvalue() == "\rfit: a\rfit: d\rfit: done\n"


def test_after_close_the_line_stays_as_it_is(capsys):
    line = ProgressLine("x", min_interval=0)
    line.close("first")
    line.update("late")
    line.close("second")
    assert capsys.readouterr().out == "x: first\n"


def test_elapsed_counts_from_creation(monkeypatch):
    clock = iter([10.0, 12.5])
    monkeypatch.setattr(progress, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    assert ProgressLine("x").elapsed == pytest.approx(2.5)


class _Handle:
    def __init__(self, shown: list) -> None:
        self.shown = shown

    def update(self, obj) -> None:
        self.shown.append(repr(obj))


def test_in_a_notebook_one_display_is_updated_in_place(monkeypatch, capsys):
    import IPython.display

    shown, calls = [], []

    def display(obj, display_id=False):
        calls.append(display_id)
        shown.append(repr(obj))
        return _Handle(shown)

    monkeypatch.setattr(progress, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", display)
    line = ProgressLine("train", min_interval=0)
    line.update("epoch 1/2")
    line.close("2 epochs")
    assert calls == [True]  # one display, made updatable; every later state replaces it
    assert shown == ["train: starting", "train: epoch 1/2", "train: 2 epochs"]
    assert capsys.readouterr() == ("", "")  # nothing on stdout or stderr


def test_a_saved_notebook_keeps_one_plain_text_line():
    """In a real kernel: 200 updates leave one display_data output, the final line, no stream."""
    import nbformat
    from nbclient import NotebookClient

    from aetutor.runner import CURRENT_ENV_KERNEL, CurrentEnvKernelManager

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from aetutor.progress import ProgressLine\n"
        "line = ProgressLine('train', min_interval=0)\n"
        "for i in range(200):\n"
        "    line.update(f'step {i}')\n"
        "line.close('200 steps')"
    )]  # fmt: skip
    NotebookClient(nb, timeout=120, kernel_name=CURRENT_ENV_KERNEL,
                   kernel_manager_class=CurrentEnvKernelManager).execute()  # fmt: skip
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"]
    assert dict(outputs[0].data) == {"text/plain": "train: 200 steps"}  # no HTML, no quotes


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"label": None}, TypeError, "label must be a string, got NoneType"),
        ({"label": 3}, TypeError, "label must be a string, got int"),
        ({"label": "x", "min_interval": None}, TypeError, "min_interval must be a real number"),
        ({"label": "x", "min_interval": "0.5"}, TypeError, "min_interval must be a real number"),
        ({"label": "x", "min_interval": float("nan")}, ValueError,
         "min_interval must be a finite number"),
        ({"label": "x", "min_interval": -1}, ValueError, "min_interval must be >= 0.0, got -1"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_shown(kwargs, error, match, capsys):
    with pytest.raises(error, match=match):
        ProgressLine(**kwargs)
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("method", ["update", "close"])
@pytest.mark.parametrize("text", [None, 3, b"done"])
def test_text_must_be_a_string(method, text, capsys):
    line = ProgressLine("x", min_interval=0)
    with pytest.raises(TypeError, match="text must be a string"):
        getattr(line, method)(text)
    line.close("ok")  # a refused call changes nothing: the line can still be closed
    assert capsys.readouterr().out == "x: ok\n"
