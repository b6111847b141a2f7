"""patterns.hexagons and patterns.triangles: cell counts, areas, gaps, exact tiling."""

import math

import numpy as np
import pytest
from patterns_testing import context, gray, render

from texgen_patterns.grids import cell_stretch, regular_count

ROW = math.sqrt(3) / 2


@pytest.mark.parametrize("node, per_row", [("hexagons", 1), ("triangles", 2)])
def test_one_id_per_cell_and_even_rows_when_tiling(node, per_row):
    # count 4 on a square: 4 / ROW = 4.6 rows, rounded to an even 4 when tileable.
    ids = gray(node, 128, 128, "id", count=4)
    assert len(np.unique(ids)) == 4 * per_row * 4
    # Not tileable, rows are exact and the cells cut by the edges are cells of their own.
    assert len(np.unique(gray(node, 128, 128, "id", count=4, tileable=False))) > 16 * per_row


@pytest.mark.parametrize("gap", [0.0, 0.1, 0.3])
def test_hexagon_area_shrinks_with_the_gap(gap):
    # The gap insets every edge by gap / 2 of the inradius-1/2 hexagon: area (1 - gap)^2.
    mask = gray("hexagons", 256, 256, "mask", count=6, gap=gap, bevel=0.0)
    assert mask.mean() == pytest.approx((1 - gap) ** 2, abs=0.004)


@pytest.mark.parametrize("gap", [0.0, 0.1, 0.3])
def test_triangle_area_shrinks_with_the_gap(gap):
    inradius = 1 / (2 * math.sqrt(3))  # of a triangle of side 1
    mask = gray("triangles", 256, 256, "mask", count=6, gap=gap, bevel=0.0)
    assert mask.mean() == pytest.approx(((inradius - gap / 2) / inradius) ** 2, abs=0.004)


def test_hexagon_centres_and_rows():
    # count 2 on 64 x 64 (tileable): 2 rows of 32 pixels; row 0's centres at x = 0, 32,
    # row 1's at 16, 48 (offset half a cell).
    out = render("hexagons", 64, 64, count=2, gap=0.1, bevel=0.3, height_variation=0.0)
    height = out["height"][..., 0]
    for y, x in ((0, 0), (0, 32), (32, 16), (32, 48)):
        assert height[y, x] == 1.0 and height[y - 1, x - 1] == 1.0
    # Flat sides are vertical: half-way between two centres of a row is a gap.
    assert out["mask"][0, 16, 0] == 0.0 and out["mask"][32, 0, 0] == 0.0


def test_triangles_alternate_up_and_down():
    # count 2 on 64 x 64: 2 rows of 32 pixels, 4 triangles across each (side 32 pixels).
    ids = gray("triangles", 64, 64, "id", count=2)
    assert len(np.unique(ids[8])) == len(np.unique(ids[40])) == 4

    def width(y, x):  # of the triangle holding pixel (y, x), along row y
        return int((ids[y] == ids[y, x]).sum())

    # In row 0 the triangle around x = 16 points down, its neighbour around x = 32 up;
    # row 1 is the other way round.
    assert width(2, 16) > 25 and width(29, 16) < 5
    assert width(2, 32) < 5 and width(29, 32) > 25
    assert width(34, 16) < 5 and width(34, 32) > 25


@pytest.mark.parametrize("node", ["hexagons", "triangles"])
def test_grid_tiles_exactly(node):
    # Doubling the count and the size repeats the texture 2 x 2.
    params = dict(gap=0.1, bevel=0.2, height_variation=0.0)
    small = render(node, 40, 40, count=2, **params)  # 2.3 rows, rounded to 2
    large = render(node, 80, 80, count=4, **params)  # 4.6 rows, rounded to 4
    for port in ("height", "mask"):
        np.testing.assert_allclose(np.tile(small[port], (2, 2, 1)), large[port], atol=1e-5)


def test_hexagons_fit_regular_picks_the_nearest_count_with_regular_cells():
    # The issue: count 6 on a square draws 6 rows (6.93 would be regular), cells 15 % taller.
    square = context(252, 252)
    assert cell_stretch(square, 6) == pytest.approx(6 / ROW / 6)  # 1.155
    assert regular_count(square, 6) == 7 and abs(cell_stretch(square, 7) - 1) < 0.011
    stretched = gray("hexagons", 252, 252, "id", count=6)
    regular = gray("hexagons", 252, 252, "id", count=6, fit="regular")
    assert len(np.unique(stretched)) == 6 * 6 and len(np.unique(regular)) == 7 * 8
    # Regular cells: the height of one cell (a pointy-top hexagon, 2 / sqrt(3) of its
    # width) over its width, measured on the mask of the cell around the top-left centre.
    out = render("hexagons", 252, 252, count=6, fit="regular", gap=0.0, bevel=0.0)
    cell = out["id"][..., 0] == out["id"][0, 0, 0]
    rows, cols = np.nonzero(cell[:126, :126])
    width, height = cols.max() + 1 + (cols.max() + 1), rows.max() + 1 + (rows.max() + 1)
    assert height / width == pytest.approx(2 / math.sqrt(3), rel=0.03)
    # Every requested count lands within the tolerance, and near it.
    for count in range(1, 41):
        used = regular_count(square, count)
        assert abs(cell_stretch(square, used) - 1) <= 0.04 and abs(used - count) <= 4
    # Without tiling the rows need not be whole: both fits draw the same regular cells.
    for port in ("height", "mask", "id", "color"):
        np.testing.assert_array_equal(
            render("hexagons", 100, 120, count=6, fit="regular", tileable=False)[port],
            render("hexagons", 100, 120, count=6, tileable=False)[port])


def test_hexagon_color_is_one_varied_color_per_cell_over_the_gap_color():
    out = render("hexagons", 128, 128, count=4, gap=0.2, bevel=0.0, color="#4080c0",
                 color_variation=0.5, gap_color="#102030")
    color, mask, ids = out["color"], out["mask"][..., 0], out["id"][..., 0]
    assert color.shape == (128, 128, 3) and color.dtype == np.float32
    gap = np.array([0x10, 0x20, 0x30]) / 255
    np.testing.assert_allclose(color[mask == 0], np.broadcast_to(gap, color[mask == 0].shape),
                               atol=1e-6)
    inside = mask == 1
    per_cell = {}
    for cell_id, rgb in zip(ids[inside], color[inside]):
        per_cell.setdefault(float(cell_id), set()).add(tuple(np.round(rgb, 6)))
    assert all(len(colors) == 1 for colors in per_cell.values()), "one color per cell"
    assert len({next(iter(c)) for c in per_cell.values()}) == len(per_cell) == 16
    plain = render("hexagons", 128, 128, count=4, gap=0.2, bevel=0.0, color="#4080c0",
                   color_variation=0.0, gap_color="#102030")["color"]
    np.testing.assert_allclose(plain[inside], np.broadcast_to(
        np.array([0x40, 0x80, 0xc0]) / 255, plain[inside].shape), atol=1e-6)
    # A cell cut by the left/right border is one cell with its other part: the color tiles.
    both = inside[:, 0] & inside[:, -1]
    assert both.sum() > 40
    np.testing.assert_array_equal(color[both, 0], color[both, -1])
