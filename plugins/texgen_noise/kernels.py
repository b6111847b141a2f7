"""Noise math, written once as plain Python and compiled for each target by ``make_kernels``.

The scalar functions (``hash2`` ... ``fractal``) use only ``math``, integer and float
operations and read the constant ``GRADIENTS3`` table: no NumPy calls, no allocation, no
target-specific calls. ``make_kernels(numba.njit)`` compiles them for the CPU and
``make_kernels(numba.cuda.jit(device=True))`` for CUDA device code; uncompiled they still
run, slowly, as plain Python.

Conventions shared by every noise here:

* Coordinates are lattice units: one unit per lattice cell along x. A generator samples
  pixel centres ``u = (col + 0.5) / width``, ``v = (row + 0.5) / height`` in UV [0, 1) and
  scales them per octave (see ``texgen_noise.nodes.octave_lattices``).
* A period ``> 0`` wraps the integer lattice coordinates before hashing, so the noise repeats
  every ``period`` units; ``0`` disables wrapping on that axis.
* Integers are int64 holding unsigned 32-bit values; every product is masked back to 32 bits
  and is below 2**63 before masking, so CPU, CUDA and Python compute the same bits.
* Floats are float64 (numba's default, and exact enough at the highest octaves); the image
  is written as float32.
"""

import functools
import math
import types
from typing import NamedTuple

import numba
import numpy as np
from numba import prange

from texgen.hashing import MASK32, avalanche

#: FastNoiseLite's lattice primes: x * PRIME_X ^ y * PRIME_Y ^ seed decorrelates the axes.
PRIME_X = 501125321
PRIME_Y = 1136930381
PRIME_Z = 1720413743

#: 2-D gradients: 24 unit vectors 15 degrees apart, offset by 7.5 degrees so none is
#: axis-aligned (as in FastNoiseLite). ``gradient_dot`` builds them from the three in the
#: first half-quadrant, at 7.5, 22.5 and 37.5 degrees, by mirroring and quarter turns,
#: choosing with hash bits and selects: no table look-up and no ``% 24``, which keeps the
#: image loops SIMD-vectorisable.
GRADIENT_COS0, GRADIENT_COS1, GRADIENT_COS2 = (math.cos(math.radians(a)) for a in (7.5, 22.5, 37.5))
GRADIENT_SIN0, GRADIENT_SIN1, GRADIENT_SIN2 = (math.sin(math.radians(a)) for a in (7.5, 22.5, 37.5))
#: ``gradient_dot``'s 30 low hash bits pick the step within a quadrant.
LOW30 = (1 << 30) - 1

#: 3-D gradients: the 12 cube-edge directions (+-1, +-1, 0), (+-1, 0, +-1), (0, +-1, +-1)
#: normalised to unit length, flattened as (gx0, gy0, gz0, gx1, ...).
GRADIENT3_COUNT = 12
GRADIENTS3 = np.array([
    component
    for a, b in ((1, 1), (-1, 1), (1, -1), (-1, -1))
    for vector in ((a, b, 0), (a, 0, b), (0, a, b))
    for component in vector
], dtype=np.float64) / math.sqrt(2.0)
GRADIENTS3.flags.writeable = False

#: N-D gradient noise with unit gradients is bounded by sqrt(N)/2; these map it onto [-1, 1].
PERLIN_SCALE = math.sqrt(2.0)
PERLIN3_SCALE = 2.0 / math.sqrt(3.0)

#: Simplex lattice: rows of points one unit apart, ROW_HEIGHT apart, odd rows shifted by 1/2,
#: so every triangle is equilateral with unit edges.
ROW_HEIGHT = math.sqrt(3.0) / 2.0
#: Squared radius of each corner's kernel: the triangle height, so a corner's kernel ends
#: where its hexagon of triangles does and the sum is continuous (OpenSimplex2's 0.5 for its
#: edge of sqrt(2/3), rescaled to unit edges).
SIMPLEX_RADIUS_SQ = 0.75
#: OpenSimplex2's 2-D normaliser (99.83685446303647 for edge sqrt(2/3)) rescaled to unit
#: edges: the kernel (r^2 - d^2)^4 grows by 1.5^4 and the linear ramp by sqrt(1.5).
SIMPLEX_SCALE = 99.83685446303647 / (1.5 ** 4 * math.sqrt(1.5))

#: 3-D simplex: a body-centred cubic lattice (integer points and the cube centres), as in
#: OpenSimplex2, but not rotated, so its lattice wraps on whole periods along each axis.
#: Every corner's kernel (r^2 - d^2)^4 has r^2 = 3/4: it reaches the centre of the cubes
#: around the corner and no further, so the 8 corners of the sample's cube in each of the
#: two cubic lattices are all the points that can contribute.
SIMPLEX3_RADIUS_SQ = 0.75
#: Normaliser: the largest |sum| found over 4 x 2**24 random points and dense grids was
#: 0.07817; 12.7 maps that to 0.993, and results are clipped to [-1, 1] in case a rarer
#: point goes beyond.
SIMPLEX3_SCALE = 12.7
#: The centre lattice's points are hashed with the seed xor this (any odd 32-bit constant).
SIMPLEX3_CENTRE_SALT = 0x5BD1E995

#: FastNoiseLite's ValueCubic normaliser: its cubic through four values in [-1, 1] reaches
#: at most 1.5 (at t = 1/2), so 1.5**2 in 2-D.
VALUE_CUBIC_SCALE = 1.0 / (1.5 * 1.5)
VALUE_CUBIC3_SCALE = 1.0 / (1.5 * 1.5 * 1.5)

#: Cellular feature points lie within CELL_JITTER * jitter of their cell's centre on each
#: axis. 0.4 keeps the 3x3 search exact in practice (a Monte-Carlo check of 1.6 million
#: samples per distance found no F1 or F2 from outside the 3x3 cells; at 0.45 Euclidean
#: F2 goes wrong at about 1e-5 of them). Manhattan distances reach further along the axes:
#: at 0.4 its F2 would be wrong at 6e-4 of the pixels (a visible speckle), so it uses 0.25.
CELL_JITTER = 0.4
CELL_JITTER_MANHATTAN = 0.25
#: The same for the 3 x 3 x 3 search of cellular3, where more cells compete: at 0.4
#: (Manhattan 0.25) F2 went wrong at about 5e-7 (1.6e-5) of random points, at Manhattan
#: 0.2 at 1e-7; at these values no miss was found in 10 million (Manhattan 20 million).
CELL_JITTER_3D = 0.35
CELL_JITTER_3D_MANHATTAN = 0.18
#: Larger than any distance the 3x3 search can produce.
FAR = 1.0e30

#: Noise kinds, fractal kinds, cellular distances and return types as the kernels receive
#: them.
NOISE_PERLIN = 0
NOISE_SIMPLEX = 1
NOISE_VALUE = 2
NOISE_VALUE_CUBIC = 3
NOISE_CELLULAR = 4
NOISE_WHITE = 5
FRACTAL_FBM = 0
FRACTAL_RIDGED = 1
FRACTAL_BILLOW = 2
FRACTAL_PINGPONG = 3
DISTANCE_EUCLIDEAN = 0
DISTANCE_EUCLIDEAN_SQ = 1
DISTANCE_MANHATTAN = 2
DISTANCE_CHEBYSHEV = 3
RETURN_F1 = 0
RETURN_F2 = 1
RETURN_F2_MINUS_F1 = 2
RETURN_F2_PLUS_F1 = 3
RETURN_F1_TIMES_F2 = 4
RETURN_CELL_VALUE = 5
WARP_NONE = 0
WARP_INDEPENDENT = 1
WARP_PROGRESSIVE = 2
#: The y component of a domain warp uses the x component's seed xor this.
WARP_Y_SALT = 0x68E31DA4


