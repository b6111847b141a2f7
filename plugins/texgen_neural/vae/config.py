"""Configuration of the material VAE as dataclasses: the networks' sizes, the rendered
training data and the training settings.

Plain Python (no PyTorch), so ``texgen train vae`` takes its option defaults from here
without importing torch when the CLI starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from texgen_neural.image2maps.config import _from_dict

#: The ``format`` of a VAE model file (``texgen_neural.checkpoint``).
FORMAT = "texgen.vae"
#: The maps of a stack, in channel order, with their channel counts: 8 channels in all.
#: Values as texgen's outputs hold them: colors, height and roughness in [0, 1], the normal
#: encoded ``0.5 + 0.5 n`` (OpenGL convention).
MAPS = (("basecolor", 3), ("height", 1), ("roughness", 1), ("normal", 3))
#: Channels of a stack.
STACK_CHANNELS = sum(count for _, count in MAPS)
#: Each map's channels in a stack: {name: slice}, e.g. "height": slice(3, 4).
MAP_CHANNELS = {name: slice(sum(c for _, c in MAPS[:i]), sum(c for _, c in MAPS[:i + 1]))
                for i, (name, _) in enumerate(MAPS)}
#: What the ``neural.vae`` node and ``model.run_node_mode`` do.
MODES = ("sample", "reconstruct", "interpolate")
#: Where reconstructed and morphed maps take their per-channel mean and contrast from
#: (``model.run_mode``): the input stacks, or the decoder.
LEVELS = ("input", "decoder")


def _positive_tuple(given, name: str, what: str) -> tuple[int, ...]:
    """``given`` as a tuple of ints; ValueError naming ``name`` unless all are >= 1."""
    values = tuple(int(c) for c in given)
    if not values or min(values) < 1:
        raise ValueError(f"{what}: {name} needs positive entries, got {given!r}")
    return values


@dataclass(frozen=True)
class VaeConfig:
    """Sizes of the encoder, the decoder and the patch discriminator (stored in model.json).

    Attributes:
        channels: encoder channels per level, fine to coarse (the decoder mirrors them);
            level k works at 1/2**k of the input, so the latent grid is at 1/``stride`` with
            ``stride`` = 2**(len(channels) - 1). Default (32, 64): stride 2, a model of
            under 1 MB. A cell describing 2 x 2 pixels keeps the fine grain that the
            stride-4 and stride-8 grids blurred after the same training steps
            (docs/neural.md).
        latent_channels: latent values per grid cell. Default 8: a 64 x 64 stack of 8 maps
            (32768 values) is held by a 32 x 32 x 8 grid (8192 values); fewer blur the
            reconstructions, more make prior samples less like the training data.
        blocks: residual blocks at the latent resolution in the encoder and in the decoder.
            Default 1.
        d_channels: discriminator channels per scale, fine to coarse (the StyleGAN's patch
            discriminator reading 8 channels); each scale halves the resolution. Default
            (16, 32, 64): patches of about 40 pixels.
    """

    channels: tuple[int, ...] = (32, 64)
    latent_channels: int = 8
    blocks: int = 1
    d_channels: tuple[int, ...] = (16, 32, 64)

    def __post_init__(self):
        for name in ("channels", "d_channels"):
            object.__setattr__(self, name, _positive_tuple(getattr(self, name), name,
                                                           "vae config"))
        for name, least in (("latent_channels", 1), ("blocks", 0)):
            if int(getattr(self, name)) < least:
                raise ValueError(f"vae config: {name} must be >= {least}, "
                                 f"got {getattr(self, name)}")

    @property
    def stride(self) -> int:
        """Pixels per latent cell: stacks are encoded at multiples of it."""
        return 2 ** (len(self.channels) - 1)

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "channels": list(self.channels),
                "d_channels": list(self.d_channels)}

    @classmethod
    def from_dict(cls, data: dict) -> VaeConfig:
        """Build from ``to_dict()`` output; unknown keys are an error (a newer format)."""
        return _from_dict(cls, data, "vae config")


@dataclass(frozen=True)
class DataSettings:
    """How the training stacks are rendered (``data.load_stacks``); a digest of these and of
    the preset files names the cache folder, so equal settings reuse one rendering.

    Attributes:
        presets: preset names (or files) rendered, in order.
        size: side of each rendered stack in pixels. Default 128.
        samples: stacks per preset, each at random values of the preset's exposed
            parameters and a random seed. Default 24.
        seed: seeds the parameter values and render seeds. Default 0 (held-out stacks for
            the benchmark use another).
    """

    presets: tuple[str, ...] = ()
    size: int = 128
    samples: int = 24
    seed: int = 0

    def __post_init__(self):
        object.__setattr__(self, "presets", tuple(str(p) for p in self.presets))
        if self.size < 16 or self.samples < 1:
            raise ValueError(f"vae data: size >= 16 and samples >= 1 needed, got size "
                             f"{self.size}, samples {self.samples}")


@dataclass(frozen=True)
class TrainOptions:
    """Training settings (stored in the checkpoint, so ``--resume`` continues alike).

    Attributes:
        steps: total optimisation steps (one update of the VAE, then of the
            discriminator). Default 3000.
        crop: side of the square training crops in pixels, a multiple of the stride and of
            the discriminator's downsampling. Default 64.
        batch: crops per step. Default 8.
        lr: Adam learning rate of both networks (betas 0.5, 0.99; equalized learning
            rates, so this is the relative change per step). Default 0.002.
        kl_weight: weight of the KL divergence (summed over the latent grid, per stack
            value) against the L1 (mean per value): a Laplace likelihood of scale
            ``kl_weight``. Lower reconstructs sharper, higher samples the prior better.
            Default 0.01.
        frequency_weight: weight of the L1 between the amplitude spectra (``rfft2``,
            orthonormal) of the stack and its reconstruction: blur loses high-frequency
            amplitude, which this puts back. Default 1.
        adversarial_weight: weight of the least-squares GAN term of the patch
            discriminator on the reconstructions. Default 0.05.
        consistency_weight: weight of the height/normal consistency term (``train``'s
            module doc): the decoded normal against the normal derived from the decoded
            height, so a morph's or a reconstruction's maps describe one surface. Default 1.
        sample_every: steps between sample grids (0: none). Default 250.
        checkpoint_every: steps between checkpoints (0: only the last). Default 250.
        seed: seeds the weights, crops and latent noise. Default 0.
    """

    steps: int = 3000
    crop: int = 64
    batch: int = 8
    lr: float = 0.002
    kl_weight: float = 0.01
    frequency_weight: float = 1.0
    adversarial_weight: float = 0.05
    consistency_weight: float = 1.0
    sample_every: int = 250
    checkpoint_every: int = 250
    seed: int = 0

    def __post_init__(self):
        for name in ("steps", "crop", "batch"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"vae options: {name} must be >= 1, "
                                 f"got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"vae options: lr must be > 0, got {self.lr}")
        for name in ("kl_weight", "frequency_weight", "adversarial_weight",
                     "consistency_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"vae options: {name} must be >= 0, got {getattr(self, name)}")

    @classmethod
    def from_dict(cls, data: dict) -> TrainOptions:
        return _from_dict(cls, data, "vae options")
