"""The formats plugin's exporters: registered in every engine, reachable from
``texgen render --format`` with the options the outputs' roles imply, options declared."""

import json

import numpy as np
import pytest

import texgen
from texgen.cli import main
from texgen.formats.color import srgb_to_linear
from texgen.formats.dds import read_dds

OpenEXR = pytest.importorskip("OpenEXR")
pytest.importorskip("etcpak")
decoder = pytest.importorskip("texture2ddecoder")

PRESET = {"texgen": 1, "name": "tiny", "size": 16, "seed": 4,
          "nodes": {"h": {"type": "noise.perlin", "frequency": 2.0},
                    "color": {"type": "filters.gradient_map", "input": "h",
                              "gradient": [[0.0, "#203040"], [1.0, "#c08040"]]},
                    "bumps": {"type": "filters.normal_map", "height": "h", "strength": 8.0}},
          "outputs": {"basecolor": "color", "height": "h", "normal": "bumps"}}


def test_every_engine_has_the_formats_with_their_options():
    engine = texgen.Engine()
    assert {"exr", "exr32", "dds"} <= set(engine.exporters)
    assert engine.exporters["exr"].extension == "exr"
    assert engine.exporters["dds"].options == {"color_space", "compression", "mips",
                                               "normal_map", "tileable"}
    assert engine.exporters["dds"].clips and not engine.exporters["exr32"].clips
    formats = next(p for p in engine.plugins if p.name == "formats")
    assert formats.source == "core" and formats.exporters == ["exr", "exr32", "dds"]


@pytest.mark.parametrize("format_name", ["exr", "exr32", "dds"])
def test_render_format_writes_readable_files(tmp_path, capsys, format_name):
    preset = tmp_path / "tiny.json"
    preset.write_text(json.dumps(PRESET))
    code = main(["render", str(preset), "-o", str(tmp_path / "out"), "--format",
                 format_name, "--json"])
    assert code == 0, capsys.readouterr().err
    rendered = texgen.Engine().render(PRESET)
    height_file = tmp_path / "out" / f"tiny_height.{'dds' if format_name == 'dds' else 'exr'}"
    if format_name == "dds":  # default: BC4 for gray, BC7 for color, full mip chain
        height = read_dds(height_file.read_bytes())
        assert (height.compression, height.srgb) == ("bc4", False)
        info = read_dds((tmp_path / "out" / "tiny_basecolor.dds").read_bytes())
        assert (info.compression, info.mip_count, info.width) == ("bc7", 5, 16)
        assert info.srgb  # the basecolor role is sRGB
        normal = read_dds((tmp_path / "out" / "tiny_normal.dds").read_bytes())
        assert not normal.srgb
        bgra = np.frombuffer(decoder.decode_bc7(normal.levels[1], 8, 8), np.uint8)
        vectors = bgra.reshape(8, 8, 4)[:, :, [2, 1, 0]] / np.float32(127.5) - 1
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=2), 1, atol=0.06)
        return
    with OpenEXR.File(str(height_file)) as file:
        pixels = file.channels()["Y"].pixels.copy()
    assert pixels.dtype == (np.float16 if format_name == "exr" else np.float32)
    np.testing.assert_allclose(pixels, rendered["height"][:, :, 0], rtol=1e-3)
    with OpenEXR.File(str(tmp_path / "out" / "tiny_basecolor.exr")) as file:
        red = file.channels()["RGB"].pixels[:, :, 0].copy()
    # EXR holds linear light: the basecolor's sRGB values are decoded
    np.testing.assert_allclose(red, srgb_to_linear(rendered["basecolor"][:, :, 0]), rtol=1e-3)


def test_render_options_follow_roles_and_the_presets_tiling():
    engine = texgen.Engine()
    dds, png = engine.exporters["dds"], engine.exporters["png8"]
    graph = engine.validate({**PRESET, "tileable": False}, nodes=["h"])
    assert engine.output_options(graph, "basecolor", dds) == {
        "color_space": "srgb", "normal_map": False, "tileable": False}
    assert engine.output_options(graph, "normal", dds)["normal_map"] is True
    assert engine.output_options(graph, "h", dds) == {"tileable": False}  # a view: no role
    assert engine.output_options(graph, "basecolor", png) == {}
    assert engine.output_options(engine.validate(PRESET), "height", dds)["tileable"] is True
