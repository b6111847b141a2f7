"""Node specs of texgen_filters (see __init__.py): only texgen.nodes is imported here, so
listing nodes stays light; implementations are named by "module:function" strings.

The spatial and material nodes; docs/filters_spatial.md documents each one at length.
"""

from texgen.nodes import NodeSpec, Param, Port

_ANY_IN = Port("input", "any", "Texture to process: gray, color or rgba.")
_ANY_OUT = Port("out", "any", "Same channel count as the input.", same_as="input")
_ANGLE_DOC = "degrees counter-clockwise from the +u axis (0 right, 90 up the image)"
_STRENGTH_DOC = ("Relief depth: a height change of 1.0 rises strength percent of the texture "
                 "width, as in filters.normal_map.")


def _mask(doc):
    return Port("mask", "gray", doc)


def _threshold(what):
    return Param("threshold", "float", 0.5, f"Mask value above which a pixel {what}.",
                 min=0.0, max=1.0)


BLUR = NodeSpec(
    "blur", "texgen_filters.spatial:blur",
    "Gaussian blur (separable, radius in texture widths); wraps around the edges when tiling.",
    scratch=12,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture to blur: gray, color or rgba (alpha is blurred "
                 "too)."),),
    outputs=(_ANY_OUT,),
    params=(
        Param("radius", "float", 0.01, "Standard deviation of the Gaussian in fractions of "
              "the texture width (0.01 is 10 pixels at 1024).",
              min=0.0, max=0.5),
    ))

SHARPEN = NodeSpec(
    "sharpen", "texgen_filters.spatial:sharpen",
    "Unsharp mask: add back the detail a Gaussian blur removes.",
    scratch=12,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture to sharpen: gray, color or rgba (alpha is "
                 "kept)."),),
    outputs=(Port("out", "any", "x + amount * (x - blur(x)); same channel count, not "
                  "clamped.", same_as="input"),),
    params=(
        Param("radius", "float", 0.002, "Standard deviation of the blur in fractions of the "
              "texture width: the size of the detail enhanced.",
              min=0.0, max=0.1),
        Param("amount", "float", 1.0, "How much of the detail is added back.",
              min=0.0, max=10.0),
    ))

DIRECTIONAL_BLUR = NodeSpec(
    "directional_blur", "texgen_filters.spatial:directional_blur",
    "Gaussian blur along one direction only (motion streaks).",
    scratch=12,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture to blur: gray, color or rgba (alpha is blurred "
                 "too)."),),
    outputs=(_ANY_OUT,),
    params=(
        Param("angle", "float", 0.0, f"Direction of the blur, {_ANGLE_DOC}; 0 and 180 are "
              "the same.", min=-360.0, max=360.0),
        Param("length", "float", 0.02, "Standard deviation of the blur along the direction, "
              "in fractions of the texture width.",
              min=0.0, max=0.5),
    ))

SLOPE_BLUR = NodeSpec(
    "slope_blur", "texgen_filters.spatial:slope_blur",
    "Blur along the slope of another input, following it (Substance's Slope Blur).",
    scratch=32,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture to blur: gray, color or rgba (alpha too)."),
            Port("slope", "gray", "Field whose gradient direction steers the blur (its "
                 "steepness does not matter).")),
    outputs=(_ANY_OUT,),
    params=(
        Param("intensity", "float", 0.02, "Length of the path followed from each pixel, in "
              "fractions of the texture width: positive goes uphill on the slope input, "
              "negative downhill.", min=-0.25, max=0.25),
        Param("samples", "int", 16, "Steps along the path; more gives smoother results.",
              min=1, max=64),
        Param("mode", "enum", "blur", "How the values along the path combine: 'blur' "
              "(mean), 'min' or 'max'.", choices=("blur", "min", "max")),
    ))

