"""Finite-difference gradient check for the NumPy autoencoder (lesson 01).

Backpropagation is easy to get subtly wrong; comparing it with central
differences on a float64 copy of the model says whether it is right.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from aetutor.validation import check_positive_int, check_seed

if TYPE_CHECKING:
    from aetutor.numpy_ae import NumpyAutoencoder

__all__ = ["gradient_check"]

def gradient_check(
    model: NumpyAutoencoder,
    x: Any,
    eps: float = 1e-5,
    *,
    max_entries: int = 2000,
    seed: int = 0,
) -> float:
    """Compare backprop with central finite differences; return the worst relative error.

    For each parameter entry ``p`` the numerical gradient is
    ``(L(p + eps) - L(p - eps)) / (2 eps)``. The relative error
    ``|g_num - g_ana| / max(|g_num| + |g_ana|, tiny)`` is far below 1e-6 when
    backprop is right (about 1e-9 is typical); a bug gives errors near 1.

    The check runs on a float64 copy of the model (float32 rounding would drown
    the differences), so ``model`` is never changed. Every entry is checked
    when there are at most ``max_entries``, otherwise a seeded random sample.

    Choosing ``eps``: the formula's error shrinks like ``eps**2``, but rounding
    error grows like ``1e-16 / eps``; 1e-5 balances the two. ReLU has a kink at
    0: if nudging an entry by ``eps`` switches any ReLU on or off, the
    difference straddles two slopes and means nothing, so such entries are
    skipped. (This happens even for random inputs: with zero biases, a sample
    that switches off every unit of a layer gives the next layer inputs of
    exactly 0.) Use a few dozen samples with values in [0, 1], so that few
    gradients are tiny, where rounding makes any relative error large.
    """
    from aetutor.numpy_ae import NumpyAutoencoder  # here: numpy_ae imports this module

    if not isinstance(model, NumpyAutoencoder):
        raise TypeError(f"model must be a NumpyAutoencoder, got {type(model).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
        raise ValueError(f"eps must be a small positive number such as 1e-5, got {eps!r}")
    max_entries = check_positive_int(max_entries, "max_entries")
    seed = check_seed(seed)
    model = copy.deepcopy(model)
    model.dtype = np.dtype(np.float64)
    model.weights = [w.astype(np.float64) for w in model.weights]
    model.biases = [b.astype(np.float64) for b in model.biases]
    x = model._check_x(x)
    relu_layers = [i for i, name in enumerate(model.activations) if name == "relu"]

    def run() -> tuple[np.ndarray, list[np.ndarray]]:
        """The reconstruction, and which ReLUs are on (to spot kinks)."""
        x_hat, cache = model.forward(x)
        return x_hat, [cache["zs"][i] > 0 for i in relu_layers]

    _, cache = model.forward(x)
    _, grads_w, grads_b = model.backward(cache, x)
    relus_on = [cache["zs"][i] > 0 for i in relu_layers]
    params, grads = model.weights + model.biases, grads_w + grads_b

    # Every (array, index) pair, or a random sample of them.
    entries = [(k, idx) for k, p in enumerate(params) for idx in np.ndindex(p.shape)]
    if len(entries) > max_entries:
        pick = np.random.default_rng(seed).choice(len(entries), max_entries, replace=False)
        entries = [entries[i] for i in sorted(pick)]

    tiny = np.finfo(np.float64).tiny  # only guards 0 / 0, where both gradients are exactly 0
    worst, checked = 0.0, 0
    for k, idx in entries:
        p, old = params[k], params[k][idx]
        p[idx] = old + eps
        x_plus, on_plus = run()
        p[idx] = old - eps
        x_minus, on_minus = run()
        p[idx] = old  # put it back
        if any((a != b).any() or (a != c).any() for a, b, c in zip(relus_on, on_plus, on_minus)):
            continue  # a ReLU switched inside [p - eps, p + eps]: a kink, skip this entry
        # L(p+eps) - L(p-eps) = mean((x+ - x)^2 - (x- - x)^2) = mean((x+ - x-)(x+ + x- - 2x)).
        # The right-hand form gives the same number without subtracting two
        # nearly equal losses, a subtraction that would lose most of the digits.
        g_num = np.mean((x_plus - x_minus) * (x_plus + x_minus - 2 * x)) / (2 * eps)
        g_ana = grads[k][idx]
        worst = max(worst, abs(g_num - g_ana) / max(abs(g_num) + abs(g_ana), tiny))
        checked += 1
    if checked == 0:
        raise ValueError("every entry sat on a ReLU kink; use more or different samples")
    return float(worst)
