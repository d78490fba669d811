"""Kernel-side profiler of :mod:`benchmarks.time_shares`: where a lesson's cell time goes.

:mod:`benchmarks.time_shares` injects a first cell into a *copy* of a lesson that
imports this module and calls :func:`install`, and a last cell that prints
:func:`report_line`. :func:`install` patches classes in that kernel only:

- training: ``keras.Model.fit`` / ``train_on_batch``, and
  ``aetutor.numpy_ae`` (``NumpyAutoencoder.fit`` / ``backward`` and the NumPy
  optimizers' ``step``);
- inference: ``keras.Model.predict`` / ``evaluate`` / ``predict_on_batch`` /
  ``test_on_batch``, eager calls of any Keras layer or model (``Layer.__call__``
  on real tensors; building a model on symbolic inputs is not counted), and
  the NumPy autoencoder's ``forward`` / ``encode`` / ``decode`` / ``reconstruct``
  / ``loss``;
- scikit-learn: ``fit``, ``transform``, ``fit_transform``, ``predict``,
  ``predict_proba``, ``kneighbors`` ... of every ``sklearn.base.BaseEstimator``
  subclass, also of those imported later (``__init_subclass__`` hook);
- drawing: rendering (``FigureCanvasBase.print_figure``, which the inline
  backend's ``flush_figures`` reaches through IPython's PNG formatter after every
  cell; ``FigureCanvasAgg.draw``; ``Figure.savefig``), building figures
  (``pyplot.figure`` / ``subplots`` and every ``aetutor.plots`` function).

Times are wall seconds (``time.perf_counter``) and exclusive: a call nested in
another counted call is absorbed by it when the outer one is training,
inference or scikit-learn (``predict`` inside ``fit``'s validation is
training); drawing alone yields to the computation it calls, so a plotting
helper that runs a model counts that model's time as inference. The total is
the time of every lesson cell (IPython's ``pre_run_cell`` to ``post_run_cell``,
which includes the inline backend drawing the cell's figures); the time of the
injected first cell (importing Keras, scikit-learn and matplotlib, which the
lesson needs anyway, and patching) is reported apart as ``setup_seconds``.

For every Keras ``fit`` the profiler also records the optimizer steps, the
seconds inside the compiled train function (the steps themselves, without
callbacks, validation and the epoch loop; the first call includes tracing and
compilation) and the model's forward multiply-accumulates per sample
(:func:`benchmarks.model_flops.forward_macs`), from which
:mod:`benchmarks.time_shares` derives FLOPs per step (training ~ 3 x forward,
forward = 2 x MACs) and the FLOP/s achieved.
"""

from __future__ import annotations

import functools
import inspect
import json
import math
import time
from typing import Any

from benchmarks.model_flops import forward_macs

__all__ = [
    "CATEGORIES",
    "MARKER",
    "forward_macs",
    "install",
    "patch_method",
    "report",
    "report_line",
    "timed",
]

CATEGORIES = ("training", "inference", "sklearn", "drawing")
MARKER = "TIME_SHARES_JSON "
"""Prefix of the one line the injected last cell prints (JSON follows)."""

_ABSORBING = ("training", "inference", "sklearn")  # these absorb whatever they call


class _State:
    def __init__(self) -> None:
        self.totals = dict.fromkeys(CATEGORIES, 0.0)
        self.calls = dict.fromkeys(CATEGORIES, 0)
        self.stack: list[tuple[str, str]] = []  # (category, label) of the counted calls
        self.by_label: dict[str, float] = {}
        self.mark = 0.0
        self.cell_start: float | None = None
        self.cell_seconds = 0.0
        self.cells = 0
        self.setup_seconds = 0.0
        self.fits: list[dict[str, Any]] = []
        self.numpy_steps = 0
        self.train_fn: dict[str, float] = {"calls": 0, "seconds": 0.0, "first": 0.0}
        self.installed = False

    def credit(self, now: float) -> None:
        """Give the time since the last switch to the innermost counted call."""
        category, label = self.stack[-1]
        self.totals[category] += now - self.mark
        key = f"{category}: {label}"
        self.by_label[key] = self.by_label.get(key, 0.0) + now - self.mark


_S = _State()


# --- exclusive timing --------------------------------------------------------------------


def _label(fn: Any) -> str:
    """``"package Class.method"`` naming a wrapped function in the report."""
    module = getattr(fn, "__module__", None) or "?"
    return f"{module.split('.')[0]} {getattr(fn, '__qualname__', repr(fn))}"


def _enter(category: str, label: str) -> bool:
    """Start counting ``category`` (and ``label``); False when an enclosing call absorbs it."""
    stack = _S.stack
    if stack and (stack[-1][0] in _ABSORBING or stack[-1][0] == category):
        return False
    now = time.perf_counter()
    if stack:
        _S.credit(now)
    stack.append((category, label))
    _S.calls[category] += 1
    _S.mark = now
    return True


def _leave() -> None:
    now = time.perf_counter()
    _S.credit(now)
    _S.stack.pop()
    _S.mark = now