DIRECTIONAL_WARP = NodeSpec(
    "directional_warp", "texgen_filters.warp:directional_warp",
    "Displace a texture along one direction by an amount read from an intensity map.",
    inputs=(Port("input", "any", "Texture to displace: gray, color or rgba (alpha "
                 "too)."),
            Port("intensity", "gray", "Per-pixel amount, nominally 0..1: the displacement is "
                 "distance * intensity.")),
    outputs=(_ANY_OUT,),
    params=(
        Param("angle", "float", 0.0, f"Direction, {_ANGLE_DOC}, in which each pixel reads "
              "its displaced sample (the content moves the opposite way).",
              min=-360.0, max=360.0),
        Param("distance", "float", 0.05, "Displacement per unit of intensity, in fractions "
              "of the texture width.", min=0.0, max=1.0),
    ))

TRANSFORM = NodeSpec(
    "transform", "texgen_filters.warp:transform",
    "Offset, rotate, scale and repeat a texture, wrapping (Transformation 2D).",
    inputs=(Port("input", "any", "Texture to transform, seen as one tile of an endless "
                 "plane: gray, color or rgba."),),
    outputs=(_ANY_OUT,),
    params=(
        Param("offset_x", "float", 0.0, "Shift to the right in fractions of the width.",
              min=-1.0, max=1.0),
        Param("offset_y", "float", 0.0, "Shift downwards in fractions of the height.",
              min=-1.0, max=1.0),
        Param("rotation", "float", 0.0, "Counter-clockwise rotation about the centre in "
              "degrees; keeps tiling only in steps of 90 on square textures.",
              min=-360.0, max=360.0),
        Param("scale", "float", 1.0, "Magnification about the centre (2 shows the input "
              "twice as large); keeps tiling only at 1/n.",
              min=0.01, max=100.0),
        Param("tile", "int", 1, "Copies of the input per side.",
              min=1, max=64),
    ))

EMBOSS = NodeSpec(
    "emboss", "texgen_filters.spatial:emboss",
    "Shade a texture as a relief lit from the side: flat is mid-gray.",
    scratch=20,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Values to emboss, as heights: gray, color or rgba "
                 "(alpha is kept)."),),
    outputs=(Port("out", "any", "0.5 + 0.5 dot(normal, light) per channel, in [0, 1]; "
                  "same channel count.", same_as="input"),),
    params=(
        Param("angle", "float", 135.0, f"Where the light comes from, {_ANGLE_DOC}; 135 is "
              "top left.", min=-360.0, max=360.0),
        Param("strength", "float", 5.0, _STRENGTH_DOC, min=0.0, max=100.0),
    ))

EDGE_DETECT = NodeSpec(
    "edge_detect", "texgen_filters.spatial:edge_detect",
    "Edges: Sobel gradient magnitude, normalised so a sharp unit step gives 1.",
    scratch=80,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture whose edges to find: gray, color or rgba (alpha "
                 "is ignored)."),),
    outputs=(Port("out", "gray", "Edge strength in [0, 1], clamped."),),
    params=(
        Param("width", "float", 0.002, "Standard deviation of a Gaussian applied first, in "
              "fractions of the texture width: wider, softer edge lines.",
              min=0.0, max=0.05),
    ))

DISTANCE = NodeSpec(
    "distance", "texgen_filters.spatial:distance",
    "Distance field: exact Euclidean distance to the nearest mask pixel, wrapping when tiling.",
    scratch=15,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(_mask("Pixels above the threshold are the features the distance is measured "
                  "to."),),
    outputs=(Port("out", "gray", "Distance divided by max_distance, clamped: 0 on the mask, "
                  "1 at max_distance and beyond."),),
    params=(
        Param("max_distance", "float", 0.1, "Distance that maps to 1, in fractions of the "
              "texture width.", min=0.001, max=1.0),
        _threshold("is a feature"),
    ))

FLOOD_FILL = NodeSpec(
    "flood_fill", "texgen_filters.spatial:flood_fill",
    "A random value and color per connected island of a mask; islands wrap when tiling.",
    scratch=17,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(_mask("Pixels above the threshold form islands (4-connected)."),),
    outputs=(Port("out", "gray", "A different random value in (0, 1) per island; 0 "
                  "outside."),
             Port("color", "color", "A random color per island; black outside.")),
    params=(_threshold("belongs to an island"),))

