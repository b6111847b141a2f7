"""filters.constant_color and filters.constant_value: one value at every pixel, from Python,
in a preset graph and on the command line."""

import numpy as np
import pytest
from filters_testing import context

import texgen
import texgen_filters
from texgen.cli import main
from texgen.io import read_image
from texgen.testing import check_node
from texgen_filters.constant import constant_color, constant_value


@pytest.fixture
def engine():
    return texgen.Engine(entry_points=False, strict=True, plugins={"filters": texgen_filters})


def test_constant_color_gives_the_color_and_its_alpha_everywhere(engine):
    spec = engine.registry.get("filters.constant_color")
    out = constant_color(context(5, 7), color=spec.param("color").coerce("#ff804080"))
    assert out["out"].shape == (5, 7, 3) and out["rgba"].shape == (5, 7, 4)
    for texture in out.values():
        assert texture.dtype == np.float32 and texture.flags.c_contiguous
    np.testing.assert_array_equal(out["out"], np.broadcast_to(
        np.float32([1.0, 128 / 255, 64 / 255]), (5, 7, 3)))
    np.testing.assert_array_equal(out["rgba"][..., 3], np.float32(128 / 255))
    opaque = constant_color(context(2, 2), color=spec.param("color").coerce([0.1, 0.2, 0.3]))
    np.testing.assert_array_equal(opaque["rgba"][0, 0], np.float32([0.1, 0.2, 0.3, 1.0]))
    assert spec.param("color").default == pytest.approx((128 / 255,) * 3 + (1.0,))


def test_constant_value_may_leave_0_to_1(engine):
    out = constant_value(context(3, 4), value=1.75)
    assert out.shape == (3, 4, 1) and out.dtype == np.float32
    assert (out == np.float32(1.75)).all()
    assert engine.registry.get("filters.constant_value").param("value").coerce(-2) == -2.0


@pytest.mark.parametrize("node_id", ["filters.constant_color", "filters.constant_value"])
def test_conformance(node_id, engine):
    # Constant: no randomness to vary with the seed; tiles trivially.
    check_node(engine.registry.get(node_id), generator=False)


PRESET = """texgen = 1
name = "flat"
size = 16

[parameters.tint]
type = "color"
default = "#336699"

[nodes.base]
type = "filters.constant_color"
color = "$tint"

[nodes.rough]
type = "filters.constant_value"
value = 0.25

[nodes.shaded]
type = "filters.blend"
foreground = "rough"
background = "base"
mode = "multiply"

[outputs]
basecolor = "shaded"
roughness = "rough"
"""


def test_constant_nodes_in_a_preset_from_the_api_and_the_cli(engine, tmp_path):
    preset = tmp_path / "flat.toml"
    preset.write_text(PRESET)
    textures = engine.render(preset, overrides={"tint": "#ffffff"})
    np.testing.assert_allclose(textures["basecolor"], 0.25)
    np.testing.assert_allclose(textures["roughness"], 0.25)
    assert main(["render", str(preset), "-o", str(tmp_path / "out"), "-q"]) == 0
    basecolor = read_image(tmp_path / "out" / "flat_basecolor.png")
    expected = np.round(np.array([0x33, 0x66, 0x99]) * 0.25) / 255
    np.testing.assert_allclose(basecolor[0, 0], expected, atol=1 / 255)
    assert np.ptp(basecolor, axis=(0, 1)).max() == 0
