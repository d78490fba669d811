"""The convolutional autoencoder builder (lessons 03, 09); :mod:`aetutor.models` re-exports it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aetutor.autoencoder import Autoencoder, check_sizes
from aetutor.environment import import_keras_quietly
from aetutor.initializers import numpy_defaults
from aetutor.validation import check_positive_int

import_keras_quietly()  # TensorFlow, quietly, only if it is the backend
import keras  # noqa: E402  (after the quiet backend start-up)

__all__ = ["conv_autoencoder"]


def conv_autoencoder(
    input_shape: Sequence[int],
    filters: Sequence[int] = (16, 32),
    latent_dim: int | None = None,
    *,
    kernel_size: int = 3,
    activation: str = "relu",
    output_activation: str = "sigmoid",
    upsampling: str = "transpose",
    name: str = "conv_ae",
) -> Autoencoder:
    """A small convolutional autoencoder: strided ``Conv2D`` down, ``Conv2DTranspose`` back up.

    Each ``filters`` entry is a 3x3 convolution with stride 2, which halves the
    height and width: ``(16, 32)`` on 28x28 images gives codes of shape
    (7, 7, 32). The decoder mirrors it with stride-2 transposed convolutions,
    the last one producing the image channels. With ``latent_dim`` set, a dense
    layer squeezes the feature maps into a flat code of that size (a true
    bottleneck); without it the code is the last feature map (fully
    convolutional: cheap, and good at local jobs such as denoising).

    ``input_shape`` is ``(height, width)`` for grey images shaped like
    ``Dataset.x_train`` (a channel axis is added and removed inside the model),
    or ``(height, width, channels)``. Height and width must be divisible by
    ``2 ** len(filters)``.

    ``upsampling="transpose"`` grows the maps with stride-2 ``Conv2DTranspose``;
    ``"resize"`` with ``UpSampling2D`` (nearest neighbour) followed by a
    stride-1 ``Conv2D`` of the same size, the same number of weights. A 3x3
    transposed convolution with stride 2 covers some output pixels with more
    kernel taps than others, which can leave a checkerboard pattern; resizing
    first covers every pixel alike.
    """
    if upsampling not in ("transpose", "resize"):
        raise ValueError(f"upsampling must be 'transpose' or 'resize', got {upsampling!r}")
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise TypeError(
            f"input_shape must be (height, width) or (height, width, channels), got {input_shape!r}"
        ) from None
    if len(shape) not in (2, 3):
        raise ValueError(
            "input_shape must be (height, width) or (height, width, channels) for a "
            f"convolutional autoencoder, got {shape!r}"
        )
    if isinstance(filters, (int, np.integer)):
        filters = (int(filters),)
    if isinstance(filters, (str, bytes)) or not hasattr(filters, "__iter__"):
        raise TypeError(f"filters must be a sequence of channel counts such as (16, 32), got "
                        f"{filters!r}")
    filters = tuple(filters)
    if not filters:
        raise ValueError("filters must name at least one convolution, such as (16, 32)")
    shape, _, filters = check_sizes(shape, 1 if latent_dim is None else latent_dim, filters)
    kernel_size = check_positive_int(kernel_size, "kernel_size")
    factor = 2 ** len(filters)
    if shape[0] % factor or shape[1] % factor:
        raise ValueError(
            f"conv_autoencoder halves height and width once per filters entry ({len(filters)} "
            f"entries: a factor of {factor}), so both must be divisible by {factor}; got "
            f"input_shape {shape}. Pad or crop the images, or use fewer filters entries"
        )
    grey = len(shape) == 2
    channels = 1 if grey else shape[2]
    conv = {"kernel_size": kernel_size, "strides": 2, "padding": "same", **numpy_defaults()}

    x = keras.Input(shape=shape, name="image")
    h = keras.layers.Reshape((*shape, 1), name="add_channel")(x) if grey else x
    for i, f in enumerate(filters):
        h = keras.layers.Conv2D(f, activation=activation, name=f"conv_{i + 1}", **conv)(h)
    fmap_shape = tuple(h.shape[1:])
    if latent_dim is not None:
        h = keras.layers.Flatten(name="flatten")(h)
        h = keras.layers.Dense(latent_dim, name="code", **numpy_defaults())(h)
    encoder = keras.Model(x, h, name="encoder")

    z_in = keras.Input(shape=tuple(h.shape[1:]), name="z")
    g = z_in
    if latent_dim is not None:
        g = keras.layers.Dense(int(np.prod(fmap_shape)), activation=activation, name="expand",
                               **numpy_defaults())(g)
        g = keras.layers.Reshape(fmap_shape, name="feature_map")(g)
    for i, f in enumerate((*reversed(filters[:-1]), channels)):
        last = i == len(filters) - 1
        act, layer_name = (output_activation, "pixels") if last else (activation, f"deconv_{i + 1}")
        if upsampling == "transpose":
            g = keras.layers.Conv2DTranspose(f, activation=act, name=layer_name, **conv)(g)
        else:
            g = keras.layers.UpSampling2D(2, name=f"upsample_{i + 1}")(g)
            g = keras.layers.Conv2D(f, kernel_size, padding="same", activation=act,
                                    name=layer_name, **numpy_defaults())(g)
    if grey:
        g = keras.layers.Reshape(shape, name="image_out")(g)
    decoder = keras.Model(z_in, g, name="decoder")
    return Autoencoder(encoder, decoder, name=name)