class NoiseSettings(NamedTuple):
    """One texture's noise settings (FastNoiseLite's state), as ``noise_at`` and the image
    loops receive them: their arguments after (u, v), or after ``out``, are these fields in
    this order, so a caller passes ``*settings``.

    The compiled functions take the fields as separate arguments, not the record: an array
    read from a record is reference-counted on every access, which made the per-pixel path
    (``fill_noise_cpu``) measurably slower on warped noise (that variant was not kept; the
    record's A/B against the old argument lists: benchmarks/RESULTS.md). Scalar types are
    fixed (``int`` codes, ``float`` strengths and amplitudes) so that one compiled signature
    serves every texture; ``texgen_noise.nodes.noise_settings`` builds the record from node
    parameters.

    noise, fractal_type, dims: a NOISE_* code, a FRACTAL_* code, 2 (the plane) or 3 (a
        z slice of the volume).
    lattice (float64, (octaves, 3)), periods (int64, (octaves, 3)): octave k samples the
        base noise at (u * lattice[k, 0], v * lattice[k, 1], lattice[k, 2]), wrapping the
        lattice every periods[k] cells (0: no wrapping); see ``fractal``.
    seeds (int64, (octaves,)), weights (float64, (octaves,), summing to 1): per octave.
    weighted_strength, ping_pong_strength: see ``fractal``.
    distance, return_type, jitter: a DISTANCE_* code, a RETURN_* code and the feature
        point spread in [0, 1], for cellular noise (``cellular2``).
    warp_mode: a WARP_* code; warp_lattice, warp_periods, warp_seeds, warp_weights: the
        warp field's octaves, as above; warp_amplitude_u, warp_amplitude_v: its largest
        displacement in UV units (``domain_warp``). With WARP_NONE the arrays are unused
        but must still be valid arrays of those types.
    """

    noise: int
    fractal_type: int
    dims: int
    lattice: np.ndarray
    periods: np.ndarray
    seeds: np.ndarray
    weights: np.ndarray
    weighted_strength: float
    ping_pong_strength: float
    distance: int
    return_type: int
    jitter: float
    warp_mode: int
    warp_lattice: np.ndarray
    warp_periods: np.ndarray
    warp_seeds: np.ndarray
    warp_weights: np.ndarray
    warp_amplitude_u: float
    warp_amplitude_v: float


# --- scalar math (target-independent) ---------------------------------------------------

#: The scalar functions every target compiles (``make_kernels``), in registration order.
SCALAR_FUNCTIONS = []


def scalar(function):
    """Register ``function`` as scalar math that every target compiles; returns it unchanged.

    Registration order is definition order, and each function below is defined after the
    functions it calls, so the list is callees-first.
    """
    SCALAR_FUNCTIONS.append(function)
    return function


@scalar
def wrap(i, period):
    """``i`` modulo ``period`` in [0, period), whatever the sign convention of ``%``.

    ``period`` 0 means no wrapping: ``i`` comes back unchanged.
    """
    if period <= 0 or 0 <= i < period:
        return i
    # Lattice indices are at most one period out unless a domain warp moved them: the
    # integer division (tens of cycles) is for that rare case only.
    if -period <= i < 0:
        return i + period
    if period <= i < 2 * period:
        return i - period
    r = i % period
    if r < 0:
        r += period
    return r


@scalar
def prime_part(i, prime):
    """Lattice coordinate ``i``'s share of the hash: its low 32 bits times ``prime``, mod 2**32."""
    return ((i & MASK32) * prime) & MASK32


#: texgen's one 32-bit hash finaliser (``texgen.hashing``), compiled with the noise math.
scalar(avalanche)


@scalar
def hash3(seed, ix, iy, iz):
    """32-bit hash of lattice point (ix, iy, iz) under ``seed``, as an int in [0, 2**32).

    FastNoiseLite's prime-multiply-and-xor combination, then ``avalanche``.
    """
    return avalanche(seed ^ prime_part(ix, PRIME_X) ^ prime_part(iy, PRIME_Y)
                     ^ prime_part(iz, PRIME_Z))


@scalar
def hash2(seed, ix, iy):
    """``hash3`` in the plane iz = 0, so every 2-D noise is the z = 0 slice of its lattice."""
    return hash3(seed, ix, iy, 0)


@scalar
def gradient_in_quadrant(h):
    """(q, a, b): the 2-D gradient that hash ``h`` selects, one of 24, as its quadrant q and
    its first-quadrant form (a, b); the gradient is (a, b) turned by q quarter turns.

    Gradient k = 6 q + r, at 7.5 + 15 k degrees, with q = h >> 30 and the step r = (low 30
    bits of h) * 6 >> 30 in 0..5 (uniform over the 24). Steps 3..5 mirror steps 2..0 about
    45 degrees (cosine and sine swap). Selects only, no table look-up and no ``% 24``, so
    pixel loops that call it vectorise.
    """
    step = ((h & LOW30) * 6) >> 30
    mirrored = step >= 3
    base = 5 - step if mirrored else step
    c = GRADIENT_COS0 if base == 0 else (GRADIENT_COS1 if base == 1 else GRADIENT_COS2)
    s = GRADIENT_SIN0 if base == 0 else (GRADIENT_SIN1 if base == 1 else GRADIENT_SIN2)
    return h >> 30, (s if mirrored else c), (c if mirrored else s)


@scalar
def gradient_vector(h):
    """The 2-D unit gradient (gx, gy) that hash ``h`` selects (``gradient_in_quadrant``),
    for tables of gradients; ``gx * dx + gy * dy`` is ``gradient_dot(h, dx, dy)`` bit for
    bit (the negations are exact and the two products are the same)."""
    quadrant, a, b = gradient_in_quadrant(h)
    # q quarter turns map (a, b) to (a, b), (-b, a), (-a, -b), (b, -a).
    if quadrant >= 2:
        a = -a
    if quadrant == 1 or quadrant == 2:
        b = -b
    odd = (quadrant & 1) != 0
    return (b if odd else a), (a if odd else b)


@scalar
def gradient_dot(h, dx, dy):
    """Dot product of the 2-D gradient that hash ``h`` selects with the offset (dx, dy).

    Taken in the first quadrant, with (dx, dy) turned back by q quarter turns: selecting
    and negating the offset keeps simplex's pixel loop faster than building the gradient
    (``gradient_vector``) and gives the same bits.
    """
    quadrant, a, b = gradient_in_quadrant(h)
    odd = (quadrant & 1) != 0
    ex = dy if odd else dx
    ey = dx if odd else dy
    if quadrant == 1 or quadrant == 2:
        ey = -ey
    if quadrant >= 2:
        ex = -ex
    return a * ex + b * ey


@scalar
def gradient_dot3(h, dx, dy, dz):
    """Dot product of the 3-D gradient that hash ``h`` selects with (dx, dy, dz)."""
    k = 3 * (h % GRADIENT3_COUNT)
    return GRADIENTS3[k] * dx + GRADIENTS3[k + 1] * dy + GRADIENTS3[k + 2] * dz


@scalar
def fade(t):
    """Perlin's quintic fade 6t^5 - 15t^4 + 10t^3: C2-continuous across cell borders."""
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0)


@scalar
def lattice_value(h):
    """The value a lattice hash ``h`` in [0, 2**32) stands for, in [-1, 1) (exact)."""
    return h * (1.0 / 2147483648.0) - 1.0


@scalar
def cubic_lerp(a, b, c, d, t):
    """FastNoiseLite's cubic through a, b, c, d at t in [0, 1] between b (t=0) and c (t=1).

    C1: the slope at b is c - a and at c is d - b (twice Catmull-Rom's tangents).
    """
    p = (d - c) - (a - b)
    return t * t * t * p + t * t * ((a - b) - p) + t * (c - a) + b


@scalar
def ping_pong(t):
    """Triangle wave of ``t >= 0`` with period 2: 0 at even t, 1 at odd t."""
    t -= 2.0 * math.floor(t * 0.5)
    if t < 1.0:
        return t
    return 2.0 - t


@scalar
def lerp(a, b, t):
    """a at t = 0, b at t = 1, linear in between."""
    return a + t * (b - a)


@scalar
def cell_x_parts(ix0, period_x):
    """The hash parts of the columns ix0 and ix0 + 1 of a cell (wrapped, times PRIME_X)."""
    return (prime_part(wrap(ix0, period_x), PRIME_X),
            prime_part(wrap(ix0 + 1, period_x), PRIME_X))


@scalar
def cell_y_parts(iy0, period_y, seed):
    """The hash parts of the rows iy0 and iy0 + 1 of a cell (wrapped, times PRIME_Y) with
    the seed xor-ed in: ``avalanche(x_part ^ y_part)`` is then ``hash2``."""
    return (seed ^ prime_part(wrap(iy0, period_y), PRIME_Y),
            seed ^ prime_part(wrap(iy0 + 1, period_y), PRIME_Y))


