"""The material VAE's bar (issue #25): reconstruction vs random phase, morphs, consistency.

    python benchmarks/neural_vae.py [--model plugins/texgen_neural/models/vae_ground]
        [--presets rock grass_ground desert_dunes cobblestone] [--samples 4] [--size 128]
        [--data-seed 1000] [--append] [--figure docs/neural_vae.jpg]

Held-out stacks: each preset rendered ``--samples`` times at random parameter values and
seeds from data seed ``--data-seed`` (the shipped model trained on data seed 0: other
values and seeds). Per preset, means over its stacks (``vae.metrics``):

- reconstruction: patch-SWD per map (basecolor, height, roughness, normal; averaged) of the
  VAE's reconstruction to the stack, against the stack's random-phase texture (same
  spectrum and cross-map correlations, new phases). The bar: the reconstruction closer;
- consistency: mean angle between the normal output and ``filters.normal_map`` of the
  height output, at the relief strength fitted on the input, next to the input's own
  angle at that strength (the bar: the output's within 3 degrees of the input's; each
  preset derives its normal from a height, often with detail of its own);

and per pair of presets (stack i of one with stack i of the other), the t = 0.5 morph's
patch-SWD to each end against the ends' to each other (the bar: both below, in every
pair), with the morph's consistency as above.

Prints markdown tables with the command; ``--append`` adds them to benchmarks/RESULTS.md.
``--figure`` writes the basecolor and normal of a morph per pair of consecutive presets at
t = 0, 0.25, 0.5, 0.75, 1.
"""

from __future__ import annotations

import argparse
import itertools
import sys

import numpy as np
import torch
from machine import describe
from results import append_section

from texgen.engine import Engine
from texgen.io import write_picture
from texgen_neural.vae.data import HELD_OUT_SEED, load_stacks
from texgen_neural.vae.metrics import maps_of, morph_report, reconstruction_report
from texgen_neural.vae.model import load_vae, run_mode_arrays

SHIPPED = "plugins/texgen_neural/models/vae_ground"
PRESETS = ("rock", "grass_ground", "desert_dunes", "cobblestone")
#: The consistency bar: the output's normal/height angle at most this far above the input's.
CONSISTENCY_DEGREES = 3.0


def write_figure(path: str, model, stacks: dict[str, list[np.ndarray]]) -> None:
    """Per consecutive preset pair two rows (basecolor, normal) of a morph at five t."""
    rows = []
    names = list(stacks)
    for first, second in zip(names, names[1:]):
        a, b = maps_of(stacks[first][0]), maps_of(stacks[second][0])
        size = stacks[first][0].shape[:2]
        outs = [run_mode_arrays(model, "interpolate", height=size[0], width=size[1], a=a, b=b,
                                t=t) for t in (0.0, 0.25, 0.5, 0.75, 1.0)]
        for name in ("basecolor", "normal"):
            tiles = [a[name], *(out[name] for out in outs), b[name]]
            gap = np.ones((size[0], 4, 3), np.float32)
            rows.append(np.concatenate([x for t in tiles for x in (t, gap)][:-1], axis=1))
    gap = np.ones((4, rows[0].shape[1], 3), np.float32)
    write_picture(path, np.concatenate([x for r in rows for x in (r, gap)][:-1], axis=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SHIPPED)
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--data-seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--figure", help="write the figure (PNG or .jpg) here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    engine = Engine()
    model = load_vae(args.model)
    stacks = {name: load_stacks([name], engine=engine, size=args.size, samples=args.samples,
                                seed=args.data_seed, cache=None) for name in args.presets}
    passed = True
    lines = ["| preset | patch-SWD reconstruction | patch-SWD random phase | L1 "
             "| normal/height angle output | normal/height angle input | bar |",
             "|---|---|---|---|---|---|---|"]
    for name, group in stacks.items():
        row = reconstruction_report(model, group)
        ok = (row["patch_swd"] < row["random_phase_patch_swd"]
              and row["normal_error"] <= row["input_normal_error"] + CONSISTENCY_DEGREES)
        passed &= ok
        lines.append(f"| {name} | {row['patch_swd']:.4f} | {row['random_phase_patch_swd']:.4f} "
                     f"| {row['l1']:.4f} | {row['normal_error']:.2f}° "
                     f"| {row['input_normal_error']:.2f}° | {'pass' if ok else 'FAIL'} |")
    lines += ["", "| morph (t = 0.5) | patch-SWD mid to A | patch-SWD mid to B "
              "| patch-SWD A to B | pairs with both closer | normal/height angle mid "
              "| normal/height angle ends | bar |", "|---|---|---|---|---|---|---|---|"]
    for first, second in itertools.combinations(stacks, 2):
        row = morph_report(model, list(zip(stacks[first], stacks[second])))
        ok = (row["closer_fraction"] == 1.0
              and row["normal_error"] <= row["input_normal_error"] + CONSISTENCY_DEGREES)
        passed &= ok
        lines.append(f"| {first} → {second} | {row['mid_to_a']:.4f} | {row['mid_to_b']:.4f} "
                     f"| {row['a_to_b']:.4f} | {row['closer_fraction']:.0%} "
                     f"| {row['normal_error']:.2f}° | {row['input_normal_error']:.2f}° "
                     f"| {'pass' if ok else 'FAIL'} |")
    command = "python " + " ".join(sys.argv)
    intro = (f"`{command}`: {describe()}. Model {args.model}; {args.samples} held-out stacks "
             f"of each preset at {args.size}² (random parameter values and seeds from data "
             f"seed {args.data_seed}). Reconstruction bar: patch-SWD (mean of the four maps) "
             f"below the random-phase texture's; morph bar: the midpoint closer to each end "
             f"than the ends to each other in every pair; consistency bar: the normal/height "
             f"angle (filters.normal_map of the height at the strength fitted on the input) "
             f"within {CONSISTENCY_DEGREES:.0f}° of the input's.")
    print(intro)
    print()
    print("\n".join(lines))
    if args.figure:
        write_figure(args.figure, model, stacks)
    if args.append:
        append_section("Material VAE: reconstruction, morphs, consistency (neural.vae)", intro,
                       lines)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
