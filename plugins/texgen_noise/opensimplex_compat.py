"""OpenSimplex noise that reproduces the ``opensimplex`` PyPI package (0.4.x), faster.

The algorithm is OpenSimplex noise by Kurt Spencer (KdotJPG, 2014, public domain), as
ported to Python by the ``opensimplex`` package (lmas, MIT): a seeded 256-entry
permutation picks one of 8 (2-D) or 24 (3-D) fixed gradients per vertex of a stretched
(simplectic) lattice, and each vertex the algorithm picks near the point adds
``max(0, 2 - d^2)^4 * dot(gradient, d)``; the sum is divided by 47 (2-D) or 103 (3-D). This
module is an independent implementation of that math. Same seed and coordinates give the
same value as the package to about 1e-15 (the tests require 1e-6); it does not tile.

Which vertices a sample sums depends only on its super-cell and on its *region* in that
cell (which of the cell's vertices are closest: the package's decision rules). Samples are
computed a row at a time, in chunks of ``CHUNK``:

1. Classify (SIMD): each sample's super-cell origin and region number. The rules are
   written as selects; a region number stands for one vertex list (``_REGIONS2``,
   ``_REGIONS3``).
2. Split the chunk into *runs*: consecutive samples with the same cell and region (a grid
   row crosses a cell in tens to hundreds of samples).
3. Per run, once: the vertices' permutation look-ups and gradients, and every term that
   depends only on y (and z), which are constant along a row: a kernel
   ``max(0, 2 - dx^2 - dy^2)^4 * (gx dx + gy dy)`` becomes
   ``max(0, rest - dx^2)^4 * (gx dx + dot_rest)``. Per sample (SIMD): only dx varies.

Unsorted or scattered x coordinates give runs of one sample: still correct, only slower.
3-D rows run along x at a fixed (y, z). Coordinates must be finite. The grid functions are
``numba.njit(parallel=True, cache=True)`` (rows in parallel, no ``fastmath``); they compile
on first use.
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

#: Samples per chunk of a row (its scratch arrays stay in L1); runs end at chunk ends.
CHUNK = 1024

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
def _tables(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-seed tables, read-only: ``perm``, and the row of GRADIENTS3 of each permuted
    value (the 2-D gradient row of lattice point (X, Y) is
    ``(perm[(perm[X & 255] + Y) & 255] & 14) // 2``)."""
    perm = permutation(seed)
    rows3 = perm % len(GRADIENTS3)
    for array in (perm, rows3):
        array.flags.writeable = False
    return perm, rows3


# --- shared by 2-D and 3-D: runs, per-run vertex terms ------------------------------------

@numba.njit(inline="always")
def _wrap256(f):
    """Whole number ``f`` (a float) modulo 256, as an int64 (exact for any finite f)."""
    return np.int64(f - 256.0 * np.floor(f * (1.0 / 256.0)))


@numba.njit(cache=True)
def _flag_changes(values, changed):
    """``changed[i] |= values[i + 1] != values[i]``.

    Loops index their arrays by ``range(size)`` only: an offset index, which numba must
    check for being negative, keeps LLVM from vectorising the loads.
    """
    following = values[1:]
    current = values[:-1]
    for i in range(current.size):
        changed[i] |= following[i] != current[i]


@numba.njit(cache=True)
def _run_starts(columns, regions, changed, starts):
    """Split a chunk into runs of samples with equal cell coordinates (rows of
    ``columns``) and region: ``starts[r]`` is the first sample of run r, ``starts[runs]``
    the chunk's size; returns the number of runs."""
    count = regions.size
    flags = changed[:count - 1]
    flags[:] = False
    _flag_changes(regions, flags)
    for d in range(columns.shape[0]):
        _flag_changes(columns[d, :count], flags)
    starts[0] = 0
    runs = 1
    for i in range(count - 1):  # branch-free compaction
        starts[runs] = i + 1
        runs += flags[i]
    starts[runs] = count
    return runs


