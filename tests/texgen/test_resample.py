"""The shared area filter (texgen.resample): block means, partial coverage, the mean kept,
tiles shrinking to tiles, and refusing to grow."""

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


def test_a_shrunk_tile_tiles_and_sizes_that_do_not_shrink_are_refused():
    tile = np.random.default_rng(3).random((6, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(area_resize(np.tile(tile, (2, 2, 1)), 6, 6),
                               np.tile(area_resize(tile, 3, 3), (2, 2, 1)), atol=1e-6)
    assert area_resize(tile, 6, 6).dtype == np.float32
    np.testing.assert_array_equal(area_resize(tile, 6, 6), tile)
    with pytest.raises(ValueError, match="6x6 cannot become 7x6"):
        area_resize(tile, 7, 6)
