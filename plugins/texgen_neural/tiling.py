"""Tiled inference: a fully convolutional network run over a large image in fixed-size tiles,
so that its activations take memory for one tile whatever the image's size.

Each tile is cut from the image with a **halo** of context on every side, wrapping around
the edges (the image is periodic, as the networks' circular padding assumes), the network
runs on the tile and its halo, and only the tile's own part of the result is kept. When the
halo is at least the network's receptive radius (how far an output pixel looks) and tile
origins are multiples of the network's total downsampling factor (``align``: its pooling
grid then falls where it falls on the whole image), every output pixel sees exactly the
context it sees untiled, so the tiled result equals the untiled one; the arithmetic is the
same up to float rounding inside the convolutions (see ``tiled_outputs``).

This holds only for networks whose every layer is local: convolutions, pooling, bilinear
resampling. A layer that looks at the whole image (the band-limited ``upsample_wrap`` of the
StyleGAN and the image2maps U-Net, the CycleGAN's instance norm) has no finite receptive
radius, and tiling would change its result (docs/scale.md).

An axis no longer than ``tile`` is not cut: small images run in one piece, as untiled.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import torch

#: Default tile side in input pixels: about 1 M pixels per tile (plus halo) bounds a tile's
#: activations to a few hundred MB for the shipped networks.
TILE = 1024


def _axis_pieces(size: int, tile: int, halo: int
                 ) -> list[tuple[int, int, torch.Tensor | None]]:
    """(start, stop, source indices or None) of the tiles along an axis of ``size`` pixels:
    None means the whole axis in one piece (it fits in a tile with its halo), else the
    indices of the tile with ``halo`` pixels each side, modulo ``size`` (wrap-around)."""
    if size <= tile or tile + 2 * halo >= size:
        return [(0, size, None)]
    return [(start, min(start + tile, size),
             torch.arange(start - halo, min(start + tile, size) + halo) % size)
            for start in range(0, size, tile)]


class ChannelStack:
    """A (B, C, H, W) image held as parts stacked along the channels (``torch.cat(parts,
    1)``), assembled only where it is read: ``index_select`` along the rows or columns and
    indexing (``stack[..., columns]``; ``stack[...]`` for the whole image) give tensors with
    the values the concatenation would. A part may be a view (a channel-last array seen
    channel-first), so the stack takes no memory beyond its other parts: the image2maps
    node reads the photo that way instead of copying it into the network's input."""

    def __init__(self, *parts: torch.Tensor):
        self.parts = parts

    @property
    def shape(self) -> torch.Size:
        first = self.parts[0].shape
        return torch.Size((first[0], sum(part.shape[1] for part in self.parts), *first[2:]))

    @property
    def device(self) -> torch.device:
        return self.parts[0].device

    def to(self, device: str | torch.device) -> ChannelStack:
        return ChannelStack(*(part.to(device) for part in self.parts))

    def index_select(self, dim: int, index: torch.Tensor) -> torch.Tensor:
        return torch.cat([part.index_select(dim, index) for part in self.parts], 1)

    def __getitem__(self, key) -> torch.Tensor:
        return torch.cat([part[key] for part in self.parts], 1)


def tiled_outputs(network: Callable[[torch.Tensor], torch.Tensor], image: torch.Tensor, *,
                  halo: int, align: int = 1, zoom: tuple[int, int] = (1, 1),
                  tile: int = TILE) -> Iterator[tuple[int, int, torch.Tensor]]:
    """``network(image)`` computed tile by tile: yields (row, column, piece), the piece
    (B, C_out, h, w) of the output whose top-left pixel is at (row, column).

    ``image`` (B, C, H, W), a tensor or a ``ChannelStack``; ``network`` maps (B, C, h, w) to
    (B, C_out, h * p / q, w * p / q) with ``zoom`` = (p, q) (a decoder from its latent grid:
    (stride, 1); an encoder: (1, stride)), wrapping around the edges. ``halo`` is the
    network's receptive radius in input pixels and ``align`` its total downsampling factor
    (both rounded up here to multiples of ``align`` and of q); H and W must be multiples of
    ``align``, as the network itself needs. ``tile`` (input pixels, rounded up likewise)
    sets the memory: a tile's activations are those of a (tile + 2 halo)² image. An axis
    that fits in one tile with its halo is not cut, so an image that small runs whole,
    exactly as untiled. Runs under ``torch.no_grad``.

    Equality with the untiled call: exact in real arithmetic; in float32, PyTorch may pick
    a different convolution algorithm (or blocking) for a tile's shape than for the whole
    image's, which changes the rounding of a sum, so pieces agree with the untiled output
    to about 1e-6, not always bit for bit. The result is deterministic: the same call gives
    the same bytes.
    """
    up, down = zoom
    step = math.lcm(align, down)

    def rounded(value: int) -> int:
        return -(-value // step) * step

    height, width = image.shape[-2:]
    if height % step or width % step:
        raise ValueError(f"image size {width}x{height} must be a multiple of {step} pixels "
                         "(the network's downsampling factor)")
    halo, tile = rounded(halo), rounded(max(tile, 1))
    with torch.no_grad():
        for top, bottom, rows in _axis_pieces(height, tile, halo):
            band = image if rows is None else image.index_select(-2, rows.to(image.device))
            for left, right, cols in _axis_pieces(width, tile, halo):
                piece = band[...] if cols is None else band.index_select(-1,
                                                                         cols.to(image.device))
                out = network(piece)
                row0 = 0 if rows is None else halo * up // down
                col0 = 0 if cols is None else halo * up // down
                yield (top * up // down, left * up // down,
                       out[..., row0:row0 + (bottom - top) * up // down,
                           col0:col0 + (right - left) * up // down])


def run_tiled(network: Callable[[torch.Tensor], torch.Tensor], image: torch.Tensor, *,
              halo: int, align: int = 1, zoom: tuple[int, int] = (1, 1),
              tile: int = TILE) -> torch.Tensor:
    """``network(image)`` assembled from ``tiled_outputs`` into one preallocated float32
    tensor (B, C_out, H * p / q, W * p / q) on the image's device; arguments as there."""
    out = None
    up, down = zoom
    for row, col, piece in tiled_outputs(network, image, halo=halo, align=align, zoom=zoom,
                                         tile=tile):
        if out is None:
            out = torch.empty((*piece.shape[:-2], image.shape[-2] * up // down,
                               image.shape[-1] * up // down), dtype=torch.float32,
                              device=piece.device)
        out[..., row:row + piece.shape[-2], col:col + piece.shape[-1]] = piece
    return out

