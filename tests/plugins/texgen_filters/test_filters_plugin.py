"""The filters plugin as the engine sees it: registration, specs, conformance, a render."""

import pytest
from filters_testing import WavesPlugin

import texgen
import texgen_filters
from texgen.testing import check_node

# Registration order: __init__.py's six, then the tone/color specs, spatial/material,
# constant, photo.
NODE_IDS = ["filters.levels", "filters.invert", "filters.gradient_map", "filters.blend",
            "filters.normal_map", "filters.warp"]
TONE_COLOR_IDS = ["filters.curves", "filters.auto_levels", "filters.histogram_scan",
                  "filters.threshold", "filters.clamp", "filters.math", "filters.hsl",
                  "filters.colorize", "filters.grayscale", "filters.channel_split",
                  "filters.channel_merge"]
SPATIAL_MATERIAL_IDS = ["filters.blur", "filters.sharpen", "filters.directional_blur",
                        "filters.slope_blur", "filters.directional_warp", "filters.transform",
                        "filters.emboss", "filters.edge_detect", "filters.distance",
                        "filters.flood_fill", "filters.ambient_occlusion", "filters.curvature",
                        "filters.height_blend", "filters.make_tileable", "filters.channel_pack",
                        "filters.image_input", "filters.remap", "filters.remap_image"]
CONSTANT_IDS = ["filters.constant_color", "filters.constant_value"]
PHOTO_IDS = ["filters.image_to_material"]
ALL_IDS = NODE_IDS + TONE_COLOR_IDS + SPATIAL_MATERIAL_IDS + CONSTANT_IDS + PHOTO_IDS


@pytest.fixture
def engine():
    return texgen.Engine(entry_points=False, strict=True,
                         plugins={"t": WavesPlugin(), "filters": texgen_filters})


def test_registers_the_filter_nodes(engine):
    assert sorted(i for i in engine.registry.ids() if i.startswith("filters.")) == \
        sorted(ALL_IDS)
    assert len(ALL_IDS) == 38
    assert not engine.plugin_problems()


@pytest.mark.parametrize("node_id", ALL_IDS)
def test_every_port_and_parameter_is_documented(node_id, engine):
    spec = engine.registry.get(node_id)
    for item in (*spec.inputs, *spec.outputs, *spec.params):
        assert len(item.doc) > 20, f"{node_id}: {item.name} needs a doc"
    for param in spec.params:
        assert "Default" not in param.doc, f"{node_id}: {param.name}: Param renders the default"


# Non-default parameters, so the conformance run exercises more than the identity.
CONFORMANCE_PARAMS = {
    "filters.levels": {"in_low": 0.1, "in_high": 0.8, "gamma": 1.5},
    "filters.blend": {"mode": "overlay", "opacity": 0.7},
    "filters.gradient_map": {"gradient": ((0.0, (0.1, 0.2, 0.3, 1.0)),
                                          (1.0, (0.9, 0.7, 0.5, 0.5)))},
    "filters.normal_map": {"strength": 5.0},
    "filters.warp": {"mode": "vector", "intensity": 5.0},  # "any" test inputs are color
}


@pytest.mark.parametrize("node_id", NODE_IDS)
def test_conformance(node_id, engine):
    check_node(engine.registry.get(node_id), params=CONFORMANCE_PARAMS.get(node_id))


def test_renders_in_a_preset_graph(engine):
    preset = {
        "texgen": 1, "name": "filters", "size": [48, 24], "seed": 2,
        "nodes": {
            "height": {"type": "t.wave", "frequency": 3},
            "leveled": {"type": "filters.levels", "input": "height", "gamma": 2.0},
            "colored": {"type": "filters.gradient_map", "input": "leveled",
                        "gradient": [[0.0, "#202830"], [1.0, "#e0d0c0"]]},
            "dark": {"type": "filters.invert", "input": "height"},
            "mixed": {"type": "filters.blend", "foreground": "dark", "background": "colored",
                      "mask": "colored.alpha", "mode": "multiply", "opacity": 0.5},
            "normal": {"type": "filters.normal_map", "height": "height",
                       "convention": "directx"},
        },
        "outputs": {"basecolor": "mixed", "normal": "normal"},
    }
    textures = engine.render(preset)
    assert textures["basecolor"].shape == (24, 48, 3)
    assert textures["normal"].shape == (24, 48, 3)
    assert textures["basecolor"].std() > 0.01 and textures["normal"].std() > 0.01
