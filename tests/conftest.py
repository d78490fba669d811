"""Shared fixtures: an isolated data cache, and a headless matplotlib."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from aetutor.backend import import_keras_quietly  # noqa: E402

# Keras fixes its backend at its first import: start it as a lesson does (the course's
# backend unless KERAS_BACKEND says otherwise) before any test module runs `import keras`.
import_keras_quietly()


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test made, so memory stays flat across the suite."""
    yield
    plt.close("all")


@pytest.fixture
def isolated_data(tmp_path, monkeypatch):
    """Point every dataset search path at empty temporary folders.

    Returns the Keras cache folder (``KERAS_HOME/datasets``) the loaders use.
    The system Fashion-MNIST folder is pointed elsewhere too, so tests see only
    the files they write themselves.
    """
    import aetutor.data as data

    keras_home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv("AETUTOR_DATA_DIR", raising=False)
    monkeypatch.delenv("AETUTOR_DATASET", raising=False)
    monkeypatch.setattr(data, "SYSTEM_FASHION_DIR", tmp_path / "no-system-fashion")
    return keras_home / "datasets"
