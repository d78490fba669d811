"""Anomaly-detection figures: error histograms, ROC/PR curves, thresholds, time series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from aetutor.metrics import anomaly_labels
from aetutor.plots._common import check_magnitude, new_axes
from aetutor.validation import (
    check_finite,
    check_labels,
    check_number,
    check_rank,
    check_same_shape,
)

if TYPE_CHECKING:  # for annotations only: matplotlib loads when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["error_histogram", "roc", "threshold_tradeoff", "error_by_class", "timeseries_errors"]


def _scores(values, name: str) -> np.ndarray:
    arr = check_rank(check_finite(values, name), (1,), name, "one score per sample")
    if len(arr) == 0:
        raise ValueError(f"{name} is empty: nothing to draw")
    return arr.astype(np.float64)


def _groups(errors, name: str = "errors") -> dict[str, np.ndarray]:
    if not isinstance(errors, Mapping):
        return {"": _scores(errors, name)}
    if not errors:
        raise ValueError(f"{name} must map at least one name to an array of scores")
    return {str(k): _scores(v, f"{name}[{k!r}]") for k, v in errors.items()}


def error_histogram(
    errors: ArrayLike | Mapping[str, ArrayLike],
    *,
    threshold: float | None = None,
    bins: int = 40,
    log: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Histograms of per-sample errors for named groups (e.g. normal / anomalous), on shared bins.

    Each group's bars sum to 1 (fractions, not counts), so a small group stays
    visible beside a large one. With ``threshold`` a vertical line is drawn and
    each legend entry says what fraction of the group lies above it. ``log``
    uses logarithmic bins and x-axis (errors are positive and skewed). Returns the Axes.
    """
    groups = _groups(errors)
    if (isinstance(bins, bool) or not isinstance(bins, (int, np.integer))
            or not 2 <= bins <= 10_000):
        raise ValueError(f"bins must be an integer >= 2 (and at most 10,000), got {bins!r}")
    if threshold is not None:
        threshold = check_number(threshold, "threshold")
    values = np.concatenate(list(groups.values()))
    lo, hi = float(values.min()), float(values.max())
    if threshold is not None:
        lo, hi = min(lo, threshold), max(hi, threshold)
    if log:
        if lo <= 0:
            raise ValueError(f"log=True needs positive errors, got a minimum of {lo:.4g}")
        edges = np.geomspace(lo, hi * (1 + 1e-9), bins + 1)
    else:
        edges = np.linspace(lo, hi + 1e-12 * max(1.0, abs(hi)), bins + 1)
    ax = new_axes(ax)
    for i, (name, e) in enumerate(groups.items()):
        label = f"{name} (n={len(e):,})" if name else f"n={len(e):,}"
        if threshold is not None:
            label += f": {np.mean(e > threshold):.0%} above"
        weights = np.full(len(e), 1.0 / len(e))  # each group sums to 1, whatever its size
        ax.hist(e, bins=edges, weights=weights, histtype="stepfilled", alpha=0.35, color=f"C{i}")
        ax.hist(e, bins=edges, weights=weights, histtype="step", lw=1.5, color=f"C{i}",
                label=label)
    if threshold is not None:
        ax.axvline(threshold, color="k", ls="--", lw=1.2, label=f"threshold {threshold:.4g}")
    if log:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        # label 1, 2 and 5 times each power of ten as plain numbers; minor ticks unlabelled
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("reconstruction error")
    ax.set_ylabel("fraction of the group per bin")
    ax.legend(fontsize=8)
    ax.set_title(title or "reconstruction errors")
    return ax


def roc(
    y_true: ArrayLike, scores: ArrayLike | Mapping[str, ArrayLike], *, title: str | None = None
) -> Figure:
    """ROC curve and precision-recall curve side by side, anomalies as the positive class.

    ``scores`` is one array or a mapping of method names to arrays (all
    higher = more anomalous), drawn on the same axes so methods compare at a
    glance. Legends carry ROC AUC and average precision; dotted lines mark
    chance (the diagonal, and the anomaly fraction). Returns the Figure.
    """
    import matplotlib.pyplot as plt
    from sklearn import metrics as skm

    groups = _groups(scores, "scores")
    y = anomaly_labels(y_true)
    for name, s in groups.items():
        if len(s) != len(y):
            raise ValueError(f"scores[{name!r}] has {len(s)} entries, y_true {len(y)}")
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    for i, (name, s) in enumerate(groups.items()):
        fpr, tpr, _ = skm.roc_curve(y, s)
        prec, rec, _ = skm.precision_recall_curve(y, s)
        prefix = f"{name}: " if name else ""
        ax_roc.plot(fpr, tpr, color=f"C{i}", label=f"{prefix}AUC {skm.roc_auc_score(y, s):.3f}")
        ax_pr.step(rec, prec, where="post", color=f"C{i}",
                   label=f"{prefix}AP {skm.average_precision_score(y, s):.3f}")
    ax_roc.plot([0, 1], [0, 1], "k:", lw=1, label="chance 0.5")
    ax_pr.axhline(y.mean(), color="k", ls=":", lw=1, label=f"chance {y.mean():.3f}")
    ax_roc.set(xlabel="false positive rate (normal flagged)",
               ylabel="true positive rate (anomalies found)", title="ROC curve",
               xlim=(-0.01, 1.01), ylim=(-0.01, 1.01))
    ax_pr.set(xlabel="recall", ylabel="precision", title="precision-recall curve",
              xlim=(-0.01, 1.01), ylim=(0, 1.02))
    for ax in (ax_roc, ax_pr):
        ax.legend(fontsize=8, loc="lower right" if ax is ax_roc else "best")
    if title:
        fig.suptitle(title)
    return fig