@numba.njit(inline="always")
def _falloff(dx, rest, gx, dot_rest):
    """A vertex's kernel at x offset ``dx``, given its y (and z) terms:
    ``rest = 2 - dy^2 (- dz^2)`` and ``dot_rest = gy dy (+ gz dz)``."""
    a = max(rest - dx * dx, 0.0)
    a *= a
    return a * a * (gx * dx + dot_rest)


@numba.njit(inline="always")
def _finish(total, mapped):
    """The stored value of a normalised noise sum: raw, or ``0.5 + 0.5 n`` clipped."""
    return min(max(0.5 + 0.5 * total, 0.0), 1.0) if mapped else total


@numba.njit(inline="always")
def _scratch(dims):
    """Per-row work arrays: cell coordinates (dims, CHUNK), regions, change flags, starts."""
    return (np.empty((dims, CHUNK)), np.empty(CHUNK, np.int64), np.empty(CHUNK, np.bool_),
            np.empty(CHUNK + 1, np.int64))


# --- 2-D -------------------------------------------------------------------------------

#: The vertices of each 2-D region after (1, 0) and (0, 1), which every sample sums: the
#: origin vertex, then the extra one, as offsets (a, b) from the super-cell origin.
#: Regions 0-2 are the lower triangle (origin (0, 0)), 3-5 the upper one (origin (1, 1));
#: see ``_region2``.
_REGIONS2 = np.array([(0, 0, 1, -1), (0, 0, -1, 1), (0, 0, 1, 1),
                      (1, 1, 2, 0), (1, 1, 0, 2), (1, 1, 0, 0)], dtype=np.int64)


@numba.njit(inline="always")
def _region2(tx, ty):
    """The package's vertex choice at position (tx, ty) of a super-cell, as a row of
    ``_REGIONS2``.

    Lower triangle (tx + ty <= 1): the extra vertex is (1, -1) or (-1, 1) when the origin
    is one of the two closest vertices, else (1, 1). Upper: (2, 0) or (0, 2) when (1, 1)
    is one of the two closest, else (0, 0). (1, -1) and (2, 0) when tx > ty.
    """
    total = tx + ty
    lower = total <= 1.0
    rest_low = 1.0 - total
    rest_up = 2.0 - total
    close = ((rest_low > tx) | (rest_low > ty)) if lower else ((rest_up < tx) | (rest_up < ty))
    side = (0 if tx > ty else 1) if close else 2
    return side if lower else side + 3


@numba.njit(cache=True)
def _classify2(xs, y, cell_x, cell_y, regions):
    """Per sample ``xs[i]`` on row ``y``: its super-cell origin and region."""
    for i in range(xs.size):
        x = xs[i]
        stretch = (x + y) * STRETCH2
        sx = x + stretch
        sy = y + stretch
        fx = np.floor(sx)
        fy = np.floor(sy)
        cell_x[i] = fx
        cell_y[i] = fy
        regions[i] = _region2(sx - fx, sy - fy)


@numba.njit(inline="always")
def _vertex2(perm, ix, iy, a, b, dy0):
    """Per-run terms of vertex (a, b) of the super-cell at lattice (ix, iy) (wrapped to
    0..255), for a row at offset dy0 from the cell's origin: (x offset, rest, gx,
    dot_rest) as ``_falloff`` takes them."""
    shift = (a + b) * SQUISH2
    dy = dy0 - b - shift
    g = (perm[(perm[(ix + a) & 255] + iy + b) & 255] & 14) >> 1
    return a + shift, 2.0 - dy * dy, GRADIENTS2[g, 0], GRADIENTS2[g, 1] * dy


