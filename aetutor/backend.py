"""Which Keras backend the course runs on, and importing Keras (and TensorFlow) quietly.

Keras fixes its backend when it is first imported, so every aetutor module imports Keras
through :func:`import_keras_quietly`. This module imports neither NumPy nor Keras, so
``aetutor doctor`` can use it on a machine where they are missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import os
import sys
from types import ModuleType

__all__ = ["COURSE_BACKEND", "chosen_backend", "keras_backend_name", "import_keras_quietly",
           "import_tensorflow_quietly"]


@contextlib.contextmanager
def _silenced_stderr_fd():
    """Point file descriptor 2 at /dev/null for a moment.

    TensorFlow 2.19+ logs from C++ before its log level is read (a known
    TensorFlow issue), so ``TF_CPP_MIN_LOG_LEVEL`` alone cannot hide those
    lines. Python exceptions still surface: they are raised after the restore.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded consoles): nothing to hide
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


COURSE_BACKEND = "jax"
"""The Keras backend the course runs on when the reader has not chosen one: the fastest
for the lessons on a 2-core CPU (benchmarks/RESULTS.md, section 1)."""


def keras_backend_name() -> str:
    """The Keras backend of this session, found without importing Keras or TensorFlow.

    Once Keras is imported, its own answer; before that, :func:`chosen_backend`.
    """
    keras = sys.modules.get("keras")
    backend = getattr(getattr(keras, "backend", None), "backend", None)
    if callable(backend):
        return str(backend())
    return chosen_backend()


def chosen_backend() -> str:
    """The backend a fresh Python starts Keras on through aetutor, importing nothing.

    The reader's choice first: ``KERAS_BACKEND`` if set, else the ``backend`` in
    ``$KERAS_HOME/keras.json`` (default ``~/.keras/keras.json``) if it names one other
    than ``"tensorflow"`` (Keras writes that file itself, with ``"tensorflow"``, the first
    time it runs, so that value is not a choice). Otherwise the course's
    :data:`COURSE_BACKEND` if it is installed, else ``"tensorflow"``.
    """
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    configured = _keras_json_backend()
    if configured is not None and configured != "tensorflow":
        return configured
    if importlib.util.find_spec(COURSE_BACKEND) is not None:
        return COURSE_BACKEND
    return "tensorflow"


def _keras_json_backend() -> str | None:
    """The ``backend`` named in Keras's config file, or None without a readable one."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as f:
            backend = json.load(f)["backend"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return backend if isinstance(backend, str) and backend else None


def import_keras_quietly() -> ModuleType:
    """Import Keras on the backend :func:`keras_backend_name` names, without log lines.

    Before Keras's first import, an unset ``KERAS_BACKEND`` is set, in this process only,
    to that backend (so the course's default, JAX, unless the reader chose); a value the
    reader set is never changed. On the TensorFlow backend TensorFlow is imported first,
    quietly (see :func:`import_tensorflow_quietly`); on any other backend it is not
    imported at all.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" not in sys.modules and not os.environ.get("KERAS_BACKEND"):
        os.environ["KERAS_BACKEND"] = keras_backend_name()
    if keras_backend_name() == "tensorflow":
        import_tensorflow_quietly()
    import keras

    return keras


def import_tensorflow_quietly() -> ModuleType:
    """Import TensorFlow (and list its devices) without its start-up log lines."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KMP_WARNINGS", "0")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _silenced_stderr_fd():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # CUDA probing logs once, here
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    tf.get_logger().setLevel(logging.ERROR)
    return tf
