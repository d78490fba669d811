"""Every dataset source, with small files the tests write themselves (no network)."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

import aetutor as at
import aetutor.data as data
from aetutor.data import Dataset, DatasetError

# --------------------------------------------------------------------------- helpers


def write_mnist_npz(path: Path, n_train: int = 30, n_test: int = 10, seed: int = 0) -> Path:
    """A miniature mnist.npz with the real file's keys, dtypes and image size."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=np.arange(n_train, dtype=np.uint8) % 10,
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=np.arange(n_test, dtype=np.uint8) % 10,
    )
    return path


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array in the IDX format MNIST and Fashion-MNIST use."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def write_fashion_dir(folder: Path, monkeypatch, n_train: int = 20, n_test: int = 10) -> dict:
    """Four small IDX .gz files, and the checksum table patched to match them."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(n_train) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(n_test) % 10,
    }
    folder.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, arr in arrays.items():
        payload = idx_bytes(arr)
        (folder / name).write_bytes(gzip.compress(payload))
        digests[name] = hashlib.sha256(payload).hexdigest()
    monkeypatch.setattr(data, "FASHION_FILES", digests)
    return arrays


@pytest.fixture
def file_server(tmp_path):
    """A loopback HTTP server over a temporary folder; yields (folder, base_url)."""
    root = tmp_path / "served"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep pytest output clean
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on: connecting fails at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist.npz"


def check_dataset(ds: Dataset, name: str, image_shape=(28, 28)) -> None:
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.float32
        assert x.shape[1:] == image_shape
        assert 0.0 <= x.min() and x.max() <= 1.0
        assert y.dtype == np.int64 and len(y) == len(x)
    assert ds.name == name
    assert ds.n_classes == 10 and len(ds.class_names) == 10
    assert ds.source


# --------------------------------------------------------------------------- bundled sets


def test_mnist_5k_is_a_stratified_seeded_4000_1000_split(isolated_data):
    ds = at.load_dataset("mnist_5k")
    check_dataset(ds, "mnist_5k")
    assert (len(ds.x_train), len(ds.x_test)) == (4000, 1000)
    assert np.bincount(ds.y_train).tolist() == [400] * 10
    assert np.bincount(ds.y_test).tolist() == [100] * 10
    assert ds.x_train.max() == 1.0  # scaled from 0..255, not left as 8-bit values
    again = at.load_dataset("mnist_5k")
    np.testing.assert_array_equal(ds.x_train, again.x_train)
    np.testing.assert_array_equal(ds.y_test, again.y_test)
    # no test image is also a training image
    train_rows = {row.tobytes() for row in ds.x_train.reshape(4000, -1)}
    assert not any(row.tobytes() in train_rows for row in ds.x_test.reshape(1000, -1))


def test_digits_are_8x8_in_unit_range(isolated_data):
    ds = at.load_dataset("digits")
    check_dataset(ds, "digits", image_shape=(8, 8))
    assert (len(ds.x_train), len(ds.x_test)) == (1437, 360)
    assert ds.x_train.max() == 1.0


# --------------------------------------------------------------------------- MNIST


def test_mnist_from_aetutor_data_dir(isolated_data, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "mydata"
    write_mnist_npz(folder / "mnist.npz", n_train=30, n_test=10)
    monkeypatch.setenv("AETUTOR_DATA_DIR", str(folder))
    ds = at.load_dataset("mnist")
    check_dataset(ds, "mnist")
    assert (len(ds.x_train), len(ds.x_test)) == (30, 10)
    assert str(folder / "mnist.npz") in ds.source
    assert "'mnist'" in capsys.readouterr().out


def test_mnist_from_keras_cache(isolated_data):
    write_mnist_npz(isolated_data / "mnist.npz", n_train=12, n_test=4)
    ds = at.load_dataset("mnist")
    assert len(ds.x_train) == 12 and "cached" in ds.source


def test_truncated_mnist_cache_names_the_file_and_the_fix(isolated_data):
    path = write_mnist_npz(isolated_data / "mnist.npz")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DatasetError, match=r"mnist\.npz.*(truncated|corrupt).*Delete it"):
        at.load_dataset("mnist")


def test_mnist_with_wrong_image_size_is_rejected(isolated_data):
    isolated_data.mkdir(parents=True)
    np.savez(
        isolated_data / "mnist.npz",
        x_train=np.zeros((3, 8, 8), np.uint8), y_train=np.zeros(3, np.uint8),
        x_test=np.zeros((3, 8, 8), np.uint8), y_test=np.zeros(3, np.uint8),
    )  # fmt: skip
    with pytest.raises(DatasetError, match="28x28"):
        at.load_dataset("mnist")


def test_mnist_download_is_verified_and_cached(isolated_data, file_server, monkeypatch):
    root, url = file_server
    served = write_mnist_npz(root / "mnist.npz", n_train=16, n_test=8)
    monkeypatch.setattr(data, "MNIST_URL", url + "mnist.npz")
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(served.read_bytes()).hexdigest())
    ds = at.load_dataset("mnist")
    assert len(ds.x_train) == 16 and "downloaded" in ds.source
    cached = isolated_data / "mnist.npz"
    assert cached.read_bytes() == served.read_bytes()
    assert "cached" in at.load_dataset("mnist").source  # the second load needs no network


def test_mnist_download_with_bad_checksum_leaves_nothing(isolated_data, file_server, monkeypatch):
    root, url = file_server
    write_mnist_npz(root / "mnist.npz")
    monkeypatch.setattr(data, "MNIST_URL", url + "mnist.npz")
    monkeypatch.setattr(data, "MNIST_SHA256", "0" * 64)
    with pytest.raises(DatasetError, match="checksum"):
        at.load_dataset("mnist")
    assert not isolated_data.exists() or list(isolated_data.iterdir()) == []


def test_mnist_unavailable_offline_says_how_to_fix(isolated_data, monkeypatch):
    monkeypatch.setattr(data, "MNIST_URL", closed_port_url())
    with pytest.raises(DatasetError, match="mnist_5k"):
        at.load_dataset("mnist")


def test_download_keeps_existing_file_when_it_fails(tmp_path, file_server):
    root, url = file_server
    (root / "f.bin").write_bytes(b"new contents")
    dest = tmp_path / "f.bin"
    dest.write_bytes(b"old contents")
    with pytest.raises(DatasetError):
        data.download(url + "f.bin", dest, sha256="f" * 64)
    assert dest.read_bytes() == b"old contents"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    with pytest.raises(OSError):
        data.download(url + "missing.bin", dest)
    assert dest.read_bytes() == b"old contents"
    data.download(url + "f.bin", dest, sha256=hashlib.sha256(b"new contents").hexdigest())
    assert dest.read_bytes() == b"new contents"


# --------------------------------------------------------------------------- auto


def test_auto_prefers_cached_full_mnist(isolated_data, capsys):
    write_mnist_npz(isolated_data / "mnist.npz")
    ds = at.load_dataset("auto")
    assert ds.name == "mnist"
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "'mnist' (auto)" in out and "cached" in out


def test_auto_falls_back_to_the_bundled_subset_and_says_why(isolated_data, monkeypatch, capsys):
    monkeypatch.setattr(data, "MNIST_URL", closed_port_url())
    ds = at.load_dataset()
    assert ds.name == "mnist_5k"
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "'mnist_5k' (auto)" in out and "could not be downloaded" in out


def test_environment_variable_chooses_the_dataset(isolated_data, monkeypatch, capsys):
    monkeypatch.setenv("AETUTOR_DATASET", "digits")
    assert at.load_dataset().name == "digits"
    assert "AETUTOR_DATASET" in capsys.readouterr().out
    assert at.load_dataset("mnist_5k").name == "mnist_5k"  # an explicit name wins


def test_unknown_names_list_the_choices(isolated_data, monkeypatch):
    with pytest.raises(ValueError, match="choose one of: auto, mnist, mnist_5k, fashion_mnist"):
        at.load_dataset("cifar10")
    monkeypatch.setenv("AETUTOR_DATASET", "mnist_50k")
    with pytest.raises(ValueError, match="AETUTOR_DATASET"):
        at.load_dataset()
    with pytest.raises(TypeError):
        at.load_dataset(5)


# --------------------------------------------------------------------------- Fashion-MNIST


def test_fashion_mnist_from_aetutor_data_dir(isolated_data, tmp_path, monkeypatch):
    folder = tmp_path / "mydata"
    arrays = write_fashion_dir(folder / "fashion-mnist", monkeypatch, n_train=20, n_test=10)
    monkeypatch.setenv("AETUTOR_DATA_DIR", str(folder))
    ds = at.load_dataset("fashion_mnist")
    check_dataset(ds, "fashion_mnist")
    assert ds.class_names[9] == "Ankle boot"
    np.testing.assert_array_equal(
        ds.x_train, (arrays["train-images-idx3-ubyte.gz"] / 255).astype(np.float32)
    )


def test_fashion_mnist_from_keras_cache(isolated_data, monkeypatch):
    write_fashion_dir(isolated_data / "fashion-mnist", monkeypatch)
    assert len(at.load_dataset("fashion-mnist").x_train) == 20


def test_corrupt_fashion_file_names_the_file(isolated_data, monkeypatch):
    folder = isolated_data / "fashion-mnist"
    write_fashion_dir(folder, monkeypatch)
    bad = folder / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-40])  # truncated gzip stream
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte.gz.*Delete it"):
        at.load_dataset("fashion_mnist")


def test_fashion_payload_checksum_is_enforced(isolated_data, monkeypatch):
    folder = isolated_data / "fashion-mnist"
    write_fashion_dir(folder, monkeypatch)
    monkeypatch.setitem(data.FASHION_FILES, "train-labels-idx1-ubyte.gz", "0" * 64)
    with pytest.raises(DatasetError, match="train-labels.*checksum"):
        at.load_dataset("fashion_mnist")


def test_fashion_download_checks_the_content(isolated_data, file_server, monkeypatch):
    root, url = file_server
    write_fashion_dir(root, monkeypatch, n_train=6, n_test=4)
    monkeypatch.setattr(data, "FASHION_URL", url)
    ds = at.load_dataset("fashion_mnist")
    assert "downloaded" in ds.source and len(ds.x_test) == 4
    assert sorted(p.name for p in (isolated_data / "fashion-mnist").iterdir()) == sorted(
        data.FASHION_FILES
    )


def test_fashion_unavailable_names_the_debian_package(isolated_data, monkeypatch):
    monkeypatch.setattr(data, "FASHION_URL", closed_port_url().rsplit("/", 1)[0] + "/")
    with pytest.raises(DatasetError, match="dataset-fashion-mnist"):
        at.load_dataset("fashion_mnist")


def test_fashion_mnist_from_the_debian_package():
    """The real 70,000 images from /usr/share/datasets (CI installs the package)."""
    if not data.SYSTEM_FASHION_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI must install dataset-fashion-mnist ({data.SYSTEM_FASHION_DIR})")
        pytest.skip("Debian's dataset-fashion-mnist is not installed here")
    ds = data._load_fashion_mnist()
    check_dataset(ds, "fashion_mnist")
    assert (len(ds.x_train), len(ds.x_test)) == (60000, 10000)
    assert np.bincount(ds.y_train).tolist() == [6000] * 10


def test_read_idx_rejects_wrong_headers(tmp_path):
    bad = tmp_path / "x.idx"
    bad.write_bytes(b"PK\x03\x04 not an idx file")
    with pytest.raises(DatasetError, match="IDX header"):
        data.read_idx(bad)
    short = tmp_path / "short.idx"
    short.write_bytes(idx_bytes(np.zeros((4, 3), np.uint8))[:-2])
    with pytest.raises(DatasetError, match=r"shape \(4, 3\)"):
        data.read_idx(short)


# --------------------------------------------------------------------------- Dataset


def small_dataset() -> Dataset:
    rng = np.random.default_rng(0)
    return Dataset(
        name="toy",
        x_train=rng.random((40, 4, 4), dtype=np.float32),
        y_train=np.arange(40) % 4,
        x_test=rng.random((20, 4, 4), dtype=np.float32),
        y_test=np.arange(20) % 4,
        class_names=("a", "b", "c", "d"),
        source="made up in a test",
    )


def test_flat_is_a_view_that_remembers_the_image_shape():
    ds = small_dataset()
    flat = ds.flat()
    assert flat.x_train.shape == (40, 16) and flat.image_shape == (4, 4)
    assert np.shares_memory(flat.x_train, ds.x_train)
    assert ds.input_dim == 16


def test_subset_by_class_and_stratified_size():
    ds = small_dataset()
    sub = ds.subset(classes=[1, 3])
    assert set(sub.y_train) == {1, 3} and len(sub.x_train) == 20
    small = ds.subset(n_train=20, n_test=8, seed=3)
    assert np.bincount(small.y_train).tolist() == [5, 5, 5, 5]
    assert np.bincount(small.y_test).tolist() == [2, 2, 2, 2]
    again = ds.subset(n_train=20, n_test=8, seed=3)
    np.testing.assert_array_equal(small.x_train, again.x_train)
    with pytest.raises(ValueError, match="classes"):
        ds.subset(classes=[7])
    with pytest.raises(ValueError, match="n_train"):
        ds.subset(n_train=41)


def test_dataset_rejects_inconsistent_arrays():
    ds = small_dataset()
    with pytest.raises(ValueError, match="labels"):
        Dataset(ds.name, ds.x_train, ds.y_train[:-1], ds.x_test, ds.y_test, ds.class_names, "")
    with pytest.raises(TypeError, match="float32"):
        Dataset(ds.name, ds.x_train.astype(np.float64), ds.y_train, ds.x_test, ds.y_test,
                ds.class_names, "")  # fmt: skip


def test_available_datasets_reports_sources_without_downloading(isolated_data):
    infos = {i.name: i for i in data.available_datasets()}
    assert set(infos) == set(data.DATASET_NAMES)
    assert not infos["mnist"].available and "download" in infos["mnist"].source
    assert infos["mnist_5k"].available and infos["digits"].available
    write_mnist_npz(isolated_data / "mnist.npz")
    infos = {i.name: i for i in data.available_datasets()}
    assert infos["mnist"].available and str(isolated_data) in infos["mnist"].source


# --------------------------------------------------------------------------- cached-file checks


def _write_arrays(path: Path, **overrides) -> Path:
    """A small mnist.npz whose arrays can be replaced one by one (saved compressed)."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
        "y_train": np.arange(20, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        "y_test": np.arange(10, dtype=np.uint8) % 10,
    }
    arrays.update(overrides)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


