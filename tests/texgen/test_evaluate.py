import numpy as np
import pytest
from conftest import make_preset

from texgen import NodeSpec, Param, Port, hookimpl
from texgen.errors import InputError, NodeInputError, RenderError
from texgen.evaluate import ResultCache
from texgen.nodes import param_error


def events_of(engine, preset, **options):
    events = []
    engine.render(preset, progress=events.append, **options)
    return events


def test_first_render_computes_needed_nodes_only(engine, counting):
    events = events_of(engine, make_preset(), outputs=["color"])
    assert [e.node_id for e in events] == ["base", "scaled", "tinted"]
    assert {e.status for e in events} == {"computed"}
    assert [e.index for e in events] == [1, 2, 3] and {e.total for e in events} == {3}
    assert counting.calls == {"wave": 1, "scale": 1, "colorize": 1}


def test_rerender_hits_the_cache(engine, counting):
    engine.render(make_preset())
    events = events_of(engine, make_preset())
    assert {e.status for e in events} == {"cached"}
    assert sum(counting.calls.values()) == 5, "nothing ran twice"


def test_parameter_change_recomputes_only_downstream(engine, counting):
    engine.render(make_preset())
    counting.calls.clear()
    events = events_of(engine, make_preset(), overrides={"gain": 0.8})
    computed = {e.node_id for e in events if e.status == "computed"}
    assert computed == {"scaled", "tinted"}
    assert counting.calls == {"scale": 1, "colorize": 1}


def test_size_seed_and_node_param_changes_miss_the_cache(engine, counting):
    engine.render(make_preset())
    for options in ({"size": 16}, {"seed": 6}):
        counting.calls.clear()
        engine.render(make_preset(), **options)
        assert counting.calls["wave"] == 2, options
    nodes = make_preset()["nodes"]
    nodes["tinted"] = {**nodes["tinted"], "tint": "#00ff00"}
    counting.calls.clear()
    engine.render(make_preset(nodes=nodes), outputs=["color"])
    assert counting.calls == {"colorize": 1}


def test_two_engines_agree_and_seeds_differ(engine):
    from conftest import CountingPlugin

    import texgen

    other = texgen.Engine(entry_points=False, plugins={"t": CountingPlugin()})
    a, b = engine.render(make_preset()), other.render(make_preset())
    assert all(np.array_equal(a[k], b[k]) for k in a)
    c = engine.render(make_preset(), seed=6)
    assert not np.array_equal(a["height"], c["height"])


def test_returned_arrays_are_read_only_and_shared_without_a_copy(engine):
    first = engine.render(make_preset())["height"]
    with pytest.raises(ValueError, match="read-only"):
        first[:] = 0
    again = engine.render(make_preset())["height"]
    assert again is first, "a cached result is handed back as it is, not copied"


def test_writable_results_are_the_callers_own(engine):
    first = engine.render(make_preset(), writable=True)["height"]
    first[:] = 0
    again = engine.render(make_preset(), writable=True)["height"]
    assert again.max() > 0, "mutating a result must not corrupt the cache"


def test_node_failure_names_file_node_and_type(engine):
    nodes = {"base": {"type": "t.wave"}, "boom": {"type": "t.fail", "input": "base"}}
    with pytest.raises(RenderError, match=r"<preset demo>: node 'boom' \(t.fail\): "
                                          r"RuntimeError: kaboom"):
        engine.render(make_preset(nodes=nodes, parameters={}, outputs={"x": "boom"}))


def test_multiple_output_ports(engine):
    nodes = {"base": {"type": "t.wave"}, "s": {"type": "t.split", "input": "base"}}
    result = engine.render(make_preset(nodes=nodes, parameters={},
                                       outputs={"a": "s", "b": "s.inverse"}))
    np.testing.assert_allclose(result["a"] + result["b"], 1.0, atol=1e-6)


class BadOutputs:
    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("float64", lambda ctx: np.zeros((ctx.height, ctx.width, 1)),
                          "Returns float64."))
        register(NodeSpec("wrong_size", lambda ctx: np.zeros((2, 2, 1), np.float32),
                          "Returns the wrong size."))
        register(NodeSpec("gray_as_color", lambda ctx: np.zeros((ctx.height, ctx.width, 1),
                                                                 np.float32),
                          "Claims color, returns gray.", outputs=(Port("out", "color"),)))


@pytest.mark.parametrize("node_type, message", [
    ("bad.float64", "expected float32"), ("bad.wrong_size", "expected 16x32 pixels, got 2x2"),
    ("bad.gray_as_color", "is color \\(3 channels\\), got 1 channels"),
])
def test_bad_node_output_is_reported(engine, node_type, message):
    engine.add_plugin(BadOutputs(), name="bad")
    with pytest.raises(RenderError, match=f"node 'x' \\({node_type}\\): bad output: port 'out'"
                                          f":? {message}"):
        engine.render(make_preset(nodes={"x": {"type": node_type}}, parameters={},
                                  outputs={"x": "x"}))


def test_cache_evicts_least_recently_used():
    cache = ResultCache(max_bytes=3 * 400)
    arrays = {k: {"out": np.zeros(100, np.float32)} for k in "abcd"}
    for key in "abc":
        cache.put(key, arrays[key])
    cache.get("a")
    cache.put("d", arrays["d"])
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 3


def test_a_parameter_a_node_refuses_while_rendering_is_bad_input(engine):
    # a node's own check (param_error) is the input's fault: exit 2, with file, node and key
    def picky(ctx, *, input, shape):
        raise param_error(ctx.node_id, "shape", f"no kernel for {shape!r}")

    class Picky:
        @hookimpl
        def register_nodes(self, register):
            register(NodeSpec("picky", picky, "Refuses its shape.",
                              inputs=(Port("input", "gray"),),
                              params=(Param("shape", "string", "round"),)))

    engine.add_plugin(Picky(), name="p")
    nodes = {"base": {"type": "t.wave"}, "odd": {"type": "p.picky", "input": "base"}}
    preset = make_preset(nodes=nodes, parameters={}, outputs={"x": "odd"})
    engine.validate(preset)  # only the node can tell
    with pytest.raises(NodeInputError) as info:
        engine.render(preset)
    assert str(info.value) == "<preset demo>: node 'odd', key 'shape': no kernel for 'round'"
    assert (info.value.file, info.value.node, info.value.key) == ("<preset demo>", "odd",
                                                                  "shape")
    assert isinstance(info.value, InputError) and not isinstance(info.value, RenderError)


def test_an_any_output_validation_cannot_follow_is_checked_at_render_as_bad_input(engine):
    # no same_as: the count is known only when the node runs; a mismatch is still bad input
    class Loose:
        @hookimpl
        def register_nodes(self, register):
            register(NodeSpec("loose", lambda ctx: np.zeros((ctx.height, ctx.width, 3),
                                                           np.float32),
                              "Color, declared as any.", outputs=(Port("out", "any"),)))

    engine.add_plugin(Loose(), name="l")
    nodes = {"c": {"type": "l.loose"}, "s": {"type": "t.scale", "input": "c"}}
    preset = make_preset(nodes=nodes, parameters={}, outputs={"x": "s"})
    engine.validate(preset)
    with pytest.raises(NodeInputError, match=r"node 's', key 'input': input takes gray, but "
                                             r"'c.out' gave 3 channels"):
        engine.render(preset)
