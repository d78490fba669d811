"""Keras callbacks: compact training progress, and what a model does to fixed inputs.

:class:`TrainingProgress` shows one line per ``fit`` call that rewrites itself
each epoch and ends as a single summary line (pass ``verbose=0`` to ``fit``).
:class:`LatentHistory` snapshots the codes ``z`` of a fixed batch (say the
test set) and a few reconstructions at chosen epochs, so a lesson can show the
latent space *during* training, not only at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from aetutor.environment import import_keras_quietly
from aetutor.progress import ProgressLine
from aetutor.validation import check_finite, check_positive_int

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras

__all__ = ["LatentHistory", "TrainingProgress"]


def _format_logs(logs: dict | None) -> str:
    """``loss 0.1234 · val_loss 0.1301`` from Keras's epoch logs (numbers only)."""
    parts = []
    for key, value in (logs or {}).items():
        try:
            parts.append(f"{key} {float(value):.4g}")
        except (TypeError, ValueError):
            continue
    return " · ".join(parts)


class TrainingProgress(keras.callbacks.Callback):
    """One self-updating line for a whole ``fit``: epoch, losses and seconds so far.

    Use with ``verbose=0``::

        model.fit(x, x, epochs=20, verbose=0, callbacks=[TrainingProgress("plain AE")])

    While training, the line reads ``plain AE: epoch 7/20 · loss 0.1032 · 3.1 s``;
    when ``fit`` returns it stays as ``plain AE: 20 epochs in 8.4 s · loss … ·
    val_loss …``. In a notebook the saved output holds that one line only.

    Parameters
    ----------
    label : str
        What is training, shown at the start of the line.
    """

    def __init__(self, label: str = "training") -> None:
        super().__init__()
        if not isinstance(label, str) or not label:
            raise TypeError(f"label must be a non-empty string, got {label!r}")
        self.label = label
        self._line: ProgressLine | None = None
        self._epochs: int | None = None
        self._done = 0
        self._logs: dict = {}

    def on_train_begin(self, logs=None) -> None:
        self._line = ProgressLine(self.label)
        self._epochs = self.params.get("epochs") if self.params else None
        self._done = 0
        self._logs = {}

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self._done = epoch + 1
        self._logs = dict(logs or {})
        if self._line is not None:
            total = f"/{self._epochs}" if self._epochs else ""
            metrics = _format_logs(self._logs)
            self._line.update(
                f"epoch {self._done}{total} · {metrics} · {self._line.elapsed:.1f} s"
            )

    def on_train_end(self, logs=None) -> None:
        if self._line is None:
            return
        metrics = _format_logs(self._logs)
        epochs = "1 epoch" if self._done == 1 else f"{self._done} epochs"
        tail = f" · {metrics}" if metrics else ""
        self._line.close(f"{epochs} in {self._line.elapsed:.1f} s{tail}")
        self._line = None


class LatentHistory(keras.callbacks.Callback):
    """Record the codes of ``x`` (and reconstructions of its first images) at chosen epochs.

    Parameters
    ----------
    x : array, shape ``(n, ...)``
        The fixed inputs to encode, e.g. the test images. Encoded with one
        batched ``predict`` per recorded epoch.
    epochs : iterable of int, or None
        Epoch numbers *completed* when a snapshot is taken: ``1`` is after the
        first epoch, ``0`` the untrained model (taken when training begins).
        ``None`` records every epoch (and 0). Epochs beyond the run are skipped.
    n_reconstructions : int
        How many of the first images of ``x`` to reconstruct at each recorded
        epoch (0 for none).
    encoder : keras.Model, optional
        The model mapping ``x`` to codes. By default the trained model's
        ``.encoder`` (as on :class:`aetutor.models.Autoencoder`).
    batch_size : int
        Batch size of the recording ``predict`` calls.

    Attributes
    ----------
    latents : dict[int, ndarray]
        ``{epoch: z}``, ``z`` of shape ``(n, latent_dim)`` (flattened codes).
    reconstructions : dict[int, ndarray]
        ``{epoch: x_hat}`` for ``x[:n_reconstructions]``.
    images : ndarray
        ``x[:n_reconstructions]``, the originals of those reconstructions.

    Notes
    -----
    The epoch-0 snapshot is taken only on the first ``fit`` call, when nothing
    has been recorded yet; a second ``fit`` continues from the epoch Keras
    reports (pass ``initial_epoch`` to keep the numbering going).
    """

    def __init__(
        self,
        x,
        epochs: Iterable[int] | None = (0, 1, 3, 10),
        *,
        n_reconstructions: int = 8,
        encoder: keras.Model | None = None,
        batch_size: int = 1024,
    ):
        super().__init__()
        x = check_finite(x, "x")
        if x.ndim < 2 or len(x) == 0:
            raise ValueError(f"x must be a non-empty batch (n, ...) of inputs, got shape {x.shape}")
        self.x = x.astype("float32", copy=False)
        if epochs is None:
            self.epochs = None
        else:
            if isinstance(epochs, (int, np.integer)):
                epochs = (epochs,)
            self.epochs = sorted({check_positive_int(e, "each epoch", minimum=0) for e in epochs})
            if not self.epochs:
                raise ValueError(
                    "epochs must name at least one epoch to record, or be None for all"
                )
        self.n_reconstructions = check_positive_int(n_reconstructions, "n_reconstructions", 0)
        if self.n_reconstructions > len(x):
            raise ValueError(
                f"n_reconstructions must be at most len(x) = {len(x)}, got {self.n_reconstructions}"
            )
        if encoder is not None and not isinstance(encoder, keras.Model):
            raise TypeError(f"encoder must be a keras.Model, got {type(encoder).__name__}")
        self.encoder = encoder
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.images = self.x[: self.n_reconstructions]
        self.latents: dict[int, np.ndarray] = {}
        self.reconstructions: dict[int, np.ndarray] = {}

    def _wants(self, epoch: int) -> bool:
        return self.epochs is None or epoch in self.epochs

    def _encoder(self) -> keras.Model:
        encoder = self.encoder if self.encoder is not None else getattr(self.model, "encoder", None)
        if not isinstance(encoder, keras.Model):
            raise TypeError(
                "LatentHistory needs an encoder: train a model with an .encoder attribute "
                "(such as aetutor.models.Autoencoder) or pass encoder=..."
            )
        return encoder

    def record(self, epoch: int) -> None:
        """Take a snapshot now and store it under ``epoch``."""
        z = self._encoder().predict(self.x, batch_size=self.batch_size, verbose=0)
        self.latents[int(epoch)] = np.asarray(z, dtype=np.float32).reshape(len(z), -1)
        if self.n_reconstructions:
            x_hat = self.model.predict(self.images, batch_size=self.batch_size, verbose=0)
            self.reconstructions[int(epoch)] = np.asarray(x_hat, dtype=np.float32)

    def on_train_begin(self, logs=None) -> None:
        if not self.latents and self._wants(0):
            self.record(0)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        done = epoch + 1  # Keras counts from 0; we name snapshots by epochs completed
        if self._wants(done):
            self.record(done)

    @property
    def recorded(self) -> list[int]:
        """The epochs recorded so far, in order."""
        return sorted(self.latents)
