"""benchmarks/exemplars.py: the drawn tiles exemplar is what its docstring says (six rows and
columns of tiles with grout, deterministic by seed) and its yardstick is another drawing."""


import numpy as np
import pytest


@pytest.fixture(scope="module")
def exemplars(repo_script):
    return repo_script("benchmarks/exemplars.py")


def test_tiles_shape_range_determinism(exemplars):
    image = exemplars.tiles(0)
    assert image.shape == (256, 256, 3) and image.dtype == np.float32
    assert image.flags.c_contiguous and 0.0 <= image.min() and image.max() <= 1.0
    np.testing.assert_array_equal(image, exemplars.tiles(0))
    assert np.abs(image - exemplars.tiles(1)).mean() > 0.02


@pytest.mark.parametrize("seed", [0, 5])
def test_tiles_six_rows_and_columns_of_grout(exemplars, seed):
    """The grout lines recur six times across the image, along both axes."""
    image = exemplars.tiles(seed)
    grout = np.abs(image - exemplars.GROUT_COLOR).max(axis=2) < 0.08
    assert 0.1 < grout.mean() < 0.4
    for axis in (0, 1):
        profile = grout.mean(axis=1 - axis)
        spectrum = np.abs(np.fft.rfft(profile - profile.mean()))
        assert np.argmax(spectrum[1:]) + 1 == 6


def test_tiles_yardstick_is_another_drawing(exemplars):
    image, sample, other = exemplars.exemplar_pair("tiles", seed=2)
    np.testing.assert_array_equal(image, exemplars.tiles(0))
    np.testing.assert_array_equal(sample, image)
    np.testing.assert_array_equal(other, exemplars.tiles(3))


def test_merged_tiles_zero_for_drawings(exemplars):
    for seed in range(4):
        assert exemplars.merged_tiles(exemplars.tiles(seed)) == 0.0
    # A tile cut by the border is one tile, not two pieces, and not merged either.
    assert exemplars.merged_tiles(np.roll(exemplars.tiles(0), (21, 21), axis=(0, 1))) == 0.0


def test_merged_tiles_counts_lost_grout(exemplars):
    image = exemplars.tiles(0).copy()
    grout = (np.abs(image - exemplars.GROUT_COLOR) < 0.08).all(axis=2)
    column = 100 + int(np.argmax(grout[:, 100:160].mean(axis=0)))  # a vertical grout line
    image[110:150, column - 4:column + 5] = exemplars.TILE_COLOR  # bridge two tiles
    share = exemplars.merged_tiles(image)
    assert 1 / 36 < share < 4 / 36
    flat = np.broadcast_to(exemplars.TILE_COLOR, (256, 256, 3)).astype(np.float32)
    assert exemplars.merged_tiles(flat) == 1.0


def test_merged_tiles_joins_across_the_border(exemplars):
    """Two pieces, each under 1.5 tiles, touching only across the wrap-around border."""
    image = np.broadcast_to(exemplars.GROUT_COLOR, (256, 256, 3)).astype(np.float32).copy()
    image[:35, 10:50] = exemplars.TILE_COLOR
    image[-35:, 10:50] = exemplars.TILE_COLOR
    assert exemplars.merged_tiles(image) == 1.0
    image[-1, 10:50] = exemplars.GROUT_COLOR  # a grout line on the border: two tiles
    assert exemplars.merged_tiles(image) == 0.0
