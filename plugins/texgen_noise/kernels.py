"""Noise math, written once as plain Python and compiled for each target by ``make_kernels``.

The scalar functions (``hash2`` ... ``fractal2``) use only ``math``, integer and float
operations and read the constant ``GRADIENTS`` table: no NumPy calls, no allocation, no
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

import numba
import numpy as np
from numba import prange

MASK32 = 0xFFFFFFFF
#: FastNoiseLite's lattice primes: x * PRIME_X ^ y * PRIME_Y ^ seed decorrelates the axes.
PRIME_X = 501125321
PRIME_Y = 1136930381
#: Odd multipliers of the avalanche below; both < 2**31 so (32-bit value) * constant < 2**63.
MIX_A = 0x7FEB352D
MIX_B = 0x27D4EB2D

#: 24 unit gradients 15 degrees apart, offset by 7.5 degrees so none is axis-aligned (as in
#: FastNoiseLite), flattened as (gx0, gy0, gx1, gy1, ...). Numba freezes a global array into
#: the compiled code as a constant (CUDA: constant memory); a tuple indexed at run time would
#: be rebuilt on the stack at every call, about 8x slower.
GRADIENT_COUNT = 24
GRADIENTS = np.array([
    component
    for k in range(GRADIENT_COUNT)
    for component in (math.cos(math.radians(7.5 + 15.0 * k)),
                      math.sin(math.radians(7.5 + 15.0 * k)))
], dtype=np.float64)
GRADIENTS.flags.writeable = False

#: 2-D gradient noise with unit gradients is bounded by sqrt(2)/2; this maps it onto [-1, 1].
PERLIN_SCALE = math.sqrt(2.0)

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

#: FastNoiseLite's ValueCubic normaliser: its cubic through four values in [-1, 1] reaches
#: at most 1.5 (at t = 1/2), so 1.5**2 in 2-D.
VALUE_CUBIC_SCALE = 1.0 / (1.5 * 1.5)

#: Cellular feature points lie within CELL_JITTER * jitter of their cell's centre on each
#: axis. 0.4 keeps the 3x3 search exact in practice (a Monte-Carlo check of 1.6 million
#: samples per distance found no F1 or F2 from outside the 3x3 cells; at 0.45 Euclidean
#: F2 goes wrong at about 1e-5 of them). Manhattan distances reach further along the axes:
#: at 0.4 its F2 would be wrong at 6e-4 of the pixels (a visible speckle), so it uses 0.25.
CELL_JITTER = 0.4
CELL_JITTER_MANHATTAN = 0.25
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


# --- scalar math (target-independent) ---------------------------------------------------

def wrap(i, period):
    """``i`` modulo ``period`` in [0, period), whatever the sign convention of ``%``.

    ``period`` 0 means no wrapping: ``i`` comes back unchanged.
    """
    if period <= 0:
        return i
    r = i % period
    if r < 0:
        r += period
    return r


def hash2(seed, ix, iy):
    """32-bit hash of lattice point (ix, iy) under ``seed``, as an int in [0, 2**32).

    FastNoiseLite's prime-multiply-and-xor combination followed by an xorshift-multiply
    avalanche, with every step masked to 32 bits.
    """
    h = seed ^ (((ix & MASK32) * PRIME_X) & MASK32) ^ (((iy & MASK32) * PRIME_Y) & MASK32)
    h ^= h >> 16
    h = (h * MIX_A) & MASK32
    h ^= h >> 15
    h = (h * MIX_B) & MASK32
    h ^= h >> 16
    return h


def gradient_dot(h, dx, dy):
    """Dot product of the gradient that hash ``h`` selects with the offset (dx, dy)."""
    k = 2 * (h % GRADIENT_COUNT)
    return GRADIENTS[k] * dx + GRADIENTS[k + 1] * dy


def fade(t):
    """Perlin's quintic fade 6t^5 - 15t^4 + 10t^3: C2-continuous across cell borders."""
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0)


def lattice_value(h):
    """The value a lattice hash ``h`` in [0, 2**32) stands for, in [-1, 1) (exact)."""
    return h * (1.0 / 2147483648.0) - 1.0


def cubic_lerp(a, b, c, d, t):
    """FastNoiseLite's cubic through a, b, c, d at t in [0, 1] between b (t=0) and c (t=1).

    C1: the slope at b is c - a and at c is d - b (twice Catmull-Rom's tangents).
    """
    p = (d - c) - (a - b)
    return t * t * t * p + t * t * ((a - b) - p) + t * (c - a) + b


