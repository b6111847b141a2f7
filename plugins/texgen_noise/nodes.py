"""Noise node implementations and the per-octave lattice plan they share.

Each node returns a float32, C-contiguous (H, W, 1) texture in [0, 1]. The kernels are
compiled on the first render (or loaded from numba's disk cache), not on import.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from texgen.nodes import NodeContext, param_error
from texgen_noise import kernels

#: The kernel codes of the enum parameters' values. "none" is one octave of fbm.
FRACTALS = {"none": kernels.FRACTAL_FBM, "fbm": kernels.FRACTAL_FBM,
            "ridged": kernels.FRACTAL_RIDGED, "billow": kernels.FRACTAL_BILLOW,
            "pingpong": kernels.FRACTAL_PINGPONG}
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


def _code(ctx: NodeContext, name: str, value: str, codes: dict[str, int]) -> int:
    """The kernel code of enum parameter ``name``'s ``value``. The engine has checked the
    value against the spec's choices; a direct call with another value gets a param_error."""
    try:
        return codes[value]
    except KeyError:
        raise param_error(ctx.node_id, name, f"expected one of {', '.join(codes)}, got "
                          f"{value!r}") from None


def noise_settings(noise: int, ctx: NodeContext, *, frequency: float = 4.0,
                   fractal: str = "fbm", octaves: int = 5, lacunarity: float = 2.0,
                   gain: float = 0.5, weighted_strength: float = 0.0,
                   ping_pong_strength: float = 2.0, phase: float = 0.0, loop_depth: int = 0,
                   warp: str = "none", warp_amplitude: float = 0.1, warp_frequency: float = 2.0,
                   warp_octaves: int = 3, distance: str = "euclidean", return_type: str = "f1",
                   jitter: float = 1.0) -> kernels.NoiseSettings:
    """The kernels' record of ``noise`` (``kernels.NOISE_*``) with these node parameters on
    ``ctx``'s texture (size, seed, tiling); parameters as for ``perlin`` and ``cellular``."""
    fractal_type = _code(ctx, "fractal", fractal, FRACTALS)
    warp_mode = _code(ctx, "warp", warp, WARPS)
    if fractal == "none":
        octaves = 1
    if warp == "none":
        warp_octaves = 1  # the kernel ignores the warp's arrays; keep them valid and small
    if loop_depth < 0 or loop_depth == 1:
        # One cell per loop would wrap the third axis onto a single lattice plane: the
        # first octave of value noise would not move at all, Perlin's would only pulse.
        raise param_error(ctx.node_id, "loop_depth", f"must be 0 (2-D noise) or 2..64 "
                          f"(cells per loop), got {loop_depth!r}")
    dims = 3 if loop_depth > 0 else 2
    if noise == kernels.NOISE_WHITE and dims == 3:
        raise param_error(ctx.node_id, "loop_depth", "white noise has no 3-D form; use 0")
    lattices = {"width": ctx.width, "height": ctx.height, "tileable": ctx.tileable,
                "lacunarity": lacunarity, "dims": dims, "phase": phase,
                "loop_depth": loop_depth}
    lattice, periods = octave_lattices(noise, frequency=frequency, octaves=octaves, **lattices)
    warp_lattice, warp_periods = octave_lattices(
        kernels.NOISE_PERLIN, frequency=warp_frequency, octaves=warp_octaves, **lattices)
    return kernels.NoiseSettings(
        noise=int(noise), fractal_type=fractal_type, dims=dims, lattice=lattice,
        periods=periods, seeds=octave_seeds(ctx.seed, octaves),
        weights=octave_weights(octaves, gain), weighted_strength=float(weighted_strength),
        ping_pong_strength=float(ping_pong_strength),
        distance=_code(ctx, "distance", distance, DISTANCES),
        return_type=_code(ctx, "return_type", return_type, RETURN_TYPES),
        jitter=float(jitter), warp_mode=warp_mode, warp_lattice=warp_lattice,
        warp_periods=warp_periods, warp_seeds=octave_seeds(ctx.seed ^ WARP_SEED_XOR,
                                                           warp_octaves),
        warp_weights=octave_weights(warp_octaves, gain),
        # ``warp_amplitude`` is in texture widths; the same pixel distance along v.
        warp_amplitude_u=float(warp_amplitude),
        warp_amplitude_v=float(warp_amplitude) * ctx.width / ctx.height)


def _fill(ctx: NodeContext, settings: kernels.NoiseSettings):
    """Run the kernel for ``ctx.backend``: a NumPy array on "cpu", a device array on "cuda"."""
    if ctx.backend == "cuda":
        from numba import cuda

        out = cuda.device_array((ctx.height, ctx.width, 1), np.float32)
        threads = (16, 16)
        blocks = (-(-ctx.height // 16), -(-ctx.width // 16))
        settings = settings._replace(**{
            name: cuda.to_device(np.ascontiguousarray(value))
            for name, value in settings._asdict().items() if isinstance(value, np.ndarray)})
        kernels.cuda_kernels().fill_noise_cuda[blocks, threads](out, *settings)
        return out
    out = np.empty((ctx.height, ctx.width, 1), np.float32)
    loops = kernels.cpu_kernels()
    if settings.dims == 2 and settings.warp_mode == kernels.WARP_NONE:
        loops.fill_grid_cpu(out, *settings)
    else:
        loops.fill_noise_cpu(out, *settings)
    return out


def _render(noise: int, ctx: NodeContext, **options) -> np.ndarray:
    return _fill(ctx, noise_settings(noise, ctx, **options))


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
    if not 0.0 <= jitter <= 1.0:
        raise param_error(ctx.node_id, "jitter", f"must be in 0..1, got {jitter!r}")
    return _render(kernels.NOISE_CELLULAR, ctx, distance=distance, return_type=return_type,
                   jitter=jitter, **{"fractal": "none", **options})


def white(ctx: NodeContext) -> np.ndarray:
    """White noise: one independent hashed value per pixel, uniform in [0, 1).

    Pixel (row, col) gets hash2(seed, col, row) / 2**32. Not resolution independent (a
    larger render is a different texture, not a sharper one); tiles trivially. It is one
    octave of the lattice noise ``kernels.white2`` with one cell per pixel, in 2-D only
    (it has no loop_depth: ``kernels.base_noise3`` refuses white noise).
    """
    return _render(kernels.NOISE_WHITE, ctx, frequency=float(ctx.width), fractal="none")
