"""Training curves: loss per epoch, for one model or several side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from aetutor.plots._common import new_axes

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes

__all__ = ["training_curves"]


def _as_history(h: Any, name: str) -> dict[str, np.ndarray]:
    """A Keras ``History``, its ``.history`` dict, or a dict of per-epoch lists."""
    h = getattr(h, "history", h)
    if not isinstance(h, Mapping):
        raise TypeError(
            f"{name} must be a Keras History or a dict of per-epoch values such as "
            f"{{'loss': [...], 'val_loss': [...]}}, got {type(h).__name__}"
        )
    if not h:
        raise ValueError(f"{name} is empty: it holds no per-epoch values (was the model trained?)")
    out = {}
    for key, values in h.items():
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{name}[{key!r}] must be a list of per-epoch numbers, got {values!r:.60}"
            ) from exc
        if arr.ndim != 1 or len(arr) == 0:
            raise ValueError(f"{name}[{key!r}] must be a non-empty list of per-epoch numbers")
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"{name}[{key!r}] holds NaN or infinite values: training diverged "
                "(try a smaller learning rate)"
            )
        out[key] = arr
    return out


def _is_single(h: Any) -> bool:
    h = getattr(h, "history", h)
    return isinstance(h, Mapping) and all(
        isinstance(v, (list, tuple, np.ndarray)) for v in h.values()
    )


def training_curves(history, *, metric: str = "loss", ax: Axes | None = None, log: bool = False,
                    title: str | None = None) -> Axes:
    """Plot ``metric`` (and ``val_<metric>`` when present) against the epoch.

    ``history`` is one Keras ``History``/dict, or a mapping of run names to
    histories (e.g. ``{"latent 2": h2, "latent 8": h8}``) drawn in one Axes.
    The legend carries each curve's final value. Returns the Axes.
    """
    if not isinstance(metric, str):
        raise TypeError(f"metric must be the name of a logged metric, e.g. 'loss', got {metric!r}")
    if _is_single(history):
        runs = {"": history}
    elif isinstance(history, Mapping):
        runs = dict(history)
    else:
        raise TypeError(
            "history must be a Keras History, a dict of per-epoch values such as "
            "{'loss': [...]}, or a dict of run names to those, got "
            f"{type(history).__name__}"
        )
    histories = {}  # every run is checked before the figure is made, so nothing half-drawn is left
    for run, h in runs.items():
        h = _as_history(h, f"history[{run!r}]" if run else "history")
        if metric not in h:
            raise ValueError(f"metric {metric!r} not in history; it holds {sorted(h, key=str)}")
        histories[run] = h
    ax = new_axes(ax)
    for i, (run, h) in enumerate(histories.items()):
        color = f"C{i}"
        prefix = f"{run}: " if run else ""
        for key, style in ((metric, "-"), (f"val_{metric}", "--")):
            if key in h:
                epochs = np.arange(1, len(h[key]) + 1)
                kind = "validation" if key.startswith("val_") else "training"
                ax.plot(epochs, h[key], style, color=color,
                        label=f"{prefix}{kind} (final {h[key][-1]:.4g})")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole: no 2.5 ticks
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=8, ncols=2 if len(ax.lines) > 4 else 1)
    ax.set_title(title or f"{metric} per epoch")
    return ax
