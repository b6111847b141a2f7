"""Presets instanced as nodes (type = "preset"): flattening, parameters, ports, errors."""

import json

import numpy as np
import pytest
from conftest import make_preset

from texgen.errors import PresetError
from texgen.graph import node_seed


def write(folder, name, data):
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def folder(tmp_path):
    """A folder holding "demo.json" (tests/conftest.py's preset: outputs color, height)."""
    write(tmp_path, "demo", make_preset())
    return tmp_path


def top(**nodes_and_outputs):
    outputs = nodes_and_outputs.pop("outputs", {"x": "inst.height"})
    return {"texgen": 1, "name": "top", "size": [24, 12], "seed": 9,
            "parameters": {"g": {"type": "float", "default": 1.5, "min": 0.0, "max": 2.0}},
            "nodes": nodes_and_outputs, "outputs": outputs}


def errors(engine, path):
    with pytest.raises(PresetError) as info:
        engine.validate(path)
    return [str(p) for p in info.value.problems]


def test_instance_is_flattened_with_prefixed_ids_parent_size_and_own_seed(engine, folder):
    path = write(folder, "top", top(inst={"type": "preset", "preset": "demo.json",
                                          "gain": "$g"},
                                    outputs={"x": "inst.height", "c": "inst"}))
    graph = engine.validate(path)
    assert sorted(graph.nodes) == ["inst/base", "inst/mixed", "inst/other", "inst/scaled",
                                   "inst/tinted"]
    assert graph.nodes["inst/scaled"].inputs["input"].node == "inst/base"
    assert graph.nodes["inst/scaled"].params["factor"] == 1.5, "$g passed through"
    assert graph.outputs["x"].node == "inst/mixed", "a named output port"
    assert graph.outputs["c"].node == "inst/tinted", "no port: the first output"
    order = graph.order(["x"])
    assert sorted(order) == ["inst/base", "inst/mixed", "inst/other"]
    assert order[-1] == "inst/mixed"


def test_instance_renders_like_the_preset_itself(engine, folder):
    # The instance renders the instanced preset at the parent's size, with the instance's
    # seed and the parameters given on the node.
    path = write(folder, "top", top(inst={"type": "preset", "preset": "demo.json",
                                          "gain": 0.25},
                                    outputs={"x": "inst.height", "c": "inst.color"}))
    got = engine.render(path)
    direct = engine.render(folder / "demo.json", size=(24, 12), overrides={"gain": 0.25},
                           seed=node_seed(9, "inst"))  # "top" has seed 9
    np.testing.assert_array_equal(got["x"], direct["height"])
    np.testing.assert_array_equal(got["c"], direct["color"])
    assert got["x"].shape == (12, 24, 1)


def test_a_preset_name_finds_the_presets_folder(engine, folder, monkeypatch):
    (folder / "presets").mkdir()
    write(folder / "presets", "named", make_preset())
    path = write(folder, "top", top(inst={"type": "preset", "preset": "named"}))
    monkeypatch.chdir(folder)  # ./presets is where named presets are found
    assert engine.validate(path).outputs["x"].node == "inst/mixed"


def test_two_instances_differ_and_feed_other_nodes(engine, folder):
    path = write(folder, "top", top(
        one={"type": "preset", "preset": "demo.json"},
        two={"type": "preset", "preset": "demo.json"},
        both={"type": "t.mix", "a": "one.height", "b": "two.height"},
        outputs={"one": "one.height", "two": "two.height", "both": "both"}))
    out = engine.render(path)
    assert not np.array_equal(out["one"], out["two"]), "each instance has its own seed"
    np.testing.assert_allclose(out["both"], (out["one"] + out["two"]) / 2, atol=1e-6)
    assert engine.render(path)["both"].tobytes() == out["both"].tobytes()


def test_instances_nest(engine, folder):
    write(folder, "middle", top(inst={"type": "preset", "preset": "demo.json"}) |
          {"name": "middle"})
    path = write(folder, "top", top(outer={"type": "preset", "preset": "middle.json"},
                                    outputs={"x": "outer.x"}))
    graph = engine.validate(path)
    assert "outer/inst/mixed" in graph.nodes
    assert graph.outputs["x"].node == "outer/inst/mixed"


@pytest.mark.parametrize("node, outputs, expected", [
    ({"type": "preset"}, {"x": "t"},
     "node 'inst', key 'preset': a \"preset\" node names the preset it instances"),
    ({"type": "preset", "preset": "nope.json"}, {"x": "t"},
     "node 'inst', key 'preset': cannot load preset 'nope.json'"),
    ({"type": "preset", "preset": "demo.json", "gian": 1.0}, {"x": "t"},
     "node 'inst', key 'gian': unknown exposed parameter 'gian'; did you mean 'gain'?"),
    ({"type": "preset", "preset": "demo.json", "gain": 7.0}, {"x": "t"},
     "node 'inst', key 'gain': override: "),
    ({"type": "preset", "preset": "demo.json"}, {"x": "inst.heigth"},
     "key 'outputs.x': the instanced preset 'demo' has no output 'heigth'; did you mean "
     "'height'?"),
])
def test_instance_errors_name_file_node_and_key(engine, folder, node, outputs, expected):
    path = write(folder, "top", top(inst=node, t={"type": "t.wave", "frequency": 1},
                                    outputs=outputs))
    found = errors(engine, path)
    assert any(p.startswith(f"{path}: {expected}") for p in found), found