def timed(fn: Any, category: str) -> Any:
    """``fn`` wrapped so that its calls count as ``category`` (see :func:`_enter`)."""
    if getattr(fn, "__time_shares__", False):
        return fn

    label = _label(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _enter(category, label):
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        finally:
            _leave()

    wrapper.__time_shares__ = True
    return wrapper


def patch_method(owner: Any, name: str, category: str) -> None:
    """Time ``owner.name`` as ``category`` when ``owner`` defines it as a plain function."""
    fn = owner.__dict__.get(name)
    if inspect.isfunction(fn):
        setattr(owner, name, timed(fn, category))


# --- training: Keras fit with its steps --------------------------------------------------


def _iterations(model: Any) -> int | None:
    try:
        import keras

        return int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    except Exception:  # noqa: BLE001 - not compiled, or no optimizer
        return None


def _timed_train_function(fn: Any) -> Any:
    if getattr(fn, "__time_shares__", False):
        return fn

    def train_function(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            dt = time.perf_counter() - t0
            stats = _S.train_fn
            if stats["calls"] == 0:
                stats["first"] = dt
            stats["calls"] += 1
            stats["seconds"] += dt

    train_function.__time_shares__ = True
    return train_function


def _wrap_make_train_function(original: Any) -> Any:
    @functools.wraps(original)
    def make_train_function(self: Any, *args: Any, **kwargs: Any) -> Any:
        original(self, *args, **kwargs)
        if self.train_function is not None:
            self.train_function = _timed_train_function(self.train_function)
        return self.train_function

    make_train_function.__time_shares__ = True
    return make_train_function


def _n_samples(x: Any) -> int | None:
    try:
        import keras

        first = keras.tree.flatten(x)[0]
        return int(first.shape[0])
    except Exception:  # noqa: BLE001 - a dataset or generator: unknown
        return None


def _wrap_keras_fit(fit: Any) -> Any:
    signature = inspect.signature(fit)

    @functools.wraps(fit)
    def wrapped_fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _enter("training", "keras Model.fit"):
            return fit(self, *args, **kwargs)
        before = _iterations(self)
        _S.train_fn = {"calls": 0, "seconds": 0.0, "first": 0.0}
        t0 = time.perf_counter()
        history = None
        try:
            history = fit(self, *args, **kwargs)
            return history
        finally:
            seconds = time.perf_counter() - t0
            _leave()
            _record_fit(self, signature, args, kwargs, before, seconds, history)

    wrapped_fit.__time_shares__ = True
    return wrapped_fit


def _record_fit(model: Any, signature: Any, args: tuple, kwargs: dict, before: int | None,
                seconds: float, history: Any) -> None:
    try:
        bound = signature.bind(model, *args, **kwargs).arguments
    except TypeError:
        bound = {}
    after = _iterations(model)
    steps = after - before if after is not None and before is not None else None
    batch_size = bound.get("batch_size") or 32
    n = _n_samples(bound.get("x"))
    epochs_run = len(getattr(history, "epoch", []) or [])
    if n is not None and bound.get("steps_per_epoch") is None and epochs_run:
        samples = n * epochs_run
    elif steps is not None:
        samples = steps * batch_size
    else:
        samples = None
    try:
        macs, counted, skipped = forward_macs(model)
    except Exception as exc:  # noqa: BLE001 - report, never break the lesson
        macs, counted, skipped = None, [], [f"(FLOPs not counted: {type(exc).__name__})"]
    fn = _S.train_fn
    _S.fits.append({
        "model": getattr(model, "name", type(model).__name__),
        "kind": "keras",
        "seconds": seconds,
        "steps": steps,
        "batch_size": batch_size if n is None else min(batch_size, n),
        "samples": samples,
        "train_function_calls": int(fn["calls"]),
        "train_function_seconds": fn["seconds"],
        "first_call_seconds": fn["first"],
        "steps_per_execution": int(getattr(model, "steps_per_execution", 1) or 1),
        "forward_macs_per_sample": macs,
        "counted_layers": len(counted),
        "uncounted_layers": skipped,
    })


# --- training: aetutor's NumPy autoencoder -----------------------------------------------


def _wrap_numpy_fit(fit: Any) -> Any:
    signature = inspect.signature(fit)

    @functools.wraps(fit)
    def wrapped_fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _enter("training", "aetutor NumpyAutoencoder.fit"):
            return fit(self, *args, **kwargs)
        steps_before = _S.numpy_steps
        t0 = time.perf_counter()
        try:
            return fit(self, *args, **kwargs)
        finally:
            seconds = time.perf_counter() - t0
            _leave()
            try:
                bound = signature.bind(self, *args, **kwargs)
                bound.apply_defaults()
                b = bound.arguments
                epochs, batch_size = int(b.get("epochs", 1)), int(b.get("batch_size", 32))
                n = int(len(b["x"]))
                macs = int(sum(w.size for w in self.weights))
            except Exception:  # noqa: BLE001
                epochs = batch_size = n = macs = None
            steps = _S.numpy_steps - steps_before
            _S.fits.append({
                "model": "NumpyAutoencoder " + "-".join(str(s) for s in getattr(self, "sizes", ())),
                "kind": "numpy",
                "seconds": seconds,
                "steps": steps or (math.ceil(n / batch_size) * epochs if n else None),
                "batch_size": batch_size,
                "samples": n * epochs if n is not None else None,
                "train_function_calls": 0,
                "train_function_seconds": None,
                "first_call_seconds": None,
                "steps_per_execution": 1,
                "forward_macs_per_sample": macs,
                "counted_layers": len(getattr(self, "weights", ())),
                "uncounted_layers": [],
            })

    wrapped_fit.__time_shares__ = True
    return wrapped_fit


def _counting_step(step: Any) -> Any:
    timed_step = timed(step, "training")

    @functools.wraps(step)
    def counted(*args: Any, **kwargs: Any) -> Any:
        _S.numpy_steps += 1
        return timed_step(*args, **kwargs)

    counted.__time_shares__ = True
    return counted


# --- installing --------------------------------------------------------------------------


def _patch_keras() -> None:
    # Through aetutor, as the lesson's first cell imports it: a bare `import keras` here, before
    # the lesson's, would start Keras on its own default backend (TensorFlow) instead of the
    # course's, and the whole profile would describe the wrong backend.
    from aetutor.backend import import_keras_quietly

    keras = import_keras_quietly()
    from keras.src.layers.layer import Layer

    model = keras.Model
    fit = model.fit
    if not getattr(fit, "__time_shares__", False):
        model.fit = _wrap_keras_fit(fit)
    make = getattr(model, "make_train_function", None)
    if make is not None and not getattr(make, "__time_shares__", False):
        model.make_train_function = _wrap_make_train_function(make)
    for name, category in (("train_on_batch", "training"), ("predict", "inference"),
                           ("evaluate", "inference"), ("predict_on_batch", "inference"),
                           ("test_on_batch", "inference")):
        method = getattr(model, name, None)
        if method is not None:
            setattr(model, name, timed(method, category))

    call = Layer.__call__
    if getattr(call, "__time_shares__", False):
        return
    symbolic = keras.KerasTensor
    flatten = keras.tree.flatten

    @functools.wraps(call)
    def layer_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _S.stack and _S.stack[-1][0] in _ABSORBING:
            return call(self, *args, **kwargs)
        first = args[0] if args else next(iter(kwargs.values()), None)
        if any(isinstance(t, symbolic) for t in flatten(first)):
            return call(self, *args, **kwargs)  # building a model, not running it
        if not _enter("inference", "keras eager layer/model call"):
            return call(self, *args, **kwargs)
        try:
            return call(self, *args, **kwargs)
        finally:
            _leave()

    layer_call.__time_shares__ = True
    Layer.__call__ = layer_call


def _patch_numpy_ae() -> None:
    from aetutor import numpy_ae

    ae = numpy_ae.NumpyAutoencoder
    if not getattr(ae.fit, "__time_shares__", False):
        ae.fit = _wrap_numpy_fit(ae.fit)
    patch_method(ae, "backward", "training")
    for name in ("forward", "encode", "decode", "reconstruct", "loss"):
        patch_method(ae, name, "inference")
    for opt in (numpy_ae.SGD, numpy_ae.Adam):
        if not getattr(opt.step, "__time_shares__", False):
            opt.step = _counting_step(opt.step)


def _pre_run_cell(*_: Any) -> None:
    _S.cell_start = time.perf_counter()


def _post_run_cell(*_: Any) -> None:
    if _S.cell_start is not None:
        _S.cell_seconds += time.perf_counter() - _S.cell_start
        _S.cells += 1
        _S.cell_start = None
        from benchmarks.time_shares_libraries import patch_sklearn

        patch_sklearn()  # estimators imported by the cell (the hook catches most already)


def install() -> None:
    """Patch Keras, aetutor.numpy_ae, scikit-learn and matplotlib in this kernel; start timing."""
    t0 = time.perf_counter()
    if not _S.installed:
        _patch_keras()
        _patch_numpy_ae()
        from benchmarks.time_shares_libraries import patch_matplotlib, patch_sklearn

        patch_sklearn()
        patch_matplotlib()
        try:
            from IPython import get_ipython

            ip = get_ipython()
        except ImportError:  # pragma: no cover
            ip = None
        if ip is not None:
            ip.events.register("pre_run_cell", _pre_run_cell)
            ip.events.register("post_run_cell", _post_run_cell)
        _S.installed = True
    _S.setup_seconds += time.perf_counter() - t0


def report() -> dict[str, Any]:
    """The totals so far (lesson cells before the current one) as a JSON-ready dict."""
    from aetutor.backend import keras_backend_name

    return {
        "backend": keras_backend_name(),
        "cell_seconds": _S.cell_seconds,
        "cells": _S.cells,
        "setup_seconds": _S.setup_seconds,
        "seconds": dict(_S.totals),
        "calls": dict(_S.calls),
        "by_label": dict(sorted(_S.by_label.items(), key=lambda kv: -kv[1])),
        "fits": list(_S.fits),
    }


def report_line() -> str:
    """:data:`MARKER` followed by :func:`report` as one line of JSON."""
    return MARKER + json.dumps(report())
