import json

import pytest
from conftest import make_preset

import texgen
from texgen.errors import PresetError
from texgen.graph import build_graph, node_seed
from texgen.preset import load_preset


def problems_for(engine, **changes):
    with pytest.raises(PresetError) as info:
        build_graph(load_preset(make_preset(**changes)), engine.registry)
    return [str(p) for p in info.value.problems]


def nodes_with(**extra):
    nodes = dict(make_preset()["nodes"])
    nodes.update(extra)
    return nodes


def test_valid_graph_resolves_params_links_and_seeds(engine):
    graph = build_graph(load_preset(make_preset()), engine.registry)
    assert graph.nodes["scaled"].params == {"factor": 0.5}, "took the exposed parameter"
    assert graph.nodes["tinted"].params["mode"] == "multiply", "filled the default"
    assert graph.nodes["mixed"].inputs["b"].node == "other"
    assert graph.nodes["base"].seed == node_seed(5, "base") != graph.nodes["other"].seed
    assert graph.order(["color"]) == ["base", "scaled", "tinted"]


@pytest.mark.parametrize("nodes, expected", [
    (nodes_with(x={"type": "t.wav"}), "node 'x', key 'type': unknown node type 't.wav'; "
                                      "did you mean 't.wave'?"),
    (nodes_with(x={"type": "t.wave", "frequncy": 3}),
     "node 'x', key 'frequncy': unknown parameter for t.wave; did you mean 'frequency'?"),
    (nodes_with(x={"type": "t.wave", "frequency": "high"}),
     "node 'x', key 'frequency': expected an integer, got str 'high'"),
    (nodes_with(x={"type": "t.wave", "frequency": 100}),
     "node 'x', key 'frequency': expected a value <= 64, got 100"),
    (nodes_with(x={"type": "t.scale"}), "node 'x', key 'input': missing input"),
    (nodes_with(x={"type": "t.scale", "input": "bsae"}),
     "node 'x', key 'input': input refers to no node 'bsae'; did you mean 'base'?"),
    (nodes_with(x={"type": "t.scale", "input": "base.outt"}),
     "node 'x', key 'input': t.wave has no output 'outt'; did you mean 'out'?"),
    (nodes_with(x={"type": "t.scale", "input": "tinted"}),
     "node 'x', key 'input': type mismatch: 'tinted.out' is color, input 'input' takes gray"),
    (nodes_with(x={"type": "t.scale", "input": "base", "factor": "$gian"}),
     "node 'x', key 'factor': '$gian' names no exposed parameter; did you mean 'gain'?"),
    (nodes_with(x={"type": "t.scale", "input": 3}),
     "node 'x', key 'input': an input names a node"),
])
def test_validation_errors(engine, nodes, expected):
    found = problems_for(engine, nodes=nodes)
    assert any(p.startswith(f"<preset demo>: {expected}") for p in found), found


def test_cycle_prints_its_path(engine):
    found = problems_for(engine, nodes={
        "a": {"type": "t.scale", "input": "c"}, "b": {"type": "t.scale", "input": "a"},
        "c": {"type": "t.mix", "a": "b"}}, outputs={"x": "a"})
    assert len(found) == 1
    cycle = found[0].split("cycle: ")[1].split(" -> ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"a", "b", "c"} and len(cycle) == 4
    # each step follows a real edge (consumer -> the node it reads from)
    reads = {"a": "c", "b": "a", "c": "b"}
    assert all(reads[x] == y for x, y in zip(cycle, cycle[1:])), cycle


def test_unknown_output_node_and_port(engine):
    found = problems_for(engine, outputs={"h": "mixd", "s": "mixed.nope"})
    assert "<preset demo>: key 'outputs.h': no node 'mixd'; did you mean 'mixed'?" in found
    assert any("key 'outputs.s': t.mix has no output 'nope'" in p for p in found)


def test_pinned_node_seed_and_stable_seeds():
    assert node_seed(5, "base") == node_seed(5, "base")
    assert node_seed(5, "base") != node_seed(6, "base") != node_seed(5, "basf")
    assert 0 <= node_seed(123, "x") < 2**32


def test_pinned_seed_is_used(engine):
    nodes = nodes_with(base={"type": "t.wave", "seed": 42})
    graph = build_graph(load_preset(make_preset(nodes=nodes)), engine.registry)
    assert graph.nodes["base"].seed == 42


def test_order_runs_only_needed_nodes(engine):
    graph = build_graph(load_preset(make_preset()), engine.registry)
    assert graph.order(["height"]) in (["base", "other", "mixed"], ["other", "base", "mixed"])
    order = graph.order()
    assert set(order) == set(graph.nodes)
    assert order.index("base") < order.index("scaled") < order.index("tinted")


def test_exposed_parameters_are_substituted_inside_lists(engine):
    parameters = {"tint": {"type": "color", "default": "#ff0000"}}
    nodes = {"base": {"type": "t.wave"},
             "c": {"type": "t.colorize", "input": "base", "tint": "$tint"}}
    preset = load_preset(make_preset(parameters=parameters, nodes=nodes, outputs={"c": "c"}))
    graph = build_graph(preset.with_overrides(overrides={"tint": "#00ff00"}), engine.registry)
    assert graph.nodes["c"].params["tint"] == (0.0, 1.0, 0.0, 1.0)
    from texgen.graph import substitute

    exposed = preset.parameters
    assert substitute([[0, "$tint"], [1, "#fff"]], exposed) == [[0, (1.0, 0.0, 0.0, 1.0)],
                                                                [1, "#fff"]]
    with pytest.raises(KeyError, match="'\\$tnt' names no exposed parameter; did you mean "
                                       "'tint'"):
        substitute([[0, "$tnt"]], exposed)


def test_path_params_reach_nodes_unset_as_none_and_set_as_resolved_paths(tmp_path):
    engine = texgen.Engine()
    folder = tmp_path / "presets"
    folder.mkdir()
    preset = {"texgen": 1, "name": "p", "size": 8,
              "nodes": {"unset": {"type": "filters.image_input"},
                        "set": {"type": "filters.image_input", "path": "../img/a.png"}},
              "outputs": {"a": "unset", "b": "set"}}
    path = folder / "p.json"
    path.write_text(json.dumps(preset))
    with pytest.raises(PresetError, match=r"p\.json: node 'set', key 'path': no such file: "
                                          r".*a\.png \(relative paths are read from"):
        engine.validate(path)  # checked before rendering, not only when the node reads it
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"")
    graph = engine.validate(path)
    assert graph.nodes["unset"].params["path"] is None
    assert graph.nodes["set"].params["path"] == (tmp_path / "img" / "a.png").resolve()
    preset["nodes"]["set"]["path"] = ""
    path.write_text(json.dumps(preset))
    with pytest.raises(PresetError, match="node 'set', key 'path': expected a file path, got "
                                          "an empty string"):
        engine.validate(path)
