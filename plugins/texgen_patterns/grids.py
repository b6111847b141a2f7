"""Hexagon and triangle grids on the triangular lattice.

Both work in lattice units: ``count`` cells (hexagon widths, triangle sides) of 1 unit per
texture width, rows ROW = sqrt(3) / 2 units apart. The lattice repeats vertically every
two rows, so a tileable texture gets an even number of rows and the cells stretch or
squash a little vertically to fit (8 % shorter at the default count 8 on a square
texture: 10 rows instead of 9.24); distances are measured as if the cells were regular.
Hexagons can instead keep their cells regular (``fit = "regular"``) by changing the count
to the nearest one whose rows fit within ``REGULAR_TOLERANCE``. Each node returns a dict
of float32 C-contiguous (H, W, 1) textures in [0, 1], ``height``, ``mask`` and ``id``;
hexagons add ``color`` (H, W, 3).
"""

from __future__ import annotations

import math

import numpy as np

from texgen.nodes import NodeContext
from texgen_patterns._common import (
    COLOR_STREAMS,
    cell_color,
    cell_outputs,
    cell_random,
    fitted_rows,
    grid,
    pattern_node,
)

ROW = math.sqrt(3.0) / 2.0
_ID, _HEIGHT = 1, 2

REGULAR_TOLERANCE = 0.04
"""``fit = "regular"``: the most a cell's height may differ from a regular hexagon's."""


def _lattice(ctx: NodeContext, count: int):
    """Pixel coordinates in lattice units (X (1, W), Y (H, 1)), the rows per height, and
    the grid."""
    g = grid(ctx)
    rows = fitted_rows(ctx, count * g.aspect / ROW, multiple=2)
    return g.x * count, g.y / g.aspect * rows * ROW, rows, g


def cell_stretch(ctx: NodeContext, count: int) -> float:
    """How much taller (> 1) or shorter (< 1) than regular a tileable honeycomb of ``count``
    hexagons per width draws its cells: the exact rows per height over the even number
    used. 1.0 when not tileable (the rows need not be whole)."""
    exact = count * (ctx.height / ctx.width) / ROW
    return exact / fitted_rows(ctx, exact, multiple=2)


def regular_count(ctx: NodeContext, count: int) -> int:
    """The hexagon count per width nearest to ``count`` whose cells stay within
    ``REGULAR_TOLERANCE`` of regular when tiling (ties: the more regular one); ``count``
    itself when not tileable. If no count up to 4 * count + 64 fits (extreme aspect
    ratios), the most regular of them."""
    if not ctx.tileable:
        return count
    candidates = range(1, 4 * count + 65)
    fitting = [c for c in candidates if abs(cell_stretch(ctx, c) - 1) <= REGULAR_TOLERANCE]
    if not fitting:
        return min(candidates, key=lambda c: abs(cell_stretch(ctx, c) - 1))
    return min(fitting, key=lambda c: (abs(c - count), abs(cell_stretch(ctx, c) - 1)))


def _finish(ctx, g, edge, *, count, gap, bevel, height_variation, keys):
    """Cell outputs from ``edge``, the signed distance to the cell's edge in lattice units
    (negative inside), and the cell's integer ``keys``."""
    ids, heights = cell_random(ctx.seed, (_ID, _HEIGHT), *keys)
    # The outline is inset by half the gap; the neighbour's lies half a gap beyond the edge.
    return cell_outputs((edge + 0.5 * gap) / count, g.pixel,
                        neighbour=(0.5 * gap - edge) / count, bevel=bevel / count,
                        top=1.0 - height_variation * heights, ids=ids,
                        shape=(ctx.height, ctx.width))


@pattern_node
def hexagons(ctx: NodeContext, *, count: int, fit: str, gap: float, bevel: float,
             height_variation: float, color, color_variation: float,
             gap_color) -> dict[str, np.ndarray]:
    """A honeycomb of pointy-top hexagons, ``count`` per texture width (flat side to flat
    side), even rows offset by half a cell; ``fit = "regular"`` uses ``regular_count``
    instead of ``count``.

    Keyword-only options as the node's parameters (docs/patterns.md); omitted ones take the
    spec defaults. Returns {"height", "mask", "id", "color"}; tiles when ``ctx.tileable``.
    """
    if fit == "regular":
        count = regular_count(ctx, count)
    x, y, rows, g = _lattice(ctx, count)
    # The nearest centre is on the even rows' lattice (i, 2 m ROW) or the odd rows'
    # (i + 1/2, (2 m + 1) ROW): the hexagons are the Voronoi cells of the union.
    col_a, pair_a = np.rint(x), np.rint(y / (2 * ROW))
    col_b, pair_b = np.rint(x - 0.5), np.rint((y - ROW) / (2 * ROW))
    dx_a, dy_a = x - col_a, y - 2 * ROW * pair_a
    dx_b, dy_b = x - col_b - 0.5, y - (2 * pair_b + 1) * ROW
    on_a = dx_a ** 2 + dy_a ** 2 <= dx_b ** 2 + dy_b ** 2
    dx, dy = np.where(on_a, dx_a, dx_b), np.where(on_a, dy_a, dy_b)
    col, row = np.where(on_a, col_a, col_b), np.where(on_a, 2 * pair_a, 2 * pair_b + 1)
    if ctx.tileable:
        col, row = col % count, row % rows
    # Inradius 1/2; edge normals at 0 and +-60 degrees.
    sd = np.maximum(np.abs(dx), np.maximum(np.abs(0.5 * dx + ROW * dy),
                                           np.abs(0.5 * dx - ROW * dy))) - 0.5
    outputs = _finish(ctx, g, sd, count=count, gap=gap, bevel=bevel,
                      height_variation=height_variation, keys=(col, row))
    brightness, *tints = cell_random(ctx.seed, COLOR_STREAMS, col, row)
    outputs["color"] = cell_color(outputs["mask"][..., 0], brightness=brightness, tints=tints,
                                  color=color, color_variation=color_variation,
                                  background=gap_color, shape=(ctx.height, ctx.width))
    return outputs


@pattern_node
def triangles(ctx: NodeContext, *, count: int, gap: float, bevel: float,
              height_variation: float) -> dict[str, np.ndarray]:
    """Equilateral triangles, ``count`` sides per texture width, alternately pointing up and
    down along horizontal rows.

    Keyword-only options as the node's parameters (docs/patterns.md); omitted ones take the
    spec defaults. Returns {"height", "mask", "id"}; tiles when ``ctx.tileable``.
    """
    x, y, rows, g = _lattice(ctx, count)
    # Three families of lines ROW apart: horizontal, and at +-60 degrees. A pixel's
    # triangle is bounded by the nearest line of each family, so its distance to the
    # outline is the smallest distance to a line.
    t0 = y / ROW
    t1, t2 = x + 0.5 * t0, x - 0.5 * t0
    near0, near1, near2 = (0.5 - np.abs(t - np.floor(t) - 0.5) for t in (t0, t1, t2))
    sd = -ROW * np.minimum(near0, np.minimum(near1, near2))
    # A triangle is (row, position along the row); crossing either slanted line moves one
    # triangle along, and a shift by whole periods (count across, an even number of rows
    # down) leaves the key unchanged.
    row = np.floor(t0)
    along = np.floor(t1) + np.floor(t2)
    if ctx.tileable:
        row, along = row % rows, along % (2 * count)
    return _finish(ctx, g, sd, count=count, gap=gap, bevel=bevel,
                   height_variation=height_variation, keys=(along, row))
