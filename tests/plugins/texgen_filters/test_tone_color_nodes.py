"""The tone and color nodes of specs_tone_color (and the specs they extend: levels, invert,
gradient_map, blend) as the engine sees them: registration, documented parameters,
conformance at odd sizes, and a preset graph with validation messages."""

import numpy as np
import pytest
from filters_testing import WavesPlugin

import texgen
import texgen_filters
from texgen.errors import NodeInputError, PresetError
from texgen.testing import check_node
from texgen_filters import specs_tone_color

SPECS = {f"filters.{spec.id}": spec for spec in (*specs_tone_color.NODES, texgen_filters.LEVELS,
                                                 texgen_filters.INVERT,
                                                 texgen_filters.GRADIENT_MAP,
                                                 texgen_filters.BLEND)}
NEW_IDS = sorted(f"filters.{spec.id}" for spec in specs_tone_color.NODES)


@pytest.fixture
def engine():
    return texgen.Engine(entry_points=False, strict=True,
                         plugins={"t": WavesPlugin(), "filters": texgen_filters})


def test_the_new_nodes_are_registered(engine):
    assert set(NEW_IDS) <= set(engine.registry.ids())
    assert NEW_IDS == ["filters.auto_levels", "filters.channel_merge", "filters.channel_split",
                       "filters.clamp", "filters.colorize", "filters.curves",
                       "filters.grayscale", "filters.histogram_scan", "filters.hsl",
                       "filters.math", "filters.threshold"]


@pytest.mark.parametrize("node_id", sorted(SPECS))
def test_every_port_and_parameter_is_documented_with_default_and_range(node_id):
    spec = SPECS[node_id]
    for item in (*spec.inputs, *spec.outputs, *spec.params):
        assert len(item.doc) > 20, f"{node_id}: {item.name} needs a doc"
    for param in spec.params:
        assert "Default" not in param.doc, f"{node_id}: {param.name}: Param renders the default"
        if param.type in ("int", "float"):
            assert param.min is not None and param.max is not None, (node_id, param.name)
            assert f"range {param.allowed}" in param.summary


# Non-default parameters, so the conformance run exercises more than the defaults.
CONFORMANCE_PARAMS = {
    "filters.curves": {"points": "0,0.1 0.3,0.6 0.7,0.3 1,0.9", "interpolation": "spline"},
    "filters.auto_levels": {"low_percentile": 2.0, "high_percentile": 97.0,
                            "per_channel": True},
    "filters.histogram_scan": {"position": 0.6, "contrast": 0.7},
    "filters.threshold": {"threshold": 0.3},
    "filters.clamp": {"low": 0.25, "high": 0.6},
    "filters.math": {"operation": "power", "value": 2.5},
    "filters.hsl": {"hue": 40.0, "saturation": -0.5, "lightness": 0.2},
    "filters.colorize": {"color": (0.2, 0.5, 0.3, 1.0)},
    "filters.grayscale": {"method": "max"},
    "filters.gradient_map": {"interpolation": "smooth"},
    "filters.blend": {"mode": "soft_light", "opacity": 0.8},
}


@pytest.mark.parametrize("node_id", [*NEW_IDS, "filters.gradient_map", "filters.blend"])
def test_conformance_at_64x64_and_257x130(node_id):
    # Shapes, dtype, contiguity, finiteness, determinism and seams at (64, 64), (130, 257).
    check_node(SPECS[node_id], params=CONFORMANCE_PARAMS.get(node_id))


PRESET = {
    "texgen": 1, "name": "tone_color", "size": [40, 24], "seed": 3,
    "nodes": {
        "waves": {"type": "t.waves"},
        "split": {"type": "filters.channel_split", "input": "waves"},
        "gray": {"type": "filters.grayscale", "input": "waves"},
        "curved": {"type": "filters.curves", "input": "gray", "points": "0,0 0.4,0.2 1,1"},
        "stretched": {"type": "filters.auto_levels", "input": "curved"},
        "scanned": {"type": "filters.histogram_scan", "input": "stretched", "position": 0.6,
                    "contrast": 0.4},
        "mask": {"type": "filters.threshold", "input": "split.r", "threshold": 0.5},
        "scaled": {"type": "filters.math", "input": "scanned", "operand": "split.g",
                   "operation": "multiply"},
        "clamped": {"type": "filters.clamp", "input": "scaled", "low": 0.1, "high": 0.9},
        "tinted": {"type": "filters.colorize", "input": "clamped", "color": "#a06030"},
        "shifted": {"type": "filters.hsl", "input": "tinted", "hue": 30, "saturation": 0.2},
        "stepped": {"type": "filters.gradient_map", "input": "clamped",
                    "gradient": [[0.0, "#202020"], [0.5, "#806040"], [1.0, "#e0e0e0"]],
                    "interpolation": "constant"},
        "soft": {"type": "filters.blend", "foreground": "stepped", "background": "shifted",
                 "mask": "mask", "mode": "soft_light"},
        "packed": {"type": "filters.channel_merge", "r": "clamped", "g": "mask",
                   "a": "split.b"},
    },
    "outputs": {"basecolor": "soft", "packed": "packed.rgba", "mask": "mask"},
}


