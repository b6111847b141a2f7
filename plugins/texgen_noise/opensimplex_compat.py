"""OpenSimplex noise that reproduces the ``opensimplex`` PyPI package (0.4.x), faster.

The algorithm is OpenSimplex noise by Kurt Spencer (KdotJPG, 2014, public domain), as
ported to Python by the ``opensimplex`` package (lmas, MIT): a seeded 256-entry
permutation picks one of 8 (2-D) or 24 (3-D) fixed gradients per vertex of a stretched
(simplectic) lattice, and each vertex the algorithm picks near the point adds
``max(0, 2 - d^2)^4 * dot(gradient, d)``; the sum is divided by 47 (2-D) or 103 (3-D). This
module is an independent implementation of that math. Same seed and coordinates give the
same value as the package to about 1e-15 (the tests require 1e-6); it does not tile.

* 2-D (``noise2array``): each row is processed in chunks of ``CHUNK`` samples in three
  passes that LLVM turns into SIMD code: (1) each sample's super-cell; (2) one look-up
  per sample in a per-seed table whose word for a super-cell packs the 3-bit gradient
  codes of the eight vertices a sample in it can use (instead of two dependent
  permutation look-ups per vertex); (3) the lattice geometry, the choice of the two
  vertices that depend on the region (the package's decision rules, written as selects)
  and the four kernels, each gradient decoded from its slot of the word, summed in the
  package's order.
* 3-D (``noise3array``): per sample, the package's rules pick the simplex's vertices and
  two extra ones (``_vertices3``); their kernels are summed with the same permutation
  look-ups. (Summing every lattice point in range instead differs from the package at about
  3 % of points by up to ~1e-4: its rules leave a few small contributions out.)

Coordinates must be finite. The arrays' functions are ``numba.njit(parallel=True,
cache=True)`` (rows in parallel, no ``fastmath``); they compile on first use.
"""

from __future__ import annotations

import functools

import numba
import numpy as np
from numba import prange

from texgen.nodes import NodeContext

# The package's constants (its constants.py), named by what they do.
STRETCH2 = -0.211324865405187  # (1/sqrt(2+1) - 1) / 2: input -> lattice (skew)
SQUISH2 = 0.366025403784439    # (sqrt(2+1) - 1) / 2: lattice -> input (unskew)
NORM2 = 47.0
STRETCH3 = -1.0 / 6.0
SQUISH3 = 1.0 / 3.0
NORM3 = 103.0

#: The 8 two-dimensional gradients, (gx, gy) per row, in the package's order.
GRADIENTS2 = np.array([(5, 2), (2, 5), (-5, 2), (-2, 5),
                       (5, -2), (2, -5), (-5, -2), (-2, -5)], dtype=np.float64)
#: The 24 three-dimensional gradients, (gx, gy, gz) per row, in the package's order.
GRADIENTS3 = np.array([
    (-11, 4, 4), (-4, 11, 4), (-4, 4, 11), (11, 4, 4), (4, 11, 4), (4, 4, 11),
    (-11, -4, 4), (-4, -11, 4), (-4, -4, 11), (11, -4, 4), (4, -11, 4), (4, -4, 11),
    (-11, 4, -4), (-4, 11, -4), (-4, 4, -11), (11, 4, -4), (4, 11, -4), (4, 4, -11),
    (-11, -4, -4), (-4, -11, -4), (-4, -4, -11), (11, -4, -4), (4, -11, -4), (4, -4, -11),
], dtype=np.float64)

#: Samples per chunk of a row in the 2-D passes (the scratch arrays stay in L1).
CHUNK = 256
#: The 2-D vertices whose gradient codes (3 bits each) are packed into a super-cell's
#: table word, slot k at bits 3k..3k+2, as lattice offsets from the cell's origin. Slots
#: 0-5 are the possible extra vertices and the origin vertex, placed so that the vertex
#: at offset (a, b) is in slot a + 2 b + 1; slots 6 and 7 hold (1, 0) and (0, 1).
_SLOTS2 = ((1, -1), (0, 0), (-1, 1), (2, 0), (1, 1), (0, 2), (1, 0), (0, 1))

_MASK64 = (1 << 64) - 1
_LCG_MUL = 6364136223846793005
_LCG_ADD = 1442695040888963407


