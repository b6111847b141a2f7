"""The scatter node: random instances of a shape or an input texture, tile-aware.

Each instance's position, scale, rotation, intensity and id come from a hash of (ctx.seed,
instance index), so raising ``count`` adds instances without moving the existing ones.
A numba kernel draws each instance over its bounding box only, wrapping pixel indices
around the texture when tileable.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from texgen.nodes import NodeContext
from texgen_patterns import sdf
from texgen_patterns._common import hash_uniform, pattern_node, texture
from texgen_patterns._splat import pixel_range

_X, _Y, _SCALE, _ROTATION, _VALUE, _ID = 1, 2, 3, 4, 5, 6

_star = numba.njit(cache=True)(sdf.star)
_frame = numba.njit(cache=True)(sdf.frame)


@pattern_node
def scatter(ctx: NodeContext, *, input: np.ndarray | None, count: int, shape: str,
            sides: int, inner_radius: float, size: float, size_variation: float,
            rotation: float, rotation_variation: float, softness: float,
            value_variation: float, blend: str) -> dict[str, np.ndarray]:
    """Scatter ``count`` instances of a shape, or of the gray ``input`` texture (read-only
    (H, W, 1) float32) when connected, over the texture.

    Instance n sits at a uniform random point with diameter size * (1 - size_variation *
    r), rotation rotation + rotation_variation * (2 r - 1) degrees and intensity 1 -
    value_variation * r (independent r per property). An input texture is stamped that
    wide, keeping its aspect, sampled from a mipmap so that small stamps do not alias, and
    0 outside. Keyword-only options as the node's parameters (docs/patterns.md).

    Returns {"out", "id"}: float32 C-contiguous (H, W, 1). "out" is the max (or the sum,
    unclamped) of the instances, in [0, 1] for "max" with a [0, 1] input; "id" is the
    (0, 1] id of the instance contributing most at each pixel, 0 where none does.
    Instances crossing the edge wrap around when ``ctx.tileable``, else they are cut.
    """
    index = np.arange(count)

    def random(stream):
        return hash_uniform(ctx.seed, stream, index)

    aspect = ctx.height / ctx.width
    xs, ys = random(_X), random(_Y) * aspect
    radii = 0.5 * size * (1.0 - size_variation * random(_SCALE))
    angles = np.radians(rotation + rotation_variation * (2.0 * random(_ROTATION) - 1.0))
    values = 1.0 - value_variation * random(_VALUE)
    ids = 1.0 - random(_ID)
    out = np.zeros((ctx.height, ctx.width))
    top_id = np.zeros_like(out)
    best = np.zeros_like(out)
    add = blend == "add"
    if input is None:
        kind = sdf.SHAPES[shape]
        # Corner 0 of ``sdf.star`` is on +x: turn it up at rotation 0.
        _draw_shapes(out, top_id, best, xs, ys, radii, angles + math.pi / 2, values, ids,
                     kind, sides, sdf.star_inner(kind, sides, inner_radius), softness, add,
                     ctx.tileable)
    else:
        levels, offsets, heights, widths = _mipmaps(input[..., 0])
        _draw_stamps(out, top_id, best, xs, ys, radii, angles, values, ids, levels, offsets,
                     heights, widths, input.shape[0] / input.shape[1], add, ctx.tileable)
        del levels  # the input's float64 mipmaps
    del best
    # one float64 plane at a time becomes a float32 texture
    result = {"out": texture(out, shape=top_id.shape)}
    del out
    return {**result, "id": texture(top_id, shape=top_id.shape)}


def _mipmaps(image: np.ndarray):
    """A 2 x 2 box-filtered pyramid of ``image`` (H, W) packed in one float64 array:
    returns (levels, offsets, heights, widths), level k being levels[offsets[k]:] read as
    heights[k] x widths[k]. An odd row or column is dropped at each step."""
    pyramid = [np.asarray(image, np.float64)]
    while min(pyramid[-1].shape) >= 2:
        a = pyramid[-1]
        h, w = a.shape[0] // 2, a.shape[1] // 2
        pyramid.append(a[:2 * h, :2 * w].reshape(h, 2, w, 2).mean(axis=(1, 3)))
    sizes = np.array([a.size for a in pyramid])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return (np.concatenate([a.ravel() for a in pyramid]), offsets,
            np.array([a.shape[0] for a in pyramid]), np.array([a.shape[1] for a in pyramid]))


@numba.njit(cache=True)
def _put(out, top_id, best, i, j, value, instance_id, add):
    """Blend one instance's value into pixel (i, j) and keep the id of the largest."""
    if value <= 0.0:
        return
    if add:
        out[i, j] += value
    elif value > out[i, j]:
        out[i, j] = value
    if value > best[i, j]:
        best[i, j] = value
        top_id[i, j] = instance_id


