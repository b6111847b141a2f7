"""DDS files with a DX10 header: BC1/BC3/BC4/BC5/BC7 blocks (through ``etcpak``, imported
when a file is written) or uncompressed RGBA8, with a full mip chain.

Layout (Microsoft's "Programming Guide for DDS"): the magic ``"DDS "``, a 124-byte
``DDS_HEADER`` whose pixel format is the FourCC ``"DX10"``, a 20-byte ``DDS_HEADER_DXT10``
naming the DXGI format (a 2D texture, array size 1), then each mip level's data, largest
first. Block formats store 4×4 pixel blocks; a level whose size is not a multiple of 4
(every level below 4×4) is padded to whole blocks: by wrapping around for a tileable
texture, by repeating the edge otherwise. The pad is never sampled, but the encoder fits
each block's endpoints to all 16 pixels, so it should continue the texture as it would.

Compressions and what they keep (DXGI format, ``_SRGB`` when ``color_space="srgb"``):

=========  ============================  ==========================  ========
name       holds                         DXGI format                 sRGB
=========  ============================  ==========================  ========
``bc1``    RGB, 4 bits/pixel             BC1_UNORM (71)              72
``bc3``    RGBA, 8 bits/pixel            BC3_UNORM (77)              78
``bc4``    R (gray), 4 bits/pixel        BC4_UNORM (80)              none
``bc5``    RG (normal xy), 8 bits/pixel  BC5_UNORM (83)              none
``bc7``    RGB(A), 8 bits/pixel, best    BC7_UNORM (98)              99
``rgba8``  RGBA, uncompressed            R8G8B8A8_UNORM (28)         29
=========  ============================  ==========================  ========

Gray textures fill R, G and B; textures without alpha get alpha 1. A BC5 normal map stores x
and y; engines rebuild z. The sRGB flag tells the GPU to decode the values to linear light
when sampling; it needs the values to be sRGB-encoded, which texgen's color maps are
(``texgen.formats.color``). Mips are filtered by ``texgen.formats.mips``.

Bytes depend only on the pixels and the options, on a given CPU family: etcpak picks an
AVX-512, AVX2 or SSE4.1 build by the CPU, and its encoders are not promised to choose the
same blocks on each.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from texgen.errors import InputError
from texgen.formats.codecs import import_codec
from texgen.formats.color import check_color_space
from texgen.formats.mips import mip_chain

MAGIC = b"DDS "
#: compression -> (DXGI format, its _SRGB twin or None, bytes per 4x4 block or None for
#: uncompressed RGBA8)
COMPRESSIONS: dict[str, tuple[int, int | None, int | None]] = {
    "bc1": (71, 72, 8),
    "bc3": (77, 78, 16),
    "bc4": (80, None, 8),
    "bc5": (83, None, 16),
    "bc7": (98, 99, 16),
    "rgba8": (28, 29, None),
}
_DDSD_CAPS, _DDSD_HEIGHT, _DDSD_WIDTH, _DDSD_PITCH = 0x1, 0x2, 0x4, 0x8
_DDSD_PIXELFORMAT, _DDSD_MIPMAPCOUNT, _DDSD_LINEARSIZE = 0x1000, 0x20000, 0x80000
_DDPF_FOURCC = 0x4
_DDSCAPS_COMPLEX, _DDSCAPS_TEXTURE, _DDSCAPS_MIPMAP = 0x8, 0x1000, 0x400000
_DIMENSION_TEXTURE2D = 3


def default_compression(channels: int) -> str:
    """The compression used when none is asked for: BC4 for gray, BC7 for color or RGBA."""
    return "bc4" if channels == 1 else "bc7"


def encode_dds(texture: np.ndarray, *, compression: str | None = None,
               color_space: str = "linear", mips: bool = True,
               normal_map: bool = False, tileable: bool = True) -> bytes:
    """DDS file bytes for a float32 (H, W, C) texture, C in {1, 2, 3, 4}, values in [0, 1]
    (clipped, then rounded to 8 bits before block compression).

    ``compression``: one of ``COMPRESSIONS`` (default ``default_compression(C)``).
    ``color_space``: "srgb" for sRGB-encoded color values (the format gets its _SRGB
    twin; mips average in linear light), "linear" for data; BC4 and BC5 have no sRGB form.
    ``mips``: the full chain down to 1×1 (``texgen.formats.mips``), else level 0 alone.
    ``normal_map``: the texture is a normal map encoded (n + 1) / 2; mips are renormalised.
    ``tileable``: pad partial blocks by wrapping around (else by repeating the edge).
    Raises ``InputError`` for an unknown compression or an impossible combination.
    """
    check_color_space(color_space)
    compression = compression or default_compression(texture.shape[2])
    if compression not in COMPRESSIONS:
        raise InputError(f"DDS compression {compression!r}: expected one of "
                         f"{', '.join(COMPRESSIONS)}")
    dxgi, dxgi_srgb, block_bytes = COMPRESSIONS[compression]
    if color_space == "srgb" and dxgi_srgb is None:
        raise InputError(f"DDS compression {compression!r} has no sRGB format: use it for "
                         f"linear data (color_space = \"linear\")")
    if normal_map and texture.shape[2] < 3:
        raise InputError(f"a normal map has 3 channels, not {texture.shape[2]}")
    levels = (mip_chain(texture, color_space=color_space, normal_map=normal_map) if mips
              else [np.asarray(texture, np.float32)])
    data = [_encode_level(_rgba8(level), compression, tileable=tileable) for level in levels]
    height, width = texture.shape[:2]
    header = _header(width, height, len(levels), mips=mips, block_bytes=block_bytes,
                     top_level_bytes=len(data[0]))
    dx10 = struct.pack("<5I", dxgi_srgb if color_space == "srgb" else dxgi,
                       _DIMENSION_TEXTURE2D, 0, 1, 0)
    return MAGIC + header + dx10 + b"".join(data)


def write_dds(path: str | Path, texture: np.ndarray, **options) -> None:
    """Write ``encode_dds(texture, **options)`` to ``path``."""
    Path(path).write_bytes(encode_dds(texture, **options))


@dataclass(frozen=True)
class DDSInfo:
    """What a DX10 DDS file holds: its size, mip count, DXGI format, and each level's
    bytes (largest first). ``compression`` and ``srgb`` name the format as ``encode_dds``
    takes it."""

    width: int
    height: int
    mip_count: int
    dxgi_format: int
    compression: str
    srgb: bool
    levels: tuple[bytes, ...]


def read_dds(data: bytes) -> DDSInfo:
    """Parse a DX10 DDS file written by ``encode_dds`` (any 2D DX10 DDS in one of
    ``COMPRESSIONS``' formats); ``ValueError`` for anything else."""
    if data[:4] != MAGIC or len(data) < 148:
        raise ValueError("not a DDS file")
    size, _, height, width, _, _, mip_count = struct.unpack_from("<7I", data, 4)
    four_cc = data[4 + 80:4 + 84]
    if size != 124 or four_cc != b"DX10":
        raise ValueError("not a DDS file with a DX10 header")
    dxgi, dimension, _, array_size, _ = struct.unpack_from("<5I", data, 128)
    names = {fmt: (name, fmt == srgb) for name, (linear, srgb, _) in COMPRESSIONS.items()
             for fmt in (linear, srgb) if fmt is not None}
    if dxgi not in names or dimension != _DIMENSION_TEXTURE2D or array_size != 1:
        raise ValueError(f"unsupported DDS (DXGI format {dxgi}, dimension {dimension}, "
                         f"array size {array_size})")
    compression, srgb = names[dxgi]
    block_bytes = COMPRESSIONS[compression][2]
    mip_count = max(1, mip_count)
    levels, offset = [], 148
    for level in range(mip_count):
        w, h = max(1, width >> level), max(1, height >> level)
        length = (w * h * 4 if block_bytes is None
                  else ((w + 3) // 4) * ((h + 3) // 4) * block_bytes)
        levels.append(data[offset:offset + length])
        offset += length
    if offset != len(data):
        raise ValueError(f"DDS data is {len(data) - 148} bytes, its levels need {offset - 148}")
    return DDSInfo(width, height, mip_count, dxgi, compression, srgb, tuple(levels))


def _header(width: int, height: int, mip_count: int, *, mips: bool,
            block_bytes: int | None, top_level_bytes: int) -> bytes:
    flags = _DDSD_CAPS | _DDSD_HEIGHT | _DDSD_WIDTH | _DDSD_PIXELFORMAT
    flags |= _DDSD_PITCH if block_bytes is None else _DDSD_LINEARSIZE
    caps = _DDSCAPS_TEXTURE
    if mips:
        flags |= _DDSD_MIPMAPCOUNT
        caps |= _DDSCAPS_COMPLEX | _DDSCAPS_MIPMAP
    pitch = width * 4 if block_bytes is None else top_level_bytes
    pixel_format = struct.pack("<2I4s5I", 32, _DDPF_FOURCC, b"DX10", 0, 0, 0, 0, 0)
    return (struct.pack("<7I", 124, flags, height, width, pitch, 0, mip_count)
            + bytes(44) + pixel_format + struct.pack("<5I", caps, 0, 0, 0, 0))


def _rgba8(texture: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 4): gray fills R, G, B; gray+alpha likewise with its alpha; missing
    alpha is 255."""
    samples = np.rint(np.clip(texture, 0.0, 1.0) * 255).astype(np.uint8)
    height, width, channels = samples.shape
    rgba = np.full((height, width, 4), 255, np.uint8)
    if channels <= 2:
        rgba[:, :, :3] = samples[:, :, :1]
        if channels == 2:
            rgba[:, :, 3] = samples[:, :, 1]
    else:
        rgba[:, :, :channels] = samples
    return rgba


def _encode_level(rgba: np.ndarray, compression: str, *, tileable: bool) -> bytes:
    """One level's data: raw RGBA8 rows, or blocks of the level padded to whole 4×4
    blocks (wrapping around when ``tileable``, else repeating the edge)."""
    if compression == "rgba8":
        return rgba.tobytes()
    etcpak = import_codec("etcpak", format_name="dds")
    height, width = rgba.shape[:2]
    padded_height, padded_width = -(-height // 4) * 4, -(-width // 4) * 4
    if (padded_height, padded_width) != (height, width):
        rgba = np.pad(rgba, ((0, padded_height - height), (0, padded_width - width), (0, 0)),
                      mode="wrap" if tileable else "edge")
    data = np.ascontiguousarray(rgba).tobytes()
    if compression == "bc7" and (rgba[:, :, 3] == 255).all():
        return etcpak.compress_bc7(data, padded_width, padded_height, _opaque_bc7(etcpak))
    return getattr(etcpak, f"compress_{compression}")(data, padded_width, padded_height)


def _opaque_bc7(etcpak):
    """BC7 settings for an opaque level: the RGB-only modes (0-3), whose alpha decodes
    to exactly 255. etcpak's default also tries the modes with alpha, whose 7-bit alpha
    endpoints turn an opaque texture's 255 into 254."""
    params = etcpak.BC7CompressBlockParams()
    params.m_mode_mask = 0x0F
    return params
