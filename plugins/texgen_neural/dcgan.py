"""The DCGAN generator [Radford et al. 2016], made spatial and circular: the baseline the
texture StyleGAN (``model.Generator``) must beat, trained by the same loop on the same data.

As in the source design's DCGAN: transposed 4x4 convolutions of stride 2 upsample, each
followed by batch norm and a ReLU, a tanh makes the colour; no mapping network, styles,
modulation or per-pixel noise. Made for textures as the spatial GAN does [Jetchev et al.
2016]: the latent is a grid of noise at 1/cell of the output size (the StyleGAN's spatial
input), so one model makes any size, and every convolution, transposed ones included, wraps
around the edges, so the output tiles exactly.

Shapes: (B, input_channels, h, w) -> (B, 3, h * cell, w * cell), cell = 2**(levels - 1) as
for the StyleGAN of the same ``channels``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from texgen_neural.config import ModelConfig
from texgen_neural.model import Inputs, input_grid

#: Adam settings of the DCGAN's generator, the DCGAN paper's (its layers are plain PyTorch
#: ones with its N(0, 0.02) initialisation, not the StyleGAN's equalized ones).
ADAM = {"lr": 2e-4, "betas": (0.5, 0.999)}


class CircularConvTranspose(nn.Module):
    """4x4 transposed convolution of stride 2 on a periodic image, without bias (batch norm
    follows): (B, C_in, h, w) -> (B, C_out, 2h, 2w).

    The input is padded by one pixel wrapping around, transposed-convolved without padding
    (2h + 6 rows) and the three rows and columns at each end cropped: what remains is
    exactly PyTorch's padding=1 layer applied to the infinitely tiled input, so shifting the
    input by one pixel shifts the output by two and the output wraps around.
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv = nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x, (1, 1, 1, 1), mode="circular"))[..., 3:-3, 3:-3]


def _init_dcgan(module: nn.Module) -> None:
    """The DCGAN paper's initialisation: weights N(0, 0.02), batch norm scales N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class DCGANGenerator(nn.Module):
    """Circular 3x3 conv from the latent grid, then per further level a circular transposed
    convolution (x2), each with batch norm and ReLU; a circular 3x3 conv and tanh to colour.

    Same calling surface as ``model.Generator`` where it applies: ``make_inputs`` (the grid;
    ``z`` is empty and there are no noise maps), ``generate`` and ``forward``; the output is
    (B, 3, H, W) in [-1, 1]. In eval mode (how a model is loaded) batch norm uses its
    running statistics, so a sample does not depend on the rest of its batch.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        chans = config.channels
        layers: list[nn.Module] = [
            nn.Conv2d(config.input_channels, chans[0], 3, padding=1, padding_mode="circular",
                      bias=False),
            nn.BatchNorm2d(chans[0]), nn.ReLU()]
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [CircularConvTranspose(a, b), nn.BatchNorm2d(b), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.to_rgb = nn.Conv2d(chans[-1], 3, 3, padding=1, padding_mode="circular")
        self.apply(_init_dcgan)

    def make_inputs(self, batch: int, height: int, width: int, *,
                    generator: torch.Generator | None = None,
                    device: torch.device | str = "cpu") -> Inputs:
        """The latent grid (B, input_channels, height / cell, width / cell), N(0, 1), drawn on
        the CPU from ``generator`` then moved to ``device``; height and width must be
        multiples of ``config.cell``."""
        h, w = input_grid(self.config, height, width)
        spatial = torch.randn(batch, self.config.input_channels, h, w, generator=generator)
        return Inputs(torch.zeros(batch, 0).to(device), spatial.to(device), [])

    def forward(self, spatial: torch.Tensor) -> torch.Tensor:
        """(B, input_channels, h, w) -> (B, 3, h * cell, w * cell) in [-1, 1]."""
        return torch.tanh(self.to_rgb(self.body(spatial)))

    def generate(self, inputs: Inputs, label: torch.Tensor | None = None, *,
                 truncation: float = 1.0) -> torch.Tensor:
        """The output (B, 3, H, W) for ``make_inputs``' inputs. A DCGAN has no labels and
        no styles to truncate: ``ValueError`` for a label or a truncation other than 1."""
        if label is not None or truncation != 1.0:
            raise ValueError("a dcgan model has no labels and no styles (truncation)")
        return self(inputs.spatial)