@scalar
def table_corners(x_bottom, y_bottom, x_top, y_top, j):
    """The corners of cell ``j`` of a row's lattice tables (``fill_grid_cpu``): the (x, y)
    pairs at entries j and j + 1 of the bottom table, then of the top table, 8 values."""
    return (x_bottom[j], y_bottom[j], x_bottom[j + 1], y_bottom[j + 1],
            x_top[j], y_top[j], x_top[j + 1], y_top[j + 1])


@scalar
def perlin2_blend(gx00, gy00, gx10, gy10, gx01, gy01, gx11, gy11, fx, fy, sx, sy):
    """Perlin noise at (fx, fy) in [0, 1)^2 inside a cell whose corner gradients are
    (gx00, gy00) at (0, 0), (gx10, gy10) at (1, 0), ...; sx, sy are fade(fx), fade(fy).
    An image loop that looks the gradients up in a per-row table calls this directly."""
    n00 = gx00 * fx + gy00 * fy
    n10 = gx10 * (fx - 1.0) + gy10 * fy
    n01 = gx01 * fx + gy01 * (fy - 1.0)
    n11 = gx11 * (fx - 1.0) + gy11 * (fy - 1.0)
    bottom = n00 + sx * (n10 - n00)
    top = n01 + sx * (n11 - n01)
    return PERLIN_SCALE * (bottom + sy * (top - bottom))


@scalar
def perlin2_cell(hx0, hx1, hy0, hy1, fx, fy, sx, sy):
    """``perlin2_blend`` for the cell whose corner hash parts are ``cell_x_parts`` and
    ``cell_y_parts``."""
    gx00, gy00 = gradient_vector(avalanche(hx0 ^ hy0))
    gx10, gy10 = gradient_vector(avalanche(hx1 ^ hy0))
    gx01, gy01 = gradient_vector(avalanche(hx0 ^ hy1))
    gx11, gy11 = gradient_vector(avalanche(hx1 ^ hy1))
    return perlin2_blend(gx00, gy00, gx10, gy10, gx01, gy01, gx11, gy11, fx, fy, sx, sy)


@scalar
def perlin2(x, y, period_x, period_y, seed):
    """Perlin gradient noise at (x, y) in lattice units, in [-1, 1].

    Unit square lattice; ``period_x``/``period_y`` > 0 wrap the lattice (0: no wrapping).
    """
    # int(): math.floor returns an int on the CPU and in Python but a float in CUDA code.
    ix0 = int(math.floor(x))
    iy0 = int(math.floor(y))
    hx0, hx1 = cell_x_parts(ix0, period_x)
    hy0, hy1 = cell_y_parts(iy0, period_y, seed)
    fx = x - ix0
    fy = y - iy0
    return perlin2_cell(hx0, hx1, hy0, hy1, fx, fy, fade(fx), fade(fy))


@scalar
def simplex_row_parts(j, i_low, period_x, period_y, seed):
    """(hash part, i shift) of simplex lattice row ``j``, for the points i >= ``i_low``.

    The hash part is the seed xor the wrapped row's ``prime_part``. Lattice point (i, j)
    sits at x = i - j/2, y = j * ROW_HEIGHT; wrapping j by the row period P moves x by P/2,
    so i shifts by P/2 with it (P must be even). The shift also takes whole x periods off,
    so that i - shift is in [0, 2 * period_x + 1] for every i in [i_low, i_low + period_x +
    2]: ``simplex_corner`` then wraps it with ``wrap_near``.
    """
    wrapped = wrap(j, period_y)
    shift = (j - wrapped) // 2
    if period_x > 0:
        shift = i_low - wrap(i_low - shift, period_x)
    return seed ^ prime_part(wrapped, PRIME_Y), shift


@scalar
def wrap_near(i, period):
    """``wrap`` for i in [-period, 4 * period), with selects only: no branch and no
    division, so a pixel loop that calls it stays SIMD-vectorisable."""
    if period <= 0:
        return i
    if i < 0:
        i += period
    if i >= period:
        i -= period
    if i >= period:
        i -= period
    if i >= period:
        i -= period
    return i


@scalar
def simplex_falloff(dx, dy):
    """A simplex corner's weight at offset (dx, dy) from it: (r^2 - d^2)^4, 0 beyond the
    kernel radius r. Computed either way (no branch)."""
    a = max(SIMPLEX_RADIUS_SQ - dx * dx - dy * dy, 0.0)
    a2 = a * a
    return a2 * a2


@scalar
def simplex_corner(row_part, i_shift, i, dx, dy, period_x):
    """Contribution of the point i of a lattice row (``simplex_row_parts``) at offset
    (dx, dy) from it."""
    return simplex_falloff(dx, dy) * gradient_dot(
        avalanche(prime_part(wrap_near(i - i_shift, period_x), PRIME_X) ^ row_part), dx, dy)


@scalar
def simplex2_cell(x, r, fr):
    """Where (x, r) is in the simplex lattice, fr = r - floor(r): (i0, dx0, dy0, lower).

    The point lies in the triangle with corners (i0, j0), (i0 + 1, j0 + 1) and, if
    ``lower``, (i0 + 1, j0), else (i0, j0 + 1), with j0 = floor(r); (dx0, dy0) is its
    offset from (i0, j0) in unit-edge space.
    """
    s = x + 0.5 * r  # skewed coordinate: point (i, j) is at s = i
    i0 = int(math.floor(s))
    fs = s - i0
    return i0, fs - 0.5 * fr, fr * ROW_HEIGHT, fs > fr


@scalar
def simplex2_row(x, r, fr, part0, shift0, part1, shift1, period_x):
    """``simplex2`` at (x, r), with fr = r - floor(r) and the ``simplex_row_parts`` of rows
    floor(r) and floor(r) + 1 given: an image loop computes those once per row.

    Branch-free: the triangle's third corner is chosen with selects.
    """
    i0, dx0, dy0, lower = simplex2_cell(x, r, fr)
    n = simplex_corner(part0, shift0, i0, dx0, dy0, period_x)
    n += simplex_corner(part0 if lower else part1, shift0 if lower else shift1,
                        i0 + 1 if lower else i0, dx0 - 1.0 if lower else dx0 + 0.5,
                        dy0 if lower else dy0 - ROW_HEIGHT, period_x)
    n += simplex_corner(part1, shift1, i0 + 1, dx0 - 0.5, dy0 - ROW_HEIGHT, period_x)
    return SIMPLEX_SCALE * n


@scalar
def simplex2_blend(dx0, dy0, lower, gx0, gy0, gx1_low, gy1_low, gx1_up, gy1_up, gx2, gy2):
    """``simplex2_row`` from ``simplex2_cell``'s (dx0, dy0, lower) and the corner gradients
    instead of hashes: (gx0, gy0) at (i0, j0), (gx2, gy2) at (i0 + 1, j0 + 1) and the third
    corner's, (i0 + 1, j0) if ``lower`` else (i0, j0 + 1). The same bits as
    ``simplex2_row``; an image loop that looks gradients up in a per-row table calls it."""
    dx1 = dx0 - 1.0 if lower else dx0 + 0.5
    dy1 = dy0 if lower else dy0 - ROW_HEIGHT
    gx1 = gx1_low if lower else gx1_up
    gy1 = gy1_low if lower else gy1_up
    dx2 = dx0 - 0.5
    dy2 = dy0 - ROW_HEIGHT
    n = simplex_falloff(dx0, dy0) * (gx0 * dx0 + gy0 * dy0)
    n += simplex_falloff(dx1, dy1) * (gx1 * dx1 + gy1 * dy1)
    n += simplex_falloff(dx2, dy2) * (gx2 * dx2 + gy2 * dy2)
    return SIMPLEX_SCALE * n


