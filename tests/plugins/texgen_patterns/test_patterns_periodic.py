"""patterns.checker, stripes, waves, linear_gradient and radial_gradient: exact values,
direction snapping, tiling and the odd-checker check."""

import math

import numpy as np
import pytest
from patterns_testing import context, gray, registry

from texgen.testing import seam_ratio


def test_checker_exact_pattern():
    expected = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]])
    np.testing.assert_allclose(gray("checker", 4, 4, count=2), expected, atol=1e-6)
    # 4 x 8 at count 4: squares of 2 pixels, 2 rows.
    np.testing.assert_allclose(gray("checker", 4, 8, count=4),
                               np.kron([[1, 0, 1, 0], [0, 1, 0, 1]], np.ones((2, 2))),
                               atol=1e-6)


def test_checker_edges_are_anti_aliased():
    # 3 squares over 8 pixels: the edges at 8/3 and 16/3 pixels fall inside pixels 2 and 5,
    # which get the covered fraction.
    row = gray("checker", 8, 8, count=3, tileable=False)[0]
    np.testing.assert_allclose(row, [1, 1, 2 / 3, 0, 0, 2 / 3, 1, 1], atol=1e-6)


def test_checker_odd_count_cannot_tile():
    checker = registry().get("patterns.checker").load()
    with pytest.raises(ValueError, match=r"node 'n', parameter 'count': must be even when "
                                         r"tileable .* got 7"):
        checker(context(16, 16), count=7)
    assert checker(context(16, 16, tileable=False), count=7).shape == (16, 16, 1)


@pytest.mark.parametrize("width", [0.0, 0.25, 0.5, 1.0])
def test_stripes_cover_their_width(width):
    out = gray("stripes", 64, 64, count=8, width=width)
    assert out.mean() == pytest.approx(width, abs=1e-6)
    assert set(np.unique(out)) <= {0.0, 1.0}  # 8 pixels per period: edges on pixel edges


def test_stripes_directions():
    vertical = gray("stripes", 32, 48, count=4)
    assert np.all(vertical == vertical[:1])  # constant down each column
    horizontal = gray("stripes", 32, 48, count=4, angle=90.0)
    assert np.all(horizontal == horizontal[:, :1])
    # 45 degrees on a square texture: 4 * cos 45 = 2.8 -> 3 periods across and down.
    diagonal = gray("stripes", 60, 60, count=4, angle=45.0)
    np.testing.assert_allclose(diagonal, np.roll(np.roll(diagonal, 20, 1), 20, 0), atol=1e-6)
    # The normal points up-right, so the stripes run down-right: constant along (1, 1).
    np.testing.assert_allclose(diagonal, np.roll(np.roll(diagonal, -1, 0), -1, 1), atol=1e-6)
    # Not tileable, the angle is exact (and the texture does not wrap).
    free = gray("stripes", 60, 60, count=4, angle=45.0, tileable=False)
    assert seam_ratio(free[..., None]) > 1.5


def test_stripes_softness_widens_the_edges():
    sharp = gray("stripes", 64, 64, count=4)
    soft = gray("stripes", 64, 64, count=4, softness=0.25)
    assert len(np.unique(sharp)) == 2
    ramp = soft[0, :16]  # a period of 16 pixels: the ramp spans 4 of them
    assert 0.0 < ramp[3] < ramp[2] < 1.0 and soft.mean() == pytest.approx(0.5, abs=1e-6)


def test_waves_without_wobble_are_a_cosine():
    out = gray("waves", 8, 32, count=3, amplitude=0.0)
    u = (np.arange(32) + 0.5) / 32
    np.testing.assert_allclose(out, np.broadcast_to(0.5 + 0.5 * np.cos(6 * np.pi * u), (8, 32)),
                               atol=1e-6)
    np.testing.assert_allclose(gray("waves", 8, 32, count=3, frequency=0.0), out, atol=1e-6)


def test_waves_wobble_moves_the_crests():
    flat = gray("waves", 64, 64, count=4, amplitude=0.0)
    wavy = gray("waves", 64, 64, count=4, amplitude=0.05, frequency=2.0)
    assert np.abs(flat - wavy).max() > 0.5
    # Vertical crests wobble along y with 2 periods: rows 32 apart are the same.
    np.testing.assert_allclose(wavy, np.roll(wavy, 32, 0), atol=1e-6)
    assert not np.allclose(wavy, np.roll(wavy, 16, 0))


