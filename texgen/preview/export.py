"""``texgen preview --static``: the preview page as static files, with the data baked in.

Each preset gets a folder ``OUT_DIR/<preset name>/`` holding the same page as the live
server's (``index.html`` and ``static/``) and ``data.js``, which sets ``window.TEXGEN_DATA``
to the session's state with every image inline as a ``data:`` URL. Inline images keep the
page working when opened from disk: a browser lets WebGL read ``data:`` images but not
``file:`` ones. Node thumbnails are small; full-size images are written only for the
preset's outputs (the 3D view and the output panel need them), which keeps a 256² page of
a demo preset near 400 KB. ``OUT_DIR/index.html`` links
the pages. Nothing is written outside ``OUT_DIR``; each file is written atomically.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from texgen.engine import Engine
from texgen.errors import InputError
from texgen.io import atomic_write, output_path
from texgen.preview.server import STATIC_FILES, static_file
from texgen.preview.session import PreviewSession, preset_file


def export_static(presets: Iterable[str | os.PathLike], directory: str | os.PathLike, *,
                  size: int | tuple[int, int] | None = 256, seed: int | None = None,
                  overrides: Mapping[str, Any] | None = None, thumb: int = 96,
                  engine: Engine | None = None) -> list[Path]:
    """Write a static preview page per preset (files or names) into ``directory`` (see
    the module docstring); return the pages' ``index.html`` paths. ``size``, ``seed`` and
    ``overrides`` as for a render; ``thumb`` is the thumbnails' longer side.

    Every preset renders before anything is written; a preset that does not validate or
    render raises its ``TexgenError`` (nothing written).
    """
    engine = engine or Engine()
    pages: dict[str, str] = {}
    for preset in presets:
        session = PreviewSession(preset_file(engine, preset), engine=engine, size=size,
                                 seed=seed, overrides=overrides, thumb=thumb)
        if session.error is not None:
            raise session.error
        state = baked_state(session)
        if state["preset"] in pages:
            raise InputError(f"{preset}: two presets are named '{state['preset']}'; their "
                             f"pages would be the same folder")
        pages[state["preset"]] = f"window.TEXGEN_DATA = {json.dumps(state)};\n"
    root = Path(directory).resolve()
    written = []
    for name, data in pages.items():
        output_path(root, name, "index", "html")  # refuses a name that could leave root
        folder = root / name
        files = {"index.html": static_file("index.html"), "data.js": data.encode()}
        files |= {f"static/{file}": static_file(file) for file in STATIC_FILES
                  if file != "index.html"}
        for relative, body in files.items():
            _write(folder / relative, body)
        written.append(folder / "index.html")
    links = "\n".join(f'<li><a href="{html.escape(name)}/index.html">{html.escape(name)}</a>'
                      for name in pages)
    _write(root / "index.html", (f"<!doctype html>\n<meta charset=utf-8>\n<title>texgen "
                                 f"previews</title>\n<ul>\n{links}\n</ul>\n").encode())
    return written


def baked_state(session: PreviewSession) -> dict[str, Any]:
    """The session's state with its images inline (``data:image/png;base64,...``):
    thumbnails of every port, full size only for the preset's outputs (``image`` is None
    for the others), and ``static`` set (the page shows the parameter values, no controls).
    Files are named without their folders, and none is watched."""
    outputs = {(link.node, link.port) for link in session.graph.outputs.values()}

    def inline(node: str, port: str, kind: str, token: int) -> str | None:
        if kind == "full" and (node, port) not in outputs:
            return None  # the page shows the thumbnail instead
        png = session.image(node, port, kind)
        return "data:image/png;base64," + base64.b64encode(png).decode("ascii")

    state = session.state(image_url=inline)
    for node in state["graph"]["nodes"]:  # file names only: no folder of this machine
        node["source"] = Path(node["source"]).name
    return state | {"static": True, "path": session.path.name, "watching": []}


def _write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda temporary: temporary.write_bytes(body))
