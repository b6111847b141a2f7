"""The shape node: a circle, polygon or star, optionally repeated on a grid.

Returns {"out", "height"}: float32 C-contiguous (H, W, 1) textures in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np

from texgen.nodes import NodeContext
from texgen_patterns import sdf
from texgen_patterns._common import (
    coverage,
    fitted_rows,
    grid,
    in_bands,
    pattern_node,
    texture,
)


@pattern_node
def shape(ctx: NodeContext, *, shape: str, sides: int, inner_radius: float, size: float,
          softness: float, rotation: float, count: int) -> dict[str, np.ndarray]:
    """One shape centred in each cell of a ``count``-per-width grid of square cells.

    The outer radius is size / 2 of the cell's shorter side; a polygon's or star's first
    corner points up at rotation 0. Keyword-only options as the node's parameters
    (docs/patterns.md). When ``ctx.tileable`` the grid has whole rows and shapes crossing
    the edge wrap around; otherwise rows are exact and cells past the edges are empty.
    """
    g = grid(ctx)
    rows = fitted_rows(ctx, count * g.aspect)
    cell_w, cell_h = 1.0 / count, g.aspect / rows
    radius = 0.5 * size * min(cell_w, cell_h)
    kind = sdf.SHAPES[shape]
    inner = sdf.star_inner(kind, sides, inner_radius)
    turn = math.radians(rotation + 90.0)  # corner 0 of ``sdf.star`` is on +x: turn it up

    def outline(dx, dy):
        if kind == sdf.SHAPES["circle"]:
            return np.hypot(dx, dy) - 1.0
        return sdf.star(*sdf.frame(dx, dy, turn), 1.0, sides, inner)

    soft = softness * radius
    # Neighbouring cells' shapes reach into this one only when they are larger than it.
    reach = radius + 0.5 * (soft + g.pixel)
    steps = (-1, 0, 1) if reach > 0.5 * min(cell_w, cell_h) else (0,)
    depth = -float(outline(np.zeros(1), np.zeros(1))[0]) * radius

    def band(g, shape):
        # Offsets from the cell centre in units of the radius (the outline has radius 1).
        col, row = np.floor(g.x / cell_w), np.floor(g.y / cell_h)
        dx, dy = (g.x - (col + 0.5) * cell_w) / radius, (g.y - (row + 0.5) * cell_h) / radius
        sd = np.full(shape, np.inf)
        for i in steps:
            for j in steps:
                near = outline(dx - i * cell_w / radius, dy - j * cell_h / radius)
                if not ctx.tileable and (i or j):
                    inside = ((col + i >= 0) & (col + i < count)
                              & (row + j >= 0) & (row + j < math.ceil(rows)))
                    near = np.where(inside, near, np.inf)
                sd = np.minimum(sd, near)
        sd = sd * radius
        return {"out": texture(coverage(sd, g.pixel, soft), shape=shape),
                "height": texture(np.clip(-sd / depth, 0.0, 1.0), shape=shape)}

    # every pixel depends on its own coordinates only: a band of rows at a time
    return in_bands(ctx, band, {"out": 1, "height": 1})
