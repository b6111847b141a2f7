"""Node specs of texgen_filters (see __init__.py): the constant nodes, a uniform color and
a uniform gray value (Substance Designer's Uniform Color, Material Maker's Uniform).

They have no inputs and draw the same value at every pixel: a flat base color to blend
over, a flat height, roughness or metallic map, a constant mask. docs/filters.md documents
them.
"""

from texgen.nodes import NodeSpec, Param, Port

CONSTANT_COLOR = NodeSpec(
    "constant_color", "texgen_filters.constant:constant_color",
    "A uniform color at every pixel, as color and as rgba (with the color's alpha).",
    outputs=(Port("out", "color", "The color's red, green and blue at every pixel."),
             Port("rgba", "rgba", "The color with its alpha (1 unless the color gives one, "
                  "as in '#rrggbbaa') at every pixel.")),
    params=(
        Param("color", "color", "#808080", "The color, taken as written (no transfer "
              "function): '#808080' is 0.502 in every channel."),
    ))

CONSTANT_VALUE = NodeSpec(
    "constant_value", "texgen_filters.constant:constant_value",
    "A uniform gray value at every pixel: a flat height, roughness, metallic or mask.",
    outputs=(Port("out", "gray", "The value at every pixel."),),
    params=(
        Param("value", "float", 0.5, "The value; any number (a height may leave [0, 1]), "
              "clamped only when written to an integer file format."),
    ))

NODES = (CONSTANT_COLOR, CONSTANT_VALUE)
