"""_texture's bands of rows: the per-pixel filters (blend, levels, curves, hsl, gradient
map) and the bilinear sampling of the warps work a band of rows at a time; the bytes
must be those of one band over the whole texture, at band edges and a short last band."""

import numpy as np
import pytest
from filters_testing import context, texture

from texgen import bands
from texgen.nodes import parse_gradient
from texgen_filters.blend import blend
from texgen_filters.color import gradient_map, hsl
from texgen_filters.tone import curves, levels
from texgen_filters.warp import sample_bilinear, warp

HEIGHT, WIDTH = 23, 16
RNG = np.random.default_rng(3)
GRAY, COLOR, RGBA = (texture(RNG.random((HEIGHT, WIDTH, c), np.float32) * 1.2 - 0.1)
                     for c in (1, 3, 4))


def run(name, tileable=True):
    ctx = context(HEIGHT, WIDTH, tileable=tileable)
    nodes = {
        "blend color": lambda: blend(ctx, foreground=COLOR, background=GRAY, mask=GRAY,
                                     mode="overlay", opacity=0.7, alpha="coverage"),
        "blend rgba": lambda: blend(ctx, foreground=RGBA, background=RGBA, mask=None,
                                    mode="soft_light", opacity=0.9, alpha="coverage"),
        "levels": lambda: levels(ctx, input=RGBA, in_low=0.1, in_high=0.8, gamma=1.7,
                                 out_low=0.05, out_high=0.9),
        "curves": lambda: curves(ctx, input=COLOR, points="0,0 0.4,0.6 1,1",
                                 interpolation="monotone"),
        "hsl": lambda: hsl(ctx, input=COLOR, hue=40.0, saturation=0.3, lightness=-0.2),
        "gradient map": lambda: gradient_map(
            ctx, input=GRAY, interpolation="smooth",
            gradient=parse_gradient([[0.0, "#102030"], [0.5, "#a0b0c0"], [1.0, "#ffffff80"]])),
        "warp": lambda: warp(ctx, input=RGBA, warp=GRAY, mode="gradient", intensity=3.0),
    }
    return nodes[name]()


@pytest.mark.parametrize("name", ["blend color", "blend rgba", "levels", "curves", "hsl",
                                  "gradient map", "warp"])
@pytest.mark.parametrize("tileable", [True, False])
def test_bands_of_rows_give_the_bytes_of_the_whole(monkeypatch, name, tileable):
    monkeypatch.setattr(bands, "BAND_PIXELS", 1 << 30)
    whole = run(name, tileable)
    for band_rows in (1, 5):  # 5 rows: the last of the 23 rows' bands is 3 rows
        monkeypatch.setattr(bands, "BAND_PIXELS", WIDTH * band_rows)
        banded = run(name, tileable)
        for port, values in (banded.items() if isinstance(banded, dict) else [("", banded)]):
            expected = whole[port] if port else whole
            assert values.dtype == np.float32 and values.flags.c_contiguous
            assert values.shape == expected.shape
            assert values.tobytes() == expected.tobytes(), (name, port, band_rows)


def test_sample_bilinear_keeps_float64_coordinates_precision(monkeypatch):
    monkeypatch.setattr(bands, "BAND_PIXELS", 32)
    x = np.linspace(-1.5, 17.5, WIDTH)[None, :]
    y = np.linspace(-0.5, 22.5, HEIGHT)[:, None]
    banded = sample_bilinear(COLOR, x, y, wrap=False)
    monkeypatch.setattr(bands, "BAND_PIXELS", 1 << 30)
    assert banded.dtype == np.float64 and banded.shape == (HEIGHT, WIDTH, 3)
    assert banded.tobytes() == sample_bilinear(COLOR, x, y, wrap=False).tobytes()
