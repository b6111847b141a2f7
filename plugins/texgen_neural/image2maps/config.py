"""Configuration of image2maps as dataclasses: the networks, the training data, the training.

Plain Python (no PyTorch), so ``texgen train image2maps`` takes its option defaults from here
without importing torch when the CLI starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

#: The ``format`` of an image2maps model file (``texgen_neural.checkpoint``).
FORMAT = "texgen.image2maps"
#: Channels the generator reads: photo RGB (3), classical height (1), classical normal (3).
IN_CHANNELS = 7
#: ``TrainOptions.lr_decay`` choices.
LR_DECAYS = ("constant", "linear")
#: Channels the generator writes: normal correction (3), height correction (1), roughness (1).
OUT_CHANNELS = 5


def _from_dict(cls, data: dict, what: str):
    """``cls(**data)`` where unknown keys are an error naming them (a newer format)."""
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown {what} keys: {', '.join(unknown)}")
    return cls(**data)


@dataclass(frozen=True)
class NetConfig:
    """Sizes of the U-Net generator and the patch discriminator (stored in model.json).

    Attributes:
        channels: U-Net feature channels per level, fine to coarse; level k works at
            1/2**k of the input size, so the input is processed in multiples of ``stride``
            = 2**(levels - 1) pixels. Default (32, 64, 64, 64): a receptive field of about
            70 pixels; the narrower (8, 16, 32, 64) and (16, 32, 64, 64) did not beat the
            classical normals on held-out presets at both seeds tried (docs/maps.md).
        d_channels: discriminator channels per scale, fine to coarse; each scale halves the
            resolution. Default (16, 32, 32): patches of about 30 pixels.
        correction_scale: the share of its learned normal and height corrections the
            trained model applies (``model.apply_corrections``): 1 all of them, 0 the
            classical estimate. Training always learns the whole correction (at 1); a
            share below 1 shrinks it towards the classical estimate when the model runs.
            Default 0.25, the share chosen on held-out presets (docs/maps.md).
    """

    channels: tuple[int, ...] = (32, 64, 64, 64)
    d_channels: tuple[int, ...] = (16, 32, 32)
    correction_scale: float = 0.25

    def __post_init__(self):
        for name in ("channels", "d_channels"):
            values = tuple(int(c) for c in getattr(self, name))
            if not values or min(values) < 1:
                raise ValueError(f"image2maps config: {name} needs positive entries, "
                                 f"got {getattr(self, name)!r}")
            object.__setattr__(self, name, values)
        scale = float(self.correction_scale)
        if not 0.0 <= scale <= 1.0:
            raise ValueError(f"image2maps config: correction_scale must be in [0, 1], "
                             f"got {self.correction_scale!r}")
        object.__setattr__(self, "correction_scale", scale)

    @property
    def stride(self) -> int:
        """The generator's total downsampling: inputs are run at multiples of it."""
        return 2 ** (len(self.channels) - 1)

    def to_dict(self) -> dict:
        return {f.name: list(value) if isinstance(value := getattr(self, f.name), tuple)
                else value for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> NetConfig:
        """Build from ``to_dict()`` output; unknown keys are an error (a newer format)."""
        return _from_dict(cls, data, "image2maps config")


@dataclass(frozen=True)
class DataSettings:
    """How the training pairs are rendered (``data.load_dataset``); a digest of these and of
    the preset files names the dataset's cache folder, so equal settings reuse one rendering.

    Attributes:
        presets: preset names (or files) the materials come from, in order.
        size: side of each rendered sample in pixels. Default 128.
        samples: samples whose first material is each preset. Default 24.
        mix: probability that a sample mixes a second material under a mask. Default 0.5.
        procedural: further samples whose materials are random procedural graphs
            (``procedural.random_material_preset``), mixed alike; they belong to no preset,
            so every leave-one-preset-out fold trains on them. Default 360, as many as the
            15 demo presets' samples: held-out presets scored better with them in every
            run (docs/maps.md).
        seed: seeds the parameter values, render seeds, masks and lights. Default 0.
    """

    presets: tuple[str, ...] = ()
    size: int = 128
    samples: int = 24
    mix: float = 0.5
    procedural: int = 360
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "presets", tuple(str(p) for p in self.presets))
        if (self.size < 16 or self.samples < 1 or self.procedural < 0
                or not 0.0 <= self.mix <= 1.0):
            raise ValueError(f"image2maps data: size >= 16, samples >= 1, procedural >= 0 "
                             f"and mix in [0, 1] needed, got size {self.size}, samples "
                             f"{self.samples}, procedural {self.procedural}, mix {self.mix}")


@dataclass(frozen=True)
class TrainOptions:
    """Training settings (stored in the checkpoint, so ``--resume`` continues alike).

    Attributes:
        steps: total optimisation steps (one D and one G update each). Default 250.
        crop: side of the square training crops, a multiple of the generator's stride and of
            2**len(d_channels), at most the samples' size. Default 128, the samples' default
            size: a whole sample is periodic, so the circular padding sees true neighbours
            (the crop is still rolled by a random offset).
        batch: crops per step. Default 4.
        lr: Adam learning rate of both networks, betas (0.5, 0.999) as in pix2pix.
            Default 0.003 with the default 250 steps (the wide network's held-out score;
            the narrow one's was best at 0.0003, docs/maps.md).
        lr_decay: "constant" keeps ``lr``; "linear" lowers it linearly from ``lr`` at the
            first step to 0 after the last (``steps``), so the final weights are not one
            noisy step of a high rate. Default "constant".
        adversarial_weight: weight of the LSGAN term against the L1 terms (pix2pix: 1
            against 100). Default 0.01.
        height_weight: weight of the height L1 term (the normal's chord term weighs 1).
            Default 0.5.
        roughness_weight: weight of the roughness L1 term. Default 0.5.
        checkpoint_every: steps between resumable checkpoints (0: only at the end).
            Default 500.
        seed: seeds the weights and the crops. Default 0.
    """

    steps: int = 250
    crop: int = 128
    batch: int = 4
    lr: float = 0.003
    lr_decay: str = "constant"
    adversarial_weight: float = 0.01
    height_weight: float = 0.5
    roughness_weight: float = 0.5
    checkpoint_every: int = 500
    seed: int = 0

    def __post_init__(self):
        if self.lr_decay not in LR_DECAYS:
            raise ValueError(f"image2maps training: lr_decay must be one of "
                             f"{', '.join(LR_DECAYS)}, got {self.lr_decay!r}")

    def rate(self, step: int) -> float:
        """The learning rate of step ``step`` (1 .. ``steps``)."""
        if self.lr_decay == "linear":
            return self.lr * (1.0 - (step - 1) / self.steps)
        return self.lr

    @classmethod
    def from_dict(cls, data: dict) -> TrainOptions:
        return _from_dict(cls, data, "image2maps training options")
