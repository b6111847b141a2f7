"""texgen_noise: tileable lattice noises (Perlin, simplex) with fractal octaves.

Registers ``noise.perlin`` and ``noise.simplex``. Implementations live in
``texgen_noise.nodes`` and are named by "module:function" strings, so listing nodes never
imports numba or compiles a kernel. See docs/noise.md.
"""

from texgen.hookspecs import hookimpl
from texgen.nodes import NodeSpec, Param, Port

#: Parameters shared by every fractal noise, in FastNoiseLite's vocabulary.
FRACTAL_PARAMS = (
    Param("frequency", "float", 4.0,
          "First-octave frequency in cycles (lattice cells) per texture width; the height "
          "gets the same cell size. Rounded to a whole period per octave when tileable. "
          "Default 4.0, range 0.01..1024.", min=0.01, max=1024.0),
    Param("fractal", "enum", "fbm",
          "How octaves combine: 'none' (one octave), 'fbm' (sum, mid-gray 0.5 on average) or "
          "'ridged' (sum of 1 - |noise|, 1 on the ridges). Default 'fbm'.",
          choices=("none", "fbm", "ridged")),
    Param("octaves", "int", 5,
          "Number of octaves summed; ignored when fractal is 'none'. Default 5, range 1..16.",
          min=1, max=16),
    Param("lacunarity", "float", 2.0,
          "Frequency ratio between successive octaves. Default 2.0, range 1.0..4.0.",
          min=1.0, max=4.0),
    Param("gain", "float", 0.5,
          "Amplitude ratio between successive octaves (persistence). Default 0.5, "
          "range 0.0..1.0.", min=0.0, max=1.0),
)

_OUT = (Port("out", "gray", "Noise in [0, 1]."),)


@hookimpl
def register_nodes(register):
    register(NodeSpec(
        "perlin", "texgen_noise.nodes:perlin",
        "Tileable Perlin gradient noise with fractal octaves, in [0, 1].",
        outputs=_OUT, params=FRACTAL_PARAMS))
    register(NodeSpec(
        "simplex", "texgen_noise.nodes:simplex",
        "Tileable OpenSimplex2-style simplex noise with fractal octaves, in [0, 1].",
        outputs=_OUT, params=FRACTAL_PARAMS))
    register(NodeSpec(
        "opensimplex", "texgen_noise.opensimplex_compat:opensimplex_node",
        "OpenSimplex noise equal to the opensimplex package's (0.5 + 0.5 n); does not tile.",
        outputs=_OUT, params=(
            Param("scale", "float", 8.0,
                  "Noise coordinate units per texture width (column c samples x = offset_x "
                  "+ c * scale / width; rows use the same spacing). Default 8.0, range "
                  "0.0001..1e6.", min=0.0001, max=1e6),
            Param("offset_x", "float", 0.0,
                  "x of the first column. Default 0.0, range -1e9..1e9.", min=-1e9, max=1e9),
            Param("offset_y", "float", 0.0,
                  "y of the first row. Default 0.0, range -1e9..1e9.", min=-1e9, max=1e9),
            Param("z", "float", 0.0,
                  "Third coordinate, used when dimensions is '3d'. Default 0.0, range "
                  "-1e9..1e9.", min=-1e9, max=1e9),
            Param("dimensions", "enum", "2d",
                  "'2d' (opensimplex noise2) or '3d' (noise3 at z). Default '2d'.",
                  choices=("2d", "3d")),
        )))
