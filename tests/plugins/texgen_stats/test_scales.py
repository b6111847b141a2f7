"""The two scales of a multi-scale model: 2x2 averaging, bilinear upsampling, parents."""

import numpy as np
import pytest

from texgen_stats.scales import downsample, parent_offsets, upsample


def test_downsample_averages_2x2_and_repeats_an_odd_edge():
    image = np.arange(5 * 4 * 2, dtype=np.float32).reshape(5, 4, 2)
    out = downsample(image)
    assert out.shape == (3, 2, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out[0, 1], image[0:2, 2:4].mean(axis=(0, 1)))
    np.testing.assert_allclose(out[2, 0], image[4, 0:2].mean(axis=0))  # last row alone


def test_upsample_interpolates_between_pixel_centres_then_smooths():
    ramp = np.array([[[0.0], [1.0]]], np.float32)  # (1, 2, 1)
    # Bilinear at the 4 output centres: [0, 0.25, 0.75, 1] (clamped), then [1, 2, 1] / 4.
    clamped = upsample(ramp, 1, 4, periodic=False)[0, :, 0]
    np.testing.assert_allclose(clamped, [0.0625, 0.3125, 0.6875, 0.9375])
    # Wrapping: bilinear [0.25, 0.25, 0.75, 0.75], the first output pixel between the last
    # and first input pixels; smoothed around the loop.
    np.testing.assert_allclose(upsample(ramp, 1, 4, periodic=True)[0, :, 0],
                               [0.375, 0.375, 0.625, 0.625])


@pytest.mark.parametrize("size", [(6, 10), (7, 9)])
def test_periodic_upsampling_commutes_with_a_wrap_around_shift(size):
    rng = np.random.default_rng(0)
    coarse = rng.random((4, 5, 3)).astype(np.float32)
    out = upsample(coarse, 8, 10, periodic=True)
    shifted = upsample(np.roll(coarse, (1, 2), axis=(0, 1)), 8, 10, periodic=True)
    np.testing.assert_allclose(shifted, np.roll(out, (2, 4), axis=(0, 1)), atol=1e-6)
    constant = upsample(np.full((3, 4, 1), 0.3, np.float32), *size, periodic=True)
    assert constant.shape == (*size, 1)
    np.testing.assert_allclose(constant, 0.3, atol=1e-6)


def test_parents_sit_on_the_corners_edges_and_centre():
    np.testing.assert_array_equal(parent_offsets(5), [0, 2, 4])
    np.testing.assert_array_equal(parent_offsets(7), [0, 3, 6])
    np.testing.assert_array_equal(parent_offsets(9), [0, 4, 8])