def ping_pong(t):
    """Triangle wave of ``t >= 0`` with period 2: 0 at even t, 1 at odd t."""
    t -= 2.0 * math.floor(t * 0.5)
    if t < 1.0:
        return t
    return 2.0 - t


def perlin2(x, y, period_x, period_y, seed):
    """Perlin gradient noise at (x, y) in lattice units, in [-1, 1].

    Unit square lattice; ``period_x``/``period_y`` > 0 wrap the lattice (0: no wrapping).
    """
    # int(): math.floor returns an int on the CPU and in Python but a float in CUDA code.
    ix0 = int(math.floor(x))
    iy0 = int(math.floor(y))
    fx = x - ix0
    fy = y - iy0
    ix1 = ix0 + 1
    iy1 = iy0 + 1
    ix0 = wrap(ix0, period_x)
    ix1 = wrap(ix1, period_x)
    iy0 = wrap(iy0, period_y)
    iy1 = wrap(iy1, period_y)
    n00 = gradient_dot(hash2(seed, ix0, iy0), fx, fy)
    n10 = gradient_dot(hash2(seed, ix1, iy0), fx - 1.0, fy)
    n01 = gradient_dot(hash2(seed, ix0, iy1), fx, fy - 1.0)
    n11 = gradient_dot(hash2(seed, ix1, iy1), fx - 1.0, fy - 1.0)
    sx = fade(fx)
    sy = fade(fy)
    bottom = n00 + sx * (n10 - n00)
    top = n01 + sx * (n11 - n01)
    return PERLIN_SCALE * (bottom + sy * (top - bottom))


def simplex_corner(seed, i, j, dx, dy, period_x, period_y):
    """Contribution of simplex lattice point (i, j) at offset (dx, dy) from it.

    Lattice point (i, j) sits at x = i - j/2, y = j * ROW_HEIGHT. Wrapping j by the row
    period P moves x by P/2, so i shifts by P/2 with it: P must be even.
    """
    a = SIMPLEX_RADIUS_SQ - dx * dx - dy * dy
    if a <= 0.0:
        return 0.0
    jw = wrap(j, period_y)
    i -= (j - jw) // 2
    j = jw
    i = wrap(i, period_x)
    a2 = a * a
    return a2 * a2 * gradient_dot(hash2(seed, i, j), dx, dy)


def simplex2(x, r, period_x, period_y, seed):
    """OpenSimplex2-style simplex noise in [-1, 1] on an axis-aligned hexagonal lattice.

    ``x`` is in lattice units (one unit per point along a row), ``r`` in rows (rows are
    ROW_HEIGHT apart, so features are round when ``r`` advances 1/ROW_HEIGHT times as fast
    as ``x``). ``period_x`` wraps every ``period_x`` points along a row, ``period_y`` every
    ``period_y`` rows and must then be even (0: no wrapping).
    """
    s = x + 0.5 * r  # skewed coordinate: point (i, j) is at s = i
    i0 = int(math.floor(s))
    j0 = int(math.floor(r))
    fs = s - i0
    fr = r - j0
    # Offsets from the three corners of the triangle holding the point, in unit-edge space.
    dx0 = fs - 0.5 * fr
    dy0 = fr * ROW_HEIGHT
    if fs > fr:  # lower triangle: corners (i0, j0), (i0 + 1, j0), (i0 + 1, j0 + 1)
        i1 = i0 + 1
        j1 = j0
        dx1 = dx0 - 1.0
        dy1 = dy0
    else:  # upper triangle: corners (i0, j0), (i0, j0 + 1), (i0 + 1, j0 + 1)
        i1 = i0
        j1 = j0 + 1
        dx1 = dx0 + 0.5
        dy1 = dy0 - ROW_HEIGHT
    n = simplex_corner(seed, i0, j0, dx0, dy0, period_x, period_y)
    n += simplex_corner(seed, i1, j1, dx1, dy1, period_x, period_y)
    n += simplex_corner(seed, i0 + 1, j0 + 1, dx0 - 0.5, dy0 - ROW_HEIGHT, period_x, period_y)
    return SIMPLEX_SCALE * n


