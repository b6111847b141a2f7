"""The node reference (docs/nodes.md): every registered node's ports, parameters and a
thumbnail, generated from the specs so that it cannot drift from the code.

    TEXGEN_PLUGINS=noise,filters,patterns,stats,neural texgen docs -o docs/nodes.md

writes the Markdown file and one thumbnail per node into ``nodes/`` beside it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from texgen.engine import Engine
from texgen.io import atomic_write, write_texture
from texgen.nodes import NodeContext, NodeSpec, check_texture
from texgen.testing import make_inputs

#: Thumbnail side in pixels.
THUMB = 64


def node_reference(engine: Engine, *, thumbnail: Callable[[NodeSpec], str | None]) -> str:
    """Markdown for every node of ``engine.registry``, grouped by plugin, in id order.

    ``thumbnail(spec)`` returns the image link for a node (or None for no picture).
    """
    specs = sorted(engine.registry, key=lambda spec: spec.id)
    lines = ["# Node reference", "",
             "Generated from the node specs by `TEXGEN_PLUGINS=noise,filters,patterns,stats,"
             "neural texgen docs -o docs/nodes.md`; do not edit by hand "
             "(a test checks it is current). "
             f"Thumbnails: each node at {THUMB}² with its default parameters, seed 1, fed "
             "smooth periodic test textures (`texgen.testing.make_inputs`).", ""]
    plugins = sorted({spec.id.split(".")[0] for spec in specs})
    lines += [f"{len(specs)} nodes: " + ", ".join(
        f"[{p}](#{p}) ({sum(s.id.startswith(p + '.') for s in specs)})" for p in plugins), ""]
    for plugin in plugins:
        lines += [f"## {plugin}", ""]
        for spec in (s for s in specs if s.id.startswith(plugin + ".")):
            lines += _node_section(spec, thumbnail(spec))
    return "\n".join(lines).rstrip() + "\n"


def _node_section(spec: NodeSpec, image: str | None) -> list[str]:
    lines = [f"### `{spec.id}`", ""]
    if image:
        lines += [f"<img src=\"{image}\" width=\"{THUMB}\" height=\"{THUMB}\" align=\"right\" "
                  f"alt=\"{spec.id}\">", ""]
    lines += [spec.doc, "", f"Backends: {', '.join(spec.backends)}.", ""]
    if spec.inputs:
        lines += ["| input | type | |", "|---|---|---|"]
        lines += [f"| `{p.name}` | {p.type}{', optional' if p.optional else ''} | "
                  f"{_cell(p.doc)} |" for p in spec.inputs]
        lines.append("")
    lines += ["| output | type | |", "|---|---|---|"]
    lines += [f"| `{p.name}` | {p.type} | {_cell(p.doc)} |" for p in spec.outputs]
    lines.append("")
    if spec.params:
        lines += ["| parameter | type | default | range | |", "|---|---|---|---|---|"]
        lines += [f"| `{p.name}` | {p.type} | {_code(p.shown_default)} | {_code(p.allowed)} | "
                  f"{_cell(p.doc)} |" for p in spec.params]
        lines.append("")
    return lines


def _code(text: str) -> str:
    """``text`` as inline code in a table cell ("" stays empty)."""
    return f"`{_cell(text)}`" if text else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_thumbnail(spec: NodeSpec) -> np.ndarray | None:
    """The node's first output at THUMB² with its defaults, or None when it cannot render
    without more (a file to load, a model to run).

    A node that fails otherwise, or returns something that is not a texture for its port
    (``texgen.nodes.check_texture``), is one broken node among all the installed ones: it
    gets no picture and a ``UserWarning`` naming it, and the reference is still written.
    """
    ctx = NodeContext(spec.id, THUMB, THUMB, seed=1, tileable=True)
    port = spec.outputs[0]
    try:
        outputs = spec.load()(ctx, **make_inputs(spec, THUMB, THUMB),
                              **{p.name: p.default for p in spec.params})
    except (OSError, ValueError):
        return None
    except Exception as exc:  # noqa: BLE001 - a plugin's broken node must not stop the rest
        warnings.warn(f"node '{spec.id}': no thumbnail: {type(exc).__name__}: {exc}",
                      stacklevel=2)
        return None
    texture = outputs.get(port.name) if isinstance(outputs, dict) else outputs
    try:
        texture = check_texture(texture, port, height=THUMB, width=THUMB)
    except ValueError as exc:
        warnings.warn(f"node '{spec.id}': no thumbnail: bad output: {exc}", stacklevel=2)
        return None
    return np.clip(texture[..., :3], 0.0, 1.0)


def write_reference(engine: Engine, path: Path) -> list[Path]:
    """Write the reference to ``path`` and its thumbnails to ``path.parent / "nodes"``.

    Returns the files written. Each is replaced atomically.
    """
    images = path.parent / "nodes"
    images.mkdir(parents=True, exist_ok=True)
    written = []

    def thumbnail(spec: NodeSpec) -> str | None:
        picture = render_thumbnail(spec)
        if picture is None:
            return None
        target = images / f"{spec.id}.png"
        write_texture(target, picture, engine.exporter("png8"))
        written.append(target)
        return f"nodes/{target.name}"

    text = node_reference(engine, thumbnail=thumbnail)
    atomic_write(path, lambda tmp: tmp.write_text(text))
    return [path, *written]
