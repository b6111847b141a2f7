"""patterns.shape: areas against formulas, orientation, soft edges, grids and wrapping."""

import math

import numpy as np
import pytest
from patterns_testing import gray, render


def test_circle_area_is_pi_r_squared():
    # size 0.5 of a square texture: radius 0.25 width, area pi / 16 of the texture.
    for side in (63, 256):
        area = gray("shape", side, side, size=0.5).mean()
        assert area == pytest.approx(math.pi / 16, abs=0.5 / side)


@pytest.mark.parametrize("sides", [3, 4, 6, 9])
def test_polygon_area(sides):
    radius = 0.35
    expected = 0.5 * sides * radius ** 2 * math.sin(2 * math.pi / sides)
    area = gray("shape", 256, 256, shape="polygon", sides=sides, size=2 * radius).mean()
    assert area == pytest.approx(expected, abs=0.002)


@pytest.mark.parametrize("points, inner", [(5, 0.5), (6, 0.3), (4, 0.9)])
def test_star_area(points, inner):
    # 2 * points triangles between the centre, a tip and an inner corner.
    radius = 0.4
    expected = points * radius * (inner * radius) * math.sin(math.pi / points)
    area = gray("shape", 256, 256, shape="star", sides=points, inner_radius=inner,
                size=2 * radius).mean()
    assert area == pytest.approx(expected, abs=0.002)


def test_a_corner_points_up_and_rotation_turns_it():
    # A triangle of radius 24 pixels centred at (32, 32): its corner reaches up to y = 8,
    # its flat side lies 12 pixels below the centre.
    up = gray("shape", 64, 64, shape="polygon", sides=3, size=0.75)
    assert up[10, 32] == 1.0 and up[54, 32] == 0.0 and up[42, 32] == 1.0
    down = gray("shape", 64, 64, shape="polygon", sides=3, size=0.75, rotation=180.0)
    np.testing.assert_allclose(down, up[::-1], atol=1e-6)
    # A quarter turn counter-clockwise points the corner left.
    left = gray("shape", 64, 64, shape="polygon", sides=3, size=0.75, rotation=90.0)
    np.testing.assert_allclose(left, up.T, atol=1e-6)


def test_soft_edge_is_centred_on_the_outline():
    # softness 0.5 of a 32-pixel radius, plus the pixel: a ramp 17 pixels wide around r = 32.
    profile = gray("shape", 128, 128, size=0.5, softness=0.5)[64, 64:]
    assert profile[22] == 1.0 and profile[41] == 0.0
    assert np.all(np.diff(profile[23:41]) < 0)
    assert profile[32] == pytest.approx(0.5 - 0.5 / 17, abs=1e-3)  # 32.5 pixels out


def test_height_is_a_cone():
    out = render("shape", 65, 65, size=0.5)
    height = out["height"][..., 0]
    assert height[32, 32] == pytest.approx(1.0, abs=1e-6)
    # Linear in the distance from the centre: 1 - d / 16.25 pixels.
    np.testing.assert_allclose(height[32, 32:49], 1 - np.arange(17) / 16.25, atol=1e-6)


def test_grid_repeats_and_wraps():
    # 4 cells per width: the texture is the single-cell render tiled 4 x 4.
    single = gray("shape", 16, 16, shape="star", size=0.9)
    np.testing.assert_allclose(gray("shape", 64, 64, shape="star", size=0.9, count=4),
                               np.tile(single, (4, 4)), atol=1e-6)
    # Larger than its cell, a triangle's corner reaches into the cell above it, and from the
    # bottom row across the edge into the top row.
    big = gray("shape", 64, 64, shape="polygon", sides=3, size=1.2, count=2)
    assert big[30, 16] > 0.9 and big[62, 16] > 0.9
    alone = gray("shape", 32, 32, shape="polygon", sides=3, size=1.2, tileable=False)
    assert alone[30, 16] == 0.0


def test_without_tiling_only_the_grid_cells_hold_shapes():
    # One cell, a triangle larger than it (corner 16 pixels above the top, base 24 below
    # the centre): tileable, the copy below pokes its corner up into the bottom rows;
    # otherwise the shape is cut by the edges and nothing comes in.
    wrapped = gray("shape", 64, 64, shape="polygon", sides=3, size=1.5)
    cut = gray("shape", 64, 64, shape="polygon", sides=3, size=1.5, tileable=False)
    assert wrapped[60, 32] == 1.0 and cut[60, 32] == 0.0
    np.testing.assert_array_equal(wrapped[:32], cut[:32])
