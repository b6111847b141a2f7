"""``stats.gmm``: texture synthesis by conditional sampling of a GMM patch model.

The output is cut into blocks of ``step = patch - overlap`` pixels. Block (i, j) is drawn as
the bottom-right ``step x step`` part of a ``patch x patch`` window whose top ``overlap``
rows and left ``overlap`` columns are already generated: the mixture is conditioned on
those pixels (``mixture.condition``) and the new pixels are sampled from it. Window pixels
not generated yet are marginalised out (their dimensions dropped). The known pixels are
treated as slightly noisy (``tolerance``): exact conditioning extrapolates the rare
overlaps that no component explains well into extreme values, which then spread along the
scan.

Block (i, j) only needs blocks (i-1, j-1), (i-1, j) and (i, j-1), so every block on an
anti-diagonal i + j = d can be drawn at once: the loop runs over diagonals and is vectorised
within one. A pixel counts as known when its block's diagonal is below d. The conditioning
factors depend only on which window pixels are known and new, so they are computed once per
such mask shape (a dozen or so per image) and reused.

On the torus (``tileable``) windows wrap around, and the last column and the last row are
closing blocks a few pixels wide whose windows reach past them into column 0 and row 0:
their pixels are conditioned on the wrap-around neighbours as well as on the pixels before
them, so the texture continues across its edges. A closing block alone sees only a pixel
of each side, too little to join structure longer than a patch (a mortar line coming from
above, another one in row 0). So the scan *bridges* the wrap: in the last rows (columns)
before it, where the model's own texture still correlates strongly across that distance,
each window's far row (column) also gets a Gaussian message from row 0 (column 0):

    x_far | x_0  ~  N(mu + (x_0 - mu) / rho(d),  s (1 - rho(d)^2) / rho(d)^2 * Sigma_line)

the likelihood of x_0 given x_far for two pixels d apart whose correlation is rho(d), with
Sigma_line the mixture's covariance of a window line (so pixels and channels that move
together are not counted as independent evidence) and s = ``_MESSAGE_SCALE``. rho(d) is
measured once per call on a small untiled sample of the same sampler (``_wrap_correlation``).
Structure that reaches the wrap is steered over those rows into what row 0 holds, instead
of breaking off in the closing block.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from texgen.nodes import NodeContext, param_error
from texgen_stats._common import single_threaded_blas
from texgen_stats.mixture import Conditional, condition
from texgen_stats.model import ModelFileError, PatchModel, load_model

#: Messages are sent over at most this many rows (columns) before the wrap, and only while
#: the correlation rho(d) stays at or above ``_MIN_CORRELATION``. Beyond about 20 rows the
#: messages' Gaussian picture of what little row 0 says about x_far (wrongly) extrudes
#: row 0's horizontal structure upwards: bright slabs above the wrap, seen on brick.
_LONGEST_LAG = 12
_MIN_CORRELATION = 0.1
#: Scale s of the message variance. Every block of the bridge gets the same far-away
#: evidence anew, so the exact variance (s = 1) under-steers: brick's mortar lines still
#: broke off at the wrap (seam score about 2.6). Measured on brick, grass and gravel
#: (16 seeds, 512²), s = 0.2 makes the wrap-around step like an interior step on all three;
#: s = 0.15 over-steers gravel (0.92), s = 0.3 under-steers brick (1.17).
_MESSAGE_SCALE = 0.2
#: Side of the untiled sample on which the correlations are measured.
_CORRELATION_SAMPLE = 128


def synthesize(model: PatchModel, height: int, width: int, *, overlap: int, tolerance: float,
               tileable: bool, seed: int, guide: np.ndarray | None = None,
               guide_strength: float = 0.0, bridge: bool = True) -> np.ndarray:
    """A (height, width, channels) float32 texture in [0, 1] sampled from ``model``.

    ``overlap`` (1 .. patch_size - 1) is how many rows / columns of each window are
    conditioned on; ``tolerance`` is the ``noise`` of ``mixture.condition``. ``guide``
    (height, width, 1), optional, with ``guide_strength`` >= 0 biases each block's
    component towards those whose mean brightness (ranked 0..1 among the components)
    matches the guide's mean over the block: log-weight - strength * (rank - guide)**2.
    ``bridge`` (default True; only with ``tileable``) sends the wrap-around messages
    described in the module docstring; False closes the torus with the closing blocks
    alone (for comparison). Deterministic for a given ``seed``: each diagonal draws its
    random numbers in block order, whatever the grouping by mask shape.
    """
    with single_threaded_blas():
        return _scan(model, height, width, overlap=overlap, tolerance=tolerance,
                     tileable=tileable, seed=seed, guide=guide, guide_strength=guide_strength,
                     bridge=bridge and tileable)


def _scan(model: PatchModel, height: int, width: int, *, overlap: int, tolerance: float,
          tileable: bool, seed: int, guide: np.ndarray | None, guide_strength: float,
          bridge: bool) -> np.ndarray:
    """The scan of ``synthesize`` (same arguments and result), BLAS threads as they are."""
    patch, channels = model.patch_size, model.channels
    rng = np.random.Generator(np.random.PCG64(seed))
    row_blocks = _blocks(height, patch, overlap, tileable)
    col_blocks = _blocks(width, patch, overlap, tileable)
    n_rows, n_cols = len(row_blocks.starts), len(col_blocks.starts)
    largest = int(row_blocks.sizes.max() * col_blocks.sizes.max()) * channels
    preference = None if guide is None or guide_strength == 0 else _guide_bias(
        model, guide, row_blocks, col_blocks, guide_strength)  # (n_rows, n_cols, K)
    messages = _Messages.measure(model, overlap, tolerance) if bridge else None
    canvas = np.zeros((height, width, channels), np.float32)
    cache: dict[bytes, Conditional] = {}
    for diagonal in range(n_rows + n_cols - 1):
        i = np.arange(max(0, diagonal - n_cols + 1), min(n_rows, diagonal + 1))
        j = diagonal - i
        rows, rows_ok, rows_new = row_blocks.windows(i, patch, tileable)
        cols, cols_ok, cols_new = col_blocks.windows(j, patch, tileable)
        new = rows_new[:, :, None] & cols_new[:, None, :]
        done = row_blocks.index[rows][:, :, None] + col_blocks.index[cols][:, None, :] \
            < diagonal
        known = rows_ok[:, :, None] & cols_ok[:, None, :] & done & ~new
        count = len(i)
        uniforms = rng.random(count)
        normals = rng.standard_normal((count, largest))
        lags = np.zeros((count, 2), np.int64)  # per block: row, column message lag (0: none)
        if messages is not None:
            lags[:, 0] = messages.lags(row_blocks, i, col_blocks.index[cols] < diagonal, 0)
            lags[:, 1] = messages.lags(col_blocks, j, row_blocks.index[rows] < diagonal, 1)
        masks = np.concatenate([known.reshape(count, -1), new.reshape(count, -1), lags],
                               axis=1)
        shapes, which = np.unique(masks, axis=0, return_inverse=True)
        for shape_index, shape in enumerate(shapes):
            members = np.flatnonzero(which.ravel() == shape_index)
            key = shape.tobytes()
            known_px, new_px = shape[:2 * patch * patch].reshape(2, patch, patch).astype(bool)
            row_lag, col_lag = shape[-2:]
            if key not in cache:
                cache[key] = _conditional(model, known_px, new_px, tolerance, messages,
                                          row_lag, col_lag)
            conditional = cache[key]
            r, c = rows[members], cols[members]
            windows = canvas[r[:, :, None], c[:, None, :]].reshape(len(members), -1)
            observed = [windows[:, _dims(known_px, channels)]]
            if row_lag:
                observed.append(messages.target(canvas[0][c], row_lag, 0))
            if col_lag:
                observed.append(messages.target(canvas[r, 0], col_lag, 1))
            values = conditional.sample(
                np.concatenate(observed, axis=1), uniforms[members],
                normals[members, :conditional.new.size],
                bias=None if preference is None else preference[i[members], j[members]])
            py, px = np.nonzero(new_px)
            canvas[r[:, py], c[:, px]] = np.clip(values, 0.0, 1.0).reshape(
                len(members), py.size, channels)
    return canvas


def _conditional(model: PatchModel, known_px: np.ndarray, new_px: np.ndarray,
                 tolerance: float, messages: _Messages | None, row_lag: int,
                 col_lag: int) -> Conditional:
    """The mixture conditioned on a window's known pixels (``tolerance`` noise) and on the
    wrap-around messages of the given lags (0: none), over its new pixels. The observed
    dimensions are the known pixels', then the far row's, then the far column's."""
    channels, patch = model.channels, model.patch_size
    dims = [_dims(known_px, channels)]
    noises = [tolerance * np.eye(dims[0].size)]
    for lag, axis in ((row_lag, 0), (col_lag, 1)):
        if lag:
            line = np.zeros((patch, patch), bool)
            line[(-1, slice(None)) if axis == 0 else (slice(None), -1)] = True
            dims.append(_dims(line, channels))
            noises.append(messages.noise(dims[-1], lag, axis))
    known = np.concatenate(dims)
    noise = np.zeros((known.size, known.size))
    start = 0
    for block in noises:  # block diagonal: the overlap and each message are independent
        noise[start:start + len(block), start:start + len(block)] = block
        start += len(block)
    return condition(model.mixture, known, _dims(new_px, channels), noise=noise)


