"""The shared area filter (texgen.resample): block means, partial coverage, the mean kept,
tiles shrinking to tiles, and growing by repeating pixels."""

import numpy as np
import pytest

from texgen.resample import area_resize


def test_even_sizes_average_two_by_two_blocks():
    texture = np.random.default_rng(1).random((8, 6, 2)).astype(np.float32)
    expected = texture.reshape(4, 2, 3, 2, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(area_resize(texture, 3, 4), expected, atol=1e-6)


def test_odd_sizes_weigh_the_partly_covered_pixel_by_its_part():
    row = np.float32([1, 2, 3, 4, 5])[None, :, None]
    # 5 -> 2: output 0 covers pixels 0, 1 and half of 2; output 1 the other half and 3, 4
    np.testing.assert_allclose(area_resize(row, 2, 1)[0, :, 0],
                               [(1 + 2 + 1.5) / 2.5, (1.5 + 4 + 5) / 2.5], rtol=1e-6)
    # every source pixel counts with the same total weight: the mean is kept
    texture = np.random.default_rng(2).random((7, 9, 1)).astype(np.float32)
    assert area_resize(texture, 4, 3).mean() == pytest.approx(texture.mean(), rel=1e-5)


def test_a_shrunk_tile_tiles():
    tile = np.random.default_rng(3).random((6, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(area_resize(np.tile(tile, (2, 2, 1)), 6, 6),
                               np.tile(area_resize(tile, 3, 3), (2, 2, 1)), atol=1e-6)
    assert area_resize(tile, 6, 6).dtype == np.float32
    np.testing.assert_array_equal(area_resize(tile, 6, 6), tile)


def test_growing_repeats_pixels_and_blends_the_straddled_ones_by_their_parts():
    row = np.float32([1, 3])[None, :, None]
    np.testing.assert_allclose(area_resize(row, 4, 1)[0, :, 0], [1, 1, 3, 3])
    # 2 -> 3: the middle output covers the second half of pixel 0 and the first of pixel 1
    np.testing.assert_allclose(area_resize(row, 3, 1)[0, :, 0], [1, 2, 3], rtol=1e-6)
    texture = np.random.default_rng(4).random((3, 5, 2)).astype(np.float32)
    grown = area_resize(texture, 10, 6)
    assert grown.shape == (6, 10, 2)
    np.testing.assert_allclose(grown[::2, ::2], texture, rtol=1e-6)
    assert grown.mean() == pytest.approx(texture.mean(), rel=1e-5)
    with pytest.raises(ValueError, match="5x3 cannot become 0x3"):
        area_resize(texture, 0, 3)