def test_renders_in_a_preset_graph(engine):
    textures = engine.render(PRESET)
    assert textures["basecolor"].shape == (24, 40, 3)
    assert textures["packed"].shape == (24, 40, 4)
    assert set(np.unique(textures["mask"])) == {0.0, 1.0}
    for texture in textures.values():
        assert texture.std() > 0.01


def test_curve_points_from_a_toml_preset(engine, tmp_path):
    preset = tmp_path / "curve.toml"
    preset.write_text('texgen = 1\nsize = 16\n'
                      '[nodes.waves]\ntype = "t.waves"\n'
                      '[nodes.curve]\ntype = "filters.curves"\ninput = "waves"\n'
                      'points = "0,1  0.5,0.2  1,0"\ninterpolation = "linear"\n'
                      '[outputs]\nbasecolor = "curve"\n')
    waves = engine.render(dict(PRESET, outputs={"w": "waves"}), size=16)["w"]
    # Linear through (0, 1), (0.5, 0.2), (1, 0).
    expected = np.where(waves < 0.5, 1.0 - 1.6 * waves, 0.4 - 0.4 * waves)
    np.testing.assert_allclose(engine.render(preset)["basecolor"], expected, atol=1e-6)


@pytest.mark.parametrize("node, message, at_validation", [
    ({"type": "filters.curves", "input": "waves", "points": "0,0 1"},
     "node 'bad', key 'points': expected x,y pairs", True),
    ({"type": "filters.clamp", "input": "waves", "low": 0.9, "high": 0.1},
     "node 'bad', key 'low': 0.9 is above high (0.1)", True),
    ({"type": "filters.math", "input": "waves", "operation": "remap", "from_low": 0.3,
      "from_high": 0.3},
     "node 'bad', key 'from_high': equals from_low (0.3); the input range of 'remap' must "
     "not be empty", True),
    # only the node knows whether an operand input replaces the constant: found at render
    ({"type": "filters.math", "input": "waves", "operation": "power", "value": -2},
     "node 'bad', key 'value': the exponent of 'power' must be >= 0, got -2", False),
])
def test_node_validation_errors_name_the_node_and_parameter(engine, node, message,
                                                            at_validation):
    preset = dict(PRESET, nodes={"waves": {"type": "t.waves"}, "bad": node},
                  outputs={"out": "bad"})
    if at_validation:
        with pytest.raises(PresetError) as error:
            engine.validate(preset)
        assert message in str(error.value)
    with pytest.raises(PresetError) as error:  # bad input either way (exit 2), not a failure
        engine.render(preset)
    assert message in str(error.value)
    assert isinstance(error.value, NodeInputError) is not at_validation


@pytest.mark.parametrize("node, message", [
    ({"type": "filters.histogram_scan", "input": "waves", "position": 1.5},
     "node 'bad', key 'position': expected a value <= 1.0, got 1.5"),
    ({"type": "filters.grayscale", "input": "waves", "method": "luma"},
     "node 'bad', key 'method': expected one of 'luminance', 'average', 'min', 'max'"),
    ({"type": "filters.gradient_map", "input": "waves", "interpolation": "step"},
     "node 'bad', key 'interpolation': expected one of 'linear', 'smooth', 'constant'"),
    ({"type": "filters.blend", "foreground": "waves", "background": "waves",
      "mode": "softlight"}, "did you mean 'soft_light'"),
])
def test_parameter_ranges_and_choices_are_checked_when_the_preset_loads(engine, node,
                                                                        message):
    preset = dict(PRESET, nodes={"waves": {"type": "t.waves"}, "bad": node},
                  outputs={"out": "bad"})
    with pytest.raises(PresetError) as error:
        engine.render(preset)
    assert message in str(error.value)
