import json
import re
import subprocess
import sys
from pathlib import Path

import click
import numpy as np
import pytest
from conftest import make_preset

from texgen.cli import main, make_cli

PLUGIN = "from conftest import CountingPlugin\nplugin = CountingPlugin()\n"


@pytest.fixture
def preset_file(tmp_path, install):
    """A preset file using the counting test plugin, installed as entry point "t"."""
    install("t", PLUGIN, attr="plugin")
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(make_preset()))
    return path


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_files_and_exits_0(preset_file, tmp_path, capsys):
    code, out, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "out"),
                         "--size", "24x12", "--seed", "3", "--set", "gain=1.5")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["demo_color.png",
                                                                    "demo_height.png"]
    assert "[1/5]" in err and "demo: wrote 2 files" in err


def test_an_output_path_that_is_a_folder_stops_the_render_and_keeps_the_old_files(
        preset_file, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "demo_color.png").write_bytes(b"OLD")
    (out / "demo_height.png").mkdir()
    code, _, err = run(capsys, "render", str(preset_file), "-o", str(out), "--size", "8")
    assert code == 2
    assert "output 'height' would be written to" in err and "which is a folder" in err
    assert "internal error" not in err
    assert (out / "demo_color.png").read_bytes() == b"OLD"
    assert sorted(p.name for p in out.iterdir()) == ["demo_color.png", "demo_height.png"]


def test_an_output_folder_that_is_a_file_is_refused_before_rendering(preset_file, tmp_path,
                                                                     capsys):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    for folder, message in ((afile, "afile: cannot be the output folder: it is a file"),
                            (afile / "sub", "is under the file")):
        code, _, err = run(capsys, "render", str(preset_file), "-o", str(folder), "--size", "8")
        assert code == 2 and message in err, err
        assert "[1/" not in err  # nothing rendered
    assert afile.read_text() == "keep"


def test_render_json_report(preset_file, tmp_path, capsys):
    code, out, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "o"),
                         "--json", "--outputs", "height", "--format", "tiff")
    assert code == 0
    report = json.loads(out)
    assert report[0]["files"][0]["format"] == "tiff" and report[0]["size"] == [32, 16]
    assert err == "", "--json keeps stderr quiet"


@pytest.mark.parametrize("args, message", [
    (["--set", "gian=1"], "key 'gian': unknown exposed parameter 'gian'; did you mean 'gain'?"),
    (["--set", "gain=9"], "key 'gain': override: expected a value <= 2.0, got 9.0"),
    (["--outputs", "colour"], "no output 'colour'; did you mean 'color'?"),
    (["--format", "jpg"], "unknown format 'jpg'"),
    (["--size", "99999x99999"], "key 'size': expected a size in pixels"),
    (["--size", "30000x30000"], "is 900,000,000 pixels; the limit is 67,108,864"),
])
def test_bad_input_exits_2_with_one_clear_line(preset_file, tmp_path, capsys, args, message):
    code, out, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "o"), *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith("texgen: error: ")
    assert not (tmp_path / "o").exists()


def test_usage_errors_exit_2(preset_file, capsys):
    assert run(capsys, "render", str(preset_file), "--set", "novalue")[0] == 2
    assert run(capsys, "render", str(preset_file), "--size", "big")[0] == 2
    assert run(capsys, "no-such-command")[0] == 2


def test_failed_render_exits_1(preset_file, tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(make_preset(
        nodes={"a": {"type": "t.wave"}, "b": {"type": "t.fail", "input": "a"}},
        parameters={}, outputs={"x": "b"})))
    code, out, err = run(capsys, "render", str(broken), "-o", str(tmp_path / "o"))
    assert code == 1
    assert "node 'b' (t.fail): RuntimeError: kaboom" in err and "Traceback" not in err
    code, out, err = run(capsys, "--debug", "render", str(broken), "-o", str(tmp_path / "o"))
    assert code == 1 and "Traceback" in err


def test_debug_is_the_option_click_parsed(preset_file, tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(make_preset(
        nodes={"a": {"type": "t.wave"}, "b": {"type": "t.fail", "input": "a"}},
        parameters={}, outputs={"x": "b"})))
    # "--debug" as the value of -o is a folder name, not the flag: no traceback.
    code, _, err = run(capsys, "render", str(broken), "-o", str(tmp_path / "--debug"))
    assert code == 1 and "RuntimeError: kaboom" in err and "Traceback" not in err
    # After the subcommand it is not an option of render: a usage error.
    code, _, err = run(capsys, "render", str(broken), "--debug")
    assert code == 2 and "No such option '--debug'" in err and "Traceback" not in err


