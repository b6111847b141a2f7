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

WARPS = {"none": kernels.WARP_NONE, "independent": kernels.WARP_INDEPENDENT,
         "progressive": kernels.WARP_PROGRESSIVE}
#: The domain warp's octaves use seeds (seed ^ this) + k, apart from the base noise's.
WARP_SEED_XOR = 0x2545F491

#: Lattice geometry of the 2-D noises: (row spacing in lattice units, row periods must be a
#: multiple of this). Simplex rows are sqrt(3)/2 apart and wrap only after an even number of
#: rows; the others, and every 3-D lattice, have square cells.
_LATTICE_ROWS = {kernels.NOISE_SIMPLEX: (kernels.ROW_HEIGHT, 2)}


class OctaveLattices(NamedTuple):
    """Per-octave lattices: row k is octave k.

    ``lattice`` (float64, (octaves, 3)): lattice units per texture width, rows (or units)
    per texture height, and the z coordinate of the slice (0 for 2-D). ``periods`` (int64,
    (octaves, 3)): lattice periods along x, y, z, 0 meaning no wrapping.
    """

    lattice: np.ndarray
    periods: np.ndarray


def round_half_up(value: float) -> int:
    """``value`` rounded to the nearest integer, halves up (2.5 -> 3, unlike ``round``)."""
    return math.floor(value + 0.5)


def octave_lattices(noise: int, *, frequency: float, octaves: int, lacunarity: float,
                    width: int, height: int, tileable: bool, dims: int = 2,
                    phase: float = 0.0, loop_depth: int = 0) -> OctaveLattices:
    """The lattice of every octave of ``noise`` (``kernels.NOISE_*``) for a width x height image.

    Octave k has frequency ``f = frequency * lacunarity**k`` cycles per width and
    ``f * height / width`` per height, so cells stay square (2-D simplex: equilateral).
    Tileable lattices round these to whole periods: ``max(1, round(f))`` along x and
    ``max(1, round(f * height / width))`` along y; 2-D simplex counts y in rows
    (``2/sqrt(3)`` per cycle) rounded to an even number, at least 2.

    ``dims`` 3 adds the looping z axis: octave k wraps z after
    ``max(1, round(loop_depth * lacunarity**k))`` cells (whatever ``tileable`` says) and
    samples the slice z = phase * that period, so phase 1 is phase 0 again.
    """
    row_spacing, row_multiple = (1.0, 1) if dims == 3 else _LATTICE_ROWS.get(noise, (1.0, 1))
    lattices = OctaveLattices(np.zeros((octaves, 3)), np.zeros((octaves, 3), np.int64))
    for k in range(octaves):
        cycles_x = frequency * lacunarity ** k
        rows_y = cycles_x * height / width / row_spacing
        if tileable:
            cycles_x = max(1, round_half_up(cycles_x))
            rows_y = row_multiple * max(1, round_half_up(rows_y / row_multiple))
            lattices.periods[k, :2] = cycles_x, rows_y
        lattices.lattice[k, :2] = cycles_x, rows_y
        if dims == 3:
            period_z = max(1, round_half_up(loop_depth * lacunarity ** k))
            lattices.periods[k, 2] = period_z
            lattices.lattice[k, 2] = phase * period_z
    return lattices


def octave_weights(octaves: int, gain: float) -> np.ndarray:
    """float64 (octaves,): gain**k, normalised to sum to 1."""
    weights = gain ** np.arange(octaves, dtype=np.float64)
    return weights / weights.sum()


def octave_seeds(seed: int, octaves: int) -> np.ndarray:
    """int64 (octaves,): seed + k wrapped to 32 bits (as FastNoiseLite seeds its octaves)."""
    return (seed + np.arange(octaves, dtype=np.int64)) & kernels.MASK32


def _choice(ctx: NodeContext, name: str, value: str, choices) -> None:
    if value not in choices:
        raise ValueError(f"node '{ctx.node_id}': {name} must be one of {', '.join(choices)}, "
                         f"got {value!r}")


class Warp(NamedTuple):
    """The domain warp's arguments to the kernel (see ``kernels.domain_warp``)."""

    mode: int
    lattice: np.ndarray
    periods: np.ndarray
    seeds: np.ndarray
    weights: np.ndarray
    amplitude_u: float
    amplitude_v: float


