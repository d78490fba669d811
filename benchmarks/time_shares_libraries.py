"""Patches of :mod:`benchmarks.time_shares_profiler` for scikit-learn and matplotlib.

:func:`patch_sklearn` times the methods in :data:`SKLEARN_METHODS` of every
``sklearn.base.BaseEstimator`` subclass as "sklearn", also of classes created
later (an ``__init_subclass__`` hook); :func:`patch_matplotlib` times rendering
(``FigureCanvasBase.print_figure``, which the inline backend's ``flush_figures``
reaches through IPython's PNG formatter; ``FigureCanvasAgg.draw``;
``Figure.savefig``) and building figures (``pyplot.figure`` / ``subplots`` /
``subplot_mosaic`` and every ``aetutor.plots`` function) as "drawing".

In a kernel each figure is drawn twice after its cell: pyplot's ``post_execute``
hook (``_draw_all_if_interactive``) draws stale figures with
``FigureCanvasAgg.draw`` through ``draw_idle``, then the inline backend renders
them to PNG (``print_figure``); the report's per-function list shows both.
"""

from __future__ import annotations

import inspect
from typing import Any

from benchmarks.time_shares_profiler import patch_method, timed

__all__ = ["SKLEARN_METHODS", "patch_matplotlib", "patch_sklearn"]

SKLEARN_METHODS = (
    "fit", "transform", "fit_transform", "inverse_transform", "predict", "predict_proba",
    "predict_log_proba", "decision_function", "fit_predict", "score", "score_samples",
    "kneighbors", "kneighbors_graph", "radius_neighbors",
)


def _patch_sklearn_class(cls: type) -> None:
    for name in SKLEARN_METHODS:
        patch_method(cls, name, "sklearn")


def _all_subclasses(cls: type) -> list[type]:
    seen, todo = [], [cls]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def patch_sklearn() -> None:
    from sklearn.base import BaseEstimator

    for cls in _all_subclasses(BaseEstimator):
        _patch_sklearn_class(cls)
    if getattr(BaseEstimator, "__time_shares_hook__", False):
        return
    own = BaseEstimator.__dict__.get("__init_subclass__")

    def __init_subclass__(cls: type, **kwargs: Any) -> None:  # noqa: N807
        if own is not None:
            own.__func__(cls, **kwargs)
        else:
            super(BaseEstimator, cls).__init_subclass__(**kwargs)
        _patch_sklearn_class(cls)

    BaseEstimator.__init_subclass__ = classmethod(__init_subclass__)
    BaseEstimator.__time_shares_hook__ = True


def patch_matplotlib() -> None:
    import matplotlib.pyplot as plt
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    patch_method(FigureCanvasBase, "print_figure", "drawing")
    patch_method(FigureCanvasAgg, "draw", "drawing")
    patch_method(Figure, "savefig", "drawing")
    for name in ("figure", "subplots", "subplot_mosaic"):
        setattr(plt, name, timed(getattr(plt, name), "drawing"))

    import aetutor.plots as plots

    modules = {plots} | {m for m in vars(plots).values() if inspect.ismodule(m)
                         and m.__name__.startswith("aetutor.plots.")}
    for module in modules:
        for name in getattr(module, "__all__", []):
            fn = getattr(module, name, None)
            if inspect.isfunction(fn):
                setattr(module, name, timed(fn, "drawing"))
