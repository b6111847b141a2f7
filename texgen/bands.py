"""Bands of rows: how a node bounds its temporaries at any size.

A node whose temporaries (float64 or int64 working arrays, a network's activations along
one axis) grow with the texture computes a band of consecutive rows at a time into its
preallocated result. ``row_bands`` cuts the rows into bands of about ``BAND_PIXELS``
pixels, so those temporaries take a few MB whatever the texture's size; every plugin's
banded work uses it (tests shrink ``BAND_PIXELS`` to check that bands change no byte).
"""

from __future__ import annotations

#: Pixels per band: about 256 K, a few MB per float64 channel.
BAND_PIXELS = 1 << 18


def row_bands(height: int, width: int) -> list[slice]:
    """Slices of consecutive rows covering ``height`` rows of ``width`` pixels, each about
    ``BAND_PIXELS`` pixels (at least one row; the last may be shorter). Pass (width,
    height) to cut columns instead."""
    rows = max(1, BAND_PIXELS // max(width, 1))
    return [slice(top, min(top + rows, height)) for top in range(0, height, rows)]