class _Messages(NamedTuple):
    """The wrap-around bridge of one model and sampler setting.

    ``correlations`` float64 (2, L): per axis (0: rows, 1: columns) and lag d = 1..L, the
    correlation of two pixels d apart along it, 0 where too weak to send a message;
    ``mean`` float64 (C,) and ``covariance`` float64 (D, D) are the mixture's.
    """

    correlations: np.ndarray
    mean: np.ndarray
    covariance: np.ndarray

    @classmethod
    def measure(cls, model: PatchModel, overlap: int, tolerance: float) -> _Messages:
        correlations = _wrap_correlation(model, overlap, tolerance)
        mixture = model.mixture
        mean = (mixture.weights @ mixture.means).reshape(-1, model.channels).mean(axis=0)
        return cls(correlations, mean, mixture.covariance())

    def lags(self, blocks: _Blocks, index: np.ndarray, target_done: np.ndarray,
             axis: int) -> np.ndarray:
        """int64 (n,): for blocks ``index`` (n,) along ``axis``, the distance d from each
        window's far line to line 0 across the wrap, where a message is sent; else 0.
        ``target_done`` (n, patch) says which line-0 pixels beside the window exist yet."""
        patch = target_done.shape[1]
        far = blocks.starts[index] - blocks.leads[index] + patch - 1
        lag = len(blocks.index) - far
        # lag < far: line 0 is nearer across the wrap than back along the scan (which has
        # conditioned on it already in an image shorter than a few bridges).
        usable = (far < len(blocks.index)) & (lag <= self.correlations.shape[1]) \
            & (lag < far) & target_done.all(axis=1)
        lag = np.where(usable, lag, 0)
        strong = self.correlations[axis][np.maximum(lag, 1) - 1] > 0
        return np.where(strong, lag, 0)

    def target(self, line0: np.ndarray, lag: int, axis: int) -> np.ndarray:
        """The message's observed values (n, patch * C) from line 0's pixels (n, patch, C)
        beside the windows: mu + (x_0 - mu) / rho."""
        rho = self.correlations[axis][lag - 1]
        return (self.mean + (line0 - self.mean) / rho).reshape(len(line0), -1)

    def noise(self, dims: np.ndarray, lag: int, axis: int) -> np.ndarray:
        """The message's noise covariance over the far line's ``dims``."""
        rho = self.correlations[axis][lag - 1]
        return _MESSAGE_SCALE * (1.0 - rho ** 2) / rho ** 2 * self.covariance[np.ix_(dims, dims)]


