import graphlib
import platform
import subprocess
import sys
import weakref
from pathlib import Path

import numpy as np
import pytest
from conftest import make_preset

import texgen
from texgen import NodeSpec, Param, Port, hookimpl
from texgen.errors import InputError, NodeInputError, RenderError
from texgen.evaluate import ResultCache, _run, stream_outputs
from texgen.nodes import NodeContext, param_error
from texgen.resources import ResourceCache


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
        register(NodeSpec("nan", lambda ctx: np.full((ctx.height, ctx.width, 1), np.nan,
                                                     np.float32), "Returns NaN."))
        register(NodeSpec("inf", lambda ctx: np.full((ctx.height, ctx.width, 1), np.inf,
                                                     np.float32), "Returns infinity."))


@pytest.mark.parametrize("node_type, message", [
    ("bad.float64", "expected float32"), ("bad.wrong_size", "expected 16x32 pixels, got 2x2"),
    ("bad.gray_as_color", "is color \\(3 channels\\), got 1 channels"),
    ("bad.nan", "512 of 512 values are NaN or infinite"),
    ("bad.inf", "512 of 512 values are NaN or infinite"),
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


class Probe:
    """``p.make`` (generator) and ``p.step`` (one input): each records a weak reference to
    its result and, when it runs, which earlier results are still alive somewhere."""

    def __init__(self):
        self.results = {}
        self.alive_at = {}

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("make", self.make, "A constant."))
        register(NodeSpec("step", self.step, "Its input plus one.",
                          inputs=(Port("input", "gray"),)))
        register(NodeSpec("join", self.step, "Its first input plus one.",
                          inputs=(Port("input", "gray"), Port("other", "gray"))))

    def _record(self, ctx, result):
        self.alive_at[ctx.node_id] = {node for node, ref in self.results.items()
                                      if ref() is not None}
        self.results[ctx.node_id] = weakref.ref(result)
        return result

    def make(self, ctx):
        return self._record(ctx, np.full((ctx.height, ctx.width, 1), 0.5, np.float32))

    def step(self, ctx, *, input, other=None):
        return self._record(ctx, input + np.float32(1))


CHAIN = {"a": {"type": "p.make"}, "b": {"type": "p.step", "input": "a"},
         "c": {"type": "p.step", "input": "b"}, "d": {"type": "p.step", "input": "c"}}


@pytest.mark.parametrize("outputs, cache_bytes, alive_at_d", [
    ({"x": "d"}, 0, {"c"}),  # a and b dropped once their one consumer ran
    ({"x": "d", "y": "a"}, 0, {"a", "c"}),  # a requested: kept to the end
    ({"x": "d"}, 2 << 30, {"a", "b", "c"}),  # the engine's cache keeps them
])
def test_a_result_is_dropped_after_its_last_consumer(outputs, cache_bytes, alive_at_d):
    probe = Probe()
    engine = texgen.Engine(entry_points=False, plugins={"p": probe}, cache_bytes=cache_bytes)
    result = engine.render(make_preset(nodes=CHAIN, parameters={}, outputs=outputs))
    assert probe.alive_at["d"] == alive_at_d
    assert float(result["x"][0, 0, 0]) == 3.5


def test_streamed_outputs_are_handed_on_as_they_are_final_and_not_held():
    probe = Probe()
    engine = texgen.Engine(entry_points=False, plugins={"p": probe}, cache_bytes=0)
    graph = engine.validate(make_preset(nodes=CHAIN, parameters={},
                                        outputs={"x": "d", "y": "b"}))
    handed = []

    def on_output(name, texture):
        handed.append((name, sorted(probe.results)))
        texture.flags.writeable  # noqa: B018 - handed the texture itself

    stream_outputs(graph, on_output=on_output)
    assert handed == [("y", ["a", "b"]), ("x", ["a", "b", "c", "d"])]
    assert probe.alive_at["d"] == {"c"}, "a streamed output is not held for the end"
    assert all(ref() is None for ref in probe.results.values()), "nothing held afterwards"


def test_progress_reports_the_bytes_held_and_profiled_peaks():
    probe = Probe()
    engine = texgen.Engine(entry_points=False, plugins={"p": probe}, cache_bytes=0)
    events = []
    engine.render(make_preset(nodes=CHAIN, parameters={}, outputs={"x": "d"}, size=256),
                  progress=events.append, profile=True)
    texture = 256 * 256 * 4
    # the output itself is the caller's once handed on, not the evaluator's
    assert [e.held_bytes for e in events] == [texture, texture, texture, 0]
    if Path("/proc/self/clear_refs").exists():
        assert all(e.peak_bytes is not None and e.peak_bytes >= 0 for e in events)
    assert all(e.peak_bytes is None for e in events_of(engine, make_preset(
        nodes=CHAIN, parameters={}, outputs={"x": "d"}, size=64)))


def naive_evaluate(graph):
    """Every node in id order, every result kept: how the evaluator ran before it freed
    results and chose its order."""
    results = {}
    order = graphlib.TopologicalSorter({
        node_id: [link.node for link in node.inputs.values() if link]
        for node_id, node in sorted(graph.nodes.items())}).static_order()
    width, height = graph.preset.size
    for node_id in order:
        node = graph.nodes[node_id]
        context = NodeContext(node_id=node_id, width=width, height=height, seed=node.seed,
                              backend="cpu", tileable=graph.preset.tileable,
                              resources=ResourceCache())
        results[node_id] = _run(node, context, {
            name: results[link.node][link.port] if link else None
            for name, link in node.inputs.items()}, graph.preset.source)
    return {name: results[link.node][link.port] for name, link in graph.outputs.items()}


@pytest.mark.parametrize("preset", sorted(p.stem for p in Path("presets").glob("*.toml")))
def test_demo_presets_are_byte_identical_under_the_new_order_and_freeing(preset):
    engine = texgen.Engine(cache_bytes=0)
    graph = engine.validate(preset, size=64)
    expected = naive_evaluate(graph)
    found = engine.render(preset, size=64)
    assert list(found) == list(expected)
    for name in expected:
        assert found[name].tobytes() == expected[name].tobytes(), name


_BANDS = """
import resource, sys
import numpy as np
from texgen.evaluate import steady_heap
if sys.argv[1] == "steady":
    steady_heap()
texture = np.ones(16 << 20, np.float32)  # a 4096² gray texture: mapped, and returned on free
del texture
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for band in range(50):  # one band of rows' float64 temporaries at a time, 2 MB each
    temporaries = [np.ones(1 << 18) for _ in range(4)]
    del temporaries
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_steady_heap_keeps_band_temporaries_from_faulting_in_afresh():
    # by default glibc trims the heap after each band (its thresholds never rose past a
    # band's 2 MB blocks), so every band faults its 8 MB in again: about 2,000 pages a band
    faults = {mode: int(subprocess.run([sys.executable, "-c", _BANDS, mode], check=True,
                                       capture_output=True, text=True).stdout)
              for mode in ("default", "steady")}
    assert faults["default"] > 50 * 1000, faults
    assert faults["steady"] < faults["default"] / 10, faults