BAD_CACHED_FILES = {
    "nan_pixels": ({"x_train": np.full((20, 28, 28), np.nan, np.float32)}, "NaN"),
    "pixels_up_to_1000": ({"x_train": np.full((20, 28, 28), 1000, np.int32)}, "0..255"),
    "float_pixels_0_255": ({"x_test": np.full((10, 28, 28), 255.0)}, r"\[0, 1\]"),
    "label_99": ({"y_train": np.full(20, 99, np.int64)}, "0..9"),
    "label_minus_3": ({"y_test": np.full(10, -3, np.int64)}, "0..9"),
    "labels_n_by_1": ({"y_train": np.zeros((20, 1), np.int64)}, r"\(n,\)"),
    "float_labels": ({"y_train": np.zeros(20, np.float64)}, "integer"),
    "complex_pixels": ({"x_train": np.zeros((20, 28, 28), np.complex64)}, "complex64"),
    "no_training_images": (
        {"x_train": np.zeros((0, 28, 28), np.uint8), "y_train": np.zeros(0, np.uint8)},
        "no images",
    ),
    "labels_too_few": ({"y_test": np.zeros(9, np.uint8)}, "9 labels for 10 images"),
}


@pytest.mark.parametrize("case", sorted(BAD_CACHED_FILES))
def test_invalid_cached_mnist_is_refused_naming_the_file_and_left_in_place(isolated_data, case):
    overrides, why = BAD_CACHED_FILES[case]
    path = _write_arrays(isolated_data / "mnist.npz", **overrides)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    with pytest.raises(DatasetError, match=why) as info:
        at.load_dataset("mnist")
    message = str(info.value)
    assert str(path) in message and "AETUTOR_DATA_DIR" in message
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before  # never deleted or replaced
    with pytest.raises(DatasetError):
        at.load_dataset("auto")  # auto does not quietly fall back past a bad cached file


