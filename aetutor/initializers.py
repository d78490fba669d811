"""Weight initialisers that draw with NumPy, so building a model compiles nothing.

On the JAX backend Keras draws every new weight shape with a jitted random
function, and XLA compiles a fresh program for each shape: 0.2-0.5 s apiece on
a 2-core CPU, most of the time it takes to build a small autoencoder (lesson 04
builds fourteen). These initialisers draw the same distributions as Keras's
defaults (Glorot-uniform kernels, zero biases) with NumPy and hand Keras a
ready array, on every backend alike.

Without a seed they draw from NumPy's global generator, which ``at.setup()``
seeds (through ``keras.utils.set_random_seed``), so a run repeats. With a seed
they draw from their own generator: the same seed gives the same weights,
wherever the model is built. Both are registered with Keras, so models that
use them can be cloned (``keras.models.clone_model``) and saved.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aetutor.environment import import_keras_quietly

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = ["GlorotUniform", "Zeros", "numpy_defaults"]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """Fan-in and fan-out of a kernel, as Keras counts them.

    A dense kernel (inputs, outputs) has fans (inputs, outputs); a convolution
    kernel (*window, in_channels, out_channels) multiplies both by the window
    size. A vector counts its length for both.
    """
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    window = math.prod(int(s) for s in shape[:-2])
    return int(shape[-2]) * window, int(shape[-1]) * window


@keras.saving.register_keras_serializable(package="aetutor")
class GlorotUniform(keras.initializers.Initializer):
    """Uniform on [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel.

    ``seed`` (an int) gives the initialiser its own NumPy generator; ``None``
    draws from NumPy's global one, which ``at.setup()`` seeds.
    """

    def __init__(self, seed: int | None = None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                                 or seed < 0):
            raise ValueError(f"seed must be None or an int >= 0, got {seed!r}")
        self.seed = None if seed is None else int(seed)
        self._rng = None if seed is None else np.random.default_rng(self.seed)

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape = tuple(int(s) for s in shape)
        fan_in, fan_out = fans(shape)
        limit = math.sqrt(6.0 / max(1, fan_in + fan_out))
        draw = np.random.uniform if self._rng is None else self._rng.uniform
        return draw(-limit, limit, size=shape).astype(dtype or keras.config.floatx())

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


@keras.saving.register_keras_serializable(package="aetutor")
class Zeros(keras.initializers.Initializer):
    """All zeros, as a NumPy array: Keras's default bias."""

    def __call__(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.zeros(tuple(int(s) for s in shape), dtype=dtype or keras.config.floatx())

    def get_config(self) -> dict[str, Any]:
        return {}


def numpy_defaults() -> dict[str, keras.initializers.Initializer]:
    """Keras's default kernel and bias initialisers, drawn with NumPy.

    Use as ``keras.layers.Dense(units, **numpy_defaults())``; fresh instances each call.
    """
    return {"kernel_initializer": GlorotUniform(), "bias_initializer": Zeros()}
