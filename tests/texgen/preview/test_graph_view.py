"""graph_view and parameter_controls: what the page draws, as data."""

import pytest

from texgen.preview.graph_view import graph_view, parameter_controls

from .conftest import preview_preset


@pytest.fixture
def view(engine, folder):
    return graph_view(engine.validate(folder / "demo.json"))


def test_every_edge_points_to_a_later_layer_and_sources_start_at_zero(view):
    layer = {node["id"]: node["layer"] for node in view["nodes"]}
    assert all(layer[edge["from"]] < layer[edge["to"]] for edge in view["edges"])
    assert layer == {"base": 0, "other": 0, "photo": 0, "part/wave": 0, "scaled": 1,
                     "mixed": 1, "part/boost": 1, "part_mix": 2, "tinted": 2, "photo_mix": 2}
    assert view["layers"] == 3


def test_rows_are_distinct_per_layer_and_follow_the_inputs(view):
    by_layer = {}
    for node in view["nodes"]:
        by_layer.setdefault(node["layer"], []).append(node["row"])
    assert all(sorted(rows) == list(range(len(rows))) for rows in by_layer.values())
    row = {node["id"]: node["row"] for node in view["nodes"]}
    assert row["tinted"] < row["photo_mix"], "tinted's input (scaled) is above photo_mix's"


def test_nodes_ports_edges_groups_and_outputs(view, folder):
    scaled = next(node for node in view["nodes"] if node["id"] == "scaled")
    assert scaled | {"row": 0} == {
        "id": "scaled", "type": "t.scale", "doc": "Multiply by a factor.", "group": None,
        "layer": 1, "row": 0, "source": str(folder / "demo.json"),
        "inputs": [{"name": "input", "type": "gray"}],
        "outputs": [{"name": "out", "type": "gray", "channels": 1}]}
    assert {"from": "part/boost", "from_port": "out", "to": "part_mix", "to_port": "a"} \
        in view["edges"]
    assert len(view["edges"]) == 9
    assert next(n for n in view["nodes"] if n["id"] == "part/wave")["group"] == "part"
    assert view["groups"] == [{"id": "part", "parent": None, "preset": "part.json"}]
    assert view["outputs"][:2] == [
        {"name": "basecolor", "node": "tinted", "port": "out", "role": "basecolor"},
        {"name": "height", "node": "mixed", "port": "out", "role": "height"}]
    assert view["outputs"][2]["role"] is None


def test_nodes_no_output_needs_are_laid_out_too(engine, folder):
    preset = preview_preset()
    preset["nodes"]["loose"] = {"type": "t.scale", "input": "photo_mix"}
    view = graph_view(engine.validate(preset, base=folder))
    loose = next(node for node in view["nodes"] if node["id"] == "loose")
    assert loose["layer"] == 3


def test_nested_instances_are_groups_with_their_parents(engine, folder):
    (folder / "outer.json").write_text(
        '{"texgen": 1, "name": "outer", "nodes": {"inner": {"type": "preset", '
        '"preset": "part.json"}}, "outputs": {"out": "inner"}}')
    preset = preview_preset()
    preset["nodes"]["nest"] = {"type": "preset", "preset": "outer.json"}
    preset["outputs"]["nested"] = "nest"
    view = graph_view(engine.validate(preset, base=folder))
    assert [g["id"] for g in view["groups"]] == ["nest", "nest/inner", "part"]
    assert view["groups"][1]["parent"] == "nest"
    assert next(n for n in view["nodes"] if n["id"] == "nest/inner/wave")["group"] == \
        "nest/inner"


def test_parameter_controls_carry_type_range_choices_and_value(engine, folder):
    preset = preview_preset(parameters={
        "gain": {"type": "float", "default": 0.5, "min": 0.0, "max": 2.0, "doc": "how much"},
        "tint": {"type": "color", "default": "#ff8000"},
        "mode": {"type": "enum", "default": "screen", "choices": ["multiply", "screen"]},
        "twice": {"type": "float", "default": "= 2 * $gain"}})
    written = engine.load_preset(preset)
    loaded = written.with_overrides(overrides={"gain": 0.75})
    controls = {c["name"]: c for c in parameter_controls(loaded, written=written.parameters)}
    assert controls["gain"] == {"name": "gain", "type": "float", "doc": "how much",
                                "value": 0.75, "default": 0.5, "min": 0.0, "max": 2.0,
                                "choices": [], "derived": None}
    assert parameter_controls(loaded)[0]["default"] == 0.75, "without written: the value"
    assert controls["tint"]["value"] == "#ff8000"
    assert controls["mode"]["choices"] == ["multiply", "screen"]
    assert controls["twice"]["derived"] == "= 2 * $gain" and controls["twice"]["value"] == 1.5
