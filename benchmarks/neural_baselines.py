"""StyleGAN against its baselines on one exemplar: the DCGAN, the StyleGAN with PSGAN periodic
channels, and random-phase, all scored against a held render of the same preset.

    python benchmarks/neural_baselines.py baselines/red_bricks stylegan dcgan periodic4
                                          [--seeds 16] [--size 256] [--truncation 1]
                                          [--figure docs/neural_baselines.jpg] [--bands 8]

FOLDER is what benchmarks/train_neural_baselines.sh writes for a preset: ``train/`` (the
exemplar every model and random-phase were given), ``held/`` (another seed's render, which
none has seen) and one model folder per NAME. Each generator makes ``--seeds`` textures at
``--size``² through the neural.stylegan node; per generator: patch-SWD and spectrum distance
to the held render (mean ± standard error over the seeds), the seam score per axis (rows:
the top/bottom border, columns: the left/right one; ≈ 1 for an ordinary step), diversity
(mean pairwise distance of the first 8 seeds), and the training steps and seconds from
model.json (the same time budget gives a cheaper network more steps). For scale the table
ends with the training render itself against the held one: two genuine samples.
``--truncation`` (StyleGAN models only; a DCGAN has no styles) pulls the styles towards
the mean style, the node's ``truncation`` parameter. ``--figure`` writes a contact sheet: per
generator its first three seeds, then random-phase's, then the held and training renders.
``--bands N`` adds a table of where each generator's spectrum differs from the held render's:
``metrics.band_power_ratio`` in N bands from 0 to 0.5 cycles per pixel, mean over the seeds.
"""

import argparse
import json
from pathlib import Path

import numpy as np
from machine import describe
from neural import sample, scores
from quality import summary

from texgen import metrics
from texgen.io import read_image, write_picture
from texgen.sheet import contact_sheet


def only_image(folder: Path) -> np.ndarray:
    (path,) = sorted(folder.glob("*.png"))
    return read_image(path)[..., :3]


def row(name: str, textures: list[np.ndarray], held: np.ndarray, training: str) -> str:
    values = summary([scores(t, held) for t in textures])
    cells = [f"{values[k][0]:.4f} ± {values[k][1]:.4f}" for k in ("patch_swd", "spectrum")]
    cells += [f"{values[k][0]:.2f} ± {values[k][1]:.2f}" for k in ("seam_rows", "seam_cols")]
    diversity = f"{metrics.diversity(textures[:8]):.3f}" if len(textures) > 1 else "—"
    return f"| {name} | {' | '.join(cells)} | {diversity} | {training} |"


def band_ratios(textures: list[np.ndarray], held: np.ndarray, bands: int) -> np.ndarray:
    """Mean ``metrics.band_power_ratio`` of the textures to the held render (empty for 0)."""
    if not bands:
        return np.empty(0)
    return np.mean([metrics.band_power_ratio(t, held, bands=bands) for t in textures], axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("models", nargs="+", help="model folder names inside FOLDER")
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--truncation", type=float, default=1.0,
                        help="the StyleGAN models' truncation (default 1: none)")
    parser.add_argument("--figure", help="write the contact sheet (PNG or .jpg) here")
    parser.add_argument("--bands", type=int, default=0,
                        help="also print log10 power ratios to the held render in this many "
                             "frequency bands (default 0: none)")
    args = parser.parse_args()
    print(f"{describe()}\n", flush=True)
    from texgen_stats.random_phase import random_phase_texture

    train, held = only_image(args.folder / "train"), only_image(args.folder / "held")
    size = args.size
    print(f"Scores against {args.folder / 'held'}, {args.seeds} seeds at {size}²:\n")
    print("| generator | patch_swd ↓ | spectrum distance ↓ | seam score, rows (≈1) | "
          "seam score, columns (≈1) | diversity ↑ | training |")
    print("|---|---:|---:|---:|---:|---:|---|")
    sheet, ratios = [], {}
    for name in args.models:
        model = args.folder / name
        record = json.loads((model / "model.json").read_text())
        config, training = record["config"], record["training"]
        arch = config.get("arch", "stylegan")
        truncation = args.truncation if arch == "stylegan" else 1.0
        label = f"{name} ({arch}" + (f", periodic {config['periodic']}"
                                     if config.get("periodic") else "") + (
            f", truncation {truncation:g}" if truncation != 1.0 else "") + ")"
        textures = [sample(model, height=size, width=size, seed=seed, truncation=truncation)
                    for seed in range(args.seeds)]
        print(row(label, textures, held,
                  f"{training['step']} steps, {training['seconds']:.0f} s"), flush=True)
        sheet.append((label, {f"seed {seed}": t for seed, t in enumerate(textures[:3])}))
        ratios[label] = band_ratios(textures, held, args.bands)
    textures = [np.clip(random_phase_texture(train, size, size, seed=seed), 0.0, 1.0)
                .astype(np.float32) for seed in range(args.seeds)]
    print(row("stats.random_phase (baseline)", textures, held, "none"))
    print(row("the training render (reference)", [train], held, "none"))
    ratios["stats.random_phase (baseline)"] = band_ratios(textures, held, args.bands)
    ratios["the training render (reference)"] = band_ratios([train], held, args.bands)
    if args.bands:
        edges = np.linspace(0.0, 0.5, args.bands + 1)
        print("\nlog10 power over the held render's, per band (cycles per pixel), mean over "
              "the seeds:\n")
        print("| generator | " + " | ".join(f"{a:.3g}-{b:.3g}" for a, b in
                                          zip(edges[:-1], edges[1:])) + " |")
        print("|---|" + "---:|" * args.bands)
        for label, values in ratios.items():
            print(f"| {label} | " + " | ".join(f"{v:+.2f}" for v in values) + " |")
    if args.figure:
        sheet.append(("random_phase", {f"seed {seed}": t for seed, t in enumerate(textures[:3])}))
        sheet.append(("renders", {"held": held, "training": train}))
        write_picture(args.figure, contact_sheet(sheet, thumb=size))
        print(f"\nwrote {args.figure}")


if __name__ == "__main__":
    main()
