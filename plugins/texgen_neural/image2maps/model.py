"""The image2maps networks: a U-Net that refines the classical estimate, a patch discriminator.

Every convolution pads circularly (``EqualConv2d``), downsampling is a 2x2 average and
upsampling the band-limited ``upsample_wrap`` shared with the StyleGAN, so an image that
tiles gives maps that tile, and shifting the input by a multiple of ``stride`` pixels
shifts the output alike. ``UNet.forward`` needs sizes that are multiples of ``stride``;
``refine`` handles any size.

Shapes: B batch, H x W the image, level k works at H / 2**k x W / 2**k.
"""

from __future__ import annotations

import itertools

import torch
import torch.nn.functional as F
from torch import nn

from texgen.bands import row_bands
from texgen_neural.image2maps.config import IN_CHANNELS, OUT_CHANNELS, NetConfig
from texgen_neural.model import EqualConv2d, resample_wrap, upsample_wrap
from texgen_neural.tiling import ChannelStack, run_tiled, tiled_outputs


class DoubleConv(nn.Module):
    """Two circular 3x3 convs with leaky ReLUs: (B, C_in, H, W) -> (B, C_out, H, W)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.first = EqualConv2d(in_channels, out_channels, 3)
        self.second = EqualConv2d(out_channels, out_channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.second(self.first(x))


class UNet(nn.Module):
    """(B, 7, H, W) photo + classical maps -> (B, 5, H, W) maps (``apply_corrections``).

    Encoder: ``DoubleConv`` per level, 2x2 average pooling between levels; decoder: from the
    coarsest level up, ``upsample_wrap`` x2, concatenate the encoder's features of that
    level, ``DoubleConv``; a 1x1 head of corrections starting at zero and a learned gain of
    the classical normal's slope starting at 1, so an untrained net returns the classical
    estimate. The corrections are applied times ``correction_scale`` (from the config;
    training sets it to 1). H and W must be multiples of ``config.stride``.
    """

    def __init__(self, config: NetConfig):
        super().__init__()
        self.config = config
        chans = config.channels
        self.down = nn.ModuleList(DoubleConv(a, b)
                                  for a, b in zip((IN_CHANNELS, *chans[:-1]), chans))
        self.up = nn.ModuleList(DoubleConv(chans[k + 1] + chans[k], chans[k])
                                for k in range(len(chans) - 1))
        self.head = nn.Conv2d(chans[0], OUT_CHANNELS, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.slope_gain = nn.Parameter(torch.ones(1))
        self.correction_scale = config.correction_scale

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs
        skips = []
        for level, block in enumerate(self.down):
            if level:
                x = F.avg_pool2d(x, 2)                           # (B, C, H/2^k, W/2^k)
            x = block(x)
            skips.append(x)
        for level in reversed(range(len(self.up))):
            x = upsample_wrap(x)                                 # (B, C_{k+1}, H/2^k, W/2^k)
            x = self.up[level](torch.cat([x, skips[level]], 1))  # (B, C_k, H/2^k, W/2^k)
        return apply_corrections(inputs, self.head(x), self.slope_gain,
                                 self.correction_scale)  # (B, 5, H, W)


def apply_corrections(inputs: torch.Tensor, raw: torch.Tensor, slope_gain: torch.Tensor,
                      scale: float = 1.0) -> torch.Tensor:
    """The maps from the network's inputs (B, 7, H, W) and raw output (B, 5, H, W):
    (B, 5, H, W) = normal (unit vector, z >= 0), height (standardised units), roughness in
    (0, 1).

    The normal is the classical normal with its x and y scaled by ``slope_gain`` (one
    learned number: the classical relief depth is a fixed guess), plus ``scale`` times the
    correction, renormalised (z clamped to >= 0.001 first: a tangent-space normal faces
    out); the height the classical height plus ``scale`` times the correction; the
    roughness a sigmoid of its channel (centred on 0.5).
    """
    normal = torch.cat([inputs[:, 4:6] * slope_gain, inputs[:, 6:7]], 1) + scale * raw[:, 0:3]
    normal = torch.cat([normal[:, :2], normal[:, 2:3].clamp(min=1e-3)], 1)
    normal = normal / normal.norm(dim=1, keepdim=True)
    height = inputs[:, 3:4] + scale * raw[:, 3:4]
    return torch.cat([normal, height, torch.sigmoid(raw[:, 4:5])], 1)


#: Images up to this many pixels run through the U-Net whole (previews keep their bytes);
#: whole, the shipped network holds about 1.7 kB per pixel (docs/scale.md).
WHOLE_PIXELS = 512 * 512

#: Default tile side of the U-Net in pixels: its full-resolution activations take about 130
#: floats per pixel, so a 256² tile (and a band of 256² pixels) takes tens of MB; 512²
#: measured 40 bytes per pixel more at the node's peak and 60 MB more besides.
UNET_TILE = 256


def padded_size(unet: UNet, height: int, width: int) -> tuple[int, int]:
    """The size ``refine`` runs the network at for a ``height`` x ``width`` image: each
    side rounded up to a multiple of the stride."""
    stride = unet.config.stride
    return -(-height // stride) * stride, -(-width // stride) * stride


def runs_in_bands(unet: UNet, height: int, width: int) -> bool:
    """Whether ``refine`` runs a ``height`` x ``width`` image through ``unet_in_bands``
    (more than ``WHOLE_PIXELS`` once padded) rather than whole."""
    padded_h, padded_w = padded_size(unet, height, width)
    return padded_h * padded_w > WHOLE_PIXELS


def refine(unet: UNet, inputs: torch.Tensor, *, tile: int = UNET_TILE) -> torch.Tensor:
    """``unet(inputs)`` at any size: (B, 7, H, W) -> (B, 5, H, W); ``inputs`` a tensor or
    a ``texgen_neural.tiling.ChannelStack`` (read a band at a time above 512²).

    A size that is not a multiple of the stride is resampled with wrap-around
    (``resample_wrap``) to the next multiple and the maps back to H x W (normals
    renormalised), so a tiling input still gives tiling maps. An image of more than
    ``WHOLE_PIXELS`` (512²) runs through ``unet_in_bands`` with ``tile`` (bounded memory,
    the same maps within the rounding of its float16 grids); a smaller one through ``unet``
    whole.
    """
    height, width = inputs.shape[-2:]
    padded_h, padded_w = padded_size(unet, height, width)
    banded = runs_in_bands(unet, height, width)

    def network(x: torch.Tensor) -> torch.Tensor:
        return unet_in_bands(unet, x, tile=tile) if banded else unet(x[...])

    if (padded_h, padded_w) == (height, width):
        return network(inputs)
    maps = resample_wrap(network(resample_wrap(inputs[...], padded_h, padded_w)), height, width)
    normal = maps[:, :3] / maps[:, :3].norm(dim=1, keepdim=True).clamp(min=1e-6)
    return torch.cat([normal, maps[:, 3:]], 1)


#: The 8 symmetries of the square as (flip_x, flip_y, transpose); the first is the identity.
SYMMETRIES = tuple(itertools.product((False, True), repeat=3))


def augment(batch: torch.Tensor, flip_x: bool, flip_y: bool, transpose: bool, *,
            inverse: bool = False) -> torch.Tensor:
    """One symmetry of the square (transpose, then column flip, then row flip) applied to
    the pixels of (B, C, H, W) images, or with ``inverse`` undone (the same steps in the
    reverse order: each is its own inverse); ``transform_normals`` turns normal vectors
    alike."""
    steps = ((transpose, lambda x: x.transpose(2, 3)), (flip_x, lambda x: x.flip(3)),
             (flip_y, lambda x: x.flip(2)))
    for active, step in reversed(steps) if inverse else steps:
        if active:
            batch = step(batch)
    return batch


def transform_normals(normal: torch.Tensor, flip_x: bool, flip_y: bool, transpose: bool, *,
                      inverse: bool = False) -> torch.Tensor:
    """The normal vectors (B, 3, H, W) (x right, y up) of an image transformed by
    ``augment`` (with the same ``inverse``): a transpose maps (x, y) to (-y, -x) (rows and
    columns swap, rows grow downwards), a column flip negates x, a row flip negates y."""
    x, y, z = normal[:, 0:1], normal[:, 1:2], normal[:, 2:3]
    steps = ((transpose, lambda x, y: (-y, -x)), (flip_x, lambda x, y: (-x, y)),
             (flip_y, lambda x, y: (x, -y)))
    for active, step in reversed(steps) if inverse else steps:
        if active:
            x, y = step(x, y)
    return torch.cat([x, y, z], 1)


def turn(maps: torch.Tensor, normal_at: int, flip_x: bool, flip_y: bool, transpose: bool, *,
         inverse: bool = False) -> torch.Tensor:
    """``augment`` of (B, C, H, W) maps whose channels ``normal_at`` .. + 3 are normal
    vectors, those turned by ``transform_normals``."""
    moved = augment(maps, flip_x, flip_y, transpose, inverse=inverse)
    normal = transform_normals(moved[:, normal_at:normal_at + 3], flip_x, flip_y, transpose,
                               inverse=inverse)
    return torch.cat([moved[:, :normal_at], normal, moved[:, normal_at + 3:]], 1)


def refine_symmetric(unet: UNet, inputs: torch.Tensor, *,
                     tile: int = UNET_TILE) -> torch.Tensor:
    """``refine`` averaged over the 8 symmetries of the square: (B, 7, H, W) -> (B, 5, H, W).

    The network is trained on crops turned by all 8, so each turn of a photo is an equally
    good question; its answers, turned back, differ by the network's noise, which the mean
    reduces. The normals are averaged as vectors and renormalised."""
    total = None
    for symmetry in SYMMETRIES:
        maps = turn(refine(unet, turn(inputs, 4, *symmetry), tile=tile), 0, *symmetry,
                    inverse=True)
        total = maps if total is None else total + maps
    mean = total / len(SYMMETRIES)
    return torch.cat([F.normalize(mean[:, :3], dim=1), mean[:, 3:]], 1)


#: Receptive radius of a ``DoubleConv`` (two 3x3 convs) in pixels of its level.
DOUBLE_CONV_HALO = 2
#: The decoder's column bands at a level run in this many parts, each holding the
#: row-upsampled coarser level only for its own columns: an eighth of it, beside the
#: coarser level itself, which every part reads (``_decode_level``); each part upsamples
#: the whole coarser level along the rows again, so more parts cost time.
WIDE_PARTS = 8
#: The fewest columns a decoder band computes (about ``tile``² pixels otherwise): each band
#: also computes 2 halos of 2 columns a side, half again the work of the narrowest band
#: (8 columns at 8192² would double it; a piece's activations, not the band's, set the
#: memory).
BAND_MIN_COLUMNS = 16
#: The blocks of a decoder band run down it in pieces of this many tiles' rows: the band
#: holds its inputs whole (the row upsampling needs whole columns), the activations of a
#: piece only.
BAND_PIECE_TILES = 4
#: Precision the banded U-Net holds its whole-level grids in (the pooled features levels 2
#: and on read, the decoder's output of levels 1 and on) between the steps that make and
#: read them: half of float32's memory; every convolution and FFT still runs in float32,
#: and the shipped model's normals move by at most about 0.001 degrees on the demo photo
#: (benchmarks/image2maps_precision.py).
HELD_DTYPE = torch.float16


def unet_in_bands(unet: UNet, inputs: torch.Tensor, *, tile: int = UNET_TILE,
                  held_dtype: torch.dtype = HELD_DTYPE) -> torch.Tensor:
    """``unet(inputs)`` with memory that does not hold the full-size activations:
    (B, 7, H, W) -> (B, 5, H, W), H and W multiples of the stride; ``inputs`` a tensor or
    a ``texgen_neural.tiling.ChannelStack``, read only a tile or band at a time.

    The U-Net is not local (``upsample_wrap`` is band-limited: every output pixel depends on
    the whole coarser level), so it cannot run in tiles with a halo. It runs level by level
    instead: each encoder ``DoubleConv`` in tiles (``tiling.tiled_outputs``, halo 2: it
    is local), the coarser levels recursively, then the x2 upsampling split into its two
    one-dimensional halves (``upsample_axis``): along the rows for the whole coarser level,
    then along the columns and through the decoder ``DoubleConv`` (and at level 0 the head
    and ``apply_corrections``) for one band of whole columns at a time (about ``tile``²
    pixels, at least ``BAND_MIN_COLUMNS`` columns; its blocks in pieces down the band).

    What it holds beyond the inputs and the result: the decoder's output of level 1 (a
    quarter of the pixels times level 1's channels, in ``held_dtype``) and one part of it
    upsampled along the rows (``WIDE_PARTS``), the smaller grids of the coarser levels and a
    tile's activations. Level 1's input, the pooled level-0 features (a quarter of the pixels
    times level 0's channels), is not held but recomputed from the inputs where it is read
    (``PooledFeatures``); the result is allocated only once the coarser levels are done.
    With ``held_dtype`` float32 the result equals ``unet(inputs)`` up to float rounding
    (the one-dimensional transforms and a band's convolutions round differently from the
    whole image's); float16 adds its own rounding of the held grids.
    """
    result = []

    def finish(columns: slice, features: torch.Tensor) -> None:
        if not result:
            result.append(torch.empty((inputs.shape[0], OUT_CHANNELS, *inputs.shape[-2:]),
                                      dtype=torch.float32, device=inputs.device))
        head = unet.head(features)
        result[0][..., columns] = apply_corrections(inputs[..., columns], head,
                                                    unet.slope_gain, unet.correction_scale)

    with torch.no_grad():
        _decode_level(unet, 0, inputs, finish, tile, held_dtype)
    return result[0]


class PooledFeatures:
    """``F.avg_pool2d(block(image), 2)`` (B, C, H/2, W/2) for a local ``block`` of receptive
    radius ``DOUBLE_CONV_HALO`` (level 0's encoder ``DoubleConv``) on ``image`` (B, C_in,
    H, W; a tensor or a ``ChannelStack``), computed only where it is read: ``index_select``
    along the rows or columns (a run of consecutive indices, wrapping, as ``tiled_outputs``
    and the bands read) narrows the window, and ``[...]`` computes the window from the
    image's matching pixels and a wrap-around halo, in ``tile``² tiles. So the grid takes
    no memory between reads, at the cost of running ``block`` again per read."""

    def __init__(self, block: nn.Module, image, channels: int, *, tile: int,
                 rows: torch.Tensor | None = None, cols: torch.Tensor | None = None):
        self.block, self.image, self.channels, self.tile = block, image, channels, tile
        self.rows, self.cols = rows, cols

    @property
    def shape(self) -> torch.Size:
        batch, _, height, width = self.image.shape
        return torch.Size((batch, self.channels,
                           height // 2 if self.rows is None else len(self.rows),
                           width // 2 if self.cols is None else len(self.cols)))

    @property
    def device(self) -> torch.device:
        return self.image.device

    def index_select(self, dim: int, index: torch.Tensor) -> PooledFeatures:
        axis = dim % 4
        if axis not in (2, 3):
            raise ValueError("PooledFeatures selects rows or columns only")
        current = self.rows if axis == 2 else self.cols
        index = index if current is None else current[index.to(current.device)]
        rows, cols = (index, self.cols) if axis == 2 else (self.rows, index)
        return PooledFeatures(self.block, self.image, self.channels, tile=self.tile,
                              rows=rows, cols=cols)

    def __getitem__(self, key) -> torch.Tensor:
        if key is not Ellipsis:
            raise TypeError("PooledFeatures computes whole windows only: index with [...]")
        halo = DOUBLE_CONV_HALO
        runs = []  # per axis: the image's slices under the selected run and a halo
        for axis, index in ((-2, self.rows), (-1, self.cols)):
            size = self.image.shape[axis]
            if index is None:
                runs.append([slice(None)])
                continue
            first = int(index[0])
            if not torch.equal(index.cpu(),
                               torch.arange(first, first + len(index)) % (size // 2)):
                raise ValueError("PooledFeatures reads runs of consecutive rows and columns "
                                 "only")
            runs.append(_wrapped_slices(2 * first - halo, 2 * (first + len(index)) + halo,
                                        size))
        # the window alone is copied out of the image, a piece per wrap-around
        window = self.image if self.rows is None and self.cols is None else torch.cat(
            [torch.cat([self.image[..., rows, cols] for cols in runs[1]], -1)
             for rows in runs[0]], -2)
        # in tiles (the window's own wrap-around only reaches its halo, cut below)
        features = run_tiled(self.block, window, halo=halo, tile=self.tile)
        if self.rows is not None:
            features = features[..., halo:-halo, :]
        if self.cols is not None:
            features = features[..., halo:-halo]
        return F.avg_pool2d(features, 2)


def _wrapped_slices(start: int, stop: int, size: int) -> list[slice]:
    """Slices of an axis of ``size`` covering the indices ``start .. stop - 1`` modulo
    ``size``, in order: one per stretch between wrap-arounds."""
    slices = []
    while start < stop:
        first = start % size
        take = min(stop - start, size - first)
        slices.append(slice(first, first + take))
        start += take
    return slices


def _decode_level(unet: UNet, level: int, x, write, tile: int,
                  held_dtype: torch.dtype) -> None:
    """The decoder's output at ``level`` for the level's input ``x`` (B, C, h, w) (the
    network's inputs at level 0, ``PooledFeatures`` of them at level 1, the held pooled
    features of the level above further down), handed to ``write(columns, features (B,
    C_level, h, band))`` a band of whole columns at a time.

    The encoder's features of the level are made twice rather than held: in tiles, pooled
    for the coarser level, and per band (with a halo) for the decoder block."""
    halo, block = DOUBLE_CONV_HALO, unet.down[level]

    def encoder(window) -> torch.Tensor:  # reads lazy and half-precision inputs alike
        return block(window[...].float())

    if level == len(unet.up):  # the coarsest level: no decoder block
        write(slice(None), run_tiled(encoder, x, halo=halo, tile=tile))
        return
    height, width = x.shape[-2:]
    channels = unet.config.channels
    if level == 0:  # recomputed where read: it would be the largest grid held
        pooled = PooledFeatures(block, x, channels[0], tile=tile)
    else:
        pooled = torch.empty((x.shape[0], channels[level], height // 2, width // 2),
                             dtype=held_dtype, device=x.device)
        for row, col, piece in tiled_outputs(encoder, x, halo=halo, align=2, tile=tile):
            pooled[..., row // 2:(row + piece.shape[-2]) // 2,
                   col // 2:(col + piece.shape[-1]) // 2] = F.avg_pool2d(piece, 2)
    coarse = [torch.empty((x.shape[0], channels[level + 1], height // 2, width // 2),
                          dtype=held_dtype, device=x.device)]

    def put(columns: slice, features: torch.Tensor) -> None:
        coarse[0][..., columns] = features

    _decode_level(unet, level + 1, pooled, put, tile, held_dtype)
    del pooled
    grid = coarse.pop()
    step = max(BAND_MIN_COLUMNS, tile * tile // height)
    if step + 4 * halo >= width:  # one band: whole columns, no halo
        skip = encoder(x)
        wide = _upsample_columns(grid, torch.arange(width))
        write(slice(None), unet.up[level](torch.cat([upsample_axis(wide, -2), skip], 1)))
        return
    # the bands in WIDE_PARTS runs, each with the row-upsampled columns it reads (and a halo)
    piece = BAND_PIECE_TILES * tile  # rows of a band's blocks at a time
    bands_per_part = -(-width // step // WIDE_PARTS)
    for part in range(0, width, step * bands_per_part):
        part_stop = min(part + step * bands_per_part, width)
        wide = _upsample_columns(grid, torch.arange(part - halo, part_stop + halo) % width,
                                 held_dtype)
        for start in range(part, part_stop, step):
            stop = min(start + step, width)
            # columns start - 2 halo .. stop + 2 halo, wrapping; each block eats a halo
            columns = (torch.arange(start - 2 * halo, stop + 2 * halo) % width).to(x.device)
            # the blocks down the band in pieces (they are local; the band's own
            # wrap-around only reaches the columns each crop cuts)
            skip = run_tiled(encoder, x.index_select(-1, columns), halo=halo,
                             tile=piece)[..., halo:-halo]
            tall = upsample_axis(wide[..., start - part:stop - part + 2 * halo].float(), -2)
            features = run_tiled(unet.up[level], ChannelStack(tall, skip), halo=halo,
                                 tile=piece)[..., halo:-halo]
            write(slice(start, stop), features)
        del wide


def _upsample_columns(grid: torch.Tensor, columns: torch.Tensor,
                      dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``upsample_axis(grid, -1)`` (B, C, h, w) -> (B, C, h, 2 w), only at ``columns`` (a
    1-D index tensor), held in ``dtype`` (computed in float32 whatever ``grid``'s
    precision): made a band of rows at a time, so that only those columns are held
    whole."""
    height, width = grid.shape[-2], 2 * grid.shape[-1]
    columns = columns.to(grid.device)
    wide = torch.empty((*grid.shape[:-1], len(columns)), dtype=dtype, device=grid.device)
    # rows are upsampled independently, in bands of about BAND_PIXELS values (all channels)
    for rows in row_bands(height, width * grid.shape[1]):
        wide[..., rows, :] = upsample_axis(grid[..., rows, :].float(),
                                           -1).index_select(-1, columns)
    return wide


def upsample_axis(x: torch.Tensor, axis: int) -> torch.Tensor:
    """``upsample_wrap`` along one axis: x2 band-limited upsampling of a periodic signal
    along ``axis`` of ``x``, the other axes unchanged. ``upsample_wrap(x)`` equals
    ``upsample_axis(upsample_axis(x, -1), -2)`` up to float rounding: zero-padding the 2-D
    spectrum (the Nyquist terms split) is the product of the two 1-D paddings."""
    n = x.shape[axis]
    spectrum = torch.fft.rfft(x, dim=axis)                           # n // 2 + 1 terms
    shape = list(x.shape)
    shape[axis] = n + 1                                              # 2n // 2 + 1 terms
    padded = spectrum.new_zeros(shape)
    padded.narrow(axis, 0, n // 2 + 1).copy_(spectrum)
    if n % 2 == 0:
        padded.narrow(axis, n // 2, 1).mul_(0.5)
    return torch.fft.irfft(padded, n=2 * n, dim=axis) * 2.0


class PatchDiscriminator(nn.Module):
    """(B, 7 + 5, H, W) inputs and maps -> LSGAN scores (B, 1, H / 2**n, W / 2**n).

    Per scale a circular 3x3 conv and a 2x2 average pool (n = len(d_channels) scales), then
    a 1x1 conv to a score: each score judges one patch of the pair, as pix2pix's PatchGAN.
    """

    def __init__(self, config: NetConfig):
        super().__init__()
        layers: list[nn.Module] = []
        for a, b in zip((IN_CHANNELS + OUT_CHANNELS, *config.d_channels[:-1]),
                        config.d_channels):
            layers += [EqualConv2d(a, b, 3), nn.AvgPool2d(2)]
        self.body = nn.Sequential(*layers)
        self.out = EqualConv2d(config.d_channels[-1], 1, 1, activate=False)

    def forward(self, inputs: torch.Tensor, maps: torch.Tensor) -> torch.Tensor:
        return self.out(self.body(torch.cat([inputs, maps], 1)))