def test_linear_gradient_values():
    u = (np.arange(16) + 0.5) / 16
    ramp = gray("linear_gradient", 4, 16, tileable=False)
    np.testing.assert_allclose(ramp, np.broadcast_to(u, (4, 16)), atol=1e-6)
    mirror = gray("linear_gradient", 4, 16, mode="mirror")
    np.testing.assert_allclose(mirror[0], 1 - np.abs(2 * u - 1), atol=1e-6)
    up = gray("linear_gradient", 16, 16, angle=90.0, tileable=False)
    np.testing.assert_allclose(up[:, 5], 1 - u, atol=1e-6)  # rises towards the top


def test_linear_gradient_tiling():
    # A mirrored ramp is seamless; a sawtooth's jump falls on the edge (documented).
    for angle in (0.0, 30.0, 135.0):
        mirror = gray("linear_gradient", 64, 96, mode="mirror", angle=angle, repeat=2)
        assert seam_ratio(mirror[..., None]) < 1.5, angle
    assert seam_ratio(gray("linear_gradient", 64, 96)[..., None]) > 10


def test_linear_gradient_jump_is_anti_aliased():
    # 3 ramps over 64 pixels: the jumps at 21.3 and 42.7 pixels fall inside pixels 21 and
    # 42, which get the pixel's average of the sawtooth, as supersampling finds.
    ramp = gray("linear_gradient", 2, 64, repeat=3)[0]
    samples = (np.arange(64)[:, None] + (np.arange(1000) + 0.5) / 1000) / 64
    supersampled = np.mean(3 * samples % 1.0, axis=1)
    np.testing.assert_allclose(ramp, supersampled, atol=1e-3)
    assert 0.2 < ramp[21] < 0.5 and 0.5 < ramp[42] < 0.8


def test_radial_gradient_values():
    out = gray("radial_gradient", 65, 65, center_x=0.5, center_y=0.5, radius=0.25,
               tileable=False)
    assert out[32, 32] == pytest.approx(1.0, abs=1e-6)
    # Linear falloff along the middle row: 1 - |x - 32| / 16.25 pixels.
    np.testing.assert_allclose(out[32], np.clip(1 - np.abs(np.arange(65) - 32) / 16.25, 0, 1),
                               atol=1e-6)
    smooth = gray("radial_gradient", 65, 65, radius=0.25, profile="smooth", tileable=False)
    dome = gray("radial_gradient", 65, 65, radius=0.25, profile="dome", tileable=False)
    t = out[32, 40]
    assert smooth[32, 40] == pytest.approx(t * t * (3 - 2 * t), abs=1e-6)
    assert dome[32, 40] == pytest.approx(math.sqrt(1 - (1 - t) ** 2), abs=1e-6)


def test_radial_gradient_wraps_when_tileable():
    # A centre near a corner: tileable, the falloff continues across the edges.
    wrapped = gray("radial_gradient", 64, 64, center_x=0.0, center_y=0.0, radius=0.3)
    cut = gray("radial_gradient", 64, 64, center_x=0.0, center_y=0.0, radius=0.3,
               tileable=False)
    np.testing.assert_allclose(wrapped, wrapped[::-1, ::-1], atol=1e-6)
    assert seam_ratio(wrapped[..., None]) < 1.5
    assert cut[-1, -1] == 0.0 < wrapped[-1, -1]


SNAPPED = math.degrees(math.atan2(3, 4))  # count 5 at this angle is 4 across, 3 down


@pytest.mark.parametrize("node, small, large", [
    ("checker", {"count": 2}, {"count": 4}),
    ("stripes", {"count": 5, "angle": SNAPPED, "width": 0.3},
     {"count": 10, "angle": SNAPPED, "width": 0.3}),
    ("waves", {"count": 5, "angle": SNAPPED, "amplitude": 0.02, "frequency": 5.0},
     {"count": 10, "angle": SNAPPED, "amplitude": 0.01, "frequency": 10.0}),
    ("linear_gradient", {"repeat": 5, "angle": SNAPPED, "mode": "mirror"},
     {"repeat": 10, "angle": SNAPPED, "mode": "mirror"})])
def test_periodic_patterns_tile_exactly(node, small, large):
    # Twice the size with twice the counts (and half the widths-relative lengths) is the
    # texture repeated 2 x 2: it wraps seamlessly.
    np.testing.assert_allclose(np.tile(gray(node, 40, 40, **small), (2, 2)),
                               gray(node, 80, 80, **large), atol=2e-5)
