"""texgen: a plugin-based procedural and neural texture engine.

Typical use::

    import texgen
    textures = texgen.render("presets/marble.toml", size=512, seed=3)
    textures["basecolor"].shape   # (512, 512, 3), float32

``Engine`` holds the plugins, the node registry and the cache; create one per process (or
several: they share nothing).
"""

from texgen import (
    build,  # texgen.build(manifest, ...): docs/build.md
    describe,  # texgen.describe(text, ...): docs/describe.md
)
from texgen.engine import BatchFailure, BatchReport, Engine, RenderReport, render
from texgen.errors import (
    InputError,
    NodeInputError,
    PluginError,
    PresetError,
    RenderError,
    TexgenError,
)
from texgen.hookspecs import hookimpl
from texgen.io import Exporter
from texgen.nodes import NodeContext, NodeSpec, Param, Port

__all__ = [
    "BatchFailure", "BatchReport", "Engine", "Exporter", "InputError", "NodeContext",
    "NodeInputError", "NodeSpec", "Param", "PluginError", "Port", "PresetError", "RenderError",
    "RenderReport", "TexgenError", "build", "describe", "hookimpl", "render",
]
__version__ = "0.1.0"
