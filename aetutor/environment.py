"""``at.setup()``: the one place that seeds, quiets logs and sets the figure style.

Every lesson calls it once at the top, so a run repeats exactly and looks the
same on every machine.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from aetutor.backend import (
    COURSE_BACKEND,
    import_keras_quietly,
    import_tensorflow_quietly,
    keras_backend_name,
)

__all__ = ["setup", "describe_environment", "Environment", "COURSE_STYLE",
           "import_tensorflow_quietly", "keras_backend_name", "import_keras_quietly",
           "BACKEND_LABELS", "COURSE_BACKEND", "draw_inline_figures_once"]

BACKEND_LABELS: dict[str, str] = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch",
                                  "numpy": "NumPy"}
"""How the summary line names each Keras backend's framework."""

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
    backend: str = "tensorflow"
    backend_version: str = ""

    def __str__(self) -> str:
        label = BACKEND_LABELS.get(self.backend, self.backend)
        version = self.tensorflow if self.backend == "tensorflow" else self.backend_version
        framework = f"{label} {version} | " if self.backend != "numpy" else ""
        return (
            f"aetutor: seed {self.seed} | Python {self.python} | NumPy {self.numpy} | "
            f"{framework}Keras {self.keras} ({self.backend}) | {self.device}"
        )


def setup(seed: int = 42, *, style: bool = True, deterministic: bool = True,
          verbose: bool = True) -> None:
    """Seed Python, NumPy and Keras; make the backend deterministic; set the course style.

    Works on any Keras backend; TensorFlow is imported only when it is the backend.
    The same seed gives the same numbers on the same machine and backend; other
    backends draw and sum differently, so their numbers differ.

    Parameters
    ----------
    seed : the seed for every random generator the lesson uses, an integer in
        0..2**32 - 1 (the range Keras and ``PYTHONHASHSEED`` accept). Every
        argument is checked before any state (environment, seeds, style) changes.
    style : apply :data:`COURSE_STYLE` to matplotlib.
    deterministic : make TensorFlow ops deterministic (same seed, same losses); other
        backends (JAX on CPU) are deterministic already.
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
    keras = import_keras_quietly()
    os.environ["PYTHONHASHSEED"] = str(seed)

    random.seed(seed)
    np.random.seed(seed)
    _set_keras_seed(keras, seed)  # Python, NumPy and the backend together
    if deterministic and keras.backend.backend() == "tensorflow":
        import_tensorflow_quietly().config.experimental.enable_op_determinism()

    if style:
        import matplotlib as mpl

        mpl.rcParams.update(COURSE_STYLE)
    draw_inline_figures_once()

    if verbose:
        print(describe_environment(seed))


def draw_inline_figures_once(shell: object | None = None) -> bool:
    """In a notebook with inline figures, skip a drawing of each figure that nobody sees.

    After every cell, pyplot redraws each open figure (its IPython ``post_execute`` hook),
    and then the inline backend renders the same figures again to show them as PNGs: the
    first drawing is thrown away, and in the lessons it costs several percent of the run. With
    the inline backend this removes pyplot's hook from ``shell`` (default: the running
    IPython), so only the picture you see is drawn; interactive backends (ipympl, Qt) keep
    it. Returns True if the hook was removed. Outside IPython it does nothing.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    if not callable(getattr(getattr(shell, "events", None), "unregister", None)):
        raise TypeError("shell must be an IPython shell (with .events.unregister) or None, "
                        f"got {type(shell).__name__}")
    import matplotlib as mpl

    if "inline" not in str(mpl.get_backend()).lower():
        return False
    import matplotlib.pyplot as plt  # in IPython, installs pyplot's hook if not yet there

    redraw = getattr(plt, "_draw_all_if_interactive", None)
    try:
        shell.events.unregister("post_execute", redraw)  # type: ignore[attr-defined]
    except ValueError:  # not registered: already removed, or pyplot never installed it
        return False
    return True


def _set_keras_seed(keras: ModuleType, seed: int) -> None:
    """``keras.utils.set_random_seed``, without importing TensorFlow on other backends.

    Keras seeds TensorFlow too whenever it is installed (for ``tf.data`` pipelines),
    importing it; on another backend that import is blocked for the call, so Keras
    skips it. A Keras that cannot do without it gets TensorFlow after all.
    """
    if keras.backend.backend() == "tensorflow" or "tensorflow" in sys.modules:
        keras.utils.set_random_seed(seed)
        return
    sys.modules["tensorflow"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        keras.utils.set_random_seed(seed)
    except ImportError:
        del sys.modules["tensorflow"]
        keras.utils.set_random_seed(seed)
    finally:
        if sys.modules.get("tensorflow", 0) is None:
            del sys.modules["tensorflow"]


def describe_environment(seed: int | None = None) -> Environment:
    """Versions, Keras backend and compute device of this session.

    Imports the backend quietly; TensorFlow only when it is the backend (else
    ``tensorflow`` is its installed version, or ``"-"``, read without importing it).
    """
    keras = import_keras_quietly()
    backend = keras.backend.backend()
    gpus = _accelerators(backend)
    device = f"GPU x{gpus}" if gpus else f"CPU ({os.cpu_count()} cores)"
    env = Environment(
        seed=seed,
        python=platform.python_version(),
        numpy=np.__version__,
        tensorflow=_installed_version("tensorflow"),
        keras=keras.__version__,
        device=device,
        backend=backend,
        backend_version=_installed_version(_BACKEND_PACKAGES.get(backend, backend)),
    )
    return env


_BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch",
                     "numpy": "numpy"}


def _installed_version(package: str) -> str:
    """``package``'s version: from the module if imported, else its metadata, else "-"."""
    module = sys.modules.get(package)
    if module is not None and getattr(module, "__version__", None):
        return str(module.__version__)
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def _accelerators(backend: str) -> int:
    """How many GPUs ``backend`` computes on (0 on CPU)."""
    if backend == "tensorflow":
        return len(import_tensorflow_quietly().config.list_physical_devices("GPU"))
    if backend == "jax":
        import jax

        return sum(d.platform == "gpu" for d in jax.devices())
    if backend == "torch":
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    return 0
