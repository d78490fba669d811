"""Dataset files: atomic, checksum-verified downloads, the IDX format and cached MNIST.

MNIST and Fashion-MNIST ship as IDX files (a tiny header, then raw bytes);
:func:`read_idx` checks the header against the file's length and, optionally,
the payload's SHA-256. :func:`download` never leaves a half-written file behind.
:func:`read_mnist_npz` verifies a cached ``mnist.npz`` before it is used: the
official file by its SHA-256, any other file by its contents (shapes, types,
pixel range, labels). A file is verified once per process; the verdict is kept
keyed by the file's path, size, modification time and inode, so a changed file
is verified again. Nothing here ever deletes or replaces a file the user put
in place; a bad file raises :class:`DatasetError` naming the file and the fix.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aetutor.dataset import DatasetError

__all__ = ["download", "read_idx", "file_sha256", "read_mnist_npz", "MNIST_KEYS"]

MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
"""The arrays an ``mnist.npz`` holds (Keras's layout)."""

# (resolved path, size, mtime_ns, inode) -> True for the official file, False for a
# non-official file whose contents passed the checks. Only verified files are kept.
_VERIFIED: dict[tuple[str, int, int, int], bool] = {}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(
    url: str,
    dest: str | os.PathLike,
    sha256: str | None = None,
    *,
    timeout: float = 30.0,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Fetch ``url`` to ``dest`` atomically: a temporary file, verified, then renamed.

    ``sha256`` checks the downloaded bytes; ``check`` may verify the content
    (for files whose compressed bytes vary between mirrors). On any failure the
    temporary file is removed and ``dest`` is left as it was.
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "file:")):
        raise TypeError(f"url must be an http(s) URL string, got {url!r}")
    if not isinstance(dest, (str, os.PathLike)):
        raise TypeError(f"dest must be a file path, got {dest!r}")
    if sha256 is not None and (
        not isinstance(sha256, str) or len(sha256) != 64 or not _is_hex(sha256)
    ):
        raise ValueError(f"sha256 must be 64 hexadecimal digits or None, got {sha256!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if check is not None and not callable(check):
        raise TypeError(f"check must be a callable path -> None, got {check!r}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
            for block in iter(lambda: resp.read(1 << 20), b""):
                out.write(block)
        if sha256 is not None:
            got = file_sha256(tmp)
            if got != sha256:
                raise DatasetError(
                    f"download of {url} failed its checksum: expected sha256 {sha256}, got {got}."
                    " The server sent a different or damaged file; try again later, or place a"
                    f" good copy at {dest}"
                )
        if check is not None:
            check(tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def read_idx(path: str | os.PathLike, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file (gzip or raw), the format of MNIST and Fashion-MNIST.

    Checks the header against the file length and, when given, the SHA-256 of
    the uncompressed payload.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip magic number
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(
            f"{path} is not a readable IDX file ({exc}); it is probably truncated or corrupt."
            " Delete it and load again to fetch a fresh copy."
        ) from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DatasetError(
            f"{path} does not start with an unsigned-byte IDX header; it is not an MNIST-style"
            " file. Delete it and load again."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DatasetError(
            f"{path} is truncated or padded: its header promises shape {shape} "
            f"({expected:,} bytes) but it holds {len(raw):,}. Delete it and load again."
        )
    if sha256 is not None and _sha256(raw) != sha256:
        raise DatasetError(
            f"{path} holds different data than the official release (checksum mismatch)."
            " Delete it and load again."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _file_key(path: Path) -> tuple[str, int, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def _bad_mnist(path: Path, problem: str) -> DatasetError:
    return DatasetError(
        f"{path} is not a usable MNIST file: {problem}. It was left as it is. Fix or remove"
        " it (aetutor then downloads the official mnist.npz into the Keras cache), or point"
        " AETUTOR_DATA_DIR at a folder with a good copy."
    )


def _mnist_images(path: Path, key: str, x: np.ndarray) -> np.ndarray:
    """Images as float32 in [0, 1]: 8-bit integers 0..255 are divided by 255."""
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise _bad_mnist(
            path, f"{key} has shape {x.shape}, expected 28x28 MNIST digits (n, 28, 28)"
        )
    if len(x) == 0:
        raise _bad_mnist(path, f"{key} holds no images")
    if np.issubdtype(x.dtype, np.integer):
        if x.min() < 0 or x.max() > 255:
            raise _bad_mnist(
                path, f"{key} holds pixel values {x.min()}..{x.max()}, expected 0..255"
            )
        return (x.astype(np.float32) / np.float32(255)).astype(np.float32, copy=False)
    if np.issubdtype(x.dtype, np.floating):
        finite = np.isfinite(x)
        if not finite.all():
            raise _bad_mnist(path, f"{key} holds {int((~finite).sum())} NaN or infinite pixels")
        if x.min() < 0 or x.max() > 1:
            raise _bad_mnist(
                path,
                f"{key} holds float pixels in [{x.min():.4g}, {x.max():.4g}]; float images must"
                " lie in [0, 1] (or store uint8 values 0..255)",
            )
        return x.astype(np.float32)
    raise _bad_mnist(
        path, f"{key} has dtype {x.dtype}; expected uint8 values 0..255 or floats in [0, 1]"
    )


def _mnist_labels(path: Path, key: str, y: np.ndarray, n: int) -> np.ndarray:
    """Labels as int64 digits 0..9, one per image."""
    if y.ndim != 1:
        raise _bad_mnist(path, f"{key} has shape {y.shape}, expected one label per image (n,)")
    if not np.issubdtype(y.dtype, np.integer):
        raise _bad_mnist(path, f"{key} has dtype {y.dtype}, expected integer digit labels")
    if len(y) != n:
        raise _bad_mnist(path, f"{key} holds {len(y)} labels for {n} images")
    if y.min() < 0 or y.max() > 9:
        raise _bad_mnist(path, f"{key} holds labels {y.min()}..{y.max()}, expected digits 0..9")
    return y.astype(np.int64)


def read_mnist_npz(path: str | os.PathLike, sha256: str) -> tuple[tuple[np.ndarray, ...], bool]:
    """Read and verify a cached ``mnist.npz``; never modifies or deletes the file.

    Returns ``((x_train, y_train, x_test, y_test), official)``: images as float32
    in [0, 1] shaped ``(n, 28, 28)``, labels as int64 digits, and whether the
    file is byte for byte the official release (its SHA-256 equals ``sha256``).
    A file that is not the official one is still used when its contents pass
    the checks: four arrays, 28x28 images as uint8 0..255 (or floats in [0, 1])
    with no NaN, integer labels 0..9 shaped ``(n,)``, one per image, at least
    one image in each split. The verdict is remembered for this process, keyed
    by path, size, modification time and inode, so later loads skip the
    checksum. Raises :class:`DatasetError` naming the file and the fix.
    """
    path = Path(path)
    try:
        key = _file_key(path)
    except OSError as exc:
        raise DatasetError(f"cannot read {path} ({exc})") from exc
    known = _VERIFIED.get(key)
    official = known if known is not None else file_sha256(path) == sha256
    try:
        with open(path, "rb") as handle:  # our own handle: closed on every error path
            archive = np.load(handle, allow_pickle=False)
            if not hasattr(archive, "files"):
                raise ValueError("it holds a single array, not an .npz archive")
            with archive:
                missing = [k for k in MNIST_KEYS if k not in archive.files]
                if missing:
                    raise KeyError(f"the arrays {missing} are missing")
                arrays = tuple(archive[k] for k in MNIST_KEYS)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, zlib.error) as exc:
        raise DatasetError(
            f"{path} is not a valid MNIST archive ({type(exc).__name__}: {exc}); it is probably"
            " truncated or corrupt. Delete it and load again to download a"
            " fresh copy, or copy a good mnist.npz there (aetutor never deletes it for you)."
        ) from exc
    x_tr, y_tr, x_te, y_te = arrays
    checked = (
        _mnist_images(path, "x_train", x_tr),
        _mnist_labels(path, "y_train", y_tr, len(x_tr)),
        _mnist_images(path, "x_test", x_te),
        _mnist_labels(path, "y_test", y_te, len(x_te)),
    )
    _VERIFIED[key] = official
    return checked, official