@scalar
def simplex2(x, r, period_x, period_y, seed):
    """OpenSimplex2-style simplex noise in [-1, 1] on an axis-aligned hexagonal lattice.

    ``x`` is in lattice units (one unit per point along a row), ``r`` in rows (rows are
    ROW_HEIGHT apart, so features are round when ``r`` advances 1/ROW_HEIGHT times as fast
    as ``x``). ``period_x`` wraps every ``period_x`` points along a row, ``period_y`` every
    ``period_y`` rows and must then be even (0: no wrapping).
    """
    j0 = int(math.floor(r))
    i0 = int(math.floor(x + 0.5 * r))  # as in simplex2_row
    part0, shift0 = simplex_row_parts(j0, i0, period_x, period_y, seed)
    part1, shift1 = simplex_row_parts(j0 + 1, i0, period_x, period_y, seed)
    return simplex2_row(x, r, r - j0, part0, shift0, part1, shift1, period_x)


@scalar
def value2_blend(v00, v10, v01, v11, sx, sy):
    """Value noise inside one cell from its corner values (v00 at (0, 0), v10 at (1, 0),
    ...) and the fades sx, sy, as ``perlin2_blend`` is Perlin noise."""
    bottom = v00 + sx * (v10 - v00)
    top = v01 + sx * (v11 - v01)
    return bottom + sy * (top - bottom)


@scalar
def value2_cell(hx0, hx1, hy0, hy1, sx, sy):
    """``value2_blend`` for the cell whose corner hash parts are ``cell_x_parts`` and
    ``cell_y_parts``."""
    return value2_blend(lattice_value(avalanche(hx0 ^ hy0)), lattice_value(avalanche(hx1 ^ hy0)),
                        lattice_value(avalanche(hx0 ^ hy1)), lattice_value(avalanche(hx1 ^ hy1)),
                        sx, sy)


@scalar
def value2(x, y, period_x, period_y, seed):
    """Value noise at (x, y) in lattice units, in [-1, 1).

    Each lattice point holds ``lattice_value`` of its hash; the four corners of the cell are
    blended with Perlin's quintic fade (FastNoiseLite's Value uses the cubic smoothstep).
    Periods as for ``perlin2``.
    """
    ix0 = int(math.floor(x))
    iy0 = int(math.floor(y))
    hx0, hx1 = cell_x_parts(ix0, period_x)
    hy0, hy1 = cell_y_parts(iy0, period_y, seed)
    fx = x - ix0
    fy = y - iy0
    return value2_cell(hx0, hx1, hy0, hy1, fade(fx), fade(fy))


@scalar
def value_cubic_row(seed, ix0, ix1, ix2, ix3, iy, iz, fx):
    """``cubic_lerp`` of the lattice values at (ix0..ix3, iy, iz), at fx between ix1 and ix2."""
    return cubic_lerp(lattice_value(hash3(seed, ix0, iy, iz)),
                      lattice_value(hash3(seed, ix1, iy, iz)),
                      lattice_value(hash3(seed, ix2, iy, iz)),
                      lattice_value(hash3(seed, ix3, iy, iz)), fx)


@scalar
def value_cubic_plane(seed, ix0, ix1, ix2, ix3, iy0, iy1, iy2, iy3, iz, fx, fy):
    """``cubic_lerp`` down the column of four ``value_cubic_row`` results in plane ``iz``."""
    return cubic_lerp(value_cubic_row(seed, ix0, ix1, ix2, ix3, iy0, iz, fx),
                      value_cubic_row(seed, ix0, ix1, ix2, ix3, iy1, iz, fx),
                      value_cubic_row(seed, ix0, ix1, ix2, ix3, iy2, iz, fx),
                      value_cubic_row(seed, ix0, ix1, ix2, ix3, iy3, iz, fx), fy)


@scalar
def value_cubic2(x, y, period_x, period_y, seed):
    """FastNoiseLite's ValueCubic at (x, y): ``cubic_lerp`` over 4 x 4 lattice values, in [-1, 1].

    Rows first, then the column of row results; times VALUE_CUBIC_SCALE. Periods as for
    ``perlin2``.
    """
    ix1 = int(math.floor(x))
    iy1 = int(math.floor(y))
    fx = x - ix1
    fy = y - iy1
    ix0 = ix1 - 1
    ix2 = ix1 + 1
    ix3 = ix1 + 2
    iy0 = iy1 - 1
    iy2 = iy1 + 1
    iy3 = iy1 + 2
    ix0 = wrap(ix0, period_x)
    ix1 = wrap(ix1, period_x)
    ix2 = wrap(ix2, period_x)
    ix3 = wrap(ix3, period_x)
    iy0 = wrap(iy0, period_y)
    iy1 = wrap(iy1, period_y)
    iy2 = wrap(iy2, period_y)
    iy3 = wrap(iy3, period_y)
    n = value_cubic_plane(seed, ix0, ix1, ix2, ix3, iy0, iy1, iy2, iy3, 0, fx, fy)
    return VALUE_CUBIC_SCALE * n


@scalar
def perlin3(x, y, z, period_x, period_y, period_z, seed):
    """3-D Perlin gradient noise at (x, y, z) in lattice units, in [-1, 1].

    Unit cube lattice with the 12 cube-edge gradients (GRADIENTS3); the eight corner dot
    products are blended with the quintic fade along x, then y, then z. Periods as for
    ``perlin2``, plus ``period_z``.
    """
    ix0 = int(math.floor(x))
    iy0 = int(math.floor(y))
    iz0 = int(math.floor(z))
    fx = x - ix0
    fy = y - iy0
    fz = z - iz0
    ix1 = wrap(ix0 + 1, period_x)
    iy1 = wrap(iy0 + 1, period_y)
    iz1 = wrap(iz0 + 1, period_z)
    ix0 = wrap(ix0, period_x)
    iy0 = wrap(iy0, period_y)
    iz0 = wrap(iz0, period_z)
    sx = fade(fx)
    sy = fade(fy)
    sz = fade(fz)
    near = lerp(lerp(gradient_dot3(hash3(seed, ix0, iy0, iz0), fx, fy, fz),
                     gradient_dot3(hash3(seed, ix1, iy0, iz0), fx - 1.0, fy, fz), sx),
                lerp(gradient_dot3(hash3(seed, ix0, iy1, iz0), fx, fy - 1.0, fz),
                     gradient_dot3(hash3(seed, ix1, iy1, iz0), fx - 1.0, fy - 1.0, fz), sx),
                sy)
    far = lerp(lerp(gradient_dot3(hash3(seed, ix0, iy0, iz1), fx, fy, fz - 1.0),
                    gradient_dot3(hash3(seed, ix1, iy0, iz1), fx - 1.0, fy, fz - 1.0), sx),
               lerp(gradient_dot3(hash3(seed, ix0, iy1, iz1), fx, fy - 1.0, fz - 1.0),
                    gradient_dot3(hash3(seed, ix1, iy1, iz1), fx - 1.0, fy - 1.0, fz - 1.0),
                    sx),
               sy)
    return PERLIN3_SCALE * lerp(near, far, sz)


@scalar
def simplex3_cube(seed, x, y, z, period_x, period_y, period_z):
    """Kernel sum of the 8 integer lattice points around (x, y, z) (see SIMPLEX3_RADIUS_SQ)."""
    i0 = int(math.floor(x))
    j0 = int(math.floor(y))
    k0 = int(math.floor(z))
    n = 0.0
    for ci in range(2):
        dx = x - i0 - ci
        for cj in range(2):
            dy = y - j0 - cj
            for ck in range(2):
                dz = z - k0 - ck
                a = SIMPLEX3_RADIUS_SQ - dx * dx - dy * dy - dz * dz
                if a > 0.0:
                    h = hash3(seed, wrap(i0 + ci, period_x), wrap(j0 + cj, period_y),
                              wrap(k0 + ck, period_z))
                    a2 = a * a
                    n += a2 * a2 * gradient_dot3(h, dx, dy, dz)
    return n


@scalar
def simplex3(x, y, z, period_x, period_y, period_z, seed):
    """3-D simplex-type noise in [-1, 1] on the body-centred cubic lattice of OpenSimplex2.

    The lattice is the integer points plus the cube centres (hashed with the seed xor
    SIMPLEX3_CENTRE_SALT), axis-aligned so that integer periods wrap it. Its z = const
    slices are not the hexagonal lattice of ``simplex2``, so a 3-D simplex texture looks
    a little different from the 2-D one.
    """
    n = simplex3_cube(seed, x, y, z, period_x, period_y, period_z)
    n += simplex3_cube(seed ^ SIMPLEX3_CENTRE_SALT, x - 0.5, y - 0.5, z - 0.5,
                       period_x, period_y, period_z)
    return min(max(SIMPLEX3_SCALE * n, -1.0), 1.0)


