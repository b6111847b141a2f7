"""The codec packages behind the formats, imported only when a file is written."""

from __future__ import annotations

import importlib
from types import ModuleType

from texgen.errors import InputError

#: module -> the package that provides it (both are in the ``formats`` extra)
PACKAGES = {"OpenEXR": "openexr", "etcpak": "etcpak"}


def import_codec(module: str, *, format_name: str) -> ModuleType:
    """Import a codec module; a missing one is an ``InputError`` that says what to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(f"format '{format_name}' needs the {PACKAGES[module]} package: "
                         f"pip install 'texgen[formats]'") from None