def test_input_from_a_missing_instance_port_and_type_mismatch(engine, folder):
    path = write(folder, "top", top(
        inst={"type": "preset", "preset": "demo.json"},
        a={"type": "t.scale", "input": "inst.heigth", "factor": 1.0},
        b={"type": "t.scale", "input": "inst.color", "factor": 1.0},
        outputs={"x": "a", "y": "b"}))
    found = errors(engine, path)
    assert any("node 'a', key 'input': the instanced preset 'demo' has no output 'heigth'"
               in p for p in found), found
    assert any("node 'b', key 'input': type mismatch: 'inst.color' is color, input 'input' "
               "takes gray" in p for p in found), found


def test_errors_inside_the_instanced_preset_name_its_file(engine, folder):
    broken = make_preset()
    broken["nodes"]["base"]["frequency"] = 1000
    sub = write(folder, "broken", broken)
    path = write(folder, "top", top(inst={"type": "preset", "preset": "broken.json"}))
    assert any(p.startswith(f"{sub}: node 'base', key 'frequency'")
               for p in errors(engine, path))


def test_presets_instancing_each_other_is_an_error(engine, folder):
    a = write(folder, "a", top(inst={"type": "preset", "preset": "b.json"}) | {"name": "a"})
    b = write(folder, "b", top(inst={"type": "preset", "preset": "a.json"}) | {"name": "b"})
    found = errors(engine, a)
    assert any(f"presets instance each other in a loop: {a} -> {b} -> {a}" in p
               for p in found), found


def test_relative_paths_resolve_against_the_instancing_file(engine, folder, monkeypatch,
                                                            tmp_path_factory):
    # Not against the working directory.
    sub = folder / "parts"
    sub.mkdir()
    write(sub, "demo2", make_preset())
    path = write(folder, "top", top(inst={"type": "preset", "preset": "parts/demo2.json"}))
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert engine.render(path)["x"].shape == (12, 24, 1)


# --- finding instanced presets from anywhere (issue #20) --------------------------------

def test_a_preset_name_resolves_from_the_referring_folder_in_any_working_directory(
        engine, folder, tmp_path_factory, monkeypatch):
    path = write(folder, "top", top(inst={"type": "preset", "preset": "demo"}))
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # no ./presets here
    graph = engine.validate(path)
    assert graph.outputs["x"].node == "inst/mixed"
    assert engine.render(path)["x"].shape == (12, 24, 1)


def test_the_referring_folder_comes_before_the_preset_folders(engine, folder, tmp_path_factory,
                                                             monkeypatch):
    cwd = tmp_path_factory.mktemp("cwd")
    (cwd / "presets").mkdir()
    write(cwd / "presets", "demo", make_preset(outputs={"other": "other"}))
    monkeypatch.chdir(cwd)
    path = write(folder, "top", top(inst={"type": "preset", "preset": "demo"}))
    assert engine.validate(path).outputs["x"].node == "inst/mixed", "the folder's demo.json"
    alone = tmp_path_factory.mktemp("alone")
    path = write(alone, "top", top(inst={"type": "preset", "preset": "demo"},
                                   outputs={"x": "inst.other"}))
    assert engine.validate(path).outputs["x"].node == "inst/other", "then ./presets"


def test_a_missing_instance_says_where_it_looked_and_never_suggests_the_file_itself(
        engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "hex_rock", top(inst={"type": "preset", "preset": "rock"}))
    found = errors(engine, path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}: node 'inst', key 'preset': cannot load preset "
                               f"'rock': no preset file or preset named 'rock' (looked in: "
                               f"{tmp_path.resolve()}, {(tmp_path / 'presets').resolve()} "
                               f"(missing)"), found
    assert "hex_rock'?" not in found[0]
    write(tmp_path, "rocks", make_preset())  # another close name is still suggested
    assert "did you mean 'rocks'?" in errors(engine, path)[0]


def test_an_exposed_parameter_of_another_type_passed_to_an_instance(engine, folder):
    data = top(inst={"type": "preset", "preset": "demo.json", "gain": "$glow"})
    data["parameters"]["glow"] = {"type": "color", "default": "#22ddff"}
    path = write(folder, "top", data)
    assert errors(engine, path) == [
        f"{path}: node 'inst', key 'gain': '$glow' is a color parameter; 'gain' expects a "
        f"float"]
