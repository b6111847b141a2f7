"""``filters.remap`` and ``filters.remap_image``: move an image's pixels as a uv map says
(Embark's texture-synthesis calls this "repeat").

A synthesizer that copies exemplar pixels (``stats.markov``) outputs, besides its image, a
uv map: for each output pixel, the exemplar coordinates it was copied from
(``texgen.uvmap``: u in red, v in green, pixel centres). Looking up any image aligned with
the exemplar through that map (the height, roughness, normal or AO map of the same scanned
material) copies that image's pixels from the same places, so a whole PBR set follows the
color exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgen.nodes import NodeContext
from texgen.uvmap import apply_uv

from .material import read_texture_file


def remap(ctx: NodeContext, *, input: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """The ``filters.remap`` node: ``out[y, x] = input[floor(v * H), floor(u * W)]``.

    Nearest lookup, no filtering: every output pixel is a copy of an input pixel, so a
    normal map stays a valid normal map (patches are copied, not rotated, so the normals
    need no rotation either) and a mask stays a mask. The input is treated as a torus
    (coordinates wrap). Exact when the input's pixels are the exemplar's (the render size
    is the exemplar's size); an input stretched to another size (``filters.image_input``)
    is looked up at the same relative position, i.e. approximately: use
    ``filters.remap_image`` to carry an exemplar's maps along exactly at any size.

    Args:
        ctx: node context (unused: the lookup needs no size or seed).
        input: (H, W, C) float32, any channel count.
        uv: (H, W, 3) float32 uv map (``texgen.uvmap``): u in red, v in green, fractions
            of the width and height; blue ignored.

    Returns:
        (H, W, C) float32, C-contiguous.
    """
    return apply_uv(input, uv)


def remap_image(ctx: NodeContext, *, uv: np.ndarray, image: Path) -> np.ndarray:
    """The ``filters.remap_image`` node: ``out[y, x] = file[floor(v * h), floor(u * w)]``.

    The file is read at its own size (h, w), so for a map aligned with the exemplar (same
    size: the height, roughness, normal or AO map of the same scan) the uv map's
    pixel-centre coordinates land on exactly the pixels the exemplar's were copied from,
    at any render size. Nearest lookup, as ``remap``: a normal map stays valid.

    Args:
        ctx: node context (``node_id`` for errors).
        uv: (H, W, 3) float32 uv map: u in red, v in green, blue ignored.
        image: PNG, JPEG or TIFF file; gray, color or rgba (gray with alpha becomes rgba).

    Returns:
        (H, W, C) float32 with the file's channel count, C-contiguous.

    Raises:
        ValueError: naming the node and ``image`` when the file is missing, unreadable or
            not 1 to 4 channels.
    """
    return apply_uv(read_texture_file(image, node_id=ctx.node_id, param="image"), uv)
