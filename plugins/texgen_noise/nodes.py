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

FRACTALS = ("none", "fbm", "ridged", "billow", "pingpong")
_FRACTAL_CODES = {"none": kernels.FRACTAL_FBM, "fbm": kernels.FRACTAL_FBM,
                  "ridged": kernels.FRACTAL_RIDGED, "billow": kernels.FRACTAL_BILLOW,
                  "pingpong": kernels.FRACTAL_PINGPONG}
#: Cellular distance functions and return types, by parameter value.
DISTANCES = {"euclidean": kernels.DISTANCE_EUCLIDEAN,
             "euclidean_sq": kernels.DISTANCE_EUCLIDEAN_SQ,
             "manhattan": kernels.DISTANCE_MANHATTAN,
             "chebyshev": kernels.DISTANCE_CHEBYSHEV}
RETURN_TYPES = {"f1": kernels.RETURN_F1, "f2": kernels.RETURN_F2,
                "f2_minus_f1": kernels.RETURN_F2_MINUS_F1,
                "f2_plus_f1": kernels.RETURN_F2_PLUS_F1,
                "f1_times_f2": kernels.RETURN_F1_TIMES_F2,
                "cell_value": kernels.RETURN_CELL_VALUE}

#: Lattice geometry per noise: (row spacing in lattice units, row periods must be a multiple
#: of this). Simplex rows are sqrt(3)/2 apart and wrap only after an even number of rows;
#: the others have square cells.
_LATTICE_ROWS = {kernels.NOISE_PERLIN: (1.0, 1), kernels.NOISE_SIMPLEX: (kernels.ROW_HEIGHT, 2),
                 kernels.NOISE_VALUE: (1.0, 1), kernels.NOISE_VALUE_CUBIC: (1.0, 1),
                 kernels.NOISE_CELLULAR: (1.0, 1)}


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


def _choice(ctx: NodeContext, name: str, value: str, choices) -> None:
    if value not in choices:
        raise ValueError(f"node '{ctx.node_id}': {name} must be one of {', '.join(choices)}, "
                         f"got {value!r}")