def test_each_run_builds_its_own_command_groups():
    first, second = make_cli(), make_cli()
    assert first is not second
    for name in ("nodes", "train"):
        assert first.commands[name] is not second.commands[name]
    first.commands["train"].add_command(make_cli().commands["nodes"], "extra")
    assert "extra" not in second.commands["train"].commands
    assert "extra" not in make_cli().commands["train"].commands


def test_validate_lists_every_problem(preset_file, tmp_path, capsys):
    assert run(capsys, "validate", str(preset_file))[0] == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('texgen = 1\n[nodes.a]\ntype = "t.wav"\n[nodes.b]\ntype = "t.scale"\n'
                   'input = "a"\nfactr = 2\n[outputs]\nx = "b"\n')
    code, out, err = run(capsys, "validate", str(bad))
    assert code == 2
    lines = err.strip().splitlines()
    assert f"texgen: error: {bad}: node 'a', key 'type': unknown node type 't.wav'; did you " \
           f"mean 't.wave'? (see 'texgen nodes')" in lines
    assert any("node 'b', key 'factr': unknown parameter for t.scale; did you mean 'factor'?"
               in line for line in lines)


def test_nodes_list_and_describe(preset_file, capsys):
    code, out, _ = run(capsys, "nodes")
    assert code == 0 and any(line.startswith("t.colorize") for line in out.splitlines())
    code, out, _ = run(capsys, "nodes", "describe", "t.colorize")
    assert code == 0
    assert "tint (color; default #ffffff)" in out
    assert "mode (enum; default \"multiply\"; one of multiply, screen)" in out
    assert "input (gray)" in out and "out (color)" in out
    code, out, _ = run(capsys, "nodes", "--json")
    assert {n["id"] for n in json.loads(out)} >= {"t.wave", "t.colorize"}
    code, _, err = run(capsys, "nodes", "describe", "t.colourize")
    assert code == 2 and "did you mean 't.colorize'?" in err


def test_plugins_lists_errors(preset_file, install, capsys):
    install("broken", "raise ImportError('no libfoo')")
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    assert "t 1.2.3 [loaded]" in out and "broken 1.2.3 [failed]" in out
    assert "error: failed to import fake_broken_plugin: ImportError: no libfoo" in out
    code, _, err = run(capsys, "--strict", "plugins")
    assert code == 2 and "plugin broken: failed to import" in err
    data = json.loads(run(capsys, "plugins", "--json")[1])
    assert next(p for p in data if p["name"] == "t")["nodes"][0] == "t.wave"


def test_presets_lists_and_render_by_name(preset_file, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "mine.json").write_text(json.dumps(make_preset(
        name="mine", description="A test material.")))
    (tmp_path / "presets" / "broken.toml").write_text("texgen = [")
    code, out, _ = run(capsys, "presets")
    assert code == 0 and "A test material." in out and "broken" in out and "(invalid:" in out
    code, _, err = run(capsys, "render", "mine", "-o", "out", "-q")
    assert code == 0 and err == ""
    assert (tmp_path / "out" / "mine_color.png").exists()


def test_plugin_commands_are_added(install, capsys):
    install("cmd", """
import click
from texgen import hookimpl

@hookimpl
def register_commands(cli):
    @cli.command()
    def hello():
        click.echo("hello from a plugin")
""")
    code, out, _ = run(capsys, "hello")
    assert code == 0 and out == "hello from a plugin\n"


def test_a_plugin_command_cannot_replace_a_builtin_or_another_plugins(install, capsys,
                                                                    monkeypatch):
    install("hijack", """
import click
from texgen import hookimpl

@hookimpl
def register_commands(cli):
    @cli.command()
    def render():
        click.echo("hijacked")

    @cli.command()
    def hello():
        click.echo("hello from a plugin")

    cli.commands["train"].add_command(click.Command("gmm", callback=lambda: None))
""")
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    assert "error: register_commands: command 'render' is already taken" in out
    assert "error: register_commands: command 'train gmm' is already taken" in out
    code, out, err = run(capsys, "render", "--help")
    assert code == 0 and "Render PRESETS" in out and "hijacked" not in out + err
    assert "Fit a Gaussian mixture" in run(capsys, "train", "gmm", "--help")[1]
    assert run(capsys, "hello")[1] == "hello from a plugin\n", "its other commands work"
    monkeypatch.setenv("TEXGEN_STRICT_PLUGINS", "1")
    code, _, err = run(capsys, "hello")
    assert code == 2 and "plugin 'hijack': register_commands: command" in err


