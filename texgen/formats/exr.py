"""OpenEXR files through the ``openexr`` package (imported when a file is written).

One scanline part, ZIP-compressed (lossless, 16 scanlines per block) by default, with the
channels engines and compositors expect: ``Y`` for gray, ``R G B`` for color, ``R G B A``
with alpha. ``half`` (16-bit float: 11 significant bits, up to 65504) is what engines load
for heights and HDR colors; ``float`` (32-bit) keeps every bit of the render.

EXR holds linear values by convention: a texture given as ``color_space="srgb"`` (color
values, see ``texgen.formats.color``) is decoded to linear light before it is stored;
alpha and ``"linear"`` textures are stored as they are. The bytes depend only on the pixels
and these options (the header carries no date or software name).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgen.errors import InputError
from texgen.formats.codecs import import_codec
from texgen.formats.color import check_color_space, srgb_to_linear

PIXEL_TYPES = ("half", "float")
COMPRESSIONS = ("zip", "none")
_CHANNEL_NAMES = {1: "Y", 3: "RGB", 4: "RGBA"}


def write_exr(path: str | Path, texture: np.ndarray, *, pixel_type: str = "half",
              color_space: str = "linear", compression: str | None = None) -> None:
    """Write a float32 (H, W, C) texture, C in {1, 3, 4}, as an EXR file at ``path``.

    ``pixel_type``: "half" or "float". ``compression``: "zip" (the default, also for None)
    or "none". ``color_space``: "linear" stores values as they are; "srgb" decodes the
    color channels to linear light first. Raises ``InputError`` for another channel count
    or an unknown option.
    """
    OpenEXR = import_codec("OpenEXR", format_name="exr")  # noqa: N806 - the module's name
    check_color_space(color_space)
    if pixel_type not in PIXEL_TYPES:
        raise InputError(f"EXR pixel type {pixel_type!r}: expected one of "
                         f"{', '.join(PIXEL_TYPES)}")
    compression = compression or "zip"
    if compression not in COMPRESSIONS:
        raise InputError(f"EXR compression {compression!r}: expected one of "
                         f"{', '.join(COMPRESSIONS)}")
    channels = texture.shape[2]
    if channels not in _CHANNEL_NAMES:
        raise InputError(f"EXR stores 1, 3 or 4 channels, not {channels}")
    pixels = np.array(texture, np.float32)
    if color_space == "srgb":
        colors = min(channels, 3)
        pixels[:, :, :colors] = srgb_to_linear(pixels[:, :, :colors])
    pixels = pixels.astype(np.float16 if pixel_type == "half" else np.float32)
    header = {"compression": (OpenEXR.ZIP_COMPRESSION if compression == "zip"
                              else OpenEXR.NO_COMPRESSION),
              "type": OpenEXR.scanlineimage}
    data = pixels[:, :, 0] if channels == 1 else pixels
    with OpenEXR.File(header, {_CHANNEL_NAMES[channels]: np.ascontiguousarray(data)}) as file:
        file.write(str(path))
