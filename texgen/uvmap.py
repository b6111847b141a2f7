"""uv maps: textures of exemplar coordinates, and looking images up through them.

A uv map is an ordinary COLOR texture (H, W, 3) float32: red holds u (the horizontal
coordinate, a fraction of the looked-up image's width), green holds v (the vertical one,
a fraction of its height), blue is unused and 0. A synthesizer that copies exemplar pixels
(``stats.markov``) outputs one alongside its image; applying it to any image aligned with
the exemplar (a height, roughness or normal map of the same scan) moves that image's pixels
exactly as the exemplar's were moved.

Coordinates point at pixel centres, u = (col + 0.5) / w, v = (row + 0.5) / h, so a lookup
``floor(u * w)`` lands in the middle of the pixel's cell and rounding never moves it to a
neighbour: ``apply_uv(image, uv_of(rows, cols, h, w))`` is ``image[rows, cols]`` exactly.
A uv map is resolution independent: applied to an aligned image of another size it picks
the pixel at the same relative position (nearest neighbour, no filtering).
"""

from __future__ import annotations

import numpy as np


def uv_of(rows: np.ndarray, cols: np.ndarray, h: int, w: int) -> np.ndarray:
    """The uv map of integer exemplar pixel indices.

    Args:
        rows, cols: integer arrays of one shape (H, W), indices into an (h, w) image; they
            are taken modulo h and w (so -1 is the last row).
        h, w: the exemplar's height and width.

    Returns:
        float32 (H, W, 3), C-contiguous: u = (cols + 0.5) / w in red, v = (rows + 0.5) / h
        in green, 0 in blue; every value in (0, 1).
    """
    rows = np.asarray(rows)
    cols = np.asarray(cols)
    if rows.shape != cols.shape or rows.ndim != 2:
        raise ValueError(f"rows and cols must be 2-D arrays of one shape, got {rows.shape} "
                         f"and {cols.shape}")
    if h < 1 or w < 1:
        raise ValueError(f"exemplar size must be positive, got {h}x{w}")
    uv = np.zeros(rows.shape + (3,), np.float32)
    uv[..., 0] = (np.mod(cols, w) + 0.5) / w
    uv[..., 1] = (np.mod(rows, h) + 0.5) / h
    return uv


def uv_indices(uv: np.ndarray, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """The (rows, cols) int64 arrays (H, W) a uv map (H, W, >=2) points at in an (h, w) image.

    Nearest pixel: row = floor(v * h), col = floor(u * w), wrapped into [0, h) and [0, w)
    (the looked-up image is treated as a torus, like every tileable texture); non-finite
    coordinates read as 0.
    """
    uv = np.asarray(uv)
    if uv.ndim != 3 or uv.shape[2] < 2:
        raise ValueError(f"uv must be (H, W, 3) with u in channel 0 and v in channel 1, got "
                         f"shape {uv.shape}")
    u = np.nan_to_num(uv[..., 0].astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    v = np.nan_to_num(uv[..., 1].astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    rows = np.mod(np.floor(v * h).astype(np.int64), h)
    cols = np.mod(np.floor(u * w).astype(np.int64), w)
    return rows, cols


def apply_uv(image: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """Look ``image`` up through ``uv``: out[y, x] = image[floor(v * h), floor(u * w)].

    Args:
        image: (h, w, C) texture, any channel count; any size (it need not be the
            exemplar's: coordinates are fractions).
        uv: (H, W, 3) uv map, u in channel 0, v in channel 1, channel 2 ignored. Values
            outside [0, 1) wrap around.

    Returns:
        float32 (H, W, C), C-contiguous: exact copies of image pixels (no interpolation).
    """
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"image must be (h, w, C), got shape {image.shape}")
    rows, cols = uv_indices(uv, image.shape[0], image.shape[1])
    return np.ascontiguousarray(image[rows, cols], np.float32)
