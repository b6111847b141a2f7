"""Material nodes: maps derived from a height field (normal map)."""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext


def normal_map(ctx: NodeContext, *, height: np.ndarray, strength: float,
               convention: str) -> np.ndarray:
    """A tangent-space normal map from a height field, encoded to [0, 1].

    Slopes are measured per texture width, so the same height field rendered at any
    resolution gives the same normals (up to sampling). With ``W`` the width in pixels
    and ``h[r, c]`` the height at row ``r`` (rows grow downwards), column ``c``::

        du = (h[r, c+1] - h[r, c-1]) / 2 * W      # dh/du, u to the right
        dv = (h[r+1, c] - h[r-1, c]) / 2 * W      # dh/dv, v downwards (pixels are square)
        k  = strength / 100
        n  = normalize(-k du, +k dv, 1)           # opengl: green is Y up
        n  = normalize(-k du, -k dv, 1)           # directx: green is Y down
        out = 0.5 + 0.5 n

    ``strength`` is the relief depth: a height change of 1.0 rises ``strength`` percent
    of the texture width. When ``ctx.tileable``, neighbours wrap around the edges, so
    the map tiles like its input; otherwise the border uses one-sided differences
    (the height is extended linearly past the edge).

    Args:
        ctx: the node context; ``ctx.tileable`` picks wrap-around or one-sided edges.
        height: (H, W, 1) float32 height field (any range).
        strength: relief depth in percent of the texture width per unit of height, >= 0.
        convention: "opengl" (Y+, green up) or "directx" (Y-, green down).

    Returns:
        (H, W, 3) float32 normal map in [0, 1]; a flat height gives (0.5, 0.5, 1).
    """
    # Odd reflection extends the height linearly (2 h[0] - h[1]), which turns the central
    # difference at the border into the one-sided difference h[1] - h[0].
    padded = np.pad(height[..., 0], 1, mode="wrap") if ctx.tileable else \
        np.pad(height[..., 0], 1, mode="reflect", reflect_type="odd")
    # One scale folds the central difference's 1/2, the per-width slope and the strength.
    scale = np.float32(strength / 100.0 * ctx.width / 2.0)
    nx = (padded[1:-1, :-2] - padded[1:-1, 2:]) * scale
    ny = (padded[2:, 1:-1] - padded[:-2, 1:-1]) * scale
    if convention == "directx":
        np.negative(ny, out=ny)
    half_inverse_length = 0.5 / np.sqrt(nx * nx + ny * ny + 1.0)
    out = np.empty((*nx.shape, 3), np.float32)
    out[..., 0] = 0.5 + nx * half_inverse_length
    out[..., 1] = 0.5 + ny * half_inverse_length
    out[..., 2] = 0.5 + half_inverse_length
    return out
