"""texgen_patterns: structured, tileable pattern generators (bricks, tiles, shapes, ...).

Registered under the entry point name ``patterns``: ``patterns.bricks``, ``patterns.tiles``,
``patterns.hexagons``, ``patterns.triangles``, ``patterns.checker``, ``patterns.stripes``,
``patterns.waves``, ``patterns.linear_gradient``, ``patterns.radial_gradient``,
``patterns.shape``, ``patterns.scatter``, ``patterns.voronoi_mosaic`` and
``patterns.scratches``. Implementations are named by "module:function" strings, so listing
nodes imports neither NumPy-heavy modules nor numba. Sizes are fractions of the texture
width (or counts per texture), never pixels. See docs/patterns.md.
"""

from texgen.hookspecs import hookimpl
from texgen.nodes import NodeSpec, Param, Port

_DEG = "degrees, counter-clockwise on screen"


def _height_out(what: str) -> Port:
    return Port("height", "gray", f"Bevelled {what}: 0 in the gaps, rising over the bevel to "
                "each cell's top (1 minus its random height variation).")


def _mask_out(what: str) -> Port:
    return Port("mask", "gray", f"1 on {what}, 0 in the gaps, anti-aliased over about one "
                "pixel.")


def _id_out(what: str) -> Port:
    return Port("id", "gray", f"A random value in [0, 1) per {what}, constant over the whole "
                "cell (gap included); multiply by mask to keep the cells only.")


def _gap(name: str, default: float, unit: str) -> Param:
    return Param(name, "float", default, f"Width of the gap between neighbouring cells, as a "
                 f"fraction of {unit}.", min=0.0, max=0.5)


def _bevel(default: float, unit: str) -> Param:
    return Param("bevel", "float", default, f"Width of the height ramp from a cell's edge up "
                 f"to its flat top, as a fraction of {unit}; 0 gives vertical walls.",
                 min=0.0, max=0.5)


def _height_variation(default: float) -> Param:
    return Param("height_variation", "float", default, "Each cell's top is 1 - "
                 "height_variation * r for a random r in [0, 1).",
                 min=0.0, max=1.0)


def _color_params(unit: str, background: str, default: str,
                  background_default: str) -> tuple[Param, ...]:
    """The parameters of a cell pattern's color output (``_common.cell_color``):
    ``unit`` is the cell's name, ``background`` the name of what lies between cells."""
    return (
        Param("color", "color", default, f"Base {unit} color of the color output."),
        Param("color_variation", "float", 0.3, f"Per-{unit} color spread: brightness scaled "
              "by 1 + color_variation * (r - 0.5) and each channel shifted by up to "
              "+-0.05 * color_variation.", min=0.0, max=1.0),
        Param(f"{background}_color", "color", background_default, f"Color of the "
              f"{background} in the color output."),
    )


def _masonry_params(unit: str) -> tuple[Param, ...]:
    """Shared by bricks and tiles, after their layout parameters; ``unit`` is "brick" or
    "tile"."""
    side = f"a {unit}'s shorter side"
    return (
        _gap("mortar", 0.1, side),
        _bevel(0.1, side),
        Param("roundness", "float", 0.0, f"Corner radius as a fraction of {side}; 0.5 rounds "
              "the short ends fully.", min=0.0, max=0.5),
        _height_variation(0.2),
        Param("rotation_variation", "float", 0.0, f"Each {unit} turns about its centre by a "
              "random angle up to this many degrees either way, shrunk to stay inside its "
              "cell.", min=0.0, max=30.0),
        *_color_params(unit, "mortar", "#9c4a33", "#b5ab9b"),
    )


def _color_out(unit: str, background: str) -> Port:
    return Port("color", "color", f"Each {unit}'s varied color over the {background} color, "
                "blended by the mask.")


def _masonry_outputs(unit: str) -> tuple[Port, ...]:
    return (_height_out(f"{unit}s"), _mask_out(f"{unit}s"), _id_out(unit),
            _color_out(unit, "mortar"))


BRICKS = NodeSpec(
    "bricks", "texgen_patterns.tiles:bricks",
    "Brick wall: rows of bricks with mortar, bevel, row offset and per-brick variation.",
    version=2,
    outputs=_masonry_outputs("brick"),
    params=(
        Param("rows", "int", 8, "Brick rows per texture height.",
              min=1, max=256),
        Param("columns", "int", 4, "Bricks per row per texture width.",
              min=1, max=256),
        Param("offset", "float", 0.5, "Row r is shifted right by r * offset bricks: 0.5 is "
              "the running bond, 0 stacks the bricks, 0.25 steps them.",
              min=0.0, max=1.0),
        Param("offset_variation", "float", 0.0, "Extra random shift of each row, up to "
              "+-offset_variation / 2 bricks.", min=0.0, max=1.0),
        *_masonry_params("brick"),
    ))

