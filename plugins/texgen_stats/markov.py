"""``stats.markov``: image quilting on a torus (a non-parametric, Markov patch synthesizer).

Efros & Freeman, "Image quilting for texture synthesis and transfer" (SIGGRAPH 2001): the
output is covered by square patches of the exemplar laid on a grid, each overlapping its
neighbours; each new patch is chosen among exemplar positions by the sum of squared
differences (SSD) over the pixels it shares with what is already placed, at random among
those within (1 + tolerance) of the best, and a minimum-error boundary cut (dynamic
programming over the overlap's error surface) decides which of the shared pixels it takes.
Here the grid lives on the output torus, as Wei & Levoy's toroidal neighbourhoods do: the
last column of patches is matched and cut against the first one (wrapping around), the last
row against the first row, so the output tiles exactly and its wrap-around seam is an
ordinary cut.

Everything happens on exemplar indices: the synthesizer keeps, per output pixel, the
exemplar (row, col) it copies, so the output is ``exemplar[rows, cols]`` exactly and the uv
map (``texgen.uvmap.uv_of``) carries any image aligned with the exemplar (height,
roughness, normal maps) along the same way.

Optional refinement (Kwatra et al., "Texture optimization for example-based synthesis",
SIGGRAPH 2005, with the nearest-neighbour search of Barnes et al.'s PatchMatch) re-matches
every output patch on a half-overlapping grid to its nearest exemplar patch; where Kwatra
averages the patches' colors, each pixel here takes the proposed exemplar pixel nearest
that average, so it stays an index operation and outputs remain exact copies of exemplar
pixels.

The boundary cut is ``texgen.quilting.min_error_cut`` / ``cut_mask`` (shared with
``filters.make_tileable``). Public here: ``best_patch`` (the candidate search),
``patch_starts`` (the grid), ``synthesize_uv`` and ``synthesize``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numba import njit

from texgen.nodes import NodeContext, param_error
from texgen.quilting import cut_mask, min_error_cut
from texgen.uvmap import uv_of
from texgen_stats import _check_markov
from texgen_stats._common import read_exemplar_image
from texgen_stats.palette import LUMA


class ExemplarTooSmall(ValueError):
    """The exemplar (at some level of a multi-scale synthesis) cannot hold a patch."""


#: The automatic patch side and overlap for an exemplar without a strong period (grass,
#: gravel, stone): smaller patches with thin overlaps scored a lower patch-SWD on the
#: scikit-image grass, gravel and brick photos than 32 / 8 (benchmarks/markov_quality.py).
STOCHASTIC_PATCH = 24
STOCHASTIC_OVERLAP = 4
#: The smallest automatic patch for an exemplar with a repeating unit.
MIN_UNIT_PATCH = 32
#: The largest automatic patch side.
MAX_AUTOMATIC_PATCH = 128


def repeating_unit(exemplar: np.ndarray, *, threshold: float = 0.3,
                   shortest: int = 8) -> int | None:
    """The exemplar's repeating unit in pixels (a tile's pitch), or None when it has none.

    The mean-removed gray's circular autocorrelation, normalised to 1 at lag 0, is read
    along each axis from ``shortest`` to half the side; among its local maxima above
    ``threshold`` the shortest lag whose peak is within 90 % of that axis's highest is the
    axis's period (so the first repeat, not a multiple of it). Returns the larger of the
    two axes' periods; None when neither axis has such a peak (stochastic textures).
    """
    gray = np.asarray(exemplar, np.float64).mean(axis=2)
    gray = gray - gray.mean()
    power = np.abs(np.fft.rfft2(gray)) ** 2
    auto = np.fft.irfft2(power, s=gray.shape)
    if auto[0, 0] <= 0:  # a flat exemplar
        return None
    auto /= auto[0, 0]
    periods = []
    for profile in (auto[0, : gray.shape[1] // 2], auto[: gray.shape[0] // 2, 0]):
        lags = np.arange(shortest, profile.size - 1)
        peaks = lags[(profile[lags] > profile[lags - 1]) & (profile[lags] >= profile[lags + 1])
                     & (profile[lags] > threshold)]
        if peaks.size:
            strong = peaks[profile[peaks] >= 0.9 * profile[peaks].max()]
            periods.append(int(strong[0]))
    return max(periods) if periods else None


def automatic_patch(exemplar: np.ndarray) -> tuple[int, int | None]:
    """The (patch side, overlap) ``synthesize_uv`` uses when no patch is given. With a
    repeating unit: a little over it (so whole tiles or bricks fit in one patch), at least
    ``MIN_UNIT_PATCH``, and overlap None (patch // 4). Without one: ``STOCHASTIC_PATCH``
    and ``STOCHASTIC_OVERLAP``. The patch is at most ``MAX_AUTOMATIC_PATCH`` and the
    exemplar's shorter side."""
    unit = repeating_unit(exemplar)
    if unit is None:
        patch, overlap = STOCHASTIC_PATCH, STOCHASTIC_OVERLAP
    else:
        patch, overlap = max(MIN_UNIT_PATCH, -(-unit * 11 // 10)), None
    patch = min(patch, MAX_AUTOMATIC_PATCH, *exemplar.shape[:2])
    return patch, None if overlap is None else min(overlap, patch // 2)


#: How much a guide counts against the colors' fit (``best_patch``'s guide_weight).
DEFAULT_GUIDE_WEIGHT = 1.0
#: The Gaussian blur (sigma, pixels) of the exemplar's luma that is its default guide.
GUIDE_BLUR = 2.0

#: Candidate exemplar positions scored per patch when the exemplar has more: a seeded
#: random subset, plus the positions that continue the already placed neighbours.
DEFAULT_CANDIDATES = 3000


# ------------------------------------------------------------------------ candidate search

@njit(cache=True)
def _scan(exemplar, channels, run_y, run_x, run_len, values, cand_r, cand_c, slack,
          guide_exemplar, guide_target, guide_scale):
    """SSD of each candidate over the known pixels, given as runs along rows (row offset,
    first column, length) and their values flattened (row-major, channels last), plus
    ``guide_scale`` times the SSD of ``guide_exemplar`` (h, w) under the candidate's patch
    and ``guide_target`` (ph, pw) (when ``guide_scale`` > 0); inf where it cannot be within
    ``slack`` times the best (early termination after each run and each guide row).
    ``exemplar`` is (h, w * C), ``cand_c`` in its units. Four partial sums per run, in a
    fixed order, let the compiler vectorise without changing the result from one CPU to
    another."""
    count = cand_r.shape[0]
    costs = np.empty(count, np.float64)
    bound = np.inf
    for i in range(count):
        r = cand_r[i]
        c = cand_c[i]
        total = 0.0
        v = 0
        for k in range(run_y.shape[0]):
            row = exemplar[r + run_y[k]]
            start = c + run_x[k]
            length = run_len[k]
            a0 = np.float32(0.0)
            a1 = np.float32(0.0)
            a2 = np.float32(0.0)
            a3 = np.float32(0.0)
            t = 0
            while t + 4 <= length:
                d0 = row[start + t] - values[v + t]
                d1 = row[start + t + 1] - values[v + t + 1]
                d2 = row[start + t + 2] - values[v + t + 2]
                d3 = row[start + t + 3] - values[v + t + 3]
                a0 += d0 * d0
                a1 += d1 * d1
                a2 += d2 * d2
                a3 += d3 * d3
                t += 4
            while t < length:
                d0 = row[start + t] - values[v + t]
                a0 += d0 * d0
                t += 1
            total += (a0 + a1) + (a2 + a3)
            v += length
            if total > bound:
                break
        if guide_scale > 0.0:
            c0 = c // channels
            for dy in range(guide_target.shape[0]):
                if total > bound:
                    break
                row = guide_exemplar[r + dy]
                a0 = np.float32(0.0)
                for dx in range(guide_target.shape[1]):
                    d0 = row[c0 + dx] - guide_target[dy, dx]
                    a0 += d0 * d0
                total += guide_scale * a0
        if total > bound:
            costs[i] = np.inf
        else:
            costs[i] = total
            if total * slack < bound:
                bound = total * slack
    return costs


def best_patch(exemplar: np.ndarray, target: np.ndarray, known: np.ndarray,
               rng: np.random.Generator, *, tolerance: float = 0.1,
               candidates: int | None = DEFAULT_CANDIDATES,
               extra: np.ndarray | None = None,
               guide: tuple[np.ndarray, np.ndarray] | None = None,
               guide_weight: float = 0.0) -> tuple[int, int]:
    """An exemplar position whose patch matches ``target`` on its known pixels (and, with
    a guide, whose guide matches the target's).

    The cost of a candidate is the mean squared difference over the known pixels' channels
    plus ``guide_weight`` times the mean squared difference between the exemplar guide
    under the candidate's patch and the target guide over the whole patch (each mean is 0
    where it has no pixel).

    Args:
        exemplar: (h, w, C) float32.
        target: (ph, pw, C) float32, the patch to match; only pixels where ``known`` is True
            are compared (ph <= h, pw <= w).
        known: bool (ph, pw). With no known pixel, any position is equally good.
        rng: seeded generator: draws the candidate subset and the pick among near-best ones.
        tolerance: candidates whose SSD over the known pixels is within (1 + tolerance)
            times the best one's are equally eligible; one is picked at random (0: the best).
        candidates: how many of the (h - ph + 1) * (w - pw + 1) positions patches fit at
            are scored: all when there are no more than this or when None, else a random
            subset of this many (drawn with replacement).
        extra: optional int (k, 2) (row, col) positions always scored as well (e.g. those
            that continue the neighbours' exemplar positions); positions where the patch
            does not fit are ignored.
        guide: optional (exemplar guide float32 (h, w), target guide float32 (ph, pw)):
            gray maps saying which part of the exemplar belongs where.
        guide_weight: the guide term's weight (>= 0); 0 or no guide: colors only.

    Returns:
        (row, col) of the patch's top-left pixel in the exemplar.
    """
    ph, pw = known.shape
    h, w = exemplar.shape[:2]
    span_r, span_c = h - ph + 1, w - pw + 1
    if span_r < 1 or span_c < 1:
        raise ValueError(f"a {ph}x{pw} patch does not fit in a {h}x{w} exemplar")
    total = span_r * span_c
    if candidates is None or total <= candidates:
        flat = np.arange(total)
    else:
        flat = rng.integers(0, total, candidates)
    cand_r, cand_c = np.divmod(flat, span_c)
    if extra is not None and len(extra):
        extra = np.asarray(extra, np.int64).reshape(-1, 2)
        fits = ((extra[:, 0] >= 0) & (extra[:, 0] < span_r)
                & (extra[:, 1] >= 0) & (extra[:, 1] < span_c))
        cand_r = np.concatenate([cand_r, extra[fits, 0]])
        cand_c = np.concatenate([cand_c, extra[fits, 1]])
    guided = guide is not None and guide_weight > 0
    if not known.any() and not guided:
        pick = rng.integers(0, cand_r.size)
        return int(cand_r[pick]), int(cand_c[pick])
    # Runs of known pixels along each row, in the exemplar's flattened (h, w * C) units.
    channels = exemplar.shape[2]
    if guided:
        guide_exemplar = np.ascontiguousarray(guide[0], np.float32)
        guide_target = np.ascontiguousarray(guide[1], np.float32)
        if guide_exemplar.shape != (h, w) or guide_target.shape != (ph, pw):
            raise ValueError(f"guides must be ({h}, {w}) and ({ph}, {pw}), got "
                             f"{guide_exemplar.shape} and {guide_target.shape}")
        # Both means scaled by the known pixels' channel count (the SSD's own scale).
        guide_scale = guide_weight * max(int(known.sum()) * channels, 1) / (ph * pw)
    else:
        guide_exemplar = guide_target = np.zeros((0, 0), np.float32)
        guide_scale = 0.0
    edges = np.diff(np.pad(known, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    run_y, run_x = np.nonzero(edges == 1)
    run_end = np.nonzero(edges == -1)[1]
    values = np.ascontiguousarray(target[known], np.float32).ravel()
    slack = 1.0 + max(float(tolerance), 0.0)
    flat = np.ascontiguousarray(exemplar, np.float32).reshape(h, w * channels)
    costs = _scan(flat, channels, run_y.astype(np.int64), (run_x * channels).astype(np.int64),
                  ((run_end - run_x) * channels).astype(np.int64), values,
                  cand_r.astype(np.int64), (cand_c * channels).astype(np.int64), slack,
                  guide_exemplar, guide_target, guide_scale)
    eligible = np.flatnonzero(costs <= costs.min() * slack)
    pick = eligible[rng.integers(0, eligible.size)]
    return int(cand_r[pick]), int(cand_c[pick])


# ----------------------------------------------------------------------------- the grid

def patch_starts(length: int, patch: int, overlap: int, *, tileable: bool) -> np.ndarray:
    """Where the patches of one axis start: int64 (n,).

    Tileable (on a torus of ``length`` pixels): n = ceil(length / (patch - overlap)) patches
    starting at floor(i * length / n), so the steps differ by at most one pixel, none is
    longer than patch - overlap, and the last patch wraps around onto the first by at least
    ``overlap`` pixels (the grid closes exactly, whatever the length). Not tileable: n =
    ceil((length - overlap) / (patch - overlap)) patches (1 when the patch covers the
    length) from 0 to length - patch, steps again even and at most patch - overlap.
    """
    step = patch - overlap
    if step < 1:
        raise ValueError(f"overlap {overlap} must be below the patch size {patch}")
    if tileable:
        n = -(-length // step)
        return (np.arange(n) * length) // n
    if length <= patch:
        return np.zeros(1, np.int64)
    n = -(-(length - overlap) // step)
    return (np.arange(n) * (length - patch)) // (n - 1)


def _axis_patch(length: int, patch: int, overlap: int, tileable: bool) -> tuple[int, int]:
    """The patch size and overlap used along an axis of ``length`` pixels: the patch is at
    most half the length when tileable (at least two patches close the torus), at most the
    length otherwise; the overlap at most half the patch."""
    size = max(1, min(patch, length // 2 if tileable else length))
    return size, min(overlap, size // 2)


# --------------------------------------------------------------------------- refinement

@njit(cache=True)
def _patch_ssd(exemplar, image, gy, gx, r, c, size_y, size_x, bound):
    """SSD between image's patch at (gy, gx) (wrapping around) and the exemplar's at
    (r, c); stops early, returning a value >= bound, once it exceeds ``bound``."""
    height, width, channels = image.shape
    total = 0.0
    for dy in range(size_y):
        y = (gy + dy) % height
        row = np.float32(0.0)
        for dx in range(size_x):
            x = (gx + dx) % width
            for ch in range(channels):
                d = exemplar[r + dy, c + dx, ch] - image[y, x, ch]
                row += d * d
        total += row
        if total >= bound:
            return total
    return total


@njit(cache=True)
def _try(exemplar, image, gy, gx, r, c, size_y, size_x, nn, dist, i, j):
    span_r = exemplar.shape[0] - size_y
    span_c = exemplar.shape[1] - size_x
    r = min(max(r, 0), span_r)
    c = min(max(c, 0), span_c)
    if r == nn[i, j, 0] and c == nn[i, j, 1]:
        return
    d = _patch_ssd(exemplar, image, gy, gx, r, c, size_y, size_x, dist[i, j])
    if d < dist[i, j]:
        dist[i, j] = d
        nn[i, j, 0] = r
        nn[i, j, 1] = c


@njit(cache=True)
def _refine_pass(exemplar, image, rows, cols, starts_y, starts_x, size_y, size_x, jumps):
    """One texture optimisation pass on indices: PatchMatch for the nearest exemplar patch
    of each grid patch (``jumps``: its random search's uniforms, (iterations, ny, nx,
    radii, 2)), then each pixel takes, among the exemplar pixels its covering patches
    propose, the one nearest their weighted mean (Kwatra's robust weights, better-matching
    patches count more). Returns new (rows, cols)."""
    height, width = rows.shape
    ny, nx = starts_y.shape[0], starts_x.shape[0]
    nn = np.empty((ny, nx, 2), np.int64)
    dist = np.empty((ny, nx), np.float64)
    for i in range(ny):
        for j in range(nx):
            nn[i, j, 0] = min(rows[starts_y[i], starts_x[j]], exemplar.shape[0] - size_y)
            nn[i, j, 1] = min(cols[starts_y[i], starts_x[j]], exemplar.shape[1] - size_x)
            dist[i, j] = _patch_ssd(exemplar, image, starts_y[i], starts_x[j], nn[i, j, 0],
                                    nn[i, j, 1], size_y, size_x, np.inf)
    iterations, radii = jumps.shape[0], jumps.shape[3]
    for it in range(iterations):
        forward = it % 2 == 0
        for ii in range(ny):
            i = ii if forward else ny - 1 - ii
            for jj in range(nx):
                j = jj if forward else nx - 1 - jj
                gy, gx = starts_y[i], starts_x[j]
                # Propagation: the neighbour's match, shifted by the grid step.
                pi = i - 1 if forward else i + 1
                pj = j - 1 if forward else j + 1
                if 0 <= pj < nx:
                    _try(exemplar, image, gy, gx, nn[i, pj, 0],
                         nn[i, pj, 1] + gx - starts_x[pj], size_y, size_x, nn, dist, i, j)
                if 0 <= pi < ny:
                    _try(exemplar, image, gy, gx, nn[pi, j, 0] + gy - starts_y[pi],
                         nn[pi, j, 1], size_y, size_x, nn, dist, i, j)
                # Random search around the best so far, radius halving.
                radius = max(exemplar.shape[0], exemplar.shape[1])
                for k in range(radii):
                    if radius < 1:
                        break
                    _try(exemplar, image, gy, gx,
                         nn[i, j, 0] + int(np.floor((2 * jumps[it, i, j, k, 0] - 1) * radius)),
                         nn[i, j, 1] + int(np.floor((2 * jumps[it, i, j, k, 1] - 1) * radius)),
                         size_y, size_x, nn, dist, i, j)
                    radius //= 2
    # Voting: the mean of the colors the covering patches propose (Kwatra's average),
    # then each pixel takes the proposed exemplar pixel nearest that mean.
    channels = image.shape[2]
    mean = np.zeros((height, width, channels))
    weight = np.zeros((height, width))
    for i in range(ny):
        for j in range(nx):
            w_ij = (dist[i, j] / (size_y * size_x) + 1e-4) ** -0.6
            for dy in range(size_y):
                y = (starts_y[i] + dy) % height
                for dx in range(size_x):
                    x = (starts_x[j] + dx) % width
                    weight[y, x] += w_ij
                    for ch in range(channels):
                        mean[y, x, ch] += w_ij * exemplar[nn[i, j, 0] + dy, nn[i, j, 1] + dx, ch]
    best = np.full((height, width), np.inf)
    new_rows = rows.copy()
    new_cols = cols.copy()
    for i in range(ny):
        for j in range(nx):
            for dy in range(size_y):
                y = (starts_y[i] + dy) % height
                for dx in range(size_x):
                    x = (starts_x[j] + dx) % width
                    d = 0.0
                    for ch in range(channels):
                        e = exemplar[nn[i, j, 0] + dy, nn[i, j, 1] + dx, ch] \
                            - mean[y, x, ch] / weight[y, x]
                        d += e * e
                    if d < best[y, x]:
                        best[y, x] = d
                        new_rows[y, x] = nn[i, j, 0] + dy
                        new_cols[y, x] = nn[i, j, 1] + dx
    return new_rows, new_cols


def _refine(exemplar, rows, cols, patch, tileable, passes, rng, guides=None,
            guide_weight=0.0, iterations=4):
    """``passes`` texture optimisation passes over (rows, cols) with half-overlapping
    patches of ``patch`` // 2 pixels (at most 16). ``guides`` (exemplar guide (h, w),
    target guide (height, width)) join the patch distance as one more channel, weighted
    as in ``best_patch`` (``guide_weight`` times the mean over the patch)."""
    if passes == 0:
        return rows, cols
    target_guide = None
    if guides is not None and guide_weight > 0:
        scale = np.float32(np.sqrt(guide_weight * exemplar.shape[2]))
        target_guide = scale * guides[1][..., None]
        exemplar = np.concatenate([exemplar, scale * guides[0][..., None]], axis=2)
    height, width = rows.shape
    size = max(2, min(patch // 2, 16))
    size_y, _ = _axis_patch(height, size, size // 2, tileable)
    size_x, _ = _axis_patch(width, size, size // 2, tileable)
    starts_y = patch_starts(height, size_y, size_y // 2, tileable=tileable)
    starts_x = patch_starts(width, size_x, size_x // 2, tileable=tileable)
    radii = int(np.log2(max(exemplar.shape[:2]))) + 1
    for _ in range(passes):
        image = exemplar[rows, cols]
        if target_guide is not None:
            image[..., -1:] = target_guide
        jumps = rng.random((iterations, len(starts_y), len(starts_x), radii, 2))
        rows, cols = _refine_pass(exemplar, image, rows, cols, starts_y, starts_x, size_y,
                                  size_x, jumps)
    return rows, cols


# ---------------------------------------------------------------------------- synthesis

def _quilt(exemplar, height, width, patch, overlap, tileable, tolerance, candidates, rng,
           coarse=None, guides=None, guide_weight=0.0):
    """Image quilting: int64 (rows, cols) exemplar indices per output pixel.

    ``coarse`` (optional, (rows, cols) of the output's shape): indices from a coarser level.
    Each patch is then also matched, where nothing is placed yet, against the exemplar
    pixels they point at, and the coarse position is always a candidate. ``guides``
    (optional): (exemplar guide (h, w), target guide (height, width)), weighted by
    ``guide_weight`` in ``best_patch``."""
    ph, oy = _axis_patch(height, patch, overlap, tileable)
    pw, ox = _axis_patch(width, patch, overlap, tileable)
    starts_y = patch_starts(height, ph, oy, tileable=tileable)
    starts_x = patch_starts(width, pw, ox, tileable=tileable)
    rows = np.zeros((height, width), np.int64)
    cols = np.zeros((height, width), np.int64)
    out = np.zeros((height, width, exemplar.shape[2]), np.float32)
    filled = np.zeros((height, width), bool)
    # Exemplar position of each placed patch, for the coherent candidates.
    placed = np.full((len(starts_y), len(starts_x), 2), -1, np.int64)
    ny, nx = len(starts_y), len(starts_x)
    dy = np.arange(ph)
    dx = np.arange(pw)
    for i, y0 in enumerate(starts_y):
        ys = (y0 + dy) % height
        top = starts_y[i - 1] + ph - y0 if i > 0 else 0
        bottom = y0 + ph - height if tileable and i == ny - 1 and ny > 1 else 0
        for j, x0 in enumerate(starts_x):
            xs = (x0 + dx) % width
            left = starts_x[j - 1] + pw - x0 if j > 0 else 0
            right = x0 + pw - width if tileable and j == nx - 1 and nx > 1 else 0
            window = np.ix_(ys, xs)
            known = filled[window]
            target = out[window]
            extra = []
            match = known
            if coarse is not None:
                coarse_rows, coarse_cols = coarse[0][window], coarse[1][window]
                target = np.where(known[..., None], target, exemplar[coarse_rows, coarse_cols])
                match = np.ones_like(known)
                extra.append((coarse_rows[0, 0], coarse_cols[0, 0]))
            if j > 0:  # continue the left neighbour's patch
                extra.append(placed[i, j - 1] + (0, x0 - starts_x[j - 1]))
            if i > 0:
                extra.append(placed[i - 1, j] + (y0 - starts_y[i - 1], 0))
            r, c = best_patch(exemplar, target, match, rng, tolerance=tolerance,
                              candidates=candidates, extra=np.array(extra).reshape(-1, 2),
                              guide=None if guides is None else
                              (guides[0], guides[1][window]), guide_weight=guide_weight)
            placed[i, j] = r, c
            new = np.ones((ph, pw), bool)
            if known.any():
                errors = ((exemplar[r:r + ph, c:c + pw] - target) ** 2).sum(axis=2)
                if left > 0:
                    new[:, :left] &= cut_mask(min_error_cut(errors[:, :left]), left)
                if right > 0:
                    band = errors[:, pw - right:][:, ::-1]
                    new[:, pw - right:] &= cut_mask(min_error_cut(band), right)[:, ::-1]
                if top > 0:
                    new[:top] &= cut_mask(min_error_cut(errors[:top].T), top).T
                if bottom > 0:
                    band = errors[ph - bottom:][::-1].T
                    new[ph - bottom:] &= cut_mask(min_error_cut(band), bottom).T[::-1]
                new |= ~known
            local_rows, local_cols = rows[window], cols[window]
            local_rows[new] = np.broadcast_to(r + dy[:, None], new.shape)[new]
            local_cols[new] = np.broadcast_to(c + dx[None, :], new.shape)[new]
            rows[window], cols[window] = local_rows, local_cols
            out[window] = exemplar[local_rows, local_cols]
            filled[window] = True
    return rows, cols


def synthesize_uv(exemplar: np.ndarray, height: int, width: int, *, patch: int | None = None,
                  overlap: int | None = None, seed: int = 0, tileable: bool = True,
                  tolerance: float = 0.1, candidates: int | None = DEFAULT_CANDIDATES,
                  refine: int = 0, levels: int = 1, guide: np.ndarray | None = None,
                  exemplar_guide: np.ndarray | None = None,
                  guide_weight: float = DEFAULT_GUIDE_WEIGHT) -> np.ndarray:
    """A (height, width) texture quilted from ``exemplar``, as a uv map of where each output
    pixel comes from.

    Args:
        exemplar: (h, w, C) float, C in 1..4; every channel takes part in the matching.
            It must hold a whole patch: h and w >= ``patch`` (after the patch is capped for
            a small output, see ``patch_starts``' callers: at most half the output's side
            when tileable).
        height, width: output size in pixels (any, non-square included).
        patch: patch side in exemplar pixels. Features larger than the patch come out
            rearranged; the patch should hold the exemplar's repeating unit (a tile, a
            brick with its joint). None: ``automatic_patch`` (a little over the repeating
            unit found by autocorrelation, else ``STOCHASTIC_PATCH``).
        overlap: pixels neighbouring patches share, where the boundary cut runs; None:
            the automatic one when the patch is automatic and the exemplar has no
            repeating unit (``automatic_patch``), else patch // 4. At most half the patch.
        seed: seeds the candidate subsets and the picks: equal seeds give equal outputs.
        tileable: the patch grid wraps around the output torus, so the output tiles
            exactly; False lays an ordinary grid from edge to edge.
        tolerance: how far from the best match a patch may be and still be picked (see
            ``best_patch``): 0 picks the best one, which tends to copy the exemplar in
            large verbatim pieces; more gives variety and more visible seams.
        candidates: exemplar positions scored per patch (see ``best_patch``).
        refine: texture optimisation passes after the quilting: every patch of patch // 2
            pixels (at most 16) on a half-overlapping grid is matched to its nearest
            exemplar patch (PatchMatch: propagation and a seeded random search), and each
            pixel takes, among the exemplar pixels the patches covering it propose, the one
            nearest their weighted mean. It only touches pixels along the cuts.
        levels: scales synthesized coarse to fine. With 2, a texture of half the size is
            first quilted from the exemplar averaged down 2 x 2 with the same ``patch``
            (so its patches span twice as many exemplar pixels), recursively for more; at
            the next finer level each patch is also matched, where nothing is placed yet,
            against the exemplar pixels the coarse result points at. Large features are
            then laid out as a patch twice (four times...) as large would, with the fine
            level's cuts. The exemplar must hold a patch at every level.
        guide: optional gray target guide, float (H, W) or (H, W, 1), nominally in [0, 1],
            resampled to (height, width) by nearest pixel: guided synthesis (Hertzmann et
            al.'s image analogies, Embark's texture-synthesis "guided synthesis"). Each
            patch's cost gains ``guide_weight`` times the mean squared difference between
            ``exemplar_guide`` under the candidate and this guide under the output patch,
            so bright guide regions take the exemplar's bright-guide parts; the refinement
            compares the guides the same way, and coarser levels use both halved.
        exemplar_guide: gray float (h, w) or (h, w, 1) aligned with the exemplar (a label
            or mask of its regions); None: ``default_exemplar_guide`` (its luma, blurred).
            Only used with ``guide``.
        guide_weight: >= 0, the guide's weight against the colors' fit (a mean squared
            difference of colors, each channel in [0, 1]); 0 ignores the guide, giving the
            unguided output exactly. Default ``DEFAULT_GUIDE_WEIGHT``.

    Returns:
        float32 (height, width, 3) uv map (``texgen.uvmap``): exemplar pixel centres, u in
        red, v in green, 0 in blue.
    """
    rows, cols = _indices(exemplar, height, width, patch=patch, overlap=overlap, seed=seed,
                          tileable=tileable, tolerance=tolerance, candidates=candidates,
                          refine=refine, levels=levels, guide=guide,
                          exemplar_guide=exemplar_guide, guide_weight=guide_weight)
    return uv_of(rows, cols, exemplar.shape[0], exemplar.shape[1])


def synthesize(exemplar: np.ndarray, height: int, width: int, **options
               ) -> tuple[np.ndarray, np.ndarray]:
    """``synthesize_uv``, plus the texture itself: (out (height, width, C) float32, exact
    copies of exemplar pixels, out == texgen.uvmap.apply_uv(exemplar, uv); uv)."""
    exemplar = np.ascontiguousarray(exemplar, np.float32)
    rows, cols = _indices(exemplar, height, width, **options)
    out = np.ascontiguousarray(exemplar[rows, cols])
    return out, uv_of(rows, cols, exemplar.shape[0], exemplar.shape[1])


def _halve(image):
    """``image`` (h, w, ...) averaged down 2 x 2 to (h // 2, w // 2, ...)."""
    h, w = image.shape[:2]
    return 0.25 * (image[0:h - 1:2, 0:w - 1:2] + image[1::2, 0:w - 1:2]
                   + image[0:h - 1:2, 1::2] + image[1::2, 1::2])


def _guides(exemplar, height, width, guide, exemplar_guide):
    """The (exemplar guide (h, w), target guide (height, width)) float32 pair of
    ``synthesize_uv``'s ``guide`` options: the target guide resampled to the output's size
    by nearest pixel, the exemplar guide defaulting to ``default_exemplar_guide``."""
    guide = np.asarray(guide, np.float32)
    if guide.ndim == 3 and guide.shape[2] == 1:
        guide = guide[..., 0]
    if guide.ndim != 2:
        raise ValueError(f"guide must be gray (H, W) or (H, W, 1), got shape {guide.shape}")
    gy = np.arange(height) * guide.shape[0] // height
    gx = np.arange(width) * guide.shape[1] // width
    target = np.ascontiguousarray(guide[gy[:, None], gx[None, :]])
    if exemplar_guide is None:
        return default_exemplar_guide(exemplar), target
    source = np.asarray(exemplar_guide, np.float32)
    if source.ndim == 3 and source.shape[2] == 1:
        source = source[..., 0]
    if source.shape != exemplar.shape[:2]:
        raise ValueError(f"exemplar_guide must be gray and the exemplar's size "
                         f"{exemplar.shape[:2]}, got shape {source.shape}")
    return np.ascontiguousarray(source), target


def default_exemplar_guide(exemplar: np.ndarray, *, sigma: float = GUIDE_BLUR) -> np.ndarray:
    """The exemplar guide used when none is given: float32 (h, w), the exemplar's Rec. 709
    luma (its first channel when gray, alpha ignored) blurred by a Gaussian of ``sigma``
    pixels (wrapping around), so the guide follows the exemplar's light and dark regions
    rather than its grain."""
    exemplar = np.asarray(exemplar, np.float64)
    luma = exemplar[..., 0] if exemplar.shape[2] < 3 else exemplar[..., :3] @ LUMA
    fy = np.fft.fftfreq(luma.shape[0])[:, None]
    fx = np.fft.rfftfreq(luma.shape[1])[None, :]
    transfer = np.exp(-2 * (np.pi * sigma) ** 2 * (fy ** 2 + fx ** 2))
    return np.fft.irfft2(np.fft.rfft2(luma) * transfer, s=luma.shape).astype(np.float32)


def _indices(exemplar, height, width, *, patch=None, overlap=None, seed=0, tileable=True,
             tolerance=0.1, candidates=DEFAULT_CANDIDATES, refine=0, levels=1, guide=None,
             exemplar_guide=None, guide_weight=DEFAULT_GUIDE_WEIGHT):
    exemplar = np.ascontiguousarray(exemplar, np.float32)
    if exemplar.ndim != 3:
        raise ValueError(f"exemplar must be (h, w, C), got shape {exemplar.shape}")
    if patch is None:
        patch, automatic_overlap = automatic_patch(exemplar)
        overlap = automatic_overlap if overlap is None else overlap
    if height < 1 or width < 1:
        raise ValueError(f"output size must be positive, got {height}x{width}")
    if patch < 1:
        raise ValueError(f"patch must be at least 1, got {patch}")
    overlap = patch // 4 if overlap is None else overlap
    if not 0 <= overlap <= patch // 2:
        raise ValueError(f"overlap must be 0 to half the patch ({patch // 2}), got {overlap}")
    ph = _axis_patch(height, patch, overlap, tileable)[0]
    pw = _axis_patch(width, patch, overlap, tileable)[0]
    h, w = exemplar.shape[:2]
    if h < ph or w < pw:
        raise ExemplarTooSmall(f"the exemplar ({w}x{h}) is smaller than the patch ({pw}x{ph})")
    if levels < 1:
        raise ValueError(f"levels must be at least 1, got {levels}")
    if guide_weight < 0:
        raise ValueError(f"guide_weight must be at least 0, got {guide_weight}")
    guides = None
    if guide is not None and guide_weight > 0:
        guides = _guides(exemplar, height, width, guide, exemplar_guide)
    rng = np.random.Generator(np.random.PCG64(seed))
    coarse = None
    if levels > 1:
        if h // 2 < _axis_patch(-(-height // 2), patch, overlap, tileable)[0] or \
                w // 2 < _axis_patch(-(-width // 2), patch, overlap, tileable)[0]:
            raise ExemplarTooSmall(f"the exemplar ({w}x{h}) halved for level {levels} of "
                                   f"{levels} levels is smaller than the patch ({patch})")
        coarse_guides = {}
        if guides is not None:  # the target padded by wrapping to even sides, then halved
            padded = np.pad(guides[1], ((0, height % 2), (0, width % 2)), mode="wrap")
            coarse_guides = {"guide": _halve(padded), "exemplar_guide": _halve(guides[0]),
                             "guide_weight": guide_weight}
        coarse_rows, coarse_cols = _indices(
            _halve(exemplar), -(-height // 2), -(-width // 2), patch=patch, overlap=overlap,
            seed=int(rng.integers(2 ** 63)), tileable=tileable, tolerance=tolerance,
            candidates=candidates, levels=levels - 1, **coarse_guides)
        y, x = np.mgrid[0:height, 0:width]
        coarse = (np.minimum(2 * coarse_rows[y // 2, x // 2] + y % 2, h - 1),
                  np.minimum(2 * coarse_cols[y // 2, x // 2] + x % 2, w - 1))
    rows, cols = _quilt(exemplar, height, width, patch, overlap, tileable, tolerance,
                        candidates, rng, coarse, guides, guide_weight)
    return _refine(exemplar, rows, cols, patch, tileable, refine, rng, guides, guide_weight)


# --------------------------------------------------------------------------------- node

def read_texture_exemplar(path: Path | None, *, node_id: str, param: str,
                          resources=None) -> np.ndarray:
    """The image at ``path`` as float32 (h, w, C), C in {1, 3, 4}, channels kept (gray with
    alpha becomes gray). Read through ``resources`` (a ``texgen.resources.ResourceCache``)
    when given. Raises ``ValueError`` naming the node, the parameter and the file when it is
    unset, missing or unreadable."""
    image = read_exemplar_image(path, node_id=node_id, param=param, resources=resources)
    if image.shape[2] == 2:
        image = image[..., :1]
    return np.ascontiguousarray(image, np.float32)


def read_exemplar_guide(path: Path, exemplar_shape: tuple[int, ...], *, node_id: str,
                        resources=None) -> np.ndarray:
    """The ``exemplar_guide`` file at ``path`` as float32 (h, w): gray as is, color as its
    Rec. 709 luma, alpha ignored. Raises ``ValueError`` naming the node, the parameter and
    the file when it is missing, unreadable or not the exemplar's (h, w, ...) size."""
    image = read_exemplar_image(path, node_id=node_id, param="exemplar_guide",
                                resources=resources)
    if image.shape[:2] != tuple(exemplar_shape[:2]):
        raise param_error(node_id, "exemplar_guide", f"{path}: {image.shape[1]}x"
                          f"{image.shape[0]} pixels, but it must be aligned with the exemplar "
                          f"({exemplar_shape[1]}x{exemplar_shape[0]})")
    gray = image[..., 0] if image.shape[2] < 3 else image[..., :3] @ LUMA.astype(np.float32)
    return np.ascontiguousarray(gray, np.float32)


def markov(ctx: NodeContext, *, guide: np.ndarray | None = None, exemplar: Path, patch: int,
           overlap: int, tolerance: float, refine: int, levels: int,
           exemplar_guide: Path | None = None,
           guide_weight: float = DEFAULT_GUIDE_WEIGHT) -> dict[str, np.ndarray]:
    """The ``stats.markov`` node.

    Args:
        ctx: node context; ``seed`` drives the synthesis, ``tileable`` the torus.
        guide: optional gray (H, W, 1) target guide (``synthesize_uv``'s ``guide``).
        exemplar: image file (gray, color or rgba: the output has its channels).
        patch, tolerance, refine, levels, guide_weight: as ``synthesize_uv``; patch 0
            picks ``automatic_patch``, overlap 0 its overlap (or patch // 4).
        exemplar_guide: optional gray image file aligned with the exemplar (color files
            count by their luma); unset: the exemplar's blurred luma. Read only when a
            guide is connected and ``guide_weight`` > 0.

    Returns:
        {"out": float32 (H, W, C) exact copies of exemplar pixels, "uv": float32 (H, W, 3)}.

    Raises:
        ValueError: naming the node and the parameter when the exemplar is unset, unreadable
            or smaller than the patch (at any level), the overlap above half the patch, or
            the exemplar guide unreadable or not the exemplar's size.
    """
    for name, problem in _check_markov({"patch": patch, "overlap": overlap}):
        raise param_error(ctx.node_id, name, problem)
    image = read_texture_exemplar(exemplar, node_id=ctx.node_id, param="exemplar",
                                  resources=ctx.resources)
    guided = guide is not None and guide_weight > 0
    source_guide = None
    if guided and exemplar_guide is not None:
        source_guide = read_exemplar_guide(exemplar_guide, image.shape, node_id=ctx.node_id,
                                           resources=ctx.resources)
    try:
        out, uv = synthesize(image, ctx.height, ctx.width, patch=patch or None,
                             overlap=overlap or None, seed=ctx.seed, tileable=ctx.tileable,
                             tolerance=tolerance, refine=refine, levels=levels,
                             guide=guide if guided else None, exemplar_guide=source_guide,
                             guide_weight=guide_weight)
    except ExemplarTooSmall as exc:
        raise param_error(ctx.node_id, "exemplar", f"{exemplar}: {exc}; use a larger "
                          f"exemplar, a smaller 'patch' or fewer 'levels'") from None
    return {"out": out, "uv": uv}