def _warp_plan(ctx: NodeContext, *, warp: str, amplitude: float, frequency: float,
               octaves: int, lacunarity: float, gain: float, dims: int, phase: float,
               loop_depth: int) -> Warp:
    _choice(ctx, "warp", warp, tuple(WARPS))
    if warp == "none":
        octaves = 1  # the kernel ignores the arrays; keep them valid and small
    lattices = octave_lattices(kernels.NOISE_PERLIN, frequency=frequency, octaves=octaves,
                               lacunarity=lacunarity, width=ctx.width, height=ctx.height,
                               tileable=ctx.tileable, dims=dims, phase=phase,
                               loop_depth=loop_depth)
    # ``amplitude`` is in texture widths; the same pixel distance along v.
    return Warp(WARPS[warp], *lattices, octave_seeds(ctx.seed ^ WARP_SEED_XOR, octaves),
                octave_weights(octaves, gain), float(amplitude),
                float(amplitude) * ctx.width / ctx.height)


def _fill(noise: int, fractal: int, ctx: NodeContext, lattices: OctaveLattices,
          seeds: np.ndarray, weights: np.ndarray, *, dims: int = 2, warp: Warp,
          weighted_strength: float = 0.0, ping_pong_strength: float = 2.0,
          distance: int = 0, return_type: int = 0, jitter: float = 1.0):
    """Run the kernel for ``ctx.backend``: a NumPy array on "cpu", a device array on "cuda".

    Scalars are converted so that one compiled signature serves all.
    """
    arrays = (*lattices, seeds, weights)
    warp_arrays = (warp.lattice, warp.periods, warp.seeds, warp.weights)
    scalars = (float(weighted_strength), float(ping_pong_strength), int(distance),
               int(return_type), float(jitter), int(warp.mode))
    warp_scalars = (float(warp.amplitude_u), float(warp.amplitude_v))
    codes = (int(noise), int(fractal), int(dims))
    if ctx.backend == "cuda":
        from numba import cuda

        out = cuda.device_array((ctx.height, ctx.width, 1), np.float32)
        threads = (16, 16)
        blocks = (-(-ctx.height // 16), -(-ctx.width // 16))
        arrays, warp_arrays = ([cuda.to_device(np.ascontiguousarray(a)) for a in group]
                               for group in (arrays, warp_arrays))
        kernels.cuda_kernels().fill_noise_cuda[blocks, threads](
            out, *codes, *arrays, *scalars, *warp_arrays, *warp_scalars)
        return out
    out = np.empty((ctx.height, ctx.width, 1), np.float32)
    if dims == 2 and warp.mode == kernels.WARP_NONE:
        kernels.cpu_kernels().fill_grid_cpu(out, *codes[:2], *arrays, *scalars[:5])
    else:
        kernels.cpu_kernels().fill_noise_cpu(out, *codes, *arrays, *scalars, *warp_arrays,
                                             *warp_scalars)
    return out


def _render(noise: int, ctx: NodeContext, *, frequency: float = 4.0, fractal: str = "fbm",
            octaves: int = 5, lacunarity: float = 2.0, gain: float = 0.5,
            weighted_strength: float = 0.0,
            ping_pong_strength: float = 2.0, phase: float = 0.0, loop_depth: int = 0,
            warp: str = "none", warp_amplitude: float = 0.1, warp_frequency: float = 2.0,
            warp_octaves: int = 3, distance: int = 0, return_type: int = 0,
            jitter: float = 1.0) -> np.ndarray:
    _choice(ctx, "fractal", fractal, FRACTALS)
    if fractal == "none":
        octaves = 1
    if loop_depth < 0 or loop_depth == 1:
        # One cell per loop would wrap the third axis onto a single lattice plane: the
        # first octave of value noise would not move at all, Perlin's would only pulse.
        raise ValueError(f"node '{ctx.node_id}': loop_depth must be 0 (2-D noise) or 2..64 "
                         f"(cells per loop), got {loop_depth!r}")
    dims = 3 if loop_depth > 0 else 2
    lattices = octave_lattices(noise, frequency=frequency, octaves=octaves,
                               lacunarity=lacunarity, width=ctx.width, height=ctx.height,
                               tileable=ctx.tileable, dims=dims, phase=phase,
                               loop_depth=loop_depth)
    warp_plan = _warp_plan(ctx, warp=warp, amplitude=warp_amplitude, frequency=warp_frequency,
                           octaves=warp_octaves, lacunarity=lacunarity, gain=gain, dims=dims,
                           phase=phase, loop_depth=loop_depth)
    return _fill(noise, _FRACTAL_CODES[fractal], ctx, lattices, octave_seeds(ctx.seed, octaves),
                 octave_weights(octaves, gain), dims=dims, warp=warp_plan,
                 weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength,
                 distance=distance, return_type=return_type, jitter=jitter)


def perlin(ctx: NodeContext, **options) -> np.ndarray:
    """Perlin gradient noise with fractal octaves, optional looping third axis and domain warp.

    Args:
        ctx: render context; ``width``, ``height``, ``seed``, ``tileable``, ``backend``.

    Keyword-only options (defaults as the node's parameters, docs/noise.md):
        frequency: lattice cells per texture width of the first octave.
        fractal: "none" (one octave), "fbm", "ridged", "billow" or "pingpong".
        octaves: number of octaves (ignored for "none").
        lacunarity: frequency ratio between successive octaves.
        gain: amplitude ratio between successive octaves.
        weighted_strength: 0..1, how much each octave's value scales the amplitude of the
            octaves after it (FastNoiseLite's weighted strength; 0: not at all).
        ping_pong_strength: for "pingpong", how many half-waves the noise range spans / 2.
        phase: position in the animation loop, any float; phase 1 (or any integer) gives
            the same texture as phase 0. Used when ``loop_depth`` > 0.
        loop_depth: 0 for 2-D noise; n >= 2 samples 3-D noise on a slice that travels n
            first-octave cells along the third axis per loop of ``phase`` (octave k:
            round(n * lacunarity**k) cells), wrapping so the animation loops seamlessly.
            1 is refused: a period of one cell is a single lattice plane.
        warp: domain warp, "none", "independent" or "progressive": sample the noise at
            points moved by a fractal Perlin vector field (see ``kernels.domain_warp``).
        warp_amplitude: largest displacement of the warp, in texture widths.
        warp_frequency: first-octave frequency of the warp field, cycles per width.
        warp_octaves: octaves of the warp field (same lacunarity and gain as the noise).

    Returns:
        float32 C-contiguous array of shape (height, width, 1) in [0, 1]: fbm is
        0.5 + 0.5 * (weighted mean of octaves in [-1, 1]); ridged is the weighted mean of
        1 - |octave|, 1 on the ridges; billow of |octave|; pingpong of a triangle wave of
        the octave (see docs/noise.md). Tiles when ``ctx.tileable``, warped or not.
    """
    return _render(kernels.NOISE_PERLIN, ctx, **options)


def simplex(ctx: NodeContext, **options) -> np.ndarray:
    """OpenSimplex2-style simplex noise on a periodic hexagonal lattice, with fractal octaves.

    Options and return value as for ``perlin``; ``frequency`` counts lattice points per
    texture width. When tileable, the number of lattice rows per texture height is rounded
    to an even integer, which stretches or squashes low octaves vertically (15 % taller at
    the default frequency 4 on a square texture; see docs/noise.md). With ``loop_depth`` > 0
    it is 3-D noise on OpenSimplex2's body-centred cubic lattice (``kernels.simplex3``),
    whose slices have square rather than hexagonal symmetry.
    """
    return _render(kernels.NOISE_SIMPLEX, ctx, **options)


def value(ctx: NodeContext, **options) -> np.ndarray:
    """Value noise (random lattice values blended with the quintic fade), fractal octaves.

    Options and return value as for ``perlin``.
    """
    return _render(kernels.NOISE_VALUE, ctx, **options)


def value_cubic(ctx: NodeContext, **options) -> np.ndarray:
    """FastNoiseLite's ValueCubic (cubic through 4 x 4 lattice values), fractal octaves.

    Options and return value as for ``perlin``.
    """
    return _render(kernels.NOISE_VALUE_CUBIC, ctx, **options)


def cellular(ctx: NodeContext, *, distance: str = "euclidean", return_type: str = "f1",
             jitter: float = 1.0, **options) -> np.ndarray:
    """Cellular (Worley) noise, with fractal octaves.

    Options as for ``perlin`` (``frequency`` counts cells per texture width), and:
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
    return _render(kernels.NOISE_CELLULAR, ctx, distance=DISTANCES[distance],
                   return_type=RETURN_TYPES[return_type], jitter=jitter,
                   **{"fractal": "none", **options})


def white(ctx: NodeContext) -> np.ndarray:
    """White noise: one independent hashed value per pixel, uniform in [0, 1).

    Pixel (row, col) gets hash2(seed, col, row) / 2**32. Not resolution independent (a
    larger render is a different texture, not a sharper one); tiles trivially.
    """
    lattices = OctaveLattices(np.array([[ctx.width, ctx.height, 0.0]]),
                              np.array([[ctx.width, ctx.height, 0]], np.int64))
    no_warp = _warp_plan(ctx, warp="none", amplitude=0.0, frequency=1.0, octaves=1,
                         lacunarity=2.0, gain=0.5, dims=2, phase=0.0, loop_depth=0)
    return _fill(kernels.NOISE_WHITE, kernels.FRACTAL_FBM, ctx, lattices,
                 octave_seeds(ctx.seed, 1), np.ones(1), warp=no_warp)
