"""The patterns plugin as the engine sees it: registration, docs, conformance at odd sizes,
seeds, resolution independence, parameter checks and a render inside a preset graph."""

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from patterns_testing import NODE_IDS, context, registry, render

import texgen
import texgen_noise
import texgen_patterns
from texgen.errors import NodeInputError, PresetError
from texgen.testing import check_node

DOCS = Path(__file__).resolve().parents[3] / "docs" / "patterns.md"


def test_registers_the_pattern_nodes():
    ids = [i for i in registry().ids() if i.startswith("patterns.")]
    assert ids == NODE_IDS == [
        "patterns.bricks", "patterns.checker", "patterns.hexagons",
        "patterns.linear_gradient", "patterns.radial_gradient", "patterns.scatter",
        "patterns.scratches", "patterns.shape", "patterns.stripes", "patterns.tiles",
        "patterns.triangles", "patterns.voronoi_mosaic", "patterns.waves"]


@pytest.mark.parametrize("node_id", NODE_IDS)
def test_every_port_and_parameter_is_documented(node_id):
    spec = registry().get(node_id)
    assert spec.doc.strip() and "\n" not in spec.doc
    for item in (*spec.inputs, *spec.outputs, *spec.params):
        assert len(item.doc) > 20, f"{node_id}: {item.name} needs a doc"
    for param in spec.params:
        assert "Default" not in param.doc, f"{node_id}: {param.name}: Param renders the default"
        if param.type in ("int", "float"):
            assert param.min is not None and param.max is not None, (node_id, param.name)


def test_docs_page_covers_every_node_and_parameter():
    text = DOCS.read_text()
    for node_id in NODE_IDS:
        section = text.split(f"## `{node_id}`", 1)
        assert len(section) == 2, f"docs/patterns.md has no section for {node_id}"
        body = section[1].split("\n## ", 1)[0]
        spec = registry().get(node_id)
        for item in (*spec.inputs, *spec.outputs, *spec.params):
            assert f"`{item.name}`" in body, f"docs/patterns.md: {node_id} lacks {item.name}"
        for param in spec.params:  # the table states the spec's default
            row = next(line for line in body.splitlines() if line.startswith(f"| `{param.name}`"))
            default = param.default if param.type != "color" else None
            if default is not None:
                assert re.search(rf"\b{re.escape(str(default))}\b", row), (node_id, param.name)


