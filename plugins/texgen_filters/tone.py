"""Tone nodes: per-value remapping of a texture's color channels.

levels, invert, curves, auto_levels, histogram_scan, threshold, clamp and math all work on
gray, color and rgba textures; an rgba alpha channel passes unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from texgen.nodes import NodeContext, param_error

from ._texture import map_color_channels
from .specs_tone_color import check_clamp, check_math


def _ramp(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """``clip((x - low) / (high - low), 0, 1)``, float32; a hard step ``x >= low`` when
    ``low == high``; ``low > high`` inverts."""
    span = high - low
    if span == 0:
        return (x >= low).astype(np.float32)
    return np.clip((x - low) / span, 0.0, 1.0)


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
    exponent = 1.0 / gamma

    def remap(x: np.ndarray) -> np.ndarray:
        t = _ramp(x, in_low, in_high)
        if exponent != 1.0:  # skip the costly power at the default gamma
            np.power(t, exponent, out=t)
        return out_low + t * (out_high - out_low)

    return map_color_channels(input, remap, per_pixel=True)


def invert(ctx: NodeContext, *, input: np.ndarray) -> np.ndarray:
    """``1 - x`` on every color channel.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}. Values outside [0, 1] are not clamped
            (an inverted height of 1.5 is -0.5).

    Returns:
        (H, W, C) float32; an rgba alpha channel is copied unchanged.
    """
    return map_color_channels(input, lambda x: 1.0 - x, per_pixel=True)


def curves(ctx: NodeContext, *, input: np.ndarray, points: str,
           interpolation: str) -> np.ndarray:
    """Remap values through a curve drawn through control points, like Photoshop's Curves.

    ``points`` is text: ``x,y`` pairs in [0, 1] separated by spaces, e.g.
    ``"0,0 0.3,0.2 0.7,0.85 1,1"`` (at least two, distinct x, any order). Between points
    the curve is, by ``interpolation``:

    - ``monotone``: a cubic Hermite spline whose tangents are the harmonic mean of the
      neighbouring slopes (0 where they differ in sign) and the end slopes at the end
      points (Fritsch-Butland). It never overshoots: it rises where the points rise and is
      flat where two neighbouring points are level.
    - ``spline``: the natural cubic spline (C2, zero curvature at the end points), the
      smoothest curve through the points; it may overshoot between them.
    - ``linear``: straight segments.

    Left of the first point the curve holds its y, right of the last point likewise, and
    the output is clipped to [0, 1] (only ``spline`` can leave it).

    Args:
        ctx: the node context; its ``node_id`` names the node in errors.
        input: (H, W, C) float32, C in {1, 3, 4}.
        points: the control points as text, see above.
        interpolation: "monotone", "spline" or "linear".

    Returns:
        (H, W, C) float32 in [0, 1]; an rgba alpha channel is copied unchanged.

    Raises:
        ValueError: ``points`` is malformed, has fewer than two points, a coordinate
            outside [0, 1], or two points with the same x.
    """
    xs, ys = parse_points(ctx.node_id, points)
    return map_color_channels(input, _curve(xs, ys, interpolation), per_pixel=True)


def parse_points(node_id: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Control points "x,y x,y ..." as float64 arrays (xs, ys) sorted by x.

    Raises ``ValueError`` naming ``node_id`` and the parameter ``points``.
    """
    pairs = []
    for token in text.split():
        x, comma, y = token.partition(",")
        try:
            pair = (float(x), float(y)) if comma else None
        except ValueError:
            pair = None
        if pair is None or not all(0.0 <= value <= 1.0 for value in pair):  # NaN fails too
            raise param_error(node_id, "points", f"expected x,y pairs with x and y in 0..1, "
                                                 f"separated by spaces, like '0,0 0.5,0.7 1,1'; "
                                                 f"got {token!r}")
        pairs.append(pair)
    if len(pairs) < 2:
        raise param_error(node_id, "points", f"a curve needs at least 2 points, got "
                                             f"{len(pairs)} in {text!r}")
    xs, ys = np.array(sorted(pairs)).T
    repeated = xs[1:][np.diff(xs) == 0]
    if repeated.size:
        raise param_error(node_id, "points", f"two points at x = {repeated[0]:g}; each x may "
                                             f"appear once")
    return xs, ys


