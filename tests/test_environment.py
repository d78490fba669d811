"""``import aetutor`` is side-effect free; ``at.setup()`` makes runs repeat."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import aetutor as at
from aetutor.environment import Environment, keras_backend_name


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300
    )


def test_import_has_no_side_effects():
    proc = run_python(
        """
        import json, sys, random
        import numpy as np, matplotlib as mpl
        before = (np.random.get_state()[1][:4].tolist(), random.getstate()[1][:4],
                  dict(mpl.rcParams))
        import aetutor
        after = (np.random.get_state()[1][:4].tolist(), random.getstate()[1][:4],
                 dict(mpl.rcParams))
        print(json.dumps({
            "same_state": before[:2] == after[:2],
            "same_style": before[2] == after[2],
            "tensorflow_imported": "tensorflow" in sys.modules,
        }))
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {
        "same_state": True,
        "same_style": True,
        "tensorflow_imported": False,
    }


def test_setup_prints_one_line_and_keeps_tensorflow_quiet():
    proc = run_python(
        "import sys, aetutor as at; at.setup(seed=3); print('tensorflow' in sys.modules)"
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    backend = keras_backend_name()
    label = {"tensorflow": "TensorFlow", "jax": "JAX"}.get(backend, backend)
    assert len(lines) == 2 and "seed 3" in lines[0] and f"| {label} " in lines[0]
    assert f"({backend})" in lines[0], lines[0]
    assert lines[1] == str(backend == "tensorflow"), "TensorFlow only on its own backend"
    assert "oneDNN" not in proc.stderr and "cuda" not in proc.stderr.lower(), proc.stderr


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_the_summary_line_names_the_backend(backend):
    env = Environment(seed=1, python="3.11.0", numpy="2.0.0", tensorflow="2.20.0",
                      keras="3.15.0", device="CPU (2 cores)", backend=backend,
                      backend_version="0.10.0")  # fmt: skip
    framework = "TensorFlow 2.20.0" if backend == "tensorflow" else "JAX 0.10.0"
    assert f"| {framework} | Keras 3.15.0 ({backend}) | CPU" in str(env)


def test_the_backend_is_read_without_importing_keras(monkeypatch, tmp_path):
    import aetutor.backend as backend

    monkeypatch.setitem(sys.modules, "keras", None)  # as before Keras's first import
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    assert backend.keras_backend_name() == "tensorflow"  # the reader's choice wins
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    installed = {"jax"}
    monkeypatch.setattr(backend.importlib.util, "find_spec",
                        lambda name: object() if name in installed else None)  # fmt: skip
    assert backend.keras_backend_name() == "jax"  # the course's default
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "tensorflow"}))
    assert backend.keras_backend_name() == "jax", "Keras writes 'tensorflow' there itself"
    installed.clear()
    assert backend.keras_backend_name() == "tensorflow"  # no JAX: Keras's own default
    (tmp_path / "keras.json").write_text(json.dumps({"backend": "torch"}))
    assert backend.keras_backend_name() == "torch"  # a choice written there wins
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert backend.keras_backend_name() == "jax"


def test_keras_gets_the_chosen_backend_and_a_set_variable_is_kept(tmp_path):
    """In a fresh Python: aetutor starts Keras on JAX unless KERAS_BACKEND says otherwise."""
    script = ("import os, aetutor.models, keras; "
              "print(keras.backend.backend(), os.environ['KERAS_BACKEND'])")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["KERAS_HOME"] = str(tmp_path)
    for chosen, expected in ((None, "jax jax"), ("numpy", "numpy numpy")):
        if chosen is not None:
            env["KERAS_BACKEND"] = chosen
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, check=True).stdout.split("\n")[-2]  # fmt: skip
        assert out == expected


def _train_once(seed: int) -> list[float]:
    import keras

    at.setup(seed=seed, verbose=False)
    x = np.random.default_rng(0).random((64, 16), dtype=np.float32)
    model = keras.Sequential(
        [keras.Input((16,)), keras.layers.Dense(4, activation="relu"),
         keras.layers.Dropout(0.2), keras.layers.Dense(16, activation="sigmoid")]
    )  # fmt: skip
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, x, epochs=3, batch_size=16, shuffle=True, verbose=0)
    return history.history["loss"]


def test_same_seed_gives_identical_losses():
    first, second = _train_once(7), _train_once(7)
    assert first == second
    assert _train_once(8) != first


