"""``stats.gmm``: texture synthesis by conditional sampling of a GMM patch model.

Blocks. The output is cut into blocks of ``step = patch - overlap`` pixels. Block (i, j) is
drawn as the bottom-right ``step x step`` part of a ``patch x patch`` window whose top
``overlap`` rows and left ``overlap`` columns are already drawn: the mixture is conditioned
on those pixels (``mixture.condition``) and the new pixels are sampled from it; window
pixels not drawn yet are marginalised out. The known pixels are treated as slightly noisy
(``tolerance``), because exact conditioning extrapolates the rare overlaps that no
component explains well into extreme values, which then spread along the scan. The
component is chosen with more noise assumed (``weight_tolerance``) than the new pixels are
drawn with: a lenient choice keeps a few odd overlap pixels from switching the pattern, a
close draw keeps the joint with the overlap invisible. The conditioning factors depend only
on which window pixels are known and new, so they are computed once per such mask (a few
dozen per image) and kept in the ``PreparedModel``.

The scan. Block (i, j) needs blocks (i-1, j-1), (i-1, j) and (i, j-1) only, so the scan
runs over anti-diagonals and draws every block of one at once. ``scan_plan`` lays out the
blocks and the order they are drawn in; ``_Canvas`` draws them.

The torus (``tileable``). The scan must meet its own beginning twice, and a block that
closes a loop sees only a pixel or two of each side, two parts of the texture drawn apart.
Both meetings are arranged so that what a closing block joins has a common recent past:

- *Staggered rows.* Along a block row, the last block (a narrower *closing block*,
  conditioned on both sides) closes against the row's first. Each block row starts one
  step right of the row above, so the closing blocks lie on a diagonal instead of one
  column: both sides of a closing block continue the same row above it, and a joint it
  draws is continued downwards by ordinary blocks instead of by the next closing block.
  Block (i, j) then waits for the row above up to its block j + 1: the wavefront is
  2 i + j. The sampler's steps between columns follow a pattern of the block width, so a
  border at the same place of every row's blocks would carry that place's step instead of
  the mean: every ``_SLIP_EVERY``-th block row advances one column less, and the
  left/right border crosses each place of the blocks in turn. A slipped row joins a row
  above whose blocks it does not line up with, which costs quality, hence not every row;
  and only the finest level slips, since a coarser level's border reaches the output only
  through the parents.
- *The closing strip.* The last rows must close against row 0. Instead of one row of
  closing blocks, which would break every structure crossing it along one row, a strip
  of ``strip_blocks`` block rows above the last block row is drawn after the scan, band
  by band of block columns around the torus: in each band one front comes down from the
  rows above the strip and one comes up from the last block row, and they meet in a
  closing block whose height moves one block per band (a triangle wave), so the places
  where the fronts disagree are spread over the strip's height. Each band continues the
  band to its left, so a break would carry on along the strip: each band is drawn
  ``candidates`` times and the draw whose meeting block joins its fronts with the least
  step energy is kept, as image quilting keeps the best-fitting of several patches. A
  taller strip spreads the breaks thinner, but the strip's own loop (its last band
  closing on its first, down its whole height) is a longer left/right seam.
- *Warm-up.* The scan starts at the strip's top row: it draws the strip's rows and the
  last block row first, then row 0 onwards. The strip redraws its rows; the last block
  row is kept. Row 0 thus continues rows drawn before it, as every later row does, and
  the top/bottom border is an ordinary join of the scan, not the join to the first
  blocks of a front. A coarser level of a multi-scale model keeps no row: its strip runs
  to the bottom and its upward front starts from row 0 across the wrap.

Which way the scan runs matters. The staggered rows join structure that crosses the block
rows (a closing block sees it coming down from the row above on both sides) but not
structure that runs along them, which would have to close on itself along the diagonal;
the strip's fronts are the other way round, and join such structure less well. So the scan
runs in the transposed frame (model transposed, output transposed back) when the model's
pixels correlate further horizontally than vertically: block rows then cross the long
structure. The orientation depends on the model only (``PreparedModel``).

Without ``tileable`` the scan stops at the edges: no stagger, no strip, no warm-up.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from texgen.nodes import NodeContext, param_error
from texgen_stats._common import single_threaded_blas
from texgen_stats.mixture import Conditional, condition
from texgen_stats.model import ModelFileError, PatchModel, load_model
from texgen_stats.scales import coarse_size, parent_offsets, upsample

#: Block rows in the closing strip by default (fewer on short canvases).
STRIP_BLOCKS = 16
#: Draws of each band of the closing strip by default, the smoothest meeting kept.
CANDIDATES = 4
#: Every this many block rows, the staggered rows advance one column less than a step.
_SLIP_EVERY = 4


@dataclass(frozen=True, eq=False)
class LevelFactors:
    """What the sampler needs of one level of a model, in one scan frame: the level's
    ``model`` (transposed in the transposed frame), each component's brightness ``rank``
    (K,) in [0, 1] among the components (0 darkest; for the guide), the ``coarser`` level's
    factors, and ``conditionals``: the mixture conditioned on each window mask, keyed by
    (tolerance, weight tolerance, packed known and new masks), filled in as renders need
    them: a few dozen entries of about K x D x D floats for each pair of tolerances
    rendered. Every entry is a function of its key, so the record can be shared by any
    number of renders."""

    model: PatchModel
    rank: np.ndarray
    coarser: LevelFactors | None
    conditionals: dict[tuple[float, float | None, bytes], Conditional] = field(
        default_factory=dict, repr=False)

    @classmethod
    def of(cls, model: PatchModel) -> LevelFactors:
        brightness = model.mixture.means[:, :model.patch_dims].mean(axis=1)
        rank = np.argsort(np.argsort(brightness)) / max(1, len(brightness) - 1)
        return cls(model, rank, None if model.coarser is None else cls.of(model.coarser))


@dataclass(frozen=True, eq=False)
class PreparedModel:
    """A model's per-model factors for ``synthesize``, from ``prepare``: whether the
    tileable scan runs in the transposed frame (``runs_horizontally``), and the
    ``LevelFactors`` of the ``upright`` frame and, when it runs horizontally, of the
    ``transposed`` one. It depends on the model only: cache it per model file."""

    runs_horizontally: bool
    upright: LevelFactors
    transposed: LevelFactors | None


def prepare(model: PatchModel) -> PreparedModel:
    """The per-model work of ``synthesize``, done once: the scan's orientation, the
    transposed model when the scan turns, and the components' brightness ranks; the
    conditioning factors are then added as renders need them."""
    horizontal = _runs_horizontally(model)
    return PreparedModel(horizontal, LevelFactors.of(model),
                         LevelFactors.of(model.transposed()) if horizontal else None)


def synthesize(model: PatchModel | PreparedModel, height: int, width: int, *, overlap: int,
               tolerance: float, weight_tolerance: float | None = None, tileable: bool,
               seed: int, guide: np.ndarray | None = None, guide_strength: float = 0.0,
               strip_blocks: int = STRIP_BLOCKS, candidates: int = CANDIDATES) -> np.ndarray:
    """A (height, width, channels) float32 texture in [0, 1] sampled from ``model``.

    ``model`` is a ``PatchModel`` or, to reuse its factors across renders, its
    ``prepare``-d form (the output is the same). ``overlap`` (1 .. patch_size - 1) is how
    many rows / columns of each window are conditioned on; ``tolerance`` and
    ``weight_tolerance`` (None: ``tolerance``) are the ``noise`` and ``weight_noise`` of
    ``mixture.condition``. ``guide`` (height, width, 1), optional, with ``guide_strength``
    >= 0 biases each block's component towards those whose mean brightness (ranked 0..1
    among the components) matches the guide's mean over the block: log-weight - strength *
    (rank - guide)**2. ``tileable`` scans the torus (module docstring), with a closing
    strip of ``strip_blocks`` block rows (fewer on short canvases; 1: a row of closing
    blocks instead) whose bands are each drawn ``candidates`` times (at least 1). A
    multi-scale model's levels are sampled as in ``synthesize_levels``. Deterministic for
    a given ``seed``: the random numbers are drawn per level and per group of blocks in
    block order, whatever the grouping by mask shape.
    """
    return synthesize_levels(model, height, width, overlap=overlap, tolerance=tolerance,
                             weight_tolerance=weight_tolerance, tileable=tileable, seed=seed,
                             guide=guide, guide_strength=guide_strength,
                             strip_blocks=strip_blocks, candidates=candidates)[0]


def synthesize_levels(model: PatchModel | PreparedModel, height: int, width: int, *,
                      overlap: int, tolerance: float, weight_tolerance: float | None = None,
                      tileable: bool, seed: int, guide: np.ndarray | None = None,
                      guide_strength: float = 0.0, strip_blocks: int = STRIP_BLOCKS,
                      candidates: int = CANDIDATES) -> list[np.ndarray]:
    """``synthesize``'s texture at every level of the model, finest (the output) first.

    A multi-scale model first samples its ``coarser`` model at (ceil(height / 2),
    ceil(width / 2)) with the same options (the guide subsampled 2x; its random numbers
    from the seed sequence [seed, level]), upsamples that (wrapping around when
    ``tileable``) and samples each block conditioned on its parents there as well as on
    its overlap: each texture here is what the next finer one was conditioned on.
    """
    if strip_blocks < 1 or candidates < 1:
        raise ValueError(f"strip_blocks and candidates must be at least 1, got "
                         f"{strip_blocks} and {candidates}")
    prepared = model if isinstance(model, PreparedModel) else prepare(model)
    transpose = tileable and prepared.runs_horizontally
    factors = prepared.transposed if transpose else prepared.upright
    if transpose:
        height, width = width, height
        guide = None if guide is None else guide.transpose(1, 0, 2)
    with single_threaded_blas():
        levels = _sample(factors, height, width, _Options(
            overlap, tolerance, weight_tolerance, tileable, strip_blocks, candidates),
            seed=seed, guide=guide, guide_strength=guide_strength)
    return [np.ascontiguousarray(out.transpose(1, 0, 2)) for out in levels] if transpose \
        else levels


class _Options(NamedTuple):
    """``synthesize``'s options that every level shares."""

    overlap: int
    tolerance: float
    weight_tolerance: float | None
    tileable: bool
    strip_blocks: int
    candidates: int


