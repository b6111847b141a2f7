"""What every training run does between steps besides learning, written once for the model
families (stylegan, image2maps, cyclegan): progress calls, sample grids, checkpoints of the
resumable state and of the model folder, and the time limit."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from texgen.io import atomic_write, encode_png
from texgen_neural.checkpoint import save_model, save_training_state

#: The resumable training state in a model folder (ignored by git for shipped models).
STATE = "training.safetensors"


def crop_multiple(config: Any) -> int:
    """What a training crop must be a multiple of: the generator's ``config.stride`` and
    the discriminator's downsampling (one halving per entry of ``config.d_channels``)."""
    return max(config.stride, 2 ** len(config.d_channels))


def check_crop(config: Any, crop: int) -> None:
    """ValueError unless ``crop`` is a multiple of ``crop_multiple(config)``."""
    multiple = crop_multiple(config)
    if crop % multiple:
        raise ValueError(f"crop {crop} must be a multiple of {multiple} (the networks' "
                         f"downsampling)")


@dataclass(kw_only=True)
class Bookkeeping:
    """A run's bookkeeping; a model family subclasses it with its ``model_format`` (or its
    own ``save_model``: what its model folder holds) and, when it draws them,
    ``write_samples``.

    Sample grids come every ``options.sample_every`` steps (when the options have it),
    checkpoints every ``options.checkpoint_every`` steps, at the last step and when the
    time is up. ``seconds`` counts training time (the steps, resumed runs included), not
    bookkeeping; ``time_limit`` bounds it.
    """

    #: The ``format`` of the model folder ``save_model`` writes.
    model_format: ClassVar[str] = ""

    output: Path
    config: Any
    options: Any
    record: dict
    progress: Callable[[int, int, dict], None] | None = None
    time_limit: float | None = None
    seconds: float = 0.0

    def end_of_step(self, step: int, nets, losses: dict[str, float]) -> bool:
        """Report ``step``, write what is due; True when the time is up (after a
        checkpoint), so the run stops."""
        options = self.options
        if self.progress:
            self.progress(step, options.steps, losses)
        sample_every = getattr(options, "sample_every", 0)
        if sample_every and step % sample_every == 0:
            self.write_samples(step, nets)
        out_of_time = self.time_limit is not None and self.seconds >= self.time_limit
        every = options.checkpoint_every
        if (every and step % every == 0) or step == options.steps or out_of_time:
            self.checkpoint(step, nets)
        return out_of_time

    def write_samples(self, step: int, nets) -> None:
        """Draw a sample grid with ``write_grid`` (a family without grids draws none)."""

    def write_grid(self, step: int, image: np.ndarray) -> None:
        """``samples/step_NNNNNN.png`` from a float (H, W, 3) image in [0, 1]."""
        png = encode_png(image)
        (self.output / "samples").mkdir(exist_ok=True)
        atomic_write(self.output / "samples" / f"step_{step:06d}.png",
                     lambda path: path.write_bytes(png))

    def checkpoint(self, step: int, nets, **extra) -> None:
        """The resumable state and the model folder as of ``step``; ``extra`` joins the
        model's training record (final losses, metrics)."""
        save_training_state(self.output / STATE, nets.state_tensors(), config=self.config,
                            options=self.options, step=step, seconds=self.seconds)
        self.save_model(nets, self.training_record(step, **extra))

    def save_model(self, nets, training: dict) -> None:
        """The model folder: ``nets.g`` with the config, as format ``model_format``
        (``checkpoint.save_model``); StyleGAN's, which ships its EMA generator, overrides
        it."""
        save_model(nets.g, self.config, self.output, format=self.model_format,
                   training=training)

    def training_record(self, step: int, **extra) -> dict:
        """model.json's "training": the caller's record, the step, seconds, options."""
        return {**self.record, "step": step, "seconds": round(self.seconds, 1),
                "options": dataclasses.asdict(self.options), **extra}
