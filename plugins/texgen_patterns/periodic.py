"""Periodic patterns: checker, stripes and waves.

Each node returns a float32 C-contiguous (H, W, 1) texture in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np

from texgen.nodes import NodeContext, param_error
from texgen_patterns._common import (
    direction_phase,
    fitted_rows,
    grid,
    in_bands,
    pattern_node,
    pulse,
    texture,
)


@pattern_node
def checker(ctx: NodeContext, *, count: int) -> np.ndarray:
    """A checkerboard of ``count`` squares per texture width, white in the top-left corner.

    Rows per height keep the squares square: count * H / W, rounded to an even number when
    tileable (so squares may stretch slightly). An odd count cannot tile (two equal squares
    would meet across the edge) and is an error when ``ctx.tileable``.
    """
    if ctx.tileable and count % 2:
        raise param_error(ctx.node_id, "count", f"must be even when tileable (each row "
                          f"alternates, so an odd count puts two equal squares side by side "
                          f"across the edge), got {count}")
    g = grid(ctx)
    rows = fitted_rows(ctx, count * g.aspect, multiple=2)
    # Per axis +1 on even squares and -1 on odd ones (edges anti-aliased); the product
    # alternates like a checkerboard, and multiplying the ramps anti-aliases the corners.
    across = 2.0 * pulse(g.x * count / 2 - 0.25, 0.5, g.pixel * count / 2) - 1.0
    down = 2.0 * pulse(g.y / g.aspect * rows / 2 - 0.25, 0.5, rows / 2 / ctx.height) - 1.0
    return texture(0.5 + 0.5 * across * down, shape=(ctx.height, ctx.width))


@pattern_node
def stripes(ctx: NodeContext, *, count: int, angle: float, width: float, softness: float,
            offset: float) -> np.ndarray:
    """``count`` stripes per texture width across ``angle`` (see ``direction_phase``), each
    ``width`` of its period wide and centred on whole periods of the phase minus ``offset``.

    The edges are box-filtered over ``softness`` periods plus one pixel. Keyword-only
    options as the node's parameters (docs/patterns.md). Tiles when ``ctx.tileable`` (the
    angle snaps to whole periods); otherwise the angle is exact.
    """
    def band(g, shape):
        phase, norm, _ = direction_phase(ctx, g, count, angle)
        return {"out": texture(pulse(phase - offset, width, softness + g.pixel * norm),
                               shape=shape)}

    return in_bands(ctx, band, {"out": 1})["out"]


@pattern_node
def waves(ctx: NodeContext, *, count: int, angle: float, amplitude: float,
          frequency: float, offset: float) -> np.ndarray:
    """Sine stripes, ``count`` per texture width across ``angle``, whose crests move
    sideways by ``amplitude`` (width units) along a sine with ``frequency`` periods per
    texture width along the crests.

    Keyword-only options as the node's parameters (docs/patterns.md). Tiles when
    ``ctx.tileable``: both directions snap to whole periods, so the wobble runs only
    approximately along the crests.
    """
    def band(g, shape):
        phase, norm, (dx, dy) = direction_phase(ctx, g, count, angle)
        if frequency > 0:
            along = math.degrees(math.atan2(-dy, dx)) + 90.0
            wobble, _, _ = direction_phase(ctx, g, frequency, along)
            phase = phase + amplitude * norm * np.sin(2.0 * np.pi * wobble)
        return {"out": texture(0.5 + 0.5 * np.cos(2.0 * np.pi * (phase - offset)),
                               shape=shape)}

    return in_bands(ctx, band, {"out": 1})["out"]