def _sample(factors: LevelFactors, height: int, width: int, options: _Options, *, seed: int,
            guide: np.ndarray | None, guide_strength: float, level: int = 0
            ) -> list[np.ndarray]:
    """``synthesize_levels`` in the scan's frame, coarsest level first; ``level`` n > 0
    (counted from the finest) draws its random numbers from the seed sequence [seed, n]."""
    parents, coarse = None, []
    if factors.coarser is not None:
        coarse = _sample(factors.coarser, coarse_size(height), coarse_size(width), options,
                         seed=seed, guide=None if guide is None else guide[::2, ::2],
                         guide_strength=guide_strength, level=level + 1)
        parents = upsample(coarse[0], height, width, periodic=options.tileable)
    bias = None if guide is None or guide_strength == 0 else _GuideBias(
        np.clip(np.asarray(guide[..., 0], np.float64), 0.0, 1.0), factors.rank,
        guide_strength)
    plan = scan_plan(height, width, patch=factors.model.patch_size, overlap=options.overlap,
                     tileable=options.tileable, finest=level == 0,
                     strip_blocks=options.strip_blocks)
    canvas = _Canvas(factors, height, width, options,
                     [int(seed), level] if level else int(seed), bias, parents)
    canvas.scan(plan)
    return [canvas.pixels, *coarse]


