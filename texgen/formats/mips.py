"""Mip chains: each level half the size of the one before, down to 1×1, averaged in the
space where averaging is right.

- Linear data (roughness, masks, heights): plain averages.
- sRGB colors (``color_space="srgb"``): decoded to linear light, averaged, encoded again, so
  a checkerboard of black and white becomes the mid grey of the light it reflects (0.735
  encoded), not 0.5 encoded, which reads too dark. Alpha is linear in both.
- Normal maps (``normal_map=True``, values encoded as (n + 1) / 2): decoded to vectors in
  [-1, 1], averaged, renormalised to unit length, encoded again.

Sizes follow Direct3D: level k is ``max(1, size >> k)`` per axis; the chain has
``floor(log2(max(width, height))) + 1`` levels. Each level is an area-weighted box of the one
before (``texgen.resample.area_resize``): every output pixel averages the source area it
covers exactly (a 2×2 average on even sizes; on odd sizes the partial pixels are weighted
by the part covered). Its footprint never crosses the texture's edge, so a tileable map's
mips tile exactly (the mip of the tile is the tile of the mip) without wrap-around, and a
non-tileable map's edges are not bled into from the other side.
"""

from __future__ import annotations

import numpy as np

from texgen.formats.color import check_color_space, linear_to_srgb, srgb_to_linear
from texgen.resample import area_resize


def mip_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """(width, height) of every level of a full chain, level 0 first, ending at (1, 1)."""
    sizes = [(width, height)]
    while sizes[-1] != (1, 1):
        w, h = sizes[-1]
        sizes.append((max(1, w // 2), max(1, h // 2)))
    return sizes


def mip_chain(texture: np.ndarray, *, color_space: str = "linear",
              normal_map: bool = False) -> list[np.ndarray]:
    """Every level of ``texture``'s full mip chain, level 0 (``texture`` itself) first.

    ``texture``: float32 (H, W, C). Each returned level is float32 (h, w, C) in the encoding
    the texture came in (sRGB values stay sRGB values). Levels are computed from the
    float level before, never from quantised bytes. ``normal_map`` (C >= 3, xyz in
    channels 0..2) renormalises levels 1 and up; a zero-length average becomes (0, 0, 1).
    """
    check_color_space(color_space)
    levels = [np.asarray(texture, np.float32)]
    if normal_map:
        current = levels[0].copy()
        current[:, :, :3] = current[:, :, :3] * np.float32(2) - np.float32(1)
    elif color_space == "srgb":
        current = _decode_colors(levels[0])
    else:
        current = levels[0]
    for width, height in mip_sizes(texture.shape[1], texture.shape[0])[1:]:
        current = area_resize(current, width, height)
        if normal_map:
            current[:, :, :3] = _unit(current[:, :, :3])
            level = current.copy()
            level[:, :, :3] = (current[:, :, :3] + np.float32(1)) * np.float32(0.5)
        elif color_space == "srgb":
            level = _encode_colors(current)
        else:
            level = current
        levels.append(level)
    return levels


def _decode_colors(texture: np.ndarray) -> np.ndarray:
    """sRGB color channels to linear light; alpha (channel 3 of RGBA) and gray+alpha's
    alpha stay as they are."""
    colors = 3 if texture.shape[2] >= 3 else 1
    result = np.array(texture, np.float32)
    result[:, :, :colors] = srgb_to_linear(texture[:, :, :colors])
    return result


def _encode_colors(texture: np.ndarray) -> np.ndarray:
    colors = 3 if texture.shape[2] >= 3 else 1
    result = np.array(texture, np.float32)
    result[:, :, :colors] = linear_to_srgb(texture[:, :, :colors])
    return result


def _unit(vectors: np.ndarray) -> np.ndarray:
    """(h, w, 3) vectors scaled to unit length; zero vectors become (0, 0, 1)."""
    length = np.sqrt(np.sum(vectors * vectors, axis=2, keepdims=True))
    flat = length[:, :, 0] < np.float32(1e-12)
    result = vectors / np.where(length > 0, length, np.float32(1))
    result[flat] = (0.0, 0.0, 1.0)
    return result.astype(np.float32)