@numba.njit(cache=True)
def _draw_shapes(out, top_id, best, xs, ys, radii, angles, values, ids, kind, sides, inner,
                 softness, add, tileable):
    height, width = out.shape
    pixel = 1.0 / width
    for n in range(xs.size):
        radius = radii[n]
        ramp = softness * radius + pixel
        reach = radius + ramp
        i0, i1 = pixel_range(ys[n], reach, width, height, tileable)
        j0, j1 = pixel_range(xs[n], reach, width, width, tileable)
        for i in range(i0, i1 + 1):
            dy = (i + 0.5) * pixel - ys[n]
            for j in range(j0, j1 + 1):
                dx = (j + 0.5) * pixel - xs[n]
                x, y = _frame(dx, dy, angles[n])
                if kind == 0:
                    distance = math.hypot(x, y) - radius
                else:
                    distance = _star(x, y, radius, sides, inner)
                cover = min(max(0.5 - distance / ramp, 0.0), 1.0)
                _put(out, top_id, best, i % height, j % width, cover * values[n], ids[n], add)


@numba.njit(cache=True)
def _sample(levels, offset, height, width, u, v):
    """Bilinear sample of one mip level at (u, v) in [0, 1] of its extent, 0 outside."""
    x = u * width - 0.5
    y = v * height - 0.5
    x0 = int(math.floor(x))
    y0 = int(math.floor(y))
    fx = x - x0
    fy = y - y0
    total = 0.0
    for di in range(2):
        row = y0 + di
        if row < 0 or row >= height:
            continue
        wy = fy if di else 1.0 - fy
        for dj in range(2):
            col = x0 + dj
            if 0 <= col < width:
                total += wy * (fx if dj else 1.0 - fx) * levels[offset + row * width + col]
    return total


@numba.njit(cache=True)
def _draw_stamps(out, top_id, best, xs, ys, radii, angles, values, ids, levels, offsets,
                 heights, widths, aspect, add, tileable):
    height, width = out.shape
    pixel = 1.0 / width
    for n in range(xs.size):
        half_w = radii[n]
        half_h = half_w * aspect
        # The level whose texels are about one output pixel: no aliasing when minified.
        texels_per_pixel = widths[0] / (2.0 * half_w * width)
        level = 0
        while level + 1 < widths.size and texels_per_pixel >= 2.0:
            texels_per_pixel *= 0.5
            level += 1
        reach = math.hypot(half_w, half_h) + pixel
        i0, i1 = pixel_range(ys[n], reach, width, height, tileable)
        j0, j1 = pixel_range(xs[n], reach, width, width, tileable)
        for i in range(i0, i1 + 1):
            dy = (i + 0.5) * pixel - ys[n]
            for j in range(j0, j1 + 1):
                dx = (j + 0.5) * pixel - xs[n]
                x, y = _frame(dx, dy, angles[n])
                value = _sample(levels, offsets[level], heights[level], widths[level],
                                0.5 + 0.5 * x / half_w, 0.5 + 0.5 * y / half_h)
                _put(out, top_id, best, i % height, j % width, value * values[n], ids[n], add)