def _signed64(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >> 63 else value


def permutation(seed: int) -> np.ndarray:
    """The package's seeded permutation of 0..255 (``perm``), as int64.

    A 64-bit LCG (Knuth's MMIX constants), run three times, then once per slot from 255
    down to 0, picks ``(state + 31) mod (i + 1)`` from the remaining values (a
    Fisher-Yates shuffle); the state is a signed 64-bit integer, as in the package.
    """
    state = _signed64(int(seed))
    for _ in range(3):
        state = _signed64(state * _LCG_MUL + _LCG_ADD)
    source = list(range(256))
    perm = np.empty(256, np.int64)
    for i in range(255, -1, -1):
        state = _signed64(state * _LCG_MUL + _LCG_ADD)
        r = (state + 31) % (i + 1)  # Python's modulo: never negative
        perm[i] = source[r]
        source[r] = source[i]
    return perm


@functools.lru_cache(maxsize=32)
def _tables2(seed: int) -> np.ndarray:
    """Per-seed 2-D table: flattened (256*256,) int32, read-only.

    Word ``X * 256 + Y`` packs, for the super-cell with origin (X, Y), X and Y in 0..255,
    the gradient code of each vertex in ``_SLOTS2``: the row of GRADIENTS2 that the package
    gives lattice point (X + a, Y + b), ``(perm[(perm[X + a] + Y + b) & 255] & 14) // 2``
    (coordinates mod 256). One look-up then serves all four vertices of a sample.
    """
    perm = permutation(seed)
    lattice = np.arange(-1, 258) & 255  # points -1..257: every origin plus its offsets
    codes = (perm[(perm[lattice][:, None] + lattice[None, :]) & 255] & 14) // 2
    words = np.zeros((256, 256), np.int64)
    for slot, (a, b) in enumerate(_SLOTS2):
        words |= codes[1 + a:257 + a, 1 + b:257 + b] << (3 * slot)
    table = np.ascontiguousarray(words.ravel(), dtype=np.int32)
    table.flags.writeable = False
    return table


@functools.lru_cache(maxsize=32)
def _tables3(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-seed 3-D tables: ``perm`` and the gradient row of each permuted value."""
    perm = permutation(seed)
    rows = perm % len(GRADIENTS3)
    for array in (perm, rows):
        array.flags.writeable = False
    return perm, rows


# --- 2-D: three passes over a chunk of a row ---------------------------------------------

@numba.njit(inline="always")
def _skew2(x, y):
    """Sample (x, y) on the stretched lattice: its super-cell origin (fx, fy), whole
    numbers as floats, and its position (tx, ty) in that cell."""
    stretch = (x + y) * STRETCH2
    sx = x + stretch
    sy = y + stretch
    fx = np.floor(sx)
    fy = np.floor(sy)
    return fx, fy, sx - fx, sy - fy


@numba.njit(inline="always")
def _geometry2(x, y):
    """The lattice geometry of sample (x, y): (dx0, dy0, ea, eb, upper).

    (dx0, dy0) is its offset from the super-cell origin, (ea, eb) the lattice offset of the
    extra vertex, ``upper`` 1.0 when the sample is in the upper triangle (the origin vertex
    moves to (1, 1)).
    """
    fx, fy, tx, ty = _skew2(x, y)
    squish = (fx + fy) * SQUISH2
    total = tx + ty
    lower = total <= 1.0
    x_first = tx > ty
    # Lower triangle: the extra vertex is (1, -1) or (-1, 1) when the origin is one of
    # the two closest vertices, else (1, 1). Upper: (2, 0) or (0, 2) when (1, 1) is one
    # of the two closest, else (0, 0).
    rest_low = 1.0 - total
    rest_up = 2.0 - total
    origin_close = (rest_low > tx) | (rest_low > ty)
    far_close = (rest_up < tx) | (rest_up < ty)
    ea_low = (1.0 if x_first else -1.0) if origin_close else 1.0
    eb_low = (-1.0 if x_first else 1.0) if origin_close else 1.0
    ea_up = (2.0 if x_first else 0.0) if far_close else 0.0
    eb_up = (0.0 if x_first else 2.0) if far_close else 0.0
    return (x - (fx + squish), y - (fy + squish), ea_low if lower else ea_up,
            eb_low if lower else eb_up, 0.0 if lower else 1.0)


@numba.njit(cache=True)
def _pass_cells2(xs, y, cells):
    """cells[i]: the table word of sample ``xs[i]``'s super-cell on row ``y``.

    The passes index their arrays by ``range(xs.size)`` only: an offset index, which numba
    must check for being negative, keeps LLVM from vectorising the loads.
    """
    for i in range(xs.size):
        fx, fy, _, _ = _skew2(xs[i], y)
        # The origin wrapped to 0..255 (exact: fx and fy are whole numbers).
        wx = fx - 256.0 * np.floor(fx * (1.0 / 256.0))
        wy = fy - 256.0 * np.floor(fy * (1.0 / 256.0))
        cells[i] = np.int32(wx * 256.0 + wy)


@numba.njit(cache=True)
def _pass_gather2(table, count, cells, words):
    """words[i] = table[cells[i]].

    A function of its own: compiled alone, LLVM turns it into SIMD gathers; inlined into
    the arithmetic around it, it stays scalar.
    """
    for i in range(count):
        words[i] = table[cells[i]]


@numba.njit(inline="always")
def _kernel2(dx, dy, word, slot):
    """The package's kernel of a vertex at offset (dx, dy) whose gradient code sits in
    ``slot`` of a table word.

    The code's bits pick the gradient of GRADIENTS2: bit 0 swaps (5, 2) to (2, 5), bit 1
    negates x, bit 2 negates y.
    """
    code = word >> (3 * slot)
    swapped = (code & 1) != 0
    gx = 2.0 if swapped else 5.0
    gy = 5.0 if swapped else 2.0
    if code & 2:
        gx = -gx
    if code & 4:
        gy = -gy
    a = max(2.0 - dx * dx - dy * dy, 0.0)
    a *= a
    return a * a * (gx * dx + gy * dy)


@numba.njit(cache=True)
def _pass_sum2(xs, y, words, result):
    """result[i] = the noise of sample ``xs[i]``: the four kernels, summed in the package's
    order (the geometry is recomputed: cheaper than storing it)."""
    for i in range(xs.size):
        dx0, dy0, ea, eb, upper = _geometry2(xs[i], y)
        word = words[i]
        value = _kernel2(dx0 - 1.0 - SQUISH2, dy0 - SQUISH2, word, 6)
        value += _kernel2(dx0 - SQUISH2, dy0 - 1.0 - SQUISH2, word, 7)
        value += _kernel2(dx0 - upper - 2.0 * upper * SQUISH2,
                          dy0 - upper - 2.0 * upper * SQUISH2, word,
                          np.int32(1.0 + 3.0 * upper))
        value += _kernel2(dx0 - ea - (ea + eb) * SQUISH2, dy0 - eb - (ea + eb) * SQUISH2,
                          word, np.int32(ea + 2.0 * eb + 1.0))
        result[i] = value / NORM2


@numba.njit(cache=True)
def _row2(xs, y, table, out_row, mapped):
    """Noise along one row into ``out_row`` (float64 raw, or float32 0.5 + 0.5 n clipped)."""
    cells = np.empty(CHUNK, np.int32)
    words = np.empty(CHUNK, np.int32)
    result = np.empty(CHUNK)
    for start in range(0, xs.size, CHUNK):
        chunk = xs[start:start + CHUNK]
        count = chunk.size
        _pass_cells2(chunk, y, cells)
        _pass_gather2(table, count, cells, words)
        _pass_sum2(chunk, y, words, result)
        if mapped:
            for i in range(count):
                out_row[start + i] = min(max(0.5 + 0.5 * result[i], 0.0), 1.0)
        else:
            for i in range(count):
                out_row[start + i] = result[i]


@numba.njit(parallel=True, cache=True)
def _grid2(xs, ys, table, out, mapped):
    """``out[j, i]`` = noise at (xs[i], ys[j]); rows in parallel. ``out`` is 2-D."""
    for j in prange(ys.size):
        _row2(xs, ys[j], table, out[j], mapped)


@numba.njit(cache=True)
def _point2(x, y, table):
    xs = np.empty(1)
    xs[0] = x
    out = np.empty(1)
    _row2(xs, y, table, out, False)
    return out[0]


# --- 3-D: the package's vertex choice, then the kernels -----------------------------------

#: The simplex vertices of each region of the super-cell (offsets from its origin):
#: rows 0-3 the tetrahedron at (0,0,0), rows 4-7 the one at (1,1,1), rows 8-13 the
#: octahedron in between.
_BASE3 = np.array([(0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1),
                   (1, 1, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1),
                   (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1)],
                  dtype=np.int64)


@numba.njit(cache=True)
def _bit(c, mask, if_set, if_clear):
    return if_set if (c & mask) != 0 else if_clear


@numba.njit(cache=True)
def _vertices3(tx, ty, tz, verts):
    """Write the lattice offsets whose kernels the package sums at super-cell position
    (tx, ty, tz) into ``verts`` and return how many (6 or 8).

    The simplex's own vertices, plus two "extra" vertices that OpenSimplex picks from the
    two vertices of the simplex closest to the point. Axis bits: 1 = x, 2 = y, 4 = z; a
    point code has a bit set where that vertex's coordinate is 1. These rules are the
    package's, including where they leave out a vertex whose kernel is not quite zero
    (about 3 % of points, by up to ~1e-4): reproducing them is the point of this module.
    """
    total = tx + ty + tz
    if total <= 1.0:  # tetrahedron at (0,0,0)
        first = 0
        count = 4
        a_point, a_score, b_point, b_score = 1, tx, 2, ty
        if a_score >= b_score and tz > b_score:
            b_point, b_score = 4, tz
        elif a_score < b_score and tz > a_score:
            a_point, a_score = 4, tz
        rest = 1.0 - total
        if rest > a_score or rest > b_score:
            c = b_point if b_score > a_score else a_point
            e0x = _bit(c, 1, 1, -1)
            e1x = _bit(c, 1, 1, 0)
            e0y = _bit(c, 2, 1, 0)
            e1y = e0y
            if (c & 2) == 0:
                if (c & 1) == 0:
                    e1y -= 1
                else:
                    e0y -= 1
            e0z = _bit(c, 4, 1, 0)
            e1z = _bit(c, 4, 1, -1)
        else:
            c = a_point | b_point
            e0x = _bit(c, 1, 1, 0)
            e1x = _bit(c, 1, 1, -1)
            e0y = _bit(c, 2, 1, 0)
            e1y = _bit(c, 2, 1, -1)
            e0z = _bit(c, 4, 1, 0)
            e1z = _bit(c, 4, 1, -1)
    elif total >= 2.0:  # tetrahedron at (1,1,1)
        first = 4
        count = 4
        a_point, a_score, b_point, b_score = 6, tx, 5, ty
        if a_score <= b_score and tz < b_score:
            b_point, b_score = 3, tz
        elif a_score > b_score and tz < a_score:
            a_point, a_score = 3, tz
        rest = 3.0 - total
        if rest < a_score or rest < b_score:
            c = b_point if b_score < a_score else a_point
            e0x = _bit(c, 1, 2, 0)
            e1x = _bit(c, 1, 1, 0)
            e0y = _bit(c, 2, 1, 0)
            e1y = e0y
            if (c & 2) != 0:
                if (c & 1) != 0:
                    e1y += 1
                else:
                    e0y += 1
            e0z = _bit(c, 4, 1, 0)
            e1z = _bit(c, 4, 2, 0)
        else:
            c = a_point & b_point
            e0x = _bit(c, 1, 1, 0)
            e1x = _bit(c, 1, 2, 0)
            e0y = _bit(c, 2, 1, 0)
            e1y = _bit(c, 2, 2, 0)
            e0z = _bit(c, 4, 1, 0)
            e1z = _bit(c, 4, 2, 0)
    else:  # octahedron in between
        first = 8
        count = 6
        p1 = tx + ty
        if p1 > 1.0:
            a_score, a_point, a_far = p1 - 1.0, 3, True
        else:
            a_score, a_point, a_far = 1.0 - p1, 4, False
        p2 = tx + tz
        if p2 > 1.0:
            b_score, b_point, b_far = p2 - 1.0, 5, True
        else:
            b_score, b_point, b_far = 1.0 - p2, 2, False
        p3 = ty + tz
        if p3 > 1.0:
            score = p3 - 1.0
            if a_score <= b_score and a_score < score:
                a_point, a_far = 6, True
            elif a_score > b_score and b_score < score:
                b_point, b_far = 6, True
        else:
            score = 1.0 - p3
            if a_score <= b_score and a_score < score:
                a_point, a_far = 1, False
            elif a_score > b_score and b_score < score:
                b_point, b_far = 1, False
        if a_far == b_far:
            if a_far:  # (1,1,1) and (2,0,0) / (0,2,0) / (0,0,2) on the shared axis
                e0x, e0y, e0z = 1, 1, 1
                c = a_point & b_point
                e1x = 2 if (c & 1) != 0 else 0
                e1y = 2 if (c & 1) == 0 and (c & 2) != 0 else 0
                e1z = 2 if (c & 3) == 0 else 0
            else:  # (0,0,0) and (-1,1,1) / (1,-1,1) / (1,1,-1) on the omitted axis
                e0x, e0y, e0z = 0, 0, 0
                c = a_point | b_point
                e1x = -1 if (c & 1) == 0 else 1
                e1y = -1 if (c & 1) != 0 and (c & 2) == 0 else 1
                e1z = -1 if (c & 3) == 3 else 1
        else:
            c1 = a_point if a_far else b_point
            c2 = b_point if a_far else a_point
            e0x = -1 if (c1 & 1) == 0 else 1
            e0y = -1 if (c1 & 1) != 0 and (c1 & 2) == 0 else 1
            e0z = -1 if (c1 & 3) == 3 else 1
            e1x = 2 if (c2 & 1) != 0 else 0
            e1y = 2 if (c2 & 1) == 0 and (c2 & 2) != 0 else 0
            e1z = 2 if (c2 & 3) == 0 else 0
    for k in range(count):
        verts[k, 0] = _BASE3[first + k, 0]
        verts[k, 1] = _BASE3[first + k, 1]
        verts[k, 2] = _BASE3[first + k, 2]
    verts[count, 0] = e0x
    verts[count, 1] = e0y
    verts[count, 2] = e0z
    verts[count + 1, 0] = e1x
    verts[count + 1, 1] = e1y
    verts[count + 1, 2] = e1z
    return count + 2


@numba.njit(cache=True)
def _point3(x, y, z, perm, rows, verts):
    stretch = (x + y + z) * STRETCH3
    sx = x + stretch
    sy = y + stretch
    sz = z + stretch
    fx = np.floor(sx)
    fy = np.floor(sy)
    fz = np.floor(sz)
    squish = (fx + fy + fz) * SQUISH3
    dx0 = x - (fx + squish)
    dy0 = y - (fy + squish)
    dz0 = z - (fz + squish)
    ix = np.int64(fx)
    iy = np.int64(fy)
    iz = np.int64(fz)
    value = 0.0
    for k in range(_vertices3(sx - fx, sy - fy, sz - fz, verts)):
        a = verts[k, 0]
        b = verts[k, 1]
        c = verts[k, 2]
        shift = (a + b + c) * SQUISH3
        dx = dx0 - a - shift
        dy = dy0 - b - shift
        dz = dz0 - c - shift
        attn = 2.0 - dx * dx - dy * dy - dz * dz
        if attn > 0.0:
            g = rows[(perm[(perm[(ix + a) & 255] + iy + b) & 255] + iz + c) & 255]
            attn *= attn
            value += attn * attn * (GRADIENTS3[g, 0] * dx + GRADIENTS3[g, 1] * dy
                                    + GRADIENTS3[g, 2] * dz)
    return value / NORM3


@numba.njit(parallel=True, cache=True)
def _grid3(xs, ys, zs, perm, rows, out):
    """``out[k, j, i]`` = noise at (xs[i], ys[j], zs[k]); (k, j) rows in parallel."""
    ny = ys.size
    for r in prange(zs.size * ny):
        k = r // ny
        j = r - k * ny
        verts = np.empty((8, 3), np.int64)
        for i in range(xs.size):
            out[k, j, i] = _point3(xs[i], ys[j], zs[k], perm, rows, verts)


@numba.njit(cache=True)
def _single3(x, y, z, perm, rows):
    return _point3(x, y, z, perm, rows, np.empty((8, 3), np.int64))


# --- Python API (mirrors the opensimplex package, with an explicit seed) -----------------

def _coords(values, name: str) -> np.ndarray:
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of coordinates, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must hold finite coordinates")
    return array


def _finite(*values: float) -> None:
    if not all(np.isfinite(v) for v in values):
        raise ValueError("coordinates must be finite")


def noise2array(x, y, *, seed: int) -> np.ndarray:
    """2-D OpenSimplex noise on the grid of ``x`` by ``y``, as ``opensimplex.noise2array``.

    Args:
        x, y: 1-D arrays of finite coordinates.
        seed: any integer, as ``opensimplex.seed(seed)`` / ``OpenSimplex(seed)``.

    Returns:
        float64 array of shape (len(y), len(x)); ``[j, i]`` is the noise at (x[i], y[j]),
        in about [-1, 1].
    """
    xs, ys = _coords(x, "x"), _coords(y, "y")
    out = np.empty((ys.size, xs.size))
    _grid2(xs, ys, _tables2(int(seed)), out, False)
    return out


def noise3array(x, y, z, *, seed: int) -> np.ndarray:
    """3-D OpenSimplex noise on the grid of ``x``, ``y``, ``z``, as ``opensimplex.noise3array``.

    Returns a float64 array of shape (len(z), len(y), len(x)); ``[k, j, i]`` is the noise
    at (x[i], y[j], z[k]).
    """
    xs, ys, zs = _coords(x, "x"), _coords(y, "y"), _coords(z, "z")
    out = np.empty((zs.size, ys.size, xs.size))
    _grid3(xs, ys, zs, *_tables3(int(seed)), out)
    return out


def noise2(x: float, y: float, *, seed: int) -> float:
    """2-D OpenSimplex noise at (x, y), as ``opensimplex.noise2`` (same value as noise2array)."""
    _finite(x, y)
    return float(_point2(float(x), float(y), _tables2(int(seed))))


def noise3(x: float, y: float, z: float, *, seed: int) -> float:
    """3-D OpenSimplex noise at (x, y, z), as ``opensimplex.noise3``."""
    _finite(x, y, z)
    return float(_single3(float(x), float(y), float(z), *_tables3(int(seed))))


# --- the node ---------------------------------------------------------------------------

def sample_coordinates(ctx: NodeContext, *, scale: float, offset_x: float,
                       offset_y: float) -> tuple[np.ndarray, np.ndarray]:
    """The noise coordinates of the pixel columns and rows of ``ctx``.

    Column c samples ``x = offset_x + c * scale / width`` and row r samples
    ``y = offset_y + r * scale / width``: the same spacing on both axes.
    """
    xs = offset_x + np.arange(ctx.width, dtype=np.float64) * scale / ctx.width
    ys = offset_y + np.arange(ctx.height, dtype=np.float64) * scale / ctx.width
    return xs, ys


def opensimplex_node(ctx: NodeContext, *, scale: float, offset_x: float, offset_y: float,
                     z: float, dimensions: str) -> np.ndarray:
    """OpenSimplex noise, value for value as the ``opensimplex`` package, in [0, 1].

    Args:
        ctx: ``width``, ``height``, ``seed`` are used; ``tileable`` is ignored (OpenSimplex
            does not tile).
        scale: noise coordinate units per texture width.
        offset_x, offset_y: noise coordinates of the top-left pixel.
        z: third coordinate when ``dimensions`` is "3d".
        dimensions: "2d" (``noise2``) or "3d" (``noise3`` at the given z).

    Returns:
        float32 C-contiguous (height, width, 1): ``0.5 + 0.5 * n`` clipped to [0, 1], where
        n is ``OpenSimplex(ctx.seed).noise2(x, y)`` (or ``noise3(x, y, z)``) at the pixel's
        coordinates (see ``sample_coordinates``).
    """
    if ctx.backend != "cpu":
        raise NotImplementedError(f"node '{ctx.node_id}': backend {ctx.backend!r} is not "
                                  f"supported by noise.opensimplex (only 'cpu')")
    xs, ys = sample_coordinates(ctx, scale=scale, offset_x=offset_x, offset_y=offset_y)
    if dimensions == "2d":
        out = np.empty((ctx.height, ctx.width, 1), np.float32)
        # A C-contiguous 2-D view (out[:, :, 0] would compile a strided variant).
        _grid2(xs, ys, _tables2(ctx.seed), out.reshape(ctx.height, ctx.width), True)
        return out
    if dimensions == "3d":
        values = noise3array(xs, ys, np.array([z], np.float64), seed=ctx.seed)[0]
        out = np.clip(0.5 + 0.5 * values, 0.0, 1.0).astype(np.float32)
        return np.ascontiguousarray(out[:, :, None])
    raise ValueError(f"node '{ctx.node_id}': dimensions must be '2d' or '3d', "
                     f"got {dimensions!r}")
