"""Numbers the lessons report: per-sample reconstruction errors and friends.

Every function takes NumPy arrays (images or flat vectors, any shape with the
samples on the first axis) and returns one value per sample, so a lesson can
average, histogram or threshold them. The code-space measures
(``knn_accuracy``, ``far_from_data``) summarise a whole set of codes instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import (
    check_finite,
    check_finite_result,
    check_number,
    check_same_shape,
    check_unit_range,
)

__all__ = [
    "ERROR_KINDS",
    "PSNR_MAX_DB",
    "DetectionReport",
    "detection_report",
    "anomaly_labels",
    "checkerboard_energy",
    "far_from_data",
    "knn_accuracy",
    "principal_angles",
    "psnr",
    "reconstruction_error",
]

ERROR_KINDS = ("mse", "mae", "bce")
_EPS = 1e-7  # keeps log() finite in binary cross-entropy, as Keras does


def reconstruction_error(x: ArrayLike, x_hat: ArrayLike, kind: str = "mse") -> np.ndarray:
    """Error between each input and its reconstruction, one float per sample.

    Parameters
    ----------
    x, x_hat : arrays of the same shape, samples on the first axis.
    kind : ``"mse"`` (mean squared error), ``"mae"`` (mean absolute error) or
        ``"bce"`` (binary cross-entropy of ``x_hat`` against targets ``x``,
        both in [0, 1]; the loss the lessons train with).

    Returns
    -------
    errors : float64 array of shape ``(n,)``.
    """
    if not isinstance(kind, str) or kind not in ERROR_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ERROR_KINDS)}, got {kind!r}")
    check = check_unit_range if kind == "bce" else check_finite
    x = check(x, "x").astype(np.float64)
    x_hat = check(x_hat, "x_hat").astype(np.float64)
    check_same_shape(x, x_hat)
    if x.ndim < 1 or len(x) == 0:
        raise ValueError(f"x must hold at least one sample on its first axis, got shape {x.shape}")
    x = x.reshape(len(x), -1)
    x_hat = x_hat.reshape(len(x_hat), -1)
    if x.shape[1] == 0:
        raise ValueError(f"x must hold at least one value per sample, got shape {x.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        if kind == "mse":
            errors = np.mean((x - x_hat) ** 2, axis=1)
        elif kind == "mae":
            errors = np.mean(np.abs(x - x_hat), axis=1)
        else:
            p = np.clip(x_hat, _EPS, 1 - _EPS)
            errors = -np.mean(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
    return check_finite_result(
        errors, "reconstruction_error(x, x_hat)",
        "x and x_hat differ by more than float64 can square (values near 1e154 or beyond); "
        "errors of images in [0, 1] are always finite",
    )


PSNR_MAX_DB = 100.0
"""PSNR reported for an exact reconstruction (infinite in theory): an MSE floor of 1e-10."""


def psnr(x: ArrayLike, x_hat: ArrayLike, data_range: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each image against its reference, in decibels.

    ``PSNR = 10 log10(data_range**2 / MSE)``: higher is better, and every
    halving of the MSE adds about 3 dB. ``x`` is the clean reference and
    ``x_hat`` the corrupted or restored image. An image identical to its
    reference has MSE 0 and, in theory, infinite PSNR; here the MSE is floored
    at ``1e-10 * data_range**2``, so it scores :data:`PSNR_MAX_DB` (100 dB) and
    averages and plots stay finite. Average the per-image values to summarise a
    test set (as image-restoration papers do); that is not the PSNR of the mean
    MSE.

    Returns
    -------
    psnr : float64 array of shape ``(n,)``.
    """
    if isinstance(data_range, (bool, complex, np.complexfloating)) or not isinstance(
        data_range, (int, float, np.number)
    ):
        raise TypeError(f"data_range must be a number (a real one), got {data_range!r}")
    if isinstance(data_range, (int, np.integer)) and data_range > 1e150:  # isfinite(2**64) fails
        raise ValueError(f"data_range must be positive and finite, at most 1e150, got {data_range}")
    if not np.isfinite(float(data_range)) or not 0 < data_range <= 1e150:
        raise ValueError(
            f"data_range must be positive and finite, at most 1e150 (1.0 for images in [0, 1], "
            f"255 for 8-bit images), got {data_range}"
        )
    mse = reconstruction_error(x, x_hat, kind="mse")
    floor = 10 ** (-PSNR_MAX_DB / 10) * float(data_range) ** 2
    return 10 * np.log10(float(data_range) ** 2 / np.maximum(mse, floor))


def _codes(z, name: str) -> np.ndarray:
    z = check_finite(z, name)
    if z.ndim != 2 or len(z) == 0:
        raise ValueError(
            f"{name} must be codes of shape (n, latent_dim) with n >= 1, got {z.shape}"
        )
    return z.astype(np.float64)


