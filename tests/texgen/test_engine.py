import json

import imageio.v3 as iio
import numpy as np
import pytest
from conftest import make_preset

from texgen import Engine, NodeSpec, Port, hookimpl
from texgen.errors import InputError, PresetError, RenderError
from texgen.io import read_image


def test_save_writes_named_files_with_formats(engine, tmp_path):
    report = engine.save(make_preset(), tmp_path / "out")
    files = {f["output"]: f for f in report.files}
    assert files["color"]["path"] == str((tmp_path / "out" / "demo_color.png").resolve())
    assert files["color"]["format"] == "png8" and files["height"]["format"] == "png16"
    color = read_image(files["color"]["path"])
    assert color.shape == (16, 32, 3)
    rendered = engine.render(make_preset())
    np.testing.assert_allclose(color, rendered["color"], atol=0.5 / 255 + 1e-7)
    assert report.as_dict()["nodes_computed"] == 5
    json.dumps(report.as_dict())


def test_gray_defaults_to_png16_and_format_override(engine, tmp_path):
    preset = make_preset(outputs={"h": "base", "c": "tinted"})
    formats = {f["output"]: f["format"] for f in engine.save(preset, tmp_path).files}
    assert formats == {"h": "png16", "c": "png8"}
    report = engine.save(preset, tmp_path, format="tiff")
    assert {f["path"].rsplit(".", 1)[1] for f in report.files} == {"tiff"}
    assert read_image(tmp_path / "demo_h.tiff").dtype == np.float32


def test_a_gray_output_known_gray_only_when_rendered_is_png16_too(tmp_path):
    """filters.remap_image's "any" port takes its file's channels, which validation does
    not read: a gray file's copy is written png16, a color one's png8, as known outputs."""
    import texgen
    from texgen.io import encode_png

    def remap(image):
        return {"texgen": 1, "name": "remap", "size": 8,
                "nodes": {"ramp": {"type": "patterns.linear_gradient"},
                          "uv": {"type": "filters.gradient_map", "input": "ramp",
                                 "gradient": [[0.0, "#000000"], [1.0, "#ffffff"]]},
                          "copy": {"type": "filters.remap_image", "uv": "uv", "image": image}},
                "outputs": {"copy": "copy.out"}}

    (tmp_path / "gray.png").write_bytes(encode_png(np.full((4, 4, 1), 0.5, np.float32)))
    (tmp_path / "color.png").write_bytes(encode_png(np.full((4, 4, 3), 0.5, np.float32)))
    engine = texgen.Engine()
    for image, expected in (("gray.png", "png16"), ("color.png", "png8")):
        report = engine.save(remap(image), tmp_path / expected, base=tmp_path)
        assert [f["format"] for f in report.files] == [expected]
        written = iio.imread(tmp_path / expected / "remap_copy.png")
        assert written.dtype == (np.uint16 if expected == "png16" else np.uint8)


def test_outputs_subset(engine, tmp_path, counting):
    report = engine.save(make_preset(), tmp_path, outputs=["height"])
    assert [f["output"] for f in report.files] == ["height"]
    assert "colorize" not in counting.calls
    with pytest.raises(InputError, match="no output 'heigth'; did you mean 'height'"):
        engine.save(make_preset(), tmp_path, outputs=["heigth"])


