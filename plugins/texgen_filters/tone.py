"""Tone nodes: per-value remapping of a texture's color channels (levels, invert).

Both work on gray, color and rgba textures; an rgba alpha channel passes unchanged.
"""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext

from ._texture import map_color_channels


def levels(ctx: NodeContext, *, input: np.ndarray, in_low: float, in_high: float,
           gamma: float, out_low: float, out_high: float) -> np.ndarray:
    """Remap values like Photoshop's Levels.

    For each color channel value ``x``::

        t   = clip((x - in_low) / (in_high - in_low), 0, 1) ** (1 / gamma)
        out = out_low + t * (out_high - out_low)

    ``in_low == in_high`` is a hard threshold (``t = 1`` where ``x >= in_low``, else 0);
    ``in_low > in_high`` or ``out_low > out_high`` inverts. ``gamma > 1`` brightens the
    midtones, ``gamma < 1`` darkens them. The clip makes the output lie between
    ``out_low`` and ``out_high`` even for inputs outside [0, 1].

    Args:
        ctx: the node context (unused: levels looks at one pixel at a time).
        input: (H, W, C) float32, C in {1, 3, 4}.
        in_low, in_high: input values mapped to 0 and 1 before the gamma.
        gamma: midtone exponent, applied as ``t ** (1 / gamma)``; > 0.
        out_low, out_high: output values that 0 and 1 map to.

    Returns:
        (H, W, C) float32; an rgba alpha channel is copied unchanged.
    """
    span = in_high - in_low
    exponent = 1.0 / gamma

    def remap(x: np.ndarray) -> np.ndarray:
        if span == 0:
            t = (x >= in_low).astype(np.float32)
        else:
            t = np.clip((x - in_low) / span, 0.0, 1.0)
        if exponent != 1.0:  # skip the costly power at the default gamma
            np.power(t, exponent, out=t)
        return out_low + t * (out_high - out_low)

    return map_color_channels(input, remap)


def invert(ctx: NodeContext, *, input: np.ndarray) -> np.ndarray:
    """``1 - x`` on every color channel.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}. Values outside [0, 1] are not clamped
            (an inverted height of 1.5 is -0.5).

    Returns:
        (H, W, C) float32; an rgba alpha channel is copied unchanged.
    """
    return map_color_channels(input, lambda x: 1.0 - x)