AMBIENT_OCCLUSION = NodeSpec(
    "ambient_occlusion", "texgen_filters.material:ambient_occlusion",
    "Ambient occlusion from a height field: multi-radius horizon estimate.",
    scratch=20,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("height", "gray", "Height field, any range."),),
    outputs=(Port("out", "gray", "Visible share of the sky in (0, 1]: 1 unoccluded, darker "
                  "in pits and creases."),),
    params=(
        Param("radius", "float", 0.05, "Largest distance that occludes, in fractions of the "
              "texture width (also measured at 1/2, 1/4, 1/8 of it).",
              min=0.001, max=0.5),
        Param("strength", "float", 30.0, _STRENGTH_DOC, min=0.0, max=100.0),
    ))

CURVATURE = NodeSpec(
    "curvature", "texgen_filters.material:curvature",
    "Curvature from a height field: convex bright, concave dark, with mask outputs.",
    scratch=12,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("height", "gray", "Height field, any range."),),
    outputs=(Port("out", "gray", "0.5 + 0.5 c, clamped to [0, 1]: 0.5 on flats and slopes, "
                  "brighter on ridges, darker in creases."),
             Port("convex", "gray", "clip(c, 0, 1): a mask of ridges and edges (wear)."),
             Port("concave", "gray", "clip(-c, 0, 1): a mask of creases and pits (dirt).")),
    params=(
        Param("radius", "float", 0.01, "Scale of the features measured, in fractions of the "
              "texture width.", min=0.001, max=0.25),
        Param("strength", "float", 10.0, _STRENGTH_DOC, min=0.0, max=100.0),
    ))

HEIGHT_BLEND = NodeSpec(
    "height_blend", "texgen_filters.material:height_blend",
    "Blend two materials by height: the higher one shows, with a soft transition.",
    scratch=8,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("color_a", "any", "Color of material a (gray, color or rgba)."),
            Port("height_a", "gray", "Height of material a."),
            Port("color_b", "any", "Color of material b; a gray one is promoted, color and "
                 "rgba do not mix."),
            Port("height_b", "gray", "Height of material b.")),
    outputs=(Port("color", "any", "lerp(color_a, color_b, mask); the larger channel count.",
                  same_as=("color_a", "color_b")),
             Port("height", "gray", "lerp(height_a, height_b + offset, mask); the maximum "
                  "at contrast 1."),
             Port("mask", "gray", "Weight of material b in [0, 1], to blend other maps with "
                  "filters.blend.")),
    params=(
        Param("offset", "float", 0.0, "Added to height_b: raises (or sinks) material b.",
              min=-1.0, max=1.0),
        Param("contrast", "float", 0.9, "Sharpness of the transition: it spans a height "
              "difference of 1 - contrast; 1 is a hard edge.",
              min=0.0, max=1.0),
    ))

MAKE_TILEABLE = NodeSpec(
    "make_tileable", "texgen_filters.material:make_tileable",
    "Make a non-tiling texture (a photo) tile: cross-fade or quilt its own patches.",
    scratch=64,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture that does not tile: gray, color or rgba (alpha "
                 "is blended or copied too)."),),
    outputs=(Port("out", "any", "The input, cross-faded or re-synthesized near its edges "
                  "so that it tiles; same channel count.", same_as="input"),),
    params=(
        Param("width", "float", 0.25, "Width of each cross-fade band, in fractions of the "
              "texture's width (left, right) and height (top, bottom).",
              min=0.01, max=0.5),
        Param("preserve_contrast", "bool", True, "Keep the variance in the bands "
              "(histogram-preserving blend) instead of the washed-out plain average; "
              "crossfade only."),
        Param("method", "enum", "crossfade", "'crossfade': blend with a half-offset copy "
              "(smooth, ghosts structured photos); 'quilt': re-fill a band of width "
              "'width' over each seam with the texture's own patches, joined along "
              "least-visible cuts, so bricks, tiles and planks stay whole.",
              choices=("crossfade", "quilt")),
    ))

