"""Node spec of filters.image_to_material (see __init__.py): only texgen.nodes is imported
here, so listing nodes stays light. docs/maps.md documents the node and ``texgen maps``.
"""

from texgen.nodes import NodeSpec, Param, Port

IMAGE_TO_MATERIAL = NodeSpec(
    "image_to_material", "texgen_filters.image_to_material:image_to_material",
    "PBR maps from a color photo (classical estimate): delit basecolor, height, normal, AO, "
    "roughness.",
    scratch=32,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    inputs=(Port("input", "color", "The photo, values as stored in [0, 1]; a tiling photo "
                 "gives tiling maps when the preset is tileable."),),
    outputs=(
        Port("basecolor", "color", "The photo with its large-scale lighting divided out "
             "(high-pass in log space), mean brightness kept; clamped to [0, 1]."),
        Port("height", "gray", "Float height in [0, 1] from a weighted sum of luminance "
             "band-passes: dark is read as deep, bright as high."),
        Port("normal", "color", "filters.normal_map of the height: 0.5 + 0.5 n, flat is "
             "(0.5, 0.5, 1)."),
        Port("ao", "gray", "filters.ambient_occlusion of the height: 1 open, darker in "
             "cavities."),
        Port("roughness", "gray", "Heuristic roughness: higher where the fine-scale "
             "luminance contrast is above the texture's average."),
    ),
    params=(
        Param("delight", "float", 1.0, "Share of the large-scale lighting removed from the "
              "basecolor and the height: 0 keeps the photo as is.", min=0.0, max=1.0),
        Param("delight_radius", "float", 0.1, "Scale of the lighting removed, in fractions "
              "of the texture width (Gaussian standard deviation): anything much wider "
              "counts as lighting.", min=0.01, max=1.0),
        Param("height_radius", "float", 0.05, "Widest features the height follows, in "
              "fractions of the texture width (the coarsest band).", min=0.002, max=0.5),
        Param("height_bands", "int", 4, "Number of octave bands below height_radius summed "
              "into the height.", min=1, max=8),
        Param("detail", "float", 0.6, "Weight of each band relative to the next coarser "
              "one: 1 keeps the fine grain as strong as the broad shapes.",
              min=0.0, max=1.0),
        Param("invert", "bool", False, "Read bright as deep instead of high: light mortar "
              "or grout, dark raised stones."),
        Param("strength", "float", 0.6, "Relief depth of the normal map: a height change of "
              "1.0 rises strength percent of the texture width (0.6: the depth with the "
              "least normal error over texgen's rendered materials, docs/maps.md).",
              min=0.0, max=100.0),
        Param("convention", "enum", "opengl", "Normal map green channel: opengl (Y+, up) or "
              "directx (Y-, down).", choices=("opengl", "directx")),
        Param("ao_radius", "float", 0.02, "Largest distance that occludes, in fractions of "
              "the texture width (as filters.ambient_occlusion).", min=0.001, max=0.5),
        Param("ao_strength", "float", 10.0, "Relief depth for the AO, percent of the width "
              "per unit of height (as filters.ambient_occlusion).", min=0.0, max=100.0),
        Param("roughness", "float", 0.7, "Roughness at the texture's average contrast.",
              min=0.0, max=1.0),
        Param("roughness_variation", "float", 0.3, "How far roughness moves with local "
              "contrast, up or down from 'roughness'.", min=0.0, max=1.0),
        Param("roughness_radius", "float", 0.004, "Scale of the local contrast read for "
              "roughness, in fractions of the texture width.", min=0.0005, max=0.1),
    ))

NODES = (IMAGE_TO_MATERIAL,)