def _wrap_correlation(model: PatchModel, overlap: int, tolerance: float) -> np.ndarray:
    """float64 (2, L): the correlation rho(d) of pixels d = 1..L apart along rows (0) and
    columns (1) in an untiled ``_CORRELATION_SAMPLE``-pixel sample of the sampler (seed 0,
    so it depends on the model and settings only), channels pooled; L = ``_LONGEST_LAG``;
    0 from the first lag whose rho falls below ``_MIN_CORRELATION`` on."""
    side = _CORRELATION_SAMPLE
    sample = _scan(model, side, side, overlap=overlap, tolerance=tolerance, tileable=False,
                   seed=0, guide=None, guide_strength=0.0, bridge=False).astype(np.float64)
    centred = sample - sample.mean(axis=(0, 1))
    energy = np.mean(centred ** 2)
    lags = np.arange(1, _LONGEST_LAG + 1)
    out = np.zeros((2, len(lags)))
    for axis in (0, 1):
        if energy <= 0:
            break
        rho = np.array([np.mean(np.take(centred, range(side - d), axis=axis)
                                * np.take(centred, range(d, side), axis=axis)) / energy
                        for d in lags])
        out[axis] = np.where(np.cumprod(rho >= _MIN_CORRELATION).astype(bool), rho, 0.0)
    return out


