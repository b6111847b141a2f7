"""Leave-one-preset-out evaluation of the learned image → PBR maps model (issue #22).

    python benchmarks/image2maps.py [--presets NAME ...] [--steps-per-fold 250]
                                    [--minutes-per-fold 10]
                                    [--samples 24] [--procedural 360] [--size 128]
                                    [--seed 0]
                                    [--crop 128] [--batch 4] [--adversarial-weight 0.01]
                                    [--lr 0.003] [--lr-decay constant]
                                    [--channels 32,64,64,64]
                                    [--correction-scales 0.25,0.5,0.75]
                                    [--cache .texgen-cache] [--threads 1] [--append]

The dataset is the one ``texgen train image2maps`` renders with the same ``--samples``,
``--procedural``, ``--size`` and ``--seed`` over every preset that uses no neural node
(cached, so the shipped model's training and this benchmark share one rendering). For
each held-out preset P (every one, or those of ``--presets``): a model is trained with
``TrainOptions`` defaults (but ``--crop``, ``--batch``, ``--adversarial-weight``,
``--lr`` and ``--lr-decay``) and a ``NetConfig`` of ``--channels`` for
``--steps-per-fold`` steps on the samples that do not involve P (neither as first nor as
mixed-in material), then tested on P's unmixed samples, against

- the classical estimate (``filters.image_to_material`` at its defaults; the network reads
  it at ``data.INPUT_STRENGTH``); the network's input with its slope scaled by the one gain
  with the least mean angle on the fold's training samples (``slope_gain``: the network's
  starting point); a flat normal (0, 0, 1); and the same model's maps averaged over the 8
  symmetries of the square (``model.refine_symmetric``: each turn of the photo asked, the
  answers turned back and averaged); and the learned normal split in two
  (``combine_tilt_direction``): its direction with the classical tilt, the classical
  direction with its tilt (which part of the correction helps: shape or depth); and for
  each of ``--correction-scales`` the same model applying that share of its correction
  (``NetConfig.correction_scale``: shrunk towards the classical estimate; the learned
  columns apply the default share, as the shipped model does, 1 being the whole);
- for roughness, the constant that is the mean roughness of the fold's training samples.

Scores per test sample, averaged: normal angular error in degrees (lower is better), Pearson
correlation of the height with the rendered one (higher is better), mean absolute
roughness error. The bar: the learned normals beat the classical ones on average over the
held-out presets. Folds are bounded by steps, so the figures do not depend on the machine's
load; ``--minutes-per-fold`` is only a safety bound (a fold it cuts short is flagged). Prints
the steps each fold made and a markdown table with the command; ``--append`` adds it to
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time

import numpy as np
import torch
from machine import describe
from results import append_section

from texgen.engine import Engine
from texgen_neural.image2maps.config import LR_DECAYS, DataSettings, NetConfig, TrainOptions
from texgen_neural.image2maps.data import default_presets, load_dataset
from texgen_neural.image2maps.metrics import evaluate, slope_gain
from texgen_neural.image2maps.predict import load_unet
from texgen_neural.image2maps.train import train

COLUMNS = [("normal_error_learned", "normal° learned"),
           ("normal_error_symmetric", "normal° learned x8 symmetries"),
           ("normal_error_classical", "normal° classical"),
           ("normal_error_learned_direction", "normal° learned direction, classical tilt"),
           ("normal_error_learned_tilt", "normal° classical direction, learned tilt"),
           ("normal_error_gain", "normal° classical x gain"),
           ("normal_error_flat", "normal° flat"),
           ("height_correlation_learned", "height r learned"),
           ("height_correlation_symmetric", "height r learned x8"),
           ("height_correlation_classical", "height r classical"),
           ("roughness_error_learned", "rough. err learned"),
           ("roughness_error_classical", "rough. err classical"),
           ("roughness_error_constant", "rough. err constant")]


def scale_key(scale: float) -> str:
    return f"normal_error_learned_scale_{scale:g}"


def fold(dataset, held_out: str, *, steps: int, minutes: float, seed: int, crop: int,
         batch: int, adversarial_weight: float, lr: float, lr_decay: str,
         channels: tuple[int, ...],
         scales: tuple[float, ...]) -> tuple[dict, int]:
    """(metrics on ``held_out``'s unmixed samples, training steps made) of a model trained
    for ``steps`` steps (or ``minutes`` of training, whichever ends first) without any
    sample involving ``held_out``; ``scale_key(s)`` for each of ``scales``: its learned
    normal error applying that share of its correction."""
    training = dataset.subset(~dataset.involving(held_out))
    index = dataset.presets.index(held_out)
    test = dataset.subset((dataset.materials[:, 0] == index) & (dataset.materials[:, 1] == -1))
    with tempfile.TemporaryDirectory() as folder:
        options = TrainOptions(steps=steps, seed=seed, crop=crop, batch=batch, lr=lr,
                               lr_decay=lr_decay,
                               adversarial_weight=adversarial_weight, checkpoint_every=0)
        record = train(training, folder, config=NetConfig(channels=channels),
                       options=options, time_limit=minutes * 60)
        unet = load_unet(folder)
    constant = float(training.targets[:, 4].astype(np.float32).mean())
    metrics = evaluate(unet, test, roughness_constant=constant, gain=slope_gain(training),
                       symmetric=True)
    for scale in scales:
        unet.correction_scale = scale
        metrics[scale_key(scale)] = evaluate(unet, test)["normal_error_learned"]
    return metrics, record["step"]


def table(rows: dict[str, tuple[dict, int]],
          scales: tuple[float, ...] = ()) -> tuple[list[str], dict[str, float]]:
    """(the markdown table: one row per held-out preset, then the mean; the means)."""
    columns = COLUMNS[:1] + [(scale_key(s), f"normal° learned x{s:g} correction")
                             for s in scales] + COLUMNS[1:]
    lines = ["| held out | " + " | ".join(title for _, title in columns) + " | steps |",
             "|---|" + "---:|" * (len(columns) + 1)]
    for name, (metrics, steps) in rows.items():
        lines.append(f"| {name} | " + " | ".join(f"{metrics[key]:.3f}" for key, _ in columns)
                     + f" | {steps} |")
    means = {key: float(np.mean([m[key] for m, _ in rows.values()])) for key, _ in columns}
    lines.append("| **mean** | " + " | ".join(f"**{means[key]:.3f}**" for key, _ in columns)
                 + " | |")
    return lines, means


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", help="held-out presets (default: all)")
    parser.add_argument("--steps-per-fold", type=int, default=TrainOptions.steps,
                        help="training steps per held-out preset")
    parser.add_argument("--minutes-per-fold", type=float, default=10.0,
                        help="safety bound on the training time per held-out preset")
    parser.add_argument("--samples", type=int, default=DataSettings.samples,
                        help="rendered samples per preset")
    parser.add_argument("--procedural", type=int, default=DataSettings.procedural,
                        help="samples of random procedural materials (in every fold)")
    parser.add_argument("--size", type=int, default=DataSettings.size, help="sample side")
    parser.add_argument("--seed", type=int, default=0, help="data and training seed")
    parser.add_argument("--crop", type=int, default=TrainOptions.crop, help="training crop side")
    parser.add_argument("--batch", type=int, default=TrainOptions.batch, help="crops per step")
    parser.add_argument("--adversarial-weight", type=float,
                        default=TrainOptions.adversarial_weight,
                        help="weight of the patch discriminator's term (0: L1 terms only)")
    parser.add_argument("--lr", type=float, default=TrainOptions.lr, help="Adam's rate")
    parser.add_argument("--lr-decay", choices=LR_DECAYS, default=TrainOptions.lr_decay,
                        help="learning-rate schedule over the fold's steps")
    parser.add_argument("--channels", default=",".join(map(str, NetConfig.channels)),
                        help="U-Net channels per level, fine to coarse")
    parser.add_argument("--correction-scales", default="",
                        help="comma-separated shares of the learned correction to score "
                             "besides the whole (e.g. 0.25,0.5,0.75)")
    parser.add_argument("--cache", default=".texgen-cache", help="dataset cache folder")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch CPU threads")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    engine = Engine()
    names = default_presets(engine)
    held_out = args.presets or names
    unknown = sorted(set(held_out) - set(names))
    if unknown:
        sys.exit(f"unknown presets: {', '.join(unknown)} (choose from {', '.join(names)})")
    started = time.perf_counter()
    dataset = load_dataset(DataSettings(presets=tuple(names), size=args.size,
                                        samples=args.samples, procedural=args.procedural,
                                        seed=args.seed),
                           engine=engine, cache=args.cache)
    scales = tuple(float(s) for s in args.correction_scales.split(",") if s)
    rows = {}
    for name in held_out:
        rows[name] = fold(dataset, name, steps=args.steps_per_fold,
                          minutes=args.minutes_per_fold, seed=args.seed, crop=args.crop,
                          batch=args.batch, adversarial_weight=args.adversarial_weight,
                          lr=args.lr, lr_decay=args.lr_decay,
                          channels=tuple(int(c) for c in args.channels.split(",")),
                          scales=scales)
        metrics, steps = rows[name]
        cut = "" if steps == args.steps_per_fold else ", cut short by --minutes-per-fold"
        print(f"{name}: normal° learned {metrics['normal_error_learned']:.2f} classical "
              f"{metrics['normal_error_classical']:.2f} flat {metrics['normal_error_flat']:.2f}"
              f" ({steps} of {args.steps_per_fold} steps{cut})", flush=True)
    lines, means = table(rows, scales)
    total = time.perf_counter() - started
    command = "python benchmarks/image2maps.py " + " ".join(sys.argv[1:])
    beats = means["normal_error_learned"] < means["normal_error_classical"]
    rough = means["roughness_error_learned"] < means["roughness_error_constant"]
    intro = (f"`{command.strip()}`: {describe()}; {total:.0f} s in all. Leave one preset out: "
             f"for each held-out preset a model trained {args.steps_per_fold} steps "
             f"(at most {args.minutes_per_fold} minutes; CPU, {args.threads} thread) on the "
             f"{args.samples}-per-preset, {args.size}² samples not involving it (and "
             f"{args.procedural} procedural ones), tested on "
             f"its unmixed samples. Normal "
             f"error: mean angle to the rendered normal, degrees; height r: Pearson "
             f"correlation with the rendered height; roughness error: mean absolute. Bar "
             f"(learned normals beat classical on average): "
             f"{'met' if beats else 'NOT met'}; learned roughness "
             f"{'beats' if rough else 'does not beat'} the constant on average.")
    print("\n" + intro + "\n\n" + "\n".join(lines))
    if args.append:
        append_section("image2maps leave-one-preset-out (learned vs classical maps)", intro,
                       lines)


if __name__ == "__main__":
    main()
