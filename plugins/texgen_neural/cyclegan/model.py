"""The CycleGAN networks: two ResNet generators with circular padding, patch discriminators.

A generator (``ResnetGenerator``) is CycleGAN's ResNet generator made periodic: every
convolution pads circularly (``EqualConv2d``), downsampling is a 2x2 average and upsampling
bilinear with wrap-around (``resample_wrap``, shared with the StyleGAN), so a tiling input gives a
tiling output and rolling the input by a multiple of ``stride`` pixels rolls the output
alike. Instance norm (over the whole image) keeps each image's contrast its own.
``translate`` runs a generator on any size.

Shapes: B batch, H x W the image, level k works at H / 2**k x W / 2**k; images are
(B, 3, H, W) in [-1, 1].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from texgen.bands import row_bands
from texgen_neural.checkpoint import load_model
from texgen_neural.config import ModelConfig
from texgen_neural.cyclegan.config import DIRECTIONS, FORMAT, CycleConfig
from texgen_neural.model import Discriminator, EqualConv2d, resample_by_columns, resample_wrap


class ConvNorm(nn.Module):
    """Circular k x k conv, instance norm, optional ReLU: (B, C_in, H, W) -> (B, C_out, H, W)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int = 3, *,
                 relu: bool = True):
        super().__init__()
        self.conv = EqualConv2d(in_channels, out_channels, kernel, activate=False)
        self.norm = nn.InstanceNorm2d(out_channels, affine=True)
        self.relu = relu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm(self.conv(x))
        return F.relu(x) if self.relu else x


class ResidualBlock(nn.Module):
    """x + ConvNorm(ConvNorm(x), no ReLU): (B, C, h, w) -> (B, C, h, w)."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(ConvNorm(channels, channels),
                                  ConvNorm(channels, channels, relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Down(nn.Module):
    """2x2 average, then ConvNorm doubling the channels: (B, C, h, w) -> (B, 2C, h/2, w/2)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = ConvNorm(channels, 2 * channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.avg_pool2d(x, 2))


