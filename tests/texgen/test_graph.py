import json

import numpy as np
import pytest
from conftest import make_preset

import texgen
from texgen import NodeSpec, Param, Port
from texgen.errors import PresetError, SpecError
from texgen.graph import Link, build_graph, node_seed
from texgen.nodes import CHANNELS, NodeContext
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


def test_path_params_are_resolved_paths_and_an_unset_or_empty_one_is_named(tmp_path):
    engine = texgen.Engine()
    folder = tmp_path / "presets"
    folder.mkdir()
    preset = {"texgen": 1, "name": "p", "size": 8,
              "nodes": {"photo": {"type": "filters.image_input", "path": "../img/a.png"}},
              "outputs": {"a": "photo"}}
    path = folder / "p.json"
    path.write_text(json.dumps(preset))
    with pytest.raises(PresetError, match=r"p\.json: node 'photo', key 'path': no such file: "
                                          r".*a\.png \(relative paths are read from"):
        engine.validate(path)  # checked before rendering, not only when the node reads it
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"")
    graph = engine.validate(path)
    assert graph.nodes["photo"].params["path"] == (tmp_path / "img" / "a.png").resolve()
    for value, message in (("", "expected a file path, got an empty string"),
                           (None, "no file given: filters.image_input needs its 'path' set")):
        if value is None:
            del preset["nodes"]["photo"]["path"]
        else:
            preset["nodes"]["photo"]["path"] = value
        path.write_text(json.dumps(preset))
        with pytest.raises(PresetError, match=f"node 'photo', key 'path': {message}"):
            engine.validate(path)


def test_an_optional_path_may_be_left_out_but_not_name_a_missing_file(tmp_path):
    # stats.markov's exemplar_guide is an optional path: unset reaches the node as None.
    (tmp_path / "ex.png").write_bytes(b"")
    node = {"type": "stats.markov", "exemplar": "ex.png"}
    preset = {"texgen": 1, "name": "p", "nodes": {"m": node}, "outputs": {"out": "m"}}
    graph = texgen.Engine().validate(preset, base=tmp_path)
    assert graph.nodes["m"].params["exemplar_guide"] is None
    node["exemplar_guide"] = "mask.png"
    with pytest.raises(PresetError, match="node 'm', key 'exemplar_guide': no such file: "
                       ".*mask.png"):
        texgen.Engine().validate(preset, base=tmp_path)


# --- what validation knows before rendering (issue #20) ------------------------------------

def builtin_preset(nodes, outputs, **changes):
    return {"texgen": 1, "name": "floor", "size": 16, "nodes": nodes, "outputs": outputs,
            **changes}


def validation_problems(engine, preset):
    with pytest.raises(PresetError) as info:
        engine.validate(preset)
    return [str(p) for p in info.value.problems]


def test_a_color_through_any_ports_into_a_gray_input_is_a_validation_error():
    engine = texgen.Engine()
    nodes = {"noise": {"type": "noise.perlin"},
             "tint": {"type": "filters.gradient_map", "input": "noise"},
             "lift": {"type": "filters.levels", "input": "tint"},  # any -> any: still color
             "sharp": {"type": "filters.blend", "foreground": "noise", "background": "lift"},
             "normal": {"type": "filters.normal_map", "height": "sharp"}}
    found = validation_problems(engine, builtin_preset(nodes, {"normal": "normal"}))
    assert found == ["<preset floor>: node 'normal', key 'height': type mismatch: 'sharp' "
                     "carries color (3 channels, through \"any\" ports), input 'height' takes "
                     "gray"]
    # the same chain on gray validates, and the graph knows every count on the way
    nodes["lift"]["input"] = "noise"
    graph = engine.validate(builtin_preset(nodes, {"normal": "normal"}))
    assert graph.channels[Link("lift", "out")] == graph.channels[Link("sharp", "out")] == 1
    assert graph.channels[Link("tint", "out")] == 3
    nodes["sharp"]["foreground"] = "tint"  # blend: the larger of its two inputs
    assert "'sharp' carries color" in validation_problems(
        engine, builtin_preset(nodes, {"normal": "normal"}))[0]


