"""Training a CycleGAN (``texgen train cyclegan``) on unpaired crops of two sets.

Loss of the generators G (A → B) and F (B → A), on a batch of crops a of set A and b of
set B: the least-squares GAN terms (D_B(G(a)) - 1)² + (D_A(F(b)) - 1)², plus
``cycle_weight`` x (|F(G(a)) - a| + |G(F(b)) - b|) (cycle consistency: the translation
keeps what it needs to go back), plus ``cycle_weight`` x ``identity_weight`` x
(|G(b) - b| + |F(a) - a|) (identity: a texture already in the target state stays as it
is, which keeps colors). Each discriminator scores its set's crops towards 1 and the
translations towards 0. Crops are random, wrapped around for a tiling image, inside the
borders otherwise (the StyleGAN's ``Exemplars``).

One step of ``train`` is ``generator_step`` (changes only G and F), then
``discriminator_step`` on the same translations (changes only D_A and D_B);
``Run.end_of_step`` reports progress, writes sample grids and checkpoints, and ends the
run at the time limit. The output folder holds ``generator.safetensors`` + ``model.json``
(both generators: what the node loads), ``training.safetensors`` (every network, Adam
moments, RNG, step: for ``--resume``) and ``samples/step_NNNNNN.png``.
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
from texgen_neural.checkpoint import (
    TrainingNetworks,
    load_training_state,
)
from texgen_neural.cyclegan.config import FORMAT, CycleConfig, TrainOptions
from texgen_neural.cyclegan.metrics import translation_report
from texgen_neural.cyclegan.model import CycleGAN, discriminator
from texgen_neural.model import Discriminator
from texgen_neural.train import Exemplars

# --- networks and steps --------------------------------------------------------------------------

@dataclass
class Networks(TrainingNetworks):
    """Both generators (what a model ships), both discriminators, their Adam optimisers."""

    g: CycleGAN
    d_a: Discriminator
    d_b: Discriminator
    opt_g: torch.optim.Adam
    opt_d: torch.optim.Adam

    @classmethod
    def build(cls, config: CycleConfig, options: TrainOptions, device: torch.device) -> Networks:
        """Fresh networks from the global RNG (generators, then D_A, then D_B)."""
        g = CycleGAN(config).to(device)
        d_a, d_b = discriminator(config).to(device), discriminator(config).to(device)
        betas = (0.5, 0.99)
        return cls(g, d_a, d_b, torch.optim.Adam(g.parameters(), lr=options.lr, betas=betas),
                   torch.optim.Adam([*d_a.parameters(), *d_b.parameters()], lr=options.lr,
                                    betas=betas))

    def _parts(self) -> tuple[tuple[str, torch.nn.Module], ...]:
        """(checkpoint prefix, network) for each network."""
        return (("G", self.g), ("D_A", self.d_a), ("D_B", self.d_b))


def generator_step(nets: Networks, a: torch.Tensor, b: torch.Tensor,
                   options: TrainOptions) -> tuple[dict[str, float], torch.Tensor, torch.Tensor]:
    """One update of both generators on crops ``a``, ``b`` (B, 3, S, S) in [-1, 1] (see the
    module doc); the discriminators are not changed. Returns the terms ("G" the GAN terms,
    "cycle", "identity") and the translations (F(b), G(a)), detached."""
    nets.d_a.requires_grad_(False)
    nets.d_b.requires_grad_(False)
    g = nets.g
    fake_b, fake_a = g.a_to_b(a), g.b_to_a(b)
    terms = {
        "G": (nets.d_b(fake_b) - 1).square().mean() + (nets.d_a(fake_a) - 1).square().mean(),
        "cycle": (g.b_to_a(fake_b) - a).abs().mean() + (g.a_to_b(fake_a) - b).abs().mean(),
        "identity": (g.a_to_b(b) - b).abs().mean() + (g.b_to_a(a) - a).abs().mean()}
    loss = terms["G"] + options.cycle_weight * (terms["cycle"]
                                                + options.identity_weight * terms["identity"])
    nets.opt_g.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_g.step()
    return {k: v.item() for k, v in terms.items()}, fake_a.detach(), fake_b.detach()


def discriminator_step(nets: Networks, a: torch.Tensor, b: torch.Tensor, fake_a: torch.Tensor,
                       fake_b: torch.Tensor) -> float:
    """One LSGAN update of both discriminators: each set's crops towards 1, the
    translations into it towards 0. The generators are not changed. Returns the loss."""
    nets.d_a.requires_grad_(True)
    nets.d_b.requires_grad_(True)
    loss = 0.5 * sum((d(real) - 1).square().mean() + d(fake).square().mean()
                     for d, real, fake in ((nets.d_a, a, fake_a), (nets.d_b, b, fake_b)))
    nets.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_d.step()
    return loss.item()


# --- the run -------------------------------------------------------------------------------------

@dataclass(kw_only=True)
class Run(Bookkeeping):
    """The CycleGAN's bookkeeping: ``preview`` holds fixed crops (a, b) (4, 3, S, S) of the
    two sets for the sample grids; the model folder holds both generators."""

    model_format = FORMAT
    preview: tuple[torch.Tensor, torch.Tensor]

    def write_samples(self, step: int, nets: Networks) -> None:
        """Two rows of four columns; each column of the first row an A crop, its
        translation and the round trip back, stacked; the second row alike from B."""
        a, b = self.preview
        model = nets.g
        with torch.no_grad():
            ab = model.a_to_b(a)
            ba = model.b_to_a(b)
            rows = [torch.cat([a, ab, model.b_to_a(ab)], 2),             # (4, 3, 3S, S)
                    torch.cat([b, ba, model.a_to_b(ba)], 2)]
        gap = 4
        grid = [torch.cat([F.pad(x, (0, gap), value=1.0) for x in row], 2)
                for row in rows]                                        # (3, 3S, 4(S+gap))
        image = torch.cat([F.pad(grid[0], (0, 0, 0, gap), value=1.0), grid[1]], 1)
        self.write_grid(step, (image.permute(1, 2, 0) * 0.5 + 0.5).clamp(0, 1).cpu().numpy())




def train(a: Sequence[np.ndarray], b: Sequence[np.ndarray], output: str | Path, *,
          config: CycleConfig | None = None, options: TrainOptions | None = None,
          device: str = "cpu", resume: bool = False,
          progress: Callable[[int, int, dict], None] | None = None,
          record: dict | None = None, time_limit: float | None = None,
          report_pairs: int = 4) -> dict:
    """Train on the images of sets ``a`` and ``b`` (float32 (H, W, 3) arrays in [0, 1], each
    at least ``options.crop`` pixels a side) and write the model folder ``output``; returns
    model.json's "training" record, with the final losses and ``translation_report``
    metrics on the first ``report_pairs`` images of each set (the i-th A image paired with
    the i-th B image; 0: none).

    ``config``/``options`` default to ``CycleConfig()``/``TrainOptions()``; ``resume``
    continues from ``output``/training.safetensors, whose config and options then win
    (but ``options.steps``). ``progress(step, steps, losses)`` is called after every step;
    ``record`` (JSON) goes in model.json, e.g. the command line and the sets.
    ``time_limit`` (seconds of training, resumed time included) stops early, at a
    checkpoint. Deterministic for a given ``options.seed`` on one device and thread count.
    """
    output = Path(output)
    if not a or not b:
        raise ValueError(f"cyclegan training: set {'A' if not a else 'B'} is empty")
    torch_device = torch.device(device)
    state, start, seconds = None, 0, 0.0
    if resume:
        config, options, state, start, seconds = load_training_state(
            output / STATE, config_from_dict=CycleConfig.from_dict,
            options_from_dict=TrainOptions.from_dict, what="cyclegan",
            steps=options.steps if options else None)
    config = config or CycleConfig()
    options = options or TrainOptions()
    check_crop(config, options.crop)
    torch.manual_seed(options.seed)
    sets = []
    for name, images in (("A", a), ("B", b)):
        try:
            sets.append(Exemplars(images, crop=options.crop, device=torch_device))
        except ValueError as exc:
            raise ValueError(f"set {name}: {exc}") from None
    nets = Networks.build(config, options, torch_device)
    preview = tuple(data.sample(4)[0] for data in sets)  # drawn before a resumed RNG state
    if state is not None:
        nets.load_state_tensors(state)
    run = Run(output=output, config=config, options=options, record=record or {},
              preview=preview, progress=progress, time_limit=time_limit, seconds=seconds)
    output.mkdir(parents=True, exist_ok=True)
    losses: dict[str, float] = {}
    step = start
    for step in range(start + 1, options.steps + 1):
        tick = time.perf_counter()
        real_a, real_b = (data.sample(options.batch)[0] for data in sets)
        terms, fake_a, fake_b = generator_step(nets, real_a, real_b, options)
        losses.update(terms)
        losses["D"] = discriminator_step(nets, real_a, real_b, fake_a, fake_b)
        if not all(np.isfinite(v) for v in losses.values()):
            raise FloatingPointError(f"step {step}: losses diverged: {losses}")
        run.seconds += time.perf_counter() - tick
        if run.end_of_step(step, nets, losses):
            break
    final = {"losses": losses,
             "metrics": translation_report(nets.g, a, b, pairs=report_pairs) if report_pairs
             else {}}
    run.checkpoint(step, nets, **final)
    return json.loads((output / "model.json").read_text())["training"]
