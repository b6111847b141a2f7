"""Training a texture StyleGAN on one or a few exemplars (``texgen train stylegan``), or
its DCGAN baseline (``config.arch`` "dcgan": same data, discriminator, losses and EMA).

Non-saturating logistic GAN loss plus a spectrum term for the generator (its crops' mean
radial log power spectrum against the exemplars'), lazy R1 on reals, style-mixing
regularisation, an EMA generator, and differentiable augmentation applied alike to real and
fake crops (by default wrapped translations only; flips and 90° rotations, light color
jitter on request), each with probability 1/2 so that the augmented distribution does not
leak into the generator (ADA's p < 0.8 rule).

One step of ``train`` is ``discriminator_step`` (changes only D), ``generator_step``
(changes only G), ``update_ema`` (G_ema follows G), then ``Bookkeeping.end_of_step``
(progress, sample grids, checkpoints, the time limit).

Output folder: ``generator.safetensors`` + ``model.json`` (the EMA generator, what nodes
load), ``training.safetensors`` (generator, discriminator, EMA, Adam moments, RNG and step,
for ``--resume``) and ``samples/step_NNNNNN.png`` grids.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from texgen import metrics
from texgen_neural import dcgan
from texgen_neural.bookkeeping import STATE, Bookkeeping
from texgen_neural.checkpoint import (
    TrainingNetworks,
    build_generator,
    load_training_state,
    save_generator,
)
from texgen_neural.config import AUGMENTATIONS, ModelConfig, TrainOptions
from texgen_neural.dcgan import DCGANGenerator
from texgen_neural.model import Discriminator, Generator, Inputs, to_image

# --- data and augmentation ----------------------------------------------------------------------

def tiles(image: np.ndarray) -> bool:
    """Whether an exemplar (H, W, C) in [0, 1] wraps around without a visible seam."""
    return metrics.seam_score(image) <= 1.5


class Exemplars:
    """Exemplar images as (3, H, W) tensors in [-1, 1] and random square crops of them.

    A tileable exemplar is cropped with wrap-around (any position: it is stored with its
    first ``crop - 1`` rows and columns repeated after its last, so every crop is a plain
    slice); another one inside its borders, so no crop shows a seam the generator would
    learn.
    """

    def __init__(self, images: Sequence[np.ndarray], *, crop: int, device: torch.device):
        self.images, self.sizes = [], []
        for i, image in enumerate(images):
            if min(image.shape[:2]) < crop:
                raise ValueError(f"exemplar {i}: {image.shape[1]}x{image.shape[0]} is smaller "
                                 f"than the {crop}-pixel crop")
            height, width = image.shape[:2]
            if tiles(image):
                image = np.pad(image, ((0, crop - 1), (0, crop - 1), (0, 0)), mode="wrap")
            else:
                height, width = height - crop + 1, width - crop + 1
            self.images.append(torch.from_numpy(
                np.ascontiguousarray(image.transpose(2, 0, 1))).to(device) * 2 - 1)
            self.sizes.append((height, width))  # how many crop positions along each axis
        self.crop = crop
        self.device = device

    @functools.cached_property
    def log_spectra(self) -> torch.Tensor:
        """(exemplars, crop // 2 - 1): each exemplar's ``log_ring_power`` averaged over its
        crops at a half-crop stride (a fixed grid: no random draws); crops of at least 4
        pixels."""
        spectra, step = [], self.crop // 2
        for image, (height, width) in zip(self.images, self.sizes):
            crops = [image[:, y:y + self.crop, x:x + self.crop]
                     for y in range(0, height, step) for x in range(0, width, step)]
            spectra.append(torch.cat([log_ring_power(torch.stack(crops[i:i + 64]))
                                      for i in range(0, len(crops), 64)]).mean(0))
        return torch.stack(spectra)

    def sample(self, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(crops (B, 3, crop, crop) in [-1, 1], labels (B,) int64)."""
        labels = torch.randint(len(self.images), (batch,))
        crops = []
        for label in labels.tolist():
            height, width = self.sizes[label]
            y = torch.randint(height, ()).item()
            x = torch.randint(width, ()).item()
            crops.append(self.images[label][:, y:y + self.crop, x:x + self.crop])
        return torch.stack(crops), labels.to(self.device)


def log_ring_power(images: torch.Tensor) -> torch.Tensor:
    """Radially averaged log10 power spectrum: (B, C, S, S) -> (B, S // 2 - 1), the rings
    and power of ``texgen.metrics.spectrum_distance`` (its ``_radial_power``) but its first
    ring, which no frequency falls in, averaged over the channels before the logarithm.

    Per image, each channel's mean is removed and a Hann window applied (crops of an
    exemplar are not periodic: the window keeps their borders out of the spectrum), the
    power |rfft2|**2 / sum(window**2) averaged over the channels and over rings of equal
    width, ring i holding (i + 1) / S <= radius < (i + 2) / S cycles per pixel (the
    Nyquist radius in the last ring). Differentiable."""
    size = images.shape[-1]
    hann = torch.hann_window(size, periodic=True, dtype=images.dtype, device=images.device)
    window = hann[:, None] * hann
    centred = (images - images.mean(dim=(2, 3), keepdim=True)) * window
    power = torch.fft.rfft2(centred).abs().square().mean(1) / window.square().sum()
    fy = torch.fft.fftfreq(size, device=images.device)[:, None]
    fx = torch.fft.rfftfreq(size, device=images.device)[None, :]
    radius = torch.sqrt(fy ** 2 + fx ** 2)                            # (S, S // 2 + 1)
    keep = (radius > 0) & (radius <= 0.5)
    index = (radius[keep] * size).floor().long().clamp(max=size // 2 - 1) - 1
    # half-plane columns strictly between 0 and Nyquist stand for two full-plane frequencies
    weights = torch.where((fx > 0) & (fx < 0.5), 2.0, 1.0).expand_as(radius)[keep]
    weights = weights.to(images.dtype)
    counts = weights.new_zeros(size // 2 - 1).index_add_(0, index, weights)
    sums = power.new_zeros(power.shape[0], size // 2 - 1).index_add_(1, index,
                                                                      power[:, keep] * weights)
    return torch.log10(sums / counts + 1e-10)


def spectrum_loss(fakes: torch.Tensor, labels: torch.Tensor | None,
                  targets: torch.Tensor) -> torch.Tensor:
    """Mean over rings of the squared difference between the batch-mean ``log_ring_power``
    of ``fakes`` (B, 3, S, S) and the mean of their labels' targets (``targets`` (labels or
    1, S // 2 - 1), the exemplars' mean log spectra), in decades squared."""
    wanted = targets[labels] if labels is not None else targets[:1]
    return (log_ring_power(fakes).mean(0) - wanted.mean(0)).square().mean()


def augment(images: torch.Tensor, *, probability: float = 0.5,
            transforms: Collection[str] = AUGMENTATIONS) -> torch.Tensor:
    """Differentiable augmentation of (B, 3, S, S) images in [-1, 1], per sample.

    Each of the ``transforms`` (``config.AUGMENTATIONS``) is applied with ``probability``:
    "symmetry", a random symmetry of the square (flips and 90° rotations); "translate", a
    wrapped translation (the generator's outputs are periodic); "color", a light color
    jitter (brightness ±0.1, contrast and saturation x0.85..1.15). Every sample draws the
    same random numbers whichever transforms are on.
    """
    out = []
    for image in images:
        if torch.rand(()) < probability:
            k = int(torch.randint(4, ()))
            flip = torch.rand(()) < 0.5
            if "symmetry" in transforms:
                image = image.rot90(k, dims=(1, 2))
                image = image.flip(2) if flip else image
        if torch.rand(()) < probability:
            shift = torch.randint(image.shape[1], (2,)).tolist()
            if "translate" in transforms:
                image = image.roll(shift, dims=(1, 2))
        if torch.rand(()) < probability:
            brightness, contrast, saturation = (torch.rand(3) * 2 - 1).tolist()
            if "color" in transforms:
                mean = image.mean()
                gray = image.mean(0, keepdim=True)
                image = torch.lerp(gray, image, 1 + 0.15 * saturation)
                image = (image - mean) * (1 + 0.15 * contrast) + mean + 0.2 * brightness
        out.append(image)
    return torch.stack(out)


# --- the networks and one training step ----------------------------------------------------------

@dataclass
class Networks(TrainingNetworks):
    """The generator, the discriminator, the EMA generator (what a model ships) and the two
    Adam optimisers: everything a step changes and a checkpoint stores."""

    g: Generator | DCGANGenerator
    d: Discriminator
    g_ema: Generator | DCGANGenerator
    opt_g: torch.optim.Adam
    opt_d: torch.optim.Adam

    @classmethod
    def build(cls, config: ModelConfig, options: TrainOptions, device: torch.device) -> Networks:
        """Fresh networks from the global RNG (G first, then D); G_ema starts as G. A
        DCGAN's generator takes the DCGAN paper's Adam settings (``dcgan.ADAM``), a
        StyleGAN's ``options.lr`` with betas (0, 0.99); D is the same for both."""
        g = build_generator(config).to(device)
        d = Discriminator(config).to(device)
        g_ema = copy.deepcopy(g).eval().requires_grad_(False)
        adam_g = dcgan.ADAM if config.arch == "dcgan" else {"lr": options.lr,
                                                            "betas": (0.0, 0.99)}
        opt_g = torch.optim.Adam(g.parameters(), **adam_g)
        # Lazy R1: D's optimiser is scaled for a penalty that comes every r1_interval steps.
        ratio = options.r1_interval / (options.r1_interval + 1)
        opt_d = torch.optim.Adam(d.parameters(), lr=options.lr * ratio,
                                 betas=(0.0, 0.99 ** ratio))
        return cls(g, d, g_ema, opt_g, opt_d)

    def _parts(self) -> tuple[tuple[str, torch.nn.Module], ...]:
        """(checkpoint prefix, network) for each of the three networks."""
        return (("G", self.g), ("D", self.d), ("G_ema", self.g_ema))


def _fakes(generator: Generator | DCGANGenerator, batch: int, crop: int,
           labels: torch.Tensor | None, mixing_prob: float,
           device: torch.device) -> torch.Tensor:
    """A batch of generated images (B, 3, crop, crop). A StyleGAN's have style mixing at a
    random level with probability ``mixing_prob``, their periodic channels are not rounded
    (a crop is a window of the texture, not a tile), and in training mode the mean style
    follows the batch; a DCGAN's come from its latent grid alone."""
    inputs = generator.make_inputs(batch, crop, crop, device=device)
    if generator.config.arch == "dcgan":
        return generator(inputs.spatial)
    w = generator.mapping(inputs.z, labels)
    ws = w[:, None].repeat(1, generator.config.levels, 1)
    if generator.config.levels > 1 and torch.rand(()) < mixing_prob:
        cut = int(torch.randint(1, generator.config.levels, ()))
        w2 = generator.mapping(torch.randn_like(inputs.z).to(device), labels)
        ws[:, cut:] = w2[:, None]
    if generator.training:
        generator.update_w_avg(w, labels)
    return generator(ws, inputs.spatial, inputs.noises, phases=inputs.phases,
                     whole_cycles=False)


def discriminator_step(nets: Networks, reals: torch.Tensor, labels: torch.Tensor | None,
                       options: TrainOptions, *, r1: bool) -> dict[str, float]:
    """One update of D: logistic loss on a batch of fakes and on ``reals``, plus the lazy R1
    penalty on reals when ``r1``. G's parameters are not changed (its mean style is: the
    fakes are drawn in training mode). Returns {"D": loss} and {"R1": penalty} when ``r1``."""
    nets.g.requires_grad_(False)
    nets.d.requires_grad_(True)
    with torch.no_grad():
        fakes = _fakes(nets.g, options.batch, options.crop, labels, options.mixing_prob,
                       reals.device)
    loss = (F.softplus(nets.d(augment(fakes, transforms=options.augment), labels)).mean()
            + F.softplus(-nets.d(augment(reals, transforms=options.augment), labels)).mean())
    nets.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    losses = {"D": loss.item()}
    if r1:
        reals = reals.detach().requires_grad_(True)
        scores = nets.d(augment(reals, transforms=options.augment), labels)
        (grad,) = torch.autograd.grad(scores.sum(), reals, create_graph=True)
        penalty = grad.square().sum(dim=(1, 2, 3)).mean()
        (penalty * options.r1_gamma / 2 * options.r1_interval).backward()
        losses["R1"] = penalty.item()
    nets.opt_d.step()
    return losses


def generator_step(nets: Networks, labels: torch.Tensor | None, options: TrainOptions,
                   device: torch.device, log_spectra: torch.Tensor | None) -> dict[str, float]:
    """One update of G with the non-saturating loss on a batch of fakes, plus
    ``options.spectrum_weight`` times ``spectrum_loss`` against ``log_spectra`` (the
    exemplars' ``Exemplars.log_spectra``; None when the weight is 0); D is not changed.
    Returns {"G": adversarial loss} and {"spectrum": term} when weighted."""
    nets.g.requires_grad_(True)
    nets.d.requires_grad_(False)
    fakes = _fakes(nets.g, options.batch, options.crop, labels, options.mixing_prob, device)
    loss = F.softplus(-nets.d(augment(fakes, transforms=options.augment), labels)).mean()
    losses = {"G": loss.item()}
    if options.spectrum_weight:
        spectrum = spectrum_loss(fakes, labels, log_spectra)
        loss = loss + options.spectrum_weight * spectrum
        losses["spectrum"] = spectrum.item()
    nets.opt_g.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_g.step()
    return losses


@torch.no_grad()
def update_ema(nets: Networks, beta: float) -> None:
    """Move G_ema's parameters a step 1 - beta towards G's; copy G's buffers (a StyleGAN's
    mean style, a DCGAN's batch norm statistics)."""
    for p_ema, p in zip(nets.g_ema.parameters(), nets.g.parameters()):
        p_ema.lerp_(p, 1 - beta)
    for b_ema, b in zip(nets.g_ema.buffers(), nets.g.buffers()):
        b_ema.copy_(b)


# --- bookkeeping ---------------------------------------------------------------------------------

@dataclass(kw_only=True)
class StyleGANBookkeeping(Bookkeeping):
    """The StyleGAN's bookkeeping: sample grids of the EMA generator on fixed ``preview``
    inputs (inputs, labels, exemplar crop); the model folder holds the EMA generator."""

    preview: tuple[Inputs, torch.Tensor | None, np.ndarray]

    def write_samples(self, step: int, nets: Networks) -> None:
        """The exemplar crop, then the EMA generator's samples, in a row."""
        inputs, labels, exemplar_crop = self.preview
        with torch.no_grad():
            fakes = to_image(nets.g_ema.generate(inputs, labels)).cpu().numpy()
        tiles_ = [exemplar_crop, *fakes]
        gap = np.ones((tiles_[0].shape[0], 4, 3), np.float32)
        self.write_grid(step, np.concatenate([x for t in tiles_ for x in (t, gap)][:-1], axis=1))

    def save_model(self, nets: Networks, training: dict) -> None:
        save_generator(nets.g_ema, self.output, training=training)


def final_report(generator: Generator | DCGANGenerator, exemplars: Sequence[np.ndarray], *,
                 device: torch.device, seeds: int = 3) -> dict:
    """Metrics of the generator per exemplar: ``seeds`` samples the exemplar's size (rounded
    down to the cell) vs the exemplar: patch_swd and spectrum distance (mean over seeds),
    seam score (worst seed), diversity (across seeds). One dict per label under "labels"."""
    results = []
    cell = generator.config.cell
    for label, exemplar in enumerate(exemplars):
        height = max(cell, exemplar.shape[0] // cell * cell)
        width = max(cell, exemplar.shape[1] // cell * cell)
        samples = []
        for seed in range(seeds):
            inputs = generator.make_inputs(1, height, width, device=device,
                                           generator=torch.Generator().manual_seed(seed))
            labels = (torch.tensor([label], device=device)
                      if generator.config.num_classes else None)
            with torch.no_grad():
                samples.append(to_image(generator.generate(inputs, labels))[0].cpu().numpy())
        results.append({
            "patch_swd": float(np.mean([metrics.patch_swd(s, exemplar) for s in samples])),
            "spectrum_distance": float(np.mean([metrics.spectrum_distance(s, exemplar)
                                                for s in samples])),
            "seam_score": max(metrics.seam_score(s) for s in samples),
            "diversity": metrics.diversity(samples),
        })
    return {"labels": results}


# --- the run -------------------------------------------------------------------------------------

def _check(config: ModelConfig, options: TrainOptions, exemplars: int) -> None:
    """ValueError unless the config has one label per exemplar (none for one exemplar), the
    crop is a multiple of the cell and of the discriminator's downsampling, and (with the
    spectrum term) at least 4 pixels, so that its spectrum has a ring."""
    if config.num_classes not in (0, exemplars) or (config.num_classes == 0 and exemplars > 1):
        raise ValueError(f"{exemplars} exemplars need num_classes {exemplars}, "
                         f"the config has {config.num_classes}")
    step_multiple = max(config.cell, 2 ** len(config.d_channels))
    if options.crop % step_multiple:
        raise ValueError(f"crop {options.crop} must be a multiple of {step_multiple} (the "
                         f"model's cell and the discriminator's downsampling)")
    if options.spectrum_weight and options.crop < 4:
        raise ValueError(f"crop {options.crop}: the spectrum term needs crops of at least 4 "
                         f"pixels (or --spectrum-weight 0)")


def _preview(generator: Generator | DCGANGenerator, exemplar: np.ndarray, options: TrainOptions,
             device: torch.device) -> tuple[Inputs, torch.Tensor | None, np.ndarray]:
    """Fixed inputs of four samples (seeded with ``options.seed``, apart from the training
    RNG), their labels (cycling through the classes) and the first exemplar's top-left crop."""
    inputs = generator.make_inputs(4, options.crop, options.crop, device=device,
                                   generator=torch.Generator().manual_seed(options.seed))
    classes = generator.config.num_classes
    labels = torch.arange(4, device=device) % classes if classes else None
    return inputs, labels, exemplar[:options.crop, :options.crop]


def train(exemplars: Sequence[np.ndarray], output: str | Path, *,
          config: ModelConfig | None = None, options: TrainOptions | None = None,
          device: str = "cpu", resume: bool = False,
          progress: Callable[[int, int, dict], None] | None = None,
          record: dict | None = None, time_limit: float | None = None) -> dict:
    """Train on ``exemplars`` (float32 (H, W, 3) arrays in [0, 1]; one label each when
    there are several) and write the model folder ``output``; returns the final record.

    ``config`` defaults to ``ModelConfig()`` (conditional when there are several
    exemplars); ``resume`` continues from ``output``/training.safetensors, whose config and
    options then win. ``progress(step, steps, losses)`` is called after every step;
    ``record`` (JSON) is stored in model.json, e.g. the command line. ``time_limit``
    (seconds of training, resumed time included) stops early, at a checkpoint.
    """
    output = Path(output)
    torch_device = torch.device(device)
    state, start, seconds = None, 0, 0.0
    if resume:
        config, options, state, start, seconds = load_training_state(
            output / STATE, config_from_dict=ModelConfig.from_dict,
            options_from_dict=TrainOptions.from_dict, what="stylegan",
            steps=options.steps if options else None)
    options = options or TrainOptions()
    if config is None:
        config = ModelConfig(num_classes=len(exemplars) if len(exemplars) > 1 else 0)
    _check(config, options, len(exemplars))

    torch.manual_seed(options.seed)
    data = Exemplars(exemplars, crop=options.crop, device=torch_device)
    nets = Networks.build(config, options, torch_device)
    if state is not None:
        nets.load_state_tensors(state)
    book = StyleGANBookkeeping(output=output, config=config, options=options,
                               record=record or {},
                               preview=_preview(nets.g, exemplars[0], options, torch_device),
                               progress=progress, time_limit=time_limit, seconds=seconds)
    output.mkdir(parents=True, exist_ok=True)
    losses, step = {}, start
    log_spectra = data.log_spectra if options.spectrum_weight else None
    for step in range(start + 1, options.steps + 1):
        tick = time.perf_counter()
        reals, labels = data.sample(options.batch)
        labels = labels if config.num_classes else None
        losses.update(discriminator_step(nets, reals, labels, options,
                                         r1=step % options.r1_interval == 0))
        losses.update(generator_step(nets, labels, options, torch_device, log_spectra))
        if not all(np.isfinite(v) for v in losses.values()):
            raise FloatingPointError(f"step {step}: losses diverged: {losses}")
        update_ema(nets, options.ema_beta)
        book.seconds += time.perf_counter() - tick
        if book.end_of_step(step, nets, losses):
            break
    if start >= options.steps:  # nothing left to train: still write the model folder
        book.checkpoint(start, nets)
    final = book.training_record(step, losses=losses,
                                 metrics=final_report(nets.g_ema, exemplars, device=torch_device))
    save_generator(nets.g_ema, output, training=final)
    return final