def knn_accuracy(
    z_train: ArrayLike, y_train: ArrayLike, z_test: ArrayLike, y_test: ArrayLike, *, k: int = 5
) -> float:
    """Test accuracy of a k-nearest-neighbour classifier fitted on training codes.

    A measure of how well a code space separates the classes: if codes of one
    class sit together, the neighbours of a test code share its label. Codes
    are used as they are (no scaling), so the measure sees the space the model
    built. Returns a float in [0, 1].
    """
    from sklearn.neighbors import KNeighborsClassifier

    from aetutor.validation import check_labels, check_positive_int

    z_train, z_test = _codes(z_train, "z_train"), _codes(z_test, "z_test")
    if z_train.shape[1] != z_test.shape[1]:
        raise ValueError(
            f"z_train and z_test must have the same code length, got {z_train.shape[1]} and "
            f"{z_test.shape[1]}"
        )
    y_train = check_labels(y_train, len(z_train), "y_train")
    y_test = check_labels(y_test, len(z_test), "y_test")
    k = check_positive_int(k, "k")
    if k > len(z_train):
        raise ValueError(
            f"k must be at most the number of training codes ({len(z_train)}), got {k}"
        )
    knn = KNeighborsClassifier(n_neighbors=k).fit(z_train, y_train)
    return float(np.mean(knn.predict(z_test) == y_test))


def far_from_data(
    samples: ArrayLike, reference: ArrayLike, *, percentile: float = 99.0
) -> tuple[float, float]:
    """Fraction of ``samples`` that land far from every ``reference`` code.

    "Far" is relative to the data's own spacing: the threshold is the given
    ``percentile`` of each reference code's distance to its nearest *other*
    reference code, so rescaling all codes together leaves the answer unchanged.
    Held-out codes of the same data score about ``1 - percentile / 100``.
    Returns ``(fraction, threshold)``.
    """
    from sklearn.neighbors import NearestNeighbors

    samples, reference = _codes(samples, "samples"), _codes(reference, "reference")
    if samples.shape[1] != reference.shape[1]:
        raise ValueError(
            f"samples and reference must have the same code length, got {samples.shape[1]} "
            f"and {reference.shape[1]}"
        )
    if len(reference) < 2:
        raise ValueError(f"reference must hold at least 2 codes, got {len(reference)}")
    percentile = check_number(percentile, "percentile")
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile}")
    nn = NearestNeighbors(n_neighbors=2).fit(reference)
    spacing = nn.kneighbors(reference)[0][:, 1]  # column 0 is each code itself
    threshold = float(np.percentile(spacing, float(percentile)))
    distance = nn.kneighbors(samples, n_neighbors=1)[0][:, 0]
    return float(np.mean(distance > threshold)), threshold