def test_same_inputs_give_byte_identical_files(engine, counting, tmp_path):
    from conftest import CountingPlugin

    import texgen

    engine.save(make_preset(), tmp_path / "a", seed=11)
    texgen.Engine(entry_points=False, plugins={"t": CountingPlugin()}).save(
        make_preset(), tmp_path / "b", seed=11)
    for name in ("demo_color.png", "demo_height.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_failed_render_writes_nothing(engine, tmp_path):
    nodes = {**make_preset()["nodes"], "boom": {"type": "t.fail", "input": "base"}}
    with pytest.raises(RenderError):
        engine.save(make_preset(nodes=nodes, outputs={"ok": "base", "bad": "boom"}), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_names_that_would_escape_are_refused_before_rendering(engine, tmp_path, counting):
    with pytest.raises(PresetError, match=r"key 'outputs.\.\./evil': output name '../evil'"):
        engine.save(make_preset(outputs={"../evil": "base"}), tmp_path / "out")
    preset = tmp_path / "p.json"
    preset.write_text(json.dumps(make_preset(name="../../x")))
    with pytest.raises(PresetError, match=r"p.json: key 'name': preset name '../../x'"):
        engine.save(preset, tmp_path / "out")
    assert not counting.calls and not (tmp_path / "out").exists()


def test_unknown_format(engine, tmp_path):
    with pytest.raises(InputError, match="unknown format 'pgn8'; did you mean 'png8'"):
        engine.save(make_preset(outputs={"h": {"node": "base", "format": "pgn8"}}), tmp_path)


def test_huge_size_is_refused_before_allocating(engine, counting):
    with pytest.raises(InputError, match=r"size 40000x30000 is 1,200,000,000 pixels; the "
                                         r"limit is 67,108,864"):
        engine.render(make_preset(), size=(40000, 30000))
    with pytest.raises(PresetError, match=r"key 'size': expected a size in pixels \(1..65536\)"):
        engine.render(make_preset(), size=100000)
    small = type(engine)(entry_points=False, plugins={"t": counting}, max_pixels=100)
    with pytest.raises(InputError, match="limit is 100"):
        small.render(make_preset())
    assert not counting.calls


def test_presets_resolve_by_name(engine, tmp_path, monkeypatch):
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "demo.json").write_text(json.dumps(make_preset()))
    monkeypatch.chdir(tmp_path)
    assert set(engine.find_presets()) == {"demo"}
    assert engine.render("demo")["color"].shape == (16, 32, 3)
    with pytest.raises(InputError, match="no preset file or preset named 'dmeo'; did you mean "
                                         "'demo'"):
        engine.render("dmeo")


def test_plugin_preset_dirs_are_searched(engine, counting, tmp_path):
    from texgen import hookimpl

    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "shipped_demo.json").write_text(json.dumps(make_preset(name="shipped")))

    class Presets:
        @hookimpl
        def register_preset_dirs(self, register):
            register(folder)

    engine.add_plugin(Presets(), name="presets_plugin")
    assert engine.find_presets()["shipped_demo"] == folder / "shipped_demo.json"
    assert engine.render("shipped_demo")["height"].shape == (16, 32, 1)


def test_bad_override_is_an_input_error(engine):
    with pytest.raises(PresetError, match="unknown exposed parameter 'gian'"):
        engine.render(make_preset(), overrides={"gian": 1})


def test_unknown_backend(engine):
    with pytest.raises(InputError, match="unknown backend 'gpu'"):
        engine.render(make_preset(), backend="gpu")


def test_module_level_render(tmp_path):
    import texgen

    preset = tmp_path / "p.json"
    preset.write_text(json.dumps(make_preset()))
    with pytest.raises(PresetError, match="unknown node type 't.wave'"):
        texgen.render(preset)  # a fresh engine without the test plugin


def animated_preset(**changes):
    """``make_preset`` with an exposed ``phase`` as the scale factor: ``scaled = base * phase``."""
    nodes = {**make_preset()["nodes"],
             "scaled": {"type": "t.scale", "input": "base", "factor": "$phase"}}
    return make_preset(parameters={**make_preset()["parameters"], "phase": {
        "type": "float", "default": 0.5, "min": 0.0, "max": 1.0}}, nodes=nodes,
        outputs={"base": {"node": "base", "format": "tiff"},
                 "scaled": {"node": "scaled", "format": "tiff"}}, **changes)


