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

#: Noise kinds and fractal kinds as the kernels receive them.
NOISE_PERLIN = 0
NOISE_SIMPLEX = 1
FRACTAL_FBM = 0
FRACTAL_RIDGED = 1


# --- scalar math (target-independent) ---------------------------------------------------

def wrap(i, period):
    """``i`` modulo ``period`` in [0, period), whatever the sign convention of ``%``."""
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
    if period_x > 0:
        ix0 = wrap(ix0, period_x)
        ix1 = wrap(ix1, period_x)
    if period_y > 0:
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
    if period_y > 0:
        jw = wrap(j, period_y)
        i -= (j - jw) // 2
        j = jw
    if period_x > 0:
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


def noise2(noise, x, y, period_x, period_y, seed):
    """The base noise of kind ``noise`` (NOISE_PERLIN, NOISE_SIMPLEX) at (x, y), in [-1, 1]."""
    if noise == NOISE_SIMPLEX:
        return simplex2(x, y, period_x, period_y, seed)
    return perlin2(x, y, period_x, period_y, seed)


def fractal2(noise, fractal, u, v, scale_x, scale_y, period_x, period_y, seeds, weights):
    """Fractal sum of ``noise`` at UV (u, v), in [0, 1].

    Octave k samples (u * scale_x[k], v * scale_y[k]) with lattice periods period_x[k],
    period_y[k] and seed seeds[k], weighted by weights[k] (the weights sum to 1).
    FRACTAL_FBM: 0.5 + 0.5 * sum(w * n). FRACTAL_RIDGED: sum(w * (1 - |n|)), 1 on the ridges
    where the noise crosses zero. Clipped to [0, 1].
    """
    total = 0.0
    for k in range(seeds.shape[0]):
        n = noise2(noise, u * scale_x[k], v * scale_y[k], period_x[k], period_y[k], seeds[k])
        if fractal == FRACTAL_RIDGED:
            total += weights[k] * (1.0 - abs(n))
        else:
            total += weights[k] * n
    if fractal != FRACTAL_RIDGED:
        total = 0.5 + 0.5 * total
    return min(max(total, 0.0), 1.0)


#: The scalar functions every target compiles, callees first.
SCALAR_FUNCTIONS = (wrap, hash2, gradient_dot, fade, perlin2, simplex_corner, simplex2,
                    noise2, fractal2)


# --- per-target image loops -------------------------------------------------------------
# They live in this file on purpose: numba's disk cache is invalidated by the timestamp of
# the file that defines the cached function only, so a loop defined elsewhere would keep
# serving stale code after an edit to the math above.

def fill_noise_cpu(out, noise, fractal, scale_x, scale_y, period_x, period_y, seeds, weights):
    """Write ``fractal2`` at every pixel centre of ``out`` (float32, (H, W, 1)), rows in parallel."""
    height = out.shape[0]
    width = out.shape[1]
    for row in prange(height):
        v = (row + 0.5) / height
        for col in range(width):
            u = (col + 0.5) / width
            out[row, col, 0] = fractal2(noise, fractal, u, v, scale_x, scale_y,
                                        period_x, period_y, seeds, weights)


# --- compilation ------------------------------------------------------------------------

def make_kernels(jit, *, entry_points=()):
    """Compile the scalar functions with ``jit`` and return them by name.

    Args:
        jit: decorator for the scalar functions, e.g. ``numba.njit`` or
            ``numba.cuda.jit(device=True)``.
        entry_points: ``(function, decorator)`` pairs from this module, compiled alongside
            (e.g. ``fill_noise_cpu`` with ``numba.njit(parallel=True, cache=True)``).

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
    namespace = dict(globals())
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