TILES = NodeSpec(
    "tiles", "texgen_patterns.tiles:tiles",
    "Square tiles with grout: bricks without row offset, as many rows as keep them square.",
    version=2,
    outputs=_masonry_outputs("tile"),
    params=(
        Param("count", "int", 8, "Tiles per texture width; rows per height are chosen so the "
              "tiles stay square (rounded to whole rows when tileable).",
              min=1, max=256),
        *_masonry_params("tile"),
    ))

_GRID_COUNT = Param("count", "int", 8, "Cells per texture width; rows per height follow from "
                    "the cell shape (an even number when tileable, so cells may stretch a "
                    "little vertically).", min=1, max=256)

HEXAGONS = NodeSpec(
    "hexagons", "texgen_patterns.grids:hexagons",
    "Honeycomb of pointy-top hexagons with gaps, bevel, a random id and color per cell.",
    scratch=145,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    version=3,
    outputs=(_height_out("hexagons"), _mask_out("hexagons"), _id_out("hexagon"),
             _color_out("hexagon", "gap")),
    params=(_GRID_COUNT,
            Param("fit", "enum", "stretch", "How a tileable honeycomb fits the height, which "
                  "takes an even number of rows: 'stretch' keeps count and stretches the "
                  "cells vertically to fit (up to 15 % at small counts: count 6 on a square "
                  "is 6 rows, cells 15 % taller); 'regular' changes count to the nearest one "
                  "whose cells are within 4 % of regular (6 becomes 7 on a square). Without "
                  "tiling, cells are always regular.",
                  choices=("stretch", "regular")),
            _gap("gap", 0.05, "a cell's width"),
            _bevel(0.1, "a cell's width"), _height_variation(0.0),
            *_color_params("hexagon", "gap", "#8a9099", "#2b2e33")))

TRIANGLES = NodeSpec(
    "triangles", "texgen_patterns.grids:triangles",
    "Grid of equilateral triangles with gaps, bevel and a random id per cell.",
    scratch=104,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    version=2,
    outputs=(_height_out("triangles"), _mask_out("triangles"), _id_out("triangle")),
    params=(Param("count", "int", 8, "Triangle sides per texture width (twice as many "
                  "triangles per row); rows per height follow from the triangle shape (an "
                  "even number when tileable, so triangles may stretch a little vertically).",
                  min=1, max=256),
            _gap("gap", 0.05, "a triangle's side"),
            _bevel(0.1, "a triangle's side"), _height_variation(0.0)))

CHECKER = NodeSpec(
    "checker", "texgen_patterns.periodic:checker",
    "Checkerboard of anti-aliased squares, white in the top-left corner.",
    scratch=8,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    outputs=(Port("out", "gray", "1 on white squares, 0 on black ones."),),
    params=(Param("count", "int", 8, "Squares per texture width; must be even when tileable. "
                  "Rows per height keep the squares square (an even number when tileable).",
                  min=1, max=1024),))

_DIRECTION = Param("angle", "float", 0.0, f"Direction the pattern varies along, in {_DEG}: "
                   "0 gives vertical bands, 90 horizontal ones. When tileable the direction "
                   "is snapped so that whole periods fit across the width and the height.",
                   min=-360.0, max=360.0)
_OFFSET = Param("offset", "float", 0.0, "Phase shift, in periods; frames at offset i/N loop.",
                min=0.0, max=1.0)

STRIPES = NodeSpec(
    "stripes", "texgen_patterns.periodic:stripes",
    "Straight anti-aliased stripes at any angle, snapped to whole periods when tileable.",
    outputs=(Port("out", "gray", "1 on the stripes, 0 between them."),),
    params=(
        Param("count", "int", 8, "Stripe periods per texture width, measured across the "
              "stripes.", min=1, max=1024),
        _DIRECTION,
        Param("width", "float", 0.5, "Fraction of each period that is white (duty cycle).",
              min=0.0, max=1.0),
        Param("softness", "float", 0.0, "Width of each edge's ramp as a fraction of the "
              "period (on top of the one-pixel anti-aliasing).",
              min=0.0, max=1.0),
        _OFFSET,
    ))