class BlockGroup(NamedTuple):
    """Blocks drawn at once, n of them: each one's window pixel ``rows`` and ``cols`` (n,
    patch), which may run past the canvas (wrapped around on the torus, else clamped),
    which window pixels ``exist`` (n, patch, patch: False beyond an untiled edge) and
    which are the block's own, ``new`` (n, patch, patch). The other existing window pixels
    are conditioned on where they are drawn already."""

    rows: np.ndarray
    cols: np.ndarray
    exists: np.ndarray
    new: np.ndarray


class Blocks(NamedTuple):
    """How one axis of ``size`` pixels is cut: per block its first pixel, size and lead
    (window pixels before it), all (n,). Windows wrap around the axis when ``tileable``,
    else stop at its ends: their pixels beyond them do not exist (and their indices run
    past the ends)."""

    starts: np.ndarray
    sizes: np.ndarray
    leads: np.ndarray
    size: int
    tileable: bool

    @property
    def end(self) -> int:
        """The pixel after the last block."""
        return int(self.starts[-1] + self.sizes[-1])

    def windows(self, blocks: np.ndarray, patch: int):
        """For blocks (n,): window pixel indices (n, patch), whether each exists, and
        whether it is one of the block's own pixels."""
        offsets = np.arange(patch) - self.leads[blocks][:, None]
        index = self.starts[blocks][:, None] + offsets
        if self.tileable:
            indices, exists = index % self.size, np.ones(index.shape, bool)
        else:
            indices, exists = index, (index >= 0) & (index < self.size)
        return indices, exists, (offsets >= 0) & (offsets < self.sizes[blocks][:, None])


