"""Run a lesson with every training call cut to one gradient step.

The guard behind ``tests/test_one_step.py``: a lesson's closing "What we
measured" cell must be able to fail, so with a model that took a single step
it must fail, with an ``AssertionError``, and nothing before it may crash.

A code cell injected after the ``parameters`` cell patches, for that kernel
only:

- ``keras.Model.fit``: one epoch of one batch (``epochs=1, steps_per_epoch=1``),
  validation and callbacks as asked;
- ``aetutor.numpy_ae.NumpyAutoencoder.fit``: one epoch over one batch;
- the ``step`` of aetutor's NumPy optimizers (``SGD``, ``Adam``): the first call
  of each optimizer updates, later calls do nothing, so a training loop written
  in the notebook also takes one step.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat

ONE_STEP_CELL = '''\
# one-step guard (tests/one_step.py): every training call takes a single gradient step
import inspect as _inspect

import keras as _keras

from aetutor import numpy_ae as _numpy_ae

_keras_fit = _keras.Model.fit
_keras_fit_sig = _inspect.signature(_keras_fit)


def _one_step_keras_fit(self, *args, **kwargs):
    bound = _keras_fit_sig.bind(self, *args, **kwargs)
    bound.arguments["epochs"] = 1
    bound.arguments["steps_per_epoch"] = 1
    bound.arguments.pop("initial_epoch", None)
    return _keras_fit(*bound.args, **bound.kwargs)


_keras.Model.fit = _one_step_keras_fit

_numpy_fit = _numpy_ae.NumpyAutoencoder.fit
_numpy_fit_sig = _inspect.signature(_numpy_fit)


def _one_step_numpy_fit(self, *args, **kwargs):
    bound = _numpy_fit_sig.bind(self, *args, **kwargs)
    batch = bound.arguments.get("batch_size", 32)
    bound.arguments["x"] = bound.arguments["x"][:batch]
    bound.arguments["epochs"] = 1
    return _numpy_fit(*bound.args, **bound.kwargs)


_numpy_ae.NumpyAutoencoder.fit = _one_step_numpy_fit


def _first_step_only(step):
    def once(self, *args, **kwargs):
        if getattr(self, "_one_step_taken", False):
            return None
        self._one_step_taken = True
        return step(self, *args, **kwargs)
    return once


for _opt in (_numpy_ae.SGD, _numpy_ae.Adam):
    _opt.step = _first_step_only(_opt.step)
'''


@dataclass(frozen=True)
class OneStepResult:
    """Where a one-step run stopped: the failing cell (or None) and its error name."""

    failed_cell: int | None
    ename: str | None
    evalue: str | None
    closing_cell: int


def closing_cell_index(nb) -> int:
    """Index of the first code cell after the '## What we measured' heading."""
    for i, cell in enumerate(nb.cells):
        heading = cell.source.lstrip().startswith("## What we measured")
        if cell.cell_type == "markdown" and heading:
            for j in range(i + 1, len(nb.cells)):
                if nb.cells[j].cell_type == "code":
                    return j
    raise ValueError("the notebook has no '## What we measured' heading followed by a code cell")


def with_one_step_cell(nb):
    """A copy of ``nb`` with the one-step cell right after its ``parameters`` cell.

    Returns the copy and the index shift (1) for cells after the insertion.
    """
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            nb.cells.insert(i + 1, nbformat.v4.new_code_cell(ONE_STEP_CELL))
            return nb, i + 1
    raise ValueError("the notebook has no cell tagged 'parameters'")


def run_one_step(path: Path, timeout: int = 900) -> OneStepResult:
    """Execute the lesson at ``path`` with one-step training; report where it stopped."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from aetutor.runner import CURRENT_ENV_KERNEL, CurrentEnvKernelManager

    original = nbformat.read(path, as_version=4)
    closing = closing_cell_index(original)
    nb, inserted_at = with_one_step_cell(original)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=CURRENT_ENV_KERNEL,
        kernel_manager_class=CurrentEnvKernelManager,
        resources={"metadata": {"path": str(path.parent)}},
    )
    failed = {}

    def on_error(cell, cell_index, execute_reply, **_):
        failed.setdefault("index", cell_index)

    client.on_cell_error = on_error
    try:
        client.execute()
    except CellExecutionError as exc:
        index = failed.get("index")
        if index is not None and index >= inserted_at:
            index -= 1  # back to the lesson's own numbering
        return OneStepResult(index, exc.ename, str(exc.evalue)[:500], closing)
    return OneStepResult(None, None, None, closing)