def test_console_script_exit_codes(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("texgen = 1\n")
    result = subprocess.run([sys.executable, "-m", "texgen.cli", "validate", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.startswith(f"texgen: error: {bad}: key 'outputs'")
    ok = subprocess.run([sys.executable, "-m", "texgen.cli", "--help"], capture_output=True,
                        text=True)
    assert ok.returncode == 0 and "render" in ok.stdout


def test_sheet_writes_a_labelled_png(preset_file, tmp_path, capsys):
    from texgen.io import read_image
    from texgen.sheet import GAP, LABEL_HEIGHT

    target = tmp_path / "sheet.png"
    code, _, err = run(capsys, "sheet", str(preset_file), str(preset_file), "-o", str(target),
                       "--size", "32", "--thumb", "40")
    assert code == 0, err
    image = read_image(target)
    assert image.shape == (GAP + 2 * (40 + GAP + LABEL_HEIGHT), GAP + 2 * (40 + GAP), 3)


@pytest.fixture
def animated_file(tmp_path, install):
    """A preset file whose exposed ``phase`` scales the wave: ``scaled = base * phase``."""
    install("t", PLUGIN, attr="plugin")
    preset = make_preset(parameters={"phase": {"type": "float", "default": 0.5}},
                         outputs={"base": "base", "scaled": {"node": "scaled",
                                                             "format": "tiff"}})
    preset["nodes"]["scaled"]["factor"] = "$phase"
    path = tmp_path / "anim.json"
    path.write_text(json.dumps(preset))
    return path


def test_render_frames(animated_file, tmp_path, capsys):
    from texgen.io import read_image

    code, out, err = run(capsys, "render", str(animated_file), "-o", str(tmp_path / "out"),
                         "--frames", "3")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"demo_{output}_{i:04d}.{ext}" for output, ext in (("base", "png"), ("scaled", "tiff"))
        for i in range(3)]
    base = read_image(tmp_path / "out" / "demo_base_0000.png")
    for i in range(3):
        scaled = read_image(tmp_path / "out" / f"demo_scaled_{i:04d}.tiff")
        assert abs(scaled.max() / base.max() - i / 3) < 1e-3
        assert f"{animated_file}: frame {i + 1}/3: [1/2]" in err
    assert "demo: wrote 6 files (3 frames)" in err
    code, out, err = run(capsys, "render", str(animated_file), "-o", str(tmp_path / "q"),
                         "--frames", "2", "-q")
    assert code == 0 and err == ""


def test_render_frames_json_lists_every_file(animated_file, tmp_path, capsys):
    code, out, err = run(capsys, "render", str(animated_file), "-o", str(tmp_path / "o"),
                         "--json", "--frames", "4", "--frame-param", "phase",
                         "--outputs", "scaled")
    assert code == 0 and err == ""
    [report] = json.loads(out)
    assert report["frames"] == 4
    assert [(f["frame"], f["path"].rsplit("/", 1)[1]) for f in report["files"]] == [
        (i, f"demo_scaled_{i:04d}.tiff") for i in range(4)]


@pytest.mark.parametrize("args, message", [
    (["--frames", "4", "--frame-param", "phsae"],
     "key 'phsae': unknown exposed parameter 'phsae'; did you mean 'phase'? (exposed: phase)"),
    (["--frames", "4", "--frame-param", "gain"], "unknown exposed parameter 'gain'"),
    (["--frames", "0"], "frames: expected a number of frames in 1..10000, got 0"),
    (["--frames", "4", "--set", "phase=0.5"],
     "parameter 'phase' is set by each frame (0 to 1); it cannot also be overridden"),
    (["--frame-param", "phase"], "--frame-param needs --frames"),
])
def test_render_frames_bad_input_exits_2(animated_file, tmp_path, capsys, args, message):
    code, out, err = run(capsys, "render", str(animated_file), "-o", str(tmp_path / "o"), *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    if "phase" in message and "--frame-param" not in message:
        assert err.startswith(f"texgen: error: {animated_file}: ")
    assert not (tmp_path / "o").exists()


def test_a_path_parameter_can_be_set_relative_to_the_working_folder(tmp_path, capsys,
                                                                     monkeypatch):
    from texgen.io import encode_png

    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "reader.toml").write_text(
        'texgen = 1\nname = "reader"\nsize = 8\n'
        '[parameters.photo]\ntype = "path"\ndefault = "default.png"\n'
        '[nodes.photo]\ntype = "filters.image_input"\npath = "$photo"\n'
        '[outputs]\ngray = "photo.gray"\n')
    (presets / "default.png").write_bytes(encode_png(np.zeros((8, 8, 1), np.float32)))
    work = tmp_path / "work"
    work.mkdir()
    (work / "mine.png").write_bytes(encode_png(np.full((8, 8, 1), 0.5, np.float32)))
    monkeypatch.chdir(work)
    code, _, err = run(capsys, "render", str(presets / "reader.toml"), "-o", "out",
                       "--set", "photo=mine.png", "--format", "tiff")
    assert code == 0, err
    from texgen.io import read_image
    np.testing.assert_allclose(read_image(work / "out" / "reader_gray.tiff"), 0.5, atol=1 / 255)
    import texgen
    image = texgen.render(presets / "reader.toml", overrides={"photo": "mine.png"})["gray"]
    np.testing.assert_allclose(image, 0.5, atol=1 / 255)


def test_validate_catches_what_used_to_fail_only_at_render(tmp_path, capsys):
    # issue #20: each of these validated "ok", then failed to render with exit 1
    path = tmp_path / "floor.toml"
    path.write_text(
        'texgen = 1\nsize = 16\n'
        '[nodes.noise]\ntype = "noise.perlin"\n'
        '[nodes.tint]\ntype = "filters.gradient_map"\ninput = "noise"\n'
        '[nodes.lift]\ntype = "filters.levels"\ninput = "tint"\n'
        '[nodes.normal]\ntype = "filters.normal_map"\nheight = "lift"\n'
        '[nodes.photo]\ntype = "filters.image_input"\npath = "missing.png"\n'
        '[nodes.remap]\ntype = "filters.math"\ninput = "noise"\noperation = "remap"\n'
        'from_low = 0.5\nfrom_high = 0.5\n'
        '[outputs]\nnormal = "normal"\nphoto = "photo"\nremap = "remap"\n'
        'height = { node = "noise", format = "png61" }\n')
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 4, lines
    assert f"texgen: error: {path}: node 'normal', key 'height': type mismatch: 'lift' " \
           f"carries color (3 channels, through \"any\" ports), input 'height' takes gray" \
           in lines
    assert f"texgen: error: {path}: node 'photo', key 'path': no such file: " \
           f"{tmp_path.resolve() / 'missing.png'} (relative paths are read from the preset's " \
           f"folder)" in lines
    assert f"texgen: error: {path}: node 'remap', key 'from_high': equals from_low (0.5); " \
           f"the input range of 'remap' must not be empty" in lines
    assert any(line.startswith(f"texgen: error: {path}: key 'outputs.height.format': unknown "
                               f"format 'png61'; did you mean 'png16'?") for line in lines)


def test_a_parameter_refused_while_rendering_exits_2_naming_file_node_and_key(tmp_path,
                                                                             capsys):
    path = tmp_path / "board.toml"
    path.write_text('texgen = 1\nsize = 16\n[nodes.board]\ntype = "patterns.checker"\n'
                    'count = 7\n[outputs]\nheight = "board"\n')
    code, _, err = run(capsys, "render", str(path), "-o", str(tmp_path / "out"), "-q")
    assert code == 2
    assert err.startswith(f"texgen: error: {path}: node 'board', key 'count': must be even")
    assert not (tmp_path / "out").exists(), "nothing written"


def test_the_demo_presets_are_found_from_any_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "presets")
    assert code == 0
    assert {line.split()[0] for line in out.splitlines()} >= {"marble", "red_bricks"}
    demo_folder = Path(__file__).resolve().parents[2] / "presets"
    assert err == f"looked in: {tmp_path / 'presets'} (missing), {demo_folder}\n"


def test_presets_says_where_it_looked(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEXGEN_BLOCK_PLUGINS", "presets")
    code, out, err = run(capsys, "presets")
    assert code == 0 and out == ""
    assert err.startswith(f"texgen: no presets found (looked in: {tmp_path / 'presets'} "
                          f"(missing)); render a preset file by its path")
    (tmp_path / "presets").mkdir()
    (tmp_path / "presets" / "mine.json").write_text(json.dumps(make_preset(name="mine")))
    code, out, err = run(capsys, "presets")
    assert out.startswith("mine ") and err == f"looked in: {tmp_path / 'presets'}\n"


# --- issue #20: --node, clipped values, --normalize, batches, sheet options ---------------

def test_render_nodes_as_outputs(preset_file, tmp_path, capsys):
    code, _, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "o"),
                       "--node", "scaled,mixed", "-q")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["demo_mixed.png",
                                                                  "demo_scaled.png"]
    code, _, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "p"),
                       "--outputs", "color", "--node", "scaled", "-q")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["demo_color.png",
                                                                  "demo_scaled.png"]
    code, _, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "q"),
                       "--outputs", "scaled")
    assert code == 2 and "no output 'scaled'; to render the node 'scaled', use --node " \
                         "scaled" in err


