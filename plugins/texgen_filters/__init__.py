"""texgen_filters: built-in filter nodes (tone, color, blend, spatial, material).

Registered under the entry point name ``filters``: the six specs below (levels, invert,
gradient_map, blend, normal_map, warp), the tone/color nodes of ``specs_tone_color``, the
spatial/material nodes of ``specs_spatial``, the constant nodes of ``specs_constant`` and
``filters.image_to_material`` of ``specs_photo`` (with the ``texgen maps`` command).
Implementations are named by "module:function" strings and imported when a node first runs,
so listing nodes stays light. Every node works on the CPU backend. See docs/filters.md and
docs/filters_spatial.md.
"""

from texgen.hookspecs import hookimpl
from texgen.nodes import NodeSpec, Param, Port
from texgen_filters import specs_constant, specs_photo, specs_spatial, specs_tone_color

_ANY_IN = Port("input", "any", "Texture to process: gray, color or rgba (alpha is kept).")
_ANY_OUT = Port("out", "any", "Same channel count as the input.", same_as="input")

LEVELS = NodeSpec(
    "levels", "texgen_filters.tone:levels",
    "Remap input levels with gamma, like Photoshop Levels.",
    inputs=(_ANY_IN,), outputs=(_ANY_OUT,),
    params=(
        Param("in_low", "float", 0.0, "Input value mapped to out_low (black point).",
              min=0.0, max=1.0),
        Param("in_high", "float", 1.0, "Input value mapped to out_high (white point); "
              "equal to in_low gives a hard threshold.",
              min=0.0, max=1.0),
        Param("gamma", "float", 1.0, "Midtone gamma, applied as t ** (1 / gamma): above 1 "
              "brightens, below 1 darkens.", min=0.1, max=10.0),
        Param("out_low", "float", 0.0, "Output value for inputs at or below in_low.",
              min=0.0, max=1.0),
        Param("out_high", "float", 1.0, "Output value for inputs at or above in_high.",
              min=0.0, max=1.0),
    ))

INVERT = NodeSpec(
    "invert", "texgen_filters.tone:invert",
    "Invert values: 1 - x on the color channels (alpha is kept).",
    inputs=(_ANY_IN,), outputs=(_ANY_OUT,))

GRADIENT_MAP = NodeSpec(
    "gradient_map", "texgen_filters.color:gradient_map",
    "Color a gray texture through a multi-stop gradient.",
    inputs=(Port("input", "gray", "Values to color, nominally 0..1; values outside take "
                 "the end stops' colors."),),
    outputs=(Port("out", "color", "The gradient's color at each value (interpolated "
                  "between stops)."),
             Port("alpha", "gray", "The gradient's alpha at each value (interpolated "
                  "between stops).")),
    params=(
        Param("gradient", "gradient", [[0.0, "#000000"], [1.0, "#ffffff"]],
              "Stops [[position, color], ...], positions in 0..1; two stops at one position "
              "make a hard edge."),
        Param("interpolation", "enum", "linear", "Between stops: 'linear', 'smooth' "
              "(smoothstep, no kinks at the stops) or 'constant' (each stop's color holds "
              "up to the next stop).",
              choices=("linear", "smooth", "constant")),
    ))

BLEND = NodeSpec(
    "blend", "texgen_filters.blend:blend",
    "Blend a foreground over a background with a blend mode, opacity and mask.",
    inputs=(
        Port("foreground", "any", "Top layer: gray, color or rgba. A gray operand is "
             "promoted to the other's channel count; color and rgba do not mix."),
        Port("background", "any", "Bottom layer: gray, color or rgba."),
        Port("mask", "gray", "Per-pixel weight of the foreground, nominally 0..1; "
             "unconnected means 1.", optional=True),
    ),
    outputs=(Port("out", "any", "lerp(background, mode(background, foreground), "
                  "opacity * mask); the larger channel count of the two inputs.",
                  same_as=("foreground", "background")),),
    params=(
        Param("mode", "enum", "normal", "Blend mode: normal f, multiply b*f, screen "
              "1-(1-b)(1-f), overlay (2bf if b < 0.5 else 1-2(1-b)(1-f)), soft_light (W3C), "
              "add b+f, subtract b-f, difference |b-f|, min (darken), max (lighten); "
              "unclamped.",
              choices=("normal", "multiply", "screen", "overlay", "soft_light", "add",
                       "subtract", "difference", "min", "max", "darken", "lighten")),
        Param("opacity", "float", 1.0, "Global weight of the foreground, multiplies the "
              "mask.", min=0.0, max=1.0),
        Param("alpha", "enum", "coverage", "rgba only: 'coverage' scales the weight by the "
              "foreground alpha and composites alphas over (a = lerp(b.a, 1, w)); 'channel' "
              "blends alpha by the mode like a color channel.",
              choices=("coverage", "channel")),
    ))

NORMAL_MAP = NodeSpec(
    "normal_map", "texgen_filters.material:normal_map",
    "Tangent-space normal map from a height field, resolution independent.",
    scratch=20,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("height", "gray", "Height field, any range; slopes are per texture "
                 "width."),),
    outputs=(Port("out", "color", "Normal encoded as 0.5 + 0.5 n; flat is (0.5, 0.5, 1)."),),
    params=(
        Param("strength", "float", 1.0, "Relief depth: a height change of 1.0 rises "
              "strength percent of the texture width.",
              min=0.0, max=100.0),
        Param("convention", "enum", "opengl", "Green channel direction: opengl (Y+, up) or "
              "directx (Y-, down).", choices=("opengl", "directx")),
    ))

WARP = NodeSpec(
    "warp", "texgen_filters.warp:warp",
    "Displace a texture along a height field's slope or by a vector field; wraps when tiling.",
    scratch=4,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(_ANY_IN,
            Port("warp", "any", "The displacement: a gray height field (mode 'gradient') or "
                 "a color/rgba vector field with x, y in red, green around 0.5 (mode "
                 "'vector').")),
    outputs=(_ANY_OUT,),
    params=(
        Param("mode", "enum", "gradient", "'gradient': move along the warp height's slope "
              "(Substance's Warp); 'vector': move by the red/green vector (Vector Warp).",
              choices=("gradient", "vector")),
        Param("intensity", "float", 1.0, "Displacement in percent of the texture width per "
              "unit of slope or vector.", min=0.0, max=100.0),
    ))

NODES = (LEVELS, INVERT, GRADIENT_MAP, BLEND, NORMAL_MAP, WARP)


@hookimpl
def register_nodes(register):
    """Register the filter nodes."""
    for spec in (*NODES, *specs_tone_color.NODES, *specs_spatial.NODES,
                 *specs_constant.NODES, *specs_photo.NODES):
        register(spec)


@hookimpl
def register_commands(cli):
    """Add ``texgen maps`` (texgen_filters.maps): photo to PBR map files."""
    from texgen_filters.maps import maps

    cli.add_command(maps)