@scalar
def value3(x, y, z, period_x, period_y, period_z, seed):
    """3-D value noise in [-1, 1): ``value2`` on the unit cube lattice, blended along z too."""
    ix0 = int(math.floor(x))
    iy0 = int(math.floor(y))
    iz0 = int(math.floor(z))
    sx = fade(x - ix0)
    sy = fade(y - iy0)
    sz = fade(z - iz0)
    ix1 = wrap(ix0 + 1, period_x)
    iy1 = wrap(iy0 + 1, period_y)
    iz1 = wrap(iz0 + 1, period_z)
    ix0 = wrap(ix0, period_x)
    iy0 = wrap(iy0, period_y)
    iz0 = wrap(iz0, period_z)
    near = lerp(lerp(lattice_value(hash3(seed, ix0, iy0, iz0)),
                     lattice_value(hash3(seed, ix1, iy0, iz0)), sx),
                lerp(lattice_value(hash3(seed, ix0, iy1, iz0)),
                     lattice_value(hash3(seed, ix1, iy1, iz0)), sx), sy)
    far = lerp(lerp(lattice_value(hash3(seed, ix0, iy0, iz1)),
                    lattice_value(hash3(seed, ix1, iy0, iz1)), sx),
               lerp(lattice_value(hash3(seed, ix0, iy1, iz1)),
                    lattice_value(hash3(seed, ix1, iy1, iz1)), sx), sy)
    return lerp(near, far, sz)


@scalar
def value_cubic3(x, y, z, period_x, period_y, period_z, seed):
    """3-D ValueCubic in [-1, 1]: ``value_cubic_plane`` in four planes, then ``cubic_lerp``
    along z, times VALUE_CUBIC3_SCALE."""
    ix1 = int(math.floor(x))
    iy1 = int(math.floor(y))
    iz1 = int(math.floor(z))
    fx = x - ix1
    fy = y - iy1
    fz = z - iz1
    ix0 = wrap(ix1 - 1, period_x)
    ix2 = wrap(ix1 + 1, period_x)
    ix3 = wrap(ix1 + 2, period_x)
    ix1 = wrap(ix1, period_x)
    iy0 = wrap(iy1 - 1, period_y)
    iy2 = wrap(iy1 + 1, period_y)
    iy3 = wrap(iy1 + 2, period_y)
    iy1 = wrap(iy1, period_y)
    n = cubic_lerp(
        value_cubic_plane(seed, ix0, ix1, ix2, ix3, iy0, iy1, iy2, iy3,
                          wrap(iz1 - 1, period_z), fx, fy),
        value_cubic_plane(seed, ix0, ix1, ix2, ix3, iy0, iy1, iy2, iy3,
                          wrap(iz1, period_z), fx, fy),
        value_cubic_plane(seed, ix0, ix1, ix2, ix3, iy0, iy1, iy2, iy3,
                          wrap(iz1 + 1, period_z), fx, fy),
        value_cubic_plane(seed, ix0, ix1, ix2, ix3, iy0, iy1, iy2, iy3,
                          wrap(iz1 + 2, period_z), fx, fy),
        fz)
    return VALUE_CUBIC3_SCALE * n


@scalar
def cell_spread(distance, jitter, dims):
    """How far a feature point may stray from its cell's centre per axis: m in cellular2
    (``dims`` 2) and cellular3 (``dims`` 3)."""
    if dims == 3:
        if distance == DISTANCE_MANHATTAN:
            return CELL_JITTER_3D_MANHATTAN * jitter
        return CELL_JITTER_3D * jitter
    if distance == DISTANCE_MANHATTAN:
        return CELL_JITTER_MANHATTAN * jitter
    return CELL_JITTER * jitter


@scalar
def feature_offset(h, shift, m):
    """One coordinate of a feature point relative to its cell's centre, from 16 bits of ``h``."""
    return m * (((h >> shift) & 0xFFFF) * (2.0 / 65536.0) - 1.0)


@scalar
def cell_distance(dx, dy, dz, distance):
    """Distance of offset (dx, dy, dz) under a DISTANCE_* code; Euclidean comes squared."""
    if distance == DISTANCE_MANHATTAN:
        return abs(dx) + abs(dy) + abs(dz)
    if distance == DISTANCE_CHEBYSHEV:
        return max(abs(dx), max(abs(dy), abs(dz)))
    return dx * dx + dy * dy + dz * dz  # the root is taken once, in cellular_value


@scalar
def cellular_value(d1, d2, h1, distance, return_type, m, dims):
    """The cellular noise in [-1, 1] from F1, F2 (as ``cell_distance`` gives them) and the
    nearest cell's hash ``h1``, for a ``dims``-dimensional (2 or 3) search.

    F1 and F2 are divided by their largest values in the 3**dims search at spread ``m``
    (every point at the far corner of its range; for F2, the query at a cell centre with the
    next cell's point across a face), so the result c is in [0, 1] (clipped against the
    rare 3-D case beyond it); the noise is 2 c - 1. RETURN_CELL_VALUE gives the nearest
    cell's own random value in [-1, 1).
    """
    if return_type == RETURN_CELL_VALUE:
        # Re-avalanche the nearest cell's hash: its bits also placed the point.
        return lattice_value(hash2(h1, 0, 0))
    if distance == DISTANCE_MANHATTAN:
        f1_max = dims * (0.5 + m)
        f2_max = max(f1_max, 1.0 + dims * m)
    elif distance == DISTANCE_CHEBYSHEV:
        f1_max = 0.5 + m
        f2_max = 1.0 + m
    else:
        f1_max = dims * (0.5 + m) * (0.5 + m)
        f2_max = (1.0 + m) * (1.0 + m) + (dims - 1) * m * m
        if distance == DISTANCE_EUCLIDEAN:
            d1 = math.sqrt(d1)
            d2 = math.sqrt(d2)
            f1_max = math.sqrt(f1_max)
            f2_max = math.sqrt(f2_max)
    if return_type == RETURN_F2:
        c = d2 / f2_max
    elif return_type == RETURN_F2_MINUS_F1:
        c = (d2 - d1) / f2_max
    elif return_type == RETURN_F2_PLUS_F1:
        c = (d1 + d2) / (f1_max + f2_max)
    elif return_type == RETURN_F1_TIMES_F2:
        c = d1 * d2 / (f1_max * f2_max)
    else:
        c = d1 / f1_max
    return 2.0 * min(c, 1.0) - 1.0


@scalar
def cellular2(x, y, period_x, period_y, seed, distance, return_type, jitter):
    """Cellular (Worley) noise at (x, y) in lattice units, in [-1, 1].

    Cell (i, j) is the unit square at (i, j); its feature point sits at
    (i + 0.5 + m * (2 * rx - 1), j + 0.5 + m * (2 * ry - 1)) with m = CELL_JITTER * jitter
    (CELL_JITTER_MANHATTAN for DISTANCE_MANHATTAN) and rx, ry the low and high 16 bits of
    hash2(seed, i, j) / 65536. Only the 3 x 3 cells around the one holding (x, y) are
    searched. A period wraps the cell coordinates before hashing but not the point's
    position, so a wrapped cell's point is the same point one period away and distances
    are continuous across the seam.

    ``distance`` is a DISTANCE_* code and ``return_type`` a RETURN_* code; see
    ``cellular_value`` for how F1 and F2 become the result.
    """
    cx = int(math.floor(x))
    cy = int(math.floor(y))
    m = cell_spread(distance, jitter, 2)
    d1 = FAR
    d2 = FAR
    h1 = 0
    for i in range(cx - 1, cx + 2):
        iw = wrap(i, period_x)
        for j in range(cy - 1, cy + 2):
            h = hash2(seed, iw, wrap(j, period_y))
            d = cell_distance(i + 0.5 + feature_offset(h, 0, m) - x,
                              j + 0.5 + feature_offset(h, 16, m) - y, 0.0, distance)
            if d < d1:
                d2 = d1
                d1 = d
                h1 = h
            elif d < d2:
                d2 = d
    return cellular_value(d1, d2, h1, distance, return_type, m, 2)