def test_render_warns_once_per_clipped_output_and_normalizes(preset_file, tmp_path, capsys):
    from texgen.io import read_image

    args = ["render", str(preset_file), "--set", "gain=2", "--node", "scaled", "-q"]
    code, _, err = run(capsys, *args, "-o", str(tmp_path / "o"))
    assert code == 0
    warnings = [line for line in err.splitlines() if line.startswith("texgen: warning: ")]
    assert [line.split("'")[1] for line in warnings] == ["scaled"]
    assert re.search(r"'scaled': \d+\.\d% of pixels above 1 \(max 1\.9\d+\), clipped by "
                     r"png16; normalize it", warnings[0])
    code, out, err = run(capsys, *args, "-o", str(tmp_path / "n"), "--normalize", "scaled",
                         "--json")
    assert code == 0 and err == ""
    [report] = json.loads(out)
    assert report["warnings"] == [] and 1.9 < report["files"][0]["normalized_from"][1] <= 2
    written = read_image(tmp_path / "n" / "demo_scaled.png")
    assert written.min() == 0.0 and written.max() == 1.0


@pytest.fixture
def batch_files(preset_file):
    """good a.json and c.json, bad.json (an unknown node type), boom.json (a node that
    raises while rendering), beside the demo preset."""
    folder = preset_file.parent
    files = {}
    for name, changes in {
            "a": {}, "c": {},
            "bad": {"nodes": {"base": {"type": "t.wav"}}, "outputs": {"height": "base"}},
            "boom": {"nodes": {"base": {"type": "t.wave"},
                               "fail": {"type": "t.fail", "input": "base"}},
                     "outputs": {"height": "fail"}}}.items():
        files[name] = folder / f"{name}.json"
        files[name].write_text(json.dumps(make_preset(name=name, **changes)))
    return files


