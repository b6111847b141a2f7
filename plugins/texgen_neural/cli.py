"""``texgen train stylegan`` (a texture StyleGAN on exemplar images), ``texgen train
image2maps`` (the learned photo → normal / height refinement on texgen's own renders) and
``texgen train cyclegan`` (translation between two material states)."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from texgen.errors import InputError, RenderError
from texgen.io import read_image
from texgen_neural.config import ARCHITECTURES, AUGMENTATIONS, ModelConfig, TrainOptions
from texgen_neural.cyclegan.config import CycleConfig
from texgen_neural.cyclegan.config import TrainOptions as CycleOptions
from texgen_neural.image2maps.config import LR_DECAYS, DataSettings, NetConfig
from texgen_neural.image2maps.config import TrainOptions as MapsOptions
from texgen_neural.vae.config import DataSettings as VaeData
from texgen_neural.vae.config import TrainOptions as VaeOptions
from texgen_neural.vae.config import VaeConfig as VaeModel

#: The defaults of the options come from the configuration dataclasses.
MODEL = ModelConfig()
OPTIONS = TrainOptions()
MAPS_OPTIONS = MapsOptions()
MAPS_DATA = DataSettings()
MAPS_NET = NetConfig()
CYCLE_MODEL = CycleConfig()
CYCLE_OPTIONS = CycleOptions()
VAE_OPTIONS = VaeOptions()
VAE_MODEL = VaeModel()
VAE_DATA = VaeData()


def _channels(value: str) -> tuple[int, ...]:
    try:
        channels = tuple(int(c) for c in value.split(","))
    except ValueError:
        channels = ()
    if not channels or min(channels) < 1:
        raise click.BadParameter(f"{value!r}: give positive integers, e.g. 128,64,32,16")
    return channels


def _options(*decorators):
    """One decorator applying click ``decorators`` in the order written."""
    def apply(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command
    return apply


def _step_options(defaults, *, batch_help: str = "Crops per step."):
    """--steps, --crop, --batch, defaulting to a trainer's ``TrainOptions``."""
    return _options(
        click.option("--steps", type=click.IntRange(1), default=defaults.steps,
                     show_default=True, help="Training steps (total, also with --resume)."),
        click.option("--crop", type=click.IntRange(8), default=defaults.crop,
                     show_default=True, help="Side of the square training crops, pixels."),
        click.option("--batch", type=click.IntRange(1), default=defaults.batch,
                     show_default=True, help=batch_help))


def _run_options(defaults, *, seed_help: str, not_timed: str = ""):
    """--device, --threads, --seed, --minutes, --resume and -q, as every trainer takes
    them; ``not_timed`` says what --minutes does not count (rendering the data)."""
    return _options(
        click.option("--device", default="cpu", show_default=True,
                     type=click.Choice(["cpu", "cuda", "auto"])),
        click.option("--threads", type=click.IntRange(1), default=1, show_default=True,
                     help="CPU threads of PyTorch (results are reproducible for one count; "
                          "from Python, torch.set_num_threads)."),
        click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=defaults.seed,
                     show_default=True, help=seed_help),
        click.option("--minutes", type=click.FloatRange(0, min_open=True),
                     help="Stop after this much training time (resumed time included), at a "
                          f"checkpoint{not_timed}."),
        click.option("--resume", is_flag=True, help="Continue OUTPUT's training state (its "
                     "config and options win, except --steps)."),
        click.option("-q", "--quiet", is_flag=True, help="No progress."))


