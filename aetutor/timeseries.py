"""Synthetic multi-sensor signals with labelled anomalies, and sliding windows.

Lesson 05 trains an autoencoder on windows of an anomaly-free stretch of
sensor readings and flags the timesteps it reconstructs badly. This module
makes the readings (several correlated channels: trend, a daily-like cycle and
noise, with injected anomalies whose spans are known exactly), cuts them into
windows, folds per-window errors back onto timesteps, and scores detections
event by event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import (
    check_finite,
    check_number,
    check_positive_int,
    check_rank,
    check_seed,
)

MAX_STEPS = 10_000_000
"""Longest series :func:`sensor_signals` makes and :func:`window_starts` cuts (a memory guard)."""
MAX_CHANNELS = 1_000
"""Most channels :func:`sensor_signals` makes."""

__all__ = [
    "ANOMALY_KINDS",
    "Anomaly",
    "SensorSignals",
    "EventReport",
    "sensor_signals",
    "window_starts",
    "windows",
    "overlap_average",
    "mask_to_spans",
    "detect_spans",
    "match_events",
]

ANOMALY_KINDS = ("spike", "level_shift", "frequency", "drift")


@dataclass(frozen=True)
class Anomaly:
    """One injected anomaly: ``kind`` on ``channel`` over steps ``start`` to ``stop - 1``."""

    kind: str
    start: int
    stop: int
    channel: int

    @property
    def length(self) -> int:
        """Number of affected timesteps."""
        return self.stop - self.start


@dataclass(frozen=True)
class SensorSignals:
    """Readings ``x`` (n_steps, n_channels), the same without anomalies, and the truth.

    ``labels[t]`` is True exactly where an injected anomaly changed a reading;
    ``anomalies`` lists them in time order; ``period`` is the length of one
    "day" in steps.
    """

    x: np.ndarray
    x_clean: np.ndarray
    labels: np.ndarray
    anomalies: tuple[Anomaly, ...]
    period: int
    channel_names: tuple[str, ...]

    @property
    def n_steps(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_channels(self) -> int:
        return int(self.x.shape[1])

    @property
    def spans(self) -> list[tuple[int, int]]:
        """The anomalies' ``(start, stop)`` spans, in time order."""
        return [(a.start, a.stop) for a in self.anomalies]

    def slice(self, start: int, stop: int) -> SensorSignals:
        """Steps ``start:stop`` as a new series; anomalies are clipped and re-indexed."""
        start = check_positive_int(start, "start", 0)
        stop = check_positive_int(stop, "stop", 0)
        if not 0 <= start < stop <= self.n_steps:
            raise ValueError(f"need 0 <= start < stop <= {self.n_steps}, got {start}:{stop}")
        kept = tuple(
            Anomaly(a.kind, max(a.start, start) - start, min(a.stop, stop) - start, a.channel)
            for a in self.anomalies
            if a.start < stop and a.stop > start
        )
        return SensorSignals(
            x=self.x[start:stop],
            x_clean=self.x_clean[start:stop],
            labels=self.labels[start:stop],
            anomalies=kept,
            period=self.period,
            channel_names=self.channel_names,
        )


def _lengths(kind: str, period: int) -> tuple[int, int]:
    """Smallest and largest span (inclusive) of each anomaly kind, in steps."""
    if kind == "spike":
        return 1, 3
    return period, 3 * period