WAVES = NodeSpec(
    "waves", "texgen_patterns.periodic:waves",
    "Sine stripes whose crests wave sideways: amplitude and frequency of the distortion.",
    outputs=(Port("out", "gray", "0.5 + 0.5 cos(2 pi (phase + wobble)), in [0, 1]."),),
    params=(
        Param("count", "int", 8, "Wave periods per texture width, measured across the crests.",
              min=1, max=1024),
        _DIRECTION,
        Param("amplitude", "float", 0.02, "How far the crests move sideways, as a fraction of "
              "the texture width.", min=0.0, max=0.5),
        Param("frequency", "float", 4.0, "Wobbles per texture width along the crests (whole "
              "periods when tileable; 0 for straight crests).",
              min=0.0, max=256.0),
        _OFFSET,
    ))

LINEAR_GRADIENT = NodeSpec(
    "linear_gradient", "texgen_patterns.gradients:linear_gradient",
    "Linear ramp along a direction, repeated; 'mirror' tiles, 'ramp' jumps at each period.",
    outputs=(Port("out", "gray", "The ramp (sawtooth or triangle wave), in [0, 1]."),),
    params=(
        Param("angle", "float", 0.0, f"Direction the ramp rises along, in {_DEG}: 0 rises "
              "left to right. Snapped to whole periods across the width and height when "
              "tileable.", min=-360.0, max=360.0),
        Param("repeat", "int", 1, "Periods per texture width along the direction.",
              min=1, max=256),
        Param("mode", "enum", "ramp", "'ramp': 0 to 1 then back to 0 at once (a sawtooth; "
              "the jump is anti-aliased but shows where the texture wraps); 'mirror': 0 to 1 "
              "and back down (a triangle wave, seamless).",
              choices=("ramp", "mirror")),
        _OFFSET,
    ))

RADIAL_GRADIENT = NodeSpec(
    "radial_gradient", "texgen_patterns.gradients:radial_gradient",
    "Radial falloff from 1 at a centre to 0 at a radius (linear, smooth or dome profile).",
    outputs=(Port("out", "gray", "The falloff: 1 at the centre, 0 from the radius on."),),
    params=(
        Param("center_x", "float", 0.5, "Centre across the width, in UV (0 left, 1 right).",
              min=0.0, max=1.0),
        Param("center_y", "float", 0.5, "Centre down the height, in UV (0 top, 1 bottom).",
              min=0.0, max=1.0),
        Param("radius", "float", 0.5, "Distance at which the value reaches 0, as a fraction of "
              "the texture width.", min=0.001, max=4.0),
        Param("profile", "enum", "linear", "Falloff with t = 1 - distance / radius: 'linear' "
              "t, 'smooth' t^2 (3 - 2t), 'dome' sqrt(1 - (1 - t)^2) (a hemisphere).",
              choices=("linear", "smooth", "dome")),
    ))

_SHAPE_KIND = Param("shape", "enum", "circle", "'circle', 'polygon' (regular, sides corners) "
                    "or 'star' (sides points).",
                    choices=("circle", "polygon", "star"))
_SIDES = Param("sides", "int", 5, "Corners of a polygon or points of a star; a corner points "
               "up at rotation 0.", min=3, max=64)
_INNER = Param("inner_radius", "float", 0.5, "Star only: radius of the inner corners as a "
               "fraction of the outer radius.", min=0.05, max=1.0)

SHAPE = NodeSpec(
    "shape", "texgen_patterns.shapes:shape",
    "A circle, polygon or star with a soft edge, optionally repeated on a grid.",
    outputs=(Port("out", "gray", "Coverage: 1 inside, 0 outside, the soft edge centred on the "
                  "outline (anti-aliased over about one pixel)."),
             Port("height", "gray", "1 at the centre falling linearly to 0 at the outline "
                  "(a cone or pyramid), for bevels and domes.")),
    params=(
        _SHAPE_KIND, _SIDES, _INNER,
        Param("size", "float", 0.8, "Outer diameter as a fraction of the grid cell's shorter "
              "side (the whole texture width when count is 1); above 1 neighbours overlap.",
              min=0.01, max=2.0),
        Param("softness", "float", 0.0, "Width of the soft edge as a fraction of the outer "
              "radius.", min=0.0, max=1.0),
        Param("rotation", "float", 0.0, f"Rotation in {_DEG}.",
              min=-360.0, max=360.0),
        Param("count", "int", 1, "Grid cells per texture width, one shape each; rows per "
              "height keep the cells square (whole rows when tileable).",
              min=1, max=256),
    ))

