"""filters.warp, filters.directional_warp, filters.transform and their bilinear sampler."""

import numpy as np
import pytest

from texgen.nodes import NodeContext
from texgen.testing import seam_ratio
from texgen_filters.warp import directional_warp, sample_bilinear, transform, warp


def ctx(height, width, tileable=True):
    return NodeContext("n", width, height, seed=1, tileable=tileable)


def periodic(height, width, channels=1, cycles=(1, 2)):
    v, u = np.meshgrid(np.arange(height) / height, np.arange(width) / width, indexing="ij")
    layers = [0.5 + 0.4 * np.sin(2 * np.pi * (cycles[0] * u + cycles[1] * v + c / 3))
              for c in range(channels)]
    return np.ascontiguousarray(np.stack(layers, -1), np.float32)


def constant_vector(height, width, x, y):
    """A color vector field that moves by (x, y) UV units at intensity 100."""
    field = np.empty((height, width, 3), np.float32)
    field[..., 0], field[..., 1], field[..., 2] = 0.5 + x / 2, 0.5 + y / 2, 0.5
    return field


def test_zero_intensity_is_identity():
    texture = periodic(16, 24, 3)
    out = warp(ctx(16, 24), input=texture, warp=periodic(16, 24), mode="gradient",
               intensity=0.0)
    np.testing.assert_allclose(out, texture, atol=1e-6)


def test_constant_vector_field_shifts_by_whole_pixels():
    texture = periodic(16, 32, 3, cycles=(3, 1))
    # 4 pixels right and 2 down on a 32-wide texture: (4/32, 2/32) UV units
    field = constant_vector(16, 32, 4 / 32, 2 / 32)
    out = warp(ctx(16, 32), input=texture, warp=field, mode="vector", intensity=100.0)
    expected = np.roll(texture, shift=(-2, -4), axis=(0, 1))  # out(x) = in(x + d)
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_half_pixel_shift_averages_neighbours():
    texture = np.array([[[0.0], [1.0], [0.0], [1.0]]], np.float32)
    out = warp(ctx(1, 4), input=texture, warp=constant_vector(1, 4, 0.5 / 4, 0), mode="vector",
               intensity=100.0)
    np.testing.assert_allclose(out[0, :, 0], [0.5, 0.5, 0.5, 0.5], atol=1e-6)


def test_gradient_mode_moves_along_the_slope():
    # h = u: slope dh/du = 1 per texture width, so intensity 10 moves 0.1 widths right.
    width = 40
    ramp = np.tile((np.arange(width, dtype=np.float32) / width)[None, :, None], (8, 1, 1))
    texture = periodic(8, width, 1, cycles=(2, 0))
    out = warp(ctx(8, width, tileable=False), input=texture, warp=ramp, mode="gradient",
               intensity=10.0)
    interior = slice(2, width - 6)  # away from the clamped edges
    np.testing.assert_allclose(out[:, interior], np.roll(texture, -4, axis=1)[:, interior],
                               atol=1e-5)


def test_warped_tileable_texture_still_tiles():
    texture, field = periodic(64, 64, 3, cycles=(2, 3)), periodic(64, 64, 1, cycles=(1, 1))
    out = warp(ctx(64, 64), input=texture, warp=field, mode="gradient", intensity=2.0)
    assert seam_ratio(out) < 1.5
    assert not np.allclose(out, texture, atol=1e-3), "it did move"


def test_resolution_independent():
    small = warp(ctx(32, 32), input=periodic(32, 32), warp=periodic(32, 32, cycles=(1, 1)),
                 mode="gradient", intensity=3.0)
    large = warp(ctx(64, 64), input=periodic(64, 64), warp=periodic(64, 64, cycles=(1, 1)),
                 mode="gradient", intensity=3.0)
    np.testing.assert_allclose(large[::2, ::2], small, atol=0.03)


@pytest.mark.parametrize("mode, field, message", [
    ("gradient", np.zeros((4, 4, 3), np.float32), "mode 'gradient' needs a gray warp input"),
    ("vector", np.zeros((4, 4, 1), np.float32), "mode 'vector' needs a color or rgba"),
])
def test_mode_and_warp_channels_must_fit(mode, field, message):
    with pytest.raises(ValueError, match=message):
        warp(ctx(4, 4), input=np.zeros((4, 4, 1), np.float32), warp=field, mode=mode,
             intensity=1.0)


def test_sample_bilinear_clamps_without_wrap():
    texture = np.array([[[1.0], [2.0], [3.0]]], np.float32)
    x = np.array([[-5.0, 0.5, 7.0]])
    y = np.zeros((1, 3))
    np.testing.assert_allclose(sample_bilinear(texture, x, y, wrap=False)[0, :, 0],
                               [1.0, 1.5, 3.0])
    np.testing.assert_allclose(sample_bilinear(texture, x, y, wrap=True)[0, :, 0],
                               [2.0, 1.5, 2.0])  # -5 % 3 = 1; 7 % 3 = 1


@pytest.mark.parametrize("angle, shift", [(0.0, (0, -5)), (90.0, (5, 0)), (180.0, (0, 5))])
def test_directional_warp_moves_by_distance_times_intensity(angle, shift):
    texture = periodic(32, 40, 3)
    out = directional_warp(ctx(32, 40), input=texture, intensity=np.ones((32, 40, 1), np.float32),
                           angle=angle, distance=5 / 40)
    # out(p) = input(p + 5 px along the angle); 90 degrees points up the image (row - 5).
    np.testing.assert_allclose(out, np.roll(texture, shift, axis=(0, 1)), atol=1e-5)
    still = directional_warp(ctx(32, 40), input=texture, angle=angle, distance=0.5,
                             intensity=np.zeros((32, 40, 1), np.float32))
    np.testing.assert_allclose(still, texture, atol=1e-6)


IDENTITY = dict(offset_x=0.0, offset_y=0.0, rotation=0.0, scale=1.0, tile=1)


def test_transform_identity_offset_rotation_and_scale():
    texture = np.random.default_rng(4).random((32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(transform(ctx(32, 32), input=texture, **IDENTITY), texture,
                               atol=1e-6)
    moved = transform(ctx(32, 32), input=texture, **{**IDENTITY, "offset_x": 0.25,
                                                      "offset_y": -0.5})
    np.testing.assert_allclose(moved, np.roll(texture, (-16, 8), axis=(0, 1)), atol=1e-6)
    # 90 degrees counter-clockwise, as np.rot90 turns an image.
    turned = transform(ctx(32, 32), input=texture, **{**IDENTITY, "rotation": 90.0})
    np.testing.assert_allclose(turned, np.rot90(texture), atol=1e-5)
    magnified = transform(ctx(32, 32), input=texture, **{**IDENTITY, "scale": 2.0})
    assert magnified.std() < 0.9 * texture.std()  # every pixel interpolates neighbours


def test_transform_repeats_and_keeps_tiling():
    texture = periodic(48, 48, 3, cycles=(1, 2))
    out = transform(ctx(48, 48), input=texture, offset_x=0.13, offset_y=0.4, rotation=-90.0,
                    scale=0.5, tile=3)
    assert seam_ratio(out) < 1.5
    # Scale 1/2 and 3 tiles: 6 copies per side, each 8 pixels.
    np.testing.assert_allclose(out, np.roll(out, 8, axis=1), atol=1e-5)
    np.testing.assert_allclose(out, np.roll(out, 8, axis=0), atol=1e-5)
    assert not np.allclose(out, np.roll(out, 3, axis=1), atol=1e-2)