@scalar
def cellular3(x, y, z, period_x, period_y, period_z, seed, distance, return_type, jitter):
    """3-D cellular noise in [-1, 1]: ``cellular2`` on unit cubes, searching 3 x 3 x 3 cells,
    with the spread m = CELL_JITTER_3D * jitter (CELL_JITTER_3D_MANHATTAN for Manhattan).

    Cell (i, j, k)'s point is offset from the cube's centre along x and y as in 2-D (the
    low and high 16 bits of h = hash3(seed, i, j, k)) and along z by the low 16 bits of
    hash2(h, 1, 0), a second avalanche (32 bits do not hold three 16-bit fields).
    """
    cx = int(math.floor(x))
    cy = int(math.floor(y))
    cz = int(math.floor(z))
    m = cell_spread(distance, jitter, 3)
    d1 = FAR
    d2 = FAR
    h1 = 0
    for i in range(cx - 1, cx + 2):
        iw = wrap(i, period_x)
        for j in range(cy - 1, cy + 2):
            jw = wrap(j, period_y)
            for k in range(cz - 1, cz + 2):
                h = hash3(seed, iw, jw, wrap(k, period_z))
                d = cell_distance(i + 0.5 + feature_offset(h, 0, m) - x,
                                  j + 0.5 + feature_offset(h, 16, m) - y,
                                  k + 0.5 + feature_offset(hash2(h, 1, 0), 0, m) - z,
                                  distance)
                if d < d1:
                    d2 = d1
                    d1 = d
                    h1 = h
                elif d < d2:
                    d2 = d
    return cellular_value(d1, d2, h1, distance, return_type, m, 3)


@scalar
def white2(x, y, period_x, period_y, seed):
    """``lattice_value`` of the lattice point at floor(x, y), in [-1, 1): no interpolation."""
    ix = int(math.floor(x))
    iy = int(math.floor(y))
    ix = wrap(ix, period_x)
    iy = wrap(iy, period_y)
    return lattice_value(hash2(seed, ix, iy))


@scalar
def octave_step(fractal_type, n, weight, weighted_strength, ping_pong_strength, total, lost,
                scale):
    """Add one octave's noise ``n`` (weight ``weight``) to the running fractal sum.

    Returns the updated ``(total, lost, scale)``; see ``fractal``.
    """
    amplitude = weight * scale
    if fractal_type == FRACTAL_RIDGED:
        octave = 1.0 - abs(n)
        total += amplitude * octave
    elif fractal_type == FRACTAL_BILLOW:
        octave = abs(n)
        total += amplitude * octave
    elif fractal_type == FRACTAL_PINGPONG:
        octave = ping_pong((n + 1.0) * ping_pong_strength)
        total += amplitude * octave
    else:
        octave = 0.5 + 0.5 * n
        total += amplitude * n
    if weighted_strength != 0.0:
        lost += weight - amplitude
        scale *= 1.0 + weighted_strength * (octave - 1.0)
    return total, lost, scale


@scalar
def base_noise2(noise, x, y, period_x, period_y, seed, distance, return_type, jitter):
    """``base_noise`` in 2-D: split out so the 2-D image loop does not compile 3-D code."""
    if noise == NOISE_SIMPLEX:
        return simplex2(x, y, period_x, period_y, seed)
    if noise == NOISE_VALUE:
        return value2(x, y, period_x, period_y, seed)
    if noise == NOISE_VALUE_CUBIC:
        return value_cubic2(x, y, period_x, period_y, seed)
    if noise == NOISE_CELLULAR:
        return cellular2(x, y, period_x, period_y, seed, distance, return_type, jitter)
    if noise == NOISE_WHITE:
        return white2(x, y, period_x, period_y, seed)
    return perlin2(x, y, period_x, period_y, seed)


@scalar
def base_noise3(noise, x, y, z, period_x, period_y, period_z, seed, distance, return_type,
                jitter):
    """``base_noise`` in 3-D. White noise has no 3-D form: ValueError rather than another
    noise. ``texgen_noise.nodes.noise_settings`` refuses it first with a clear message, as
    neither target reports it well (numba's parallel loop turns it into a SystemError, CUDA
    code reports exceptions only when compiled for debugging)."""
    if noise == NOISE_SIMPLEX:
        return simplex3(x, y, z, period_x, period_y, period_z, seed)
    if noise == NOISE_VALUE:
        return value3(x, y, z, period_x, period_y, period_z, seed)
    if noise == NOISE_VALUE_CUBIC:
        return value_cubic3(x, y, z, period_x, period_y, period_z, seed)
    if noise == NOISE_CELLULAR:
        return cellular3(x, y, z, period_x, period_y, period_z, seed, distance, return_type,
                         jitter)
    if noise == NOISE_WHITE:
        raise ValueError("white noise is 2-D only")
    return perlin3(x, y, z, period_x, period_y, period_z, seed)


@scalar
def base_noise(noise, dims, x, y, z, period_x, period_y, period_z, seed, distance,
               return_type, jitter):
    """One octave of the base noise ``noise`` (a NOISE_* code), in [-1, 1].

    ``dims`` 2 samples the plane at (x, y) (``z`` and ``period_z`` unused); 3 samples the
    volume at (x, y, z). ``distance``, ``return_type`` and ``jitter`` are for cellular.
    """
    if dims == 3:
        return base_noise3(noise, x, y, z, period_x, period_y, period_z, seed, distance,
                           return_type, jitter)
    return base_noise2(noise, x, y, period_x, period_y, seed, distance, return_type, jitter)


@scalar
def fractal_result(fractal_type, total, lost):
    """The fractal value in [0, 1] from ``octave_step``'s final ``total`` and ``lost``."""
    if fractal_type == FRACTAL_FBM:
        total = 0.5 + 0.5 * total
    else:
        total += 0.5 * lost
    return min(max(total, 0.0), 1.0)


@scalar
def fractal(noise, fractal_type, dims, u, v, lattice, periods, seeds, weights,
            weighted_strength, ping_pong_strength, distance, return_type, jitter):
    """Fractal sum of the base noise ``noise`` at UV (u, v), in [0, 1].

    Octave k samples ``base_noise`` at (u * lattice[k, 0], v * lattice[k, 1], lattice[k, 2])
    with periods periods[k, 0..2] and seed seeds[k]; its noise n_k in [-1, 1] becomes an
    octave value o_k in [0, 1]: FRACTAL_FBM 0.5 + 0.5 n, FRACTAL_RIDGED 1 - |n| (1 where
    the noise crosses zero), FRACTAL_BILLOW |n|, FRACTAL_PINGPONG
    ping_pong((n + 1) * ping_pong_strength).

    Amplitudes start as weights[k] (they sum to 1). As in FastNoiseLite, each octave then
    scales all later amplitudes by lerp(1, o_k, weighted_strength), so detail fades where
    the octaves above are dark. The result is sum(a_k o_k) plus 0.5 for every unit of weight
    the scaling took away (FastNoiseLite's signed sums leave it at 0, here mid-gray), so
    it stays in [0, 1] and weighted_strength 0 is the plain weighted mean. FBM computes it as
    0.5 + 0.5 * sum(a_k n_k). Clipped to [0, 1] against rounding.
    """
    total = 0.0
    lost = 0.0
    scale = 1.0
    for k in range(seeds.shape[0]):
        n = base_noise(noise, dims, u * lattice[k, 0], v * lattice[k, 1], lattice[k, 2],
                       periods[k, 0], periods[k, 1], periods[k, 2], seeds[k], distance,
                       return_type, jitter)
        total, lost, scale = octave_step(fractal_type, n, weights[k], weighted_strength,
                                         ping_pong_strength, total, lost, scale)
    return fractal_result(fractal_type, total, lost)


@scalar
def gradient_noise(dims, x, y, z, period_x, period_y, period_z, seed):
    """``perlin2`` at (x, y) when ``dims`` is 2, else ``perlin3`` at (x, y, z)."""
    if dims == 3:
        return perlin3(x, y, z, period_x, period_y, period_z, seed)
    return perlin2(x, y, period_x, period_y, seed)