def value2(x, y, period_x, period_y, seed):
    """Value noise at (x, y) in lattice units, in [-1, 1).

    Each lattice point holds ``lattice_value`` of its hash; the four corners of the cell are
    blended with Perlin's quintic fade (FastNoiseLite's Value uses the cubic smoothstep).
    Periods as for ``perlin2``.
    """
    ix0 = int(math.floor(x))
    iy0 = int(math.floor(y))
    fx = x - ix0
    fy = y - iy0
    ix1 = ix0 + 1
    iy1 = iy0 + 1
    ix0 = wrap(ix0, period_x)
    ix1 = wrap(ix1, period_x)
    iy0 = wrap(iy0, period_y)
    iy1 = wrap(iy1, period_y)
    v00 = lattice_value(hash2(seed, ix0, iy0))
    v10 = lattice_value(hash2(seed, ix1, iy0))
    v01 = lattice_value(hash2(seed, ix0, iy1))
    v11 = lattice_value(hash2(seed, ix1, iy1))
    sx = fade(fx)
    sy = fade(fy)
    bottom = v00 + sx * (v10 - v00)
    top = v01 + sx * (v11 - v01)
    return bottom + sy * (top - bottom)


def value_cubic_row(seed, ix0, ix1, ix2, ix3, iy, fx):
    """``cubic_lerp`` of the lattice values at (ix0..ix3, iy), at fx between ix1 and ix2."""
    return cubic_lerp(lattice_value(hash2(seed, ix0, iy)), lattice_value(hash2(seed, ix1, iy)),
                      lattice_value(hash2(seed, ix2, iy)), lattice_value(hash2(seed, ix3, iy)),
                      fx)


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
    n = cubic_lerp(value_cubic_row(seed, ix0, ix1, ix2, ix3, iy0, fx),
                   value_cubic_row(seed, ix0, ix1, ix2, ix3, iy1, fx),
                   value_cubic_row(seed, ix0, ix1, ix2, ix3, iy2, fx),
                   value_cubic_row(seed, ix0, ix1, ix2, ix3, iy3, fx),
                   fy)
    return VALUE_CUBIC_SCALE * n


def cellular2(x, y, period_x, period_y, seed, distance, return_type, jitter):
    """Cellular (Worley) noise at (x, y) in lattice units, in [-1, 1].

    Cell (i, j) is the unit square at (i, j); its feature point sits at
    (i + 0.5 + m * (2 * rx - 1), j + 0.5 + m * (2 * ry - 1)) with m = CELL_JITTER * jitter
    (CELL_JITTER_MANHATTAN for DISTANCE_MANHATTAN) and rx, ry the low and high 16 bits of hash2(seed, i, j) / 65536. Only the 3 x 3 cells
    around the one holding (x, y) are searched. A period wraps the cell coordinates before
    hashing but not the point's position, so a wrapped cell's point is the same point one
    period away and distances are continuous across the seam.

    ``distance`` is a DISTANCE_* code and ``return_type`` a RETURN_* code. F1 and F2 (the
    nearest and second-nearest distances) are divided by the largest values the 3 x 3 search
    can return at this jitter, so the result c is in [0, 1]; the noise is 2 c - 1.
    RETURN_CELL_VALUE returns the nearest cell's own random value in [-1, 1).
    """
    cx = int(math.floor(x))
    cy = int(math.floor(y))
    if distance == DISTANCE_MANHATTAN:
        m = CELL_JITTER_MANHATTAN * jitter
    else:
        m = CELL_JITTER * jitter
    d1 = FAR
    d2 = FAR
    h1 = 0
    for i in range(cx - 1, cx + 2):
        iw = wrap(i, period_x)
        for j in range(cy - 1, cy + 2):
            jw = wrap(j, period_y)
            h = hash2(seed, iw, jw)
            dx = i + 0.5 + m * ((h & 0xFFFF) * (2.0 / 65536.0) - 1.0) - x
            dy = j + 0.5 + m * ((h >> 16) * (2.0 / 65536.0) - 1.0) - y
            if distance == DISTANCE_MANHATTAN:
                d = abs(dx) + abs(dy)
            elif distance == DISTANCE_CHEBYSHEV:
                d = max(abs(dx), abs(dy))
            else:  # Euclidean: squared here, the root is taken once at the end
                d = dx * dx + dy * dy
            if d < d1:
                d2 = d1
                d1 = d
                h1 = h
            elif d < d2:
                d2 = d
    if return_type == RETURN_CELL_VALUE:
        # Re-avalanche the nearest cell's hash: its bits also placed the point.
        return lattice_value(hash2(h1, 0, 0))
    # The largest F1 and F2 of the 3 x 3 search: every point at the far corner of its range.
    if distance == DISTANCE_MANHATTAN:
        f1_max = 1.0 + 2.0 * m
        f2_max = 1.0 + 2.0 * m
    elif distance == DISTANCE_CHEBYSHEV:
        f1_max = 0.5 + m
        f2_max = 1.0 + m
    else:
        f1_max = 2.0 * (0.5 + m) * (0.5 + m)
        f2_max = (1.0 + m) * (1.0 + m) + m * m
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
    return 2.0 * c - 1.0