@dataclass(frozen=True)
class DetectionReport:
    """How well scores above a threshold find the anomalies (the positive class).

    ``precision``: of the flagged samples, the fraction that are anomalies;
    ``recall``: of the anomalies, the fraction flagged; ``f1`` their harmonic
    mean. ``roc_auc`` and ``average_precision`` judge the scores at every
    threshold at once (0.5 and the anomaly fraction are chance levels).
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    roc_auc: float
    average_precision: float
    tp: int
    fp: int
    tn: int
    fn: int

    def __post_init__(self) -> None:
        counts = {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn}
        for name, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"{name} must be a count (an integer >= 0), got {value!r}")
        if self.tp + self.fn == 0 or self.tn + self.fp == 0:
            raise ValueError(
                "a DetectionReport needs anomalies (tp + fn >= 1) and normal samples "
                f"(tn + fp >= 1), got tp={self.tp}, fn={self.fn}, tn={self.tn}, fp={self.fp}"
            )
        for name in ("threshold", "precision", "recall", "f1", "roc_auc", "average_precision"):
            check_number(getattr(self, name), name)

    @property
    def n_positive(self) -> int:
        """Number of anomalies."""
        return self.tp + self.fn

    @property
    def n_negative(self) -> int:
        """Number of normal samples."""
        return self.tn + self.fp

    @property
    def false_positive_rate(self) -> float:
        """Fraction of normal samples flagged (false alarms)."""
        return self.fp / self.n_negative

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f} | recall {self.recall:.3f} | F1 {self.f1:.3f} | "
            f"ROC AUC {self.roc_auc:.3f} | AP {self.average_precision:.3f} "
            f"(TP {self.tp}, FP {self.fp}, TN {self.tn}, FN {self.fn})"
        )


def anomaly_labels(y_true: ArrayLike, name: str = "y_true") -> np.ndarray:
    """Boolean anomaly flags (True = anomaly) from 0/1 or booleans; both classes must occur.

    Detection scores compare anomalies with normal samples, so a set with only
    one of them cannot be scored.
    """
    from aetutor.validation import check_rank

    y = check_rank(y_true, (1,), name, "one 0/1 label per sample")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(
            f"{name} must hold 0/1 or booleans (1 = anomaly), got values {np.unique(y)[:5]}"
        )
    y = y.astype(bool)
    if y.all() or not y.any():
        raise ValueError(
            f"{name} must contain both anomalies (1) and normal samples (0), got only "
            f"{'anomalies' if y.all() else 'normal samples'}"
        )
    return y


def detection_report(y_true: ArrayLike, scores: ArrayLike, threshold: float) -> DetectionReport:
    """Score an anomaly detector: samples with ``scores > threshold`` are flagged.

    ``y_true`` is True (or 1) for anomalies, the positive class, and False (0)
    for normal samples; ``scores`` are larger for more anomalous samples (for
    example reconstruction errors). Both classes must be present, since ROC AUC
    compares them. Uses scikit-learn's metrics.
    """
    from sklearn import metrics as skm

    from aetutor.validation import check_rank

    y = anomaly_labels(y_true)
    scores = check_rank(check_finite(scores, "scores"), (1,), "scores", "one score per sample")
    if len(scores) != len(y):
        raise ValueError(
            f"y_true and scores must have one entry per sample, got {len(y)} and {len(scores)}"
        )
    threshold = check_number(threshold, "threshold")
    flagged = scores > threshold
    tp = int(np.sum(flagged & y))
    fp = int(np.sum(flagged & ~y))
    fn = int(np.sum(~flagged & y))
    tn = int(np.sum(~flagged & ~y))
    return DetectionReport(
        threshold=float(threshold),
        precision=float(skm.precision_score(y, flagged, zero_division=0.0)),
        recall=float(skm.recall_score(y, flagged, zero_division=0.0)),
        f1=float(skm.f1_score(y, flagged, zero_division=0.0)),
        roc_auc=float(skm.roc_auc_score(y, scores)),
        average_precision=float(skm.average_precision_score(y, scores)),
        tp=tp, fp=fp, tn=tn, fn=fn,
    )


def principal_angles(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Principal angles, in degrees, between the column spaces of ``a`` and ``b``.

    Two subspaces of the same space meet at ``min(k, m)`` angles, smallest
    first: all zero when one contains the other, 90 degrees where they are
    perpendicular. Only the spans count, not the particular columns, so this
    compares, for example, a linear decoder's weight matrix (its columns need
    not be orthonormal) with the top principal components. Uses
    ``scipy.linalg.subspace_angles``.

    Parameters
    ----------
    a : array of shape ``(d, k)``; its ``k`` columns span one subspace of R^d.
    b : array of shape ``(d, m)``; its ``m`` columns span the other.

    Returns
    -------
    angles : float64 array of shape ``(min(k, m),)`` in [0, 90], ascending.

    Raises ``ValueError`` when ``a`` or ``b`` is rank-deficient (its columns
    span fewer than ``k`` or ``m`` dimensions), since then fewer angles exist.
    """
    from scipy.linalg import subspace_angles

    from aetutor.validation import check_rank

    a = check_rank(check_finite(a, "a"), (2,), "a", "vectors as columns, (d, k)")
    b = check_rank(check_finite(b, "b"), (2,), "b", "vectors as columns, (d, m)")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"a and b must have the same number of rows (the space's dimension), got "
            f"{a.shape[0]} and {b.shape[0]}"
        )
    for name, m in (("a", a), ("b", b)):
        if m.shape[1] < 1 or m.shape[1] > m.shape[0]:
            raise ValueError(
                f"{name} must have between 1 and {m.shape[0]} columns, got shape {m.shape}"
            )
        if not np.any(m):
            raise ValueError(f"{name} is all zeros: it spans no subspace")
        rank = int(np.linalg.matrix_rank(m.astype(np.float64)))
        if rank < m.shape[1]:
            # SciPy would return only min(rank_a, rank_b) angles, fewer than documented.
            raise ValueError(
                f"{name} has {m.shape[1]} columns but rank {rank}: some columns are linear "
                "combinations of the others (for example dead units), so it spans a smaller "
                "subspace; drop those columns first"
            )
    angles = np.degrees(subspace_angles(a.astype(np.float64), b.astype(np.float64)))
    return np.sort(np.clip(angles, 0.0, 90.0))[: min(a.shape[1], b.shape[1])]


def checkerboard_energy(x: ArrayLike) -> np.ndarray:
    """Mean power of each image's pixel-scale checkerboard pattern, one float per image.

    For every 2x2 block ``[[a, b], [c, d]]`` the pattern's amplitude is
    ``(a - b - c + d) / 2``: zero on any smooth patch (flat, or a ramp in either
    direction), largest for an alternating ``+ - / - +`` block. The mean of its
    square is the image's energy at the highest spatial frequency, where the
    uneven overlap of a stride-2 transposed convolution leaves its artefacts.
    Images are ``(n, h, w)`` with ``h, w >= 2``.
    """
    x = check_finite(x, "x").astype(np.float64)
    if x.ndim != 3 or x.shape[1] < 2 or x.shape[2] < 2 or len(x) == 0:
        raise ValueError(
            f"x must be a batch of images (n, height, width) with height, width >= 2, "
            f"got shape {x.shape}"
        )
    amplitude = (x[:, :-1, :-1] - x[:, :-1, 1:] - x[:, 1:, :-1] + x[:, 1:, 1:]) / 2
    return np.mean(amplitude**2, axis=(1, 2))