def _fill(noise: int, fractal: int, ctx: NodeContext, lattices: OctaveLattices,
          seeds: np.ndarray, weights: np.ndarray, *, weighted_strength: float = 0.0,
          ping_pong_strength: float = 2.0, distance: int = 0, return_type: int = 0,
          jitter: float = 1.0):
    """Run the kernel for ``ctx.backend``: a NumPy array on "cpu", a device array on "cuda".

    Scalars are converted so that one compiled signature serves all.
    """
    scalars = (float(weighted_strength), float(ping_pong_strength), int(distance),
               int(return_type), float(jitter))
    if ctx.backend == "cuda":
        from numba import cuda

        out = cuda.device_array((ctx.height, ctx.width, 1), np.float32)
        threads = (16, 16)
        blocks = (-(-ctx.height // 16), -(-ctx.width // 16))
        arrays = [cuda.to_device(np.ascontiguousarray(a)) for a in (*lattices, seeds, weights)]
        kernels.cuda_kernels().fill_noise_cuda[blocks, threads](
            out, int(noise), int(fractal), *arrays, *scalars)
        return out
    out = np.empty((ctx.height, ctx.width, 1), np.float32)
    kernels.cpu_kernels().fill_noise_cpu(out, int(noise), int(fractal), *lattices, seeds,
                                         weights, *scalars)
    return out


def _render(noise: int, ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
            lacunarity: float, gain: float, weighted_strength: float = 0.0,
            ping_pong_strength: float = 2.0, distance: int = 0, return_type: int = 0,
            jitter: float = 1.0) -> np.ndarray:
    _choice(ctx, "fractal", fractal, FRACTALS)
    if fractal == "none":
        octaves = 1
    lattices = octave_lattices(noise, frequency=frequency, octaves=octaves,
                               lacunarity=lacunarity, width=ctx.width, height=ctx.height,
                               tileable=ctx.tileable)
    # Octave k uses seed + k (as FastNoiseLite does), wrapped to 32 bits.
    seeds = (ctx.seed + np.arange(octaves, dtype=np.int64)) & kernels.MASK32
    weights = gain ** np.arange(octaves, dtype=np.float64)
    weights /= weights.sum()
    return _fill(noise, _FRACTAL_CODES[fractal], ctx, lattices, seeds, weights,
                 weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength,
                 distance=distance, return_type=return_type, jitter=jitter)


def perlin(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
           lacunarity: float, gain: float, weighted_strength: float = 0.0,
           ping_pong_strength: float = 2.0) -> np.ndarray:
    """Perlin gradient noise with fractal octaves.

    Args:
        ctx: render context; ``width``, ``height``, ``seed``, ``tileable`` are used.
        frequency: lattice cells per texture width of the first octave.
        fractal: "none" (one octave), "fbm", "ridged", "billow" or "pingpong".
        octaves: number of octaves (ignored for "none").
        lacunarity: frequency ratio between successive octaves.
        gain: amplitude ratio between successive octaves.
        weighted_strength: 0..1, how much each octave's value scales the amplitude of the
            octaves after it (FastNoiseLite's weighted strength; 0: not at all).
        ping_pong_strength: for "pingpong", how many half-waves the noise range spans / 2.

    Returns:
        float32 C-contiguous array of shape (height, width, 1) in [0, 1]: fbm is
        0.5 + 0.5 * (weighted mean of octaves in [-1, 1]); ridged is the weighted mean of
        1 - |octave|, 1 on the ridges; billow of |octave|; pingpong of a triangle wave of
        the octave (see docs/noise.md). Tiles when ``ctx.tileable``.
    """
    return _render(kernels.NOISE_PERLIN, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain,
                   weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength)


def simplex(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
            lacunarity: float, gain: float, weighted_strength: float = 0.0,
            ping_pong_strength: float = 2.0) -> np.ndarray:
    """OpenSimplex2-style simplex noise on a periodic hexagonal lattice, with fractal octaves.

    Args and return value as for ``perlin``; ``frequency`` counts lattice points per texture
    width. When tileable, the number of lattice rows per texture height is rounded to an
    even integer, which stretches or squashes low octaves vertically (15 % taller at the
    default frequency 4 on a square texture; see docs/noise.md).
    """
    return _render(kernels.NOISE_SIMPLEX, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain,
                   weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength)


def value(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
          lacunarity: float, gain: float, weighted_strength: float = 0.0,
          ping_pong_strength: float = 2.0) -> np.ndarray:
    """Value noise (random lattice values blended with the quintic fade), fractal octaves.

    Args and return value as for ``perlin``.
    """
    return _render(kernels.NOISE_VALUE, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain,
                   weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength)


def value_cubic(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
                lacunarity: float, gain: float, weighted_strength: float = 0.0,
                ping_pong_strength: float = 2.0) -> np.ndarray:
    """FastNoiseLite's ValueCubic (cubic through 4 x 4 lattice values), fractal octaves.

    Args and return value as for ``perlin``.
    """
    return _render(kernels.NOISE_VALUE_CUBIC, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain,
                   weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength)


def cellular(ctx: NodeContext, *, frequency: float, fractal: str, octaves: int,
             lacunarity: float, gain: float, weighted_strength: float = 0.0,
             ping_pong_strength: float = 2.0, distance: str = "euclidean",
             return_type: str = "f1", jitter: float = 1.0) -> np.ndarray:
    """Cellular (Worley) noise, with fractal octaves.

    Args as for ``perlin``; ``frequency`` counts cells per texture width, and:
        distance: "euclidean", "euclidean_sq", "manhattan" or "chebyshev".
        return_type: "f1", "f2", "f2_minus_f1", "f2_plus_f1", "f1_times_f2" (distances to
            the nearest / second-nearest feature point, divided by their largest possible
            value) or "cell_value" (the nearest cell's random value).
        jitter: 0..1, how far feature points stray from their cell's centre (1: up to 0.4
            cell per axis; 0: a regular grid).

    Returns:
        float32 (height, width, 1) in [0, 1]; the octave noise is 2 * value - 1 (so for
        "none" the output is the value itself). Tiles when ``ctx.tileable``.
    """
    _choice(ctx, "distance", distance, tuple(DISTANCES))
    _choice(ctx, "return_type", return_type, tuple(RETURN_TYPES))
    if not 0.0 <= jitter <= 1.0:
        raise ValueError(f"node '{ctx.node_id}': jitter must be in 0..1, got {jitter!r}")
    return _render(kernels.NOISE_CELLULAR, ctx, frequency=frequency, fractal=fractal,
                   octaves=octaves, lacunarity=lacunarity, gain=gain,
                   weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength,
                   distance=DISTANCES[distance], return_type=RETURN_TYPES[return_type],
                   jitter=jitter)


def white(ctx: NodeContext) -> np.ndarray:
    """White noise: one independent hashed value per pixel, uniform in [0, 1).

    Pixel (row, col) gets hash2(seed, col, row) / 2**32. Not resolution independent (a
    larger render is a different texture, not a sharper one); tiles trivially.
    """
    lattices = OctaveLattices(np.array([float(ctx.width)]), np.array([float(ctx.height)]),
                              np.array([ctx.width], np.int64), np.array([ctx.height], np.int64))
    seeds = np.array([ctx.seed & kernels.MASK32], np.int64)
    return _fill(kernels.NOISE_WHITE, kernels.FRACTAL_FBM, ctx, lattices, seeds,
                 np.ones(1))
