"""Helpers shared by the pattern nodes: spec defaults, pixel grids, hashing, edges.

Coordinates are in *width units*: x = u in [0, 1) across the width and y = v * H / W down
the height, so one unit is the texture width on both axes and shapes stay round on
non-square textures. Pixel centres sit at (column + 0.5) / W and (row + 0.5) / W; one pixel
is 1 / W units. Anti-aliasing ramps a signed distance (negative inside) over one pixel.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

from texgen.bands import row_bands
from texgen.hashing import avalanche
from texgen.nodes import NodeContext
from texgen_patterns import SPECS

_MASK32 = np.uint64(0xFFFFFFFF)


def pattern_node(fn):
    """Wrap a node implementation named after its spec id so that Python callers may pass
    only the options that differ: omitted parameters take the spec's defaults and
    unconnected optional inputs ``None`` (the spec stays the one place defaults are
    written). Values pass through as given: the engine checks and converts them
    (``Param.coerce``) once, when it builds the graph."""
    spec = SPECS[fn.__name__]
    defaults = {port.name: None for port in spec.inputs if port.optional}
    defaults.update({param.name: param.default for param in spec.params})

    @functools.wraps(fn)
    def run(ctx: NodeContext, **options):
        return fn(ctx, **{**defaults, **options})

    return run


class Grid(NamedTuple):
    """Pixel-centre coordinates in width units: ``x`` (1, W) and ``y`` (H, 1), float64;
    ``aspect`` H / W (the height in width units); ``pixel`` 1 / W."""

    x: np.ndarray
    y: np.ndarray
    aspect: float
    pixel: float


def grid(ctx: NodeContext) -> Grid:
    pixel = 1.0 / ctx.width
    x = ((np.arange(ctx.width) + 0.5) * pixel)[None, :]
    y = ((np.arange(ctx.height) + 0.5) * pixel)[:, None]
    return Grid(x, y, ctx.height / ctx.width, pixel)


def in_bands(ctx: NodeContext, compute, channels: dict[str, int]) -> dict[str, np.ndarray]:
    """Run a per-pixel pattern over bands of rows and assemble its float32 textures.

    ``compute(g, shape)`` takes the ``grid`` of a band (``y`` holds that band's rows) and
    the band's (rows, W) shape, and returns ``{name: (rows, W, C) float32 texture}`` with
    the ``channels`` named. A pattern whose every pixel depends only on its own
    coordinates gives the same bytes as computed whole, while its temporaries (often
    several float64 arrays) cover one band (``texgen.bands``) instead of the texture: the
    node's peak memory is its outputs.
    """
    g = grid(ctx)
    outputs = {name: np.empty((ctx.height, ctx.width, count), np.float32)
               for name, count in channels.items()}
    for rows in row_bands(ctx.height, ctx.width):
        part = compute(g._replace(y=g.y[rows]), (rows.stop - rows.start, ctx.width))
        for name, values in part.items():
            outputs[name][rows] = values
    return outputs



def texture(*channels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Stack 2-D (or broadcastable) channels into a float32 C-contiguous (H, W, C) texture
    (a new array; one channel is cast directly, without a stacked copy in its dtype)."""
    if len(channels) == 1:
        return np.array(np.broadcast_to(channels[0], shape), np.float32)[..., None]
    return np.ascontiguousarray(np.stack([np.broadcast_to(c, shape) for c in channels], -1),
                                dtype=np.float32)


def whole(value: float) -> int:
    """``value`` rounded to the nearest integer, halves away from zero (symmetric in sign)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def fitted_rows(ctx: NodeContext, rows: float, multiple: int = 1) -> float:
    """Rows per texture height: ``rows`` itself, or when tileable the nearest positive
    multiple of ``multiple`` (so that the pattern wraps after whole periods)."""
    if not ctx.tileable:
        return rows
    return multiple * max(1, whole(rows / multiple))


def direction_phase(ctx: NodeContext, g: Grid, cycles: float,
                    angle: float) -> tuple[np.ndarray, float, tuple[float, float]]:
    """A periodic phase that advances ``cycles`` per width unit along ``angle``.

    The direction is (cos a, -sin a) in (x, y-down) coordinates, counter-clockwise on
    screen. When tileable, the cycles across the width and across the height are rounded
    to integers (at least one of them non-zero), which snaps the angle and spacing so the
    phase wraps seamlessly. Returns the phase (H, W) float64, its gradient magnitude in
    cycles per width unit, and the unit direction (dx, dy) actually used.
    """
    theta = math.radians(angle)
    across = cycles * math.cos(theta)           # cycles over u in [0, 1)
    down = -cycles * math.sin(theta) * g.aspect  # cycles over v in [0, 1)
    if ctx.tileable:
        across, down = whole(across), whole(down)
        if across == 0 and down == 0:
            # Both below half a cycle: keep one period along the dominant axis.
            if abs(math.cos(theta)) >= abs(math.sin(theta)) * g.aspect:
                across = 1 if math.cos(theta) >= 0 else -1
            else:
                down = -1 if math.sin(theta) >= 0 else 1
    gx, gy = across, down / g.aspect  # cycles per width unit along x and y
    norm = math.hypot(gx, gy)
    return gx * g.x + gy * g.y, norm, (gx / norm, gy / norm)


def hash_uniform(seed: int, stream: int, *keys) -> np.ndarray:
    """Uniform values in [0, 1) (float64) from a 32-bit hash of (seed, stream, keys...).

    ``keys`` are integer arrays (any sign, broadcast together) such as cell indices; the
    same keys give the same value, so wrapped cell indices give tileable randomness. Each
    stream is an independent sequence for the same keys.
    """
    h = avalanche(np.uint64(seed & 0xFFFFFFFF)
                  ^ avalanche(np.uint64((stream * 0x9E3779B9) & 0xFFFFFFFF)))
    for key in keys:
        # Avalanche each key before mixing it in: a bare XOR would let (seed, key) pairs
        # collide, seed 2 repeating seed 1's values on permuted keys.
        key = np.asarray(key).astype(np.int64).astype(np.uint64) & _MASK32
        h = avalanche(h ^ avalanche(key ^ np.uint64(0x85EBCA6B)))
    return h / 2.0 ** 32


def cell_random(seed: int, streams, *keys) -> list[np.ndarray]:
    """``hash_uniform(seed, stream, *keys)`` for each stream, hashing each distinct cell
    once: ``keys`` are integer-valued arrays (any dtype, broadcast together) spanning small
    ranges, so a dense table of the cells is hashed and looked up per pixel."""
    keys = [np.asarray(k).astype(np.int64) for k in keys]
    lows = [int(k.min()) for k in keys]
    axes = [np.arange(low, int(k.max()) + 1) for k, low in zip(keys, lows)]
    index = np.ravel_multi_index([k - low for k, low in zip(keys, lows)],
                                 [a.size for a in axes])
    cells = np.meshgrid(*axes, indexing="ij")
    return [hash_uniform(seed, stream, *cells).ravel()[index] for stream in streams]


def coverage(sd: np.ndarray, pixel: float, soft: float = 0.0) -> np.ndarray:
    """Anti-aliased inside-ness of a signed distance (negative inside), in [0, 1]: 0.5 on
    the outline, ramping over ``soft + pixel`` centred on it."""
    return np.clip(0.5 - sd / (soft + pixel), 0.0, 1.0)


def bevel_height(sd: np.ndarray, pixel: float, bevel: float) -> np.ndarray:
    """0 outside the outline, rising linearly over ``bevel`` inside it to 1. A bevel
    narrower than a pixel is widened to one, centred on the outline, so that bevel 0 is
    ``coverage``: a one-pixel anti-aliased step."""
    ramp = max(bevel, pixel)
    return np.clip((0.5 * (ramp - bevel) - sd) / ramp, 0.0, 1.0)


def cell_outputs(sd: np.ndarray, pixel: float, *, neighbour: np.ndarray, bevel: float,
                 top: np.ndarray, ids: np.ndarray,
                 shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """The height, mask and id textures of a cell pattern.

    ``sd`` is each pixel's signed distance to its own cell's (inset) outline,
    ``neighbour`` its distance to the nearest neighbouring cell's outline and ``bevel``
    the bevel width, all in width units; ``top`` and ``ids`` are the cell's top height and
    id (all broadcastable to ``shape``). The mask adds the neighbour's coverage, so cells
    that touch (no gap) give a mask of 1 with no seam between them.
    """
    mask = np.minimum(coverage(sd, pixel) + coverage(neighbour, pixel), 1.0)
    return {"height": texture(top * bevel_height(sd, pixel, bevel), shape=shape),
            "mask": texture(mask, shape=shape),
            "id": texture(ids, shape=shape)}


COLOR_STREAMS = (4, 6, 7, 8)
"""``hash_uniform`` streams of a cell's color: brightness, then the red, green and blue
tints (``cell_color``'s ``brightness`` and ``tints``; the masonry nodes' numbering)."""


def cell_color(mask: np.ndarray, *, brightness: np.ndarray, tints, color, color_variation: float,
               background, shape: tuple[int, int]) -> np.ndarray:
    """The color output of a cell pattern: each cell's varied color over ``background``,
    blended by ``mask``.

    ``brightness`` and the three ``tints`` are the cell's random values in [0, 1) (streams
    ``COLOR_STREAMS``); the cell color is ``clip(color * (1 + color_variation * (b - 0.5))
    + 0.1 * color_variation * (t - 0.5), 0, 1)`` per channel. Returns float32 (H, W, 3).
    """
    scale = 1.0 + color_variation * (brightness - 0.5)
    layers = []
    for channel in range(3):
        tint = 0.1 * color_variation * (tints[channel] - 0.5)
        cell = np.clip(color[channel] * scale + tint, 0.0, 1.0)
        layers.append(background[channel] + (cell - background[channel]) * mask)
    return texture(*layers, shape=shape)


def pulse(phase: np.ndarray, duty: float, blur: float) -> np.ndarray:
    """A periodic pulse, 1 where ``phase`` is within ``duty`` / 2 of an integer and 0
    elsewhere, box-filtered over ``blur`` periods: an exact anti-aliased square wave whose
    edges ramp linearly over ``blur`` (and never overshoot when edges crowd together)."""
    def integral(t):  # of the unfiltered pulse, from -duty / 2
        s = t + 0.5 * duty
        whole_periods = np.floor(s)
        return whole_periods * duty + np.minimum(s - whole_periods, duty)

    return (integral(phase + 0.5 * blur) - integral(phase - 0.5 * blur)) / blur
