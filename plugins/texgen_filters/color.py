"""Color nodes: values to colors (gradient map, colorize), color adjustment (hsl), and
conversions between gray and color (grayscale, channel split and merge)."""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext

from ._texture import as_texture, map_color_channels, promote_gray, row_bands

Gradient = tuple[tuple[float, tuple[float, float, float, float]], ...]
Color = tuple[float, float, float, float]

#: Shapes of ``gradient_map``'s segments: the blend weight t' between a segment's two stop
#: colors for the position t in [0, 1] across the segment.
EASINGS = {
    "linear": lambda t: t,
    "smooth": lambda t: t * t * (3.0 - 2.0 * t),  # smoothstep: flat at both stops
    "constant": np.floor,  # t < 1: the segment's first stop; t = 1 only past the last stop
}

#: Rec. 709 luma weights of r, g and b.
REC709 = (0.2126, 0.7152, 0.0722)


def gradient_map(ctx: NodeContext, *, input: np.ndarray, gradient: Gradient,
                 interpolation: str) -> dict[str, np.ndarray]:
    """Color a gray texture through a multi-stop gradient.

    A value ``x`` between two neighbouring stops ``(p0, c0)`` and ``(p1, c1)`` gets
    ``(1 - t') c0 + t' c1`` with ``t = (x - p0) / (p1 - p0)`` and ``t'`` by
    ``interpolation``: ``linear`` ``t' = t``; ``smooth`` ``t' = t² (3 - 2 t)``
    (smoothstep, no kinks at the stops); ``constant`` ``t' = 0`` for ``t < 1`` (each
    stop's color holds up to the next stop: steps). Values below the first stop take its
    color, values above the last stop take the last color. Two stops at the same
    position make a hard edge: ``x`` equal to that position takes the later stop.

    Args:
        ctx: the node context (unused).
        input: (H, W, 1) float32 values, nominally in [0, 1].
        gradient: stops ``(position, (r, g, b, a))`` sorted by position (the engine's
            ``gradient`` parameter type), at least one.
        interpolation: one of ``EASINGS``: "linear", "smooth" or "constant".

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

    height, width = input.shape[:2]
    out = np.empty((height, width, 3), np.float32)
    alpha = np.empty((height, width, 1), np.float32)
    # A band of rows at a time: the int64 segment indices and the gathered stops cover
    # one band, not the texture.
    for rows in row_bands(height, width):
        x = input[rows, :, 0]
        # The last stop at or below x starts x's segment; below the first or above the last
        # stop, the end segment is used and the clip pins t to 0 or 1.
        segment = np.clip(np.searchsorted(positions, x, side="right") - 1, 0, len(starts) - 1)
        # np.take: several times faster than fancy indexing for these gathers.
        t = np.clip((x - np.take(starts, segment)) / np.take(widths, segment), 0.0,
                    1.0)[..., None]
        t = EASINGS[interpolation](t)
        # (1 - t) c0 + t c1 (rather than c0 + t (c1 - c0)) gives each stop's color exactly.
        rgba = (1.0 - t) * np.take(colors[:-1], segment, axis=0) \
            + t * np.take(colors[1:], segment, axis=0)
        out[rows], alpha[rows] = rgba[..., :3], rgba[..., 3:]
    return {"out": out, "alpha": alpha}


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Rec. 709 luma ``0.2126 r + 0.7152 g + 0.0722 b`` of (..., 3) values, shape (...)."""
    return REC709[0] * rgb[..., 0] + REC709[1] * rgb[..., 1] + REC709[2] * rgb[..., 2]


