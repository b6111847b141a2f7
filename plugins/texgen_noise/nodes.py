"""Noise node implementations and the per-octave lattice plan they share.

Each node returns a float32, C-contiguous (H, W, 1) texture in [0, 1]. The kernels are
compiled on the first render (or loaded from numba's disk cache), not on import.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from texgen.nodes import NodeContext
from texgen_noise import kernels

FRACTALS = ("none", "fbm", "ridged")
_FRACTAL_CODES = {"none": kernels.FRACTAL_FBM, "fbm": kernels.FRACTAL_FBM,
                  "ridged": kernels.FRACTAL_RIDGED}

#: Lattice geometry per noise: (row spacing in lattice units, row periods must be a multiple
#: of this). Simplex rows are sqrt(3)/2 apart and wrap only after an even number of rows.
_LATTICE_ROWS = {kernels.NOISE_PERLIN: (1.0, 1), kernels.NOISE_SIMPLEX: (kernels.ROW_HEIGHT, 2)}


class OctaveLattices(NamedTuple):
    """Per-octave lattice scales and periods, each an array of length ``octaves``.

    ``scale_x``/``scale_y`` (float64) are lattice units per texture width / rows per texture
    height; ``period_x``/``period_y`` (int64) wrap the lattice, 0 meaning no wrapping.
    """

    scale_x: np.ndarray
    scale_y: np.ndarray
    period_x: np.ndarray
    period_y: np.ndarray


def round_half_up(value: float) -> int:
    """``value`` rounded to the nearest integer, halves up (2.5 -> 3, unlike ``round``)."""
    return math.floor(value + 0.5)


def octave_lattices(noise: int, *, frequency: float, octaves: int, lacunarity: float,
                    width: int, height: int, tileable: bool) -> OctaveLattices:
    """The lattice of every octave of ``noise`` (``kernels.NOISE_*``) for a width x height image.

    Octave k has frequency ``f = frequency * lacunarity**k`` cycles per width and
    ``f * height / width`` per height, so cells stay square (simplex: equilateral). Tileable
    lattices round these to whole periods: ``max(1, round(f))`` along x and
    ``max(1, round(f * height / width))`` along y; simplex counts y in rows (``2/sqrt(3)``
    per cycle) rounded to an even number, at least 2.
    """
    row_spacing, row_multiple = _LATTICE_ROWS[noise]
    lattices = OctaveLattices(np.empty(octaves), np.empty(octaves),
                              np.zeros(octaves, np.int64), np.zeros(octaves, np.int64))
    for k in range(octaves):
        cycles_x = frequency * lacunarity ** k
        rows_y = cycles_x * height / width / row_spacing
        if tileable:
            cycles_x = max(1, round_half_up(cycles_x))
            rows_y = row_multiple * max(1, round_half_up(rows_y / row_multiple))
            lattices.period_x[k] = cycles_x
            lattices.period_y[k] = rows_y
        lattices.scale_x[k] = cycles_x
        lattices.scale_y[k] = rows_y
    return lattices


def _render(noise: int, ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
            lacunarity: float, gain: float) -> np.ndarray:
    if ctx.backend != "cpu":
        raise NotImplementedError(f"node '{ctx.node_id}': backend {ctx.backend!r} is not "
                                  f"supported by texgen_noise yet (only 'cpu')")
    if fractal not in _FRACTAL_CODES:
        raise ValueError(f"node '{ctx.node_id}': fractal must be one of {', '.join(FRACTALS)}, "
                         f"got {fractal!r}")
    if fractal == "none":
        octaves = 1
    lattices = octave_lattices(noise, frequency=frequency, octaves=octaves,
                               lacunarity=lacunarity, width=ctx.width, height=ctx.height,
                               tileable=ctx.tileable)
    # Octave k uses seed + k (as FastNoiseLite does), wrapped to 32 bits.
    seeds = (ctx.seed + np.arange(octaves, dtype=np.int64)) & kernels.MASK32
    weights = gain ** np.arange(octaves, dtype=np.float64)
    weights /= weights.sum()
    out = np.empty((ctx.height, ctx.width, 1), np.float32)
    kernels.cpu_kernels().fill_noise_cpu(out, noise, _FRACTAL_CODES[fractal], *lattices,
                                         seeds, weights)
    return out


def perlin(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
           lacunarity: float, gain: float) -> np.ndarray:
    """Perlin gradient noise with fractal octaves.

    Args:
        ctx: render context; ``width``, ``height``, ``seed``, ``tileable`` are used.
        frequency: lattice cells per texture width of the first octave.
        fractal: "none" (one octave), "fbm" or "ridged".
        octaves: number of octaves (ignored for "none").
        lacunarity: frequency ratio between successive octaves.
        gain: amplitude ratio between successive octaves.

    Returns:
        float32 C-contiguous array of shape (height, width, 1) in [0, 1]: fbm is
        0.5 + 0.5 * (weighted mean of octaves in [-1, 1]); ridged is the weighted mean of
        1 - |octave|, 1 on the ridges. Tiles when ``ctx.tileable``.
    """
    return _render(kernels.NOISE_PERLIN, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain)


def simplex(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
            lacunarity: float, gain: float) -> np.ndarray:
    """OpenSimplex2-style simplex noise on a periodic hexagonal lattice, with fractal octaves.

    Args and return value as for ``perlin``; ``frequency`` counts lattice points per texture
    width. When tileable, the number of lattice rows per texture height is rounded to an
    even integer, which stretches or squashes low octaves vertically (15 % taller at the
    default frequency 4 on a square texture; see docs/noise.md).
    """
    return _render(kernels.NOISE_SIMPLEX, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain)
