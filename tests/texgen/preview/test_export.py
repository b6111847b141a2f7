"""export_static: the page as static files, with every image inline."""

import base64
import json

import pytest

from texgen.errors import InputError, PresetError
from texgen.io import decode_png
from texgen.preview import export_static
from texgen.preview.server import STATIC_FILES, static_file

from .conftest import preview_preset


def baked(page):
    text = (page.parent / "data.js").read_text()
    prefix = "window.TEXGEN_DATA = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


def inline_png(url):
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return decode_png(base64.b64decode(url[len(prefix):]))


def test_the_page_its_files_and_its_data(engine, folder, tmp_path):
    out = tmp_path / "site"
    (page,) = export_static([folder / "demo.json"], out, engine=engine, size=32, thumb=8)
    assert page == out.resolve() / "demo" / "index.html"
    assert page.read_bytes() == static_file("index.html")
    for name in STATIC_FILES[1:]:
        assert (page.parent / "static" / name).read_bytes() == static_file(name)
    assert 'href="demo/index.html"' in (out / "index.html").read_text()
    data = baked(page)
    assert data["static"] is True and data["error"] is None and data["size"] == [32, 32]
    assert str(folder) not in page.with_name("data.js").read_text(), "no local folders"
    assert data["path"] == "demo.json" and data["watching"] == []
    nodes = {node["id"]: node for node in data["graph"]["nodes"]}
    # outputs full size (the 3D view needs them), every other port a thumbnail only
    assert inline_png(nodes["tinted"]["outputs"][0]["image"]).shape == (32, 32, 3)
    assert inline_png(nodes["tinted"]["outputs"][0]["thumb"]).shape == (8, 8, 3)
    assert inline_png(nodes["scaled"]["outputs"][0]["thumb"]).shape == (8, 8, 1)
    assert nodes["scaled"]["outputs"][0]["image"] is None


def test_several_presets_and_overrides(engine, folder, tmp_path):
    (folder / "other.json").write_text(json.dumps(preview_preset(name="other")))
    pages = export_static([folder / "demo.json", folder / "other.json"], tmp_path / "site",
                          engine=engine, size=16, overrides={"gain": 1.25})
    assert [page.parent.name for page in pages] == ["demo", "other"]
    for page in pages:
        gain = next(p for p in baked(page)["parameters"] if p["name"] == "gain")
        assert gain["value"] == 1.25


def test_a_bad_preset_raises_and_writes_nothing(engine, folder, tmp_path):
    (folder / "bad.json").write_text(json.dumps(preview_preset(outputs={"x": "nope"})))
    with pytest.raises(PresetError, match="no node 'nope'"):
        export_static([folder / "demo.json", folder / "bad.json"], tmp_path / "site",
                      engine=engine, size=16)
    assert not (tmp_path / "site").exists()


def test_two_presets_of_one_name_are_refused(engine, folder, tmp_path):
    (folder / "copy.json").write_text(json.dumps(preview_preset()))
    with pytest.raises(InputError, match="two presets are named 'demo'"):
        export_static([folder / "demo.json", folder / "copy.json"], tmp_path / "site",
                      engine=engine, size=16)