def sensor_signals(
    n_steps: int = 12_000,
    n_channels: int = 4,
    *,
    period: int = 48,
    n_anomalies: int = 8,
    kinds: Sequence[str] = ANOMALY_KINDS,
    anomaly_free: int = 0,
    trend: float = 0.3,
    noise: float = 0.1,
    seed: int = 0,
) -> SensorSignals:
    """Correlated sensor readings with injected, labelled anomalies.

    Every channel mixes the same hidden sources (a daily cycle of ``period``
    steps, its second harmonic, and a slow trend: a linear rise of ``trend``
    over the record plus a wave lasting 30-50 periods) with its own gains,
    phase, offset and scale, plus independent Gaussian noise (``noise``); sizes
    are in units of the channel's scale, where the daily cycle's amplitude is
    about 1. The channels move together, as real sensors on one machine do.
    Then ``n_anomalies`` anomalies, cycling through ``kinds``, are injected
    into single channels after the first ``anomaly_free`` steps:

    - ``spike``: 1-3 steps far outside the normal range;
    - ``level_shift``: a constant offset for one to three periods;
    - ``frequency``: the daily cycle runs 2.5-4 times faster for one to three periods;
    - ``drift``: an offset that grows linearly, then snaps back (a sensor losing calibration).

    Spans never overlap and are separated by at least one period, so each is
    one event. The same ``seed`` gives the same series.
    """
    n_steps = check_positive_int(n_steps, "n_steps", 2, maximum=MAX_STEPS)
    n_channels = check_positive_int(n_channels, "n_channels", maximum=MAX_CHANNELS)
    if n_steps * n_channels > MAX_STEPS:
        raise ValueError(
            f"n_steps * n_channels must be at most {MAX_STEPS:,} readings, got "
            f"{n_steps:,} * {n_channels:,}"
        )
    period = check_positive_int(period, "period", 4, maximum=n_steps)
    n_anomalies = check_positive_int(n_anomalies, "n_anomalies", 0, maximum=n_steps)
    anomaly_free = check_positive_int(anomaly_free, "anomaly_free", 0)
    seed = check_seed(seed)
    trend = check_number(trend, "trend")
    noise = check_number(noise, "noise")
    if isinstance(kinds, (str, bytes)) or not hasattr(kinds, "__iter__"):
        raise TypeError(f"kinds must be a list of anomaly kinds {ANOMALY_KINDS}, got {kinds!r}")
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in ANOMALY_KINDS]
    if not kinds or unknown:
        raise ValueError(
            f"kinds must be a non-empty selection of {ANOMALY_KINDS}, got {kinds!r}"
        )
    if not np.isfinite(trend):
        raise ValueError(f"trend must be a finite number, got {trend}")
    if not noise >= 0:
        raise ValueError(f"noise must be a standard deviation >= 0, got {noise}")
    if anomaly_free >= n_steps:
        raise ValueError(f"anomaly_free must be below n_steps={n_steps}, got {anomaly_free}")

    rng = np.random.default_rng(seed)
    t = np.arange(n_steps, dtype=np.float64)
    # Hidden sources shared by every channel.
    day = 2 * np.pi * t / period
    slow = 2 * np.pi * t / (period * rng.uniform(30, 50))
    slow_trend = trend * t / n_steps + 0.3 * np.sin(slow + rng.uniform(0, 2 * np.pi))
    # Per-channel mixing: gains, phases, offsets and scales.
    amp = rng.uniform(0.8, 1.4, n_channels)
    phase = rng.uniform(-0.8, 0.8, n_channels)
    harm = rng.uniform(0.1, 0.4, n_channels)
    harm_phase = rng.uniform(0, 2 * np.pi, n_channels)
    gain = rng.uniform(0.5, 1.5, n_channels)
    offset = rng.uniform(-10, 30, n_channels)
    scale = rng.uniform(0.5, 5.0, n_channels)

    unit = np.empty((n_steps, n_channels))
    for c in range(n_channels):
        unit[:, c] = (amp[c] * np.sin(day + phase[c]) + harm[c] * np.sin(2 * day + harm_phase[c])
                      + gain[c] * slow_trend + noise * rng.standard_normal(n_steps))
    x_clean = offset + scale * unit

    # Place the anomalies: one per equal slot of the anomalous stretch, with gaps.
    delta = np.zeros_like(unit)
    anomalies: list[Anomaly] = []
    if n_anomalies:
        slot = (n_steps - anomaly_free) / n_anomalies
        longest = max(_lengths(k, period)[1] for k in kinds)
        if slot < longest + 2 * period:
            raise ValueError(
                f"{n_anomalies} anomalies need at least {longest + 2 * period} steps each after "
                f"anomaly_free={anomaly_free}, but n_steps={n_steps} leaves {slot:.0f}: "
                "use more steps or fewer anomalies"
            )
        order = [kinds[i % len(kinds)] for i in range(n_anomalies)]
        order = [order[i] for i in rng.permutation(n_anomalies)]
        for i, kind in enumerate(order):
            lo, hi = _lengths(kind, period)
            length = int(rng.integers(lo, hi + 1))
            first = int(anomaly_free + i * slot) + period
            last = int(anomaly_free + (i + 1) * slot) - period - length
            start = int(rng.integers(first, last + 1))
            stop = start + length
            c = int(rng.integers(n_channels))
            sign = rng.choice([-1.0, 1.0])
            span = slice(start, stop)
            if kind == "spike":
                delta[span, c] = sign * rng.uniform(4, 6, length)
            elif kind == "level_shift":
                delta[span, c] = sign * rng.uniform(1.5, 2.5)
            elif kind == "frequency":
                speed = rng.uniform(2.5, 4.0)
                # Phase runs `speed` times faster inside the span, starting one step early
                # so that every labelled step differs from the normal cycle.
                local = day[span] + (speed - 1) * 2 * np.pi * (t[span] - start + 1) / period
                delta[span, c] = amp[c] * (np.sin(local + phase[c]) - np.sin(day[span] + phase[c]))
            else:  # drift
                delta[span, c] = sign * rng.uniform(2.0, 3.0) * np.arange(1, length + 1) / length
            anomalies.append(Anomaly(kind, start, stop, c))

    x = x_clean + scale * delta
    labels = np.zeros(n_steps, dtype=bool)
    for a in anomalies:
        labels[a.start:a.stop] = True
    return SensorSignals(
        x=x.astype(np.float32),
        x_clean=x_clean.astype(np.float32),
        labels=labels,
        anomalies=tuple(anomalies),
        period=period,
        channel_names=tuple(f"sensor {c}" for c in range(n_channels)),
    )


