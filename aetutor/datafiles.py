"""Dataset files: atomic, checksum-verified downloads and the IDX image format.

MNIST and Fashion-MNIST ship as IDX files (a tiny header, then raw bytes);
:func:`read_idx` checks the header against the file's length and, optionally,
the payload's SHA-256. :func:`download` never leaves a half-written file behind.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aetutor.dataset import DatasetError

__all__ = ["download", "read_idx", "file_sha256"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