def rgb_to_hsl(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue, saturation and lightness, each shaped (...), of (..., 3) colors in [0, 1].

    Hue is in turns ([0, 1): 0 red, 1/3 green, 2/3 blue); a gray has hue and saturation 0.
    """
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    high, low = rgb.max(axis=-1), rgb.min(axis=-1)
    chroma = high - low
    lightness = (high + low) / 2
    chromatic = chroma > 0
    scaled = np.where(chromatic, chroma, 1)  # grays divide by 1; their hue is then 0
    sextant = np.where(high == r, ((g - b) / scaled) % 6,
                       np.where(high == g, (b - r) / scaled + 2, (r - g) / scaled + 4))
    saturation = np.divide(chroma, 1 - np.abs(2 * lightness - 1), out=np.zeros_like(chroma),
                           where=chromatic)
    return sextant / 6, saturation, lightness


def hsl_to_rgb(hue: np.ndarray, saturation: np.ndarray,
               lightness: np.ndarray) -> np.ndarray:
    """(..., 3) colors from broadcastable hue (turns), saturation and lightness in [0, 1]."""
    amplitude = saturation * np.minimum(lightness, 1 - lightness)
    channels = []
    for offset in (0, 8, 4):  # r, g, b: where each channel's hue ramp starts, in twelfths
        k = (offset + 12 * hue) % 12
        channels.append(lightness - amplitude * np.clip(np.minimum(k - 3, 9 - k), -1, 1))
    return np.stack(np.broadcast_arrays(*channels), axis=-1)


def hsl(ctx: NodeContext, *, input: np.ndarray, hue: float, saturation: float,
        lightness: float) -> np.ndarray:
    """Shift hue and scale saturation and lightness, like Photoshop's Hue/Saturation.

    Colors are clipped to [0, 1] (HSL describes colors in that cube), converted to hue
    ``h`` (turns), saturation ``s`` and lightness ``l``, and adjusted::

        h' = (h + hue / 360) mod 1
        s' = clip(s * (1 + saturation), 0, 1)
        l' = l + lightness * (1 - l)    if lightness >= 0   (towards white)
        l' = l * (1 + lightness)        otherwise           (towards black)

    A gray input has no hue or saturation: only ``lightness`` changes it.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}.
        hue: hue shift in degrees, in [-180, 180].
        saturation: in [-1, 1]; -1 gives gray, 0 keeps, 1 doubles.
        lightness: in [-1, 1]; -1 gives black, 0 keeps, 1 white.

    Returns:
        (H, W, C) float32 in [0, 1]; an rgba alpha channel is copied unchanged.
    """
    def adjust(rgb: np.ndarray) -> np.ndarray:
        h, s, light = rgb_to_hsl(np.clip(rgb, 0.0, 1.0))
        h = (h + np.float32(hue / 360.0)) % 1.0
        s = np.clip(s * np.float32(1.0 + saturation), 0.0, 1.0)
        light = light + np.float32(lightness) * (1.0 - light) if lightness >= 0 \
            else light * np.float32(1.0 + lightness)
        return hsl_to_rgb(h, s, light)

    if input.shape[2] == 1:
        return as_texture(adjust(promote_gray(input, 3))[..., :1])
    return map_color_channels(input, adjust, per_pixel=True)


def colorize(ctx: NodeContext, *, input: np.ndarray, color: Color) -> np.ndarray:
    """Tint a texture with one color, like Photoshop's Colorize.

    The result has ``color``'s hue and saturation and the input's luminance as its
    lightness: ``out = hsl_to_rgb(hue(color), saturation(color), clip(Y, 0, 1))``, with
    ``Y`` the gray value, or the Rec. 709 luma of a color input. Black stays black, white
    stays white, and a value equal to ``color``'s HSL lightness gives ``color`` itself.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}.
        color: (r, g, b, a) in [0, 1]; its alpha is not used.

    Returns:
        (H, W, 3) float32 in [0, 1] for a gray or color input, (H, W, 4) for rgba with the
        input's alpha copied unchanged.
    """
    value = input[..., 0] if input.shape[2] == 1 else luminance(input[..., :3])
    hue, saturation, _ = rgb_to_hsl(np.array(color[:3], np.float32))
    rgb = hsl_to_rgb(hue, saturation, np.clip(value, 0.0, 1.0))
    if input.shape[2] != 4:
        return as_texture(rgb)
    return as_texture(np.concatenate([rgb, input[..., 3:]], axis=-1))


#: Gray conversions of ``grayscale``: (..., 3) color channels to (...) values.
GRAY_METHODS = {
    "luminance": luminance,
    "average": lambda rgb: rgb.mean(axis=-1),
    "min": lambda rgb: rgb.min(axis=-1),
    "max": lambda rgb: rgb.max(axis=-1),
}


def grayscale(ctx: NodeContext, *, input: np.ndarray, method: str) -> np.ndarray:
    """A gray texture from a color one.

    ``method``: ``luminance`` (Rec. 709 luma, ``0.2126 r + 0.7152 g + 0.0722 b``, on the
    values as stored), ``average`` ``(r + g + b) / 3``, ``min`` or ``max`` of r, g, b.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}; a gray input is copied, an rgba alpha
            is not used.
        method: one of ``GRAY_METHODS``.

    Returns:
        (H, W, 1) float32.
    """
    if input.shape[2] == 1:
        return input.copy()
    return as_texture(GRAY_METHODS[method](input[..., :3])[..., None])


def channel_split(ctx: NodeContext, *, input: np.ndarray) -> dict[str, np.ndarray]:
    """The channels of a texture as four gray textures ``r``, ``g``, ``b`` and ``a``.

    A gray input gives its value in r, g and b; gray and color inputs give ``a = 1``.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}.

    Returns:
        ``{"r", "g", "b", "a"}``: (H, W, 1) float32 each.
    """
    channels = input.shape[2]
    # Indexing with a list copies, so no output shares memory with the input.
    out = {name: input[..., [min(i, channels - 1)]] for i, name in enumerate("rgb")}
    out["a"] = input[..., [3]] if channels == 4 else np.ones((*input.shape[:2], 1), np.float32)
    return out


def channel_merge(ctx: NodeContext, *, r: np.ndarray | None, g: np.ndarray | None,
                  b: np.ndarray | None, a: np.ndarray | None) -> dict[str, np.ndarray]:
    """A color and an rgba texture from gray channels (for channel packing).

    An unconnected r, g or b is 0 and an unconnected a is 1.

    Args:
        ctx: the node context (``width``, ``height``).
        r, g, b, a: optional (H, W, 1) float32 channels.

    Returns:
        ``{"out": (H, W, 3) float32 (r, g, b), "rgba": (H, W, 4) float32 (r, g, b, a)}``.
    """
    rgba = np.empty((ctx.height, ctx.width, 4), np.float32)
    for i, (channel, missing) in enumerate(((r, 0.0), (g, 0.0), (b, 0.0), (a, 1.0))):
        rgba[..., i] = missing if channel is None else channel[..., 0]
    return {"out": np.ascontiguousarray(rgba[..., :3]), "rgba": rgba}
