"""Color nodes: turning values into colors (gradient map)."""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext

Gradient = tuple[tuple[float, tuple[float, float, float, float]], ...]


def gradient_map(ctx: NodeContext, *, input: np.ndarray,
                 gradient: Gradient) -> dict[str, np.ndarray]:
    """Color a gray texture through a multi-stop gradient.

    A value ``x`` between two neighbouring stops ``(p0, c0)`` and ``(p1, c1)`` gets
    ``c0 + (x - p0) / (p1 - p0) * (c1 - c0)``. Values below the first stop take its
    color, values above the last stop take the last color. Two stops at the same
    position make a hard edge: ``x`` equal to that position takes the later stop.

    Args:
        ctx: the node context (unused).
        input: (H, W, 1) float32 values, nominally in [0, 1].
        gradient: stops ``(position, (r, g, b, a))`` sorted by position (the engine's
            ``gradient`` parameter type), at least one.

    Returns:
        ``{"out": (H, W, 3) float32 color, "alpha": (H, W, 1) float32 alpha}``; the
        alpha is interpolated from the stops' alphas like the color.
    """
    if len(gradient) == 1:  # one stop: a constant color, as a zero-width segment
        gradient = gradient * 2
    positions = np.array([position for position, _ in gradient], np.float32)
    colors = np.array([color for _, color in gradient], np.float32)
    # Segment i runs from stop i to stop i+1. A zero-width segment gets a tiny width, so
    # the clip below turns it into a step.
    starts = positions[:-1]
    widths = np.maximum(np.diff(positions), np.float32(1e-12))

    x = input[..., 0]
    # The last stop at or below x starts x's segment; below the first or above the last
    # stop, the end segment is used and the clip pins t to 0 or 1.
    segment = np.clip(np.searchsorted(positions, x, side="right") - 1, 0, len(starts) - 1)
    # np.take: several times faster than fancy indexing for these gathers.
    t = np.clip((x - np.take(starts, segment)) / np.take(widths, segment), 0.0, 1.0)[..., None]
    # (1 - t) c0 + t c1 (rather than c0 + t (c1 - c0)) gives each stop's color exactly.
    rgba = (1.0 - t) * np.take(colors[:-1], segment, axis=0) \
        + t * np.take(colors[1:], segment, axis=0)
    return {"out": np.ascontiguousarray(rgba[..., :3]),
            "alpha": np.ascontiguousarray(rgba[..., 3:])}
