"""The demo presets, shipped as a built-in plugin (package ``texgen_presets``).

Registering this folder makes ``texgen render marble`` find the demo presets from any
working directory, whether texgen was installed from a wheel or in editable mode. Files
the presets read travel with the packages that ship them (``pkg:`` paths).
"""

from pathlib import Path

from texgen import hookimpl


@hookimpl
def register_preset_dirs(register):
    register(Path(__file__).parent)
