import json

import pytest
from conftest import make_preset

from texgen.errors import PresetError
from texgen.preset import load_preset, parse_value_text

MARBLE = """
texgen = 1
name = "marble"
size = [256, 128]
seed = 7

[parameters.vein_scale]
type = "float"
default = 4.0
min = 1.0
max = 16.0

[nodes.veins]
type = "noise.perlin"
frequency = "$vein_scale"

[outputs]
height = { node = "veins.out", format = "png16" }
basecolor = "veins"
"""


def test_toml_preset_parses(tmp_path):
    path = tmp_path / "marble.toml"
    path.write_text(MARBLE)
    preset = load_preset(path)
    assert (preset.name, preset.size, preset.seed, preset.tileable) == ("marble", (256, 128),
                                                                        7, True)
    assert preset.parameters["vein_scale"].default == 4.0
    assert preset.nodes["veins"].values == {"frequency": "$vein_scale"}
    assert preset.outputs["height"].node == "veins"
    assert preset.outputs["height"].port == "out" and preset.outputs["height"].format == "png16"
    assert preset.outputs["basecolor"].port is None
    assert preset.base_dir == tmp_path


def test_json_preset_equals_dict_preset(tmp_path):
    data = make_preset()
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(data))
    from_file, from_dict = load_preset(path), load_preset(data)
    assert from_file.nodes == from_dict.nodes and from_file.size == from_dict.size == (32, 16)


def test_name_defaults_to_file_stem(tmp_path):
    path = tmp_path / "rock.toml"
    path.write_text('texgen = 1\n[nodes.a]\ntype = "t.wave"\n[outputs]\nh = "a"\n')
    assert load_preset(path).name == "rock"


@pytest.mark.parametrize("changes, expected", [
    ({"texgen": None}, "key 'texgen': missing format version"),
    ({"texgen": 2}, "key 'texgen': format version 2 is not supported"),
    ({"sise": 5}, "key 'sise': unknown top-level key; did you mean 'size'?"),
    ({"size": 0}, "key 'size': expected a size in pixels"),
    ({"size": [10, "x"]}, "key 'size': expected a size in pixels"),
    ({"seed": -3}, "key 'seed': expected an integer seed"),
    ({"tileable": "yes"}, "key 'tileable': expected true or false"),
    ({"outputs": {}}, "key 'outputs': add an [outputs] table"),
    ({"outputs": {"x": {"node": "base", "fromat": "png8"}}},
     "key 'outputs.x.fromat': unknown key in output 'x'; did you mean 'format'?"),
    ({"parameters": {"g": {"type": "float"}}},
     "key 'parameters.g': an exposed parameter needs 'type' and 'default'"),
    ({"parameters": {"g": {"type": "float", "default": 5, "max": 2}}},
     "key 'parameters.g': default 5 is invalid: expected a value <= 2"),
    ({"nodes": {"a.b": {"type": "t.wave"}}}, "node 'a.b': a node id uses letters"),
    ({"nodes": {"a": {"frequency": 2}}}, "node 'a', key 'type': missing the node's type"),
    ({"nodes": {"a": {"type": "t.wave", "seed": "x"}}}, "node 'a', key 'seed': expected an "
                                                        "integer seed"),
])
def test_structural_problems_name_key_and_node(changes, expected):
    data = make_preset(**changes)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(PresetError) as info:
        load_preset(data)
    assert any(expected in str(p) for p in info.value.problems), info.value.problems


def test_broken_toml_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('texgen = 1\nname = "x\n')
    with pytest.raises(PresetError, match=r"broken\.toml: not valid TOML: .*line 2"):
        load_preset(path)


def test_missing_file(tmp_path):
    with pytest.raises(PresetError, match="nope.toml: cannot read preset"):
        load_preset(tmp_path / "nope.toml")


def test_every_problem_is_reported_at_once():
    with pytest.raises(PresetError) as info:
        load_preset(make_preset(size="big", seed=-1, colour=3))
    assert len(info.value.problems) == 3


def test_overrides_are_typed_and_checked():
    preset = load_preset(make_preset())
    changed = preset.with_overrides(size=64, seed=9, overrides={"gain": "1.5"})
    assert changed.parameters["gain"].default == 1.5
    assert (changed.size, changed.seed) == ((64, 64), 9)
    assert preset.parameters["gain"].default == 0.5, "the original is unchanged"
    with pytest.raises(PresetError, match="key 'gian': unknown exposed parameter 'gian'; "
                                          "did you mean 'gain'"):
        preset.with_overrides(overrides={"gian": 1})
    with pytest.raises(PresetError, match="key 'gain': override: expected a value <= 2.0"):
        preset.with_overrides(overrides={"gain": "7"})
    with pytest.raises(PresetError, match="key 'size'"):
        preset.with_overrides(size=(10, 0))


@pytest.mark.parametrize("text, value", [
    ("6", 6), ("2.5", 2.5), ("true", True), ("#ff0000", "#ff0000"), ("multiply", "multiply"),
    ('[[0, "#000"], [1, "#fff"]]', [[0, "#000"], [1, "#fff"]]),
    ("__import__('os').system('x')", "__import__('os').system('x')"),
])
def test_command_line_values_parse_as_data(text, value):
    assert parse_value_text(text) == value


def test_a_dict_preset_reads_relative_paths_from_its_base(engine, tmp_path, monkeypatch):
    # a TOML loaded as a dict and edited keeps its image and subgraph paths (issue #20)
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "demo.json").write_text(json.dumps(make_preset()))
    data = {"texgen": 1, "name": "top", "size": 8,
            "nodes": {"inst": {"type": "preset", "preset": "lib/demo.json"}},
            "outputs": {"h": "inst.height"}}
    assert load_preset(data).base_dir is None, "without base: the working directory"
    assert load_preset(data, base=tmp_path).base_dir == tmp_path.resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(PresetError, match="cannot load preset 'lib/demo.json': no preset "
                                          "file 'lib/demo.json'"):
        engine.render(data)
    assert engine.render(data, base=tmp_path)["h"].shape == (8, 8, 1)
    assert engine.validate(data, base=str(tmp_path)).nodes["inst/base"]
    assert engine.load_preset(data, base=tmp_path).base_dir == tmp_path.resolve()
