"""Learning from few labels: random labelled subsets, and a linear classifier on features.

An autoencoder's code is learnt without labels. Whether it is a good
representation shows when labels are scarce: draw ``per_class`` labelled
images of each class (:func:`label_draw`, several seeds for the spread), fit
a linear classifier on their features (:func:`linear_probe`) and score it on
the test set. The same two functions serve every kind of feature (codes,
pixels, PCA), so the comparison is fair.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from aetutor.validation import check_finite, check_labels, check_positive_int

__all__ = ["label_draw", "linear_probe"]


def label_draw(y: ArrayLike, per_class: int | None, seed: int = 0) -> np.ndarray:
    """Indices of ``per_class`` randomly chosen samples of each class, in increasing order.

    Parameters
    ----------
    y : integer labels of the pool to draw from, shape ``(n,)``.
    per_class : how many labelled samples of each class; ``None`` takes them all.
    seed : seed of the draw; different seeds give different labelled subsets.

    Raises ``ValueError`` when a class has fewer than ``per_class`` samples.
    """
    y = check_labels(y, np.size(y), "y")
    if len(y) == 0:
        raise ValueError("y must hold at least one label")
    if per_class is None:
        return np.arange(len(y))
    per_class = check_positive_int(per_class, "per_class")
    seed = check_positive_int(seed, "seed", minimum=0)
    classes, counts = np.unique(y, return_counts=True)
    if per_class > counts.min():
        raise ValueError(
            f"per_class must be at most {counts.min()} (the size of the smallest class, "
            f"{classes[counts.argmin()]}), got {per_class}; use None to take every sample"
        )
    rng = np.random.default_rng(seed)
    picked = [rng.choice(np.flatnonzero(y == c), size=per_class, replace=False) for c in classes]
    return np.sort(np.concatenate(picked))


def _features(f, name: str) -> np.ndarray:
    f = check_finite(f, name)
    if f.ndim < 2 or len(f) == 0:
        raise ValueError(
            f"{name} must be features of shape (n, ...) with n >= 1 and one row per sample, "
            f"got shape {f.shape}"
        )
    return f.reshape(len(f), -1).astype(np.float64)


def linear_probe(
    f_train: ArrayLike,
    y_train: ArrayLike,
    f_test: ArrayLike,
    y_test: ArrayLike,
    *,
    c: float = 1.0,
    max_iter: int = 500,
) -> float:
    """Test accuracy of a logistic-regression classifier fitted on features.

    The features (codes, pixels, PCA coordinates; images are flattened) are
    standardised with the training set's mean and spread, then a multinomial
    logistic regression with L2 strength ``1 / c`` is fitted: a *linear*
    read-out, so the score says how much class information the features hold
    in a form a straight cut can use. Returns a float in [0, 1].
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    f_train, f_test = _features(f_train, "f_train"), _features(f_test, "f_test")
    if f_train.shape[1] != f_test.shape[1]:
        raise ValueError(
            "f_train and f_test must have the same number of features, got "
            f"{f_train.shape[1]} and {f_test.shape[1]}"
        )
    y_train = check_labels(y_train, len(f_train), "y_train")
    y_test = check_labels(y_test, len(f_test), "y_test")
    if len(np.unique(y_train)) < 2:
        raise ValueError("y_train must hold at least two classes to train a classifier")
    if isinstance(c, bool) or not isinstance(c, (int, float, np.integer, np.floating)) or not (
        np.isfinite(c) and c > 0
    ):
        raise ValueError(f"c must be a positive number, got {c!r}")
    max_iter = check_positive_int(max_iter, "max_iter")
    model = make_pipeline(StandardScaler(), LogisticRegression(C=float(c), max_iter=max_iter))
    # One BLAS thread: the solver's matrix products are small, and on a 2-core CPU a second
    # OpenBLAS thread made a 784-pixel probe several times slower, not faster. Same result.
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(f_train, y_train)
        return float(np.mean(model.predict(f_test) == y_test))