def test_non_official_but_valid_cached_mnist_is_used_and_announced(isolated_data, capsys):
    _write_arrays(isolated_data / "mnist.npz")
    ds = at.load_dataset("mnist")
    assert (len(ds.x_train), len(ds.x_test)) == (20, 10)
    out = capsys.readouterr().out
    assert "not the official mnist.npz" in out and "20 train / 10 test" in out
    assert "full MNIST" not in out
    at.load_dataset("auto")
    assert "not the official one" in capsys.readouterr().out


def test_float_images_in_unit_range_are_accepted_as_documented(isolated_data):
    x = np.random.default_rng(0).random((20, 28, 28)).astype(np.float32)
    _write_arrays(isolated_data / "mnist.npz", x_train=x)
    ds = at.load_dataset("mnist")
    np.testing.assert_array_equal(ds.x_train, x)


def test_official_cached_mnist_is_checksum_verified_once(isolated_data, monkeypatch, capsys):
    import aetutor.datafiles as datafiles

    path = _write_arrays(isolated_data / "mnist.npz")
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(path.read_bytes()).hexdigest())
    calls = []
    real = datafiles.file_sha256
    monkeypatch.setattr(datafiles, "file_sha256", lambda p: calls.append(p) or real(p))
    assert "checksum verified" in at.load_dataset("mnist").source
    assert "checksum verified" in at.load_dataset("mnist").source
    assert len(calls) == 1  # the verdict is remembered: the second load skips the checksum
    # A changed file (new size and time) is verified again, and now it is not the official one.
    _write_arrays(path, y_test=np.full(10, 3, np.uint8), x_test=np.zeros((10, 28, 28), np.uint8))
    os.utime(path, ns=(1, 1))
    assert "not the official" in at.load_dataset("mnist").source
    assert len(calls) == 2