def threshold_tradeoff(percentiles: Sequence[float], precision: Sequence[float],
                       recall: Sequence[float], *, f1: Sequence[float] | None = None,
                       chosen: float | None = None, ax: Axes | None = None,
                       title: str | None = None) -> Axes:
    """Precision, recall (and F1) against the threshold percentile of normal validation errors.

    A higher percentile means a higher threshold: fewer false alarms (precision
    up) but more missed anomalies (recall down). ``chosen`` marks the
    percentile the lesson uses. Returns the Axes.
    """
    p = _scores(percentiles, "percentiles")
    curves = {"precision": precision, "recall": recall}
    if f1 is not None:
        curves["F1"] = f1
    for name, values in curves.items():
        v = curves[name] = _scores(values, name)
        if len(v) != len(p):
            raise ValueError(
                f"{name} must have one value per percentile: percentiles has {len(p)}, "
                f"{name} has {len(v)}"
            )
    if chosen is not None:
        chosen = check_number(chosen, "chosen")
    ax = new_axes(ax)
    for i, (name, v) in enumerate(curves.items()):
        ax.plot(p, v, "o-", ms=3, color=f"C{i}", label=name)
    if chosen is not None:
        ax.axvline(chosen, color="k", ls="--", lw=1, label=f"chosen: {chosen:g}th percentile")
    ax.set(xlabel="threshold = this percentile of normal validation errors", ylabel="score",
           ylim=(-0.02, 1.02))
    ax.legend(fontsize=8)
    ax.set_title(title or "the threshold trades precision for recall")
    return ax


def error_by_class(errors: ArrayLike, y: ArrayLike, *, class_names: Sequence[str] | None = None,
                   normal: int | None = None, ax: Axes | None = None,
                   title: str | None = None) -> Axes:
    """Mean reconstruction error per class as bars, lowest first, with standard errors.

    Classes whose errors are lowest look most like what the model was trained
    on; ``normal`` (the training class) is drawn in a different colour.
    Returns the Axes.
    """
    errors = check_magnitude(_scores(errors, "errors"), "errors")
    y = check_labels(y, len(errors))  # labels >= 0: -1 would index the last class name
    if normal is not None and (isinstance(normal, bool)
                               or not isinstance(normal, (int, np.integer))):
        raise TypeError(f"normal must be an integer class label or None, got {normal!r}")
    classes = np.unique(y)
    if class_names is not None and classes.max() >= len(class_names):
        raise ValueError(
            f"class_names has {len(class_names)} names but y holds label {classes.max()}"
        )
    means = np.array([errors[y == c].mean() for c in classes])
    sems = np.array([errors[y == c].std(ddof=1) / np.sqrt(np.sum(y == c))
                     if np.sum(y == c) > 1 else 0.0 for c in classes])
    order = np.argsort(means)
    colors = ["C1" if classes[i] == normal else "C0" for i in order]
    ax = new_axes(ax, figsize=(8, 3.5))
    pos = np.arange(len(order))
    ax.bar(pos, means[order], yerr=sems[order], color=colors, capsize=3)
    labels = [str(class_names[classes[i]]) if class_names is not None else str(classes[i])
              for i in order]
    ax.set_xticks(pos, labels, rotation=30 if max(map(len, labels)) > 3 else 0)
    ax.set_ylabel("mean reconstruction error")
    if (normal is not None and normal in classes and len(classes) > 1
            and means[classes == normal][0] > 0):  # a ratio to an error of 0 means nothing
        ratio = np.sort(means[classes != normal])[0] / means[classes == normal][0]
        heading = f"lowest other class: {ratio:.1f}x the normal class's error"
    else:
        heading = "mean error per class"
    ax.set_title(title or heading)
    return ax


