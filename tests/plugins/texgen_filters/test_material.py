"""filters.normal_map: formula, conventions, edges, seams and resolution independence."""

import numpy as np
import pytest

from texgen_filters.material import normal_map

from filters_testing import context, texture

SQRT_HALF = 0.5 ** 0.5


def run(height_field, *, strength=1.0, convention="opengl", tileable=True):
    rows, columns = height_field.shape[:2]
    return normal_map(context(rows, columns, tileable=tileable), height=height_field,
                      strength=strength, convention=convention)


def periodic_height(rows, columns):
    """0.5 + 0.25 sin(2 pi u) + 0.25 cos(2 pi v) sampled at u = c / W, v = r / H."""
    v, u = np.meshgrid(np.arange(rows) / rows, np.arange(columns) / columns, indexing="ij")
    return 0.5 + 0.25 * np.sin(2 * np.pi * u) + 0.25 * np.cos(2 * np.pi * v)


@pytest.mark.parametrize("tileable", [True, False])
@pytest.mark.parametrize("convention", ["opengl", "directx"])
def test_flat_height_is_straight_up_exactly(tileable, convention):
    out = run(texture(np.full((5, 7), 0.3)), strength=50.0, convention=convention,
              tileable=tileable)
    np.testing.assert_array_equal(out, np.broadcast_to(np.float32([0.5, 0.5, 1.0]), (5, 7, 3)))


def test_ramp_in_x_gives_a_constant_normal_up_to_the_edges():
    columns = 16
    ramp = texture(np.tile(np.arange(columns) / columns, (4, 1)))  # dh/du = 1
    out = run(ramp, strength=100.0, tileable=False)
    # k = 1: n = normalize(-1, 0, 1) = (-sqrt(1/2), 0, sqrt(1/2)); facing left (red < 0.5).
    expected = [0.5 - 0.5 * SQRT_HALF, 0.5, 0.5 + 0.5 * SQRT_HALF]
    np.testing.assert_allclose(out.reshape(-1, 3), np.tile(expected, (4 * columns, 1)),
                               atol=1e-6)


def test_strength_is_percent_of_width_per_unit_height():
    columns = 32
    ramp = texture(np.tile(2.0 * np.arange(columns) / columns, (3, 1)))  # dh/du = 2
    out = run(ramp, strength=25.0, tileable=False)
    # k du = 0.25 * 2 = 0.5: n = (-0.5, 0, 1) / sqrt(1.25)
    length = 1.25 ** 0.5
    expected = [0.5 - 0.25 / length, 0.5, 0.5 + 0.5 / length]
    np.testing.assert_allclose(out.reshape(-1, 3), np.tile(expected, (3 * columns, 1)),
                               atol=1e-6)


def test_ramp_down_the_rows_faces_up_in_opengl():
    rows, columns = 8, 8
    ramp = texture(np.tile((np.arange(rows) / columns)[:, None], (1, columns)))  # dh/dv = 1
    opengl = run(ramp, strength=100.0, tileable=False)
    directx = run(ramp, strength=100.0, convention="directx", tileable=False)
    # Height grows towards the bottom of the image, so the surface faces the top: +Y.
    up = [0.5, 0.5 + 0.5 * SQRT_HALF, 0.5 + 0.5 * SQRT_HALF]
    down = [0.5, 0.5 - 0.5 * SQRT_HALF, 0.5 + 0.5 * SQRT_HALF]
    np.testing.assert_allclose(opengl.reshape(-1, 3), np.tile(up, (rows * columns, 1)),
                               atol=1e-6)
    np.testing.assert_allclose(directx.reshape(-1, 3), np.tile(down, (rows * columns, 1)),
                               atol=1e-6)


def test_conventions_differ_only_in_green():
    rng = np.random.default_rng(3)
    heights = texture(rng.random((31, 47)))
    opengl = run(heights, strength=5.0)
    directx = run(heights, strength=5.0, convention="directx")
    np.testing.assert_array_equal(opengl[..., [0, 2]], directx[..., [0, 2]])
    np.testing.assert_allclose(directx[..., 1], 1.0 - opengl[..., 1], atol=1e-6)
    assert np.abs(opengl[..., 1] - 0.5).max() > 0.1  # the green channel is exercised


def test_tileable_wraps_around_the_edges():
    heights = periodic_height(40, 56)
    out = run(texture(heights), strength=10.0)
    # Wrapping means shifting the input shifts the output: the edge pixels see the same
    # neighbours as interior ones would.
    shifted = run(texture(np.roll(heights, (13, 21), axis=(0, 1))), strength=10.0)
    np.testing.assert_allclose(shifted, np.roll(out, (13, 21), axis=(0, 1)), atol=1e-6)
    # The step across the seam (last row/column to the first) is no larger than a step
    # between interior neighbours.
    for axis in (0, 1):
        seam = np.abs(np.take(out, 0, axis) - np.take(out, -1, axis)).max()
        assert seam <= 1.01 * np.abs(np.diff(out, axis=axis)).max()


def test_tileable_ramp_has_a_seam_and_the_clamped_one_does_not():
    ramp = texture(np.tile(np.arange(16) / 16, (4, 1)))
    wrapped = run(ramp, strength=100.0)
    clamped = run(ramp, strength=100.0, tileable=False)
    # The wrap sees the jump from 15/16 back to 0 at both edge columns.
    np.testing.assert_allclose(wrapped[:, 1:-1], clamped[:, 1:-1], atol=1e-6)
    assert wrapped[0, 0, 0] > 0.5 > clamped[0, 0, 0]
    assert wrapped[0, -1, 0] > 0.5 > clamped[0, -1, 0]


@pytest.mark.parametrize("small, large", [((64, 64), (256, 256)), ((32, 64), (128, 256))])
def test_resolution_independent(small, large):
    low = run(texture(periodic_height(*small)), strength=10.0)
    high = run(texture(periodic_height(*large)), strength=10.0)
    step = large[1] // small[1]
    # Pixel (r, c) at the small size and (step r, step c) at the large one sample the
    # same (u, v); only the central difference's sampling error separates them.
    np.testing.assert_allclose(low, high[::step, ::step], atol=2e-3)
    assert np.abs(low - 0.5)[..., :2].max() > 0.05  # the slopes are not negligible


def test_matches_the_analytic_normal():
    size = 256
    out = run(texture(periodic_height(size, size)), strength=10.0)
    v, u = np.meshgrid(np.arange(size) / size, np.arange(size) / size, indexing="ij")
    # dh/du = 0.25 * 2 pi cos(2 pi u); dh/dv = -0.25 * 2 pi sin(2 pi v); k = 0.1.
    du = 0.5 * np.pi * np.cos(2 * np.pi * u)
    dv = -0.5 * np.pi * np.sin(2 * np.pi * v)
    n = np.stack([-0.1 * du, 0.1 * dv, np.ones_like(du)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    np.testing.assert_allclose(out, 0.5 + 0.5 * n, atol=1e-3)


@pytest.mark.parametrize("tileable", [True, False])
@pytest.mark.parametrize("height, width", [(130, 257), (257, 130), (1, 1), (2, 3)])
def test_output_shape_dtype_and_layout(height, width, tileable):
    heights = texture(np.random.default_rng(0).random((height, width)))
    out = run(heights, tileable=tileable)
    assert out.shape == (height, width, 3)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    assert np.isfinite(out).all()