@scalar
def domain_warp(mode, dims, u, v, lattice, periods, seeds, weights, amplitude_u,
                amplitude_v):
    """UV (u, v) displaced by a fractal Perlin vector field (FastNoiseLite's domain warp).

    Octave k of each component is ``gradient_noise`` on lattice k (as in ``fractal``) with
    seed seeds[k] for u and seeds[k] ^ WARP_Y_SALT for v, weighted by weights[k] (summing
    to 1) and scaled by amplitude_u / amplitude_v (UV units). WARP_INDEPENDENT samples every
    octave at the original (u, v) and adds up the displacements; WARP_PROGRESSIVE samples
    each octave where the octaves before it moved the point, so the warp folds on itself.
    WARP_NONE returns (u, v) unchanged.
    """
    if mode == WARP_NONE:
        return u, v
    du = 0.0
    dv = 0.0
    for k in range(seeds.shape[0]):
        su = u
        sv = v
        if mode == WARP_PROGRESSIVE:
            su += du
            sv += dv
        x = su * lattice[k, 0]
        y = sv * lattice[k, 1]
        du += amplitude_u * weights[k] * gradient_noise(
            dims, x, y, lattice[k, 2], periods[k, 0], periods[k, 1], periods[k, 2], seeds[k])
        dv += amplitude_v * weights[k] * gradient_noise(
            dims, x, y, lattice[k, 2], periods[k, 0], periods[k, 1], periods[k, 2],
            seeds[k] ^ WARP_Y_SALT)
    return u + du, v + dv


@scalar
def noise_at(u, v, noise, fractal_type, dims, lattice, periods, seeds, weights,
             weighted_strength, ping_pong_strength, distance, return_type, jitter,
             warp_mode, warp_lattice, warp_periods, warp_seeds, warp_weights,
             warp_amplitude_u, warp_amplitude_v):
    """The texture value at UV (u, v): ``fractal`` at the ``domain_warp``-ed point."""
    u, v = domain_warp(warp_mode, dims, u, v, warp_lattice, warp_periods, warp_seeds,
                       warp_weights, warp_amplitude_u, warp_amplitude_v)
    return fractal(noise, fractal_type, dims, u, v, lattice, periods, seeds, weights,
                   weighted_strength, ping_pong_strength, distance, return_type, jitter)


#: Rows per parallel work item of ``fill_grid_cpu``.
ROWS_PER_CHUNK = 16


# --- per-target image loops -------------------------------------------------------------
# They live in this file on purpose: numba's disk cache is invalidated by the timestamp of
# the file that defines the cached function only, so a loop defined elsewhere would keep
# serving stale code after an edit to the math above. Their arguments after ``out`` are
# ``noise_at``'s after (u, v): the fields of a NoiseSettings.

def fill_noise_cpu(out, noise, fractal_type, dims, lattice, periods, seeds, weights,
                   weighted_strength, ping_pong_strength, distance, return_type, jitter,
                   warp_mode, warp_lattice, warp_periods, warp_seeds, warp_weights,
                   warp_amplitude_u, warp_amplitude_v):
    """Write ``noise_at`` at every pixel centre of ``out`` (float32, (H, W, 1)), rows in
    parallel."""
    height = out.shape[0]
    width = out.shape[1]
    for row in prange(height):
        v = (row + 0.5) / height
        for col in range(width):
            out[row, col, 0] = noise_at((col + 0.5) / width, v, noise, fractal_type, dims,
                                        lattice, periods, seeds, weights, weighted_strength,
                                        ping_pong_strength, distance, return_type, jitter,
                                        warp_mode, warp_lattice, warp_periods, warp_seeds,
                                        warp_weights, warp_amplitude_u, warp_amplitude_v)