@numba.njit(inline="always")
def _run2(xs, y, fx, fy, region, perm, out, mapped):
    """Noise of samples ``xs`` on row y, all in super-cell (fx, fy) and ``region``, into
    ``out``; the four vertices in the package's order."""
    squish = (fx + fy) * SQUISH2
    xb = fx + squish
    dy0 = y - (fy + squish)
    ix = _wrap256(fx)
    iy = _wrap256(fy)
    o1, r1, g1, d1 = _vertex2(perm, ix, iy, 1, 0, dy0)
    o2, r2, g2, d2 = _vertex2(perm, ix, iy, 0, 1, dy0)
    o3, r3, g3, d3 = _vertex2(perm, ix, iy, _REGIONS2[region, 0], _REGIONS2[region, 1], dy0)
    o4, r4, g4, d4 = _vertex2(perm, ix, iy, _REGIONS2[region, 2], _REGIONS2[region, 3], dy0)
    for i in range(xs.size):
        dx0 = xs[i] - xb
        total = (_falloff(dx0 - o1, r1, g1, d1) + _falloff(dx0 - o2, r2, g2, d2)
                 + _falloff(dx0 - o3, r3, g3, d3) + _falloff(dx0 - o4, r4, g4, d4))
        out[i] = _finish(total * (1.0 / NORM2), mapped)


@numba.njit(cache=True)
def _row2(xs, y, perm, out_row, mapped):
    """Noise along one row into ``out_row`` (float64 raw, or float32 0.5 + 0.5 n clipped)."""
    cells, regions, changed, starts = _scratch(2)
    for start in range(0, xs.size, CHUNK):
        chunk = xs[start:start + CHUNK]
        count = chunk.size
        _classify2(chunk, y, cells[0], cells[1], regions)
        runs = _run_starts(cells, regions[:count], changed, starts)
        for r in range(runs):
            first = starts[r]
            end = starts[r + 1]
            _run2(chunk[first:end], y, cells[0, first], cells[1, first], regions[first], perm,
                  out_row[start + first:start + end], mapped)


@numba.njit(parallel=True, cache=True)
def _grid2(xs, ys, perm, out, mapped):
    """``out[j, i]`` = noise at (xs[i], ys[j]); rows in parallel. ``out`` is 2-D."""
    for j in prange(ys.size):
        _row2(xs, ys[j], perm, out[j], mapped)


# --- 3-D -------------------------------------------------------------------------------

#: The simplex vertices of each part of the super-cell (offsets from its origin): rows 0-3
#: the tetrahedron at (0,0,0), rows 4-7 the one at (1,1,1), rows 8-13 the octahedron in
#: between.
_BASE3 = ((0, 0, 0), (1, 0, 0), (0, 1, 0), (0, 0, 1),
          (1, 1, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1),
          (1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 0), (1, 0, 1), (0, 1, 1))


