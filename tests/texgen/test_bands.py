"""texgen.bands: the bands of rows every plugin's banded work uses."""

from texgen import bands
from texgen.bands import BAND_PIXELS, row_bands


def test_row_bands_cover_every_row_once(monkeypatch):
    monkeypatch.setattr(bands, "BAND_PIXELS", 100)
    cut = row_bands(23, 16)  # 6 rows of 16 pixels per band
    assert [(band.start, band.stop) for band in cut] == [(0, 6), (6, 12), (12, 18), (18, 23)]
    assert row_bands(3, 1000) == [slice(0, 1), slice(1, 2), slice(2, 3)]


def test_bands_at_the_default_size_split_a_length_into_contiguous_ranges():
    assert row_bands(10, BAND_PIXELS // 4) == [slice(0, 4), slice(4, 8), slice(8, 10)]
    assert row_bands(3, 10 * BAND_PIXELS) == [slice(0, 1), slice(1, 2), slice(2, 3)]
    assert row_bands(5, 1) == [slice(0, 5)]
