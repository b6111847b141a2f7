"""The two scales of a multi-scale GMM patch model.

A model of ``levels`` > 1 pairs each patch with its *parents*: the texture averaged down
2x2 (``downsample``) and interpolated back up (``upsample``), read at a 3 x 3 grid of the
patch's pixels (``parent_offsets``). The coarse texture is modelled, and sampled, by the
next model down; the fine patches are sampled conditioned on their parents, so structure
larger than a patch is laid out at the coarse scale first.
"""

from __future__ import annotations

import numpy as np

#: Parent values per patch side (a 3 x 3 grid: corners, edge midpoints and centre).
PARENT_GRID = 3


def parent_offsets(patch_size: int) -> np.ndarray:
    """int (3,): the rows (and columns) of a patch at which its parents are read."""
    return np.linspace(0, patch_size - 1, PARENT_GRID).round().astype(np.int64)


def coarse_size(size: int, level: int = 1) -> int:
    """Pixels along an axis of ``size`` after ``level`` halvings by ``downsample``."""
    return -(-size // 2 ** level)


def downsample(image: np.ndarray) -> np.ndarray:
    """float32 (ceil(H / 2), ceil(W / 2), C): 2 x 2 means of image (H, W, C); an odd last
    row or column is averaged with itself."""
    height, width = image.shape[:2]
    padded = np.pad(image, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    h, w = padded.shape[0] // 2, padded.shape[1] // 2
    return padded.reshape(h, 2, w, 2, -1).mean(axis=(1, 3), dtype=np.float64).astype(np.float32)


def _taps(size: int, coarse: int, periodic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear interpolation of ``coarse`` samples at ``size`` pixel centres: the two source
    indices and the weight of the second, each (size,)."""
    position = (np.arange(size) + 0.5) * coarse / size - 0.5
    low = np.floor(position).astype(np.int64)
    weight = (position - low).astype(np.float32)
    if periodic:
        return low % coarse, (low + 1) % coarse, weight
    return np.clip(low, 0, coarse - 1), np.clip(low + 1, 0, coarse - 1), weight


def upsample(image: np.ndarray, height: int, width: int, *, periodic: bool) -> np.ndarray:
    """float32 (height, width, C): image (h, w, C) interpolated bilinearly (pixel centres
    aligned), then smoothed by a [1, 2, 1] / 4 binomial filter along each axis.
    ``periodic`` wraps around the edges (the output tiles when the input does); else they
    are clamped.

    Why the smoothing: at 2x, the bilinear field has a kink at every coarse pixel centre,
    so a patch's parents relate to the coarse grid one way on even pixels and another on
    odd ones, which the model cannot tell apart, and the fine texture's steps alternate
    between even and odd pixels. The binomial filter removes the kinks.
    """
    r0, r1, rw = _taps(height, image.shape[0], periodic)
    c0, c1, cw = _taps(width, image.shape[1], periodic)
    rows = image[r0] * (1 - rw)[:, None, None] + image[r1] * rw[:, None, None]
    out = rows[:, c0] * (1 - cw)[None, :, None] + rows[:, c1] * cw[None, :, None]
    for axis in (0, 1):
        size = out.shape[axis]
        before = np.arange(-1, size - 1)
        after = np.arange(1, size + 1)
        before, after = (before % size, after % size) if periodic else (
            np.clip(before, 0, size - 1), np.clip(after, 0, size - 1))
        out = 0.25 * np.take(out, before, axis=axis) + 0.5 * out \
            + 0.25 * np.take(out, after, axis=axis)
    return out.astype(np.float32)
