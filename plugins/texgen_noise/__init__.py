"""texgen_noise: tileable lattice noises (Perlin, simplex, value, cellular, ...) with fractals.

Registers ``noise.perlin``, ``noise.simplex``, ``noise.value``, ``noise.value_cubic``,
``noise.cellular`` and ``noise.white``. Implementations live in
``texgen_noise.nodes`` and are named by "module:function" strings, so listing nodes never
imports numba or compiles a kernel. See docs/noise.md.
"""

from texgen.hookspecs import hookimpl
from texgen.nodes import NodeSpec, Param, Port

#: Parameters shared by every fractal noise, in FastNoiseLite's vocabulary.
FRACTAL_PARAMS = (
    Param("frequency", "float", 4.0,
          "First-octave frequency in cycles (lattice cells) per texture width; the height "
          "gets the same cell size. Rounded to a whole period per octave when tileable.",
          min=0.01, max=1024.0),
    Param("fractal", "enum", "fbm",
          "How octaves combine: 'none' (one octave), 'fbm' (sum, mid-gray 0.5 on average), "
          "'ridged' (sum of 1 - |noise|, 1 on the ridges), 'billow' (sum of |noise|, "
          "puffy) or 'pingpong' (sum of a triangle wave of the noise, terraced bands).",
          choices=("none", "fbm", "ridged", "billow", "pingpong")),
    Param("octaves", "int", 5,
          "Number of octaves summed; ignored when fractal is 'none'.",
          min=1, max=16),
    Param("lacunarity", "float", 2.0,
          "Frequency ratio between successive octaves.",
          min=1.0, max=4.0),
    Param("gain", "float", 0.5,
          "Amplitude ratio between successive octaves (persistence).",
          min=0.0, max=1.0),
    Param("weighted_strength", "float", 0.0,
          "How much each octave's value scales the amplitude of the octaves after it "
          "(FastNoiseLite's weighted strength): detail fades where the octaves above are "
          "dark. 0 disables it.", min=0.0, max=1.0),
    Param("ping_pong_strength", "float", 2.0,
          "For fractal 'pingpong': the octave's noise n becomes a triangle wave of "
          "(n + 1) * strength, so higher values give more bands.",
          min=0.1, max=16.0),
)

#: The looping third axis and the domain warp, shared by every lattice noise.
MOTION_PARAMS = (
    Param("phase", "float", 0.0,
          "Position in the animation loop when loop_depth > 0: phase 1 (any integer) gives "
          "the same texture as phase 0, so frames at phase i/N for i = 0..N-1 loop.",
          min=-1e6, max=1e6),
    Param("loop_depth", "int", 0,
          "0: 2-D noise. n >= 2: 3-D noise, sliced at a depth that travels n first-octave "
          "cells along the third axis per unit of phase, wrapping so that it loops "
          "(octave k travels round(n * lacunarity**k) of its cells); 2 goes back and forth "
          "between two lattice planes, 3 or more never retraces. 1 is an error (a single "
          "plane).", min=0, max=64),
    Param("warp", "enum", "none",
          "Domain warp: sample the noise at points moved by a fractal Perlin vector field. "
          "'independent' sums each warp octave's displacement of the original point; "
          "'progressive' moves the point octave by octave, so the warp folds on itself. "
          "Tiles as the noise does.",
          choices=("none", "independent", "progressive")),
    Param("warp_amplitude", "float", 0.1,
          "Largest warp displacement, in texture widths.",
          min=0.0, max=4.0),
    Param("warp_frequency", "float", 2.0,
          "First-octave frequency of the warp field in cycles per texture width (rounded "
          "like frequency when tileable).",
          min=0.01, max=1024.0),
    Param("warp_octaves", "int", 3,
          "Octaves of the warp field; it shares the noise's lacunarity and gain.",
          min=1, max=16),
)

