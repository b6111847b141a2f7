"""Warp: displace a texture by a height field's slope or by a vector field."""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext

from ._texture import as_texture


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
            raise ValueError(f"mode 'gradient' needs a gray warp input, got {warp.shape[2]} "
                             f"channels (use mode 'vector' for a vector field)")
        field = warp[..., 0]
        pad = "wrap" if ctx.tileable else "edge"
        padded = np.pad(field, 1, mode=pad)
        du = (padded[1:-1, 2:] - padded[1:-1, :-2]) * np.float32(width / 2.0) * scale
        dv = (padded[2:, 1:-1] - padded[:-2, 1:-1]) * np.float32(width / 2.0) * scale
    else:
        if warp.shape[2] < 3:
            raise ValueError(f"mode 'vector' needs a color or rgba warp input, got "
                             f"{warp.shape[2]} channel (use mode 'gradient' for a height)")
        du = (2.0 * warp[..., 0] - 1.0) * scale
        dv = (2.0 * warp[..., 1] - 1.0) * scale
    # Pixel coordinates of the sample points; v is in widths too, so scale rows by width.
    x = np.arange(width, dtype=np.float32)[None, :] + du * np.float32(width)
    y = np.arange(height, dtype=np.float32)[:, None] + dv * np.float32(width)
    return as_texture(sample_bilinear(input, x, y, wrap=ctx.tileable))


def sample_bilinear(texture: np.ndarray, x: np.ndarray, y: np.ndarray, *,
                    wrap: bool) -> np.ndarray:
    """``texture`` (H, W, C) sampled at pixel coordinates ``x``, ``y`` (H, W) bilinearly.

    Integer coordinates hit pixel centres exactly. ``wrap`` repeats the texture outside its
    edges; otherwise coordinates clamp to the edge pixels.
    """
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
