"""Training a texture StyleGAN on one or a few exemplars (``texgen train stylegan``).

Non-saturating logistic GAN loss, lazy R1 on reals, style-mixing regularisation, an EMA
generator, and differentiable augmentation applied alike to real and fake crops (flips, 90°
rotations, wrapped translations, light color jitter), each with probability 1/2 so that the
augmented distribution does not leak into the generator (ADA's p < 0.8 rule).

Output folder: ``generator.safetensors`` + ``model.json`` (the EMA generator, what nodes
load), ``training.safetensors`` (generator, discriminator, EMA, Adam moments, RNG and step,
for ``--resume``) and ``samples/step_NNNNNN.png`` grids.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from texgen import metrics
from texgen.io import encode_png
from texgen_neural.checkpoint import CheckpointError, _atomic, read_safetensors, save_generator
from texgen_neural.model import Discriminator, Generator, ModelConfig, to_image

STATE = "training.safetensors"


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
    sample_every: int = 250
    checkpoint_every: int = 250
    seed: int = 0


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


def augment(images: torch.Tensor, *, probability: float = 0.5) -> torch.Tensor:
    """Differentiable augmentation of (B, 3, S, S) images in [-1, 1], per sample.

    Each of three transforms is applied with ``probability``: a random symmetry of the square
    (flips and 90° rotations), a wrapped translation (the generator's outputs are periodic),
    and a light color jitter (brightness ±0.1, contrast and saturation x0.85..1.15).
    """
    out = []
    for image in images:
        if torch.rand(()) < probability:
            k = int(torch.randint(4, ()))
            image = image.rot90(k, dims=(1, 2))
            if torch.rand(()) < 0.5:
                image = image.flip(2)
        if torch.rand(()) < probability:
            shift = torch.randint(image.shape[1], (2,)).tolist()
            image = image.roll(shift, dims=(1, 2))
        if torch.rand(()) < probability:
            brightness, contrast, saturation = (torch.rand(3) * 2 - 1).tolist()
            mean = image.mean()
            gray = image.mean(0, keepdim=True)
            image = torch.lerp(gray, image, 1 + 0.15 * saturation)
            image = (image - mean) * (1 + 0.15 * contrast) + mean + 0.2 * brightness
        out.append(image)
    return torch.stack(out)


# --- the loop -----------------------------------------------------------------------------------

def _styles(generator: Generator, batch: int, crop: int, labels: torch.Tensor | None,
            mixing_prob: float, device: torch.device) -> torch.Tensor:
    """A batch of fakes (B, 3, crop, crop), with style mixing at a random level."""
    inputs = generator.make_inputs(batch, crop, crop, device=device)
    w = generator.mapping(inputs.z, labels)
    ws = w[:, None].repeat(1, generator.config.levels, 1)
    if generator.config.levels > 1 and torch.rand(()) < mixing_prob:
        cut = int(torch.randint(1, generator.config.levels, ()))
        w2 = generator.mapping(torch.randn_like(inputs.z).to(device), labels)
        ws[:, cut:] = w2[:, None]
    if generator.training:
        generator.update_w_avg(w, labels)
    return generator(ws, inputs.spatial, inputs.noises)


def _flatten_optimizer(prefix: str, optimizer: torch.optim.Optimizer) -> dict:
    return {f"{prefix}.{index}.{name}": value.detach().cpu().reshape(-1).float()
            for index, state in optimizer.state_dict()["state"].items()
            for name, value in state.items()}


def _restore_optimizer(prefix: str, optimizer: torch.optim.Optimizer, tensors: dict) -> None:
    """Load the Adam moments that ``_flatten_optimizer`` stored (state indices count the
    parameters in group order)."""
    state_dict = optimizer.state_dict()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for index, param in enumerate(params):
        key = f"{prefix}.{index}."
        if key + "exp_avg" in tensors:
            state_dict["state"][index] = {
                "step": tensors[key + "step"].reshape(()),
                "exp_avg": tensors[key + "exp_avg"].reshape(param.shape).to(param.device),
                "exp_avg_sq": tensors[key + "exp_avg_sq"].reshape(param.shape).to(param.device)}
    optimizer.load_state_dict(state_dict)


def _sample_grid(generator: Generator, inputs, labels, exemplar_crop: np.ndarray) -> bytes:
    """PNG bytes: the exemplar crop, then the EMA generator's samples, side by side."""
    with torch.no_grad():
        fakes = to_image(generator.generate(inputs, labels)).cpu().numpy()
    tiles_ = [exemplar_crop, *fakes]
    gap = np.ones((tiles_[0].shape[0], 4, 3), np.float32)
    row = np.concatenate([x for t in tiles_ for x in (t, gap)][:-1], axis=1)
    return encode_png(row)


def final_report(generator: Generator, exemplars: Sequence[np.ndarray], *,
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
    state_tensors = None
    if resume:
        state_path = output / STATE
        state_tensors, meta = read_safetensors(state_path)
        try:
            saved = json.loads(meta["texgen_training"])
            config = ModelConfig.from_dict(saved["config"])
            options = TrainOptions(**{**saved["options"], **({"steps": options.steps}
                                                             if options else {})})
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"{state_path}: not a texgen training state: {exc}") from None
    options = options or TrainOptions()
    if config is None:
        config = ModelConfig(num_classes=len(exemplars) if len(exemplars) > 1 else 0)
    if config.num_classes not in (0, len(exemplars)) or \
            (config.num_classes == 0 and len(exemplars) > 1):
        raise ValueError(f"{len(exemplars)} exemplars need num_classes {len(exemplars)}, "
                         f"the config has {config.num_classes}")
    step_multiple = max(config.cell, 2 ** len(config.d_channels))
    if options.crop % step_multiple:
        raise ValueError(f"crop {options.crop} must be a multiple of {step_multiple} (the "
                         f"model's cell and the discriminator's downsampling)")

    torch.manual_seed(options.seed)
    data = Exemplars(exemplars, crop=options.crop, device=torch_device)
    g = Generator(config).to(torch_device)
    d = Discriminator(config).to(torch_device)
    g_ema = copy.deepcopy(g).eval().requires_grad_(False)
    opt_g = torch.optim.Adam(g.parameters(), lr=options.lr, betas=(0.0, 0.99))
    # Lazy R1: the D optimiser's betas are scaled for updates that come every interval steps.
    ratio = options.r1_interval / (options.r1_interval + 1)
    opt_d = torch.optim.Adam(d.parameters(), lr=options.lr * ratio,
                             betas=(0.0, 0.99 ** ratio))
    start, seconds = 0, 0.0
    if state_tensors is not None:
        for prefix, module in (("G", g), ("D", d), ("G_ema", g_ema)):
            module.load_state_dict({k[len(prefix) + 1:]: v.to(torch_device)
                                    for k, v in state_tensors.items()
                                    if k.startswith(prefix + ".")})
        _restore_optimizer("opt_g", opt_g, state_tensors)
        _restore_optimizer("opt_d", opt_d, state_tensors)
        torch.set_rng_state(state_tensors["rng"].to(torch.uint8))
        start, seconds = saved["step"], saved["seconds"]

    labels_of = (lambda labels: labels) if config.num_classes else (lambda labels: None)
    fixed = g.make_inputs(4, options.crop, options.crop, device=torch_device,
                          generator=torch.Generator().manual_seed(options.seed))
    fixed_labels = (torch.arange(4, device=torch_device) % config.num_classes
                    if config.num_classes else None)
    first_crop = exemplars[0][:options.crop, :options.crop]

    def checkpoint(step: int) -> None:
        tensors = {f"{p}.{k}": v.detach().cpu().contiguous()
                   for p, m in (("G", g), ("D", d), ("G_ema", g_ema))
                   for k, v in m.state_dict().items()}
        tensors.update(_flatten_optimizer("opt_g", opt_g))
        tensors.update(_flatten_optimizer("opt_d", opt_d))
        tensors["rng"] = torch.get_rng_state()
        meta = {"texgen_training": json.dumps({
            "config": config.to_dict(), "options": dataclasses.asdict(options),
            "step": step, "seconds": seconds})}
        from safetensors.torch import save_file
        _atomic(output / STATE, lambda p: save_file(tensors, str(p), metadata=meta))
        save_generator(g_ema, output, training={**(record or {}), "step": step,
                                                "seconds": round(seconds, 1),
                                                "options": dataclasses.asdict(options)})

    losses = {}
    output.mkdir(parents=True, exist_ok=True)
    for step in range(start + 1, options.steps + 1):
        tick = time.perf_counter()
        reals, labels = data.sample(options.batch)
        labels = labels_of(labels)
        # Discriminator: logistic loss on fakes and reals.
        g.requires_grad_(False)
        d.requires_grad_(True)
        with torch.no_grad():
            fakes = _styles(g, options.batch, options.crop, labels, options.mixing_prob,
                            torch_device)
        loss_d = (F.softplus(d(augment(fakes), labels)).mean()
                  + F.softplus(-d(augment(reals), labels)).mean())
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        losses["D"] = loss_d.item()
        if step % options.r1_interval == 0:
            reals = reals.detach().requires_grad_(True)
            scores = d(augment(reals), labels)
            (grad,) = torch.autograd.grad(scores.sum(), reals, create_graph=True)
            r1 = grad.square().sum(dim=(1, 2, 3)).mean()
            (r1 * options.r1_gamma / 2 * options.r1_interval).backward()
            losses["R1"] = r1.item()
        opt_d.step()
        # Generator: non-saturating loss.
        g.requires_grad_(True)
        d.requires_grad_(False)
        fakes = _styles(g, options.batch, options.crop, labels, options.mixing_prob,
                        torch_device)
        loss_g = F.softplus(-d(augment(fakes), labels)).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        losses["G"] = loss_g.item()
        if not all(np.isfinite(v) for v in losses.values()):
            raise FloatingPointError(f"step {step}: losses diverged: {losses}")
        with torch.no_grad():
            for p_ema, p in zip(g_ema.parameters(), g.parameters()):
                p_ema.lerp_(p, 1 - options.ema_beta)
            g_ema.w_avg.copy_(g.w_avg)
        seconds += time.perf_counter() - tick
        if progress:
            progress(step, options.steps, losses)
        if options.sample_every and step % options.sample_every == 0:
            png = _sample_grid(g_ema, fixed, fixed_labels, first_crop)
            (output / "samples").mkdir(exist_ok=True)
            _atomic(output / "samples" / f"step_{step:06d}.png",
                    lambda p, png=png: p.write_bytes(png))
        out_of_time = time_limit is not None and seconds >= time_limit
        if (options.checkpoint_every and step % options.checkpoint_every == 0) \
                or step == options.steps or out_of_time:
            checkpoint(step)
        if out_of_time:
            break
    else:
        step = max(start, options.steps)
        if start >= options.steps:
            checkpoint(step)
    report = final_report(g_ema, exemplars, device=torch_device)
    final = {**(record or {}), "step": step, "seconds": round(seconds, 1),
             "options": dataclasses.asdict(options), "losses": losses, "metrics": report}
    save_generator(g_ema, output, training=final)
    return final
