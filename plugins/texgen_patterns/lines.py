"""The scratches node: random thin line segments, tile-aware.

Each segment's centre, length, direction and intensity come from a hash of (ctx.seed,
segment index), so raising ``count`` adds segments without moving the existing ones. A
numba kernel draws each segment over the pixels within reach of it only (per row, the
columns near the part of the segment at that row's height), wrapping pixel indices around
the texture when tileable.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from texgen.nodes import NodeContext
from texgen_patterns._common import hash_uniform, pattern_node, texture
from texgen_patterns._splat import pixel_range

_X, _Y, _LENGTH, _ANGLE, _VALUE = 1, 2, 3, 4, 5


@pattern_node
def scratches(ctx: NodeContext, *, count: int, length: float, length_variation: float,
              thickness: float, angle: float, angle_spread: float, taper: float,
              value_variation: float) -> np.ndarray:
    """``count`` segments with uniform random centres, length length * (1 -
    length_variation * r), direction angle + angle_spread * (r - 0.5) degrees
    (counter-clockwise on screen) and intensity 1 - value_variation * r, max-blended.

    Segments have round ends and are ``thickness`` wide (width units) at their middle,
    narrowing linearly to (1 - taper) * thickness at the ends. Keyword-only options as the
    node's parameters (docs/patterns.md). Returns a float32 C-contiguous (H, W, 1)
    texture in [0, 1]; segments crossing the edge wrap around when ``ctx.tileable``.
    """
    index = np.arange(count)

    def random(stream):
        return hash_uniform(ctx.seed, stream, index)

    directions = np.radians(angle + angle_spread * (random(_ANGLE) - 0.5))
    out = np.zeros((ctx.height, ctx.width))
    _draw_segments(out, random(_X), random(_Y) * ctx.height / ctx.width,
                   np.cos(directions), -np.sin(directions),
                   0.5 * length * (1.0 - length_variation * random(_LENGTH)), 0.5 * thickness,
                   taper, 1.0 - value_variation * random(_VALUE), ctx.tileable)
    return texture(out, shape=out.shape)


@numba.njit(cache=True)
def _draw_segments(out, xs, ys, dir_x, dir_y, half_lengths, half_width, taper, values,
                   tileable):
    height, width = out.shape
    pixel = 1.0 / width
    # A pixel farther than ``reach`` from the segment's centre line gets no cover (its
    # distance is at least the half width plus half a pixel), so it is not visited.
    reach = half_width + pixel
    for n in range(xs.size):
        half_length = half_lengths[n]
        reach_x = abs(dir_x[n]) * half_length + reach
        reach_y = abs(dir_y[n]) * half_length + reach
        i0, i1 = pixel_range(ys[n], reach_y, width, height, tileable)
        j0, j1 = pixel_range(xs[n], reach_x, width, width, tileable)
        rise = dir_y[n] * half_length
        for i in range(i0, i1 + 1):
            dy = (i + 0.5) * pixel - ys[n]
            # the segment's points (t in [-1, 1]) within reach of this row's height, and
            # the columns within reach of them
            t_low, t_high = -1.0, 1.0
            if abs(rise) > 1e-12:
                t_a, t_b = (dy - reach) / rise, (dy + reach) / rise
                t_low, t_high = max(min(t_a, t_b), -1.0), min(max(t_a, t_b), 1.0)
                if t_low > t_high:
                    continue
            x_a = xs[n] + t_low * half_length * dir_x[n]
            x_b = xs[n] + t_high * half_length * dir_x[n]
            first, last = pixel_range(0.5 * (x_a + x_b), 0.5 * abs(x_b - x_a) + reach, width,
                                      width, True)
            for j in range(max(first, j0), min(last, j1) + 1):
                dx = (j + 0.5) * pixel - xs[n]
                t = min(max((dx * dir_x[n] + dy * dir_y[n]) / half_length, -1.0), 1.0)
                distance = math.hypot(dx - t * half_length * dir_x[n],
                                      dy - t * half_length * dir_y[n])
                half = half_width * (1.0 - taper * abs(t))
                # A line thinner than a pixel is drawn one pixel wide and proportionally
                # fainter, so its average coverage is the same at every resolution.
                strength = min(2.0 * half / pixel, 1.0)
                half = max(half, 0.5 * pixel)
                cover = min(max(0.5 - (distance - half) / pixel, 0.0), 1.0) * strength
                value = cover * values[n]
                ii, jj = i % height, j % width
                if value > out[ii, jj]:
                    out[ii, jj] = value
