"""Image-quilting primitives: the minimum-error boundary cut and the masked patch search.

Efros and Freeman, "Image quilting for texture synthesis and transfer" (SIGGRAPH 2001):
a new patch is chosen by how well it matches what is already there where the two overlap
(sum of squared differences over the overlap only), and joined along the path through the
overlap where the two differ least, so that structures continue across the join instead
of being cross-faded. Generic over any (h, w, C) float image: shared by ``stats.markov``
and ``filters.make_tileable`` (method "quilt"), since plugins do not import each other.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _cut_path(cost):
    rows, cols = cost.shape
    total = cost.copy()
    for i in range(1, rows):
        for j in range(cols):
            best = total[i - 1, j]
            if j > 0 and total[i - 1, j - 1] < best:
                best = total[i - 1, j - 1]
            if j < cols - 1 and total[i - 1, j + 1] < best:
                best = total[i - 1, j + 1]
            total[i, j] += best
    path = np.empty(rows, np.int64)
    j = 0
    for k in range(1, cols):
        if total[rows - 1, k] < total[rows - 1, j]:
            j = k
    path[rows - 1] = j
    for i in range(rows - 2, -1, -1):
        best_j = j
        if j > 0 and total[i, j - 1] < total[i, best_j]:
            best_j = j - 1
        if j < cols - 1 and total[i, j + 1] < total[i, best_j]:
            best_j = j + 1
        j = best_j
        path[i] = j
    return path


def min_error_cut(cost: np.ndarray) -> np.ndarray:
    """The cheapest top-to-bottom path through an overlap's error surface.

    Args:
        cost: (rows, cols) non-negative per-pixel costs, rows, cols >= 1 (typically the
            squared difference of the old and the new content summed over channels).

    Returns:
        int64 (rows,): the path's column in each row. Between consecutive rows it moves by
        at most one column (8-connected), and among all such paths its summed cost is the
        smallest (dynamic programming); ties go to the straighter step, then the lower
        column. ``cut_mask`` turns it into the pixels on and right of it.
    """
    cost = np.ascontiguousarray(cost, np.float64)
    if cost.ndim != 2 or min(cost.shape) < 1:
        raise ValueError(f"cost must be a non-empty (rows, cols) array, got shape "
                         f"{cost.shape}")
    return _cut_path(cost)


def cut_mask(path: np.ndarray, cols: int) -> np.ndarray:
    """bool (rows, cols): True on and right of the cut (``col >= path[row]``).

    With the old content left of an overlap, True marks the pixels the new patch takes;
    flip the cost (and the mask back) for an overlap on the right, transpose both for one
    above or below.
    """
    return np.arange(cols)[None, :] >= np.asarray(path)[:, None]


class PatchSearch:
    """Finds the window of a source image that best matches a partly known template.

    The source's Fourier transforms are computed once; each search then costs a few FFTs
    of the source's size whatever the template's size, so whole-image searches for large
    patches are cheap. Only windows lying entirely inside the source are candidates (no
    wrap-around), so a non-tiling photo never offers its own seam.
    """

    def __init__(self, source: np.ndarray):
        """``source``: (H, W, C) float image the patches are taken from."""
        source = np.asarray(source, np.float64)
        if source.ndim != 3:
            raise ValueError(f"source must be (H, W, C), got shape {source.shape}")
        self.source = source
        self._spectra = np.fft.rfft2(source, axes=(0, 1))
        self._energy = np.fft.rfft2((source * source).sum(axis=2))

    def ssd(self, template: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """Weighted sum of squared differences of ``template`` with every source window.

        Args:
            template: (h, w, C) the pixels to match (any values where ``weight`` is 0).
            weight: (h, w) >= 0, typically 1 where the template is known, 0 elsewhere.

        Returns:
            float64 (H - h + 1, W - w + 1): entry (y, x) is
            ``sum(weight * (source[y:y+h, x:x+w] - template)**2)`` up to rounding.
        """
        height, width = self.source.shape[:2]
        h, w = weight.shape
        if h > height or w > width or template.shape[:2] != (h, w):
            raise ValueError(f"template {template.shape[:2]} and weight {weight.shape} must "
                             f"agree and fit in the source {height}x{width}")
        shape = (height, width)
        weight = np.asarray(weight, np.float64)
        weighted = np.asarray(template, np.float64) * weight[..., None]
        # Circular cross-correlations; for windows inside the source nothing wraps.
        cross = np.conj(np.fft.rfft2(weighted, s=shape, axes=(0, 1))) * self._spectra
        spectrum = (np.conj(np.fft.rfft2(weight, s=shape)) * self._energy
                    - 2.0 * cross.sum(axis=2))
        ssd = np.fft.irfft2(spectrum, s=shape)[:height - h + 1, :width - w + 1]
        return ssd + float((weighted * template).sum())

    def best(self, template: np.ndarray, weight: np.ndarray) -> tuple[int, int]:
        """The (row, column) of the top-left corner of the best-matching window
        (``ssd``'s minimum; the first in row-major order on ties)."""
        ssd = self.ssd(template, weight)
        row, col = np.unravel_index(int(np.argmin(ssd)), ssd.shape)
        return int(row), int(col)