SCATTER = NodeSpec(
    "scatter", "texgen_patterns.scatter:scatter",
    "Scatter a shape or an input texture at random positions, sizes and rotations.",
    scratch=30,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    version=2,
    inputs=(Port("input", "gray", "A texture to stamp instead of the shape, scaled to size "
                 "(keeping its aspect) and rotated; unconnected: the shape.", optional=True),),
    outputs=(Port("out", "gray", "The instances blended together; 'add' can exceed 1."),
             Port("id", "gray", "A random value in (0, 1] of the instance that contributes "
                  "most at each pixel; 0 where there is none.")),
    params=(
        Param("count", "int", 40, "Instances per texture. Adding instances keeps the existing "
              "ones where they are.", min=1, max=10000),
        _SHAPE_KIND, _SIDES, _INNER,
        Param("size", "float", 0.1, "Largest instance diameter (an input texture's width) as "
              "a fraction of the texture width.",
              min=0.001, max=1.0),
        Param("size_variation", "float", 0.5, "Each instance is scaled by 1 - "
              "size_variation * r, r random in [0, 1).",
              min=0.0, max=1.0),
        Param("rotation", "float", 0.0, f"Base rotation in {_DEG}.",
              min=-360.0, max=360.0),
        Param("rotation_variation", "float", 180.0, "Random extra rotation, up to this many "
              "degrees either way.", min=0.0, max=180.0),
        Param("softness", "float", 0.0, "Soft edge of the shapes as a fraction of each "
              "instance's radius (ignored for an input texture).",
              min=0.0, max=1.0),
        Param("value_variation", "float", 0.0, "Each instance's intensity is 1 - "
              "value_variation * r, r random in [0, 1).",
              min=0.0, max=1.0),
        Param("blend", "enum", "max", "How overlapping instances combine: 'max' or 'add' "
              "(unclamped).", choices=("max", "add")),
    ))

VORONOI_MOSAIC = NodeSpec(
    "voronoi_mosaic", "texgen_patterns.cells:voronoi_mosaic",
    "Voronoi cells (the noise plugin's cellular node) with gaps, bevel and a value per cell.",
    scratch=16,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    version=2,
    outputs=(_height_out("cells"), _mask_out("cells"),
             Port("id", "gray", "noise.cellular's cell_value: a random value in [0, 1) per "
                  "cell, constant over the whole cell (gap included).")),
    params=(
        Param("frequency", "float", 8.0, "Cells per texture width, as noise.cellular's "
              "frequency (rounded to whole cells when tileable).",
              min=0.5, max=256.0),
        Param("jitter", "float", 1.0, "How far the cell centres stray from a regular grid, as "
              "noise.cellular's jitter.", min=0.0, max=1.0),
        _gap("gap", 0.05, "the cell size (1 / frequency)"),
        _bevel(0.1, "the cell size (1 / frequency)"),
        _height_variation(0.0),
    ))

SCRATCHES = NodeSpec(
    "scratches", "texgen_patterns.lines:scratches",
    "Many thin random line segments (scratches, or fibres with many long aligned lines).",
    scratch=8,  # measured: benchmarks/node_scratch.py --size 2048 (--channels 3 and 4)
    version=2,
    outputs=(Port("out", "gray", "The segments, max-blended, in [0, 1]."),),
    params=(
        Param("count", "int", 200, "Segments per texture.",
              min=1, max=100000),
        Param("length", "float", 0.15, "Longest segment length as a fraction of the texture "
              "width.", min=0.001, max=2.0),
        Param("length_variation", "float", 0.5, "Each segment's length is scaled by 1 - "
              "length_variation * r, r random in [0, 1).",
              min=0.0, max=1.0),
        Param("thickness", "float", 0.003, "Line width as a fraction of the texture width; "
              "lines thinner than a pixel are drawn one pixel wide and proportionally "
              "fainter.", min=0.0001, max=0.05),
        Param("angle", "float", 0.0, f"Mean direction in {_DEG}.",
              min=-360.0, max=360.0),
        Param("angle_spread", "float", 180.0, "Directions are spread uniformly over this many "
              "degrees around angle (180: every direction).",
              min=0.0, max=180.0),
        Param("taper", "float", 0.5, "How much the width narrows towards the ends (1: to a "
              "point).", min=0.0, max=1.0),
        Param("value_variation", "float", 0.5, "Each segment's intensity is 1 - "
              "value_variation * r, r random in [0, 1).",
              min=0.0, max=1.0),
    ))

NODES = (BRICKS, TILES, HEXAGONS, TRIANGLES, CHECKER, STRIPES, WAVES, LINEAR_GRADIENT,
         RADIAL_GRADIENT, SHAPE, SCATTER, VORONOI_MOSAIC, SCRATCHES)
#: Specs by plugin-local id, for the implementations' parameter checks.
SPECS = {spec.id: spec for spec in NODES}


@hookimpl
def register_nodes(register):
    """Register the pattern nodes."""
    for spec in NODES:
        register(spec)
