"""Engine-ready file formats: OpenEXR and DDS (BCn with mip chains), registered as
exporters by this built-in plugin (``texgen plugins`` lists it as ``formats``).

- ``exr``: half-float EXR; ``exr32``: 32-bit float EXR (``texgen.formats.exr``).
- ``dds``: DX10 DDS, BC1/BC3/BC4/BC5/BC7 or RGBA8, full mip chain (``texgen.formats.dds``).

It also registers the built-in build targets (png, unreal, unity, gltf) through
``register_targets``, the hook a studio's plugin uses for its own.

The codec packages (``openexr``, ``etcpak``: the ``formats`` extra) are imported only when
such a file is written, so the engine loads without them. docs/formats.md documents the
formats and the build targets (``texgen.build.targets``) that use them.
"""

from __future__ import annotations

import functools

from texgen.formats.dds import write_dds
from texgen.formats.exr import write_exr
from texgen.hookspecs import hookimpl
from texgen.io import Exporter


@hookimpl
def register_exporters(register):
    exr_options = frozenset({"color_space", "compression"})
    register(Exporter("exr", "exr", functools.partial(write_exr, pixel_type="half"),
                      "16-bit half-float OpenEXR, ZIP; values as computed (HDR kept)",
                      options=exr_options))
    register(Exporter("exr32", "exr", functools.partial(write_exr, pixel_type="float"),
                      "32-bit float OpenEXR, ZIP; values as computed", options=exr_options))
    register(Exporter("dds", "dds", write_dds,
                      "DX10 DDS: BC7 for color, BC4 for gray, full mip chain; values "
                      "clipped to [0, 1]", clips=True,
                      options=frozenset({"color_space", "compression", "mips",
                                         "normal_map", "tileable"})))


@hookimpl
def register_targets(register):
    from texgen.build.targets import BUILTIN_TARGETS

    for target in BUILTIN_TARGETS.values():
        register(target)
