"""aetutor: the helper package behind the autoencoder lessons.

The public surface is small: ``setup()``, ``load_dataset()``, ``Dataset`` and
``__version__``. Submodules (``models``, ``plots``, ``metrics``, ``noise``,
``numpy_ae``, ``callbacks``, ``timeseries``) load on first use, so importing
``aetutor`` is quick and has no side effects beyond quieting TensorFlow's C++
start-up logs, which must be set before TensorFlow is first imported.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# Before any TensorFlow import: hide its C++ log lines (oneDNN notes, CUDA probing);
# Python exceptions are unaffected. A value the user already set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from aetutor.data import Dataset, DatasetError, load_dataset  # noqa: E402
from aetutor.environment import setup  # noqa: E402

__version__ = "0.1.0"

_SUBMODULES = (
    "backend",
    "callbacks",
    "cli",
    "course",
    "data",
    "datafiles",
    "dataset",
    "dictionary",
    "environment",
    "fewlabels",
    "initializers",
    "interpolation",
    "layers",
    "metrics",
    "models",
    "noise",
    "numpy_ae",
    "plots",
    "progress",
    "retrieval",
    "sae",
    "timeseries",
    "validation",
    "variational",
)

__all__ = ["Dataset", "DatasetError", "load_dataset", "setup", "__version__", *_SUBMODULES]


def __getattr__(name: str) -> Any:
    """Import a submodule on first attribute access (``at.models``, ``at.plots`` …)."""
    if name in _SUBMODULES:
        return importlib.import_module(f"aetutor.{name}")
    raise AttributeError(f"module 'aetutor' has no attribute {name!r}")