def test_corrupted_deflate_stream_names_the_file_not_zlib(isolated_data):
    import zipfile

    path = _write_arrays(isolated_data / "mnist.npz")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("x_train.npy")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 20, start + 60):  # scramble the middle of the compressed stream
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    with pytest.raises(DatasetError, match=r"mnist\.npz.*(corrupt).*Delete it") as info_:
        at.load_dataset("mnist")
    assert "error" in str(info_.value) or "Error" in str(info_.value)
    assert path.exists()


def test_bad_cached_file_leaves_no_open_handle(isolated_data, tmp_path):
    """Run in ``python -X dev -W error::ResourceWarning``: an unclosed file would fail."""
    import subprocess
    import sys

    for name, content in (("trunc", b"PK\x03\x04garbage"), ("npy", None)):
        folder = tmp_path / name
        folder.mkdir()
        if content is None:
            np.save(folder / "mnist.npy", np.zeros(3))
            (folder / "mnist.npy").rename(folder / "mnist.npz")
        else:
            (folder / "mnist.npz").write_bytes(content)
        code = (
            "import gc, aetutor.data as d\n"
            "try:\n    d.load_dataset('mnist')\nexcept d.DatasetError:\n    pass\n"
            "gc.collect()\n"
        )
        env = {**os.environ, "AETUTOR_DATA_DIR": str(folder)}
        proc = subprocess.run(
            [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", code],
            capture_output=True, text=True, env=env, timeout=120,
        )
        assert proc.returncode == 0 and "ResourceWarning" not in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    "change, error, match",
    [
        ({"x_train": np.full((40, 4, 4), np.nan, np.float32)}, ValueError, "x_train.*finite"),
        ({"x_test": np.full((20, 4, 4), 255, np.float32)}, ValueError, r"x_test.*\[0, 1\]"),
        ({"y_train": np.array(["a"] * 40)}, TypeError, "y_train.*integer"),
        ({"y_train": np.zeros((40, 1), np.int64)}, ValueError, r"y_train.*\(n,\)"),
        ({"y_test": np.full(20, 7)}, ValueError, r"y_test.*0\.\.3"),
        ({"y_test": np.zeros(20, np.complex64)}, TypeError, "y_test"),
        ({"x_test": np.zeros((20, 4, 4), np.complex64)}, TypeError, "float32"),
    ],
)
def test_dataset_constructor_rejects_bad_arrays(change, error, match):
    ds = small_dataset()
    parts = {"x_train": ds.x_train, "y_train": ds.y_train, "x_test": ds.x_test,
             "y_test": ds.y_test, **change}  # fmt: skip
    with pytest.raises(error, match=match):
        Dataset("toy", class_names=ds.class_names, source="", **parts)


def test_subset_refuses_non_integer_classes():
    ds = small_dataset()
    for bad in ([1.7], ["1"], [True], 1):
        with pytest.raises(TypeError, match="classes"):
            ds.subset(classes=bad)
    with pytest.raises(TypeError, match="n_train"):
        ds.subset(n_train=2.5)
    with pytest.raises(TypeError, match="seed"):
        ds.subset(n_train=4, seed="1")
