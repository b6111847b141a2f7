"""Resampling nodes: warp (by a slope or a vector field), directional warp, transform.

All of them read their input through ``sample_bilinear``.
"""

from __future__ import annotations

import math

import numpy as np

from texgen.nodes import NodeContext, param_error

from ._texture import row_bands


def warp(ctx: NodeContext, *, input: np.ndarray, warp: np.ndarray, mode: str,
         intensity: float) -> np.ndarray:
    """Sample ``input`` at positions displaced by ``warp``, bilinearly.

    Displacements are in UV units (fractions of the texture width), so the result does not
    depend on the resolution. With ``W`` the width in pixels::

        gradient:  d = intensity / 100 * (dh/du, dh/dv)      # h: the gray warp input,
                                                             # slopes per texture width
        vector:    d = intensity / 100 * (2 r - 1, 2 g - 1)  # r, g: the warp input's
                                                             # first two channels
        out(u, v) = input(u + d_u, v + d_v)

    Slopes use central differences like ``normal_map``. When ``ctx.tileable`` both the
    slopes and the sampling wrap around the edges; otherwise they clamp.

    Args:
        ctx: node context (``width``, ``height``, ``tileable``).
        input: (H, W, C) float32 texture to displace.
        warp: (H, W, 1) height field for "gradient", (H, W, 3 or 4) for "vector".
        mode: "gradient" (Substance's Warp) or "vector" (Vector Warp).
        intensity: displacement in percent of the texture width per unit, >= 0.

    Returns:
        (H, W, C) float32, the input's channel count.

    Raises:
        ValueError: the warp input's channel count does not fit ``mode``.
    """
    height, width = input.shape[:2]
    scale = np.float32(intensity / 100.0)
    if mode == "gradient":
        if warp.shape[2] != 1:
            raise param_error(ctx.node_id, "warp", f"mode 'gradient' needs a gray warp input, "
                                                   f"got {warp.shape[2]} channels (use mode "
                                                   f"'vector' for a vector field)")
        padded = np.pad(warp[..., 0], 1, mode="wrap" if ctx.tileable else "edge")

        def offsets(rows):  # central differences of the band's rows (padded: one row more)
            band = padded[rows.start:rows.stop + 2]
            du = (band[1:-1, 2:] - band[1:-1, :-2]) * np.float32(width / 2.0) * scale
            dv = (band[2:, 1:-1] - band[:-2, 1:-1]) * np.float32(width / 2.0) * scale
            return du, dv
    else:
        if warp.shape[2] < 3:
            raise param_error(ctx.node_id, "warp", f"mode 'vector' needs a color or rgba warp "
                                                   f"input, got {warp.shape[2]} channel (use "
                                                   f"mode 'gradient' for a height)")

        def offsets(rows):
            return (2.0 * warp[rows, :, 0] - 1.0) * scale, (2.0 * warp[rows, :, 1] - 1.0) * scale

    def coordinates(rows):
        # Pixel coordinates of the sample points; v is in widths too, so scale rows by width.
        du, dv = offsets(rows)
        return (np.arange(width, dtype=np.float32)[None, :] + du * np.float32(width),
                np.arange(height, dtype=np.float32)[rows, None] + dv * np.float32(width))

    return sample_bilinear_bands(input, coordinates, shape=(height, width), wrap=ctx.tileable)


def sample_bilinear(texture: np.ndarray, x: np.ndarray, y: np.ndarray, *,
                    wrap: bool) -> np.ndarray:
    """``texture`` (H, W, C) sampled at pixel coordinates ``x``, ``y`` (H, W) bilinearly.

    Integer coordinates hit pixel centres exactly. ``wrap`` repeats the texture outside its
    edges; otherwise coordinates clamp to the edge pixels. Works a band of rows at a time
    (``row_bands``): the int64 indices, weights and gathered corners cover one band, not
    the whole texture, and each pixel comes out as computed whole.
    """
    x, y = np.broadcast_arrays(x, y)
    return sample_bilinear_bands(texture, lambda rows: (x[rows], y[rows]), shape=x.shape,
                                 wrap=wrap)


def sample_bilinear_bands(texture: np.ndarray, coordinates, *, shape: tuple[int, int],
                          wrap: bool) -> np.ndarray:
    """``sample_bilinear`` at coordinates computed a band of rows at a time:
    ``coordinates(rows)`` returns the pixel coordinates x, y (broadcastable to (band rows,
    W)) of the output rows ``rows`` (a slice) of an output of ``shape`` (H, W). A node whose
    sample points follow from per-pixel arithmetic thus never holds full-size coordinates.
    Returns (H, W, C) in the texture's dtype (float32 for float32 coordinates)."""
    out = None
    for rows in row_bands(*shape):
        x, y = np.broadcast_arrays(*coordinates(rows))
        part = _sample_rows(texture, x, y, wrap=wrap)
        if out is None:
            out = np.empty(tuple(shape) + part.shape[2:], part.dtype)
        out[rows] = part
    return out


