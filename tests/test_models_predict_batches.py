"""Autoencoder.encode / decode / reconstruct run in equal batches (one shape to compile)."""

from __future__ import annotations

import numpy as np
import pytest

from aetutor.models import dense_autoencoder


def _batch_sizes(ae, monkeypatch, n, batch_size):
    seen = []
    call = type(ae).__call__

    def recording_call(self, x, *args, **kwargs):
        seen.append(int(x.shape[0]))
        return call(self, x, *args, **kwargs)

    monkeypatch.setattr(type(ae), "__call__", recording_call)
    x = np.random.default_rng(0).random((n, 8, 8)).astype(np.float32)
    out = ae.reconstruct(x, batch_size=batch_size)
    monkeypatch.undo()
    return seen, x, out


@pytest.mark.parametrize(
    ("n", "batch_size", "expected"),
    [
        (4000, 1024, [1000] * 4),  # not 1024, 1024, 1024, 928
        (1000, 1024, [1000]),
        (10, 4, [4, 3, 3]),  # as equal as possible, none above batch_size
        (7, 7, [7]),
        (1, 1024, [1]),
    ],
)
def test_reconstruct_splits_into_equal_batches(monkeypatch, n, batch_size, expected):
    ae = dense_autoencoder((8, 8), 3, hidden=(16,))
    seen, x, out = _batch_sizes(ae, monkeypatch, n, batch_size)
    assert seen == expected
    assert out.shape == x.shape


def test_batching_does_not_change_the_result():
    ae = dense_autoencoder((8, 8), 3, hidden=(16,))
    x = np.random.default_rng(1).random((10, 8, 8)).astype(np.float32)
    one_batch = ae.reconstruct(x, batch_size=10)
    np.testing.assert_allclose(ae.reconstruct(x, batch_size=4), one_batch, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ae.encode(x, batch_size=3), ae.encode(x), rtol=1e-5, atol=1e-6)


def test_empty_input_gives_an_empty_result():
    ae = dense_autoencoder((8, 8), 3, hidden=(16,))
    assert ae.reconstruct(np.zeros((0, 8, 8), np.float32)).shape == (0, 8, 8)
    assert ae.encode(np.zeros((0, 8, 8), np.float32)).shape == (0, 3)
