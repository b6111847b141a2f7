"""``texgen train stylegan``: train a texture StyleGAN on exemplar images."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from texgen.errors import InputError, RenderError
from texgen.io import read_image
from texgen_neural.config import ModelConfig, TrainOptions

#: The defaults of the options come from the configuration dataclasses.
MODEL = ModelConfig()
OPTIONS = TrainOptions()


def _channels(value: str) -> tuple[int, ...]:
    try:
        channels = tuple(int(c) for c in value.split(","))
    except ValueError:
        channels = ()
    if not channels or min(channels) < 1:
        raise click.BadParameter(f"{value!r}: give positive integers, e.g. 128,64,32,16")
    return channels


@click.command("stylegan")
@click.argument("exemplars", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (generator.safetensors, model.json, samples/).")
@click.option("--steps", type=click.IntRange(1), default=OPTIONS.steps, show_default=True,
              help="Training steps (total, also with --resume).")
@click.option("--crop", type=click.IntRange(8), default=OPTIONS.crop, show_default=True,
              help="Side of the square training crops, pixels.")
@click.option("--batch", type=click.IntRange(1), default=OPTIONS.batch, show_default=True,
              help="Crops per step.")
@click.option("--channels", default=",".join(map(str, MODEL.channels)), show_default=True,
              help="Generator channels per level, coarse to fine; N levels make a cell of "
                   "2**(N-1) pixels.")
@click.option("--d-channels", default=",".join(map(str, MODEL.d_channels)), show_default=True,
              help="Discriminator channels per scale, fine to coarse.")
@click.option("--w-dim", type=click.IntRange(1), default=MODEL.w_dim, show_default=True,
              help="Size of z and w.")
@click.option("--lr", type=click.FloatRange(0, min_open=True), default=OPTIONS.lr,
              show_default=True, help="Adam learning rate.")
@click.option("--r1-gamma", type=click.FloatRange(0), default=OPTIONS.r1_gamma, show_default=True,
              help="R1 penalty weight.")
@click.option("--sample-every", type=click.IntRange(0), default=OPTIONS.sample_every,
              show_default=True, help="Steps between sample grids in OUTPUT/samples (0: none).")
@click.option("--checkpoint-every", type=click.IntRange(0), default=OPTIONS.checkpoint_every,
              show_default=True, help="Steps between resumable checkpoints (0: only at the end).")
@click.option("--device", default="cpu", show_default=True,
              type=click.Choice(["cpu", "cuda", "auto"]))
@click.option("--resume", is_flag=True, help="Continue OUTPUT's training state (its config "
              "and options win, except --steps).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=OPTIONS.seed, show_default=True,
              help="Seeds the weights, crops and latents.")
@click.option("--minutes", type=click.FloatRange(0, min_open=True),
              help="Stop after this much training time (resumed time included), at a "
                   "checkpoint.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def train_stylegan(exemplars, output, steps, crop, batch, channels, d_channels, w_dim, lr,
                   r1_gamma, sample_every, checkpoint_every, device, resume, seed, minutes, quiet):
    """Train a texture StyleGAN on EXEMPLARS (one label each when there are several) for the
    neural.stylegan node. Progress with losses goes to stderr, then a metrics report
    (patch-SWD and spectrum distance to the exemplar, seam score, diversity)."""
    import torch

    from texgen_neural.checkpoint import CheckpointError
    from texgen_neural.train import train

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    elif device == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: PyTorch sees no CUDA device")
    images = []
    for path in exemplars:
        image = read_image(path)
        color = image[..., :3] if image.shape[2] >= 3 else image[..., :1].repeat(3, axis=2)
        images.append(color.clip(0.0, 1.0))
    try:
        config = ModelConfig(z_dim=w_dim, w_dim=w_dim, channels=_channels(channels),
                             d_channels=_channels(d_channels),
                             num_classes=len(images) if len(images) > 1 else 0)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    options = TrainOptions(steps=steps, crop=crop, batch=batch, lr=lr, r1_gamma=r1_gamma,
                           sample_every=sample_every, checkpoint_every=checkpoint_every,
                           seed=seed)
    started = time.perf_counter()
    tty = sys.stderr.isatty()

    def progress(step: int, total: int, losses: dict) -> None:
        if quiet or not (tty or step % 50 == 0 or step == total):
            return
        elapsed = time.perf_counter() - started
        done = int(30 * step / total)
        text = "  ".join(f"{k} {v:.3f}" for k, v in losses.items())
        clear = "\r\033[K" if tty else ""
        click.echo(f"{clear}train stylegan [{'#' * done}{'.' * (30 - done)}] {step}/{total}  "
                   f"{text}  {elapsed:.0f}s", err=True, nl=not tty or step == total)

    # The parsed command line, for model.json: how this model was made.
    record = {"command": {k: [str(x) for x in v] if isinstance(v, tuple) else
                          str(v) if isinstance(v, Path) else v
                          for k, v in click.get_current_context().params.items()}}
    try:
        result = train(images, output, config=config, options=options, device=device,
                       resume=resume, progress=progress, record=record,
                       time_limit=minutes * 60 if minutes else None)
    except CheckpointError as exc:
        raise InputError(str(exc)) from None
    except ValueError as exc:
        raise InputError(f"texgen train stylegan: {exc}") from None
    except OSError as exc:
        raise RenderError(f"{output}: cannot write the model: {exc.strerror or exc}") from None
    if not quiet:
        click.echo(f"wrote {output} ({result['seconds']:.0f}s of training)", err=True)
        for label, row in zip(exemplars, result["metrics"]["labels"]):
            click.echo(f"  {label.name}: " + json.dumps({k: round(v, 4)
                                                          for k, v in row.items()}), err=True)