def _curve(xs: np.ndarray, ys: np.ndarray,
           interpolation: str) -> Callable[[np.ndarray], np.ndarray]:
    """The curve through (xs, ys) as an elementwise float32 function, flat past the ends."""
    if interpolation == "linear":
        return lambda x: np.interp(x, xs, ys).astype(np.float32)
    tangents = (_monotone_tangents if interpolation == "monotone" else _spline_tangents)(xs, ys)
    xs32, ys32 = xs.astype(np.float32), ys.astype(np.float32)
    widths = np.diff(xs32)
    # Tangents times segment widths: the Hermite form below works in t = 0..1 per segment.
    start_rise = (tangents[:-1] * np.diff(xs)).astype(np.float32)
    end_rise = (tangents[1:] * np.diff(xs)).astype(np.float32)

    def hermite(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, xs32[0], xs32[-1])
        segment = np.clip(np.searchsorted(xs32, x, side="right") - 1, 0, len(widths) - 1)
        t = (x - np.take(xs32, segment)) / np.take(widths, segment)
        s = 1.0 - t
        # (1 + 2t) s² y0 + t s² m0 + t² (3 - 2t) y1 - t² s m1: exact at t = 0 and t = 1.
        y = s * s * ((1.0 + 2.0 * t) * np.take(ys32, segment)
                     + t * np.take(start_rise, segment)) \
            + t * t * ((3.0 - 2.0 * t) * np.take(ys32, segment + 1)
                       - s * np.take(end_rise, segment))
        return np.clip(y, 0.0, 1.0)

    return hermite


def _monotone_tangents(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Fritsch-Butland tangents: harmonic mean of the neighbouring secants, 0 at extrema.

    The harmonic mean is at most twice the smaller secant, which keeps every segment
    monotone; the end points take their segment's secant.
    """
    secants = np.diff(ys) / np.diff(xs)
    left, right = secants[:-1], secants[1:]
    same_sign = left * right > 0
    interior = np.divide(2.0 * left * right, left + right, out=np.zeros_like(left),
                         where=same_sign)
    return np.concatenate(([secants[0]], interior, [secants[-1]]))


def _spline_tangents(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Tangents of the natural cubic spline (second derivative 0 at both end points)."""
    widths, secants = np.diff(xs), np.diff(ys) / np.diff(xs)
    count = len(xs)
    # Second derivatives M: h[i-1] M[i-1] + 2 (h[i-1] + h[i]) M[i] + h[i] M[i+1]
    # = 6 (d[i] - d[i-1]) inside, M = 0 at the ends. A few points: a dense solve is fine.
    system, rhs = np.eye(count), np.zeros(count)
    for i in range(1, count - 1):
        system[i, i - 1:i + 2] = widths[i - 1], 2.0 * (widths[i - 1] + widths[i]), widths[i]
        rhs[i] = 6.0 * (secants[i] - secants[i - 1])
    second = np.linalg.solve(system, rhs)
    starts = secants - widths * (2.0 * second[:-1] + second[1:]) / 6.0
    last = secants[-1] + widths[-1] * (second[-2] + 2.0 * second[-1]) / 6.0
    return np.append(starts, last)


def auto_levels(ctx: NodeContext, *, input: np.ndarray, low_percentile: float,
                high_percentile: float, per_channel: bool) -> np.ndarray:
    """Stretch values so that the texture's own range fills [0, 1].

    With ``lo`` and ``hi`` the ``low_percentile`` and ``high_percentile`` percentiles of
    the color channel values (NumPy's default: linear between sorted values; 0 and 100
    are the minimum and maximum)::

        out = clip((x - lo) / (hi - lo), 0, 1)

    Percentiles above 0 (and below 100) ignore that share of outliers at each end, like
    Photoshop's "clip" percentages. ``per_channel`` measures and stretches r, g and b
    separately (this can shift hues); otherwise all color channels share ``lo`` and ``hi``.
    A channel with ``hi == lo`` (a flat texture) has nothing to stretch and passes
    unchanged. Percentiles of a resolution-independent texture do not depend on the
    resolution, so neither does the result.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}; an rgba alpha takes no part.
        low_percentile: in [0, 50], the value mapped to 0.
        high_percentile: in [50, 100], the value mapped to 1.
        per_channel: stretch each color channel on its own.

    Returns:
        (H, W, C) float32 in [0, 1] (a flat channel keeps its value); an rgba alpha
        channel is copied unchanged.
    """
    color = input[..., :3] if input.shape[2] == 4 else input
    low, high = np.percentile(color, [low_percentile, high_percentile],
                              axis=(0, 1) if per_channel else None)
    span = high - low
    flat = span == 0
    low, scale = np.float32(low), np.float32(1.0 / np.where(flat, 1.0, span))
    return map_color_channels(
        input, lambda x: np.where(flat, x, np.clip((x - low) * scale, 0.0, 1.0)),
        per_pixel=True)


def histogram_scan(ctx: NodeContext, *, input: np.ndarray, position: float,
                   contrast: float) -> np.ndarray:
    """Substance Designer's Histogram Scan: pick a band of values and stretch it to [0, 1].

    ``position`` works like a brightness control and ``contrast`` sets how hard the
    transition is::

        c   = 1 - position                           # the value that maps to 0.5
        w   = (1 - contrast) * min(c, 1 - c)         # half-width of the band
        out = clip((x - (c - w)) / (2 w), 0, 1)      # x >= c where w = 0

    At ``position = 0.5, contrast = 0`` it is the identity on [0, 1]; ``contrast = 1`` is
    a hard threshold at ``c``; ``position`` 0 gives black (but for values of 1 and
    above), 1 gives white. On a mask it grows (``position`` up) or shrinks shapes.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}.
        position: in [0, 1].
        contrast: in [0, 1].

    Returns:
        (H, W, C) float32 in [0, 1]; an rgba alpha channel is copied unchanged.
    """
    centre = 1.0 - position
    half_width = (1.0 - contrast) * min(centre, 1.0 - centre)
    return map_color_channels(input, lambda x: _ramp(x, centre - half_width,
                                                     centre + half_width), per_pixel=True)


def threshold(ctx: NodeContext, *, input: np.ndarray, threshold: float) -> np.ndarray:
    """1 where a value is at or above ``threshold``, else 0, per color channel.

    Args:
        ctx: the node context (unused).
        input: (H, W, C) float32, C in {1, 3, 4}.
        threshold: the cut value.

    Returns:
        (H, W, C) float32 of 0 and 1; an rgba alpha channel is copied unchanged.
    """
    return map_color_channels(input, lambda x: _ramp(x, threshold, threshold),
                              per_pixel=True)


def clamp(ctx: NodeContext, *, input: np.ndarray, low: float, high: float) -> np.ndarray:
    """Clip values into [``low``, ``high``], per color channel.

    Args:
        ctx: the node context; its ``node_id`` names the node in errors.
        input: (H, W, C) float32, C in {1, 3, 4}.
        low, high: the bounds, ``low <= high``.

    Returns:
        (H, W, C) float32 in [low, high]; an rgba alpha channel is copied unchanged.

    Raises:
        ValueError: ``low > high``.
    """
    for key, problem in check_clamp({"low": low, "high": high}):
        raise param_error(ctx.node_id, key, problem)
    return map_color_channels(input, lambda x: np.clip(x, low, high), per_pixel=True)


#: Arithmetic operations of ``math``: f(a, b) for the input ``a`` and the operand ``b``.
OPERATIONS = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    # A negative number has no real power; negative bases and exponents count as 0.
    "power": lambda a, b: np.power(np.maximum(a, 0.0), np.maximum(b, 0.0)),
}