_UV = Port("uv", "color", "uv map of where each pixel comes from (stats.markov's 'uv'): u "
           "in red, v in green, fractions of the source's width and height.")

REMAP = NodeSpec(
    "remap", "texgen_filters.remap:remap",
    "Copy the input's pixels from where a uv map points (nearest): carry maps along.",
    scratch=28,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "any", "Texture to look up: gray, color or rgba. Exact when its "
                 "pixels are the exemplar's (rendered at the exemplar's size)."), _UV),
    outputs=(Port("out", "any", "input[floor(v * H), floor(u * W)]: copies of input pixels; "
                  "same channel count.", same_as="input"),))

REMAP_IMAGE = NodeSpec(
    "remap_image", "texgen_filters.remap:remap_image",
    "Copy an image file's pixels from where a uv map points: an exemplar's aligned maps.",
    inputs=(_UV,),
    outputs=(Port("out", "any", "file[floor(v * h), floor(u * w)] with the file read at its "
                  "own size: copies of its pixels, its channel count (gray with alpha "
                  "becomes rgba)."),),
    params=(
        Param("image", "path", None, "Image aligned with the exemplar (its height, "
              "roughness, normal map...: same size), relative to the preset file's folder; "
              "read at its own size, so its pixels follow the exemplar's exactly."),
    ))

_PACK_INPUTS = (
    ("ao", "Ambient occlusion: red of orm, green of unity_mask; unconnected 1."),
    ("roughness", "Roughness: green of orm; unity_mask stores 1 - roughness (smoothness) "
     "in alpha; unconnected 0.5."),
    ("metallic", "Metallic: blue of orm, red of unity_mask; unconnected 0."),
    ("detail", "Detail mask: blue of unity_mask; unconnected 1."),
    ("red", "Red channel of the custom packing; unconnected 0."),
    ("green", "Green channel of the custom packing; unconnected 0."),
    ("blue", "Blue channel of the custom packing; unconnected 0."),
    ("alpha", "Alpha of the custom packing; connected makes the output rgba."),
)

CHANNEL_PACK = NodeSpec(
    "channel_pack", "texgen_filters.material:channel_pack",
    "Pack gray maps into R/G/B/A: Unreal ORM, Unity mask map or a custom layout.",
    inputs=tuple(Port(name, "gray", doc, optional=True) for name, doc in _PACK_INPUTS),
    outputs=(Port("out", "any", "orm: color (AO, roughness, metallic); unity_mask: rgba "
                  "(metallic, AO, detail, smoothness); custom: color, or rgba with alpha. "
                  "Clamped to [0, 1]."),),
    params=(
        Param("preset", "enum", "orm", "Channel layout: 'orm' (Unreal), 'unity_mask' "
              "(HDRP mask map) or 'custom' (red, green, blue, alpha inputs); inputs the "
              "layout does not use are ignored.",
              choices=("orm", "unity_mask", "custom")),
    ))

IMAGE_INPUT = NodeSpec(
    "image_input", "texgen_filters.material:image_input",
    "Load a PNG, JPEG or TIFF file (path relative to the preset) at the render size.",
    outputs=(Port("out", "any", "The image as the file has it: gray, color or rgba (gray "
                  "with alpha becomes rgba)."),
             Port("color", "color", "The colors (a gray image repeated in r, g, b)."),
             Port("gray", "gray", "Rec. 709 luma of the colors (a gray image as is)."),
             Port("alpha", "gray", "The file's alpha; 1 without one.")),
    params=(
        Param("path", "path", None, "Image file, relative to the preset file's folder; "
              "stretched to the render size (area average when shrinking, bilinear when "
              "enlarging)."),
    ))

NODES = (BLUR, SHARPEN, DIRECTIONAL_BLUR, SLOPE_BLUR, DIRECTIONAL_WARP, TRANSFORM, EMBOSS,
         EDGE_DETECT, DISTANCE, FLOOD_FILL, AMBIENT_OCCLUSION, CURVATURE, HEIGHT_BLEND,
         MAKE_TILEABLE, CHANNEL_PACK, IMAGE_INPUT, REMAP, REMAP_IMAGE)