class ScanPlan(NamedTuple):
    """Where and in which order the sampler draws the blocks of a ``height`` x ``width``
    canvas (in the scan's frame), from ``scan_plan``.

    - ``rows``, ``cols``: the block rows and columns (``Blocks``). Block row i covers the
      canvas rows ``rows.starts[i] - warm_up`` on (modulo height), and its block j the
      columns ``cols.starts[j] + shifts[i]`` on (modulo width).
    - ``shifts`` (block rows,): how far each block row is shifted right (the stagger on
      the torus; zeros otherwise). On the torus the last block of a row (narrower, led
      by pixels on both sides) closes the row against its first.
    - ``pace``: block (i, j) is drawn with the anti-diagonal ``pace * i + j`` (2 with
      staggered rows, else 1); ``scan_groups`` yields the diagonals in order.
    - ``warm_up``: rows the scan draws before row 0, from the top of the closing strip
      down to the bottom of the canvas (0 without a strip).
    - ``strip``: the closing strip's rows (its first band's layout), None without one.
      Its rows, ``strip.starts[0]`` to ``strip.end``, are drawn again after the scan,
      band by band: band j is the columns of block column j, laid out by ``band(j)``
      and drawn by ``band_groups(j)``, each band ``candidates`` times (``synthesize``).
    - ``meetings`` (block columns,): per band, the index of its meeting block, where the
      front down from the rows above the strip meets the one up from the rows below.
    - ``height``, ``width``, ``patch``, ``overlap``, ``keep_last_row`` (``finest``) and
      ``strip_blocks``: the arguments of ``scan_plan``.
    """

    height: int
    width: int
    patch: int
    overlap: int
    rows: Blocks
    cols: Blocks
    shifts: np.ndarray
    pace: int
    warm_up: int
    strip: Blocks | None
    meetings: np.ndarray
    keep_last_row: bool
    strip_blocks: int

    def scan_groups(self) -> Iterator[BlockGroup]:
        """The scan's blocks, one group per anti-diagonal, in drawing order."""
        n_rows, n_cols = len(self.rows.starts), len(self.cols.starts)
        for diagonal in range(self.pace * (n_rows - 1) + n_cols):
            i = np.arange(max(0, -(-(diagonal - n_cols + 1) // self.pace)),
                          min(n_rows, diagonal // self.pace + 1))
            j = diagonal - self.pace * i
            row_index, row_ok, row_new = self.rows.windows(i, self.patch)
            col_index, col_ok, col_new = self.cols.windows(j, self.patch)
            yield BlockGroup(row_index - self.warm_up, col_index + self.shifts[i][:, None],
                             row_ok[:, :, None] & col_ok[:, None, :],
                             row_new[:, :, None] & col_new[:, None, :])

    def band(self, band: int) -> Blocks:
        """The rows of the closing strip in ``band``: ``meetings[band]`` blocks led by
        ``overlap`` rows above (the front coming down), the meeting block (a closing
        block: led above, its window reaching below), then blocks led by none, each
        conditioned on the ``overlap`` rows below it (the front coming up)."""
        return _strip_layout(self.height, self.patch, self.overlap, int(self.meetings[band]),
                             self.keep_last_row, self.strip_blocks)

    def band_groups(self, band: int) -> list[BlockGroup]:
        """One draw of ``band``, in order: the two fronts a block each, side by side, from
        the strip's ends towards the meeting block, then the meeting block."""
        strip, meeting = self.band(band), int(self.meetings[band])
        col_index, _, col_new = self.cols.windows(np.array([band]), self.patch)
        down, up = list(range(meeting)), list(range(len(strip.starts) - 1, meeting, -1))
        order = [down[k:k + 1] + up[k:k + 1] for k in range(max(len(down), len(up)))]
        groups = []
        for blocks in [*order, [meeting]]:
            row_index, row_ok, row_new = strip.windows(np.array(blocks), self.patch)
            groups.append(BlockGroup(row_index, np.repeat(col_index, len(blocks), axis=0),
                                     row_ok[:, :, None] & np.ones(col_new.shape[1], bool),
                                     row_new[:, :, None] & col_new[:, None, :]))
        return groups


def scan_plan(height: int, width: int, *, patch: int, overlap: int, tileable: bool,
              finest: bool = True, strip_blocks: int = STRIP_BLOCKS) -> ScanPlan:
    """The ``ScanPlan`` of a ``height`` x ``width`` canvas in the scan's frame, for
    ``patch`` x ``patch`` windows of which ``overlap`` rows and columns lead each block.

    Untiled: plain block rows and columns, no stagger, no strip. On the torus: block rows
    staggered by a step each (every ``_SLIP_EVERY``-th one column less when ``finest``
    and the step is over a pixel), and, where the canvas is tall enough for two strip
    blocks below a patch of rows, a closing strip of up to ``strip_blocks`` block rows
    above the last block row (down to the bottom when not ``finest``: a coarser level
    keeps no row) with the warm-up; where it is not, the block rows close like the
    columns, with a row of closing blocks.
    """
    strip = _strip_layout(height, patch, overlap, 0, finest, strip_blocks) if tileable \
        else None
    warm_up = height - strip.starts[0] if strip is not None else 0
    rows = _blocks(height, patch, overlap, tileable and strip is None)
    cols = _blocks(width, patch, overlap, tileable)
    staggered = tileable and cols.leads[-1] < cols.leads[0]
    # A 1-pixel step has no column pattern to cross, and slipping would stack two rows'
    # closings in one column.
    step, block_row = patch - overlap, np.arange(len(rows.starts))
    slips = block_row // _SLIP_EVERY if finest and step > 1 else 0
    shifts = (block_row * step - slips) * staggered % width
    count = len(strip.starts) if strip is not None else 0
    bands = np.arange(len(cols.starts) if strip is not None else 0)
    meetings = abs((bands + count // 2) % (2 * count - 2) - (count - 1)) if count > 1 else \
        np.zeros(len(bands), int)
    return ScanPlan(height, width, patch, overlap, rows, cols, shifts, 2 if staggered else 1,
                    warm_up, strip, meetings, finest, strip_blocks)


class _Canvas:
    """The texture being drawn: pixels, which of them are drawn, and the block sampler;
    ``parents`` (H, W, C), for a multi-scale model, the upsampled coarser level."""

    def __init__(self, factors: LevelFactors, height: int, width: int, options: _Options,
                 seed: int | list[int], bias: _GuideBias | None,
                 parents: np.ndarray | None = None):
        self.factors, self.model, self.options = factors, factors.model, options
        self.bias, self.parents = bias, parents
        self.pixels = np.zeros((height, width, self.model.channels), np.float32)
        self.drawn = np.zeros((height, width), bool)
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def scan(self, plan: ScanPlan) -> None:
        """Draw every pixel: the scan, then the closing strip, if any."""
        for group in plan.scan_groups():
            self.draw(group)
        if plan.strip is not None:
            self.drawn[plan.strip.starts[0]:plan.strip.end] = False
            self.close(plan)

    def close(self, plan: ScanPlan) -> None:
        """Draw the closing strip band by band, each band ``candidates`` times, keeping
        the draw whose meeting block joins its fronts with the least step energy."""
        height = self.drawn.shape[0]
        for j in range(len(plan.cols.starts)):
            strip, meeting = plan.band(j), int(plan.meetings[j])
            col_index, _, col_new = plan.cols.windows(np.array([j]), plan.patch)
            columns = col_index[0][col_new[0]]
            band = np.ix_(np.arange(strip.starts[0], strip.end), columns)
            # The boundaries the meeting block touches: from the row above it to the row
            # below it (row 0 across the wrap when it ends the strip).
            top = strip.starts[meeting]
            joins = np.ix_(np.arange(top - 1, top + strip.sizes[meeting] + 1) % height,
                           columns)
            groups = plan.band_groups(j)
            best_energy, best = np.inf, None
            for _ in range(self.options.candidates):
                self.drawn[band] = False
                for group in groups:
                    self.draw(group)
                edge = self.pixels[joins]
                energy = float(np.square(np.diff(edge, axis=0)).sum())
                if energy < best_energy:
                    best_energy, best = energy, self.pixels[band].copy()
            self.pixels[band] = best

    def draw(self, group: BlockGroup) -> None:
        """Sample a group of blocks at once (``BlockGroup``). Rows and columns past the
        canvas's edges wrap around a torus, else are clamped: only the parents are read
        there."""
        height, width = self.drawn.shape
        patch, channels = self.model.patch_size, self.model.channels
        rows, cols, exists, new = group
        if self.options.tileable:
            rows, cols = rows % height, cols % width
        else:
            rows, cols = np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)
        count = len(rows)
        known = exists & self.drawn[rows[:, :, None], cols[:, None, :]] & ~new
        uniforms = self.rng.random(count)
        normals = self.rng.standard_normal((count, int(new.sum(axis=(1, 2)).max()) * channels))
        masks = np.packbits(np.concatenate([known.reshape(count, -1), new.reshape(count, -1)],
                                           axis=1), axis=1)
        groups: dict[bytes, list[int]] = {}  # blocks by mask shape
        for index, key in enumerate(map(bytes, masks)):
            groups.setdefault(key, []).append(index)
        # A multi-scale model's parent dimensions follow the patch's, and are always known.
        parent_dims = np.arange(self.model.patch_dims, self.model.mixture.dim)
        at = parent_offsets(patch)
        tolerance, weight_tolerance = self.options.tolerance, self.options.weight_tolerance
        for key, members in groups.items():
            members = np.array(members)
            known_px, new_px = known[members[0]], new[members[0]]
            known_dims = _dims(known_px, channels)
            cache_key = (tolerance, weight_tolerance, key)
            conditional = self.factors.conditionals.get(cache_key)
            if conditional is None:
                conditional = self.factors.conditionals.setdefault(cache_key, condition(
                    self.model.mixture, np.concatenate([known_dims, parent_dims]),
                    _dims(new_px, channels), noise=tolerance, weight_noise=weight_tolerance))
            r, c = rows[members], cols[members]
            windows = self.pixels[r[:, :, None], c[:, None, :]].reshape(len(members), -1)
            observed = windows[:, known_dims]
            if self.parents is not None:  # past an untiled edge: clamped, as in the fit
                observed = np.concatenate([observed, self.parents[
                    r[:, at, None], c[:, None, at]].reshape(len(members), -1)], axis=1)
            py, px = np.nonzero(new_px)
            values = conditional.sample(
                observed, uniforms[members],
                normals[members, :conditional.new.size],
                bias=None if self.bias is None else self.bias.over(r[:, py], c[:, px]))
            self.pixels[r[:, py], c[:, px]] = np.clip(values, 0.0, 1.0).reshape(
                len(members), py.size, channels)
            self.drawn[r[:, py], c[:, px]] = True


class _GuideBias(NamedTuple):
    """A guide's preference: ``guide`` float64 (H, W) clipped to [0, 1], each component's
    brightness ``rank`` (K,) in [0, 1] (0 darkest), and the ``strength``."""

    guide: np.ndarray
    rank: np.ndarray
    strength: float

    def over(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """float64 (n, K): the log-weight bias of n blocks whose pixels are at (rows, cols),
        both (n, pixels): -strength * (rank - the guide's mean over the block)**2."""
        means = self.guide[rows, cols].mean(axis=1)
        return -self.strength * (self.rank - means[:, None]) ** 2


def _runs_horizontally(model: PatchModel) -> bool:
    """Whether the model's pixels correlate further across its patches than down them: the
    mixture's covariance of pixel pairs 1 .. patch - 1 apart, summed over the distances,
    horizontally against vertically (channels pooled)."""
    patch, channels, dims = model.patch_size, model.channels, model.patch_dims
    cov = model.mixture.covariance()[:dims, :dims].reshape(
        patch, patch, channels, patch, patch, channels)
    pairs = np.einsum("rqcspc->rqsp", cov)  # (row, col) x (row, col), channel traces
    vertical = sum(np.trace(pairs[:-d, :, d:, :], axis1=1, axis2=3).trace()
                   for d in range(1, patch))
    horizontal = sum(np.trace(pairs[:, :-d, :, d:], axis1=0, axis2=2).trace()
                     for d in range(1, patch))
    return bool(horizontal > vertical)


def _closing(patch: int, overlap: int) -> tuple[int, int]:
    """Size and lead of a closing block: its window has ``lead`` pixels on each side, so it
    is conditioned on both neighbours. ``lead`` is about a third of the patch (at most
    ``overlap``), so the block is a few pixels wide (3 for patches of 5 and 7): wide enough
    to blend two sides that disagree over several pixels, not one."""
    lead = min(overlap, max(1, (patch - 1) // 3))
    return patch - 2 * lead, lead


def _blocks(size: int, patch: int, overlap: int, tileable: bool) -> Blocks:
    """Cut an axis of ``size`` pixels into blocks of ``patch - overlap`` pixels, each led by
    ``overlap`` conditioning pixels (the last block maybe shorter). On the torus (when
    ``size`` exceeds the patch) a closing block (``_closing``) ends the loop, its window
    reaching into the first block."""
    step = patch - overlap
    closing, lead = _closing(patch, overlap) if tileable and size > patch else (0, 0)
    starts = np.array([*range(0, size - closing, step), *([size - closing] if closing else [])])
    leads = np.full(len(starts), overlap)
    if closing:
        leads[-1] = lead
    sizes = np.diff(np.append(starts, size))
    return Blocks(starts, sizes, leads, size, tileable)


def _strip_layout(height: int, patch: int, overlap: int, meeting: int,
                  keep_last_row: bool, strip_blocks: int) -> Blocks | None:
    """The rows of one band of the closing strip of a torus of ``height`` rows
    (``ScanPlan.band``), ending one block row (``patch - overlap`` rows, the scan's last,
    kept) above the bottom, or at the bottom without ``keep_last_row``. ``strip_blocks``
    blocks in all, fewer where the rows above the strip would be less than a patch; None
    where not even two fit."""
    step = patch - overlap
    closing, lead = _closing(patch, overlap)
    end = height - step * keep_last_row
    count = min(strip_blocks, (end - patch - closing) // step + 1)
    if count < 2:
        return None
    meeting = min(meeting, count - 1)
    top = end - (count - 1) * step - closing
    sizes = np.array([step] * meeting + [closing] + [step] * (count - 1 - meeting))
    starts = top + np.concatenate([[0], np.cumsum(sizes[:-1])])
    leads = np.array([overlap] * meeting + [lead] + [0] * (count - 1 - meeting))
    return Blocks(starts, sizes, leads, height, True)


def _dims(pixels: np.ndarray, channels: int) -> np.ndarray:
    """Indices into a flattened (patch, patch, channels) window of the pixels set in a
    (patch, patch) mask, channel by channel."""
    return np.flatnonzero(np.repeat(pixels.ravel(), channels))


def gmm(ctx: NodeContext, *, guide: np.ndarray | None = None, model: Path, overlap: int = 0,
        tolerance: float = 0.0001, weight_tolerance: float = 0.003,
        guide_strength: float = 20.0) -> np.ndarray:
    """The ``stats.gmm`` node: a texture sampled from a GMM patch model file.

    Args:
        ctx: node context; ``seed`` drives the sampling, ``tileable``
            scans the torus so that the output tiles (``synthesize``).
        guide: optional gray (H, W, 1): where it is dark, components with dark patches are
            preferred; where bright, bright ones.
        model: the .npz file written by ``texgen train gmm``.
        overlap: rows / columns each window shares with the blocks above and to the left,
            1 .. patch size - 1; 0 picks (patch size - 1) // 2. Default 0.
        tolerance: variance (pixel values in [0, 1]) added to the overlap's pixels when
            conditioning on them to draw the new pixels; 0 is exact conditioning.
            Default 0.0001.
        weight_tolerance: the same variance when choosing which mixture component
            continues the overlap (its likelihood of the overlap). Default 0.003.
        guide_strength: how strongly the guide steers the components (0: not at all).
            Default 20.0.

    Returns:
        float32 (H, W, 3) color in [0, 1], C-contiguous.

    Raises:
        ValueError: naming the node and the parameter when the model is unset, unreadable,
            corrupt or not color, or ``overlap`` does not fit its patch size.
    """
    if model is None:
        raise param_error(ctx.node_id, "model", "no file given: set it to a model trained "
                          "with 'texgen train gmm' (relative to the preset's folder)")
    try:  # loaded and prepared once per model file content, in the engine's resources
        prepared = ctx.resources.get("stats.gmm", model, lambda path: prepare(load_model(path)))
    except OSError as exc:
        raise param_error(ctx.node_id, "model", f"{model}: cannot read model: "
                          f"{exc.strerror or exc}") from None
    except ModelFileError as exc:
        raise param_error(ctx.node_id, "model", str(exc)) from None
    patch_model = prepared.upright.model
    if patch_model.channels != 3:
        raise param_error(ctx.node_id, "model", f"{model}: a {patch_model.channels}-channel "
                          f"model; stats.gmm needs a color (3-channel) one")
    overlap = overlap or (patch_model.patch_size - 1) // 2
    patch = patch_model.patch_size
    if not 1 <= overlap < patch:
        raise param_error(ctx.node_id, "overlap", f"must be 0 (automatic) or 1..{patch - 1} "
                          f"for this model's {patch}x{patch} patches, got {overlap}")
    return synthesize(prepared, ctx.height, ctx.width, overlap=overlap,
                      tolerance=tolerance, weight_tolerance=weight_tolerance,
                      tileable=ctx.tileable, seed=ctx.seed, guide=guide,
                      guide_strength=guide_strength)
