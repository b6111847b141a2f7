"""The material VAE: an encoder to a spatial latent grid, a decoder back, a patch
discriminator, and what the ``neural.vae`` node does with them (sample, reconstruct,
interpolate) at any size.

Every convolution pads circularly (``EqualConv2d``), downsampling is a 2x2 average and
upsampling bilinear with wrap-around (``resample_wrap``), so a decoded stack tiles exactly
and rolling an input by a multiple of ``stride`` pixels rolls the output alike. No
normalisation layer looks at the whole image, so a pixel's output depends only on its
neighbourhood (a stack morphs the same way at every size).

Shapes: B batch, H x W the stack (multiples of ``stride`` inside the networks; the
functions at the end take any size), h x w = H / stride x W / stride the latent grid.
Stacks are (B, 8, H, W) in [-1, 1] inside the networks (``MAPS`` order: basecolor,
height, roughness, normal), maps (H, W, C) in [0, 1] outside.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from texgen.bands import row_bands
from texgen_neural.checkpoint import load_model
from texgen_neural.config import ModelConfig
from texgen_neural.model import Discriminator, EqualConv2d, resample_by_columns, resample_wrap
from texgen_neural.tiling import TILE, run_tiled, tiled_outputs
from texgen_neural.vae.config import FORMAT, LEVELS, MAPS, MODES, STACK_CHANNELS, VaeConfig


class ResidualBlock(nn.Module):
    """(x + conv(conv(x))) / sqrt(2), circular 3x3 convs: (B, C, h, w) -> (B, C, h, w)."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(EqualConv2d(channels, channels, 3),
                                  EqualConv2d(channels, channels, 3, activate=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x + self.body(x)) / math.sqrt(2.0)


