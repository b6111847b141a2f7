"""Image-quilting primitives: the minimum-error boundary cut and the masked patch search.

Efros and Freeman, "Image quilting for texture synthesis and transfer" (SIGGRAPH 2001):
a new patch is chosen by how well it matches what is already there where the two overlap
(sum of squared differences over the overlap only), and joined along the path through the
overlap where the two differ least, so that structures continue across the join instead
of being cross-faded. Generic over any (h, w, C) float image: used by the filters plugin
(``filters.make_tileable``, method "quilt") and available to any synthesizer.
"""

from __future__ import annotations

import numpy as np


def min_error_cut(cost: np.ndarray) -> np.ndarray:
    """The cheapest top-to-bottom path through ``cost``, one column per row.

    Args:
        cost: (n, m) non-negative per-pixel costs of the overlap, n rows, m >= 1 columns
            (typically the squared difference of the two images summed over channels).

    Returns:
        int64 (n,): the path's column in each row, each within one column of the row
        above's (8-connected), minimising the sum of ``cost`` along it; ties go to the
        lower column. A caller joining a left image A and a right image B takes A left of
        the path and B from the path on.
    """
    cost = np.asarray(cost, np.float64)
    if cost.ndim != 2 or min(cost.shape) < 1:
        raise ValueError(f"cost must be a non-empty (n, m) array, got shape {cost.shape}")
    n, m = cost.shape
    total = cost.copy()
    step = np.zeros((n, m), np.int64)  # -1, 0 or +1: where the path came from above
    for row in range(1, n):
        above = total[row - 1]
        left = np.concatenate([[np.inf], above[:-1]])
        right = np.concatenate([above[1:], [np.inf]])
        choices = np.stack([left, above, right])
        # argmin over (left, straight, right) prefers left on ties; make straight win
        # ties (then left) so equal costs give the straightest path.
        order = np.stack([choices[1], choices[0], choices[2]])
        pick = np.argmin(order, axis=0)
        step[row] = np.array([0, -1, 1])[pick]
        total[row] += np.take_along_axis(order, pick[None], axis=0)[0]
    path = np.empty(n, np.int64)
    path[-1] = int(np.argmin(total[-1]))
    for row in range(n - 1, 0, -1):
        path[row - 1] = path[row] + step[row, path[row]]
    return path


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