def _sample_rows(texture: np.ndarray, x: np.ndarray, y: np.ndarray, *,
                 wrap: bool) -> np.ndarray:
    height, width = texture.shape[:2]
    x0f, y0f = np.floor(x), np.floor(y)
    fx, fy = (x - x0f)[..., None], (y - y0f)[..., None]
    x0, y0 = x0f.astype(np.int64), y0f.astype(np.int64)
    if wrap:
        x0, y0 = x0 % width, y0 % height
        x1, y1 = (x0 + 1) % width, (y0 + 1) % height
    else:
        x0, x1 = np.clip(x0, 0, width - 1), np.clip(x0 + 1, 0, width - 1)
        y0, y1 = np.clip(y0, 0, height - 1), np.clip(y0 + 1, 0, height - 1)
        fx = np.where((x < 0)[..., None] | (x >= width - 1)[..., None], 0, fx)
        fy = np.where((y < 0)[..., None] | (y >= height - 1)[..., None], 0, fy)
    top = texture[y0, x0] * (1 - fx) + texture[y0, x1] * fx
    bottom = texture[y1, x0] * (1 - fx) + texture[y1, x1] * fx
    return top * (1 - fy) + bottom * fy


def direction(angle: float) -> tuple[float, float]:
    """The unit step (x, y) in pixel axes (x right, y down) for ``angle`` degrees
    counter-clockwise from the +u axis (0 right, 90 up the image)."""
    radians = math.radians(angle)
    return math.cos(radians), -math.sin(radians)


def directional_warp(ctx: NodeContext, *, input: np.ndarray, intensity: np.ndarray,
                     angle: float, distance: float) -> np.ndarray:
    """Displace ``input`` along one direction by an amount read from ``intensity``.

    ``out(p) = input(p + distance * intensity(p) * (cos angle, sin angle))``, with ``p``
    and ``distance`` in texture widths and the angle counter-clockwise from +u (0 right,
    90 up the image), sampled bilinearly (Substance's Directional Warp).

    Args:
        ctx: node context; ``ctx.tileable`` wraps the sampling, else it clamps.
        input: (H, W, C) float32 texture to displace; alpha moves with the colors.
        intensity: (H, W, 1) float32 per-pixel amount, nominally 0..1.
        angle: direction of the displacement in degrees.
        distance: displacement per unit of intensity, fractions of the width, 0..1.

    Returns:
        (H, W, C) float32, the input's channel count.
    """
    height, width = input.shape[:2]
    step_x, step_y = direction(angle)

    def coordinates(rows):
        amount = intensity[rows, :, 0] * np.float32(distance * width)
        return (np.arange(width, dtype=np.float32)[None, :] + amount * np.float32(step_x),
                np.arange(height, dtype=np.float32)[rows, None] + amount * np.float32(step_y))

    return sample_bilinear_bands(input, coordinates, shape=(height, width), wrap=ctx.tileable)


def transform(ctx: NodeContext, *, input: np.ndarray, offset_x: float, offset_y: float,
              rotation: float, scale: float, tile: int) -> np.ndarray:
    """Offset, rotate, scale and repeat a texture (Substance's Transformation 2D, tiling on).

    In pixels (x right, y down) with ``c`` the texture's centre, the input is scaled by
    ``scale`` about ``c``, repeated ``tile`` times per side, rotated ``rotation`` degrees
    counter-clockwise (as seen) about ``c`` and moved by ``(offset_x W, offset_y H)``;
    each output pixel ``p`` reads the input bilinearly at::

        q = R(-rotation) (p - c - offset) * tile / scale + c

    Sampling always wraps: the input is treated as one tile of an endless plane. The
    output tiles when the transform maps the texture's period onto itself: any offset,
    whole ``tile`` counts, ``scale`` 1 / n, rotations by multiples of 90 degrees on square
    textures. There is no prefiltering: shrinking a detailed texture by more than about
    2x aliases (blur it first).

    Args:
        ctx: node context (``width``, ``height``).
        input: (H, W, C) float32; alpha moves with the colors.
        offset_x: shift to the right, fractions of the width, -1..1.
        offset_y: shift downwards, fractions of the height, -1..1.
        rotation: counter-clockwise rotation in degrees, -360..360.
        scale: magnification, 0.01..100 (2 shows the input twice as large).
        tile: copies of the input per side, 1..64.

    Returns:
        (H, W, C) float32, the input's channel count.
    """
    height, width = input.shape[:2]
    centre_x, centre_y = width / 2.0, height / 2.0
    px = np.arange(width, dtype=np.float64)[None, :] + 0.5 - centre_x - offset_x * width
    py = np.arange(height, dtype=np.float64)[:, None] + 0.5 - centre_y - offset_y * height
    # In pixel axes (y down) a counter-clockwise rotation on screen is clockwise, so the
    # inverse rotation R(-rotation) reads as R(+rotation) here.
    cos, sin = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    zoom = tile / scale

    def coordinates(rows):
        x = (cos * px - sin * py[rows]) * zoom + centre_x - 0.5
        y = (sin * px + cos * py[rows]) * zoom + centre_y - 0.5
        return x.astype(np.float32), y.astype(np.float32)

    return sample_bilinear_bands(input, coordinates, shape=(height, width), wrap=True)
