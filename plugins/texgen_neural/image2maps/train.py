"""Training image2maps (``texgen train image2maps``): pix2pix on texgen's own renders.

Loss of the generator: the mean distance between its normal vectors and the rendered ones
(the chord, about the angle in radians: the benchmark's measure), L1 between its other maps
and the rendered ones (heights with each crop's mean taken out, since a crop cannot know the
sample's mean; roughness), weighted by ``TrainOptions``, plus ``adversarial_weight`` times
the LSGAN term of a patch discriminator that sees the network's inputs with either the
rendered maps or the generated ones. Crops are random, wrapped (the samples tile) and
transformed by one of the 8 symmetries of the square, normals transformed alike
(``model.turn``).

One step of ``train`` runs G once on a batch, then ``discriminator_step`` (changes only
D, pix2pix's order) and ``generator_step`` (changes only G); ``Run.end_of_step`` reports
progress, writes checkpoints and ends the run at the time limit. The output folder holds
``generator.safetensors`` + ``model.json`` (what the node loads) and
``training.safetensors`` (both networks, Adam moments, RNG, step: for ``--resume``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from texgen_neural.bookkeeping import STATE, Bookkeeping, crop_multiple
from texgen_neural.checkpoint import (
    TrainingNetworks,
    load_training_state,
)
from texgen_neural.image2maps.config import FORMAT, NetConfig, TrainOptions
from texgen_neural.image2maps.data import Dataset
from texgen_neural.image2maps.metrics import NODE_GAIN, evaluate
from texgen_neural.image2maps.model import PatchDiscriminator, UNet, turn

# --- batches ---------------------------------------------------------------------------------

def sample_batch(inputs: torch.Tensor, targets: torch.Tensor, batch: int,
                 crop: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs (B, 7, crop, crop), targets (B, 5, crop, crop)) float32: random samples of
    the (N, C, S, S) tensors at random wrapped positions, one random symmetry each, from the
    global torch RNG."""
    size = inputs.shape[-1]
    picks = torch.randint(len(inputs), (batch,)).tolist()
    offsets = torch.randint(size, (batch, 2)).tolist()
    symmetries = (torch.rand(batch, 3) < 0.5).tolist()
    out_inputs, out_targets = [], []
    span = torch.arange(crop, device=inputs.device)
    for index, (y, x), symmetry in zip(picks, offsets, symmetries):
        rows, columns = (span + y) % size, (span + x) % size
        pair = []
        for tensor, normal_at in ((inputs, 4), (targets, 0)):
            sample = tensor[index][:, rows][:, :, columns].float()[None]
            pair.append(turn(sample, normal_at, *symmetry))
        out_inputs.append(pair[0])
        out_targets.append(pair[1])
    return torch.cat(out_inputs), torch.cat(out_targets)


def centre_height(maps: torch.Tensor) -> torch.Tensor:
    """(B, 5, H, W) maps with each height channel's mean over the crop taken out."""
    height = maps[:, 3:4] - maps[:, 3:4].mean(dim=(2, 3), keepdim=True)
    return torch.cat([maps[:, :3], height, maps[:, 4:]], 1)


# --- networks and steps --------------------------------------------------------------------------

@dataclass
class Networks(TrainingNetworks):
    """The U-Net (what a model ships), the discriminator and their Adam optimisers."""

    g: UNet
    d: PatchDiscriminator
    opt_g: torch.optim.Adam
    opt_d: torch.optim.Adam

    @classmethod
    def build(cls, config: NetConfig, options: TrainOptions, device: torch.device) -> Networks:
        """Fresh networks from the global RNG (G first, then D)."""
        g = UNet(config).to(device)
        d = PatchDiscriminator(config).to(device)
        return cls(g, d, torch.optim.Adam(g.parameters(), lr=options.lr, betas=(0.5, 0.999)),
                   torch.optim.Adam(d.parameters(), lr=options.lr, betas=(0.5, 0.999)))

    def _parts(self) -> tuple[tuple[str, torch.nn.Module], ...]:
        """(checkpoint prefix, network) for each network."""
        return (("G", self.g), ("D", self.d))


def discriminator_step(nets: Networks, inputs: torch.Tensor, targets: torch.Tensor,
                       fakes: torch.Tensor) -> float:
    """One LSGAN update of D: rendered maps scored towards 1, the generated ``fakes``
    (B, 5, H, W) towards 0. G is not changed. Returns the loss."""
    nets.d.requires_grad_(True)
    loss = 0.5 * ((nets.d(inputs, centre_height(targets)) - 1).square().mean()
                  + nets.d(inputs, centre_height(fakes.detach())).square().mean())
    nets.opt_d.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_d.step()
    return loss.item()