def test_same_as_is_declared_on_any_outputs_of_existing_inputs():
    spec = NodeSpec("x", lambda ctx, input: input, "Pass through.",
                    inputs=(Port("input", "any"),), outputs=(Port("out", "any",
                                                                  same_as="input"),))
    spec.validate()
    assert spec.outputs[0].same_as == ("input",)
    with pytest.raises(SpecError, match="same_as is for \"any\" outputs"):
        Port("out", "color", same_as="input")
    with pytest.raises(SpecError, match="output 'out': same_as names no input 'inptu'"):
        NodeSpec("x", lambda ctx, input: input, "Pass through.",
                 inputs=(Port("input", "any"),),
                 outputs=(Port("out", "any", same_as="inptu"),)).validate()


def test_spec_check_reports_parameter_relations_with_node_and_key():
    engine = texgen.Engine()
    nodes = {"noise": {"type": "noise.perlin"},
             "remap": {"type": "filters.math", "input": "noise", "operation": "remap",
                       "from_low": 0.4, "from_high": 0.4}}
    found = validation_problems(engine, builtin_preset(nodes, {"height": "remap"}))
    assert found == ["<preset floor>: node 'remap', key 'from_high': equals from_low (0.4); "
                     "the input range of 'remap' must not be empty"]
    nodes["remap"]["from_high"] = 0.9
    assert engine.validate(builtin_preset(nodes, {"height": "remap"}))

    seen = []

    def check(params):
        seen.append(dict(params))
        return [("low", "must be below high")] if params["low"] >= params["high"] else []

    spec = NodeSpec("band", lambda ctx, low, high: ctx.empty(), "A band.",
                    params=(Param("low", "float", 0.0), Param("high", "float", 1.0)),
                    check=check)
    engine.registry.add(spec, "mine")
    preset = builtin_preset({"b": {"type": "mine.band", "low": 2.0}}, {"height": "b"})
    assert validation_problems(engine, preset) == [
        "<preset floor>: node 'b', key 'low': must be below high"]
    assert seen == [{"low": 2.0, "high": 1.0}], "called with the converted parameters"
    with pytest.raises(SpecError, match="check must be a function"):
        NodeSpec("bad", lambda ctx: None, "Bad.", check="nope").validate()


def test_unknown_output_format_names_file_and_output(tmp_path):
    engine = texgen.Engine()
    path = tmp_path / "floor.json"
    path.write_text(json.dumps(builtin_preset(
        {"noise": {"type": "noise.perlin"}},
        {"height": {"node": "noise", "format": "png61"}})))
    found = validation_problems(engine, path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}: key 'outputs.height.format': unknown format 'png61'; "
                               f"did you mean 'png16'? (formats: ")


def test_an_exposed_parameter_of_another_type_is_named_with_its_type():
    engine = texgen.Engine()
    preset = builtin_preset(
        {"noise": {"type": "noise.perlin"},
         "normal": {"type": "filters.normal_map", "height": "noise",
                    "strength": "$glow_color"}},
        {"normal": "normal"},
        parameters={"glow_color": {"type": "color", "default": "#22ddff"}})
    assert validation_problems(engine, preset) == [
        "<preset floor>: node 'normal', key 'strength': '$glow_color' is a color parameter; "
        "'strength' expects a float"]


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_builtin_same_as_declarations_match_what_the_nodes_return(channels):
    # validation trusts same_as: every declared output must carry its inputs' count
    engine, checked = texgen.Engine(), 0
    for spec in engine.registry:
        declared = [port for port in spec.outputs if port.same_as]
        if not declared or spec.id == "filters.warp" and channels != 1:  # gradient: gray warp
            continue
        rng = np.random.default_rng(0)
        inputs = {port.name: rng.random((6, 10, CHANNELS.get(port.type, channels)),
                                        dtype=np.float32) for port in spec.inputs}
        params = {param.name: param.default for param in spec.params}
        result = spec.load()(NodeContext("n", 10, 6, 1), **inputs, **params)
        result = result if isinstance(result, dict) else {spec.outputs[0].name: result}
        for port in declared:
            assert result[port.name].shape[2] == channels, f"{spec.id}.{port.name}"
            checked += 1
    assert checked >= 19


