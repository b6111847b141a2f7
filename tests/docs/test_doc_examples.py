"""The examples of docs/plugins.md run as written, and docs/filters.md states the blend
modes as the spec has them."""

import importlib
import re
import sys
import textwrap
import tomllib
import types
from pathlib import Path

import numpy as np
import pytest

import texgen
import texgen_filters
from texgen.errors import TexgenError

DOCS = Path(__file__).parents[2] / "docs"


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


@pytest.fixture
def myplug(tmp_path, monkeypatch):
    """The plugin of docs/plugins.md's first example, written out file by file (each
    "# myplug/FILE.py" line starts a file) and imported."""
    code = _blocks((DOCS / "plugins.md").read_text(), "python")[0]
    files = re.split(r"^# (myplug/\w+\.py)\n", code, flags=re.M)[1:]
    assert [name for name in files[::2]] == ["myplug/__init__.py", "myplug/nodes.py"]
    for name, body in zip(files[::2], files[1::2]):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("myplug")
    for module in ("myplug", "myplug.nodes"):
        sys.modules.pop(module, None)


def test_the_plugin_example_with_inputs_runs(myplug):
    engine = texgen.Engine(entry_points=False, strict=True,
                           plugins={"myplug": myplug, "filters": texgen_filters})
    tint = engine.registry.get("myplug.tint")
    assert [(port.name, port.type, port.optional) for port in tint.inputs] == [
        ("input", "color", False), ("mask", "gray", True)]
    nodes = _blocks((DOCS / "plugins.md").read_text(), "toml")[1]
    preset = f'texgen = 1\nname = "doc"\nsize = 24\n{nodes}\n[outputs]\nbasecolor = "tinted"\n'
    out = engine.render(tomllib.loads(preset))
    lines = engine.render(tomllib.loads(preset.replace('basecolor = "tinted"',
                                                       'm = "lines"')))["m"]
    grey, blue = 0xc0 / 255, np.array([0x30, 0x80, 0xff]) / 255
    np.testing.assert_allclose(out["basecolor"], grey * (1 + (blue - 1) * lines), atol=1e-6)
    unmasked = tomllib.loads(preset.replace('mask = "lines"', ""))
    np.testing.assert_allclose(engine.render(unmasked)["basecolor"][0, 0], grey * blue,
                               atol=1e-6)
    # What the prose says: a required input left out is refused before anything runs.
    with pytest.raises(TexgenError, match="input"):
        engine.render(tomllib.loads(preset.replace('input = "base"', "")))


def test_the_check_example_reports_file_node_and_parameter():
    block = next(b for b in re.findall(r"^( *)```python\n(.*?)^ *```",
                                       (DOCS / "plugins.md").read_text(), re.S | re.M)
                 if "def check_band" in b[1])
    plugin = types.ModuleType("band_example")
    exec(textwrap.dedent(block[1]), vars(plugin))
    engine = texgen.Engine(entry_points=False, strict=True, plugins={"myplug": plugin})
    preset = {"texgen": 1, "name": "b", "size": 8, "outputs": {"h": "b"},
              "nodes": {"b": {"type": "myplug.band", "low": 0.8, "high": 0.2}}}
    with pytest.raises(TexgenError, match="node 'b', key 'low': 0.8 is not below high "
                                          "\\(0.2\\)"):
        engine.validate(preset)


def test_filters_md_states_the_blend_modes_as_the_spec_has_them():
    mode = texgen.Engine(entry_points=False, plugins={"filters": texgen_filters}).registry.get(
        "filters.blend").param("mode")
    text = (DOCS / "filters.md").read_text()
    section = text.split("## `filters.blend`", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(\w+)` +\| `", section, re.M)
    aliases = re.findall(r"also named `(\w+)`", section)
    assert sorted(listed + aliases) == sorted(mode.choices)
    assert f"{len(listed)} modes, {len(mode.choices)} names" in section
