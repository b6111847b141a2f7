"""Channel helpers shared by the filter nodes.

Textures are float32 arrays of shape (H, W, C), C in {1, 3, 4} (gray, color, rgba).
Inputs arrive read-only (the engine caches and shares them), so nothing here writes
into its arguments.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from texgen.bands import row_bands


def as_texture(array: np.ndarray) -> np.ndarray:
    """``array`` as a float32 C-contiguous texture (no copy when it already is one)."""
    return np.ascontiguousarray(array, dtype=np.float32)


def in_row_bands(fn: Callable[..., np.ndarray], *textures: np.ndarray | None,
                 channels: int) -> np.ndarray:
    """``fn`` applied to each band of rows (``row_bands``) of ``textures`` (all (H, W, *);
    None passes as None), assembled into a new float32 (H, W, ``channels``) texture.

    For an ``fn`` whose every output pixel depends only on the same pixel of its inputs,
    the result has the same bytes as ``fn`` on the whole textures cast to float32, while
    its temporaries cover one band: the node's peak memory is its output.
    """
    height, width = next(t for t in textures if t is not None).shape[:2]
    out = np.empty((height, width, channels), np.float32)
    for rows in row_bands(height, width):
        out[rows] = fn(*(None if t is None else t[rows] for t in textures))
    return out


def map_color_channels(texture: np.ndarray, fn: Callable[[np.ndarray], np.ndarray], *,
                       per_pixel: bool = False) -> np.ndarray:
    """Apply ``fn`` to the color channels of ``texture``; an rgba alpha passes unchanged.

    ``texture`` is (H, W, C) float32. Gray and color textures go through ``fn`` whole;
    for rgba, ``fn`` receives the (H, W, 3) view of the color channels. ``fn`` keeps the
    shape and must not write into its argument. ``per_pixel``: each output value depends
    only on the same pixel's value, so ``fn`` runs a band of rows at a time
    (``in_row_bands``). Returns a new (H, W, C) float32 C-contiguous texture.
    """
    channels = texture.shape[2]
    if per_pixel:
        return in_row_bands(lambda band: map_color_channels(band, fn), texture,
                            channels=channels)
    if channels != 4:
        return as_texture(fn(texture))
    out = np.empty_like(texture)
    out[..., :3] = fn(texture[..., :3])
    out[..., 3] = texture[..., 3]
    return out


def promote_gray(gray: np.ndarray, channels: int) -> np.ndarray:
    """A gray (H, W, 1) texture as a color (C=3) or rgba (C=4) texture.

    ``channels`` is 3 or 4. The value is repeated in the color channels; rgba gets
    alpha 1 (a gray texture is opaque). C=3 returns a read-only broadcast view (no copy);
    C=4 allocates a new array.
    """
    height, width, _ = gray.shape
    color = np.broadcast_to(gray, (height, width, 3))
    if channels == 3:
        return color
    out = np.empty((height, width, 4), np.float32)
    out[..., :3] = color
    out[..., 3] = 1.0
    return out

