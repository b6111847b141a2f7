"""``stats.gmm``: texture synthesis by conditional sampling of a GMM patch model.

The output is cut into blocks of ``step = patch - overlap`` pixels. Block (i, j) is drawn as
the bottom-right ``step x step`` part of a ``patch x patch`` window whose top ``overlap``
rows and left ``overlap`` columns are already generated: the mixture is conditioned on
those pixels (``mixture.condition``) and the new pixels are sampled from it. Window pixels
not generated yet are marginalised out (their dimensions dropped). The known pixels are
treated as slightly noisy (``tolerance``): exact conditioning extrapolates the rare
overlaps that no component explains well into extreme values, which then spread along the
scan. The component that continues a block is chosen with more noise assumed
(``weight_tolerance``) than its new pixels are then drawn with: a lenient choice keeps a
block from switching to a component that fits its overlap's few odd pixels exactly, and a
close draw keeps the joint with the overlap invisible. Which window pixels are known is
read off a mask of the pixels drawn so far; the conditioning factors depend only on which
are known and new, so they are computed once per such mask shape (a few dozen per image)
and reused.

Block (i, j) needs blocks (i-1, j-1), (i-1, j) and (i, j-1) only, so the scan runs over
anti-diagonals and draws every block of one at once.

On the torus (``tileable``) the scan must meet its own beginning twice, and a closing
block there sees only a pixel or two of each side, two parts of the texture drawn
independently. Both meetings are arranged so that what the closing blocks join has a
common recent past:

- Along a block row, the last block closes against the row's first one. The first
  column of every block row is one step to the right of the row above's (the rows are
  *staggered*), so the closing blocks lie on a diagonal instead of one column: both sides
  of a closing block continue the same row above it, and a joint it inserts is continued
  down by ordinary blocks instead of by the next closing block. (Closing every row in one
  column put a vertical joint there in most rows of brick: seam score 3.1.) A step in
  every row would put the left/right border at the same place of every row's blocks (on
  a 512-wide torus between a block's second and third new columns, the sampler's
  smoothest step), so every ``_SLIP_EVERY``-th row advances one column less: the border
  then crosses each place in turn. (Only on the finest level: a coarser level's border
  reaches the output only through the parents, and slipping its rows cost patch-SWD.)
- The last rows must close against row 0, drawn at the start of the scan. Instead of one
  row of closing blocks, a *closing strip* of ``_STRIP_BLOCKS`` block rows is drawn after
  the scan, above the last block row, column band by column band around the torus: in
  each band one front comes down from the rows above the strip and one comes up from the
  last block row, and they meet in a closing block whose height moves one block per band
  (a triangle wave), so the breaks where the fronts disagree are spread over the strip's
  height instead of lining up along one row. (One row of closing blocks broke every one
  of brick's joints along the top/bottom border: seam score 7.) A break is continued by
  the next band, which conditions on it, so breaks pile up along the strip; each band is
  therefore drawn ``_CANDIDATES`` times and the draw whose meeting block joins its two
  fronts with the least step energy is kept, as image quilting keeps the best-fitting of
  several patches. And the scan starts at the strip's top row, drawing the strip's rows
  and the last block row to warm up: the strip draws its rows again, the last block row
  is kept. Row 0 then continues rows drawn before it, as every later row does, instead
  of being drawn with nothing above it (on brick the scan's first rows were smoother
  than the rest without this), and the top/bottom border is an ordinary join of the
  scan. (With the strip's front coming up from row 0 across the wrap, the border was
  the join to that front's first blocks, which come out smoother than the scan's:
  0.87-0.95 of a mean step on brick.) A coarser level of a multi-scale model keeps no
  row: its strip runs to the bottom, its front up from row 0 (keeping the coarse level's
  last block row as well put two-level brick's top/bottom border at 1.12 of a mean step
  instead of 1.01; measured, not understood).

Which way the scan runs matters. The staggered rows join structure that crosses them (a
block row's closing sees that structure coming down from the row above on both sides)
but not structure that runs along them, which would have to close on itself along the
diagonal; the strip's fronts are the other way round. The first matters more (measured
on brick, whose joints are vertical: along the rows, the diagonal's steps were 2.8-4.9
times an interior step, against 2.3 at worst inside the strip across them), so the scan
runs in the transposed frame (model transposed, output transposed back) when the model's
pixels correlate further horizontally than vertically (``_runs_horizontally``): block rows
then cross the long structure.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from texgen.nodes import NodeContext, param_error
from texgen_stats._common import single_threaded_blas
from texgen_stats.mixture import Conditional, Mixture, condition
from texgen_stats.model import ModelFileError, PatchModel, load_model
from texgen_stats.scales import PARENT_GRID, coarse_size, parent_offsets, upsample

#: Block rows in the closing strip (fewer on short canvases). A taller strip spreads the
#: same break energy over more rows but makes the strip's own loop, one column of closing
#: blocks down its height, a longer left/right seam. Measured on brick (512², 64 seeds, one
#: draw per band; benchmarks/closing_strip.py, RESULTS.md): 8, 16, 32, 64 blocks: the
#: strip's mean row step 2.07, 1.58, 1.28, 1.12 times the texture's mean, about 26-37 rows'
#: worth of extra step energy each; left/right seam 0.99, 1.04, 1.18, 1.01 (± 0.06-0.09);
#: 512² in 1.0, 1.3, 1.8, 3.0 s. One row of closing blocks put 6.6 on the border itself.
_STRIP_BLOCKS = 16

#: Times each band of the closing strip is drawn, keeping the draw whose meeting block joins
#: its two fronts most smoothly (as image quilting keeps the best-fitting of its candidate
#: patches). The fronts' disagreements otherwise carry on along the strip, band after band.
#: Measured on brick (512², 128 seeds, benchmarks/closing_strip.py; the rows' step energy
#: over the texture's mean one): one draw, strip 1.56 on average, 30 rows' worth of extra
#: step energy in all; 4 draws 1.08, 4 rows' worth (8 draws, in a 64-seed trial: 1.00).
#: Each draw costs the strip's time again: 512² in 1.4 s with one, 3.2 s with four.
_CANDIDATES = 4

#: Every this many block rows, the staggered rows (module docstring) advance one column less
#: than a step, so that the left/right border crosses the blocks' column pattern at each of
#: its places in turn. Measured on brick (512², benchmarks/RESULTS.md): never (a step in
#: every row), left/right seam 0.88 ± 0.02 (512 seeds); every 4th row 1.02 ± 0.02 (1024
#: seeds); every row 1.01 ± 0.02 but patch-SWD 15% worse (64 seeds; every 4th row: within
#: the seeds' scatter), a slipped row being joined to a row above whose blocks it does not
#: line up with. Only the finest level slips: a coarser level's border reaches the output
#: only through the parents, and slipping its rows too made the two-level model's
#: patch-SWD 12% worse (0.0130 against 0.0117, 32 seeds).
_SLIP_EVERY = 4


def synthesize(model: PatchModel, height: int, width: int, *, overlap: int, tolerance: float,
               weight_tolerance: float | None = None, tileable: bool, seed: int,
               guide: np.ndarray | None = None, guide_strength: float = 0.0) -> np.ndarray:
    """A (height, width, channels) float32 texture in [0, 1] sampled from ``model``.

    ``overlap`` (1 .. patch_size - 1) is how many rows / columns of each window are
    conditioned on; ``tolerance`` and ``weight_tolerance`` (None: ``tolerance``) are the
    ``noise`` and ``weight_noise`` of ``mixture.condition``. ``guide``
    (height, width, 1), optional, with ``guide_strength`` >= 0 biases each block's
    component towards those whose mean brightness (ranked 0..1 among the components)
    matches the guide's mean over the block: log-weight - strength * (rank - guide)**2.
    ``tileable`` scans the torus (staggered rows and the closing strip, module docstring).
    A multi-scale model first samples its ``coarser`` model at (ceil(height / 2),
    ceil(width / 2)) with the same options (the guide subsampled 2x), upsamples that
    (wrapping around when ``tileable``) and samples each block conditioned on its parents
    there as well as on its overlap. Deterministic for a given ``seed``: the random
    numbers are drawn per level and per group of blocks in block order, whatever the
    grouping by mask shape.
    """
    transpose = tileable and _runs_horizontally(model)
    if transpose:
        model = _transposed(model)
        height, width = width, height
        guide = None if guide is None else guide.transpose(1, 0, 2)
    with single_threaded_blas():
        out = _sample(model, height, width, overlap=overlap, tolerances=(
            tolerance, weight_tolerance), tileable=tileable, seed=seed, guide=guide,
            guide_strength=guide_strength)
    return np.ascontiguousarray(out.transpose(1, 0, 2)) if transpose else out


def _sample(model: PatchModel, height: int, width: int, *, overlap: int,
            tolerances: tuple[float, float | None], tileable: bool, seed: int,
            guide: np.ndarray | None, guide_strength: float, level: int = 0) -> np.ndarray:
    """``synthesize`` in the scan's frame, coarsest level first; ``level`` n > 0 (counted
    from the finest) draws its random numbers from the seed sequence [seed, n]."""
    parents = None
    if model.coarser is not None:
        coarse = _sample(model.coarser, coarse_size(height), coarse_size(width),
                         overlap=overlap, tolerances=tolerances, tileable=tileable, seed=seed,
                         guide=None if guide is None else guide[::2, ::2],
                         guide_strength=guide_strength, level=level + 1)
        parents = upsample(coarse, height, width, periodic=tileable)
    bias = None if guide is None or guide_strength == 0 else _GuideBias.of(
        model, guide, guide_strength)
    canvas = _Canvas(model, height, width, overlap, *tolerances,
                     [int(seed), level] if level else int(seed), bias, parents)
    canvas.scan(tileable, finest=level == 0)
    return canvas.pixels


class _Canvas:
    """The texture being drawn: pixels, which of them are drawn, and the block sampler;
    ``parents`` (H, W, C), for a multi-scale model, the upsampled coarser level."""

    def __init__(self, model: PatchModel, height: int, width: int, overlap: int,
                 tolerance: float, weight_tolerance: float | None, seed: int | list[int],
                 bias: _GuideBias | None, parents: np.ndarray | None = None):
        self.model, self.overlap, self.bias, self.parents = model, overlap, bias, parents
        self.tolerance, self.weight_tolerance = tolerance, weight_tolerance
        self.pixels = np.zeros((height, width, model.channels), np.float32)
        self.drawn = np.zeros((height, width), bool)
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.torus = False  # set by scan
        self.cache: dict[bytes, Conditional] = {}

    def scan(self, tileable: bool, *, finest: bool = True) -> None:
        """Draw every pixel: the diagonal scan, then (tileable, when the canvas is tall
        enough) the closing strip above the last block row. The torus scan starts at the
        strip's top row: it draws the strip's rows and the last block row first, to warm
        up, and discards the strip's, so that row 0 continues rows drawn before it like
        every later row does. ``finest``: the scan of the finest level (of the output),
        which slips every ``_SLIP_EVERY``-th row and keeps its last block row below the
        strip; a coarser level's does neither, its strip runs to the bottom."""
        height, width = self.drawn.shape
        patch, overlap = self.model.patch_size, self.overlap
        self.torus = tileable
        strip = _strip_layout(height, patch, overlap, 0, finest) if tileable else None
        scanned = strip.starts[0] if strip is not None else height
        warm_up = height - scanned
        rows = _blocks(height, patch, overlap, tileable and strip is None)
        cols = _blocks(width, patch, overlap, tileable)
        # Staggered rows: block row i starts a step right of row i-1 (every _SLIP_EVERY-th
        # row one column less: module docstring), so its block j needs the row above up to
        # that row's block j + 1: the wavefront is 2 i + j.
        staggered = tileable and cols.leads[-1] < cols.leads[0]
        pace = 2 if staggered else 1
        # A 1-pixel step has no column pattern to cross, and slipping would stack two rows'
        # closings in one column.
        step, block_row = patch - overlap, np.arange(len(rows.starts))
        slips = block_row // _SLIP_EVERY if finest and step > 1 else 0
        shifts = (block_row * step - slips) * staggered % width
        n_rows, n_cols = len(rows.starts), len(cols.starts)
        for diagonal in range(pace * (n_rows - 1) + n_cols):
            i = np.arange(max(0, -(-(diagonal - n_cols + 1) // pace)),
                          min(n_rows, diagonal // pace + 1))
            j = diagonal - pace * i
            row_index, row_ok, row_new = rows.windows(i, patch)
            col_index, col_ok, col_new = cols.windows(j, patch)
            self.draw(row_index - warm_up, col_index + shifts[i][:, None],
                      row_ok[:, :, None] & col_ok[:, None, :],
                      row_new[:, :, None] & col_new[:, None, :])
        if strip is not None:
            self.drawn[scanned:strip.end] = False
            self.close(len(strip.starts), cols, keep_last_row=finest)

    def close(self, count: int, cols: _Blocks, *, keep_last_row: bool) -> None:
        """Draw the closing strip of ``count`` block rows above the last block row (at the
        bottom without ``keep_last_row``: ``_strip_layout``), band by band of ``cols``: in
        band j a front of blocks down from the rows above the strip and one up from the
        rows below it, drawn side by side, then their meeting block. Each band is drawn
        ``_CANDIDATES`` times and the one whose meeting block joins its fronts with the
        least step energy is kept."""
        height = self.drawn.shape[0]
        patch, overlap = self.model.patch_size, self.overlap
        for j in range(len(cols.starts)):
            meeting = abs((j + count // 2) % (2 * count - 2) - (count - 1)) if count > 1 else 0
            strip = _strip_layout(height, patch, overlap, meeting, keep_last_row)
            col_index, _, col_new = cols.windows(np.array([j]), patch)
            columns = col_index[0][col_new[0]]
            band = np.ix_(np.arange(strip.starts[0], strip.end), columns)
            # The boundaries the meeting block touches: from the row above it to the row
            # below it (row 0 across the wrap when it ends the strip).
            top = strip.starts[meeting]
            joins = np.ix_(np.arange(top - 1, top + strip.sizes[meeting] + 1) % height,
                           columns)
            down, up = list(range(meeting)), list(range(count - 1, meeting, -1))
            best_energy, best = np.inf, None
            for _ in range(_CANDIDATES):
                self.drawn[band] = False
                for step in range(max(len(down), len(up))):
                    blocks = np.array(down[step:step + 1] + up[step:step + 1])
                    self._draw_in_band(strip, blocks, col_index, col_new)
                self._draw_in_band(strip, np.array([meeting]), col_index, col_new)
                edge = self.pixels[joins]
                energy = float(np.square(np.diff(edge, axis=0)).sum())
                if energy < best_energy:
                    best_energy, best = energy, self.pixels[band].copy()
            self.pixels[band] = best

    def _draw_in_band(self, strip: _Blocks, blocks: np.ndarray, col_index: np.ndarray,
                      col_new: np.ndarray) -> None:
        row_index, row_ok, row_new = strip.windows(blocks, self.model.patch_size)
        self.draw(row_index, np.repeat(col_index, len(blocks), axis=0),
                  row_ok[:, :, None] & np.ones(col_new.shape[1], bool),
                  row_new[:, :, None] & col_new[:, None, :])

    def draw(self, rows: np.ndarray, cols: np.ndarray, exists: np.ndarray,
             new: np.ndarray) -> None:
        """Sample n blocks at once: window pixel rows and columns (n, patch), which window
        pixels exist (n, patch, patch: False beyond an untiled edge) and which are the
        block's own (n, patch, patch). Rows and columns past the canvas's edges wrap
        around a torus, else are clamped: only the parents are read there."""
        height, width = self.drawn.shape
        patch, channels = self.model.patch_size, self.model.channels
        if self.torus:
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
        for key, members in groups.items():
            members = np.array(members)
            known_px, new_px = known[members[0]], new[members[0]]
            known_dims = _dims(known_px, channels)
            if key not in self.cache:
                self.cache[key] = condition(
                    self.model.mixture, np.concatenate([known_dims, parent_dims]),
                    _dims(new_px, channels), noise=self.tolerance,
                    weight_noise=self.weight_tolerance)
            conditional = self.cache[key]
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

    @classmethod
    def of(cls, model: PatchModel, guide: np.ndarray, strength: float) -> _GuideBias:
        brightness = model.mixture.means[:, :model.patch_dims].mean(axis=1)
        rank = np.argsort(np.argsort(brightness)) / max(1, len(brightness) - 1)
        return cls(np.clip(np.asarray(guide[..., 0], np.float64), 0.0, 1.0), rank, strength)

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


def _transposed(model: PatchModel) -> PatchModel:
    """The model of the transposed patches (rows and columns swapped), at every level."""
    def swapped(side: int, start: int) -> np.ndarray:
        grid = np.arange(side * side * model.channels).reshape(side, side, model.channels)
        return start + grid.transpose(1, 0, 2).ravel()

    order = swapped(model.patch_size, 0)
    if model.coarser is not None:
        order = np.concatenate([order, swapped(PARENT_GRID, model.patch_dims)])
    mixture = model.mixture
    return PatchModel(Mixture(mixture.weights, mixture.means[:, order],
                              mixture.covariances[:, order][:, :, order]),
                      model.patch_size, model.channels, model.metadata,
                      None if model.coarser is None else _transposed(model.coarser))


class _Blocks(NamedTuple):
    """How one axis of ``size`` pixels is cut: per block its first pixel, size and lead
    (window pixels before it), all (n,). Windows wrap around the axis when ``tileable``,
    else stop at its ends: their pixels beyond them do not exist (and their indices run
    past the ends, for the canvas to place: ``_Canvas.draw``)."""

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


def _closing(patch: int, overlap: int) -> tuple[int, int]:
    """Size and lead of a closing block: its window has ``lead`` pixels on each side, so it
    is conditioned on both neighbours. ``lead`` is about a third of the patch (at most
    ``overlap``), so the block is a few pixels wide (3 for patches of 5 and 7): wide enough
    to blend two sides that disagree over several pixels, not one."""
    lead = min(overlap, max(1, (patch - 1) // 3))
    return patch - 2 * lead, lead


def _blocks(size: int, patch: int, overlap: int, tileable: bool) -> _Blocks:
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
    return _Blocks(starts, sizes, leads, size, tileable)


def _strip_layout(height: int, patch: int, overlap: int, meeting: int,
                  keep_last_row: bool = True) -> _Blocks | None:
    """The rows of one band of the closing strip of a torus of ``height`` rows, ending one
    block row (``patch - overlap`` rows, the scan's last, kept) above the bottom, or at
    the bottom without ``keep_last_row``: ``meeting`` blocks of ``patch - overlap`` rows
    led by ``overlap`` rows above (the front coming down), the meeting block
    (``_closing``: conditioned above and below), then blocks led by no row, conditioned on
    the ``overlap`` rows below them (the front coming up from the last block row, or from
    row 0 across the wrap). ``_STRIP_BLOCKS`` blocks in all, fewer where the rows above
    the strip would be less than a patch; None where not even two fit."""
    step = patch - overlap
    closing, lead = _closing(patch, overlap)
    end = height - step * keep_last_row
    count = min(_STRIP_BLOCKS, (end - patch - closing) // step + 1)
    if count < 2:
        return None
    meeting = min(meeting, count - 1)
    top = end - (count - 1) * step - closing
    sizes = np.array([step] * meeting + [closing] + [step] * (count - 1 - meeting))
    starts = top + np.concatenate([[0], np.cumsum(sizes[:-1])])
    leads = np.array([overlap] * meeting + [lead] + [0] * (count - 1 - meeting))
    return _Blocks(starts, sizes, leads, height, True)


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
    if str(model) in ("", "."):
        raise param_error(ctx.node_id, "model", "no file given: set it to a model trained "
                          "with 'texgen train gmm' (relative to the preset's folder)")
    try:
        patch_model = load_model(model)
    except ModelFileError as exc:
        raise param_error(ctx.node_id, "model", str(exc)) from None
    if patch_model.channels != 3:
        raise param_error(ctx.node_id, "model", f"{model}: a {patch_model.channels}-channel "
                          f"model; stats.gmm needs a color (3-channel) one")
    overlap = overlap or (patch_model.patch_size - 1) // 2
    patch = patch_model.patch_size
    if not 1 <= overlap < patch:
        raise param_error(ctx.node_id, "overlap", f"must be 0 (automatic) or 1..{patch - 1} "
                          f"for this model's {patch}x{patch} patches, got {overlap}")
    return synthesize(patch_model, ctx.height, ctx.width, overlap=overlap,
                      tolerance=tolerance, weight_tolerance=weight_tolerance,
                      tileable=ctx.tileable, seed=ctx.seed, guide=guide,
                      guide_strength=guide_strength)
