"""The formats plugin's exporters: registered in every engine, reachable from
``texgen render --format``, options declared."""

import json

import numpy as np
import pytest

import texgen
from texgen.cli import main
from texgen.formats.dds import read_dds

OpenEXR = pytest.importorskip("OpenEXR")
pytest.importorskip("etcpak")

PRESET = {"texgen": 1, "name": "tiny", "size": 16, "seed": 4,
          "nodes": {"h": {"type": "noise.perlin", "frequency": 2.0},
                    "color": {"type": "filters.gradient_map", "input": "h",
                              "gradient": [[0.0, "#203040"], [1.0, "#c08040"]]}},
          "outputs": {"basecolor": "color", "height": "h"}}


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
        assert read_dds(height_file.read_bytes()).compression == "bc4"
        info = read_dds((tmp_path / "out" / "tiny_basecolor.dds").read_bytes())
        assert (info.compression, info.mip_count, info.width) == ("bc7", 5, 16)
        return
    with OpenEXR.File(str(height_file)) as file:
        pixels = file.channels()["Y"].pixels.copy()
    assert pixels.dtype == (np.float16 if format_name == "exr" else np.float32)
    np.testing.assert_allclose(pixels, rendered["height"][:, :, 0], rtol=1e-3)
