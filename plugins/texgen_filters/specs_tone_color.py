"""Node specs of texgen_filters (see __init__.py): only texgen.nodes is imported here, so
listing nodes stays light; implementations are named by "module:function" strings."""

from texgen.nodes import NodeSpec, Param, ParamValueError, Port

_ANY_IN = Port("input", "any", "Texture to process: gray, color or rgba (alpha is kept).")
_ANY_OUT = Port("out", "any", "Same channel count as the input.", same_as="input")

# --- relations between parameters: checked at validation (NodeSpec.check) and by the
# implementations themselves, for direct calls --------------------------------------------


def check_curves(params):
    """The problem with ``points`` (malformed, fewer than two, a repeated x), if any."""
    from texgen_filters.tone import parse_points  # light: NumPy only

    try:
        parse_points("", params["points"])
    except ParamValueError as exc:
        return [("points", exc.problem)]
    return []


def check_clamp(params):
    """``low`` must not exceed ``high``."""
    low, high = params["low"], params["high"]
    if low > high:
        return [("low", f"{low:g} is above high ({high:g}); low must not exceed high")]
    return []


def check_math(params):
    """``remap`` needs a non-empty input range: ``from_low != from_high``."""
    if params["operation"] == "remap" and params["from_low"] == params["from_high"]:
        return [("from_high", f"equals from_low ({params['from_low']:g}); the input range "
                              f"of 'remap' must not be empty")]
    return []


# --- tone -----------------------------------------------------------------------------

CURVES = NodeSpec(
    "curves", "texgen_filters.tone:curves",
    "Remap values through a curve drawn through control points, like Photoshop Curves.",
    inputs=(_ANY_IN,), outputs=(Port("out", "any", "Same channel count as the input, in "
                                     "0..1.", same_as="input"),),
    params=(
        Param("points", "string", "0,0 1,1",
              "Control points as 'x,y' pairs in 0..1 separated by spaces, at least two with "
              "distinct x, e.g. '0,0 0.3,0.15 0.7,0.9 1,1' (more contrast); the curve is "
              "flat past the end points."),
        Param("interpolation", "enum", "monotone",
              "'monotone' (cubic, never overshoots), 'spline' (natural cubic, smoothest, may "
              "overshoot; clipped to 0..1) or 'linear'.",
              choices=("monotone", "spline", "linear")),
    ),
    check=check_curves)

AUTO_LEVELS = NodeSpec(
    "auto_levels", "texgen_filters.tone:auto_levels",
    "Stretch the texture's own value range (or a percentile range) to fill 0..1.",
    inputs=(_ANY_IN,), outputs=(Port("out", "any", "Same channel count as the input, in "
                                     "0..1.", same_as="input"),),
    params=(
        Param("low_percentile", "float", 0.0, "Percentile of the values mapped to 0; 0 is "
              "the minimum, above 0 ignores that share of dark outliers.",
              min=0.0, max=50.0),
        Param("high_percentile", "float", 100.0, "Percentile of the values mapped to 1; "
              "100 is the maximum.", min=50.0, max=100.0),
        Param("per_channel", "bool", False, "Measure and stretch r, g and b separately "
              "(can shift hues) rather than together."),
    ))

HISTOGRAM_SCAN = NodeSpec(
    "histogram_scan", "texgen_filters.tone:histogram_scan",
    "Substance's Histogram Scan: pick a band of values by position and stretch it to 0..1.",
    inputs=(_ANY_IN,), outputs=(Port("out", "any", "Same channel count as the input, in "
                                     "0..1.", same_as="input"),),
    params=(
        Param("position", "float", 0.5, "Brightness: the value 1 - position maps to 0.5; 0 "
              "gives black, 1 white; on a mask, higher grows the shapes.",
              min=0.0, max=1.0),
        Param("contrast", "float", 0.0, "Hardness of the transition: 0 keeps the widest "
              "band, 1 is a hard threshold.", min=0.0, max=1.0),
    ))

THRESHOLD = NodeSpec(
    "threshold", "texgen_filters.tone:threshold",
    "1 where a value is at or above the threshold, else 0.",
    inputs=(_ANY_IN,), outputs=(Port("out", "any", "Same channel count as the input, 0 or "
                                     "1.", same_as="input"),),
    params=(
        Param("threshold", "float", 0.5, "Values at or above it become 1, below it 0.",
              min=0.0, max=1.0),
    ))

CLAMP = NodeSpec(
    "clamp", "texgen_filters.tone:clamp",
    "Clip values into a range.",
    inputs=(_ANY_IN,), outputs=(_ANY_OUT,),
    params=(
        Param("low", "float", 0.0, "Lower bound; must not exceed high.",
              min=-100.0, max=100.0),
        Param("high", "float", 1.0, "Upper bound; must not be below low.",
              min=-100.0, max=100.0),
    ),
    check=check_clamp)