def test_setup_applies_the_course_style_and_returns_nothing(capsys):
    import matplotlib as mpl

    from aetutor.environment import describe_environment

    assert at.setup(seed=1) is None  # a cell ending in at.setup() shows only the printed line
    assert capsys.readouterr().out.startswith("aetutor: seed 1 | Python")
    assert mpl.rcParams["image.cmap"] == "gray"
    env = describe_environment(seed=1)
    assert env.seed == 1 and env.backend == keras_backend_name()
    assert env.keras.startswith("3.") and env.device


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True, None, 2**32])
def test_setup_rejects_bad_seeds(seed):
    with pytest.raises((ValueError, TypeError), match="seed must be"):
        at.setup(seed=seed, verbose=False)


@pytest.mark.parametrize(
    "kwargs",
    [{"seed": 2**32}, {"seed": -1}, {"seed": 1, "style": "yes"}, {"seed": 1, "verbose": None}],
)
def test_setup_changes_nothing_before_its_arguments_pass(kwargs, monkeypatch):
    """setup(2**32) once wrote PYTHONHASHSEED=4294967296, killing every child Python."""
    import os
    import random

    import numpy as np

    monkeypatch.setenv("PYTHONHASHSEED", "7")
    random.seed(5)
    np.random.seed(5)
    before = (random.random(), np.random.random())
    random.seed(5)
    np.random.seed(5)
    with pytest.raises((ValueError, TypeError)):
        at.setup(verbose=False, **kwargs)
    assert os.environ["PYTHONHASHSEED"] == "7"
    assert (random.random(), np.random.random()) == before


class _Events:
    def __init__(self, *callbacks):
        self.callbacks = {"post_execute": list(callbacks)}

    def unregister(self, event, callback):
        self.callbacks[event].remove(callback)  # ValueError if absent, as IPython's


def test_inline_figures_lose_only_pyplot_redraw_hook(monkeypatch):
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from aetutor.environment import draw_inline_figures_once

    def flush_figures():  # the inline backend's own hook, which shows the figures
        pass

    shell = type("Shell", (), {})()
    shell.events = _Events(plt._draw_all_if_interactive, flush_figures)
    monkeypatch.setattr(mpl, "get_backend", lambda: "QtAgg")
    assert draw_inline_figures_once(shell) is False, "interactive backends keep the redraw"
    assert len(shell.events.callbacks["post_execute"]) == 2
    monkeypatch.setattr(mpl, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    assert draw_inline_figures_once(shell) is True
    assert shell.events.callbacks["post_execute"] == [flush_figures]
    assert draw_inline_figures_once(shell) is False  # already gone: nothing else is touched
    assert draw_inline_figures_once() is False  # not in IPython
    with pytest.raises(TypeError, match="shell must be an IPython shell .* got int"):
        draw_inline_figures_once(3)


def test_in_a_real_kernel_setup_saves_a_drawing_and_keeps_the_figure(monkeypatch):
    """setup() saves one full drawing of each figure after its cell; the figure still shows.

    (The inline PNG itself takes one or two drawings, depending on versions: bbox "tight".)
    """
    import nbformat
    from nbclient import NotebookClient

    from aetutor.runner import CURRENT_ENV_KERNEL, CurrentEnvKernelManager

    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own default: inline
    count = (
        "from matplotlib.backends.backend_agg import FigureCanvasAgg\n"
        "draws = [0]\n"
        "_draw = FigureCanvasAgg.draw\n"
        "def counted(self, *args, **kwargs):\n"
        "    draws[0] += 1\n"
        "    return _draw(self, *args, **kwargs)\n"
        "FigureCanvasAgg.draw = counted"
    )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (
        count, "import matplotlib.pyplot as plt\nplt.plot([1, 2]);", "print(draws[0])",
        "import aetutor as at\nat.setup(verbose=False)", "draws[0] = 0\nplt.plot([2, 1]);",
        "print(draws[0])",
    )]  # fmt: skip
    NotebookClient(nb, timeout=120, kernel_name=CURRENT_ENV_KERNEL,
                   kernel_manager_class=CurrentEnvKernelManager).execute()  # fmt: skip
    before, after = (int(nb.cells[i].outputs[0]["text"]) for i in (2, 5))
    assert before - after == 1 and after >= 1, (before, after)
    shown = [o for o in nb.cells[4].outputs if "image/png" in o.get("data", {})]
    assert len(shown) == 1, "the figure must still appear under its cell"
