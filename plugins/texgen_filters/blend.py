"""Blend node: combine a foreground and a background through a blend mode and a mask."""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext, channel_type, param_error

from ._texture import in_row_bands, promote_gray


def _soft_light(b: np.ndarray, f: np.ndarray) -> np.ndarray:
    """W3C (Compositing and Blending Level 1) soft light, foreground ``f`` over ``b``."""
    # D(b): the maximum keeps np.where's unused sqrt branch real where b < 0.
    d = np.where(b <= 0.25, ((16.0 * b - 12.0) * b + 4.0) * b, np.sqrt(np.maximum(b, 0.25)))
    return np.where(f <= 0.5, b - (1.0 - 2.0 * f) * b * (1.0 - b), b + (2.0 * f - 1.0) * (d - b))


#: Blend modes: f(b, f) for background ``b`` and foreground ``f``, elementwise, unclamped.
MODES = {
    "normal": lambda b, f: f,
    "multiply": lambda b, f: b * f,
    "screen": lambda b, f: 1.0 - (1.0 - b) * (1.0 - f),
    "overlay": lambda b, f: np.where(b < 0.5, 2.0 * b * f, 1.0 - 2.0 * (1.0 - b) * (1.0 - f)),
    "soft_light": _soft_light,
    "add": lambda b, f: b + f,
    "subtract": lambda b, f: b - f,
    "difference": lambda b, f: np.abs(b - f),
    "min": np.minimum,
    "max": np.maximum,
    # Photoshop's names for min and max.
    "darken": np.minimum,
    "lighten": np.maximum,
}


def blend(ctx: NodeContext, *, foreground: np.ndarray, background: np.ndarray,
          mask: np.ndarray | None, mode: str, opacity: float, alpha: str) -> np.ndarray:
    """Blend ``foreground`` over ``background``: ``lerp(b, mode(b, f), opacity * mask)``.

    Modes (``b`` background, ``f`` foreground, per channel)::

        normal      f
        multiply    b * f
        screen      1 - (1 - b) (1 - f)
        overlay     2 b f  if b < 0.5  else  1 - 2 (1 - b) (1 - f)
        soft_light  b - (1 - 2 f) b (1 - b)  if f <= 0.5  else  b + (2 f - 1) (D(b) - b)
                    D(b) = ((16 b - 12) b + 4) b  if b <= 0.25  else  sqrt(b)   (W3C)
        add         b + f
        subtract    b - f
        difference  |b - f|
        min         min(b, f)   (also "darken")
        max         max(b, f)   (also "lighten")

    Nothing is clamped: textures are floats and heights may leave [0, 1], so ``add`` and
    ``subtract`` keep their exact result (follow with ``levels`` to clamp).

    Channels: equal channel counts blend directly. A gray operand is promoted to the
    other's count (value repeated in r, g, b; alpha 1). Color and rgba cannot be mixed.
    With rgba operands, ``alpha="coverage"`` (default, Substance Designer's "use source
    alpha") lets the foreground's alpha ``af`` scale the weight of the color channels
    and composites the alphas "over"::

        w   = opacity * mask * af
        rgb = lerp(b.rgb, mode(b.rgb, f.rgb), w)
        a   = lerp(b.a, 1, w)            # = b.a + w (1 - b.a)

    ``alpha="channel"`` blends alpha by the mode like any other channel (for textures
    whose alpha holds data, such as packed maps).

    Args:
        ctx: the node context (unused).
        foreground, background: (H, W, C) float32 textures, C in {1, 3, 4}.
        mask: optional (H, W, 1) float32 weight, nominally in [0, 1]; ``None`` means 1.
        mode: one of ``MODES``.
        opacity: global weight in [0, 1], multiplies the mask.
        alpha: "coverage" or "channel"; only matters when the result is rgba.

    Returns:
        (H, W, C) float32, C the larger of the two channel counts.

    Raises:
        ValueError: one operand is color (3 channels) and the other rgba (4 channels).
    """
    try:
        foreground, background = _match_channels(foreground, background)
    except ValueError as exc:  # the preset connected color to rgba: bad input, exit 2
        raise param_error(ctx.node_id, "foreground", str(exc)) from None
    # pixel by pixel: a band of rows at a time, so the temporaries cover one band
    return in_row_bands(lambda f, b, m: _blend_pixels(f, b, m, mode=mode, opacity=opacity,
                                                      alpha=alpha),
                        foreground, background, mask, channels=background.shape[2])


def _blend_pixels(foreground: np.ndarray, background: np.ndarray, mask: np.ndarray | None, *,
                  mode: str, opacity: float, alpha: str) -> np.ndarray:
    weight = np.float32(opacity) if mask is None else np.float32(opacity) * mask
    combine = MODES[mode]
    if background.shape[2] != 4 or alpha == "channel":
        return _lerp(background, combine(background, foreground), weight)
    weight = weight * foreground[..., 3:]
    out = np.empty_like(background)
    color = background[..., :3]
    out[..., :3] = _lerp(color, combine(color, foreground[..., :3]), weight)
    out[..., 3:] = _lerp(background[..., 3:], 1.0, weight)
    return out


def _lerp(start, end, weight):
    # This form returns start and end exactly at weights 0 and 1.
    return (1.0 - weight) * start + weight * end


def _match_channels(foreground: np.ndarray,
                    background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both operands with the same channel count, promoting a gray one."""
    fg_channels, bg_channels = foreground.shape[2], background.shape[2]
    if fg_channels == bg_channels:
        return foreground, background
    if fg_channels == 1:
        return promote_gray(foreground, bg_channels), background
    if bg_channels == 1:
        return foreground, promote_gray(background, fg_channels)
    raise ValueError(
        f"cannot blend: foreground is {channel_type(foreground)} ({fg_channels} channels) "
        f"but background is {channel_type(background)} ({bg_channels} channels); color and "
        f"rgba do not mix, convert one of them first (a gray operand is promoted "
        f"automatically)")