def math(ctx: NodeContext, *, input: np.ndarray, operand: np.ndarray | None,
         operation: str, value: float, from_low: float, from_high: float, to_low: float,
         to_high: float) -> np.ndarray:
    """Arithmetic on the color channels, with a constant or a second texture.

    With ``a`` an input value and ``b`` the operand (the ``operand`` input where connected,
    else the constant ``value``)::

        add       a + b
        subtract  a - b
        multiply  a * b
        power     max(a, 0) ** max(b, 0)
        remap     to_low + (a - from_low) * (to_high - to_low) / (from_high - from_low)

    Nothing is clamped. ``remap`` is linear and takes no operand (``from_*``/``to_*`` are
    only used by it); values outside ``from_low..from_high`` extrapolate.

    Args:
        ctx: the node context; its ``node_id`` names the node in errors.
        input: (H, W, C) float32, C in {1, 3, 4}.
        operand: optional (H, W, 1) float32 applied to every color channel, or (H, W, C)
            with the input's channel count (channel by channel; an rgba operand's alpha is
            not used); ``None`` uses ``value``.
        operation: one of ``OPERATIONS`` or "remap".
        value: the constant operand; >= 0 for "power".
        from_low, from_high: the input range of "remap", ``from_low != from_high``.
        to_low, to_high: the output range of "remap".

    Returns:
        (H, W, C) float32; an rgba alpha channel is copied unchanged.

    Raises:
        ValueError: a negative constant exponent; ``remap`` with an operand or with
            ``from_low == from_high``; an operand whose channel count fits neither.
    """
    node = ctx.node_id
    if operation == "remap":
        if operand is not None:
            raise param_error(node, "operation", "'remap' takes no operand input; disconnect "
                                                 "it or use add, subtract, multiply or power")
        for key, problem in check_math({"operation": operation, "from_low": from_low,
                                        "from_high": from_high}):
            raise param_error(node, key, problem)
        scale = (to_high - to_low) / (from_high - from_low)
        return map_color_channels(input, lambda a: to_low + (a - from_low) * scale,
                                  per_pixel=True)
    if operand is None:
        if operation == "power" and value < 0:
            raise param_error(node, "value", f"the exponent of 'power' must be >= 0, got "
                                             f"{value:g}")
        b = np.float32(value)
    elif operand.shape[2] == 1 or operand.shape[2] == input.shape[2]:
        b = operand[..., :3]
    else:
        raise param_error(node, "operand", f"has {operand.shape[2]} channels but the input "
                                           f"has {input.shape[2]}; connect a gray operand or "
                                           f"one with the input's channel count")
    combine = OPERATIONS[operation]
    return map_color_channels(input, lambda a: combine(a, b))
