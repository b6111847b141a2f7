"""The constant nodes: one value at every pixel (specs in specs_constant.py)."""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext


def constant_color(ctx: NodeContext, *,
                   color: tuple[float, float, float, float]) -> dict[str, np.ndarray]:
    """A uniform color.

    Args:
        ctx: node context (the size).
        color: RGBA floats in 0..1, as the color parameter converts them.

    Returns:
        ``{"out": (H, W, 3) the color's r, g, b; "rgba": (H, W, 4) with its alpha}``,
        float32, C-contiguous.
    """
    rgba = np.empty((ctx.height, ctx.width, 4), np.float32)
    rgba[...] = np.asarray(color, np.float32)
    return {"out": np.ascontiguousarray(rgba[:, :, :3]), "rgba": rgba}


def constant_value(ctx: NodeContext, *, value: float) -> np.ndarray:
    """A uniform gray value: float32 (H, W, 1), ``value`` at every pixel."""
    return np.full((ctx.height, ctx.width, 1), value, np.float32)