def window_starts(n_steps: int, size: int, step: int = 1) -> np.ndarray:
    """First step of each window: ``0, step, 2*step, ...``, plus one flush with the end.

    The extra last window (when ``step`` does not divide ``n_steps - size``)
    makes sure every timestep is covered by at least one window.
    """
    n_steps = check_positive_int(n_steps, "n_steps", maximum=MAX_STEPS)
    size = check_positive_int(size, "size")
    step = check_positive_int(step, "step")
    if size > n_steps:
        raise ValueError(f"window size must be at most the series length {n_steps}, got {size}")
    starts = np.arange(0, n_steps - size + 1, step)
    if starts[-1] != n_steps - size:
        starts = np.append(starts, n_steps - size)
    return starts


def windows(x: ArrayLike, size: int, step: int = 1) -> np.ndarray:
    """Cut a series (n_steps,) or (n_steps, n_channels) into overlapping windows.

    Returns an array (n_windows, size) or (n_windows, size, n_channels), a copy,
    with windows starting at :func:`window_starts`.
    """
    x = check_rank(check_finite(x, "x"), (1, 2), "x", "a series (n_steps,) or (n_steps, channels)")
    starts = window_starts(len(x), size, step)
    return x[starts[:, None] + np.arange(size)]


def overlap_average(values: ArrayLike, n_steps: int, size: int, step: int = 1) -> np.ndarray:
    """Per-timestep average of per-window values, over every window covering the step.

    ``values`` is (n_windows, size) or (n_windows, size, k), one value per
    position in each window (for example a squared error), for the windows
    :func:`windows` made with the same ``n_steps``, ``size`` and ``step``.
    Returns (n_steps,) or (n_steps, k).
    """
    values = check_rank(check_finite(values, "values"), (2, 3), "values",
                        "(n_windows, size) or (n_windows, size, k)")
    starts = window_starts(n_steps, size, step)
    if values.shape[:2] != (len(starts), size):
        raise ValueError(
            f"values must have shape ({len(starts)}, {size}, ...) for n_steps={n_steps}, "
            f"size={size}, step={step}, got {values.shape}"
        )
    index = (starts[:, None] + np.arange(size)).ravel()
    counts = np.bincount(index, minlength=n_steps).astype(np.float64)
    flat = values.reshape(len(index), -1).astype(np.float64)
    sums = np.stack([np.bincount(index, weights=flat[:, k], minlength=n_steps)
                     for k in range(flat.shape[1])], axis=1)
    out = sums / counts[:, None]
    return out[:, 0] if values.ndim == 2 else out


