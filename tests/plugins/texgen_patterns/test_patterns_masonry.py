"""patterns.bricks and patterns.tiles: mortar positions, ids per brick, variation, tiling."""

import numpy as np
from patterns_testing import gray, render

EXACT = dict(mortar=0.25, bevel=0.0, height_variation=0.0, color_variation=0.0)


def test_mortar_positions_by_hand():
    # 16 x 16 pixels, 2 x 2 bricks of 8 x 8: mortar = 0.25 * 8 = 2 pixels, one on each side
    # of every cell boundary; row 1 is shifted by half a brick (4 pixels).
    mask = gray("bricks", 16, 16, "mask", rows=2, columns=2, offset=0.5, **EXACT)
    row_0 = np.ones(16)
    row_0[[0, 7, 8, 15]] = 0
    row_1 = np.ones(16)
    row_1[[3, 4, 11, 12]] = 0
    expected = np.array([row_0] * 8 + [row_1] * 8)
    expected[[0, 7, 8, 15], :] = 0  # the horizontal joints
    np.testing.assert_allclose(mask, expected, atol=1e-6)
    # Without bevel or variation the height is the mask.
    np.testing.assert_allclose(gray("bricks", 16, 16, "height", rows=2, columns=2,
                                    **EXACT), gray("bricks", 16, 16, "mask", rows=2,
                                                   columns=2, **EXACT))


def test_offset_accumulates_per_row():
    # offset 0.25 (a raking bond): row r's joints move 4 pixels right per row (bricks 16
    # wide); each joint is the 2 pixels around it.
    mask = gray("bricks", 32, 32, "mask", rows=4, columns=2, offset=0.25, **EXACT)
    for r in range(4):
        middle = mask[8 * r + 4]
        joints = {(4 * r + d) % 32 for d in (-1, 0, 15, 16)}
        assert set(np.flatnonzero(middle == 0.0)) == joints, r
        assert np.all(middle[sorted(set(range(32)) - joints)] == 1.0), r


def test_one_id_per_brick_and_cut_bricks_wrap():
    out = render("bricks", 64, 64, rows=4, columns=4, offset=0.5, **EXACT)
    ids = out["id"][..., 0]
    # Tileable: a brick cut by the edge is one brick, so 16 distinct ids.
    assert len(np.unique(ids)) == 16
    np.testing.assert_array_equal(ids[16:32, 0], ids[16:32, -1])
    # Not tileable: the odd rows' cut halves get their own ids (2 extra per odd row).
    free = gray("bricks", 64, 64, "id", tileable=False, rows=4, columns=4, **EXACT)
    assert len(np.unique(free)) == 18
    assert not np.array_equal(free[16:32, 0], free[16:32, -1])


def test_height_variation_tops_and_bevel():
    out = render("bricks", 128, 128, rows=4, columns=2, mortar=0.1, bevel=0.2,
                 height_variation=0.5, seed=3)
    height, ids = out["height"][..., 0], out["id"][..., 0]
    tops = [height[ids == value].max() for value in np.unique(ids)]
    assert 0.5 <= min(tops) < max(tops) <= 1.0
    # The bevel: a brick rises over 0.2 * 32 = 6.4 pixels from its edge at pixel 1.6.
    profile = height[16, :40] / height[16, :40].max()
    assert profile[0] == 0.0
    assert 0.0 < profile[3] < profile[5] < profile[7] < 1.0
    assert profile[9] == 1.0


def test_rotation_keeps_bricks_inside_their_cells():
    flat = gray("bricks", 128, 128, "mask", rows=4, columns=2, offset=0.0, mortar=0.05)
    turned = gray("bricks", 128, 128, "mask", rows=4, columns=2, offset=0.0, mortar=0.05,
                  rotation_variation=20.0)
    # Shrunk to fit: the joints stay clear and the bricks cover less.
    assert turned[::32].max() < 0.5 and turned[:, ::64].max() < 0.5
    assert turned.mean() < flat.mean() - 0.05


def test_color_blends_brick_colors_over_mortar():
    out = render("bricks", 64, 64, rows=2, columns=2, color="#ff0000", mortar_color="#0000ff",
                 color_variation=0.0, mortar=0.25, bevel=0.0)
    color, mask = out["color"], out["mask"][..., 0]
    np.testing.assert_allclose(color[mask == 1.0], [[1.0, 0.0, 0.0]] * int((mask == 1).sum()))
    np.testing.assert_allclose(color[mask == 0.0], [[0.0, 0.0, 1.0]] * int((mask == 0).sum()))
    varied = render("bricks", 64, 64, rows=2, columns=2, color="#808080", mortar=0.25,
                    color_variation=1.0)
    brick_colors = {tuple(np.round(c, 5)) for c in varied["color"][varied["mask"][..., 0] == 1]}
    assert len(brick_colors) == 4


def test_tiles_are_square_bricks_without_offset():
    tiles = render("tiles", 32, 64, count=4, **EXACT)
    bricks = render("bricks", 32, 64, rows=2, columns=4, offset=0.0, **EXACT)
    for port in ("height", "mask", "id", "color"):
        np.testing.assert_array_equal(tiles[port], bricks[port])


def test_layout_tiles_exactly():
    # Doubling the counts and the size repeats the pattern 2 x 2 (without per-brick noise).
    params = dict(mortar=0.15, bevel=0.2, height_variation=0.0, color_variation=0.0)
    small = render("bricks", 40, 48, rows=2, columns=2, offset=0.5, **params)
    large = render("bricks", 80, 96, rows=4, columns=4, offset=0.5, **params)
    for port in ("height", "mask"):
        np.testing.assert_allclose(np.tile(small[port], (2, 2, 1)), large[port], atol=1e-5)

