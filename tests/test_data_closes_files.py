"""A corrupt mnist.npz is rejected without leaving its file open (no ResourceWarning)."""

from __future__ import annotations

import gc
import io
import warnings

import numpy as np
import pytest

from aetutor.data import DatasetError, _read_mnist_npz


@pytest.mark.parametrize("cut", [200, 8])
def test_a_corrupt_npz_is_rejected_and_its_file_closed(tmp_path, cut):
    buf = io.BytesIO()
    np.savez(buf, x_train=np.zeros((2, 28, 28)), y_train=np.zeros(2),
             x_test=np.zeros((2, 28, 28)), y_test=np.zeros(2))  # fmt: skip
    path = tmp_path / "mnist.npz"
    path.write_bytes(buf.getvalue()[:cut])  # starts like a zip, then ends
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DatasetError, match="not a valid MNIST archive"):
            _read_mnist_npz(path)
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, f"the rejected file was left open: {leaks[0].message}"
