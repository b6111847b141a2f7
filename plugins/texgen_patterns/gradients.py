"""Linear and radial gradients.

Each node returns a float32 C-contiguous (H, W, 1) texture in [0, 1].
"""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext
from texgen_patterns._common import direction_phase, in_bands, pattern_node, texture


@pattern_node
def linear_gradient(ctx: NodeContext, *, angle: float, repeat: int, mode: str,
                    offset: float) -> np.ndarray:
    """A ramp rising along ``angle``, ``repeat`` periods per texture width, shifted back
    by ``offset`` periods.

    mode "ramp": frac(phase), a sawtooth whose jump is box-filtered over one pixel (0 at
    the left edge, rising to 1 at the right at angle 0). mode "mirror": a triangle wave, 0
    at whole periods and 1 halfway. The direction snaps to whole periods when
    ``ctx.tileable`` (see ``direction_phase``), which makes "mirror" seamless; a "ramp"
    repeats too, but its jump lands on the texture edge, so tiled copies show it there as
    they show it inside.
    """
    def integral(t):  # of frac(t)
        return 0.5 * np.floor(t) + 0.5 * (t - np.floor(t)) ** 2

    def band(g, shape):
        phase, norm, _ = direction_phase(ctx, g, repeat, angle)
        phase = phase - offset
        if mode == "mirror":
            value = 1.0 - np.abs(2.0 * (phase - np.floor(phase)) - 1.0)
        else:
            blur = g.pixel * norm
            value = (integral(phase + 0.5 * blur) - integral(phase - 0.5 * blur)) / blur
        return {"out": texture(value, shape=shape)}

    return in_bands(ctx, band, {"out": 1})["out"]


@pattern_node
def radial_gradient(ctx: NodeContext, *, center_x: float, center_y: float, radius: float,
                    profile: str) -> np.ndarray:
    """1 at (center_x, center_y) in UV falling to 0 at ``radius`` (width units), shaped by
    ``profile`` ("linear", "smooth" or "dome"; see the node's parameters).

    When ``ctx.tileable``, distances wrap around the texture (to the nearest copy of the
    centre), so the gradient is seamless wherever the centre is; a radius beyond half the
    texture then meets its neighbouring copies in a crease. Otherwise it is cut by the
    edges.
    """
    def band(g, shape):
        dx = g.x - center_x
        dy = g.y - center_y * g.aspect
        if ctx.tileable:
            dx = dx - np.round(dx)
            dy = dy - g.aspect * np.round(dy / g.aspect)
        t = np.clip(1.0 - np.hypot(dx, dy) / radius, 0.0, 1.0)
        if profile == "smooth":
            t = t * t * (3.0 - 2.0 * t)
        elif profile == "dome":
            t = np.sqrt(1.0 - (1.0 - t) ** 2)
        return {"out": texture(t, shape=shape)}

    return in_bands(ctx, band, {"out": 1})["out"]
