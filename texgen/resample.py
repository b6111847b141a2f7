"""Resizing images without aliasing: the one area filter that mips, thumbnails, photo
targets and image inputs share.

Every output pixel is the mean of the source area it covers exactly; source pixels the
output's edge cuts are weighted by the part covered (5 → 2 uses weights 1, 1, ½ and
½, 1, 1), so every source pixel counts with the same total weight and the mean is kept.
The footprint never crosses the image's edge, so the shrunk tile of a tileable image is
the tile of the shrunk image when the sizes divide, and edges are not bled into from the
other side. Enlarging by it repeats each source pixel over the output area it covers
(blending the two pixels an output straddles by their parts): a box filter, faithful to the
pixels rather than smooth.
"""

from __future__ import annotations

import numpy as np


def area_resize(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """``image`` (H, W, C) resized to float32 (height, width, C) by the area filter.

    ``width`` and ``height`` >= 1, each smaller or larger than the image's (see the module
    doc); an axis already at its size is kept as it is (in float32).
    """
    if width < 1 or height < 1:
        raise ValueError(f"area_resize: {image.shape[1]}x{image.shape[0]} cannot become "
                         f"{width}x{height}")
    reduced = _reduce_axis(np.asarray(image, np.float32), height, axis=0)
    return np.ascontiguousarray(_reduce_axis(reduced, width, axis=1))


def _reduce_axis(image: np.ndarray, target: int, *, axis: int) -> np.ndarray:
    """Reduce one axis to ``target`` samples: output j is the weighted sum of the few
    source samples overlapping [j, j + 1) * source / target (at most scale + 1 of them)."""
    source = image.shape[axis]
    if source == target:
        return image
    scale = source / target
    starts = np.arange(target) * scale
    shape = [1] * image.ndim
    shape[axis] = target
    result = None
    for tap in range(int(scale) + 2):
        index = np.floor(starts).astype(np.int64) + tap
        overlap = np.minimum(index + 1, starts + scale) - np.maximum(index, starts)
        weight = (np.clip(overlap, 0, None) / scale).astype(np.float32)
        if not weight.any():
            continue
        term = np.take(image, np.minimum(index, source - 1), axis=axis) * weight.reshape(shape)
        result = term if result is None else result + term
    return result
