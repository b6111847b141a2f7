"""Training the material VAE (``texgen train vae``) on crops of rendered stacks.

Loss of the VAE on a batch x of stack crops (B, 8, S, S) in [-1, 1], with (mean, log
variance) its encoding, z = mean + exp(log variance / 2) eps the reparameterised latent
and y = decode(z) its reconstruction:

- ``L1``: mean |y - x| over every value;
- ``frequency``: mean | |F(y)| - |F(x)| | over the orthonormal 2-D spectra (``rfft2``) of
  every channel: a blurred y lacks high-frequency amplitude, whatever the phases;
- ``KL``: KL(N(mean, var) || N(0, 1)) summed over the latent grid, divided by the number
  of stack values (so its weight reads as a Laplace likelihood's scale);
- ``G``: the least-squares GAN term (D(y) - 1)² of a patch discriminator D (VAE-GAN), which
  scores the crops towards 1 and the reconstructions towards 0;
- ``consistency``: how far y's normal is from the normal derived from y's height
  (``consistency``): the central differences ``filters.normal_map`` takes (wrapping), at
  the relief scale fitted per crop on x by closed-form least squares
  (``fitted_slope_scale``), compared as the mean distance of unit vectors (2 sin(angle / 2),
  about the angle in radians). Presets derive their normals from their heights, so this is
  about 0 on x; a decoder that blurs the height but not the normal, or adds height noise
  whose slopes the normal lacks, pays for it. A loss rather than a normal derived inside
  the decoder: the model file and the node stay as they are, a preset's normal keeps detail
  its height lacks, and no per-stack strength (a global value) breaks the locality of the
  networks.

The total is L1 + ``frequency_weight`` frequency + ``kl_weight`` KL +
``adversarial_weight`` G + ``consistency_weight`` consistency. One step of ``train`` is
``vae_step`` (changes only the VAE), then ``discriminator_step`` on the same
reconstructions (changes only D); ``Run.end_of_step`` reports progress, writes sample
grids and checkpoints, and ends the run at the time limit. The output folder holds
``generator.safetensors`` + ``model.json`` (encoder and decoder: what the node loads),
``training.safetensors`` (VAE, D, Adam moments, RNG, step: for ``--resume``) and
``samples/step_NNNNNN.png``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from texgen_neural.bookkeeping import STATE, Bookkeeping, check_crop
from texgen_neural.checkpoint import TrainingNetworks, load_training_state
from texgen_neural.train import Exemplars
from texgen_neural.vae.config import FORMAT, MAP_CHANNELS, TrainOptions, VaeConfig
from texgen_neural.vae.metrics import model_report
from texgen_neural.vae.model import MaterialVAE, StackDiscriminator, stack_to_maps

# --- networks and steps --------------------------------------------------------------------------

@dataclass
class Networks(TrainingNetworks):
    """The VAE (what a model ships), the discriminator, their Adam optimisers."""

    g: MaterialVAE
    d: StackDiscriminator
    opt_g: torch.optim.Adam
    opt_d: torch.optim.Adam

    @classmethod
    def build(cls, config: VaeConfig, options: TrainOptions, device: torch.device) -> Networks:
        """Fresh networks from the global RNG (the VAE, then D)."""
        g = MaterialVAE(config).to(device)
        d = StackDiscriminator(config).to(device)
        betas = (0.5, 0.99)
        return cls(g, d, torch.optim.Adam(g.parameters(), lr=options.lr, betas=betas),
                   torch.optim.Adam(d.parameters(), lr=options.lr, betas=betas))

    def _parts(self) -> tuple[tuple[str, torch.nn.Module], ...]:
        """(checkpoint prefix, network) for each network."""
        return (("G", self.g), ("D", self.d))


def amplitude(x: torch.Tensor) -> torch.Tensor:
    """|rfft2(x)| per channel, orthonormal: (B, C, H, W) -> (B, C, H, W // 2 + 1); the
    small epsilon keeps the gradient finite at zero amplitude."""
    spectrum = torch.fft.rfft2(x, norm="ortho")
    return torch.sqrt(spectrum.real.square() + spectrum.imag.square() + 1e-8)


def kl_divergence(mean: torch.Tensor, log_variance: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(log_variance)) || N(0, 1)) summed over every latent value."""
    return 0.5 * (mean.square() + log_variance.exp() - 1.0 - log_variance).sum()


#: The height's channel and the normal's channels in a stack (``MAPS`` order).
HEIGHT = MAP_CHANNELS["height"].start
NORMAL = MAP_CHANNELS["normal"]


def height_slopes(stack: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Central differences of a stack's height channel (B, 8, H, W) -> (du, dv), each
    (B, H, W), per pixel, wrapping around: ``filters.normal_map``'s operator (u to the
    right, v down the rows) without its width factor, which the fitted scale absorbs."""
    height = stack[:, HEIGHT]
    return ((height.roll(-1, dims=2) - height.roll(1, dims=2)) / 2,
            (height.roll(-1, dims=1) - height.roll(1, dims=1)) / 2)


def fitted_slope_scale(stack: torch.Tensor) -> torch.Tensor:
    """Per stack (B, 8, H, W) in [-1, 1], the scale c that best explains its normal by its
    height: least squares of (-n_x / n_z, n_y / n_z) against c (du, dv) (``height_slopes``,
    OpenGL), in closed form c = sum(-du n_x / n_z + dv n_y / n_z) / sum(du² + dv²). Returns
    (B, 1, 1), no gradient; 0 for a flat height."""
    with torch.no_grad():
        du, dv = height_slopes(stack)
        normal = stack[:, NORMAL]
        depth = normal[:, 2].clamp(min=1e-3)
        p, q = -normal[:, 0] / depth, normal[:, 1] / depth
        numerator = (p * du + q * dv).sum(dim=(1, 2))
        denominator = (du.square() + dv.square()).sum(dim=(1, 2))
        return (numerator / denominator.clamp(min=1e-8))[:, None, None]


def consistency(stack: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Mean over pixels of |n - m|: n the stack's (B, 8, H, W) normal, m the normal of its
    height at slope ``scale`` (B, 1, 1) (``fitted_slope_scale`` of the reference stack),
    both normalised; |n - m| = 2 sin(angle / 2), so about the angle in radians."""
    du, dv = height_slopes(stack)
    derived = F.normalize(torch.stack([-scale * du, scale * dv, torch.ones_like(du)], 1), dim=1)
    given = F.normalize(stack[:, NORMAL], dim=1, eps=1e-6)
    return torch.sqrt((derived - given).square().sum(1) + 1e-8).mean()


def vae_step(nets: Networks, real: torch.Tensor, options: TrainOptions
             ) -> tuple[dict[str, float], torch.Tensor]:
    """One update of the VAE on crops ``real`` (B, 8, S, S) in [-1, 1] (see the module
    doc); the discriminator is not changed. Returns the terms and the reconstructions,
    detached."""
    nets.d.requires_grad_(False)
    mean, log_variance = nets.g.encoder(real)
    latent = mean + torch.exp(0.5 * log_variance) * torch.randn_like(mean)
    fake = nets.g.decoder(latent)
    terms = {"L1": (fake - real).abs().mean(),
             "frequency": (amplitude(fake) - amplitude(real)).abs().mean(),
             "KL": kl_divergence(mean, log_variance) / real.numel(),
             "G": (nets.d(fake) - 1).square().mean(),
             "consistency": consistency(fake, fitted_slope_scale(real))}
    loss = (terms["L1"] + options.frequency_weight * terms["frequency"]
            + options.kl_weight * terms["KL"] + options.adversarial_weight * terms["G"]
            + options.consistency_weight * terms["consistency"])
    nets.opt_g.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_g.step()
    return {k: v.item() for k, v in terms.items()}, fake.detach()


def discriminator_step(nets: Networks, real: torch.Tensor, fake: torch.Tensor) -> float:
    """One LSGAN update of the discriminator: crops towards 1, reconstructions towards 0.
    The VAE is not changed. Returns the loss."""
    nets.d.requires_grad_(True)
    loss = 0.5 * ((nets.d(real) - 1).square().mean() + nets.d(fake).square().mean())
    nets.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_d.step()
    return loss.item()


# --- the run -------------------------------------------------------------------------------------

@dataclass(kw_only=True)
class Run(Bookkeeping):
    """The VAE's bookkeeping: ``preview`` holds fixed crops (4, 8, S, S) and ``prior`` a
    fixed latent (4, L, S / stride, S / stride) for the sample grids."""

    model_format = FORMAT
    preview: torch.Tensor
    prior: torch.Tensor

    def write_samples(self, step: int, nets: Networks) -> None:
        """Four columns; rows: the crops' basecolor, their reconstructions' basecolor,
        height and normal, then prior samples' basecolor and normal."""
        model = nets.g
        with torch.no_grad():
            recon = model(self.preview)[0]
            sampled = model.decoder(self.prior)
        rows = []
        for stacks, names in ((self.preview, ("basecolor",)),
                              (recon, ("basecolor", "height", "normal")),
                              (sampled, ("basecolor", "normal"))):
            maps = [stack_to_maps(stack[None]) for stack in stacks]
            for name in names:
                rows.append(torch.cat([F.pad(m[name].expand(-1, -1, 3).permute(2, 0, 1),
                                             (0, 4, 0, 4), value=1.0) for m in maps], 2))
        image = torch.cat(rows, 1).permute(1, 2, 0)                     # (7 (S+4), 4 (S+4), 3)
        self.write_grid(step, image.clamp(0, 1).cpu().numpy())




def train(stacks: Sequence[np.ndarray], output: str | Path, *,
          config: VaeConfig | None = None, options: TrainOptions | None = None,
          device: str = "cpu", resume: bool = False,
          progress: Callable[[int, int, dict], None] | None = None,
          record: dict | None = None, time_limit: float | None = None,
          report_stacks: Sequence[np.ndarray] = ()) -> dict:
    """Train on ``stacks`` (float32 (H, W, 8) arrays in [0, 1], ``data.load_stacks``, each
    at least ``options.crop`` pixels a side) and write the model folder ``output``; returns
    model.json's "training" record, with the final losses and ``metrics.model_report`` on
    ``report_stacks`` (empty: no metrics).

    ``config``/``options`` default to ``VaeConfig()``/``TrainOptions()``; ``resume``
    continues from ``output``/training.safetensors, whose config and options then win
    (but ``options.steps``). ``progress(step, steps, losses)`` is called after every step;
    ``record`` (JSON) goes in model.json, e.g. the command line and the data. ``time_limit``
    (seconds of training, resumed time included) stops early, at a checkpoint.
    Deterministic for a given ``options.seed`` on one device and thread count.
    """
    output = Path(output)
    if not stacks:
        raise ValueError("vae training: no stacks")
    torch_device = torch.device(device)
    state, start, seconds = None, 0, 0.0
    if resume:
        config, options, state, start, seconds = load_training_state(
            output / STATE, config_from_dict=VaeConfig.from_dict,
            options_from_dict=TrainOptions.from_dict, what="vae",
            steps=options.steps if options else None)
    config = config or VaeConfig()
    options = options or TrainOptions()
    check_crop(config, options.crop)
    torch.manual_seed(options.seed)
    data = Exemplars(stacks, crop=options.crop, device=torch_device)
    nets = Networks.build(config, options, torch_device)
    preview = data.sample(4)[0]  # drawn before a resumed RNG state
    grid = options.crop // config.stride
    prior = torch.randn(4, config.latent_channels, grid, grid,
                        generator=torch.Generator().manual_seed(options.seed)).to(torch_device)
    if state is not None:
        nets.load_state_tensors(state)
    run = Run(output=output, config=config, options=options, record=record or {},
              preview=preview, prior=prior, progress=progress, time_limit=time_limit,
              seconds=seconds)
    output.mkdir(parents=True, exist_ok=True)
    losses: dict[str, float] = {}
    step = start
    for step in range(start + 1, options.steps + 1):
        tick = time.perf_counter()
        real = data.sample(options.batch)[0]
        terms, fake = vae_step(nets, real, options)
        losses.update(terms)
        losses["D"] = discriminator_step(nets, real, fake)
        if not all(np.isfinite(v) for v in losses.values()):
            raise FloatingPointError(f"step {step}: losses diverged: {losses}")
        run.seconds += time.perf_counter() - tick
        if run.end_of_step(step, nets, losses):
            break
    final = {"losses": losses,
             "metrics": model_report(nets.g, report_stacks) if len(report_stacks) else {}}
    run.checkpoint(step, nets, **final)
    return json.loads((output / "model.json").read_text())["training"]