def timeseries_errors(x: ArrayLike, x_hat: ArrayLike, errors: ArrayLike, threshold: float, *,
                      true_spans: Sequence[tuple[int, int]] = (),
                      detected_spans: Sequence[tuple[int, int]] = (),
                      channel_names: Sequence[str] | None = None, t0: int = 0,
                      title: str | None = None) -> Figure:
    """Signals with their reconstructions, and the error curve with its threshold.

    One panel per channel of ``x`` (n_steps, n_channels) with ``x_hat`` drawn
    over it, then the per-timestep ``errors`` (log scale) with the
    ``threshold``. True anomaly spans are shaded red: ``(start, stop)`` pairs in
    every channel panel, ``(start, stop, channel)`` triples or objects with
    ``.start``/``.stop``/``.channel`` (such as :class:`aetutor.timeseries.Anomaly`)
    only in the panel of the channel they lie on; all of them in the error
    panel. Spans too short to see at the figure's width (a 1-3 step spike on
    a long axis) are widened to a visible minimum and marked with a red
    triangle above the panel. Detected spans are marked as orange bars under
    the error curve. ``t0`` offsets the time axis. The error panel's title
    counts the true spans that a detection overlaps. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    x = check_rank(check_finite(x, "x"), (2,), "x", "(n_steps, n_channels)")
    x_hat = check_finite(x_hat, "x_hat")
    check_same_shape(x, x_hat)
    errors = _scores(errors, "errors")
    if len(errors) != len(x):
        raise ValueError(f"errors must have one value per timestep ({len(x)}), got {len(errors)}")
    # Bounded: the error panel is on a log scale, and a threshold near the float limit
    # overflows its tick arithmetic.
    threshold = check_number(threshold, "threshold", low=0.0, low_open=True, high=1e100)
    if np.any(errors <= 0):
        raise ValueError("errors must be positive (they are drawn on a log scale)")
    n_steps, n_channels = x.shape
    names = list(channel_names) if channel_names is not None else [
        f"channel {c}" for c in range(n_channels)]
    if len(names) != n_channels:
        raise ValueError(f"channel_names has {len(names)} names for {n_channels} channels")

    def as_spans(spans, name, with_channel=False):
        out = []
        for s in spans:
            if hasattr(s, "start"):
                a, b, c = s.start, s.stop, getattr(s, "channel", None)
            elif len(s) == 3 and with_channel:
                a, b, c = s
            elif len(s) == 2:
                (a, b), c = s, None
            else:
                raise ValueError(f"{name} must hold (start, stop) pairs"
                                 + (" or (start, stop, channel) triples" if with_channel else "")
                                 + f", got {tuple(s)!r}")
            if not 0 <= a < b <= n_steps:
                raise ValueError(f"{name} must lie in 0..{n_steps}, got {(a, b)}")
            if c is not None and not 0 <= c < n_channels:
                raise ValueError(f"{name}: channel must lie in 0..{n_channels - 1}, got {c}")
            out.append((int(a), int(b), None if c is None else int(c)))
        return out

    truth = as_spans(true_spans, "true_spans", with_channel=True)
    found = [(a, b) for a, b, _ in as_spans(detected_spans, "detected_spans")]
    t = t0 + np.arange(n_steps)
    fig, axes = plt.subplots(n_channels + 1, 1, figsize=(11.8, 1.3 * n_channels + 2.6), sharex=True,
                             gridspec_kw={"height_ratios": [1] * n_channels + [1.6]},
                             layout="constrained")
    for c in range(n_channels):
        ax = axes[c]
        ax.plot(t, x[:, c], color="0.25", lw=0.6, label="signal")
        ax.plot(t, x_hat[:, c], color="C0", lw=0.8, alpha=0.8, label="reconstruction")
        ax.set_ylabel(names[c], rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0))
    ax = axes[-1]
    ax.plot(t, errors, color="C2", lw=0.7, label="error per timestep")
    ax.axhline(threshold, color="k", ls="--", lw=1, label=f"threshold {threshold:.3g}")
    ax.set_yscale("log")
    low = errors.min() / 2
    ax.set_ylim(low / 2, errors.max() * 2)
    min_width = n_steps / 400  # so that one-step detections stay visible on a long axis
    for a, b in found:
        pad = max(0.0, (min_width - (b - a)) / 2)
        ax.plot([t0 + a - pad, t0 + b - 1 + pad], [low, low], color="C1", lw=5,
                solid_capstyle="butt")
    for a, b, c in truth:
        pad = max(0.0, (min_width - (b - a)) / 2)  # short events get a visible minimum width
        for panel in [axes[c], ax] if c is not None else axes:
            panel.axvspan(t0 + a - 0.5 - pad, t0 + b - 0.5 + pad, color="red",
                          alpha=0.3 if pad else 0.15, lw=0)
            if pad:  # and a marker above the panel, so a 1-step spike cannot hide
                panel.plot(t0 + (a + b - 1) / 2, 1.0, "v", color="red", ms=5, clip_on=False,
                           transform=panel.get_xaxis_transform())
    ax.plot([], [], color="C1", lw=5, label="detected spans")
    ax.fill_between([], [], color="red", alpha=0.15, label="true anomalies")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.005, 1.0))
    ax.set_xlabel("timestep")
    ax.set_ylabel("error")
    hit = sum(any(a < d and c < b for c, d in found) for a, b, _ in truth)
    ax.set_title(f"{hit} of {len(truth)} true anomalies overlapped by a detection; "
                 f"{len(found)} detected spans", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