def white2(x, y, period_x, period_y, seed):
    """``lattice_value`` of the lattice point at floor(x, y), in [-1, 1): no interpolation."""
    ix = int(math.floor(x))
    iy = int(math.floor(y))
    ix = wrap(ix, period_x)
    iy = wrap(iy, period_y)
    return lattice_value(hash2(seed, ix, iy))


def octave_step(fractal, n, weight, weighted_strength, ping_pong_strength, total, lost, scale):
    """Add one octave's noise ``n`` (weight ``weight``) to the running fractal sum.

    Returns the updated ``(total, lost, scale)``; see ``fractal2``.
    """
    amplitude = weight * scale
    if fractal == FRACTAL_RIDGED:
        octave = 1.0 - abs(n)
        total += amplitude * octave
    elif fractal == FRACTAL_BILLOW:
        octave = abs(n)
        total += amplitude * octave
    elif fractal == FRACTAL_PINGPONG:
        octave = ping_pong((n + 1.0) * ping_pong_strength)
        total += amplitude * octave
    else:
        octave = 0.5 + 0.5 * n
        total += amplitude * n
    if weighted_strength != 0.0:
        lost += weight - amplitude
        scale *= 1.0 + weighted_strength * (octave - 1.0)
    return total, lost, scale


def fractal2(noise, fractal, u, v, scale_x, scale_y, period_x, period_y, seeds, weights,
             weighted_strength, ping_pong_strength, distance, return_type, jitter):
    """Fractal sum of the base noise ``noise`` (a NOISE_* code) at UV (u, v), in [0, 1].

    Octave k samples (u * scale_x[k], v * scale_y[k]) with lattice periods period_x[k],
    period_y[k] and seed seeds[k]; its noise n_k in [-1, 1] becomes an octave value o_k in
    [0, 1]: FRACTAL_FBM 0.5 + 0.5 n, FRACTAL_RIDGED 1 - |n| (1 where the noise crosses zero),
    FRACTAL_BILLOW |n|, FRACTAL_PINGPONG ping_pong((n + 1) * ping_pong_strength).

    Amplitudes start as weights[k] (they sum to 1). As in FastNoiseLite, each octave then
    scales all later amplitudes by lerp(1, o_k, weighted_strength), so detail fades where
    the octaves above are dark. The result is sum(a_k o_k) plus 0.5 for every unit of weight
    the scaling took away (FastNoiseLite's signed sums leave it at 0, here mid-gray), so
    it stays in [0, 1] and weighted_strength 0 is the plain weighted mean. FBM computes it as
    0.5 + 0.5 * sum(a_k n_k). Clipped to [0, 1] against rounding.

    ``distance``, ``return_type`` and ``jitter`` are for NOISE_CELLULAR only. Each noise has
    its own octave loop, so the loop itself does not branch on the noise kind (one branch
    per octave cost Perlin and simplex about 10 %).
    """
    total = 0.0
    lost = 0.0
    scale = 1.0
    octaves = seeds.shape[0]
    if noise == NOISE_SIMPLEX:
        for k in range(octaves):
            n = simplex2(u * scale_x[k], v * scale_y[k], period_x[k], period_y[k], seeds[k])
            total, lost, scale = octave_step(fractal, n, weights[k], weighted_strength,
                                             ping_pong_strength, total, lost, scale)
    elif noise == NOISE_VALUE:
        for k in range(octaves):
            n = value2(u * scale_x[k], v * scale_y[k], period_x[k], period_y[k], seeds[k])
            total, lost, scale = octave_step(fractal, n, weights[k], weighted_strength,
                                             ping_pong_strength, total, lost, scale)
    elif noise == NOISE_VALUE_CUBIC:
        for k in range(octaves):
            n = value_cubic2(u * scale_x[k], v * scale_y[k], period_x[k], period_y[k],
                             seeds[k])
            total, lost, scale = octave_step(fractal, n, weights[k], weighted_strength,
                                             ping_pong_strength, total, lost, scale)
    elif noise == NOISE_CELLULAR:
        for k in range(octaves):
            n = cellular2(u * scale_x[k], v * scale_y[k], period_x[k], period_y[k], seeds[k],
                          distance, return_type, jitter)
            total, lost, scale = octave_step(fractal, n, weights[k], weighted_strength,
                                             ping_pong_strength, total, lost, scale)
    elif noise == NOISE_WHITE:
        for k in range(octaves):
            n = white2(u * scale_x[k], v * scale_y[k], period_x[k], period_y[k], seeds[k])
            total, lost, scale = octave_step(fractal, n, weights[k], weighted_strength,
                                             ping_pong_strength, total, lost, scale)
    else:
        for k in range(octaves):
            n = perlin2(u * scale_x[k], v * scale_y[k], period_x[k], period_y[k], seeds[k])
            total, lost, scale = octave_step(fractal, n, weights[k], weighted_strength,
                                             ping_pong_strength, total, lost, scale)
    if fractal == FRACTAL_FBM:
        total = 0.5 + 0.5 * total
    else:
        total += 0.5 * lost
    return min(max(total, 0.0), 1.0)