TWO_BRANCHES = {
    "a1": {"type": "t.wave"}, "a2": {"type": "t.wave", "frequency": 3},
    "b1": {"type": "t.wave", "frequency": 4}, "b2": {"type": "t.wave", "frequency": 5},
    "mix_a": {"type": "t.mix", "a": "a1", "b": "a2"},
    "mix_b": {"type": "t.mix", "a": "b1", "b": "b2"},
    "top": {"type": "t.mix", "a": "mix_a", "b": "mix_b"},
}


def test_memory_plan_finishes_a_branch_before_starting_the_next(engine):
    graph = build_graph(load_preset(make_preset(nodes=TWO_BRANCHES, parameters={},
                                                outputs={"h": "top"})), engine.registry)
    plan = graph.memory_plan()
    assert plan.order == ("a1", "a2", "mix_a", "b1", "b2", "mix_b", "top")
    # while mix_b runs: mix_a, b1, b2 and its own result, 4 bytes per pixel each; the
    # order by id (every wave first) would hold 5 while mix_a runs
    assert (plan.peak_bytes_per_pixel, plan.peak_node) == (16, "mix_b")
    assert graph.order() == list(plan.order)


def test_memory_plan_counts_kept_outputs_and_declared_scratch(engine):
    engine.add_plugin(type("Heavy", (), {"register_nodes": texgen.hookimpl(
        lambda self, register: register(NodeSpec(
            "heavy", lambda ctx, *, input: input, "Holds a float64 color temporary.",
            inputs=(Port("input", "gray"),), scratch=24)))})(), name="h")
    nodes = {"base": {"type": "t.wave"}, "big": {"type": "h.heavy", "input": "base"},
             "tinted": {"type": "t.colorize", "input": "big"}}
    graph = build_graph(load_preset(make_preset(nodes=nodes, parameters={},
                                                outputs={"h": "base", "c": "tinted"})),
                        engine.registry)
    # heavy runs holding base (4) and its own result (4) plus its scratch (24)
    assert graph.memory_plan().peak_bytes_per_pixel == 32
    assert graph.memory_plan(["c"]).order == ("base", "big", "tinted")
    # tinted: big (4) and its color result (12), plus base when the caller keeps it
    single = build_graph(load_preset(make_preset(
        nodes={k: v for k, v in nodes.items() if k != "big"} | {
            "tinted": {"type": "t.colorize", "input": "base"}}, parameters={},
        outputs={"h": "base", "c": "tinted"})), engine.registry)
    assert single.memory_plan(keep_outputs=True).peak_bytes_per_pixel == 16
    assert single.memory_plan(["c"], keep_outputs=False).peak_bytes_per_pixel == 16


def test_graphs_of_one_structure_share_their_memory_plan(engine, monkeypatch):
    """Other parameter values and seeds: the same plan object; other links: a plan of its
    own, equal to planning afresh; the shared plans are bounded."""
    from texgen import graph as graph_module

    def graph_of(nodes, seed=1):
        return build_graph(load_preset(make_preset(nodes=nodes, parameters={},
                                                   outputs={"h": "top"}, seed=seed)),
                           engine.registry)

    first = graph_of(TWO_BRANCHES)
    retuned = graph_of({**TWO_BRANCHES, "a1": {"type": "t.wave", "frequency": 7}}, seed=9)
    assert retuned.nodes["a1"].params != first.nodes["a1"].params
    assert retuned.memory_plan() is first.memory_plan()
    # top reads mix_a twice, mix_b becomes an unread side branch
    relinked = graph_of({**TWO_BRANCHES, "top": {"type": "t.mix", "a": "mix_a", "b": "mix_a"}})
    plan = relinked.memory_plan()
    assert plan is not first.memory_plan()
    assert plan == relinked._plan(["h"], True)
    assert plan.order == ("a1", "a2", "mix_a", "top")
    monkeypatch.setattr(graph_module, "SHARED_PLANS_KEPT", 1)
    swapped = {**TWO_BRANCHES, "top": {"type": "t.mix", "a": "mix_b", "b": "mix_a"}}
    graph_of(swapped).memory_plan()
    assert len(graph_module._SHARED_PLANS) == 1


@pytest.mark.parametrize("scratch", [-1, float("inf"), "8", True])
def test_scratch_must_be_bytes_per_pixel(scratch):
    with pytest.raises(SpecError, match="scratch must be bytes per pixel"):
        NodeSpec("x", lambda ctx: None, "A node.", scratch=scratch).validate()
