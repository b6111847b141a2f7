"""Configuration of the StyleGAN plugin as dataclasses: the model's sizes and the training
settings.

Plain Python (no PyTorch), so the ``texgen train stylegan`` command can take its option
defaults from here without importing torch when the CLI starts; ``model.py`` and
``train.py`` use these classes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

#: The generator architectures a model config may name.
ARCHITECTURES = ("stylegan", "dcgan")
#: The differentiable augmentations training may apply to real and fake crops alike
#: (``train.augment``).
AUGMENTATIONS = ("symmetry", "translate", "color")


@dataclass(frozen=True)
class ModelConfig:
    """Hyper-parameters of a generator and its discriminator (stored in the model's JSON).

    Attributes:
        z_dim: latent size. Default 64.
        w_dim: style size (output of the mapping network). Default 64.
        mapping_layers: depth of the mapping MLP z -> w. Default 2.
        input_channels: channels of the spatial noise input. Default 16.
        channels: feature channels per level, coarse to fine; level 0 runs at the spatial
            input's resolution and each further level doubles it. Default (128, 64, 32, 16):
            4 levels, so one input pixel becomes an 8 x 8 ``cell`` of output pixels.
        num_classes: 0 for an unconditional model; N > 0 for N labelled exemplars.
        mapping_lr_mul: learning-rate multiplier of the mapping network (StyleGAN: 0.01).
        d_channels: discriminator channels per scale, fine to coarse; each scale halves the
            resolution, so its receptive field (the "patch") grows with the count.
            Default (16, 32, 64, 128): patches of about 70 pixels, few channels at full
            resolution (where the cost is).
        arch: the generator: "stylegan" (``model.Generator``, the default) or "dcgan"
            (``dcgan.DCGANGenerator``: transposed convolutions and batch norm, no mapping
            network, styles or noise; the baseline the StyleGAN must beat). Models saved
            before this key existed are StyleGANs.
        periodic: PSGAN's periodic channels in the StyleGAN's spatial input: this many
            sinusoids whose wave vectors an MLP derives from the coarsest style, rounded to
            whole cycles per output so it still tiles. Default 0 (none: the models saved
            before this key existed); StyleGAN only.
        noise_init: starting strength of every styled layer's per-pixel noise (the
            activations it joins have unit variance). At 0, StyleGAN2's choice, the noise
            is a saddle: its gradient averages to zero until it already shapes the output,
            so within a CPU budget it barely grows and samples lack fine detail. Only
            training reads it (a saved model stores its learnt strengths; models saved
            before this key existed were trained from 0). Default 0.1 (docs/neural.md,
            "Training settings"); StyleGAN only.
    """

    z_dim: int = 64
    w_dim: int = 64
    mapping_layers: int = 2
    input_channels: int = 16
    channels: tuple[int, ...] = (128, 64, 32, 16)
    num_classes: int = 0
    mapping_lr_mul: float = 0.01
    d_channels: tuple[int, ...] = (16, 32, 64, 128)
    arch: str = "stylegan"
    periodic: int = 0
    noise_init: float = 0.1

    def __post_init__(self):
        for name in ("channels", "d_channels"):
            object.__setattr__(self, name, tuple(int(c) for c in getattr(self, name)))
        for name in ("z_dim", "w_dim", "mapping_layers", "input_channels"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"model config: {name} must be >= 1, got {getattr(self, name)}")
        if not self.channels or min(self.channels) < 1 or not self.d_channels \
                or min(self.d_channels) < 1:
            raise ValueError("model config: channels and d_channels need at least one "
                             "positive entry")
        if self.num_classes < 0:
            raise ValueError(f"model config: num_classes must be >= 0, got {self.num_classes}")
        if self.arch not in ARCHITECTURES:
            raise ValueError(f"model config: arch must be one of {', '.join(ARCHITECTURES)}, "
                             f"got {self.arch!r}")
        if self.periodic < 0 or (self.periodic and self.arch != "stylegan"):
            raise ValueError(f"model config: periodic must be >= 0, and 0 for arch "
                             f"{self.arch!r} (periodic channels are the StyleGAN's input), "
                             f"got {self.periodic}")
        if self.arch != "stylegan":  # no noise inputs: the field means nothing
            object.__setattr__(self, "noise_init", 0.0)
        if self.noise_init < 0:
            raise ValueError(f"model config: noise_init must be >= 0, got {self.noise_init}")
        if self.arch == "dcgan" and self.num_classes:
            raise ValueError("model config: a dcgan model is unconditional (one exemplar), "
                             f"got num_classes {self.num_classes}")

    @property
    def levels(self) -> int:
        """Number of style levels (one ``w`` each): ``len(channels)``."""
        return len(self.channels)

    @property
    def cell(self) -> int:
        """Output pixels per spatial-input pixel, per side: ``2 ** (levels - 1)``."""
        return 2 ** (self.levels - 1)

    def to_dict(self) -> dict:
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        """Build from ``to_dict()`` output; unknown keys are an error (a newer format). A
        config saved before ``noise_init`` existed was trained from 0."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown model config keys: {', '.join(unknown)}")
        return cls(**{"noise_init": 0.0, **data})


