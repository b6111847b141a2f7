"""The voronoi_mosaic node: Voronoi cells from the noise plugin's cellular node.

Returns {"height", "mask", "id"}: float32 C-contiguous (H, W, 1) textures in [0, 1].
"""

from __future__ import annotations

import dataclasses

import numpy as np

from texgen.bands import row_bands
from texgen.nodes import NodeContext
from texgen_noise.nodes import cellular, round_half_up
from texgen_patterns._common import cell_outputs, grid, hash_uniform, pattern_node

_HEIGHT = 2


@pattern_node
def voronoi_mosaic(ctx: NodeContext, *, frequency: float, jitter: float, gap: float,
                   bevel: float, height_variation: float) -> dict[str, np.ndarray]:
    """Voronoi cells of noise.cellular (Euclidean, same seed and frequency) with a flat
    random value per cell, gaps along the borders and a bevel.

    The distance to a border is F / |grad F| with F = F2 - F1 (zero on the borders): a
    Newton step that is exact along straight borders, where F / 2 alone would widen the
    gaps into wedges wherever two feature points lie close together. Keyword-only options
    as the node's parameters (docs/patterns.md). Tiles when ``ctx.tileable`` (cellular
    rounds the frequency to whole cells).
    """
    noise = dataclasses.replace(ctx, backend="cpu")  # this node's arrays live on the host
    ids = cellular(noise, frequency=frequency, jitter=jitter, return_type="cell_value")[..., 0]
    field = cellular(noise, frequency=frequency, jitter=jitter,
                     return_type="f2_minus_f1")[..., 0]
    g = grid(ctx)
    # float64 a band of rows at a time; the slope whole (its maximum is needed first)
    bands = row_bands(ctx.height, ctx.width)
    slope = np.empty(field.shape)
    for rows in bands:
        slope[rows] = _slope(field, g.pixel, wrap=ctx.tileable, rows=rows)
    # The slope vanishes only far from every border, where F is large anyway.
    least = 1e-3 * slope.max()
    cell = 1.0 / (max(1, round_half_up(frequency)) if ctx.tileable else frequency)
    outputs = {name: np.empty((ctx.height, ctx.width, 1), np.float32)
               for name in ("height", "mask", "id")}
    for rows in bands:
        to_border = field[rows].astype(np.float64) / np.maximum(slope[rows], least)
        # The cell's own value, re-hashed, is an independent random height per cell.
        top = 1.0 - height_variation * hash_uniform(ctx.seed, _HEIGHT, ids[rows].view(np.uint32))
        part = cell_outputs(0.5 * gap * cell - to_border, g.pixel,
                            neighbour=to_border + 0.5 * gap * cell, bevel=bevel * cell, top=top,
                            ids=ids[rows], shape=(rows.stop - rows.start, ctx.width))
        for name, values in part.items():
            outputs[name][rows] = values
    return outputs


def _slope(field: np.ndarray, pixel: float, *, wrap: bool, rows: slice) -> np.ndarray:
    """|grad field| per width unit of a (H, W) field that is V-shaped across the borders,
    at the rows ``rows`` (float64, (rows, W)).

    Per axis, the larger of the forward and backward differences: a central difference
    straddling the V's crease would average its two sides to nearly 0. Wraps around the
    edges when ``wrap``; otherwise the missing difference at an edge counts as 0.
    """
    height = field.shape[0]
    # the steps down from the row above the band to its last row (wrapping around)
    index = np.arange(rows.start - 1, rows.stop) % height
    here = field[index].astype(np.float64)
    down = np.abs(field[(index + 1) % height].astype(np.float64) - here)
    if not wrap:  # the step from the last row back to the first is not a neighbour
        down[index == height - 1] = 0.0
    band = here[1:]
    across = np.abs(np.diff(band, axis=1, append=band[:, :1]))
    if not wrap:
        across[:, -1] = 0.0
    return np.hypot(np.maximum(down[1:], down[:-1]),
                    np.maximum(across, np.roll(across, 1, axis=1))) / pixel