MATH = NodeSpec(
    "math", "texgen_filters.tone:math",
    "Arithmetic with a constant or a second texture: add, subtract, multiply, power, remap.",
    inputs=(_ANY_IN,
            Port("operand", "any", "Optional second operand b: gray (applies to every "
                 "channel) or the input's channel count; unconnected uses value.",
                 optional=True)),
    outputs=(Port("out", "any", "Same channel count as the input; not clamped.",
                  same_as="input"),),
    params=(
        Param("operation", "enum", "multiply", "add a+b, subtract a-b, multiply a*b, power "
              "max(a,0)**max(b,0), or remap (from_low..from_high linearly to to_low..to_high; "
              "no operand).",
              choices=("add", "subtract", "multiply", "power", "remap")),
        Param("value", "float", 1.0, "The constant operand b when no operand input is "
              "connected; >= 0 for power.", min=-100.0,
              max=100.0),
        Param("from_low", "float", 0.0, "remap: input value mapped to to_low.",
              min=-100.0, max=100.0),
        Param("from_high", "float", 1.0, "remap: input value mapped to to_high; must differ "
              "from from_low.", min=-100.0, max=100.0),
        Param("to_low", "float", 0.0, "remap: output for from_low.",
              min=-100.0, max=100.0),
        Param("to_high", "float", 1.0, "remap: output for from_high.",
              min=-100.0, max=100.0),
    ),
    check=check_math)

# --- color ----------------------------------------------------------------------------

HSL = NodeSpec(
    "hsl", "texgen_filters.color:hsl",
    "Shift hue and scale saturation and lightness, like Photoshop Hue/Saturation.",
    inputs=(_ANY_IN,), outputs=(Port("out", "any", "Same channel count as the input, in "
                                     "0..1.", same_as="input"),),
    params=(
        Param("hue", "float", 0.0, "Hue shift in degrees (120 turns red to green).",
              min=-180.0, max=180.0),
        Param("saturation", "float", 0.0, "Saturation change: s * (1 + saturation); -1 "
              "gives gray, 1 doubles.", min=-1.0, max=1.0),
        Param("lightness", "float", 0.0, "Lightness change: towards white above 0, towards "
              "black below; -1 is black, 1 white.", min=-1.0,
              max=1.0),
    ))

COLORIZE = NodeSpec(
    "colorize", "texgen_filters.color:colorize",
    "Tint a texture with one color: the color's hue and saturation, the input's luminance.",
    scratch=24,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(_ANY_IN,),
    outputs=(Port("out", "any", "Color for a gray or color input, rgba (alpha kept) for an "
                  "rgba input; in 0..1."),),
    params=(
        Param("color", "color", "#c08040", "Tint; its hue and saturation are used, its "
              "lightness comes from the input (its alpha is not used)."),
    ))

GRAYSCALE = NodeSpec(
    "grayscale", "texgen_filters.color:grayscale",
    "Convert a color texture to gray: Rec. 709 luminance, average, min or max.",
    scratch=4,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture to convert: gray (copied), color or rgba (alpha "
                 "is not used)."),),
    outputs=(Port("out", "gray", "The gray value of each pixel."),),
    params=(
        Param("method", "enum", "luminance", "luminance (Rec. 709: 0.2126 r + 0.7152 g + "
              "0.0722 b), average (r+g+b)/3, min or max of r, g, b.",
              choices=("luminance", "average", "min", "max")),
    ))

CHANNEL_SPLIT = NodeSpec(
    "channel_split", "texgen_filters.color:channel_split",
    "Split a texture into four gray channels r, g, b and a.",
    inputs=(Port("input", "any", "Texture to split: gray (its value in r, g and b), color "
                 "or rgba."),),
    outputs=(Port("r", "gray", "Red channel (connect as 'node.r')."),
             Port("g", "gray", "Green channel (connect as 'node.g')."),
             Port("b", "gray", "Blue channel (connect as 'node.b')."),
             Port("a", "gray", "Alpha channel; 1 for gray and color inputs.")),
)

CHANNEL_MERGE = NodeSpec(
    "channel_merge", "texgen_filters.color:channel_merge",
    "Merge gray channels into a color and an rgba texture (channel packing).",
    inputs=(Port("r", "gray", "Red channel; unconnected is 0.", optional=True),
            Port("g", "gray", "Green channel; unconnected is 0.", optional=True),
            Port("b", "gray", "Blue channel; unconnected is 0.", optional=True),
            Port("a", "gray", "Alpha channel of the rgba output; unconnected is 1.",
                 optional=True)),
    outputs=(Port("out", "color", "r, g, b as a color texture."),
             Port("rgba", "rgba", "r, g, b, a as an rgba texture (connect as 'node.rgba').")),
)

NODES = (CURVES, AUTO_LEVELS, HISTOGRAM_SCAN, THRESHOLD, CLAMP, MATH, HSL, COLORIZE,
         GRAYSCALE, CHANNEL_SPLIT, CHANNEL_MERGE)