class Up(nn.Module):
    """x2 bilinear upsampling with wrap-around (``resample_wrap``), then ConvNorm halving
    the channels: (B, 2C, h, w) -> (B, C, 2h, 2w). (With the band-limited
    ``upsample_wrap`` instead, the first shipped-model run's translations showed strong
    diagonal stripes a few pixels apart; with this one they are weaker, see docs/neural.md.)"""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = ConvNorm(2 * channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(resample_wrap(x, 2 * x.shape[2], 2 * x.shape[3]))


class ResnetGenerator(nn.Module):
    """One direction: (B, 3, H, W) in [-1, 1] -> (B, 3, H, W) in (-1, 1); H and W
    multiples of ``config.stride``.

    7x7 stem -> ``downsamplings`` x ``Down`` -> ``blocks`` x ``ResidualBlock`` ->
    ``downsamplings`` x ``Up`` -> 7x7 head -> tanh. (A residual head starting at zero,
    tanh(atanh(input) + head), stayed the identity for the first hundreds of steps: its
    zero weights pass no gradient to the body.)
    """

    def __init__(self, config: CycleConfig):
        super().__init__()
        c, n = config.channels, config.downsamplings
        self.stem = ConvNorm(3, c, 7)                                      # (B, c, H, W)
        self.down = nn.Sequential(*(Down(c << k) for k in range(n)))       # (B, c 2^n, H/2^n, .)
        self.blocks = nn.Sequential(*(ResidualBlock(c << n) for _ in range(config.blocks)))
        self.up = nn.Sequential(*(Up(c << k) for k in reversed(range(n))))  # (B, c, H, W)
        self.head = EqualConv2d(c, 3, 7, activate=False)                   # (B, 3, H, W)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.up(self.blocks(self.down(self.stem(image))))
        return torch.tanh(self.head(x))


class CycleGAN(nn.Module):
    """The two generators, what a model folder ships: ``a_to_b`` and ``b_to_a``."""

    def __init__(self, config: CycleConfig):
        super().__init__()
        self.config = config
        self.a_to_b = ResnetGenerator(config)
        self.b_to_a = ResnetGenerator(config)

    def forward(self, image: torch.Tensor, direction: str) -> torch.Tensor:
        """``image`` (B, 3, H, W) in [-1, 1] through the generator of ``direction``
        ("a_to_b" or "b_to_a"); H and W multiples of the stride (``translate``: any)."""
        if direction not in DIRECTIONS:
            raise ValueError(f"direction {direction!r}: expected one of {', '.join(DIRECTIONS)}")
        return getattr(self, direction)(image)


def discriminator(config: CycleConfig) -> Discriminator:
    """A patch discriminator (the StyleGAN's, without labels) with ``config.d_channels``:
    (B, 3, H, W) -> scores (B, 1, H / 2**n, W / 2**n)."""
    return Discriminator(ModelConfig(d_channels=config.d_channels))


def translate(model: CycleGAN, image: torch.Tensor, direction: str) -> torch.Tensor:
    """``model(image, direction)`` at any size: (B, 3, H, W) -> (B, 3, H, W) in [-1, 1].

    A size that is not a multiple of the stride is resampled with wrap-around
    (``resample_wrap``) to the next multiple and the result back to H x W, so a tiling
    input still gives a tiling output.
    """
    height, width = image.shape[-2:]
    stride = model.config.stride
    padded_h, padded_w = -(-height // stride) * stride, -(-width // stride) * stride
    if (padded_h, padded_w) == (height, width):
        return model(image, direction)
    out = model(resample_wrap(image, padded_h, padded_w), direction)
    return resample_wrap(out, height, width).clamp(-1.0, 1.0)


def translate_image(model: CycleGAN, image, *, direction: str,
                    resolution: int = 0) -> torch.Tensor:
    """One color texture (H, W, 3) in [0, 1] (numpy, torch or a CUDA array) translated on
    the model's device: float32 (H, W, 3) in [0, 1], a torch tensor.

    ``resolution`` 0 translates one model pixel per image pixel; N > 0 translates the
    image resampled (``resample_wrap``) to N x round(N H / W) pixels and resamples the
    result back to H x W, so the translation's features keep their size relative to the
    texture at every render size (sharp up to N pixels). With N, the image is read a band
    of columns at a time (``resample_by_columns``) and the result written a band of rows at
    a time into the preallocated output, so memory beyond the image and the result does
    not grow with H x W. (At 0 the network runs on the whole image: its instance norm
    looks at all of it, so it cannot run in tiles.)
    """
    device = next(model.parameters()).device
    height, width = image.shape[:2]

    def network_input(columns: slice = slice(None)) -> torch.Tensor:
        """(1, 3, H, band) in [-1, 1]: the image's ``columns``."""
        if isinstance(image, np.ndarray):  # engine results are read-only: torch wants a copy
            x = torch.from_numpy(np.array(image[:, columns, :3], dtype=np.float32))
        else:
            x = torch.as_tensor(image, device=device)[:, columns, :3]
        return x.to(device).float().permute(2, 0, 1)[None].clamp(0.0, 1.0) * 2 - 1

    def as_image(out: torch.Tensor) -> torch.Tensor:
        return (out[0].permute(1, 2, 0) * 0.5 + 0.5).clamp(0.0, 1.0)

    with torch.no_grad():
        if not resolution:
            return as_image(translate(model, network_input(), direction)).contiguous()
        model_size = (max(1, round(resolution * height / width)), resolution)
        x = resample_by_columns(network_input, (height, width), *model_size)
        out = translate(model, x, direction)
        result = torch.empty((height, width, 3), device=device)
        for rows in row_bands(height, width):
            result[rows] = as_image(resample_wrap(out, height, width,
                                                  rows=(rows.start, rows.stop)))
    return result


def translate_array(model: CycleGAN, image: np.ndarray, *, direction: str) -> np.ndarray:
    """``translate_image`` for a numpy (H, W, 3) image: float32 (H, W, 3) numpy."""
    return translate_image(model, image, direction=direction).cpu().numpy()


def load_cyclegan(path: str | Path, *, device: str | torch.device = "cpu") -> CycleGAN:
    """The CycleGAN in a model folder or its generator.safetensors, in eval mode;
    ``CheckpointError`` naming the file for a missing, pickled, corrupt or foreign file."""
    return load_model(path, format=FORMAT, config_from_dict=CycleConfig.from_dict,
                      build=CycleGAN, train_hint="texgen train cyclegan", device=device)