@numba.njit(inline="always")
def _region3(tx, ty, tz):
    """The package's vertex choice at position (tx, ty, tz) of a super-cell, as a region
    number 0..95 (a row of ``_REGIONS3``).

    Point codes have bit 1 = x, 2 = y, 4 = z set where that vertex's coordinate is 1. In a
    tetrahedron the package finds the two closest of its three middle vertices (a, b):
    regions 0-15 (at (0,0,0)) and 16-31 (at (1,1,1)) are ``8 * close + c``, where
    ``close`` says the corner vertex is one of the two closest and c is then the closer of
    a and b, else ``a | b`` (``a & b`` at (1,1,1)). In the octahedron (32-95): the two
    best-scored (a, b) of the points with codes 1, 2, 4 (next to (0,0,0)) and 3, 5, 6
    (next to (1,1,1)), ``32 + a + 8 b``. 24 regions are reached; the other rows of
    ``_REGIONS3`` are never read. Written as selects.
    """
    total = tx + ty + tz
    # tetrahedron at (0,0,0)
    b_is_z = (tx >= ty) & (tz > ty)
    a_is_z = (tx < ty) & (tz > tx)
    a_point = 4 if a_is_z else 1
    a_score = tz if a_is_z else tx
    b_point = 4 if b_is_z else 2
    b_score = tz if b_is_z else ty
    rest = 1.0 - total
    close = (rest > a_score) | (rest > b_score)
    closer = b_point if b_score > a_score else a_point
    low = (8 + closer) if close else (a_point | b_point)
    # tetrahedron at (1,1,1)
    b_is_z = (tx <= ty) & (tz < ty)
    a_is_z = (tx > ty) & (tz < tx)
    a_point = 3 if a_is_z else 6
    a_score = tz if a_is_z else tx
    b_point = 3 if b_is_z else 5
    b_score = tz if b_is_z else ty
    rest = 3.0 - total
    close = (rest < a_score) | (rest < b_score)
    closer = b_point if b_score < a_score else a_point
    high = (24 + closer) if close else (16 + (a_point & b_point))
    # octahedron: codes 3, 5, 6 are the far side of their axis pair, 4, 2, 1 the near one
    p1 = tx + ty
    p2 = tx + tz
    p3 = ty + tz
    a_score = p1 - 1.0 if p1 > 1.0 else 1.0 - p1
    a_point = 3 if p1 > 1.0 else 4
    b_score = p2 - 1.0 if p2 > 1.0 else 1.0 - p2
    b_point = 5 if p2 > 1.0 else 2
    score = p3 - 1.0 if p3 > 1.0 else 1.0 - p3
    point = 6 if p3 > 1.0 else 1
    replace_a = (a_score <= b_score) & (a_score < score)
    replace_b = (a_score > b_score) & (b_score < score)
    middle = 32 + (point if replace_a else a_point) + 8 * (point if replace_b else b_point)
    return low if total <= 1.0 else (high if total >= 2.0 else middle)


