"""The ``Dataset`` every loader returns: train and test images with labels.

Kept apart from the loaders in :mod:`aetutor.data` so the container (checks,
flat views, class subsets) reads on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from aetutor.validation import check_positive_int, check_seed, check_unit_range

__all__ = ["Dataset", "DatasetError"]


class DatasetError(RuntimeError):
    """A dataset could not be loaded: the message names the file or choice and the fix."""


@dataclass(frozen=True)
class Dataset:
    """Train and test images with labels, as float32 in [0, 1].

    Images are ``(n, height, width)``; :meth:`flat` gives ``(n, height*width)``
    views for dense models and ``image_shape`` remembers how to fold them back.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str
    image_shape: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        for attr in ("name", "source"):
            if not isinstance(getattr(self, attr), str):
                raise TypeError(f"{attr} must be a string, got {getattr(self, attr)!r}")
        if not isinstance(self.class_names, tuple) or not all(
            isinstance(c, str) for c in self.class_names
        ):
            raise TypeError(f"class_names must be a tuple of strings, got {self.class_names!r}")
        for part in ("train", "test"):
            x, y = getattr(self, f"x_{part}"), getattr(self, f"y_{part}")
            if not isinstance(x, np.ndarray) or x.dtype != np.float32:
                raise TypeError(f"x_{part} must be a float32 array, got {getattr(x, 'dtype', x)}")
            if x.ndim not in (2, 3):
                raise ValueError(f"x_{part} must be (n, h, w) or (n, features), got {x.shape}")
            if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
                raise TypeError(
                    f"y_{part} must be an integer array of class labels, got "
                    f"{getattr(y, 'dtype', type(y).__name__)}"
                )
            if len(x) != len(y):
                raise ValueError(f"x_{part} has {len(x)} images but y_{part} {len(y)} labels")
            check_unit_range(x, f"x_{part}")  # no NaN, no 0..255 pixels
            if y.ndim != 1:
                raise ValueError(
                    f"y_{part} must have shape (n,), one label per image, got {y.shape}"
                )
            if y.size and (y.min() < 0 or y.max() >= len(self.class_names)):
                raise ValueError(
                    f"y_{part} must hold labels in 0..{len(self.class_names) - 1} (one per class"
                    f" name), got {int(y.min())}..{int(y.max())}"
                )
        if self.x_train.shape[1:] != self.x_test.shape[1:]:
            raise ValueError(
                f"train and test images differ in shape: {self.x_train.shape[1:]} "
                f"vs {self.x_test.shape[1:]}"
            )
        if not self.image_shape:
            object.__setattr__(self, "image_shape", tuple(self.x_train.shape[1:]))

    # -- derived facts
    @property
    def n_classes(self) -> int:
        """Number of classes (length of ``class_names``)."""
        return len(self.class_names)

    @property
    def input_dim(self) -> int:
        """Pixels per image: the input width of a dense model."""
        return int(np.prod(self.image_shape))

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: {len(self.x_train):,} train / {len(self.x_test):,} test, "
            f"images {self.image_shape}, {self.n_classes} classes; {self.source})"
        )

    # -- views
    def flat(self) -> Dataset:
        """The same data with each image flattened to a vector (views, no copy)."""
        return Dataset(
            name=self.name,
            x_train=self.x_train.reshape(len(self.x_train), -1),
            y_train=self.y_train,
            x_test=self.x_test.reshape(len(self.x_test), -1),
            y_test=self.y_test,
            class_names=self.class_names,
            source=self.source,
            image_shape=self.image_shape,
        )

    def subset(
        self,
        classes: Sequence[int] | None = None,
        n_train: int | None = None,
        n_test: int | None = None,
        seed: int = 0,
    ) -> Dataset:
        """Keep only some classes and/or a stratified, seeded sample of each split.

        Labels keep their original values, so ``class_names[y]`` still works.
        """
        rng = np.random.default_rng(check_seed(seed))
        if classes is not None:
            if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
                raise TypeError(f"classes must be a list of integer labels, got {classes!r}")
            classes = list(classes)
            bad = [c for c in classes
                   if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer))]
            if bad:  # 1.7 must not quietly become class 1
                raise TypeError(f"classes must be integer labels, got {bad[:3]} in {classes!r}")
            classes = [int(c) for c in classes]
            unknown = sorted(set(classes) - set(range(self.n_classes)))
            if not classes or unknown:
                raise ValueError(
                    f"classes must be a non-empty list of labels in 0..{self.n_classes - 1}, "
                    f"got {classes}"
                )
        parts = {}
        for part, n in (("train", n_train), ("test", n_test)):
            x, y = getattr(self, f"x_{part}"), getattr(self, f"y_{part}")
            keep = np.arange(len(y)) if classes is None else np.flatnonzero(np.isin(y, classes))
            if n is not None:
                n = check_positive_int(n, f"n_{part}")
                if n < 1 or n > len(keep):
                    raise ValueError(f"n_{part} must be in 1..{len(keep)}, got {n}")
                keep = _stratified_sample(y[keep], n, rng, keep)
            parts[part] = (x[keep], y[keep])
        return Dataset(
            name=self.name,
            x_train=parts["train"][0],
            y_train=parts["train"][1],
            x_test=parts["test"][0],
            y_test=parts["test"][1],
            class_names=self.class_names,
            source=self.source,
            image_shape=self.image_shape,
        )


def _stratified_sample(
    y: np.ndarray, n: int, rng: np.random.Generator, index: np.ndarray
) -> np.ndarray:
    """Pick ``n`` of ``index`` keeping class proportions; returned in original order."""
    classes, counts = np.unique(y, return_counts=True)
    quota = np.floor(counts / counts.sum() * n).astype(int)
    # hand the remainder to the classes with the largest fractional parts
    remainder = counts / counts.sum() * n - quota
    quota[np.argsort(-remainder)[: n - quota.sum()]] += 1
    picked = [
        rng.choice(index[y == c], size=q, replace=False) for c, q in zip(classes, quota) if q
    ]
    return np.sort(np.concatenate(picked))