#: Cellular: one octave by default (classic Worley cells), plus its own parameters.
CELLULAR_PARAMS = (
    *(Param("fractal", "enum", "none", p.doc,
            choices=p.choices) if p.name == "fractal" else p for p in FRACTAL_PARAMS),
    *MOTION_PARAMS,
    Param("distance", "enum", "euclidean",
          "Distance to the feature points: 'euclidean', 'euclidean_sq' (squared), "
          "'manhattan' (|dx| + |dy|, diamonds) or 'chebyshev' (max(|dx|, |dy|), squares).",
          choices=("euclidean", "euclidean_sq", "manhattan", "chebyshev")),
    Param("return_type", "enum", "f1",
          "What each pixel shows, with F1/F2 the distances to the nearest / second-nearest "
          "feature point divided by their largest possible value: 'f1', 'f2', "
          "'f2_minus_f1' (cell borders dark), 'f2_plus_f1', 'f1_times_f2', or 'cell_value' "
          "(a flat random value per cell).",
          choices=("f1", "f2", "f2_minus_f1", "f2_plus_f1", "f1_times_f2", "cell_value")),
    Param("jitter", "float", 1.0,
          "How far feature points stray from their cell's centre: 0 is a regular grid, 1 "
          "up to 0.4 cell on each axis.", min=0.0, max=1.0),
)

NOISE_PARAMS = (*FRACTAL_PARAMS, *MOTION_PARAMS)

_OUT = (Port("out", "gray", "Noise in [0, 1]."),)


#: The lattice noises share one math, compiled for the CPU and for CUDA (kernels.py).
_BACKENDS = ("cpu", "cuda")


@hookimpl
def register_nodes(register):
    register(NodeSpec(
        "perlin", "texgen_noise.nodes:perlin",
        "Tileable Perlin gradient noise with fractal octaves, in [0, 1].",
        outputs=_OUT, params=NOISE_PARAMS, backends=_BACKENDS))
    register(NodeSpec(
        "simplex", "texgen_noise.nodes:simplex",
        "Tileable OpenSimplex2-style simplex noise with fractal octaves, in [0, 1].",
        outputs=_OUT, params=NOISE_PARAMS, backends=_BACKENDS))
    register(NodeSpec(
        "value", "texgen_noise.nodes:value",
        "Tileable value noise (lattice values, quintic blend) with fractal octaves, in [0, 1].",
        outputs=_OUT, params=NOISE_PARAMS, backends=_BACKENDS))
    register(NodeSpec(
        "value_cubic", "texgen_noise.nodes:value_cubic",
        "Tileable cubic value noise (FastNoiseLite's ValueCubic) with fractal octaves, in "
        "[0, 1].",
        outputs=_OUT, params=NOISE_PARAMS, backends=_BACKENDS))
    register(NodeSpec(
        "cellular", "texgen_noise.nodes:cellular",
        "Tileable cellular (Worley) noise: distances to feature points or cell values, in "
        "[0, 1].",
        outputs=_OUT, params=CELLULAR_PARAMS, backends=_BACKENDS))
    register(NodeSpec(
        "white", "texgen_noise.nodes:white",
        "White noise: one random value per pixel in [0, 1) (not resolution independent).",
        outputs=_OUT, backends=_BACKENDS))
    register(NodeSpec(
        "opensimplex", "texgen_noise.opensimplex_compat:opensimplex_node",
        "OpenSimplex noise equal to the opensimplex package's (0.5 + 0.5 n); does not tile.",
        outputs=_OUT, params=(
            Param("scale", "float", 8.0,
                  "Noise coordinate units per texture width (column c samples x = offset_x "
                  "+ c * scale / width; rows use the same spacing).",
                  min=0.0001, max=1e6),
            Param("offset_x", "float", 0.0,
                  "x of the first column.", min=-1e9, max=1e9),
            Param("offset_y", "float", 0.0,
                  "y of the first row.", min=-1e9, max=1e9),
            Param("z", "float", 0.0,
                  "Third coordinate, used when dimensions is '3d'.",
                  min=-1e9, max=1e9),
            Param("dimensions", "enum", "2d",
                  "'2d' (opensimplex noise2) or '3d' (noise3 at z).",
                  choices=("2d", "3d")),
        )))
