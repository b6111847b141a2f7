"""Bricks and square tiles: one masonry layout, two parameterisations.

Each node returns a dict of float32 C-contiguous textures: ``height``, ``mask``, ``id``
(H, W, 1) in [0, 1] and ``color`` (H, W, 3) in [0, 1].
"""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext
from texgen_patterns._common import (
    COLOR_STREAMS,
    cell_color,
    cell_outputs,
    cell_random,
    fitted_rows,
    hash_uniform,
    in_bands,
    pattern_node,
)

# Independent random streams per brick (hash_uniform's ``stream``); the color's are
# COLOR_STREAMS (4, 6, 7, 8).
_ID, _HEIGHT, _ROTATION, _ROW_SHIFT = 1, 2, 3, 5
_STREAMS = (_ID, _HEIGHT, _ROTATION, *COLOR_STREAMS)


@pattern_node
def bricks(ctx: NodeContext, *, rows: int, columns: int, offset: float,
           offset_variation: float, **masonry) -> dict[str, np.ndarray]:
    """A brick wall: ``rows`` x ``columns`` bricks per texture, row r shifted right by
    r * offset bricks plus a random shift up to +-offset_variation / 2.

    Keyword-only options as the node's parameters (docs/patterns.md); omitted ones take
    the spec defaults. The layout is exact at any size, so it tiles whatever
    ``ctx.tileable`` says; tileable, the per-brick random values wrap too (bricks cut by the
    edge are one brick). Returns {"height", "mask", "id", "color"}.
    """
    return _masonry(ctx, rows=rows, columns=columns, offset=offset,
                    offset_variation=offset_variation, **masonry)


@pattern_node
def tiles(ctx: NodeContext, *, count: int, **masonry) -> dict[str, np.ndarray]:
    """Square tiles: ``count`` per texture width and as many rows as keep them square
    (whole rows when tileable, so they may stretch slightly). Same options and outputs as
    ``bricks`` without the row offsets."""
    rows = fitted_rows(ctx, count * ctx.height / ctx.width)
    return _masonry(ctx, rows=rows, columns=count, offset=0.0, offset_variation=0.0,
                    **masonry)


def _masonry(ctx: NodeContext, **options) -> dict[str, np.ndarray]:
    """Bricks on rows x columns cells; see ``bricks`` for the options. Every pixel depends
    on its own coordinates only: computed in bands of rows (``in_bands``)."""
    return in_bands(ctx, lambda g, shape: _masonry_band(ctx, g, shape, **options),
                    {"height": 1, "mask": 1, "id": 1, "color": 3})


def _masonry_band(ctx: NodeContext, g, shape: tuple[int, int], *, rows: float, columns: int,
                  offset: float, offset_variation: float, mortar: float, bevel: float,
                  roundness: float, height_variation: float, rotation_variation: float,
                  color, color_variation: float, mortar_color) -> dict[str, np.ndarray]:
    cell_w, cell_h = 1.0 / columns, g.aspect / rows
    row = np.floor(g.y / cell_h)
    row_key = row % rows if ctx.tileable else row
    shift = row * offset + offset_variation * (hash_uniform(ctx.seed, _ROW_SHIFT, row_key) - 0.5)
    xs = g.x / cell_w - shift
    col = np.floor(xs)
    col_key = col % columns if ctx.tileable else col

    random = dict(zip(_STREAMS, cell_random(ctx.seed, _STREAMS, col_key, row_key)))
    # Offset from the brick's centre, then turned by the brick's random angle.
    lx = (xs - col - 0.5) * cell_w
    ly = (g.y / cell_h - row - 0.5) * cell_h
    side = min(cell_w, cell_h)
    half_w, half_h = 0.5 * (cell_w - mortar * side), 0.5 * (cell_h - mortar * side)
    rx, ry, fit = np.abs(lx), np.abs(ly), 1.0
    if rotation_variation:
        angle = np.radians(rotation_variation) * (2.0 * random[_ROTATION] - 1.0)
        cos, sin = np.cos(angle), np.sin(angle)  # cos > 0: at most 30 degrees
        # Shrink a turned brick so its bounding box still fits the cell less the mortar.
        fit = np.minimum(half_w / (half_w * cos + half_h * np.abs(sin)),
                         half_h / (half_w * np.abs(sin) + half_h * cos))
        rx, ry = np.abs(cos * lx + sin * ly), np.abs(cos * ly - sin * lx)
    radius = min(roundness * side, half_w, half_h) * fit
    qx, qy = rx - half_w * fit + radius, ry - half_h * fit + radius
    sd = (np.hypot(np.maximum(qx, 0.0), np.maximum(qy, 0.0))
          + np.minimum(np.maximum(qx, qy), 0.0) - radius)

    # The neighbours (whatever their turn) are assumed at their unturned inset.
    to_cell_edge = np.minimum(0.5 * cell_w - np.abs(lx), 0.5 * cell_h - np.abs(ly))
    neighbour = to_cell_edge + 0.5 * mortar * side
    outputs = cell_outputs(sd, g.pixel, neighbour=neighbour, bevel=bevel * side,
                           top=1.0 - height_variation * random[_HEIGHT],
                           ids=random[_ID], shape=shape)
    brightness, *tints = (random[stream] for stream in COLOR_STREAMS)
    outputs["color"] = cell_color(outputs["mask"][..., 0], brightness=brightness, tints=tints,
                                  color=color, color_variation=color_variation,
                                  background=mortar_color, shape=shape)
    return outputs