def test_render_batch_checks_all_before_rendering_any(batch_files, tmp_path, capsys):
    a, bad, c = (str(batch_files[n]) for n in ("a", "bad", "c"))
    code, _, err = run(capsys, "render", a, bad, c, "-o", str(tmp_path / "o"))
    assert code == 2 and "unknown node type 't.wav'" in err
    assert not (tmp_path / "o").exists(), "a bad preset stops the batch before any render"


def test_render_keep_going_renders_the_rest_and_lists_failures(batch_files, tmp_path, capsys):
    a, bad, boom, c = (str(batch_files[n]) for n in ("a", "bad", "boom", "c"))
    code, out, err = run(capsys, "render", a, bad, boom, c, "-o", str(tmp_path / "o"),
                         "--keep-going", "--outputs", "height", "--json")
    assert code == 2, "bad input wins over a failed render"
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a_height.png",
                                                                  "c_height.png"]
    reports = json.loads(out)
    assert [r["preset"] for r in reports] == ["a", "c", bad, boom]
    assert [r.get("exit_code") for r in reports] == [None, None, 2, 1]
    assert err.splitlines()[-1] == f"texgen: 2 of 4 presets failed: {bad}, {boom}"
    assert "kaboom" in err
    code, _, err = run(capsys, "render", a, boom, "-o", str(tmp_path / "p"), "--keep-going",
                       "-q")
    assert code == 1 and (tmp_path / "p" / "a_height.png").exists()


