"""texgen.uvmap: uv maps of exemplar indices and exact lookups through them."""

import numpy as np
import pytest

from texgen.uvmap import apply_uv, uv_indices, uv_of


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("size", [(7, 5), (64, 64), (300, 97)])
def test_uv_of_indices_reproduces_the_pixels_exactly(channels, size):
    h, w = size
    rng = np.random.default_rng(0)
    image = rng.random((h, w, channels), dtype=np.float32)
    rows = rng.integers(0, h, (19, 23))
    cols = rng.integers(0, w, (19, 23))
    uv = uv_of(rows, cols, h, w)
    assert uv.shape == (19, 23, 3) and uv.dtype == np.float32 and uv.flags.c_contiguous
    out = apply_uv(image, uv)
    assert out.shape == (19, 23, channels) and out.dtype == np.float32
    np.testing.assert_array_equal(out, image[rows, cols])
    back_rows, back_cols = uv_indices(uv, h, w)
    np.testing.assert_array_equal(back_rows, rows)
    np.testing.assert_array_equal(back_cols, cols)


def test_every_pixel_of_a_large_exemplar_round_trips():
    h, w = 1023, 4096
    rows, cols = np.mgrid[0:h, 0:w]
    back_rows, back_cols = uv_indices(uv_of(rows, cols, h, w), h, w)
    np.testing.assert_array_equal(back_rows, rows)
    np.testing.assert_array_equal(back_cols, cols)


def test_uv_layout_is_pixel_centres_in_red_and_green():
    uv = uv_of(np.array([[0, 3]]), np.array([[1, 0]]), 4, 2)
    np.testing.assert_array_equal(uv[0, 0], [0.75, 0.125, 0.0])
    np.testing.assert_array_equal(uv[0, 1], [0.25, 0.875, 0.0])


def test_indices_and_coordinates_wrap_around():
    h, w = 6, 8
    image = np.arange(h * w, dtype=np.float32).reshape(h, w, 1)
    uv = uv_of(np.array([[-1, h]]), np.array([[w + 2, -3]]), h, w)
    np.testing.assert_array_equal(apply_uv(image, uv)[0, :, 0], [image[h - 1, 2, 0],
                                                                 image[0, w - 3, 0]])
    shifted = uv_of(np.array([[2]]), np.array([[5]]), h, w)
    for du, dv in ((1.0, 0.0), (-1.0, 2.0), (3.0, -1.0)):
        moved = shifted.copy()
        moved[..., 0] += du
        moved[..., 1] += dv
        assert apply_uv(image, moved)[0, 0, 0] == image[2, 5, 0]


def test_other_size_image_is_looked_up_at_the_same_relative_position():
    # An aligned map at three times the exemplar's resolution: a pixel centre lands in the
    # middle one of the 3x3 matching pixels (3 * index + 1).
    rows, cols = np.array([[0, 3]]), np.array([[1, 2]])
    big = np.arange(12 * 9, dtype=np.float32).reshape(12, 9, 1)
    out = apply_uv(big, uv_of(rows, cols, 4, 3))
    np.testing.assert_array_equal(out[0, :, 0], [big[1, 4, 0], big[10, 7, 0]])


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError, match="one shape"):
        uv_of(np.zeros((2, 2), int), np.zeros((2, 3), int), 4, 4)
    with pytest.raises(ValueError, match="uv must be"):
        apply_uv(np.zeros((4, 4, 3), np.float32), np.zeros((4, 4, 1), np.float32))
    with pytest.raises(ValueError, match="image must be"):
        apply_uv(np.zeros((4, 4), np.float32), np.zeros((4, 4, 3), np.float32))
