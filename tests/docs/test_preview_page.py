"""docs/preview/ (the README's static preview page) is current: its page files are the
ones texgen ships, and its graph and parameters are the marble preset's (256²)."""

import json
from pathlib import Path

from texgen.preview.export import baked_state
from texgen.preview.server import STATIC_FILES, static_file
from texgen.preview.session import PreviewSession

DOCS = Path(__file__).parents[2] / "docs"
PAGE = DOCS / "preview" / "marble"


def test_the_page_files_are_the_shipped_ones():
    assert (PAGE / "index.html").read_bytes() == static_file("index.html")
    for name in STATIC_FILES[1:]:
        assert (PAGE / "static" / name).read_bytes() == static_file(name), \
            f"{name} changed: run docs/make_preview.py"


def test_the_data_is_the_marble_preset_as_it_is_now():
    text = (PAGE / "data.js").read_text()
    shipped = json.loads(text[len("window.TEXGEN_DATA = "):-2])
    now = baked_state(PreviewSession(DOCS.parent / "presets" / "marble.toml", size=256))
    assert shipped["size"] == [256, 256]
    # the graph and parameters; the pictures may drift with the kernels
    for state in (shipped, now):
        for node in state["graph"]["nodes"]:
            for port in node["outputs"]:
                assert port.pop("thumb").startswith("data:image/png;base64,")
                del port["image"], port["token"]
    assert shipped["graph"] == now["graph"], "marble.toml changed: run docs/make_preview.py"
    assert shipped["parameters"] == now["parameters"]