def test_listing_nodes_imports_no_implementation():
    code = ("import sys, texgen, texgen_patterns\n"
            "engine = texgen.Engine(entry_points=False, plugins={'patterns': texgen_patterns})\n"
            "engine.registry.get('patterns.scatter')\n"
            "print(sorted(m for m in sys.modules if m.startswith('texgen_patterns.')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=60)
    assert result.stdout.split() == ["[]"], result.stderr


# Non-default parameters, so the conformance runs exercise the optional features too.
VARIANTS = {
    "patterns.bricks": [{}, {"rotation_variation": 10.0, "roundness": 0.3,
                             "offset_variation": 0.5, "offset": 0.25}],
    "patterns.tiles": [{}, {"count": 5, "mortar": 0.3, "bevel": 0.0}],
    "patterns.hexagons": [{"height_variation": 0.5}, {"count": 3, "gap": 0.2, "bevel": 0.0}],
    "patterns.triangles": [{"height_variation": 0.5}, {"count": 3, "gap": 0.2}],
    "patterns.checker": [{}, {"count": 4}],
    "patterns.stripes": [{}, {"angle": 33.0, "width": 0.3, "softness": 0.2, "offset": 0.4}],
    "patterns.waves": [{}, {"angle": -120.0, "amplitude": 0.05, "frequency": 2.5}],
    "patterns.linear_gradient": [{"mode": "mirror"}, {"mode": "mirror", "angle": 60.0,
                                                      "repeat": 3, "offset": 0.2}],
    "patterns.radial_gradient": [{}, {"center_x": 0.05, "center_y": 0.9, "radius": 0.3,
                                      "profile": "dome"}],
    "patterns.shape": [{}, {"shape": "star", "count": 3, "size": 1.3, "softness": 0.3,
                            "rotation": 20.0},
                       {"shape": "polygon", "sides": 6, "size": 1.5}],
    "patterns.scatter": [{}, {"shape": "star", "count": 200, "blend": "add",
                              "value_variation": 0.5, "softness": 0.4, "size": 0.3}],
    "patterns.voronoi_mosaic": [{"height_variation": 0.5}, {"frequency": 3.3, "jitter": 0.5,
                                                            "gap": 0.2, "bevel": 0.0}],
    "patterns.scratches": [{"thickness": 0.01}, {"angle": 30.0, "angle_spread": 10.0,
                                             "length": 0.8, "count": 50, "taper": 1.0}],
}


@pytest.mark.parametrize("node_id", NODE_IDS)
def test_conformance_at_odd_sizes_and_seams(node_id):
    """64 x 64 and 130 x 257: shape, dtype, C order, determinism, seam ratio < 1.5 (by
    check_node), and values in [0, 1] tiling or not."""
    spec = registry().get(node_id)
    for params in VARIANTS[node_id]:
        # Scatter's make_inputs texture fills each stamp; without it, the shape path.
        check_node(spec, params=params, generator=False)
        for (height, width), tileable in itertools.product(((64, 64), (130, 257)),
                                                           (True, False)):
            outputs = render(spec.id.split(".")[1], height, width, tileable=tileable, **params)
            assert list(outputs) == [port.name for port in spec.outputs]
            for port, texture in outputs.items():
                assert texture.dtype == np.float32 and texture.flags.c_contiguous
                assert texture.shape[:2] == (height, width)
                assert texture.min() >= 0.0, (node_id, port, params)
                if not (node_id == "patterns.scatter" and params.get("blend") == "add"):
                    assert texture.max() <= 1.0, (node_id, port, params)


# For each node, the outputs that a different seed must change (with these parameters).
RANDOM_OUTPUTS = {
    "patterns.bricks": ({"rotation_variation": 5.0}, ("height", "mask", "id", "color")),
    "patterns.tiles": ({}, ("height", "id", "color")),
    "patterns.hexagons": ({"height_variation": 0.5}, ("height", "id", "color")),
    "patterns.triangles": ({"height_variation": 0.5}, ("height", "id")),
    "patterns.voronoi_mosaic": ({}, ("height", "mask", "id")),
    "patterns.scatter": ({}, ("out", "id")),
    "patterns.scratches": ({}, ("out",)),
}


@pytest.mark.parametrize("node_id", NODE_IDS)
def test_seeds(node_id):
    node = node_id.split(".")[1]
    params, random_ports = RANDOM_OUTPUTS.get(node_id, ({}, ()))
    first = render(node, 48, 80, seed=7, **params)
    again = render(node, 48, 80, seed=7, **params)
    other = render(node, 48, 80, seed=8, **params)
    for port in first:
        assert first[port].tobytes() == again[port].tobytes(), (node_id, port)
        changed = not np.array_equal(first[port], other[port])
        assert changed == (port in random_ports), (node_id, port, "seed sensitivity")


def _box_down(texture, factor):
    h, w, c = texture.shape
    return texture.reshape(h // factor, factor, w // factor, factor, c).mean(axis=(1, 3))


RESOLUTION_PARAMS = {"patterns.scratches": {"thickness": 0.006}}


@pytest.mark.parametrize("node_id", NODE_IDS)
def test_resolution_independence(node_id):
    """256 and 512 renders look the same: box-filtered to 128, their statistics and their
    pixels agree (randomness is per cell or instance, never per pixel)."""
    node = node_id.split(".")[1]
    params = RESOLUTION_PARAMS.get(node_id, {})
    small, large = render(node, 256, 256, **params), render(node, 512, 512, **params)
    for port in small:
        a, b = _box_down(small[port], 2), _box_down(large[port], 4)
        assert abs(a.mean() - b.mean()) < 0.005, (node_id, port)
        assert abs(a.std() - b.std()) < 0.006, (node_id, port)
        assert np.abs(a - b).mean() < 0.006, (node_id, port)


def test_non_square_resolution_independence():
    for node, params in (("bricks", {"rows": 4}), ("hexagons", {}), ("shape", {"count": 3}),
                         ("stripes", {"angle": 30.0}), ("scatter", {})):
        small, large = render(node, 96, 192, **params), render(node, 192, 384, **params)
        for port in small:
            a, b = _box_down(small[port], 2), _box_down(large[port], 4)
            assert np.abs(a - b).mean() < 0.01, (node, port)


def test_python_defaults_are_the_node_defaults():
    for node_id in NODE_IDS:
        spec = registry().get(node_id)
        ctx = context(20, 28)
        defaults = {p.name: p.default for p in spec.params}
        plain, explicit = spec.load()(ctx), spec.load()(ctx, **defaults)
        plain = plain if isinstance(plain, dict) else {"out": plain}
        explicit = explicit if isinstance(explicit, dict) else {"out": explicit}
        for port in plain:
            np.testing.assert_array_equal(plain[port], explicit[port])


def test_the_engine_checks_parameters_once_naming_node_and_key():
    engine = texgen.Engine(entry_points=False, strict=True,
                           plugins={"patterns": texgen_patterns, "noise": texgen_noise})
    preset = {"texgen": 1, "name": "bad", "size": 16,
              "nodes": {"wall": {"type": "patterns.bricks", "rows": 0, "mortar": 0.7,
                                 "rowz": 3, "color": "red"},
                        "disc": {"type": "patterns.shape", "shape": "hexagon"}},
              "outputs": {"wall": "wall", "disc": "disc"}}
    with pytest.raises(PresetError) as caught:
        engine.validate(preset)
    assert [str(p).split(": ", 1)[1] for p in caught.value.problems] == [
        "node 'wall', key 'rows': expected a value >= 1, got 0",
        "node 'wall', key 'mortar': expected a value <= 0.5, got 0.7",
        "node 'wall', key 'rowz': unknown parameter for patterns.bricks; did you mean 'rows'? "
        "(valid: rows, columns, offset, offset_variation, mortar, bevel, roundness, "
        "height_variation, rotation_variation, color, color_variation, mortar_color)",
        "node 'wall', key 'color': expected a color like '#a0b1c2', got 'red'",
        "node 'disc', key 'shape': expected one of 'circle', 'polygon', 'star', got str "
        "'hexagon'",
    ]


def test_node_functions_reject_unknown_options():
    bricks = registry().get("patterns.bricks").load()
    with pytest.raises(TypeError, match="unexpected keyword argument 'rowz'"):
        bricks(context(16, 16), rowz=3)


def test_renders_in_a_preset_graph():
    engine = texgen.Engine(entry_points=False, strict=True,
                           plugins={"patterns": texgen_patterns, "noise": texgen_noise})
    preset = {
        "texgen": 1, "name": "wall", "size": [64, 32], "seed": 3,
        "nodes": {
            "wall": {"type": "patterns.bricks", "rows": 4, "columns": 2},
            "dots": {"type": "patterns.scatter", "input": "wall.mask", "count": 5},
            "mosaic": {"type": "patterns.voronoi_mosaic", "frequency": 4},
        },
        "outputs": {"basecolor": "wall.color", "height": "wall", "dots": "dots",
                    "cells": "mosaic.id"},
    }
    textures = engine.render(preset)
    assert textures["basecolor"].shape == (32, 64, 3)
    assert textures["height"].shape == textures["dots"].shape == (32, 64, 1)
    assert textures["cells"].std() > 0.05
    bad = dict(preset, nodes={"board": {"type": "patterns.checker", "count": 7}},
               outputs={"height": "board"})
    with pytest.raises(NodeInputError, match=r"node 'board', key 'count': must be even "
                                             r"when tileable"):
        engine.render(bad)


@pytest.mark.parametrize("node, options", [
    ("bricks", dict(rows=5, columns=3, offset=0.5, rotation_variation=12.0)),
    ("tiles", dict(count=4)), ("stripes", dict(angle=30.0, softness=0.1)),
    ("waves", dict(angle=20.0, frequency=3.0)), ("linear_gradient", dict(angle=33.0)),
    ("radial_gradient", dict(profile="dome")), ("shape", dict(shape="star", size=1.3)),
    ("voronoi_mosaic", dict(frequency=5.0, gap=0.05, bevel=0.2)),
])
@pytest.mark.parametrize("tileable", [True, False])
def test_bands_of_rows_give_the_bytes_of_a_whole_render(monkeypatch, node, options, tileable):
    # these nodes compute a band of rows at a time (texgen.bands.row_bands): bands of one
    # and of seven rows (the last cut short) give what one band over the texture gives
    from texgen import bands

    monkeypatch.setattr(bands, "BAND_PIXELS", 1 << 30)
    whole = render(node, 61, 40, tileable=tileable, **options)
    for band_rows in (1, 7):
        monkeypatch.setattr(bands, "BAND_PIXELS", 40 * band_rows)
        banded = render(node, 61, 40, tileable=tileable, **options)
        assert banded.keys() == whole.keys()
        for name in whole:
            assert banded[name].dtype == np.float32 and banded[name].flags.c_contiguous
            assert banded[name].tobytes() == whole[name].tobytes(), (node, name, band_rows)