def _extra_vertices3(region: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The two vertices outside the simplex that the package adds in ``region``."""
    def bits(c, if_set, if_clear):
        return tuple(if_set if c & axis else if_clear for axis in (1, 2, 4))

    c = region & 7
    if region < 16:  # tetrahedron at (0,0,0)
        if region < 8:  # (0,0,0) is not one of the two closest: c = a | b
            return bits(c, 1, 0), bits(c, 1, -1)
        e0x, e1x = (1, 1) if c & 1 else (-1, 0)
        e0y = e1y = 1 if c & 2 else 0
        if not c & 2:
            if c & 1:
                e0y -= 1
            else:
                e1y -= 1
        return (e0x, e0y, 1 if c & 4 else 0), (e1x, e1y, 1 if c & 4 else -1)
    if region < 32:  # tetrahedron at (1,1,1)
        if region < 24:  # c = a & b
            return bits(c, 1, 0), bits(c, 2, 0)
        e0x, e1x = (2, 1) if c & 1 else (0, 0)
        e0y = e1y = 1 if c & 2 else 0
        if c & 2:
            if c & 1:
                e1y += 1
            else:
                e0y += 1
        return (e0x, e0y, 1 if c & 4 else 0), (e1x, e1y, 2 if c & 4 else 0)

    def two_on_axis(c):  # 2 on the first of x, y set in c, else on z: (2,0,0) ...
        return (2 if c & 1 else 0, 2 if not c & 1 and c & 2 else 0, 2 if not c & 3 else 0)

    def minus_one_on_axis(c):  # -1 on the first of x, y clear in c, else on z: (-1,1,1) ...
        return (-1 if not c & 1 else 1, -1 if c & 1 and not c & 2 else 1,
                -1 if c & 3 == 3 else 1)

    a, b = (region - 32) & 7, (region - 32) >> 3
    a_far, b_far = a in (3, 5, 6), b in (3, 5, 6)
    if a_far == b_far:
        if a_far:
            return (1, 1, 1), two_on_axis(a & b)
        return (0, 0, 0), minus_one_on_axis(a | b)
    return minus_one_on_axis(a if a_far else b), two_on_axis(b if a_far else a)


def _regions3() -> tuple[np.ndarray, np.ndarray]:
    """(vertices, counts): ``vertices[region]`` (8, 3) the lattice offsets the package sums
    in each region (the simplex's, then the two extra; unused rows zero), ``counts[region]``
    how many (6 or 8)."""
    vertices = np.zeros((96, 8, 3), np.int64)
    counts = np.empty(96, np.int64)
    for region in range(96):
        first, size = (0, 4) if region < 16 else (4, 4) if region < 32 else (8, 6)
        rows = _BASE3[first:first + size] + _extra_vertices3(region)
        vertices[region, :len(rows)] = rows
        counts[region] = len(rows)
    return vertices, counts


_REGIONS3, _REGION_SIZES3 = _regions3()


@numba.njit(cache=True)
def _classify3(xs, y, z, cell_x, cell_y, cell_z, regions):
    """Per sample ``xs[i]`` on row (y, z): its super-cell origin and region."""
    for i in range(xs.size):
        x = xs[i]
        stretch = (x + y + z) * STRETCH3
        sx = x + stretch
        sy = y + stretch
        sz = z + stretch
        fx = np.floor(sx)
        fy = np.floor(sy)
        fz = np.floor(sz)
        cell_x[i] = fx
        cell_y[i] = fy
        cell_z[i] = fz
        regions[i] = _region3(sx - fx, sy - fy, sz - fz)


@numba.njit(inline="always")
def _vertex3(perm, rows3, ix, iy, iz, region, k, dy0, dz0):
    """Per-run terms of vertex k of ``region`` (see ``_vertex2``); a row past the
    region's count gives a kernel that is always 0."""
    if k >= _REGION_SIZES3[region]:
        return 0.0, -1.0, 0.0, 0.0
    a = _REGIONS3[region, k, 0]
    b = _REGIONS3[region, k, 1]
    c = _REGIONS3[region, k, 2]
    shift = (a + b + c) * SQUISH3
    dy = dy0 - b - shift
    dz = dz0 - c - shift
    g = rows3[(perm[(perm[(ix + a) & 255] + iy + b) & 255] + iz + c) & 255]
    return (a + shift, 2.0 - dy * dy - dz * dz, GRADIENTS3[g, 0],
            GRADIENTS3[g, 1] * dy + GRADIENTS3[g, 2] * dz)


@numba.njit(inline="always")
def _run3(xs, y, z, fx, fy, fz, region, perm, rows3, out, mapped):
    """Noise of samples ``xs`` on row (y, z), all in super-cell (fx, fy, fz) and
    ``region``, into ``out``."""
    squish = (fx + fy + fz) * SQUISH3
    xb = fx + squish
    dy0 = y - (fy + squish)
    dz0 = z - (fz + squish)
    ix = _wrap256(fx)
    iy = _wrap256(fy)
    iz = _wrap256(fz)
    o0, r0, g0, d0 = _vertex3(perm, rows3, ix, iy, iz, region, 0, dy0, dz0)
    o1, r1, g1, d1 = _vertex3(perm, rows3, ix, iy, iz, region, 1, dy0, dz0)
    o2, r2, g2, d2 = _vertex3(perm, rows3, ix, iy, iz, region, 2, dy0, dz0)
    o3, r3, g3, d3 = _vertex3(perm, rows3, ix, iy, iz, region, 3, dy0, dz0)
    o4, r4, g4, d4 = _vertex3(perm, rows3, ix, iy, iz, region, 4, dy0, dz0)
    o5, r5, g5, d5 = _vertex3(perm, rows3, ix, iy, iz, region, 5, dy0, dz0)
    o6, r6, g6, d6 = _vertex3(perm, rows3, ix, iy, iz, region, 6, dy0, dz0)
    o7, r7, g7, d7 = _vertex3(perm, rows3, ix, iy, iz, region, 7, dy0, dz0)
    for i in range(xs.size):
        dx0 = xs[i] - xb
        total = (_falloff(dx0 - o0, r0, g0, d0) + _falloff(dx0 - o1, r1, g1, d1)
                 + _falloff(dx0 - o2, r2, g2, d2) + _falloff(dx0 - o3, r3, g3, d3)
                 + _falloff(dx0 - o4, r4, g4, d4) + _falloff(dx0 - o5, r5, g5, d5)
                 + _falloff(dx0 - o6, r6, g6, d6) + _falloff(dx0 - o7, r7, g7, d7))
        out[i] = _finish(total * (1.0 / NORM3), mapped)


@numba.njit(cache=True)
def _row3(xs, y, z, perm, rows3, out_row, mapped):
    """Noise along one row (y, z) into ``out_row``, as ``_row2``."""
    cells, regions, changed, starts = _scratch(3)
    for start in range(0, xs.size, CHUNK):
        chunk = xs[start:start + CHUNK]
        count = chunk.size
        _classify3(chunk, y, z, cells[0], cells[1], cells[2], regions)
        runs = _run_starts(cells, regions[:count], changed, starts)
        for r in range(runs):
            first = starts[r]
            end = starts[r + 1]
            _run3(chunk[first:end], y, z, cells[0, first], cells[1, first], cells[2, first],
                  regions[first], perm, rows3, out_row[start + first:start + end], mapped)


@numba.njit(parallel=True, cache=True)
def _grid3(xs, ys, zs, perm, rows3, out, mapped):
    """``out[k, j, i]`` = noise at (xs[i], ys[j], zs[k]); (k, j) rows in parallel."""
    ny = ys.size
    for r in prange(zs.size * ny):
        k = r // ny
        j = r - k * ny
        _row3(xs, ys[j], zs[k], perm, rows3, out[k, j], mapped)


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
    _grid2(xs, ys, _tables(int(seed))[0], out, False)
    return out


def noise3array(x, y, z, *, seed: int) -> np.ndarray:
    """3-D OpenSimplex noise on the grid of ``x``, ``y``, ``z``, as ``opensimplex.noise3array``.

    Returns a float64 array of shape (len(z), len(y), len(x)); ``[k, j, i]`` is the noise
    at (x[i], y[j], z[k]).
    """
    xs, ys, zs = _coords(x, "x"), _coords(y, "y"), _coords(z, "z")
    out = np.empty((zs.size, ys.size, xs.size))
    _grid3(xs, ys, zs, *_tables(int(seed)), out, False)
    return out


def noise2(x: float, y: float, *, seed: int) -> float:
    """2-D OpenSimplex noise at (x, y), as ``opensimplex.noise2`` (same value as noise2array)."""
    _finite(x, y)
    out = np.empty(1)
    _row2(np.array([float(x)]), float(y), _tables(int(seed))[0], out, False)
    return float(out[0])


def noise3(x: float, y: float, z: float, *, seed: int) -> float:
    """3-D OpenSimplex noise at (x, y, z), as ``opensimplex.noise3``."""
    _finite(x, y, z)
    out = np.empty(1)
    _row3(np.array([float(x)]), float(y), float(z), *_tables(int(seed)), out, False)
    return float(out[0])


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
    perm, rows3 = _tables(ctx.seed)
    out = np.empty((ctx.height, ctx.width, 1), np.float32)
    # C-contiguous views (out[:, :, 0] would compile a strided variant).
    if dimensions == "2d":
        _grid2(xs, ys, perm, out.reshape(ctx.height, ctx.width), True)
        return out
    if dimensions == "3d":
        zs = np.array([z], np.float64)
        _grid3(xs, ys, zs, perm, rows3, out.reshape(1, ctx.height, ctx.width), True)
        return out
    raise ValueError(f"node '{ctx.node_id}': dimensions must be '2d' or '3d', "
                     f"got {dimensions!r}")