class Down(nn.Module):
    """2x2 average, then a circular 3x3 conv: (B, C_in, h, w) -> (B, C_out, h/2, w/2)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = EqualConv2d(in_channels, out_channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.avg_pool2d(x, 2))


class Up(nn.Module):
    """x2 bilinear upsampling with wrap-around, then a circular 3x3 conv:
    (B, C_in, h, w) -> (B, C_out, 2h, 2w)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = EqualConv2d(in_channels, out_channels, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(resample_wrap(x, 2 * x.shape[2], 2 * x.shape[3]))


class Encoder(nn.Module):
    """Stack (B, 8, H, W) -> (mean, log variance), each (B, latent_channels, h, w).

    3x3 stem -> one ``Down`` per level after the first -> ``blocks`` x ``ResidualBlock`` ->
    3x3 head to both halves; the log variance is clamped to [-10, 4] (no overflow in exp).
    """

    def __init__(self, config: VaeConfig):
        super().__init__()
        c = config.channels
        self.stem = EqualConv2d(STACK_CHANNELS, c[0], 3)                   # (B, c0, H, W)
        self.down = nn.Sequential(*(Down(a, b) for a, b in zip(c, c[1:])))  # (B, cN, h, w)
        self.blocks = nn.Sequential(*(ResidualBlock(c[-1]) for _ in range(config.blocks)))
        self.head = EqualConv2d(c[-1], 2 * config.latent_channels, 3, activate=False)

    def forward(self, stack: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.head(self.blocks(self.down(self.stem(stack))))         # (B, 2 L, h, w)
        mean, log_variance = x.chunk(2, dim=1)
        return mean, log_variance.clamp(-10.0, 4.0)


class Decoder(nn.Module):
    """Latent (B, latent_channels, h, w) -> stack (B, 8, H, W) in (-1, 1).

    3x3 stem -> ``blocks`` x ``ResidualBlock`` -> one ``Up`` per level after the first ->
    3x3 head -> tanh: the encoder's ladder backwards.
    """

    def __init__(self, config: VaeConfig):
        super().__init__()
        c = config.channels[::-1]                                        # coarse to fine
        self.stem = EqualConv2d(config.latent_channels, c[0], 3)         # (B, cN, h, w)
        self.blocks = nn.Sequential(*(ResidualBlock(c[0]) for _ in range(config.blocks)))
        self.up = nn.Sequential(*(Up(a, b) for a, b in zip(c, c[1:])))  # (B, c0, H, W)
        self.head = EqualConv2d(c[-1], STACK_CHANNELS, 3, activate=False)

    def forward(self, latent: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.head(self.up(self.blocks(self.stem(latent)))))


class MaterialVAE(nn.Module):
    """The encoder and the decoder: what a model folder ships."""

    def __init__(self, config: VaeConfig):
        super().__init__()
        self.config = config
        self.encoder = Encoder(config)
        self.decoder = Decoder(config)

    def forward(self, stack: torch.Tensor, noise: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(reconstruction (B, 8, H, W), mean, log variance (B, L, h, w)) of a stack whose
        sides are multiples of the stride; the latent is ``mean + exp(log_variance / 2) x
        noise`` (the reparameterisation), the mean itself when ``noise`` is None."""
        mean, log_variance = self.encoder(stack)
        latent = mean if noise is None else mean + torch.exp(0.5 * log_variance) * noise
        return self.decoder(latent), mean, log_variance


class StackDiscriminator(Discriminator):
    """The StyleGAN's patch discriminator reading 8-channel stacks:
    (B, 8, H, W) -> scores (B, 1, H / 2**n, W / 2**n), n = len(d_channels)."""

    def __init__(self, config: VaeConfig):
        super().__init__(ModelConfig(d_channels=config.d_channels))
        self.from_rgb = EqualConv2d(STACK_CHANNELS, config.d_channels[0], 1)


# --- any size, maps in and out -------------------------------------------------------------------

def padded_size(config: VaeConfig, height: int, width: int) -> tuple[int, int]:
    """(height, width) rounded up to multiples of the stride."""
    stride = config.stride
    return -(-height // stride) * stride, -(-width // stride) * stride


def encoder_halo(config: VaeConfig) -> int:
    """The encoder's receptive radius in stack pixels, counted from the edges of a latent
    cell: the stem's 3x3 (1 pixel), each ``Down``'s 3x3 at level k (2**k), the residual
    blocks' two 3x3 each and the head's 3x3 at the latent grid (``stride`` each): at most
    ``stride`` x (3 + 2 blocks)."""
    return config.stride * (3 + 2 * config.blocks)


def decoder_halo(config: VaeConfig) -> int:
    """The decoder's receptive radius in latent cells: the stem's and each residual
    block's 3x3 convs (1 cell each), each ``Up``'s bilinear x2 and 3x3 conv (at most 2
    cells) and the head's 3x3 (under 1 cell): at most 2 (blocks + levels)."""
    return 2 * (config.blocks + len(config.channels))


def encode(model: MaterialVAE, stack: torch.Tensor, *, tile: int = TILE) -> torch.Tensor:
    """The latent mean (B, L, ceil(H / stride), ceil(W / stride)) of a stack (B, 8, H, W)
    of any size: a side that is not a multiple of the stride is first resampled with
    wrap-around (``resample_wrap``) up to the next multiple. The encoder runs in tiles of
    ``tile`` pixels (``tiling.run_tiled``), so its activations take the same memory at
    every size."""
    height, width = padded_size(model.config, *stack.shape[-2:])
    if (height, width) != tuple(stack.shape[-2:]):
        stack = resample_wrap(stack, height, width)
    stride = model.config.stride
    return run_tiled(lambda piece: model.encoder(piece)[0], stack,
                     halo=encoder_halo(model.config), align=stride, zoom=(1, stride),
                     tile=tile)


def _decoder_tiling(model: MaterialVAE, tile: int) -> dict:
    """The ``tiling`` arguments of the decoder for tiles of about ``tile`` output pixels."""
    stride = model.config.stride
    return {"halo": decoder_halo(model.config), "zoom": (stride, 1),
            "tile": max(1, tile // stride)}


def decode(model: MaterialVAE, latent: torch.Tensor, height: int, width: int, *,
           tile: int = TILE) -> torch.Tensor:
    """A latent grid (B, L, h, w) decoded to a stack (B, 8, height, width) in [-1, 1]: the
    decoder's (h stride) x (w stride) output (run in tiles of about ``tile`` pixels,
    ``tiling.run_tiled``), resampled with wrap-around when that is not the size asked for
    (so any size tiles too)."""
    stack = run_tiled(model.decoder, latent, **_decoder_tiling(model, tile))
    if tuple(stack.shape[-2:]) != (height, width):
        stack = resample_wrap(stack, height, width).clamp(-1.0, 1.0)
    return stack


def decoded_maps(model: MaterialVAE, latent: torch.Tensor, model_size: tuple[int, int],
                 size: tuple[int, int], *, tile: int = TILE) -> dict[str, torch.Tensor]:
    """``stack_to_maps`` of a latent grid (1, L, h, w) decoded at ``model_size`` (``decode``)
    and resampled to ``size`` (height, width) with wrap-around: {map name: float32 (height,
    width, C)} on the latent's device.

    The maps are preallocated and written a piece at a time: the decoder's tiles when it
    decodes straight to ``size``, else bands of rows of the final resampling
    (``resample_wrap(rows=...)``), so no full-size stack exists besides the maps. The
    values are those of decoding and resampling whole (the decoder's tiles up to float
    rounding, ``tiling.tiled_outputs``).
    """
    maps = {name: torch.empty((*size, channels), device=latent.device)
            for name, channels in MAPS}

    def put(row: int, col: int, stack: torch.Tensor) -> None:
        for name, piece in stack_to_maps(stack).items():
            maps[name][row:row + piece.shape[0], col:col + piece.shape[1]] = piece

    grid = tuple(side * model.config.stride for side in latent.shape[-2:])
    if grid == tuple(model_size) == tuple(size):
        for row, col, piece in tiled_outputs(model.decoder, latent,
                                             **_decoder_tiling(model, tile)):
            put(row, col, piece)
        return maps
    stack = decode(model, latent, *(model_size if model_size != size else grid), tile=tile)
    for rows in row_bands(size[0], size[1]):
        put(rows.start, 0, resample_wrap(stack, *size, rows=(rows.start, rows.stop)
                                         ).clamp(-1.0, 1.0))
    return maps


def prior_latent(model: MaterialVAE, height: int, width: int, *, seed: int,
                 temperature: float = 1.0) -> torch.Tensor:
    """A latent grid for a height x width stack drawn from the prior N(0, temperature²) by
    ``seed`` on the CPU (the same on every device), on the model's device:
    (1, L, ceil(height / stride), ceil(width / stride))."""
    grid = padded_size(model.config, height, width)
    shape = (1, model.config.latent_channels, grid[0] // model.config.stride,
             grid[1] // model.config.stride)
    latent = torch.randn(shape, generator=torch.Generator().manual_seed(int(seed)))
    return (latent * temperature).to(next(model.parameters()).device)


def map_size(maps: dict) -> tuple[int, int]:
    """The (H, W) of a dict of maps (``MAPS`` names; numpy, torch or CUDA arrays (H, W, C),
    C as ``MAPS`` says or more); ValueError naming the map for a wrong channel count or a
    size that differs from the others'."""
    size = None
    for name, channels in MAPS:
        shape = tuple(maps[name].shape)
        if len(shape) != 3 or shape[2] < channels:
            raise ValueError(f"{name}: expected (H, W, {channels}), got {shape}")
        if size is not None and shape[:2] != size:
            raise ValueError(f"{name}: {shape[1]}x{shape[0]} differs from the other maps' "
                             f"{size[1]}x{size[0]}")
        size = shape[:2]
    return size


def maps_to_stack(maps: dict, device: torch.device | str, *,
                  columns: slice = slice(None)) -> torch.Tensor:
    """A dict of maps (as ``map_size`` checks them: extra channels are dropped) -> stack
    (1, 8, H, W) in [-1, 1] on ``device``, of the maps' ``columns`` only when given."""
    map_size(maps)
    parts = []
    for name, channels in MAPS:
        value = maps[name]
        if isinstance(value, np.ndarray):  # engine results are read-only: torch wants a copy
            tensor = torch.from_numpy(np.array(value[:, columns, :channels], dtype=np.float32))
        else:
            tensor = torch.as_tensor(value, device=device)[:, columns, :channels]
        parts.append(tensor.to(device).float().clamp(0.0, 1.0))
    return (torch.cat(parts, dim=2).permute(2, 0, 1)[None] * 2 - 1).contiguous()


def resampled_stack(maps: dict, device: torch.device | str, height: int,
                    width: int) -> torch.Tensor:
    """``resample_wrap(maps_to_stack(maps, device), height, width)``: (1, 8, height, width),
    the same values, read a band of the maps' columns at a time (``resample_by_columns``)
    so that no full-size stack exists when the size changes."""
    size = map_size(maps)
    if size == (height, width):
        return maps_to_stack(maps, device)
    return resample_by_columns(lambda columns: maps_to_stack(maps, device, columns=columns),
                               size, height, width)


def stack_to_maps(stack: torch.Tensor) -> dict[str, torch.Tensor]:
    """Stack (1, 8, H, W) in [-1, 1] -> {map name: float32 (H, W, C) in [0, 1]} on its
    device; the normal is renormalised to unit length before encoding (0.5 + 0.5 n), so it
    is a valid normal map whatever the decoder wrote."""
    image = stack[0].permute(1, 2, 0)                                   # (H, W, 8)
    maps, start = {}, 0
    for name, channels in MAPS:
        part = image[..., start:start + channels]
        if name == "normal":
            part = F.normalize(part, dim=-1, eps=1e-6)
        maps[name] = (part * 0.5 + 0.5).clamp(0.0, 1.0).contiguous()
        start += channels
    return maps


#: The largest factor ``match_levels`` scales a map channel's contrast by (a decoder output
#: that came out nearly flat is not amplified into noise).
MAX_CONTRAST_GAIN = 8.0
#: The maps whose channels' means and deviations ``match_levels`` sets; the normal follows
#: the height.
LEVEL_MAPS = tuple((name, channels) for name, channels in MAPS if name != "normal")


def map_levels(maps: dict) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """{map name: (mean (C,), standard deviation (C,))} of the channels of each
    ``LEVEL_MAPS`` map in [0, 1] (values clamped there, extra channels dropped), float64 on
    the CPU; accumulated a band of rows at a time, so no full-size temporary exists."""
    size = map_size(maps)
    levels = {}
    for name, channels in LEVEL_MAPS:
        total = torch.zeros(channels, dtype=torch.float64)
        squares = torch.zeros(channels, dtype=torch.float64)
        for rows in row_bands(*size):
            value = maps[name][rows, :, :channels]
            band = (torch.from_numpy(np.array(value, np.float64))
                    if isinstance(value, np.ndarray) else torch.as_tensor(value))
            band = band.to("cpu", torch.float64).clamp(0.0, 1.0).reshape(-1, channels)
            total += band.sum(0)
            squares += band.square().sum(0)
        count = size[0] * size[1]
        mean = total / count
        levels[name] = (mean, (squares / count - mean.square()).clamp(min=0.0).sqrt())
    return levels


def blended_levels(a: dict, b: dict, t: float) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``map_levels`` of maps ``a`` and of ``b``, each mean and deviation lerped by ``t``:
    the levels of a morph at ``t``."""
    levels_b = map_levels(b)
    return {name: tuple(torch.lerp(x, y, float(t)) for x, y in zip(pair, levels_b[name]))
            for name, pair in map_levels(a).items()}


def match_levels(maps: dict[str, torch.Tensor],
                 levels: dict[str, tuple[torch.Tensor, torch.Tensor]]) -> None:
    """Set each channel of ``maps``' basecolor, height and roughness ({name: (H, W, C) in
    [0, 1]}, changed in place, a band of rows at a time) to the mean and standard
    deviation of ``levels`` (``map_levels``): (x - mean) x gain + target mean, gain =
    target deviation / deviation (at most ``MAX_CONTRAST_GAIN``), clamped to [0, 1]. The
    normal's slopes (x / z, y / z) are scaled by the height's gain, so the normal stays
    the height's: a relief made g times deeper tilts its normals g times as much."""
    own = map_levels(maps)
    height_gain = None
    for name, _ in LEVEL_MAPS:
        image = maps[name]
        gain = (levels[name][1] / own[name][1].clamp(min=1e-6)).clamp(max=MAX_CONTRAST_GAIN)
        if name == "height":
            height_gain = gain
        shift = (levels[name][0] - own[name][0] * gain).to(image.device, image.dtype)
        gain = gain.to(image.device, image.dtype)
        for rows in row_bands(*image.shape[:2]):
            image[rows].mul_(gain).add_(shift).clamp_(0.0, 1.0)
    normal = maps["normal"]
    gain = height_gain.to(normal.device, normal.dtype)
    for rows in row_bands(*normal.shape[:2]):
        band = normal[rows]
        vector = band * 2.0 - 1.0
        slopes = vector[..., :2] / vector[..., 2:].clamp(min=1e-3) * gain
        vector = torch.cat([slopes, torch.ones_like(slopes[..., :1])], -1)
        band.copy_(F.normalize(vector, dim=-1) * 0.5 + 0.5)


def run_mode(model: MaterialVAE, mode: str, *, height: int, width: int, seed: int = 0,
             a: dict | None = None, b: dict | None = None, t: float = 0.5,
             temperature: float = 1.0, resolution: int = 0, levels: str = "input",
             tile: int = TILE) -> dict[str, torch.Tensor]:
    """What the ``neural.vae`` node outputs: {map name: float32 (height, width, C) in
    [0, 1]}, torch tensors on the model's device.

    ``mode`` "sample" decodes ``prior_latent`` (``seed``, ``temperature``); "reconstruct"
    decodes the latent mean of maps ``a``; "interpolate" decodes lerp(mean(a), mean(b),
    ``t``): t 0 is a's reconstruction, 1 b's. With ``levels`` "input" (reconstruct and
    interpolate), a stack's code is its latent grid together with the mean and standard
    deviation of each basecolor, height and roughness channel (``map_levels``: 10
    numbers): the decoded maps are matched to a's (``match_levels``; the normal follows the
    height), or for a morph to the lerp of a's and b's by ``t``. The grid carries the
    layout and the detail; the 10 numbers pin each map's level and contrast, which a
    grid's posterior mean decodes only approximately. "decoder" keeps the decoder's
    own levels. ``resolution`` 0 runs one model pixel per
    output pixel; N > 0 runs at N x round(N height / width) model pixels (inputs resampled
    there with wrap-around, the result back), so the material keeps its size relative to
    the texture at every render size. The networks run in tiles of about ``tile`` pixels
    (``encode``, ``decoded_maps``) and the full-size maps are read and written a band at a
    time, so memory beyond the maps is bounded whatever the size.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    if levels not in LEVELS:
        raise ValueError(f"levels {levels!r}: expected one of {', '.join(LEVELS)}")
    device = next(model.parameters()).device
    model_height, model_width = (max(1, round(resolution * height / width)), resolution) \
        if resolution else (height, width)

    def latent_of(maps: dict) -> torch.Tensor:
        return encode(model, resampled_stack(maps, device, model_height, model_width),
                      tile=tile)

    target = None
    with torch.no_grad():
        if mode == "sample":
            latent = prior_latent(model, model_height, model_width, seed=seed,
                                  temperature=temperature)
        elif mode == "reconstruct":
            latent = latent_of(a)
            target = map_levels(a)
        else:
            latent = torch.lerp(latent_of(a), latent_of(b), float(t))
            target = blended_levels(a, b, t)
        maps = decoded_maps(model, latent, (model_height, model_width), (height, width),
                            tile=tile)
        if target is not None and levels == "input":
            match_levels(maps, target)
        return maps


def run_mode_arrays(model: MaterialVAE, mode: str, **kwargs) -> dict[str, np.ndarray]:
    """``run_mode`` with numpy results: {map name: float32 (H, W, C)}."""
    return {name: value.cpu().numpy() for name, value in run_mode(model, mode, **kwargs).items()}


def load_vae(path: str | Path, *, device: str | torch.device = "cpu") -> MaterialVAE:
    """The VAE in a model folder or its generator.safetensors, in eval mode;
    ``CheckpointError`` naming the file for a missing, pickled, corrupt or foreign file."""
    return load_model(path, format=FORMAT, config_from_dict=VaeConfig.from_dict,
                      build=MaterialVAE, train_hint="texgen train vae", device=device)
