"""filters.make_tileable, method "quilt": the result tiles, keeps the photo's own pixels
away from the edges, copies pixels instead of blending them, and is deterministic."""

import numpy as np
import pytest
from filters_testing import WavesPlugin, context, texture

import texgen
import texgen_filters
from texgen.testing import seam_ratio
from texgen_filters.material import make_tileable


def photo(rows, columns, channels=3, seed=0):
    """A non-tiling 'photo': running bond bricks whose courses do not divide the size,
    lit by a gradient, with grain."""
    y, x = np.mgrid[0:rows, 0:columns]
    course = y // 13
    mortar = ((y % 13) < 2) | (((x + 11 * (course % 2)) % 22) < 2)
    rng = np.random.default_rng(seed)
    value = np.where(mortar, 0.15, 0.6) + 0.2 * x / columns + 0.1 * y / rows
    layers = [value + 0.04 * rng.random((rows, columns)) for _ in range(channels)]
    return texture(np.stack(layers, -1))


def quilt(image, width=0.25):
    rows, columns = image.shape[:2]
    return make_tileable(context(rows, columns, tileable=False), input=image, width=width,
                         preserve_contrast=True, method="quilt")


@pytest.mark.parametrize("rows, columns", [(96, 96), (90, 131)])
def test_quilt_tiles(rows, columns):
    image = photo(rows, columns)
    assert seam_ratio(image) > 1.5  # the input's wrap-around steps stand out
    out = quilt(image)
    assert out.shape == image.shape and out.dtype == np.float32 and out.flags.c_contiguous
    assert seam_ratio(out) <= 1.0  # the wrap-around steps are ordinary interior steps


@pytest.mark.parametrize("rows, columns, width", [(96, 96, 0.25), (90, 131, 0.2)])
def test_quilt_keeps_the_middle_and_copies_pixels(rows, columns, width):
    image = photo(rows, columns, seed=1)
    out = quilt(image, width)
    # Away from the edges (half a band plus its overlap) the pixels are the input's own.
    band_v, band_h = round(width * columns), round(width * rows)
    keep_x = slice(band_v - band_v // 2 + max(1, band_v // 4),
                   columns - band_v // 2 - max(1, band_v // 4))
    keep_y = slice(band_h - band_h // 2 + max(1, band_h // 4),
                   rows - band_h // 2 - max(1, band_h // 4))
    np.testing.assert_array_equal(out[keep_y, keep_x], image[keep_y, keep_x])
    assert not np.array_equal(out, image)
    # Nothing is blended: every output pixel is one of the input's pixels.
    pixels = {tuple(p) for p in image.reshape(-1, 3)}
    assert all(tuple(p) in pixels for p in out.reshape(-1, 3))


@pytest.mark.parametrize("channels", [1, 4])
def test_quilt_is_deterministic_for_any_channel_count(channels):
    image = photo(64, 80, channels, seed=2)
    first, second = quilt(image), quilt(image)
    assert first.shape == (64, 80, channels)
    np.testing.assert_array_equal(first, second)
    assert seam_ratio(first) <= 1.0


def test_quilt_names_node_and_width_when_the_texture_is_too_small():
    with pytest.raises(ValueError, match=r"'n'.*'width'.*too small") as caught:
        quilt(photo(6, 6), width=0.2)
    assert caught.value.name == "width"


def test_a_preset_without_method_still_cross_fades():
    engine = texgen.Engine(entry_points=False, strict=True,
                           plugins={"t": WavesPlugin(), "filters": texgen_filters})
    preset = {"texgen": 1, "name": "p", "size": [40, 32],
              "nodes": {"waves": {"type": "t.waves"},
                        "tiled": {"type": "filters.make_tileable", "input": "waves",
                                  "width": 0.3}},
              "outputs": {"waves": "waves", "tiled": "tiled"}}
    out = engine.render(preset)
    crossfaded = make_tileable(context(32, 40), input=out["waves"], width=0.3,
                               preserve_contrast=True, method="crossfade")
    np.testing.assert_array_equal(out["tiled"], crossfaded)