def test_sheet_quiet_columns_and_error_tiles(batch_files, tmp_path, capsys):
    from texgen.io import read_image
    from texgen.sheet import ERROR_TILE, GAP, LABEL_HEIGHT

    a, bad = str(batch_files["a"]), str(batch_files["bad"])
    target = tmp_path / "sheet.png"
    code, _, err = run(capsys, "sheet", a, bad, "-o", str(target), "--size", "16",
                       "--thumb", "40")
    assert code == 2 and not target.exists(), "without --keep-going nothing is written"
    code, _, err = run(capsys, "sheet", a, bad, "-o", str(target), "--size", "16",
                       "--thumb", "40", "--columns", "1", "--keep-going", "-q")
    assert code == 2
    assert "[1/" not in err and "wrote" not in err, "-q: no progress, no summary"
    assert err.splitlines()[-1] == f"texgen: 1 of 2 presets failed: {bad}"
    image = read_image(target)
    line = 40 + GAP + LABEL_HEIGHT
    assert image.shape == (GAP + 3 * line, GAP + 40 + GAP, 3), "a's 2 outputs wrap; 1 error"
    error_tile = image[GAP + 2 * line + LABEL_HEIGHT:GAP + 3 * line - GAP, GAP:GAP + 40]
    assert np.mean(np.all(np.abs(error_tile - ERROR_TILE) < 2 / 255, axis=2)) > 0.5
    code, _, err = run(capsys, "sheet", a, "-o", str(target), "--size", "16", "--node",
                       "scaled", "--thumb", "40")
    assert code == 0 and f"{a}: [1/2]" in err and "wrote" in err
    assert read_image(target).shape == (GAP + line, GAP + 40 + GAP, 3)


def test_describe_shows_what_an_any_output_carries(capsys):
    code, out, _ = run(capsys, "nodes", "describe", "filters.levels")
    assert code == 0 and "  out (any, channels of input)  " in out
    code, out, _ = run(capsys, "nodes", "describe", "filters.levels", "--json")
    assert json.loads(out)["outputs"][0]["same_as"] == ["input"]


def test_validate_refuses_a_color_into_a_gray_role(preset_file, tmp_path, capsys):
    path = tmp_path / "roles.json"
    path.write_text(json.dumps(make_preset(outputs={"basecolor": "tinted",
                                                    "height": "tinted"})))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 2 and out == ""
    assert err == (f"texgen: error: {path}: key 'outputs.height': a height map is gray, but "
                   f"this output is color (3 channels): connect a gray node, or rename the "
                   f"output if it is no height map\n")


def test_render_profile_prints_each_node_s_seconds_and_memory(preset_file, tmp_path, capsys):
    code, out, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "out"),
                         "--size", "256", "--profile", "-q")
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0].split() == ["node", "type", "status", "seconds", "peak", "MB", "held",
                                "MB"]
    rows = {line.split()[0]: line.split() for line in lines[1:-1]}
    assert set(rows) == {"base", "scaled", "tinted", "other", "mixed"}
    assert all(row[2] == "computed" for row in rows.values()), "one-shot: nothing cached"
    # held after the last node: nothing (outputs are written as they are final)
    assert lines[-2].split()[-1] == "0.0"
    assert lines[-1].startswith("5 nodes, ") and "highest peak" in lines[-1]


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc only")
def test_render_profile_peaks_count_what_a_node_allocates(tmp_path):
    """In a fresh process (a long test process's other threads and freed memory move the
    resident size under a node): marble's color nodes allocate 256x256x3 float32 results,
    0.75 MB, so the highest peak is at least that."""
    preset = Path(__file__).resolve().parents[2] / "presets" / "marble.toml"
    result = subprocess.run([sys.executable, "-m", "texgen.cli", "render", str(preset),
                             "-o", str(tmp_path), "--size", "256", "--profile", "-q"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stderr.splitlines()[1:-1]]
    assert max(float(row[4]) for row in rows) >= 0.75, result.stderr


def test_render_over_the_memory_limit_exits_2_before_rendering(preset_file, tmp_path, capsys,
                                                               monkeypatch):
    monkeypatch.setenv("TEXGEN_MAX_BYTES", "1000")
    code, out, err = run(capsys, "render", str(preset_file), "-o", str(tmp_path / "out"))
    assert code == 2
    assert err.startswith(f"texgen: error: {preset_file}: rendering 32x16 needs about ")
    assert "the limit is 0.00 GiB (raise it with TEXGEN_MAX_BYTES" in err
    assert not (tmp_path / "out").exists()


def test_ctrl_c_exits_130_with_one_line(monkeypatch, capsys):
    import texgen.cli

    @click.group()
    def root():
        pass

    @root.command()
    def slow():
        raise KeyboardInterrupt

    monkeypatch.setattr(texgen.cli, "make_cli", lambda: root)
    assert main(["slow"]) == 130
    assert capsys.readouterr().err == "texgen: interrupted\n"
