"""The stripes node: a smoothed square wave over UV space."""

import numpy as np

from texgen import NodeContext


def stripes(ctx: NodeContext, *, count: int, direction: str, softness: float) -> np.ndarray:
    """Stripes as a float32 (H, W, 1) texture in [0, 1].

    ``count`` whole stripes per texture width (and, diagonally, per height too) so the
    texture tiles. ``softness`` blends each edge over that fraction of a stripe.
    """
    u = (np.arange(ctx.width) + 0.5) / ctx.width
    v = (np.arange(ctx.height) + 0.5) / ctx.height
    # Vertical rows: count cycles across u; horizontal: count per height scaled so they
    # stay square (rounded so they still tile); diagonal: both.
    rows_per_height = max(1, round(count * ctx.height / ctx.width))
    phase = {"vertical": count * u[None, :] + 0 * v[:, None],
             "horizontal": 0 * u[None, :] + rows_per_height * v[:, None],
             "diagonal": count * u[None, :] + rows_per_height * v[:, None]}[direction]
    # Triangle wave in [0, 1] then a smoothstep around 0.5: a soft square wave.
    triangle = np.abs(2.0 * (phase % 1.0) - 1.0)
    edge = max(softness, 1e-6)
    t = np.clip((triangle - 0.5) / edge + 0.5, 0.0, 1.0)
    return np.ascontiguousarray((t * t * (3 - 2 * t))[:, :, None], dtype=np.float32)