#: The scalar functions every target compiles, callees first.
SCALAR_FUNCTIONS = (wrap, hash2, gradient_dot, fade, lattice_value, cubic_lerp, ping_pong,
                    perlin2, simplex_corner, simplex2, value2, value_cubic_row, value_cubic2,
                    cellular2, white2, octave_step, fractal2)


# --- per-target image loops -------------------------------------------------------------
# They live in this file on purpose: numba's disk cache is invalidated by the timestamp of
# the file that defines the cached function only, so a loop defined elsewhere would keep
# serving stale code after an edit to the math above.

def fill_noise_cpu(out, noise, fractal, scale_x, scale_y, period_x, period_y, seeds, weights,
                   weighted_strength, ping_pong_strength, distance, return_type, jitter):
    """Write ``fractal2`` at every pixel centre of ``out`` (float32, (H, W, 1)), rows in parallel."""
    height = out.shape[0]
    width = out.shape[1]
    for row in prange(height):
        v = (row + 0.5) / height
        for col in range(width):
            u = (col + 0.5) / width
            out[row, col, 0] = fractal2(noise, fractal, u, v, scale_x, scale_y,
                                        period_x, period_y, seeds, weights,
                                        weighted_strength, ping_pong_strength,
                                        distance, return_type, jitter)


def fill_noise_cuda(out, noise, fractal, scale_x, scale_y, period_x, period_y, seeds, weights,
                    weighted_strength, ping_pong_strength, distance, return_type, jitter):
    """CUDA kernel: one thread per pixel of ``out``; the same ``fractal2`` as the CPU loop."""
    # ``cuda`` is bound by cuda_kernels() (make_kernels' extra_globals), not imported here,
    # so CPU-only installs never import numba.cuda.
    row, col = cuda.grid(2)
    if row < out.shape[0] and col < out.shape[1]:
        v = (row + 0.5) / out.shape[0]
        u = (col + 0.5) / out.shape[1]
        out[row, col, 0] = fractal2(noise, fractal, u, v, scale_x, scale_y,
                                    period_x, period_y, seeds, weights,
                                    weighted_strength, ping_pong_strength,
                                    distance, return_type, jitter)


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
    """The CPU kernel set; ``fill_noise_cpu`` is parallel over rows and cached on disk.

    No ``fastmath``: output must be bitwise reproducible.
    """
    return make_kernels(numba.njit,
                        entry_points=((fill_noise_cpu, numba.njit(parallel=True, cache=True)),))


@functools.cache
def cuda_kernels():
    """The CUDA kernel set: device functions plus ``fill_noise_cuda`` (needs numba-cuda).

    Not cached on disk; compiled once per process. GPU results match the CPU within a float
    tolerance (the GPU compiler fuses multiply-adds), not bit for bit.
    """
    from numba import cuda

    return make_kernels(cuda.jit(device=True), entry_points=((fill_noise_cuda, cuda.jit),),
                        extra_globals={"cuda": cuda})