@dataclass(frozen=True)
class TrainOptions:
    """Training settings (stored in the checkpoint, so ``--resume`` continues alike).

    Attributes:
        steps: total optimisation steps (one G and one D update each). Default 2000.
        crop: side of the square training crops in pixels; a multiple of the model's cell and
            of 2**len(d_channels). Default 64.
        batch: crops per step. Default 8.
        lr: Adam learning rate, betas (0, 0.99) as in StyleGAN2. Default 0.0025.
        r1_gamma: R1 penalty weight. Default 0.1 (StyleGAN2-ADA's rule of thumb
            0.0002 * crop**2 / batch for the default crop and batch; at 1.0 the
            discriminator of a 32-pixel-crop run went flat).
        r1_interval: steps between lazy R1 updates. Default 16.
        ema_beta: per-step decay of the EMA generator. Default 0.995.
        mixing_prob: probability of style mixing per batch. Default 0.5.
        augment: the augmentations of ``AUGMENTATIONS`` applied (each with probability
            1/2) to the discriminator's real and fake crops: "symmetry" (flips and 90°
            rotations), "translate" (wrapped shifts), "color" (light color jitter). Default
            ("translate",): with symmetries the discriminator accepts turned bricks and
            planks, with color jitter tinted samples, and a generator trained on one
            exemplar then makes them (docs/neural.md, "Training settings"). Training
            states saved before this key existed used all three.
        spectrum_weight: weight of the generator's spectrum term (``train.spectrum_loss``):
            the squared difference, in decades, between the batch-mean radially averaged
            log power spectrum of the fake crops and that of the exemplar's crops. The
            discriminator judges fine grain weakly: without the term the StyleGAN's samples
            lacked power above a quarter of the sampling rate by up to a decade. Default 10
            (docs/neural.md, "Training settings"); training states saved before this key
            existed had none (0).
        sample_every: steps between sample grids (0: none). Default 250.
        checkpoint_every: steps between checkpoints (0: only the last). Default 250.
        seed: seed of the weights, crops and latents. Default 0.
    """

    steps: int = 2000
    crop: int = 64
    batch: int = 8
    lr: float = 0.0025
    r1_gamma: float = 0.1
    r1_interval: int = 16
    ema_beta: float = 0.995
    mixing_prob: float = 0.5
    augment: tuple[str, ...] = ("translate",)
    spectrum_weight: float = 10.0
    sample_every: int = 250
    checkpoint_every: int = 250
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "augment", tuple(str(a) for a in self.augment))
        unknown = sorted(set(self.augment) - set(AUGMENTATIONS))
        if unknown:
            raise ValueError(f"training options: unknown augmentation {', '.join(unknown)}; "
                             f"known: {', '.join(AUGMENTATIONS)}")
        if self.spectrum_weight < 0:
            raise ValueError(f"training options: spectrum_weight must be >= 0, got "
                             f"{self.spectrum_weight}")

    @classmethod
    def from_dict(cls, data: dict) -> TrainOptions:
        """Build from a saved training state's options; one saved before ``augment``
        existed used all of ``AUGMENTATIONS``, one before ``spectrum_weight`` no spectrum
        term."""
        return cls(**{"augment": AUGMENTATIONS, "spectrum_weight": 0.0, **data})
