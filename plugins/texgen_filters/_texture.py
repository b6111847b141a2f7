"""Channel helpers shared by the filter nodes.

Textures are float32 arrays of shape (H, W, C), C in {1, 3, 4} (gray, color, rgba).
Inputs arrive read-only (the engine caches and shares them), so nothing here writes
into its arguments.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def as_texture(array: np.ndarray) -> np.ndarray:
    """``array`` as a float32 C-contiguous texture (no copy when it already is one)."""
    return np.ascontiguousarray(array, dtype=np.float32)


def map_color_channels(texture: np.ndarray,
                       fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Apply ``fn`` to the color channels of ``texture``; an rgba alpha passes unchanged.

    ``texture`` is (H, W, C) float32. Gray and color textures go through ``fn`` whole;
    for rgba, ``fn`` receives the (H, W, 3) view of the color channels. ``fn`` must
    work elementwise and not write into its argument. Returns a new (H, W, C) float32
    C-contiguous texture.
    """
    if texture.shape[2] != 4:
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