def mask_to_spans(mask: ArrayLike) -> list[tuple[int, int]]:
    """Runs of True in a boolean series, as ``(start, stop)`` pairs (stop exclusive)."""
    mask = check_rank(mask, (1,), "mask", "one flag per timestep").astype(bool)
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()))


def detect_spans(errors: ArrayLike, threshold: float, *, merge_gap: int = 0,
                 min_length: int = 1) -> list[tuple[int, int]]:
    """Spans where ``errors`` exceed ``threshold``: the detections.

    Spans separated by at most ``merge_gap`` steps are merged into one (an
    error curve that dips briefly under the threshold is still one event), and
    spans shorter than ``min_length`` steps are dropped.
    """
    errors = check_rank(check_finite(errors, "errors"), (1,), "errors", "one error per timestep")
    merge_gap = check_positive_int(merge_gap, "merge_gap", 0)
    min_length = check_positive_int(min_length, "min_length")
    threshold = check_number(threshold, "threshold")
    merged: list[list[int]] = []
    for start, stop in mask_to_spans(errors > threshold):
        if merged and start - merged[-1][1] <= merge_gap:
            merged[-1][1] = stop
        else:
            merged.append([start, stop])
    return [(a, b) for a, b in merged if b - a >= min_length]


@dataclass(frozen=True)
class EventReport:
    """Event-level detection: which true events were caught, and the false alarms."""

    detected: tuple[bool, ...]
    n_detections: int
    n_false_alarms: int
    n_steps: int

    def __post_init__(self) -> None:
        if not isinstance(self.detected, tuple):
            raise TypeError(f"detected must be a tuple of booleans, got {self.detected!r}")
        check_positive_int(self.n_steps, "n_steps")  # false alarms are counted per step
        check_positive_int(self.n_detections, "n_detections", 0)
        check_positive_int(self.n_false_alarms, "n_false_alarms", 0, maximum=self.n_detections)

    @property
    def n_events(self) -> int:
        return len(self.detected)

    @property
    def n_detected(self) -> int:
        return int(sum(self.detected))

    @property
    def recall(self) -> float:
        """Fraction of true events overlapped by at least one detection."""
        return self.n_detected / self.n_events if self.n_events else float("nan")

    @property
    def false_alarms_per_1000(self) -> float:
        """False alarms (detections that overlap no true event) per 1,000 timesteps."""
        return 1000.0 * self.n_false_alarms / self.n_steps

    def __str__(self) -> str:
        return (
            f"{self.n_detected} of {self.n_events} events detected; {self.n_false_alarms} false "
            f"alarm(s) among {self.n_detections} detections = "
            f"{self.false_alarms_per_1000:.2f} per 1,000 steps"
        )


def _as_spans(spans, name: str, n_steps: int) -> list[tuple[int, int]]:
    out = []
    if isinstance(spans, (str, bytes)) or not hasattr(spans, "__iter__"):
        raise TypeError(f"{name} must be a list of (start, stop) pairs, got {spans!r}")
    for s in spans:
        if isinstance(s, Anomaly):
            start, stop = s.start, s.stop
        elif (isinstance(s, (tuple, list)) and len(s) == 2
              and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in s)):
            start, stop = s
        else:
            raise TypeError(f"each of {name} must be a pair of integers (start, stop), got {s!r}")
        if not 0 <= start < stop <= n_steps:
            raise ValueError(
                f"each of {name} must be (start, stop) with 0 <= start < stop <= {n_steps}, "
                f"got {(start, stop)}"
            )
        out.append((int(start), int(stop)))
    return out


def match_events(true_spans, detected_spans, n_steps: int) -> EventReport:
    """Score detections event by event.

    A true event (an :class:`Anomaly` or a ``(start, stop)`` pair) counts as
    detected when at least one detected span overlaps it; a detected span that
    overlaps no true event is a false alarm.
    """
    n_steps = check_positive_int(n_steps, "n_steps")
    truth = _as_spans(true_spans, "true_spans", n_steps)
    found = _as_spans(detected_spans, "detected_spans", n_steps)

    def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    detected = tuple(any(overlap(t, d) for d in found) for t in truth)
    false_alarms = sum(not any(overlap(d, t) for t in truth) for d in found)
    return EventReport(detected=detected, n_detections=len(found),
                       n_false_alarms=int(false_alarms), n_steps=n_steps)