def fill_grid_cpu(out, noise, fractal_type, dims, lattice, periods, seeds, weights,
                  weighted_strength, ping_pong_strength, distance, return_type, jitter,
                  warp_mode, warp_lattice, warp_periods, warp_seeds, warp_weights,
                  warp_amplitude_u, warp_amplitude_v):
    """``fill_noise_cpu`` for 2-D noise without a warp: the same values bit for bit, faster.

    Rows run in parallel, and each row sums its octaves for all its pixels at once, so the
    row's lattice set-up is done once per octave. Each column's x per octave, and for
    Perlin and value noise its fraction, fade and cell, come from tables built once per
    call. For Perlin and value noise each row and octave then hashes each lattice column it
    touches once per lattice row (bottom and top) into a table of gradients or values, so
    a pixel only looks its four corners up there (``perlin2_blend`` / ``value2_blend``);
    simplex does the same per lattice point of its two rows (``simplex2_blend``). Pixels
    are taken in runs that share a cell, whose corners are then constants of a branch-free
    loop that LLVM vectorises (SIMD). Arguments as for ``fill_noise_cpu``; ``dims`` must be 2 and
    ``warp_mode`` WARP_NONE (the warp's arguments are unused).
    """
    height = out.shape[0]
    width = out.shape[1]
    octaves = seeds.shape[0]
    column_x = np.empty((octaves, width))
    column_fx = np.empty((octaves, width))
    column_sx = np.empty((octaves, width))
    # Lattice columns per octave: column_cell[k, col] is the entry of the pixel's left cell
    # edge in lattice_part[k] (its wrapped ``prime_part``), the next entry its right edge;
    # neighbouring pixels share entries, so there are at most 2 * width of them.
    column_cell = np.empty((octaves, width), np.int64)
    lattice_part = np.empty((octaves, 2 * width), np.int64)
    lattice_count = np.zeros(octaves, np.int64)
    run_start = np.empty((octaves, width + 1), np.int64)
    run_count = np.zeros(octaves, np.int64)
    for k in range(octaves):
        count = 0
        previous_ix0 = 0
        for col in range(width):
            x = (col + 0.5) / width * lattice[k, 0]
            column_x[k, col] = x
            ix0 = int(math.floor(x))
            column_fx[k, col] = x - ix0
            column_sx[k, col] = fade(x - ix0)
            if col > 0 and ix0 == previous_ix0:
                column_cell[k, col] = column_cell[k, col - 1]
                continue
            if col > 0 and ix0 == previous_ix0 + 1:
                column_cell[k, col] = count - 1  # the previous pixel's right edge
            else:
                column_cell[k, col] = count
                lattice_part[k, count] = prime_part(wrap(ix0, periods[k, 0]), PRIME_X)
                count += 1
            lattice_part[k, count] = prime_part(wrap(ix0 + 1, periods[k, 0]), PRIME_X)
            count += 1
            previous_ix0 = ix0
        lattice_count[k] = count
        runs = 0
        for col in range(width):
            if col == 0 or column_cell[k, col] != column_cell[k, col - 1]:
                run_start[k, runs] = col
                runs += 1
        run_start[k, runs] = width
        run_count[k] = runs
    # Rows in chunks, so each thread allocates its row buffers once per chunk, not per row.
    chunks = -(-height // ROWS_PER_CHUNK)
    for chunk in prange(chunks):
        noise_row = np.empty(width)
        total = np.empty(width)
        lost = np.empty(width)
        scale = np.empty(width)
        # Per lattice column of lattice_part: the gradient (Perlin) or value (value noise)
        # at the cell row's bottom (iy0) and top (iy0 + 1) edge.
        gx_bottom = np.empty(2 * width)
        gy_bottom = np.empty(2 * width)
        gx_top = np.empty(2 * width)
        gy_top = np.empty(2 * width)
        for row in range(chunk * ROWS_PER_CHUNK, min(height, (chunk + 1) * ROWS_PER_CHUNK)):
            total[:] = 0.0
            lost[:] = 0.0
            scale[:] = 1.0
            v = (row + 0.5) / height
            for k in range(octaves):
                y = v * lattice[k, 1]
                iy0 = int(math.floor(y))
                fy = y - iy0
                if noise == NOISE_PERLIN or noise == NOISE_VALUE:
                    hy0, hy1 = cell_y_parts(iy0, periods[k, 1], seeds[k])
                    sy = fade(fy)
                    if noise == NOISE_PERLIN:
                        for j in range(lattice_count[k]):
                            gx_bottom[j], gy_bottom[j] = gradient_vector(
                                avalanche(lattice_part[k, j] ^ hy0))
                            gx_top[j], gy_top[j] = gradient_vector(
                                avalanche(lattice_part[k, j] ^ hy1))
                        for r in range(run_count[k]):
                            gx00, gy00, gx10, gy10, gx01, gy01, gx11, gy11 = table_corners(
                                gx_bottom, gy_bottom, gx_top, gy_top,
                                column_cell[k, run_start[k, r]])
                            for col in range(run_start[k, r], run_start[k, r + 1]):
                                noise_row[col] = perlin2_blend(
                                    gx00, gy00, gx10, gy10, gx01, gy01, gx11, gy11,
                                    column_fx[k, col], fy, column_sx[k, col], sy)
                    else:
                        for j in range(lattice_count[k]):
                            gx_bottom[j] = lattice_value(avalanche(lattice_part[k, j] ^ hy0))
                            gx_top[j] = lattice_value(avalanche(lattice_part[k, j] ^ hy1))
                        for r in range(run_count[k]):
                            j = column_cell[k, run_start[k, r]]
                            v00 = gx_bottom[j]
                            v10 = gx_bottom[j + 1]
                            v01 = gx_top[j]
                            v11 = gx_top[j + 1]
                            for col in range(run_start[k, r], run_start[k, r + 1]):
                                noise_row[col] = value2_blend(v00, v10, v01, v11,
                                                              column_sx[k, col], sy)
                elif noise == NOISE_SIMPLEX:
                    # Tileable columns sample x in (0, period_x): a corner's i is at least
                    # floor(y / 2) and at most floor(y / 2) + period_x + 2 (rounding).
                    i_low = int(math.floor(0.5 * y))
                    part0, shift0 = simplex_row_parts(iy0, i_low, periods[k, 0], periods[k, 1],
                                                      seeds[k])
                    part1, shift1 = simplex_row_parts(iy0 + 1, i_low, periods[k, 0],
                                                      periods[k, 1], seeds[k])
                    # The gradients of the lattice points i_first .. i_first + i_count - 1
                    # of both rows, then runs of pixels in the same pair of triangles; cells
                    # narrower than half a pixel (a table longer than 2 * width) hash per
                    # pixel instead.
                    i_first = int(math.floor(column_x[k, 0] + 0.5 * y))
                    i_count = int(math.floor(column_x[k, width - 1] + 0.5 * y)) - i_first + 2
                    if i_count > gx_bottom.shape[0]:
                        for col in range(width):
                            noise_row[col] = simplex2_row(column_x[k, col], y, fy, part0,
                                                          shift0, part1, shift1, periods[k, 0])
                    else:
                        for j in range(i_count):
                            gx_bottom[j], gy_bottom[j] = gradient_vector(avalanche(prime_part(
                                wrap_near(i_first + j - shift0, periods[k, 0]), PRIME_X) ^ part0))
                            gx_top[j], gy_top[j] = gradient_vector(avalanche(prime_part(
                                wrap_near(i_first + j - shift1, periods[k, 0]), PRIME_X) ^ part1))
                        col = 0
                        while col < width:
                            # A run of pixels in the same pair of triangles (same i0).
                            i0 = int(math.floor(column_x[k, col] + 0.5 * y))
                            end = col + 1
                            while end < width and int(math.floor(
                                    column_x[k, end] + 0.5 * y)) == i0:
                                end += 1
                            gx0, gy0, gx1_low, gy1_low, gx1_up, gy1_up, gx2, gy2 = \
                                table_corners(gx_bottom, gy_bottom, gx_top, gy_top,
                                              i0 - i_first)
                            for c in range(col, end):
                                _, dx0, dy0, lower = simplex2_cell(column_x[k, c], y, fy)
                                noise_row[c] = simplex2_blend(
                                    dx0, dy0, lower, gx0, gy0, gx1_low, gy1_low, gx1_up,
                                    gy1_up, gx2, gy2)
                            col = end
                else:
                    for col in range(width):
                        noise_row[col] = base_noise2(
                            noise, column_x[k, col], y, periods[k, 0], periods[k, 1],
                            seeds[k], distance, return_type, jitter)
                for col in range(width):
                    total[col], lost[col], scale[col] = octave_step(
                        fractal_type, noise_row[col], weights[k], weighted_strength,
                        ping_pong_strength, total[col], lost[col], scale[col])
            for col in range(width):
                out[row, col, 0] = fractal_result(fractal_type, total[col], lost[col])


def fill_noise_cuda(out, noise, fractal_type, dims, lattice, periods, seeds, weights,
                    weighted_strength, ping_pong_strength, distance, return_type, jitter,
                    warp_mode, warp_lattice, warp_periods, warp_seeds, warp_weights,
                    warp_amplitude_u, warp_amplitude_v):
    """CUDA kernel: one thread per pixel of ``out``; the same ``noise_at`` as the CPU loop."""
    # ``cuda`` is bound by cuda_kernels() (make_kernels' extra_globals), not imported here,
    # so CPU-only installs never import numba.cuda.
    row, col = cuda.grid(2)  # noqa: F821 - bound by cuda_kernels()
    if row < out.shape[0] and col < out.shape[1]:
        out[row, col, 0] = noise_at((col + 0.5) / out.shape[1], (row + 0.5) / out.shape[0],
                                    noise, fractal_type, dims, lattice, periods, seeds,
                                    weights, weighted_strength, ping_pong_strength, distance,
                                    return_type, jitter, warp_mode, warp_lattice,
                                    warp_periods, warp_seeds, warp_weights,
                                    warp_amplitude_u, warp_amplitude_v)


# --- compilation ------------------------------------------------------------------------

def make_kernels(jit, *, entry_points=(), extra_globals=None):
    """Compile the scalar functions with ``jit`` and return them by name.

    Args:
        jit: decorator for the scalar functions, e.g. ``numba.njit`` or
            ``numba.cuda.jit(device=True)``.
        entry_points: ``(function, decorator)`` pairs from this module, compiled alongside
            (e.g. ``fill_noise_cpu`` with ``numba.njit(parallel=True, cache=True)``).
        extra_globals: names the entry points need beyond this module's (``cuda``, which
            is imported only when a CUDA kernel set is built).

    Returns:
        A ``types.SimpleNamespace`` of the compiled functions, by function name.

    Every function is rebuilt on a private copy of this module's globals in which each name
    is bound to its compiled version, so ``perlin2`` calling ``hash2`` calls that target's
    ``hash2``. Closures over compiled callees would do the same but defeat numba's disk
    cache: its index key pickles closure cells, and a dispatcher pickles with a fresh
    per-process uuid, so a second process never hits the cache and each run appends an
    entry. Rebound globals are not part of the key (so build one cached set per target),
    and the cached code keeps this file's name, so an edit here invalidates it.
    """
    namespace = {**globals(), **(extra_globals or {})}
    compiled = {}
    for function, decorator in (*((f, jit) for f in SCALAR_FUNCTIONS), *entry_points):
        rebound = types.FunctionType(function.__code__, namespace, function.__name__,
                                     function.__defaults__, function.__closure__)
        rebound.__qualname__ = function.__qualname__
        rebound.__doc__ = function.__doc__
        namespace[function.__name__] = compiled[function.__name__] = decorator(rebound)
    return types.SimpleNamespace(**compiled)


@functools.cache
def cpu_kernels():
    """The CPU kernel set; the image loops are parallel over rows and cached on disk.

    The scalar functions are ``forceinline``: numba compiles each on its own and LLVM would
    not inline the larger ones (``gradient_dot``) into the pixel loops, which a call keeps
    from being SIMD-vectorised. No ``fastmath``: output must be bitwise reproducible.
    """
    parallel = numba.njit(parallel=True, cache=True)
    return make_kernels(numba.njit(forceinline=True),
                        entry_points=((fill_noise_cpu, parallel), (fill_grid_cpu, parallel)))


@functools.cache
def cuda_kernels():
    """The CUDA kernel set: device functions plus ``fill_noise_cuda`` (needs numba-cuda).

    Not cached on disk; compiled once per process. GPU results match the CPU within a float
    tolerance (the GPU compiler fuses multiply-adds), not bit for bit.
    """
    from numba import cuda

    return make_kernels(cuda.jit(device=True), entry_points=((fill_noise_cuda, cuda.jit),),
                        extra_globals={"cuda": cuda})
