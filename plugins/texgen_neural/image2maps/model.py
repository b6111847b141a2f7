"""The image2maps networks: a U-Net that refines the classical estimate, a patch discriminator.

Every convolution pads circularly (``EqualConv2d``), downsampling is a 2x2 average and
upsampling the band-limited ``upsample_wrap`` shared with the StyleGAN, so an image that
tiles gives maps that tile, and shifting the input by a multiple of ``stride`` pixels
shifts the output alike. ``UNet.forward`` needs sizes that are multiples of ``stride``;
``refine`` handles any size.

Shapes: B batch, H x W the image, level k works at H / 2**k x W / 2**k.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from texgen_neural.image2maps.config import IN_CHANNELS, OUT_CHANNELS, NetConfig
from texgen_neural.model import EqualConv2d, resample_wrap, upsample_wrap


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
    estimate. H and W must be multiples of ``config.stride``.
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
        return apply_corrections(inputs, self.head(x), self.slope_gain)  # (B, 5, H, W)


def apply_corrections(inputs: torch.Tensor, raw: torch.Tensor,
                      slope_gain: torch.Tensor) -> torch.Tensor:
    """The maps from the network's inputs (B, 7, H, W) and raw output (B, 5, H, W):
    (B, 5, H, W) = normal (unit vector, z >= 0), height (standardised units), roughness in
    (0, 1).

    The normal is the classical normal with its x and y scaled by ``slope_gain`` (one
    learned number: the classical relief depth is a fixed guess), plus the correction,
    renormalised (z clamped to >= 0.001 first: a tangent-space normal faces out); the
    height the classical height plus the correction; the roughness a sigmoid of its channel
    (centred on 0.5).
    """
    normal = torch.cat([inputs[:, 4:6] * slope_gain, inputs[:, 6:7]], 1) + raw[:, 0:3]
    normal = torch.cat([normal[:, :2], normal[:, 2:3].clamp(min=1e-3)], 1)
    normal = normal / normal.norm(dim=1, keepdim=True)
    height = inputs[:, 3:4] + raw[:, 3:4]
    return torch.cat([normal, height, torch.sigmoid(raw[:, 4:5])], 1)


def refine(unet: UNet, inputs: torch.Tensor) -> torch.Tensor:
    """``unet(inputs)`` at any size: (B, 7, H, W) -> (B, 5, H, W).

    A size that is not a multiple of the stride is resampled with wrap-around
    (``resample_wrap``) to the next multiple and the maps back to H x W (normals
    renormalised), so a tiling input still gives tiling maps.
    """
    height, width = inputs.shape[-2:]
    stride = unet.config.stride
    padded_h, padded_w = -(-height // stride) * stride, -(-width // stride) * stride
    if (padded_h, padded_w) == (height, width):
        return unet(inputs)
    maps = resample_wrap(unet(resample_wrap(inputs, padded_h, padded_w)), height, width)
    normal = maps[:, :3] / maps[:, :3].norm(dim=1, keepdim=True).clamp(min=1e-6)
    return torch.cat([normal, maps[:, 3:]], 1)


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
