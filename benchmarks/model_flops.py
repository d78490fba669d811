"""Multiply-accumulates of a Keras model's forward pass, from its Dense and Conv layers.

Used by :mod:`benchmarks.time_shares_profiler` to set a training step's
arithmetic against its measured time (training FLOPs ~ 3 x forward, forward
FLOPs = 2 x MACs).
"""

from __future__ import annotations

from typing import Any

__all__ = ["forward_macs"]



def _shape(layer: Any, which: str) -> tuple | None:
    """The layer's input or output shape (batch first), or None when unknown."""
    try:
        return tuple(getattr(layer, which).shape)
    except Exception:  # noqa: BLE001 - not functional, or several nodes
        pass
    shapes = getattr(layer, "_build_shapes_dict", None) or {}
    if len(shapes) != 1:
        return None
    shape = tuple(next(iter(shapes.values())))
    if which == "input":
        return shape
    try:
        return tuple(layer.compute_output_shape(shape))
    except Exception:  # noqa: BLE001
        return None


def _prod(dims: Any) -> int | None:
    out = 1
    for d in dims:
        if d is None:
            return None
        out *= int(d)
    return out


def forward_macs(model: Any) -> tuple[int, list[str], list[str]]:
    """Multiply-accumulates of one sample's forward pass through ``model``'s Dense/Conv layers.

    Counts ``Dense`` and ``EinsumDense`` (kernel size times the positions before
    the last axis), convolutions (kernel size times output positions),
    transposed convolutions (kernel size times input positions) and aetutor's
    ``DenseTranspose`` (the tied kernel's size), in nested models too.
    Activations, normalisation, losses and the optimizer update are left out
    (cheap next to these). Returns the MACs, the names of counted layers and
    the names of layers with weights that could not be counted (unknown kind or
    shape), so a figure never hides what it leaves out.
    """
    import keras

    try:
        from aetutor.layers import DenseTranspose
    except ImportError:  # pragma: no cover - aetutor is always there in the course
        DenseTranspose = ()  # noqa: N806

    from keras.src.layers.convolutional.base_conv import BaseConv
    from keras.src.layers.convolutional.base_conv_transpose import BaseConvTranspose

    total, counted, skipped = 0, [], []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.Model):
            continue  # its layers are visited on their own
        macs = None
        if isinstance(layer, (keras.layers.Dense, keras.layers.EinsumDense)) or (
            DenseTranspose and isinstance(layer, DenseTranspose)
        ):
            kernel = layer.tied_kernel if DenseTranspose and isinstance(
                layer, DenseTranspose) else layer.kernel
            shape = _shape(layer, "input")
            positions = _prod(shape[1:-1]) if shape is not None else None
            if isinstance(layer, keras.layers.EinsumDense):
                out = _shape(layer, "output")
                positions = _prod(out[1:]) // _prod(kernel.shape[1:]) if out else None
            if positions is not None:
                macs = positions * _prod(kernel.shape)
        elif isinstance(layer, BaseConvTranspose):
            shape = _shape(layer, "input")
            if shape is not None:
                spatial = shape[1:-1] if layer.data_format == "channels_last" else shape[2:]
                macs = (_prod(spatial) or 0) * _prod(layer.kernel.shape) or None
        elif isinstance(layer, BaseConv):
            shape = _shape(layer, "output")
            if shape is not None:
                spatial = shape[1:-1] if layer.data_format == "channels_last" else shape[2:]
                macs = (_prod(spatial) or 0) * _prod(layer.kernel.shape) or None
        elif any(len(w.shape) >= 2 for w in layer.weights):
            skipped.append(layer.name)
            continue
        else:
            continue
        if macs is None:
            skipped.append(layer.name)
        else:
            total += macs
            counted.append(layer.name)
    return total, counted, skipped