@contextlib.contextmanager
def _training_errors(command: str, output: Path):
    """A trainer's errors as texgen's: a bad training state or option is bad input (exit
    2), a model folder that cannot be written a failed run (exit 1), and so is a network
    too large for the memory (PyTorch's allocation errors, CPU and CUDA)."""
    import torch

    from texgen_neural.checkpoint import CheckpointError

    try:
        yield
    except CheckpointError as exc:  # a ValueError too: named first
        raise InputError(str(exc)) from None
    except ValueError as exc:
        raise InputError(f"texgen train {command}: {exc}") from None
    except OSError as exc:
        raise RenderError(f"{output}: cannot write the model: {exc.strerror or exc}") from None
    except (torch.OutOfMemoryError, RuntimeError) as exc:
        if not isinstance(exc, torch.OutOfMemoryError) and "allocate" not in str(exc):
            raise
        raise RenderError(f"texgen train {command}: out of memory for this model and batch "
                          f"(smaller --channels, --batch or --crop): "
                          f"{str(exc).splitlines()[-1][:200]}") from None


def _progress(title: str, quiet: bool) -> Callable[[int, int, dict], None]:
    """A progress callback (step, steps, losses) drawing a bar with the losses and the time
    on stderr: redrawn in place on a terminal; otherwise a line every 50 steps, or every
    twentieth of a shorter run (so 24 renders show each); silent when ``quiet``."""
    started = time.perf_counter()
    tty = sys.stderr.isatty()

    def progress(step: int, total: int, losses: dict) -> None:
        every = max(1, min(50, total // 20))
        if quiet or not (tty or step % every == 0 or step == total):
            return
        elapsed = time.perf_counter() - started
        done = int(30 * step / total)
        text = "  ".join(f"{k} {v:.3f}" for k, v in losses.items())
        clear = "\r\033[K" if tty else ""
        click.echo(f"{clear}{title} [{'#' * done}{'.' * (30 - done)}] {step}/{total}  "
                   f"{text}  {elapsed:.0f}s", err=True, nl=not tty or step == total)

    return progress


def _command_record() -> dict:
    """The parsed command line, for model.json: how this model was made."""
    return {"command": {k: [str(x) for x in v] if isinstance(v, tuple) else
                        str(v) if isinstance(v, Path) else v
                        for k, v in click.get_current_context().params.items()}}


def _device(device: str) -> str:
    """``--device``: "auto" picks cuda when PyTorch sees one; cuda without one is an
    ``InputError``."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: PyTorch sees no CUDA device")
    return device


@click.command("stylegan")
@click.argument("exemplars", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (generator.safetensors, model.json, samples/).")
@_step_options(OPTIONS)
@click.option("--channels", default=",".join(map(str, MODEL.channels)), show_default=True,
              help="Generator channels per level, coarse to fine; N levels make a cell of "
                   "2**(N-1) pixels.")
@click.option("--d-channels", default=",".join(map(str, MODEL.d_channels)), show_default=True,
              help="Discriminator channels per scale, fine to coarse.")
@click.option("--w-dim", type=click.IntRange(1), default=MODEL.w_dim, show_default=True,
              help="Size of z and w.")
@click.option("--arch", type=click.Choice(ARCHITECTURES), default=MODEL.arch, show_default=True,
              help="Generator: stylegan, or dcgan (transposed convolutions and batch norm, no "
                   "styles: the baseline; one exemplar).")
@click.option("--periodic", type=click.IntRange(0), default=MODEL.periodic, show_default=True,
              help="PSGAN periodic channels in the StyleGAN's spatial input (sinusoids with "
                   "learnt wave vectors, whole cycles per output); 0: none.")
@click.option("--noise-init", type=click.FloatRange(0), default=MODEL.noise_init,
              show_default=True, help="Starting strength of the StyleGAN's per-pixel noise "
                                      "inputs (fine grain); 0: StyleGAN2's.")
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=OPTIONS.lr,
              show_default=True, help="Adam learning rate.")
@click.option("--r1-gamma", type=click.FloatRange(0), default=OPTIONS.r1_gamma, show_default=True,
              help="R1 penalty weight.")
@click.option("--augment", default=",".join(OPTIONS.augment), show_default=True,
              help=f"Augmentations of the discriminator's crops, comma-separated, from "
                   f"{', '.join(AUGMENTATIONS)}; 'none' for none.")
@click.option("--spectrum-weight", type=click.FloatRange(0), default=OPTIONS.spectrum_weight,
              show_default=True, help="Weight of the generator's spectrum term: the fakes' "
                                      "mean log power spectrum against the exemplar's.")
@click.option("--sample-every", type=click.IntRange(0), default=OPTIONS.sample_every,
              show_default=True, help="Steps between sample grids in OUTPUT/samples (0: none).")
@click.option("--checkpoint-every", type=click.IntRange(0), default=OPTIONS.checkpoint_every,
              show_default=True, help="Steps between resumable checkpoints (0: only at the end).")
@_run_options(OPTIONS, seed_help="Seeds the weights, crops and latents.")
def train_stylegan(exemplars, output, steps, crop, batch, channels, d_channels, w_dim, arch,
                   periodic, noise_init, lr, r1_gamma, augment, spectrum_weight,
                   sample_every, checkpoint_every, device, threads, resume, seed, minutes,
                   quiet):
    """Train a texture StyleGAN on EXEMPLARS (one label each when there are several) for the
    neural.stylegan node; --arch dcgan trains the DCGAN baseline instead. Progress with
    losses goes to stderr, then a metrics report (patch-SWD and spectrum distance to the
    exemplar, seam score, diversity)."""
    import torch

    from texgen_neural.train import train

    device = _device(device)
    torch.set_num_threads(threads)
    images = []
    for path in exemplars:
        image = read_image(path)
        color = image[..., :3] if image.shape[2] >= 3 else image[..., :1].repeat(3, axis=2)
        images.append(color.clip(0.0, 1.0))
    try:
        config = ModelConfig(z_dim=w_dim, w_dim=w_dim, channels=_channels(channels),
                             d_channels=_channels(d_channels), arch=arch, periodic=periodic,
                             noise_init=noise_init,
                             num_classes=len(images) if len(images) > 1 else 0)
        options = TrainOptions(steps=steps, crop=crop, batch=batch, lr=lr, r1_gamma=r1_gamma,
                               augment=() if augment == "none" else augment.split(","),
                               spectrum_weight=spectrum_weight, sample_every=sample_every,
                               checkpoint_every=checkpoint_every, seed=seed)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    with _training_errors("stylegan", output):
        result = train(images, output, config=config, options=options, device=device,
                       resume=resume, progress=_progress("train stylegan", quiet),
                       record=_command_record(),
                       time_limit=minutes * 60 if minutes else None)
    if not quiet:
        click.echo(f"wrote {output} ({result['seconds']:.0f}s of training)", err=True)
        for label, row in zip(exemplars, result["metrics"]["labels"]):
            click.echo(f"  {label.name}: " + json.dumps({k: round(v, 4)
                                                          for k, v in row.items()}), err=True)


@click.command("image2maps")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (generator.safetensors, model.json, "
                   "training.safetensors).")
@click.option("--presets", "presets", multiple=True, metavar="PRESET",
              help="Presets the materials come from (repeatable); default every preset "
                   "found that uses no neural node.")
@click.option("--exclude", multiple=True, metavar="PRESET",
              help="Leave this preset out (repeatable), e.g. to test on it.")
@click.option("--samples", type=click.IntRange(1), default=MAPS_DATA.samples, show_default=True,
              help="Rendered samples per preset.")
@click.option("--procedural", type=click.IntRange(0), default=MAPS_DATA.procedural,
              show_default=True,
              help="Further samples of random procedural materials (no preset's).")
@click.option("--size", type=click.IntRange(16), default=MAPS_DATA.size, show_default=True,
              help="Side of each rendered sample, pixels.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=".texgen-cache", show_default=True,
              help="Folder the rendered dataset is cached in (keyed by its settings).")
@_step_options(MAPS_OPTIONS)
@click.option("--channels", default=",".join(map(str, MAPS_NET.channels)), show_default=True,
              help="U-Net channels per level, fine to coarse.")
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=MAPS_OPTIONS.lr,
              show_default=True, help="Adam learning rate of both networks.")
@click.option("--lr-decay", type=click.Choice(LR_DECAYS), default=MAPS_OPTIONS.lr_decay,
              show_default=True, help="Learning-rate schedule: constant, or linear to 0 "
                                      "at the last step.")
@click.option("--correction-scale", type=click.FloatRange(0, 1),
              default=MAPS_NET.correction_scale, show_default=True,
              help="Share of its learned normal and height corrections the model applies "
                   "when it runs (training learns all of it; 0: the classical estimate).")
@_run_options(MAPS_OPTIONS, seed_help="Seeds the rendered data, the weights and the crops.",
              not_timed="; rendering the dataset is not counted")
@click.pass_obj
def train_image2maps(engine, output, presets, exclude, samples, procedural, size, cache, steps,
                     crop, batch, channels, lr, lr_decay, correction_scale, device, threads,
                     seed, minutes, resume, quiet):
    """Train the image2maps model (the neural.image_to_material node's) on pairs rendered from
    presets: shaded photo + classical estimate -> normal, height, roughness. The dataset is
    rendered once per settings into --cache. Progress goes to stderr, then the final metrics
    on training samples (normal error in degrees, height correlation, roughness error;
    learned vs classical)."""
    import torch

    from texgen_neural.image2maps.data import default_presets, load_dataset
    from texgen_neural.image2maps.train import train

    device = _device(device)
    torch.set_num_threads(threads)
    names = list(presets) or default_presets(engine)
    unknown = sorted(set(exclude) - set(names))
    if unknown:
        raise InputError(f"--exclude: {', '.join(unknown)} is not among the presets "
                         f"({', '.join(names)})")
    names = [name for name in names if name not in exclude]
    try:
        settings = DataSettings(presets=tuple(names), size=size, samples=samples,
                                procedural=procedural, seed=seed)
        options = MapsOptions(steps=steps, crop=crop, batch=batch, lr=lr, lr_decay=lr_decay,
                              seed=seed)
        config = NetConfig(channels=_channels(channels), d_channels=MAPS_NET.d_channels,
                           correction_scale=correction_scale)
    except ValueError as exc:
        raise InputError(f"texgen train image2maps: {exc}") from None
    rendering = _progress("render image2maps data", quiet)
    dataset = load_dataset(settings, engine=engine, cache=cache,
                           progress=lambda done, total: rendering(done, total, {}))
    record = {**_command_record(), "data": {"presets": names, "size": size,
                                            "samples": samples, "procedural": procedural,
                                            "seed": seed}}
    with _training_errors("image2maps", output):
        result = train(dataset, output, config=config, options=options, device=device,
                       resume=resume, progress=_progress("train image2maps", quiet),
                       record=record, time_limit=minutes * 60 if minutes else None)
    if not quiet:
        click.echo(f"wrote {output} ({result['seconds']:.0f}s of training, step "
                   f"{result['step']})", err=True)
        click.echo("  " + json.dumps(result["metrics"]), err=True)


@click.command("cyclegan")
@click.option("--a", "a_items", multiple=True, required=True, metavar="IMAGE_OR_PRESET",
              help="Set A (repeatable): an image file, or PRESET[:NAME=VALUE,...] rendered at "
                   "--renders seeds, e.g. 'rusted_metal:rust_amount=0'.")
@click.option("--b", "b_items", multiple=True, required=True, metavar="IMAGE_OR_PRESET",
              help="Set B (repeatable), as --a.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (generator.safetensors, model.json, "
                   "training.safetensors, samples/).")
@click.option("--renders", type=click.IntRange(1), default=8, show_default=True,
              help="Seeds each preset item is rendered at (0 .. N-1).")
@click.option("--render-size", type=click.IntRange(16), default=256, show_default=True,
              help="Side of each preset render, pixels.")
@_step_options(CYCLE_OPTIONS, batch_help="Crops of each set per step.")
@click.option("--channels", type=click.IntRange(1), default=CYCLE_MODEL.channels,
              show_default=True, help="Generator channels at full resolution.")
@click.option("--blocks", type=click.IntRange(0), default=CYCLE_MODEL.blocks, show_default=True,
              help="Residual blocks of each generator.")
@click.option("--sample-every", type=click.IntRange(0), default=CYCLE_OPTIONS.sample_every,
              show_default=True, help="Steps between sample grids in OUTPUT/samples (0: none).")
@click.option("--checkpoint-every", type=click.IntRange(0),
              default=CYCLE_OPTIONS.checkpoint_every, show_default=True,
              help="Steps between resumable checkpoints (0: only at the end).")
@_run_options(CYCLE_OPTIONS, seed_help="Seeds the weights and the crops.",
              not_timed="; rendering the sets is not counted")
@click.pass_obj
def train_cyclegan(engine, a_items, b_items, output, renders, render_size, steps, crop, batch,
                   channels, blocks, sample_every, checkpoint_every, device, threads, seed,
                   minutes, resume, quiet):
    """Train a CycleGAN translating textures between two states, set A and set B (unpaired),
    for the neural.translate node. Progress with the losses goes to stderr, then a metrics
    report pairing the i-th A image with the i-th B image (patch-SWD of the translation and
    of the input to the other image, edge correlation with the input, round-trip L1)."""
    import torch

    from texgen_neural.cyclegan.data import load_set
    from texgen_neural.cyclegan.train import train

    device = _device(device)
    torch.set_num_threads(threads)
    a = load_set(a_items, engine=engine, size=render_size, seeds=range(renders),
                 progress=_progress("read cyclegan set A", quiet))
    b = load_set(b_items, engine=engine, size=render_size, seeds=range(renders),
                 progress=_progress("read cyclegan set B", quiet))
    try:
        config = CycleConfig(channels=channels, blocks=blocks)
        options = CycleOptions(steps=steps, crop=crop, batch=batch, sample_every=sample_every,
                               checkpoint_every=checkpoint_every, seed=seed)
    except ValueError as exc:
        raise InputError(f"texgen train cyclegan: {exc}") from None
    record = {**_command_record(), "sets": {"a": len(a), "b": len(b)}}
    with _training_errors("cyclegan", output):
        result = train(a, b, output, config=config, options=options, device=device,
                       resume=resume, progress=_progress("train cyclegan", quiet),
                       record=record, time_limit=minutes * 60 if minutes else None)
    if not quiet:
        click.echo(f"wrote {output} ({result['seconds']:.0f}s of training, step "
                   f"{result['step']})", err=True)
        for direction, row in result["metrics"].items():
            click.echo(f"  {direction}: " + json.dumps({k: round(v, 4) for k, v in row.items()}),
                       err=True)


@click.command("vae")
@click.argument("items", nargs=-1, required=True, metavar="IMAGE_OR_PRESET...")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (generator.safetensors, model.json, "
                   "training.safetensors, samples/).")
@click.option("--samples", type=click.IntRange(1), default=VAE_DATA.samples, show_default=True,
              help="Stacks rendered of each preset, at random parameter values and seeds.")
@click.option("--render-size", type=click.IntRange(16), default=VAE_DATA.size,
              show_default=True, help="Side of each preset render, pixels.")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
              default=".texgen-cache", show_default=True,
              help="Folder the rendered stacks are cached in (keyed by their settings).")
@_step_options(VAE_OPTIONS)
@click.option("--kl-weight", type=click.FloatRange(0), default=VAE_OPTIONS.kl_weight,
              show_default=True, help="Weight of the KL term: lower reconstructs sharper, "
              "higher samples the prior better.")
@click.option("--frequency-weight", type=click.FloatRange(0),
              default=VAE_OPTIONS.frequency_weight, show_default=True,
              help="Weight of the amplitude-spectrum L1 (against blur).")
@click.option("--adversarial-weight", type=click.FloatRange(0),
              default=VAE_OPTIONS.adversarial_weight, show_default=True,
              help="Weight of the patch discriminator's GAN term (against blur).")
@click.option("--consistency-weight", type=click.FloatRange(0),
              default=VAE_OPTIONS.consistency_weight, show_default=True,
              help="Weight of the height/normal consistency term (the decoded normal against "
                   "the normal derived from the decoded height).")
@click.option("--latent-channels", type=click.IntRange(1), default=VAE_MODEL.latent_channels,
              show_default=True, help="Latent values per cell of the latent grid: "
              "more reconstruct sharper, fewer sample the prior better.")
@click.option("--channels", default=",".join(map(str, VAE_MODEL.channels)), show_default=True,
              help="Encoder channels per level, fine to coarse (the decoder mirrors them); "
                   "n levels put the latent grid at 1/2**(n-1) resolution.")
@click.option("--blocks", type=click.IntRange(0), default=VAE_MODEL.blocks, show_default=True,
              help="Residual blocks at the latent resolution in the encoder and the decoder.")
@click.option("--sample-every", type=click.IntRange(0), default=VAE_OPTIONS.sample_every,
              show_default=True, help="Steps between sample grids in OUTPUT/samples (0: none).")
@click.option("--checkpoint-every", type=click.IntRange(0), default=VAE_OPTIONS.checkpoint_every,
              show_default=True, help="Steps between resumable checkpoints (0: only at the end).")
@_run_options(VAE_OPTIONS, seed_help="Seeds the rendered stacks, the weights and the crops.",
              not_timed="; rendering the stacks is not counted")
@click.pass_obj
def train_vae(engine, items, output, samples, render_size, cache, steps, crop, batch,
              kl_weight, frequency_weight, adversarial_weight, consistency_weight,
              latent_channels, channels, blocks, sample_every, checkpoint_every, device,
              threads, seed, minutes, resume, quiet):
    """Train a material VAE for the neural.vae node on stacks of PBR maps (basecolor, height,
    roughness, normal): each preset item rendered --samples times at random parameter
    values and seeds, each image item (a photo) through filters.image_to_material. Progress
    with the losses goes to stderr, then a report on held-out renders (reconstruction
    patch-SWD vs the random-phase baseline, morph midpoints, normal/height agreement)."""
    import torch

    from texgen_neural.cyclegan.data import is_image
    from texgen_neural.vae.data import HELD_OUT_SEED, load_stacks
    from texgen_neural.vae.train import train

    device = _device(device)
    torch.set_num_threads(threads)
    channels = _channels(channels)
    try:
        config = VaeModel(channels=channels, latent_channels=latent_channels, blocks=blocks,
                          d_channels=VAE_MODEL.d_channels)
        options = VaeOptions(steps=steps, crop=crop, batch=batch, kl_weight=kl_weight,
                             frequency_weight=frequency_weight,
                             adversarial_weight=adversarial_weight,
                             consistency_weight=consistency_weight, sample_every=sample_every,
                             checkpoint_every=checkpoint_every, seed=seed)
    except ValueError as exc:
        raise InputError(f"texgen train vae: {exc}") from None
    rendering = _progress("render vae stacks", quiet)
    stacks = load_stacks(items, engine=engine, size=render_size, samples=samples, seed=seed,
                         cache=cache, progress=lambda done, total: rendering(done, total, {}))
    presets = [item for item in items if not is_image(item)]
    report = load_stacks(presets, engine=engine, size=render_size, samples=2,
                         seed=HELD_OUT_SEED + seed, cache=cache) if presets else stacks[:4]
    record = {**_command_record(), "data": {"items": list(items), "stacks": len(stacks),
                                            "size": render_size, "samples": samples}}
    with _training_errors("vae", output):
        result = train(stacks, output, config=config, options=options, device=device,
                       resume=resume, progress=_progress("train vae", quiet), record=record,
                       time_limit=minutes * 60 if minutes else None, report_stacks=report)
    if not quiet:
        click.echo(f"wrote {output} ({result['seconds']:.0f}s of training, step "
                   f"{result['step']})", err=True)
        for part, row in result["metrics"].items():
            click.echo(f"  {part}: " + json.dumps({k: round(v, 4) for k, v in row.items()}),
                       err=True)
