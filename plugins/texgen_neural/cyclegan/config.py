"""Configuration of the CycleGAN as dataclasses: the networks' sizes and the training settings.

Plain Python (no PyTorch), so ``texgen train cyclegan`` takes its option defaults from here
without importing torch when the CLI starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from texgen_neural.image2maps.config import _from_dict

#: The ``format`` of a CycleGAN model file (``texgen_neural.checkpoint``).
FORMAT = "texgen.cyclegan"
#: The two translation directions, as the node's ``direction`` parameter names them.
DIRECTIONS = ("a_to_b", "b_to_a")


@dataclass(frozen=True)
class CycleConfig:
    """Sizes of the two generators and the two discriminators (stored in model.json).

    Attributes:
        channels: generator channels at full resolution; each downsampling doubles them.
            Default 8 (a 2-core CPU trains about 2 steps a second, a model of 0.2 MB).
        downsamplings: x2 downsamplings before the residual blocks (and upsamplings after):
            images are processed in multiples of ``stride`` = 2**downsamplings pixels.
            Default 2.
        blocks: residual blocks at the coarsest resolution. Default 4: with two
            downsamplings a receptive field of about 90 pixels.
        d_channels: discriminator channels per scale, fine to coarse (the StyleGAN's patch
            discriminator); each scale halves the resolution. Default (16, 32, 64):
            patches of about 40 pixels.
    """

    channels: int = 8
    downsamplings: int = 2
    blocks: int = 4
    d_channels: tuple[int, ...] = (16, 32, 64)

    def __post_init__(self):
        values = tuple(int(c) for c in self.d_channels)
        if not values or min(values) < 1:
            raise ValueError(f"cyclegan config: d_channels needs positive entries, "
                             f"got {self.d_channels!r}")
        object.__setattr__(self, "d_channels", values)
        for name, least in (("channels", 1), ("downsamplings", 0), ("blocks", 0)):
            if int(getattr(self, name)) < least:
                raise ValueError(f"cyclegan config: {name} must be >= {least}, "
                                 f"got {getattr(self, name)}")

    @property
    def stride(self) -> int:
        """The generators' total downsampling: inputs are run at multiples of it."""
        return 2 ** self.downsamplings

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "d_channels": list(self.d_channels)}

    @classmethod
    def from_dict(cls, data: dict) -> CycleConfig:
        """Build from ``to_dict()`` output; unknown keys are an error (a newer format)."""
        return _from_dict(cls, data, "cyclegan config")


@dataclass(frozen=True)
class TrainOptions:
    """Training settings (stored in the checkpoint, so ``--resume`` continues alike).

    Attributes:
        steps: total optimisation steps (one update of both generators, then of both
            discriminators). Default 2000.
        crop: side of the square training crops in pixels; a multiple of the generators'
            stride and of the discriminators' downsampling. Default 64.
        batch: crops of each set per step. Default 4.
        lr: Adam learning rate (betas 0.5, 0.99; the layers have equalized learning rates,
            so this is the relative change per step). Default 0.002.
        cycle_weight: weight of the cycle-consistency L1 (CycleGAN's lambda). Default 10.
        identity_weight: weight of the identity L1, relative to ``cycle_weight``. Default 0.5.
        sample_every: steps between sample grids (0: none). Default 100.
        checkpoint_every: steps between checkpoints (0: only the last). Default 100.
        seed: seed of the weights and the crops. Default 0.
    """

    steps: int = 2000
    crop: int = 48
    batch: int = 4
    lr: float = 0.002
    cycle_weight: float = 10.0
    identity_weight: float = 0.5
    sample_every: int = 100
    checkpoint_every: int = 100
    seed: int = 0

    def __post_init__(self):
        for name in ("steps", "crop", "batch"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"cyclegan options: {name} must be >= 1, "
                                 f"got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"cyclegan options: lr must be > 0, got {self.lr}")

    @classmethod
    def from_dict(cls, data: dict) -> TrainOptions:
        return _from_dict(cls, data, "cyclegan options")