def _guide_bias(model: PatchModel, guide: np.ndarray, row_blocks: _Blocks,
                col_blocks: _Blocks, strength: float) -> np.ndarray:
    """float64 (n_rows, n_cols, K): each block's log-weight bias towards the components
    whose brightness rank matches the guide's mean over the block."""
    brightness = model.mixture.means.mean(axis=1)
    rank = np.argsort(np.argsort(brightness)) / max(1, len(brightness) - 1)
    sums = np.add.reduceat(np.add.reduceat(np.asarray(guide[..., 0], np.float64),
                                           row_blocks.starts, axis=0),
                           col_blocks.starts, axis=1)
    means = sums / (row_blocks.sizes[:, None] * col_blocks.sizes[None, :])
    return -strength * (rank - np.clip(means, 0.0, 1.0)[:, :, None]) ** 2


class _Blocks(NamedTuple):
    """How one axis is cut: per block its first pixel, size and lead (window pixels before
    it), all (n,); and each pixel's block, (size,)."""

    starts: np.ndarray
    sizes: np.ndarray
    leads: np.ndarray
    index: np.ndarray

    def windows(self, blocks: np.ndarray, patch: int, tileable: bool):
        """For blocks (n,): window pixel indices (n, patch), whether each exists, and
        whether it is one of the block's own pixels."""
        offsets = np.arange(patch) - self.leads[blocks][:, None]
        indices, exists = _wrap(self.starts[blocks][:, None] + offsets, len(self.index),
                                tileable)
        return indices, exists, (offsets >= 0) & (offsets < self.sizes[blocks][:, None])


def _blocks(size: int, patch: int, overlap: int, tileable: bool) -> _Blocks:
    """Cut an axis of ``size`` pixels into blocks of ``patch - overlap`` pixels, each led by
    ``overlap`` conditioning pixels (the last block maybe shorter).

    On the torus (when ``size`` exceeds the patch) a last, closing block ends the loop: its
    window has ``lead`` pixels before it and as many after it, in the first block, so its
    pixels are conditioned on both neighbours. ``lead`` is about a third of the patch
    (at most ``overlap``), so the closing block is a few pixels wide (3 for patches of 5 and
    7): wide enough to blend two sides that disagree over several pixels, not one.
    """
    step = patch - overlap
    lead = min(overlap, max(1, (patch - 1) // 3))
    closing = patch - 2 * lead if tileable and size > patch else 0
    starts = np.array([*range(0, size - closing, step), *([size - closing] if closing else [])])
    leads = np.full(len(starts), overlap)
    if closing:
        leads[-1] = lead
    sizes = np.diff(np.append(starts, size))
    return _Blocks(starts, sizes, leads, np.repeat(np.arange(len(starts)), sizes))


def _wrap(index: np.ndarray, size: int, tileable: bool) -> tuple[np.ndarray, np.ndarray]:
    """Canvas indices (wrapped on the torus, clamped otherwise) and whether each exists."""
    if tileable:
        return index % size, np.ones(index.shape, bool)
    return np.clip(index, 0, size - 1), (index >= 0) & (index < size)


def _dims(pixels: np.ndarray, channels: int) -> np.ndarray:
    """Indices into a flattened (patch, patch, channels) window of the pixels set in a
    (patch, patch) mask, channel by channel."""
    return np.flatnonzero(np.repeat(pixels.ravel(), channels))


def gmm(ctx: NodeContext, *, guide: np.ndarray | None = None, model: Path, overlap: int = 0,
        tolerance: float = 0.003, guide_strength: float = 20.0) -> np.ndarray:
    """The ``stats.gmm`` node: a texture sampled from a GMM patch model file.

    Args:
        ctx: node context; ``seed`` drives the sampling, ``tileable`` wraps the scan
            and bridges its wrap (``synthesize``).
        guide: optional gray (H, W, 1): where it is dark, components with dark patches are
            preferred; where bright, bright ones.
        model: the .npz file written by ``texgen train gmm``.
        overlap: rows / columns each window shares with the blocks above and to the left,
            1 .. patch size - 1; 0 picks (patch size - 1) // 2. Default 0.
        tolerance: variance (pixel values in [0, 1]) added to the overlap's pixels when
            conditioning on them; 0 is exact conditioning. Default 0.003.
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
                      tolerance=tolerance, tileable=ctx.tileable, seed=ctx.seed, guide=guide,
                      guide_strength=guide_strength)
