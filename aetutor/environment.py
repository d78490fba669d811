"""``at.setup()``: the one place that seeds, quiets logs and sets the figure style.

Every lesson calls it once at the top, so a run repeats exactly and looks the
same on every machine.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import random
import sys
from dataclasses import dataclass
from types import ModuleType

import numpy as np

__all__ = ["setup", "describe_environment", "Environment", "COURSE_STYLE",
           "import_tensorflow_quietly"]

COURSE_STYLE: dict[str, object] = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "axes.titleweight": "bold",
    "image.cmap": "gray",
    "image.interpolation": "nearest",
    "legend.frameon": False,
    "font.size": 10,
}
"""matplotlib settings the course figures are drawn with."""


@dataclass(frozen=True)
class Environment:
    """What ``setup()`` found: printed as one line, returned for the curious."""

    seed: int | None
    python: str
    numpy: str
    tensorflow: str
    keras: str
    device: str

    def __str__(self) -> str:
        return (
            f"aetutor: seed {self.seed} | Python {self.python} | NumPy {self.numpy} | "
            f"TensorFlow {self.tensorflow} | Keras {self.keras} | {self.device}"
        )


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


def setup(seed: int = 42, *, style: bool = True, deterministic: bool = True,
          verbose: bool = True) -> None:
    """Seed Python, NumPy and Keras; make TensorFlow deterministic; set the course style.

    Parameters
    ----------
    seed : the seed for every random generator the lesson uses, an integer in
        0..2**32 - 1 (the range Keras and ``PYTHONHASHSEED`` accept). Every
        argument is checked before any state (environment, seeds, style) changes.
    style : apply :data:`COURSE_STYLE` to matplotlib.
    deterministic : make TensorFlow ops deterministic (same seed, same losses).
    verbose : print a one-line summary of versions and device.

    Returns nothing, so a notebook cell ending in ``at.setup()`` shows only the
    printed line; :func:`describe_environment` gives the same facts as data.
    """
    # Validate every argument before anything changes: a seed Keras later refuses must not
    # first land in PYTHONHASHSEED, where it would kill every child Python at start-up.
    from aetutor.validation import check_bool, check_seed

    seed = check_seed(seed, "seed")
    check_bool(style, "style")
    check_bool(deterministic, "deterministic")
    check_bool(verbose, "verbose")
    tf = import_tensorflow_quietly()
    os.environ["PYTHONHASHSEED"] = str(seed)

    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)  # Python, NumPy and the backend together
    if deterministic:
        tf.config.experimental.enable_op_determinism()

    if style:
        import matplotlib as mpl

        mpl.rcParams.update(COURSE_STYLE)

    if verbose:
        print(describe_environment(seed))


def describe_environment(seed: int | None = None) -> Environment:
    """Versions and compute device of this session (imports TensorFlow quietly)."""
    tf = import_tensorflow_quietly()
    import keras

    gpus = tf.config.list_physical_devices("GPU")
    device = f"GPU x{len(gpus)}" if gpus else f"CPU ({os.cpu_count()} cores)"
    env = Environment(
        seed=seed,
        python=platform.python_version(),
        numpy=np.__version__,
        tensorflow=tf.__version__,
        keras=keras.__version__,
        device=device,
    )
    return env
