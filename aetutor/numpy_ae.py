"""A from-scratch autoencoder in NumPy, with backpropagation written out by hand.

Lesson 01 reads this code. Everything a framework hides is visible here: the
forward pass, the chain rule and the training loop. The optimizers (SGD, Adam)
live in ``numpy_optimizers.py`` and the finite-difference check that the
gradients are right in ``numpy_gradient_check.py``; both are importable from
here too (``at.numpy_ae.Adam``, ``at.numpy_ae.gradient_check``).

Conventions: a batch is a 2-D array ``x`` of shape ``(n, features)``, one sample
per row, so a dense layer computes ``x @ W + b`` with ``W`` of shape
``(n_in, n_out)``. The loss is the mean squared error over every element of the
batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike
from threadpoolctl import threadpool_limits

from aetutor.numpy_gradient_check import gradient_check
from aetutor.numpy_optimizers import DEFAULT_LR, SGD, Adam, _make_optimizer  # noqa: F401
from aetutor.validation import (
    check_finite,
    check_positive_int,
    check_rank,
    check_seed,
    check_unit_range,
)

__all__ = ["SGD", "Adam", "NumpyAutoencoder", "gradient_check", "relu", "sigmoid"]

# --- activations -------------------------------------------------------------
# Each activation comes with its derivative. The derivative takes both the
# pre-activation ``z`` and the output ``a = f(z)``, because for some functions
# one is cheaper (ReLU uses z, sigmoid uses a).


def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z): the hidden-layer nonlinearity."""
    return np.maximum(z, 0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-z), written as 0.5 (1 + tanh(z/2)) so large |z| cannot overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


_ACTIVATIONS = {
    # name: (f(z), df/dz given z and a)
    "relu": (relu, lambda z, a: (z > 0).astype(z.dtype)),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
}


# --- the model ---------------------------------------------------------------


