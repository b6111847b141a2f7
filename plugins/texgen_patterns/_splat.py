"""Numba helpers shared by the kernels that draw instances over their bounding boxes."""

import math

import numba


@numba.njit(cache=True)
def pixel_range(centre, reach, pixels_per_unit, size, tileable):
    """First and last pixel index (row or column) within ``reach`` of ``centre``, both in
    width units; clipped to 0..size-1 unless tileable, where indices outside wrap."""
    first = int(math.floor((centre - reach) * pixels_per_unit - 0.5))
    last = int(math.ceil((centre + reach) * pixels_per_unit - 0.5))
    if not tileable:
        first, last = max(first, 0), min(last, size - 1)
    return first, last