def generator_step(nets: Networks, inputs: torch.Tensor, targets: torch.Tensor,
                   fakes: torch.Tensor, options: TrainOptions) -> dict[str, float]:
    """One update of G from its ``fakes`` (B, 5, H, W) (its maps of ``inputs``, still
    attached to its graph): the weighted normal, height and roughness terms plus the
    adversarial term (see the module doc); D is not changed. Returns each term ("normal",
    "height", "roughness", "G_adv")."""
    nets.d.requires_grad_(False)
    fakes, targets = centre_height(fakes), centre_height(targets)
    chord = ((fakes[:, :3] - targets[:, :3]).square().sum(1) + 1e-8).sqrt()  # (B, H, W)
    terms = {"normal": chord.mean(),
             "height": (fakes[:, 3] - targets[:, 3]).abs().mean(),
             "roughness": (fakes[:, 4] - targets[:, 4]).abs().mean(),
             "G_adv": (nets.d(inputs, fakes) - 1).square().mean()}
    loss = (terms["normal"] + options.height_weight * terms["height"]
            + options.roughness_weight * terms["roughness"]
            + options.adversarial_weight * terms["G_adv"])
    nets.opt_g.zero_grad(set_to_none=True)
    loss.backward()
    nets.opt_g.step()
    return {name: value.item() for name, value in terms.items()}


# --- the run -------------------------------------------------------------------------------------

@dataclass(kw_only=True)
class Run(Bookkeeping):
    """The image2maps bookkeeping: no sample grids; the model folder holds the U-Net."""

    model_format = FORMAT


def check_options(config: NetConfig, options: TrainOptions, sample_size: int) -> None:
    """ValueError unless the crop is a multiple of the U-Net's stride and of the
    discriminator's downsampling, and no larger than the samples."""
    multiple = crop_multiple(config)
    if options.crop % multiple or options.crop > sample_size:
        raise ValueError(f"crop {options.crop} must be a multiple of {multiple} (the networks' "
                         f"downsampling) and at most the samples' size, {sample_size}")


def train(dataset: Dataset, output: str | Path, *, config: NetConfig | None = None,
          options: TrainOptions | None = None, device: str = "cpu", resume: bool = False,
          progress: Callable[[int, int, dict], None] | None = None,
          record: dict | None = None, time_limit: float | None = None) -> dict:
    """Train on ``dataset`` and write the model folder ``output``; returns model.json's
    "training" record (with the final losses and ``evaluate`` metrics on up to 32 training
    samples).

    The U-Net's slope gain is held at ``NODE_GAIN`` (the classical node's default strength,
    itself the least-angle depth over texgen's presets) and not trained, so the untrained
    network is the classical estimate exactly and the steps go to the local corrections
    only (a gain fitted to the training presets scored worse on a held-out preset than the
    node's default). ``config``/``options`` default to
    ``NetConfig()``/``TrainOptions()``; ``resume``
    continues from ``output``/training.safetensors, whose config and options then win
    (but ``options.steps``). ``progress(step, steps, losses)`` is called after every step;
    ``record`` (JSON) goes in model.json, e.g. the command line and the data settings.
    ``time_limit`` (seconds of training, resumed time included) stops early, at a
    checkpoint. Deterministic for a given ``options.seed`` on one device and thread count.
    """
    output = Path(output)
    if len(dataset) == 0:
        raise ValueError("image2maps training: the dataset is empty")
    torch_device = torch.device(device)
    state, start, seconds = None, 0, 0.0
    if resume:
        config, options, state, start, seconds = load_training_state(
            output / STATE, config_from_dict=NetConfig.from_dict,
            options_from_dict=TrainOptions.from_dict, what="image2maps",
            steps=options.steps if options else None)
    config = config or NetConfig()
    options = options or TrainOptions()
    check_options(config, options, dataset.inputs.shape[-1])
    torch.manual_seed(options.seed)
    nets = Networks.build(config, options, torch_device)
    if state is not None:
        nets.load_state_tensors(state)
    else:
        nets.g.slope_gain.data.fill_(NODE_GAIN)
    nets.g.slope_gain.requires_grad_(False)
    nets.g.correction_scale = 1.0  # the whole correction is learned; the config's share runs
    inputs = torch.from_numpy(dataset.inputs).to(torch_device)
    targets = torch.from_numpy(dataset.targets).to(torch_device)
    run = Run(output=output, config=config, options=options, record=record or {},
              progress=progress, time_limit=time_limit, seconds=seconds)
    output.mkdir(parents=True, exist_ok=True)
    losses: dict[str, float] = {}
    step = start
    for step in range(start + 1, options.steps + 1):
        tick = time.perf_counter()
        for optimizer in (nets.opt_g, nets.opt_d):
            for group in optimizer.param_groups:
                group["lr"] = options.rate(step)
        batch_inputs, batch_targets = sample_batch(inputs, targets, options.batch, options.crop)
        fakes = nets.g(batch_inputs)
        losses["D"] = discriminator_step(nets, batch_inputs, batch_targets, fakes)
        losses.update(generator_step(nets, batch_inputs, batch_targets, fakes, options))
        if not all(np.isfinite(v) for v in losses.values()):
            raise FloatingPointError(f"step {step}: losses diverged: {losses}")
        run.seconds += time.perf_counter() - tick
        if run.end_of_step(step, nets, losses):
            break
    final = {"losses": losses,
             "metrics": evaluate(nets.g, dataset.subset(np.arange(min(32, len(dataset)))),
                                 device=torch_device)}
    run.checkpoint(step, nets, **final)
    return json.loads((output / "model.json").read_text())["training"]