class NumpyAutoencoder:
    """A dense autoencoder: ReLU hidden layers, a linear code, a sigmoid output.

    Parameters
    ----------
    layer_sizes
        Widths from input to output, e.g. ``(64, 32, 2, 32, 64)``. The length is
        odd, the middle entry is the latent size (the bottleneck), and the first
        and last entries are equal because the model reproduces its input.
    seed
        Seeds ``self.rng``, which draws the initial weights and shuffles the
        mini-batches: the same seed gives the same weights and training run.
    dtype
        Float type of the parameters and computations (float64 or float32).

    Notes
    -----
    Weights use Xavier/Glorot *uniform* initialisation,
    ``W ~ U(-r, r)`` with ``r = sqrt(6 / (n_in + n_out))``, which keeps the
    variance of activations and gradients roughly equal across layers; biases
    start at zero. The code layer is linear so it can take any value (like PCA
    scores); the output is a sigmoid because the pixels lie in [0, 1].
    """

    _inputs_checked = False  # True while fit runs: its batches need no checks

    def __init__(
        self,
        layer_sizes: Sequence[int],
        *,
        seed: int | np.random.Generator | None = 0,
        dtype: DTypeLike = np.float64,
    ) -> None:
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, got {self.dtype}")
        self.rng = np.random.default_rng(
            None if seed is None else check_seed(seed, allow_generator=True)
        )

        n_layers = len(self.layer_sizes) - 1  # one weight matrix per pair of widths
        self.latent_index = len(self.layer_sizes) // 2  # position of the code in layer_sizes
        # The layer that produces the code is linear, the last one is a sigmoid,
        # every other one is a ReLU.
        self.activations = [
            "sigmoid" if i == n_layers - 1 else "linear" if i == self.latent_index - 1 else "relu"
            for i in range(n_layers)
        ]
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            r = np.sqrt(6.0 / (n_in + n_out))
            self.weights.append(self.rng.uniform(-r, r, size=(n_in, n_out)).astype(self.dtype))
            self.biases.append(np.zeros(n_out, dtype=self.dtype))

    @property
    def latent_dim(self) -> int:
        """Width of the bottleneck (the code ``z``)."""
        return self.layer_sizes[self.latent_index]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers (all weights and biases)."""
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases))

    def __repr__(self) -> str:
        sizes = "-".join(str(s) for s in self.layer_sizes)
        return (
            f"NumpyAutoencoder({sizes}, activations={'/'.join(self.activations)}, "
            f"{self.n_params:,} parameters, {self.dtype})"
        )

    # -- forward ------------------------------------------------------------

    def _layer(self, i: int, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Layer ``i``: pre-activation ``z = a @ W + b`` and output ``f(z)``."""
        z = a @ self.weights[i] + self.biases[i]
        return z, _ACTIVATIONS[self.activations[i]][0](z)

    def _run(self, a: np.ndarray, layers: range) -> np.ndarray:
        for i in layers:
            a = self._layer(i, a)[1]
        return a

    def forward(self, x: Any) -> tuple[np.ndarray, dict[str, list[np.ndarray]]]:
        """Run the whole network and keep what backprop needs.

        Returns ``x_hat`` and a cache with the pre-activations ``zs`` (one per
        layer) and the activations ``activations`` (the input first, ``x_hat``
        last).
        """
        a = self._check_x(x)
        zs, activations = [], [a]
        for i in range(len(self.weights)):
            z, a = self._layer(i, a)
            zs.append(z)
            activations.append(a)
        return a, {"zs": zs, "activations": activations}

    def encode(self, x: Any) -> np.ndarray:
        """Map inputs ``(n, features)`` to codes ``z`` of shape ``(n, latent_dim)``."""
        return self._run(self._check_x(x), range(self.latent_index))

    def decode(self, z: Any) -> np.ndarray:
        """Map codes ``(n, latent_dim)`` back to reconstructions in [0, 1]."""
        z = self._check_2d(z, "z", self.latent_dim, f"codes (n, {self.latent_dim})")
        return self._run(check_finite(z, "z"), range(self.latent_index, len(self.weights)))

    def reconstruct(self, x: Any) -> np.ndarray:
        """``decode(encode(x))``: the model's copy of its input."""
        return self.forward(x)[0]

    def loss(self, x: Any) -> float:
        """Mean squared reconstruction error over every element of ``x``."""
        x = self._check_x(x)
        return float(np.mean((self.reconstruct(x) - x) ** 2))

    # -- backward -----------------------------------------------------------

    def backward(
        self, cache: dict[str, list[np.ndarray]], x: Any
    ) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """Backpropagation: the loss and its gradient for every weight and bias.

        ``x`` is the target (usually the input itself; a denoising autoencoder
        passes the clean images here and the noisy ones to ``forward``). Walking
        from the output back to the input, the chain rule turns ``dL/da`` of a
        layer's output into ``dL/dz`` (times ``f'(z)``), then into the gradients
        of its ``W`` and ``b`` and the ``dL/da`` of the layer below. All of it is
        matrix products over the whole batch at once.
        """
        x = self._check_x(x, "target x")
        n_layers = len(self.weights)
        if (
            not isinstance(cache, dict)
            or not isinstance(cache.get("zs"), list)
            or not isinstance(cache.get("activations"), list)
            or len(cache["zs"]) != n_layers
            or len(cache["activations"]) != n_layers + 1
        ):
            raise ValueError(
                "cache must be the dict that forward() returns, with 'zs' (one array per layer, "
                f"{n_layers}) and 'activations' ({n_layers + 1}); got "
                f"{type(cache).__name__} {sorted(cache) if isinstance(cache, dict) else ''}"
            )
        zs, activations = cache["zs"], cache["activations"]
        x_hat = activations[-1]
        if x_hat.shape != x.shape:
            raise ValueError(f"x must match the cached batch {x_hat.shape}, got {x.shape}")

        diff = x_hat - x
        loss = float(np.mean(diff**2))
        da = 2.0 * diff / diff.size  # dL/dx_hat for L = mean(diff**2)

        grads_w: list[np.ndarray] = []
        grads_b: list[np.ndarray] = []
        for i in reversed(range(len(self.weights))):  # last layer first
            dz = da * _ACTIVATIONS[self.activations[i]][1](zs[i], activations[i + 1])
            # (n_in, n) @ (n, n_out): the matrix product also sums over the batch.
            # insert(0, ...) because we walk backwards but want layer order.
            grads_w.insert(0, activations[i].T @ dz)
            grads_b.insert(0, dz.sum(axis=0))
            da = dz @ self.weights[i].T  # hand the error to the layer below
        return loss, grads_w, grads_b

    # -- training -----------------------------------------------------------

    def fit(
        self,
        x: Any,
        epochs: int = 100,
        batch_size: int = 32,
        lr: float | None = None,
        optimizer: str = "adam",
        *,
        momentum: float = 0.0,
        x_val: Any = None,
        shuffle: bool = True,
        verbose: bool | int = False,
        progress: str | None = None,
    ) -> dict[str, list[float]]:
        """Train with mini-batch gradient descent; return the per-epoch history.

        Parameters
        ----------
        x
            Training inputs, shape ``(n, features)``, values in [0, 1].
        epochs, batch_size
            Passes over the data, and samples per gradient step (the last batch
            of an epoch may be smaller).
        lr
            Learning rate; ``None`` picks the default for the optimizer (5e-3 for
            Adam; 1.0 for SGD, whose steps are the raw gradients, and those are
            small because the loss is a mean over every pixel).
        optimizer
            ``"adam"`` or ``"sgd"``; ``momentum`` applies to SGD only.
        x_val
            Optional held-out inputs, scored after every epoch.
        shuffle
            Reshuffle the samples (with ``self.rng``) before every epoch.
        verbose
            ``True`` prints about ten progress lines; an integer ``k`` prints
            every ``k`` epochs.
        progress
            A label: show one self-updating line (epoch, losses, seconds) that
            ends as a single summary line, as Keras's
            :class:`aetutor.callbacks.TrainingProgress` does. ``None``: no line.

        Returns
        -------
        dict
            ``"loss"``: the MSE on the whole training set after each epoch (not a
            running mean of batch losses, so it is comparable with
            ``"val_loss"``, present when ``x_val`` is given). Calling ``fit``
            again continues from the current weights with a fresh optimizer.
        """
        x = self._check_x(x)
        x_val = None if x_val is None else self._check_x(x_val, "x_val")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        opt = _make_optimizer(optimizer, lr, momentum)
        if isinstance(verbose, bool):  # print every `every` epochs; 0 means never
            every = max(1, epochs // 10) if verbose else 0
        else:
            every = check_positive_int(verbose, "verbose", minimum=0)

        if progress is not None and not isinstance(progress, str):
            raise TypeError(f"progress must be a label (a string) or None, got {progress!r}")
        line = None
        if progress is not None:
            from aetutor.progress import ProgressLine

            line = ProgressLine(progress)
        params = self.weights + self.biases  # the optimizer updates these arrays in place
        history: dict[str, list[float]] = {"loss": []}
        if x_val is not None:
            history["val_loss"] = []
        with self._training():  # one BLAS thread; batches of x, checked above, skip checks
            for epoch in range(1, epochs + 1):
                order = self.rng.permutation(len(x)) if shuffle else np.arange(len(x))
                for start in range(0, len(x), batch_size):
                    batch = x[order[start : start + batch_size]]
                    _, cache = self.forward(batch)
                    _, grads_w, grads_b = self.backward(cache, batch)
                    opt._update(params, grads_w + grads_b)  # step(), less its checks
                history["loss"].append(self.loss(x))
                if x_val is not None:
                    history["val_loss"].append(self.loss(x_val))
                if not np.isfinite(history["loss"][-1]):
                    raise FloatingPointError(
                        f"training diverged at epoch {epoch} (loss {history['loss'][-1]}); "
                        f"lower the learning rate (lr={opt.lr})"
                    )
                if every and (epoch % every == 0 or epoch == epochs):
                    val = f", val_loss {history['val_loss'][-1]:.5f}" if x_val is not None else ""
                    print(f"epoch {epoch:>4}/{epochs}: loss {history['loss'][-1]:.5f}{val}")
                if line is not None:
                    val = f" · val_loss {history['val_loss'][-1]:.4g}" if x_val is not None else ""
                    line.update(f"epoch {epoch}/{epochs} · loss {history['loss'][-1]:.4g}{val}"
                                f" · {line.elapsed:.1f} s")
        if line is not None:
            val = f" · val_loss {history['val_loss'][-1]:.4g}" if x_val is not None else ""
            line.close(f"{epochs} epochs in {line.elapsed:.1f} s · "
                       f"loss {history['loss'][-1]:.4g}{val}")
        return history

    @contextlib.contextmanager
    def _training(self) -> Iterator[None]:
        """While ``fit`` trains: one BLAS thread, and no checks of inputs it already checked.

        ``fit`` checks ``x`` once; its batches are rows of it, so forward, backward and
        ``loss`` skip their checks (a third of the time of a step this small). Matrices
        of a few dozen rows also multiply faster on one thread than on several.
        """
        self._inputs_checked = True
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                yield
        finally:
            self._inputs_checked = False

    # -- input checks -------------------------------------------------------

    def _check_2d(self, x: Any, name: str, width: int, meaning: str) -> np.ndarray:
        arr = check_rank(x, (2,), name, meaning)
        if arr.shape[1] != width:
            raise ValueError(f"{name} must have {width} columns ({meaning}), got shape {arr.shape}")
        if len(arr) == 0:
            raise ValueError(f"{name} must hold at least one sample, got shape {arr.shape}")
        return arr.astype(self.dtype, copy=False)

    def _check_x(self, x: Any, name: str = "x") -> np.ndarray:
        if self._inputs_checked:  # inside fit, whose batches come from an x it checked
            return x
        width = self.layer_sizes[0]
        meaning = f"a batch of flat inputs (n, {width}); flatten images with x.reshape(len(x), -1)"
        arr = self._check_2d(x, name, width, meaning)
        # Targets must lie in [0, 1]: the sigmoid output cannot reach anything else.
        return check_unit_range(arr, name)


def _check_layer_sizes(layer_sizes: Any) -> list[int]:
    if not isinstance(layer_sizes, (Sequence, np.ndarray)) or isinstance(layer_sizes, str):
        raise TypeError(f"layer_sizes must be a sequence of integers, got {layer_sizes!r}")
    sizes = [check_positive_int(s, f"layer_sizes[{i}]") for i, s in enumerate(layer_sizes)]
    if len(sizes) < 3 or len(sizes) % 2 == 0:
        raise ValueError(
            "layer_sizes must list an odd number (at least 3) of widths, input to output with "
            f"the latent size in the middle, e.g. (64, 32, 2, 32, 64); got {tuple(sizes)}"
        )
    if sizes[0] != sizes[-1]:
        raise ValueError(
            f"layer_sizes must end with the input size (an autoencoder reproduces its input): "
            f"input {sizes[0]} != output {sizes[-1]}"
        )
    return sizes

