"""docs/make_noise_grid.py: the grid's layout, and one distinct tile per noise x warp x fractal."""

import itertools

import numpy as np

from texgen.io import read_image

SIZE = 16


def test_noise_grid_layout_and_distinct_tiles(tmp_path, repo_script):
    grid_script = repo_script("docs/make_noise_grid.py")
    out = grid_script.main(["--size", str(SIZE), "-o", str(tmp_path / "grid.png")])
    assert out == tmp_path / "grid.png"
    image = read_image(out)

    rows, columns = len(grid_script.ROWS), len(grid_script.FRACTALS)
    assert (rows, columns) == (15, 5)
    label_height = grid_script.GAP + grid_script.LABEL_HEIGHT
    label_width = grid_script.GAP + grid_script.ROW_LABEL_WIDTH
    pitch = SIZE + grid_script.GAP
    assert image.shape == (label_height + rows * pitch, label_width + columns * pitch, 1)
    assert image.shape[:2] == grid_script.grid_shape(SIZE)

    tiles = {}
    for r, (noise, warp) in enumerate(grid_script.ROWS):
        for c, fractal in enumerate(grid_script.FRACTALS):
            top, left = label_height + r * pitch, label_width + c * pitch
            tiles[noise, warp, fractal] = image[top:top + SIZE, left:left + SIZE, 0]
    assert len(tiles) == 75
    for (a, tile_a), (b, tile_b) in itertools.combinations(tiles.items(), 2):
        assert not np.array_equal(tile_a, tile_b), f"tiles {a} and {b} are identical"

    # the tiles sit where the layout says: the first one is the node's output, in 8 bits
    expected = grid_script.render_tile("perlin", "none", "none", SIZE)[..., 0]
    np.testing.assert_allclose(tiles["perlin", "none", "none"], expected, atol=0.5 / 255 + 1e-6)
    # and the labels are drawn: light text over the dark header band and row-label column
    assert image[:label_height, label_width:].max() > 0.7
    assert image[label_height:, :label_width].max() > 0.7
