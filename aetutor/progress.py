"""One line of progress that rewrites itself, and stays as one line in saved output.

In a notebook the line is a display whose content is replaced in place (the
saved notebook keeps only its last state, with nothing in stderr); in a
terminal it is rewritten with a carriage return; elsewhere (a log file) only
the final line is printed. Every long training call in the course reports
through it, so each lesson shows progress the same way.
"""

from __future__ import annotations

import sys
import time

from aetutor.validation import check_number

__all__ = ["ProgressLine"]


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where a display can be updated in place)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    try:
        ip = shell.get_ipython()
    except AttributeError:
        return False
    return ip is not None and getattr(ip, "kernel", None) is not None


class _Text:
    """A plain-text display object (``text/plain`` only, no HTML, no quotes)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's pretty printer
        p.text(self.text)


def _check_text(text: object) -> None:
    if not isinstance(text, str):
        raise TypeError(f"text must be a string (the status to show), got {type(text).__name__}")


class ProgressLine:
    """A single status line: ``update(text)`` while working, ``close(text)`` at the end.

    Parameters
    ----------
    label : str
        What is being done, shown at the start of the line (for example the
        model's name).
    min_interval : float
        Seconds between two redraws (updates in between are skipped, except
        the final one), so fast loops do not flood the front end. A finite
        number >= 0; 0 redraws on every update.

    Raises
    ------
    TypeError, ValueError
        For a label that is not a string, or a ``min_interval`` that is not a
        finite number >= 0, before anything is displayed; and from
        ``update``/``close`` for a ``text`` that is not a string.
    """

    def __init__(self, label: str, *, min_interval: float = 0.25) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a string, got {type(label).__name__}")
        self.min_interval = check_number(min_interval, "min_interval", low=0.0)
        self.label = label
        self.start = time.perf_counter()
        self._last_draw = -float("inf")
        self._handle = None
        self._tty = False
        self._closed = False
        if _in_notebook():
            from IPython.display import display

            self._handle = display(_Text(f"{label}: starting"), display_id=True)
        else:
            self._tty = bool(getattr(sys.stdout, "isatty", lambda: False)())

    @property
    def elapsed(self) -> float:
        """Seconds since the line was created."""
        return time.perf_counter() - self.start

    def _draw(self, text: str, final: bool) -> None:
        line = f"{self.label}: {text}"
        if self._handle is not None:
            self._handle.update(_Text(line))
        elif self._tty:
            sys.stdout.write("\r" + line + ("\n" if final else ""))
            sys.stdout.flush()
        elif final:
            print(line)

    def update(self, text: str) -> None:
        """Show ``text`` now, unless the line was redrawn less than ``min_interval`` ago."""
        _check_text(text)
        if self._closed:
            return
        now = time.perf_counter()
        if now - self._last_draw >= self.min_interval:
            self._last_draw = now
            self._draw(text, final=False)

    def close(self, text: str) -> None:
        """Show the final ``text``; the line stays as it is from now on."""
        _check_text(text)
        if not self._closed:
            self._closed = True
            self._draw(text, final=True)