def test_save_frames_sets_the_parameter_to_i_over_n(engine, tmp_path, counting):
    seen = []
    report = engine.save_frames(animated_preset(), tmp_path, frames=4,
                                on_frame=lambda i, n: seen.append((i, n)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"demo_{output}_{i:04d}.tiff" for output in ("base", "scaled") for i in range(4)]
    assert [(f["frame"], f["output"]) for f in report.files] == [
        (i, output) for i in range(4) for output in ("base", "scaled")]
    base = read_image(tmp_path / "demo_base_0000.tiff")
    for i in range(4):
        scaled = read_image(tmp_path / f"demo_scaled_{i:04d}.tiff")
        np.testing.assert_allclose(scaled, base * np.float32(i / 4), rtol=1e-6)
    assert counting.calls["wave"] == 1, "nodes upstream of the parameter are cached"
    assert (report.computed, report.cached) == (5, 3)
    assert report.as_dict()["frames"] == 4 and "frames" not in engine.save(
        animated_preset(), tmp_path / "single").as_dict()
    json.dumps(report.as_dict())


def test_frame_0_is_a_plain_render_at_0(engine, tmp_path):
    engine.save_frames(animated_preset(), tmp_path / "frames", frames=3, outputs=["scaled"],
                       format="png16", size=24, seed=9, overrides={"gain": 1.5})
    engine.save(animated_preset(), tmp_path / "plain", outputs=["scaled"], format="png16",
                size=24, seed=9, overrides={"phase": 0.0, "gain": 1.5})
    assert (tmp_path / "frames" / "demo_scaled_0000.png").read_bytes() == \
        (tmp_path / "plain" / "demo_scaled.png").read_bytes()
    assert len(list((tmp_path / "frames").iterdir())) == 3


def test_save_frames_with_another_parameter(engine, tmp_path):
    report = engine.save_frames(make_preset(), tmp_path, frames=2, frame_param="gain",
                                outputs=["color"])
    assert [f["path"].rsplit("/", 1)[1] for f in report.files] == ["demo_color_0000.png",
                                                                   "demo_color_0001.png"]
    assert read_image(tmp_path / "demo_color_0000.png").max() == 0.0
    assert read_image(tmp_path / "demo_color_0001.png").max() > 0.0


@pytest.mark.parametrize("preset, options, message", [
    (animated_preset, {"frames": 4, "frame_param": "phsae"},
     "<preset demo>: key 'phsae': unknown exposed parameter 'phsae'; did you mean 'phase'? "
     "(exposed: gain, phase)"),
    (make_preset, {"frames": 4}, "key 'phase': unknown exposed parameter 'phase' "
                                 "(exposed: gain)"),
    (animated_preset, {"frames": 0}, "frames: expected a number of frames in 1..10000, got 0"),
    (animated_preset, {"frames": 10001}, "frames in 1..10000, got 10001"),
    (animated_preset, {"frames": 4, "overrides": {"phase": 0.5}},
     "<preset demo>: parameter 'phase' is set by each frame (0 to 1); it cannot also be "
     "overridden"),
])
def test_save_frames_refuses_bad_input_before_rendering(engine, tmp_path, counting, preset,
                                                         options, message):
    with pytest.raises(InputError) as caught:
        engine.save_frames(preset(), tmp_path / "out", **options)
    assert message in str(caught.value)
    assert not counting.calls and not (tmp_path / "out").exists()


def test_save_frames_checks_every_frame_and_the_type_first(engine, tmp_path, counting):
    narrow = animated_preset()
    narrow["parameters"]["phase"]["max"] = 0.5
    with pytest.raises(PresetError, match="key 'phase': override: expected a value <= 0.5, "
                                          "got 0.75"):
        engine.save_frames(narrow, tmp_path / "out", frames=4)
    whole = make_preset(parameters={"phase": {"type": "int", "default": 0}})
    with pytest.raises(PresetError, match="key 'phase': frames set it from 0 to 1, so it must "
                                          "be a float parameter, not int"):
        engine.save_frames(whole, tmp_path / "out", frames=4)
    with pytest.raises(InputError, match="no output 'scald'; did you mean 'scaled'"):
        engine.save_frames(animated_preset(), tmp_path / "out", frames=4, outputs=["scald"])
    assert not counting.calls and not (tmp_path / "out").exists()


def test_bad_parameter_is_rejected_once_by_the_engine(engine, counting):
    preset = make_preset()
    preset["nodes"]["base"]["frequency"] = 0
    preset["nodes"]["tinted"]["tint"] = "orange"
    with pytest.raises(PresetError) as caught:
        engine.render(preset)
    assert [str(p) for p in caught.value.problems] == [
        "<preset demo>: node 'base', key 'frequency': expected a value >= 1, got 0",
        "<preset demo>: node 'tinted', key 'tint': expected a color like '#a0b1c2', got "
        "'orange'"]
    assert not counting.calls, "no node ran"


# --- issue #20: nodes as outputs, clipped values, normalize, roles, batches --------------

def test_nodes_render_as_outputs_named_by_id_and_port(engine, tmp_path, counting):
    preset = make_preset()
    preset["nodes"]["halves"] = {"type": "t.split", "input": "base"}
    rendered = engine.render(preset, nodes=["scaled", "halves.inverse"])
    assert list(rendered) == ["scaled", "halves.inverse"], "nodes alone: no outputs"
    base = engine.render(preset, nodes=["base"])["base"]
    np.testing.assert_allclose(rendered["scaled"], base * 0.5, atol=1e-6)
    np.testing.assert_allclose(rendered["halves.inverse"], 1 - base, atol=1e-6)
    assert "colorize" not in counting.calls, "only what the nodes need runs"
    report = engine.save(preset, tmp_path, outputs=["color"], nodes=["scaled"])
    assert [(f["output"], f["format"]) for f in report.files] == [("color", "png8"),
                                                                   ("scaled", "png16")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_color.png", "demo_scaled.png"]


def test_bad_node_names_are_input_errors(engine, tmp_path):
    with pytest.raises(InputError, match=r"<preset demo>: no node 'scald' to render; did you "
                                         r"mean 'scaled'\? \(nodes: base, scaled, "):
        engine.render(make_preset(), nodes=["scald"])
    preset = make_preset()
    preset["nodes"]["halves"] = {"type": "t.split", "input": "base"}
    with pytest.raises(InputError, match=r"node 'halves' \(t.split\) has no output 'inverse_' "
                                         r"to render; did you mean 'inverse'\? \(outputs: "
                                         r"same, inverse\)"):
        engine.render(preset, nodes=["halves.inverse_"])
    with pytest.raises(InputError, match="no output 'scaled'; to render the node 'scaled', "
                                         "use --node scaled"):
        engine.render(make_preset(), outputs=["scaled"])
    clash = make_preset(nodes={**make_preset()["nodes"], "color": {"type": "t.wave"}})
    with pytest.raises(InputError, match="'color' is asked for both as an output and as a node"):
        engine.save(clash, tmp_path, outputs=["color"], nodes=["color"])
    assert list(tmp_path.iterdir()) == []


def high_preset(**changes):
    """gain 2: 'scaled' is twice the wave, in [0, 2]."""
    return make_preset(**{"parameters": {"gain": {"type": "float", "default": 2.0, "min": 0.0,
                                                  "max": 2.0}},
                          "outputs": {"height": "scaled", "mask": "base"}, **changes})


def test_values_out_of_range_are_reported_once_per_output(engine, tmp_path):
    from texgen.io import ClippedValuesWarning

    values = engine.render(high_preset())["height"]
    expected = float(np.mean(values > 1))
    assert 0.2 < expected < 0.8
    with pytest.warns(ClippedValuesWarning) as caught:
        report = engine.save(high_preset(), tmp_path)
    files = {f["output"]: f for f in report.files}
    assert "out_of_range" not in files["mask"], "in range: nothing to say"
    clipped = files["height"]["out_of_range"]
    assert clipped["above"] == pytest.approx(expected) and clipped["below"] == 0
    assert clipped["high"] == pytest.approx(float(values.max()))
    assert report.warnings == [
        f"demo: output 'height': {expected:.1%} of pixels above 1 (max "
        f"{values.max():.4g}), clipped by png16; normalize it (normalize = true in "
        f"[outputs], or --normalize height) or write tiff to keep the values"]
    assert [str(w.message) for w in caught] == report.warnings
    assert report.as_dict()["warnings"] == report.warnings
    written = read_image(tmp_path / "demo_height.png")
    assert written.max() == 1.0


def test_float_formats_keep_values_and_say_nothing(engine, tmp_path):
    report = engine.save(high_preset(), tmp_path, format="tiff")
    assert report.warnings == [] and all("out_of_range" not in f for f in report.files)
    np.testing.assert_array_equal(read_image(tmp_path / "demo_height.tiff"),
                                  engine.render(high_preset())["height"])


@pytest.mark.parametrize("where", ["preset", "option"])
def test_normalize_rescales_min_max_to_0_1(engine, tmp_path, where):
    preset = high_preset()
    if where == "preset":
        preset["outputs"]["height"] = {"node": "scaled", "normalize": True}
    report = engine.save(preset, tmp_path, normalize=["height"] if where == "option" else ())
    values = engine.render(preset)["height"]
    low, high = float(values.min()), float(values.max())
    assert report.warnings == []
    assert report.files[0]["normalized_from"] == [low, high]
    written = read_image(tmp_path / "demo_height.png")
    np.testing.assert_allclose(written, (values - low) / (high - low), atol=0.5 / 65535 + 1e-6)
    tiff = engine.save(preset, tmp_path, format="tiff",
                       normalize=["height"] if where == "option" else ())
    assert "normalized_from" not in tiff.files[0], "float formats keep the values"
    with pytest.raises(InputError, match="normalize: 'heigth' is not rendered; did you mean "
                                         "'height'"):
        engine.save(preset, tmp_path, normalize=["heigth"])


def test_normalize_in_the_preset_must_be_a_bool(engine):
    with pytest.raises(PresetError, match="key 'outputs.height.normalize': expected true or "
                                          "false, got 'yes'"):
        engine.render(make_preset(outputs={"height": {"node": "base", "normalize": "yes"}}))


def test_role_outputs_must_have_the_role_s_channels(engine, tmp_path):
    wrong = make_preset(outputs={"height": "tinted", "Normal": "base", "basecolor": "tinted",
                                 "emissive": "base", "mask": "tinted"})
    with pytest.raises(PresetError) as caught:
        engine.validate(wrong)
    assert [str(p) for p in caught.value.problems] == [
        "<preset demo>: key 'outputs.height': a height map is gray, but this output is color "
        "(3 channels): connect a gray node, or rename the output if it is no height map",
        "<preset demo>: key 'outputs.Normal': a normal map is color, but this output is gray "
        "(1 channels): connect a color node, or rename the output if it is no normal map"]
    # a node looked at with nodes= has no role, even when named like one
    clash = make_preset(nodes={**make_preset()["nodes"], "height": {"type": "t.colorize",
                                                                    "input": "base"}},
                        outputs={"color": "tinted"})
    assert engine.render(clash, nodes=["height"])["height"].shape == (16, 32, 3)


class AnyPlugin:
    """``a.same``: an "any" output whose channel count is known only when it runs."""

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("same", self.same, "Passes its input on.",
                          inputs=(Port("input", "any"),), outputs=(Port("out", "any"),)))

    def same(self, ctx, *, input):
        return input


def test_role_channels_unknown_before_rendering_are_checked_before_writing(counting, tmp_path):
    engine = Engine(entry_points=False, plugins={"t": counting, "a": AnyPlugin()})
    preset = make_preset(nodes={**make_preset()["nodes"], "pass": {"type": "a.same",
                                                                   "input": "tinted"}},
                         outputs={"mask": "base", "roughness": "pass"})
    engine.validate(preset)
    with pytest.raises(PresetError, match="key 'outputs.roughness': a roughness map is gray, "
                                          "but this output is color"):
        engine.save(preset, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_emissive_keeps_hdr_values_in_tiff(engine, tmp_path):
    preset = high_preset(outputs={"emissive": {"node": "tinted", "format": "tiff"}})
    report = engine.save(preset, tmp_path)
    assert report.warnings == []
    written = read_image(tmp_path / "demo_emissive.tiff")
    assert written.shape == (16, 32, 3) and written.max() > 1.5


def test_batch_checks_every_preset_before_rendering_any(engine, tmp_path, counting):
    bad = make_preset(name="bad", outputs={"color": "nowhere"})
    with pytest.raises(PresetError, match="<preset bad>: key 'outputs.color': no node "
                                          "'nowhere'"):
        engine.save_batch([make_preset(name="a"), bad, make_preset(name="c")], tmp_path)
    assert not counting.calls and list(tmp_path.iterdir()) == []


def test_batch_keep_going_renders_the_rest_and_lists_failures(engine, tmp_path):
    bad = make_preset(name="bad", outputs={"color": "nowhere"})
    failing = make_preset(name="boom", nodes={"base": {"type": "t.wave"},
                                              "fail": {"type": "t.fail", "input": "base"}},
                          outputs={"height": "fail"})
    batch = engine.save_batch([make_preset(name="a"), bad, failing, make_preset(name="c")],
                              tmp_path, keep_going=True, outputs=["height"])
    assert [r.preset for r in batch.reports] == ["a", "c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_height.png", "c_height.png"]
    assert [(f.preset, f.exit_code) for f in batch.failures] == [
        (str(bad), 2), (str(failing), 1)]
    assert isinstance(batch.failures[1].error, RenderError)
    assert batch.exit_code == 2
    only_render_failure = engine.save_batch([failing], tmp_path, keep_going=True)
    assert only_render_failure.exit_code == 1 and only_render_failure.reports == []


def test_clipped_frames_make_one_line_per_output(engine, tmp_path):
    preset = make_preset(outputs={"height": "scaled", "mask": "base"})
    from texgen.io import ClippedValuesWarning

    with pytest.warns(ClippedValuesWarning):
        report = engine.save_frames(preset, tmp_path, frames=3, frame_param="gain",
                                    frame_range=(0.0, 2.0))
    clipped = [f for f in report.files if "out_of_range" in f]
    assert [(f["output"], f["frame"]) for f in clipped] == [("height", 2)]
    above = clipped[0]["out_of_range"]["above"]
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith(f"demo: output 'height': in 1 of 3 frames, up to "
                                         f"{above:.1%} of pixels above 1")


def test_the_memory_estimate_refuses_above_the_limit_and_accepts_at_it(counting, monkeypatch):
    import texgen

    def engine_with(**options):
        return texgen.Engine(entry_points=False, plugins={"t": counting}, cache_bytes=0,
                             **options)

    graph = engine_with().validate(make_preset(), size=64)
    # base, other, mixed, scaled, tinted: while tinted (color, 12 bytes a pixel) runs, its
    # input scaled (4) is alive, and mixed (4) when the outputs are kept to the end
    assert graph.memory_plan().order == ("base", "other", "mixed", "scaled", "tinted")
    assert engine_with().memory_estimate(graph) == (4 + 4 + 12) * 64 * 64
    assert engine_with().memory_estimate(graph, streamed=True) == (4 + 12) * 64 * 64
    needed = (4 + 4 + 12) * 64 * 64
    with pytest.raises(InputError, match=r"<preset demo>: rendering 64x64 needs about "
                                         r"0\.00 GiB at once; the limit is 0\.00 GiB \(raise "
                                         r"it with TEXGEN_MAX_BYTES or Engine\(max_bytes"):
        engine_with(max_bytes=needed - 1).render(make_preset(), size=64)
    assert not counting.calls, "refused before anything ran"
    assert set(engine_with(max_bytes=needed).render(make_preset(), size=64)) == {"color",
                                                                                "height"}
    monkeypatch.setenv("TEXGEN_MAX_BYTES", str(needed - 1))
    with pytest.raises(InputError, match="needs about"):
        engine_with().render(make_preset(), size=64)
    # the result cache's budget counts: it may keep results past their last consumer
    cached = texgen.Engine(entry_points=False, plugins={"t": counting}, cache_bytes=1000)
    assert cached.memory_estimate(graph) == needed + 1000


def test_save_writes_each_output_as_soon_as_it_is_final(engine, tmp_path):
    seen = {}

    class Peek:
        @hookimpl
        def register_nodes(self, register):
            register(NodeSpec("peek", self.peek, "Looks at the output folder.",
                              inputs=(Port("input", "gray"),)))

        def peek(self, ctx, *, input):
            seen["files"] = sorted(path.name for path in tmp_path.iterdir())
            return input

    engine.add_plugin(Peek(), name="peek")
    nodes = {"base": {"type": "t.wave"}, "late": {"type": "peek.peek", "input": "base"}}
    report = engine.save(make_preset(nodes=nodes, parameters={},
                                     outputs={"early": "base", "late": "late"}), tmp_path)
    assert len(seen["files"]) == 1 and seen["files"][0].startswith(".demo_early.png.")
    assert seen["files"][0].endswith(".part"), "written, under a temporary name until the end"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["demo_early.png",
                                                               "demo_late.png"]
    assert [entry["output"] for entry in report.files] == ["early", "late"]


@pytest.mark.parametrize("preset, overrides, words", [
    (None, None, "expected a preset name, file path, dict or Preset, got NoneType"),
    (5, None, "got int 5"),
    ("MAKE", [1], "overrides: expected a mapping of exposed parameter names"),
])
def test_wrong_argument_types_are_input_errors(engine, preset, overrides, words):
    preset = make_preset() if preset == "MAKE" else preset
    with pytest.raises(InputError, match=words):
        engine.render(preset, overrides=overrides)
