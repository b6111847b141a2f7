"""The material VAE's bar (issue #25): reconstruction vs random phase, morphs, consistency.

    python benchmarks/neural_vae.py [--model plugins/texgen_neural/models/vae_ground]
        [--presets rock grass_ground desert_dunes cobblestone] [--samples 4] [--size 128]
        [--data-seed 1000] [--append] [--figure docs/neural_vae.jpg]
        [--morph-rules lerp adain slerp adain+detail] [--levels input|decoder] [--per-map]

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

``--levels`` is the node's parameter (default "input": reconstructions and morphs take
each basecolor, height and roughness channel's mean and deviation from the input stacks;
"decoder": the decoder's own). ``--per-map`` adds the reconstruction's patch-SWD per map
against random phase's.

``--morph-rules`` adds the same morph figures for other rules of making the midpoint
(``MORPH_RULES``; "lerp" is the node's), and per pair the ends' reconstructions against
the ends: a morph whose t = 1 end is B's reconstruction cannot be expected to land closer
to B than that reconstruction does.

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
from texgen_neural.vae.config import MAPS
from texgen_neural.vae.data import HELD_OUT_SEED, load_stacks
from texgen_neural.vae.metrics import maps_of, morph_report, reconstruction_report, stack_distance
from texgen_neural.vae.model import (
    blended_levels,
    decode,
    encode,
    load_vae,
    maps_to_stack,
    match_levels,
    run_mode_arrays,
    stack_to_maps,
)

SHIPPED = "plugins/texgen_neural/models/vae_ground"
PRESETS = ("rock", "grass_ground", "desert_dunes", "cobblestone")
#: The consistency bar: the output's normal/height angle at most this far above the input's.
CONSISTENCY_DEGREES = 3.0


def channel_statistics(latent: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each latent channel's mean and standard deviation over the grid: (1, L, 1, 1) each."""
    return (latent.mean(dim=(2, 3), keepdim=True),
            latent.std(dim=(2, 3), keepdim=True).clamp_min(1e-6))


def morph_adain(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Each latent channel's mean and standard deviation move linearly from a's to b's; the
    normalised spatial patterns are lerped and brought back to unit deviation (two
    unrelated patterns averaged lose contrast and decode toward the prior's mean)."""
    (mean_a, std_a), (mean_b, std_b) = channel_statistics(a), channel_statistics(b)
    pattern = torch.lerp((a - mean_a) / std_a, (b - mean_b) / std_b, t)
    pattern = pattern / pattern.std(dim=(2, 3), keepdim=True).clamp_min(1e-6)
    return pattern * torch.lerp(std_a, std_b, t) + torch.lerp(mean_a, mean_b, t)


def morph_slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Each latent channel's mean moves linearly; its deviation from the mean follows the
    great circle from a's direction to b's, its norm linearly."""
    (mean_a, _), (mean_b, _) = channel_statistics(a), channel_statistics(b)
    flat_a, flat_b = (a - mean_a).flatten(2), (b - mean_b).flatten(2)          # (1, L, h w)
    norm_a, norm_b = (x.norm(dim=2, keepdim=True).clamp_min(1e-6) for x in (flat_a, flat_b))
    cosine = ((flat_a / norm_a) * (flat_b / norm_b)).sum(2, keepdim=True)
    angle = torch.arccos(cosine.clamp(-1 + 1e-6, 1 - 1e-6))
    direction = (torch.sin((1 - t) * angle) * flat_a / norm_a
                 + torch.sin(t * angle) * flat_b / norm_b) / torch.sin(angle)
    return (direction * torch.lerp(norm_a, norm_b, t)).reshape(a.shape) + torch.lerp(
        mean_a, mean_b, t)


#: Rules of making the morph's latent grid from the ends' latent means (a, b) at t.
#: "adain+detail" decodes "adain" and adds the ends' residuals (stack minus its
#: reconstruction) blended by t: its ends are the input stacks, not their reconstructions.
MORPH_RULES = {"lerp": torch.lerp, "adain": morph_adain, "slerp": morph_slerp,
               "adain+detail": morph_adain}


def rule_midpoint(model, rule: str, levels: str):
    """``metrics.morph_report``'s ``midpoint`` for a ``MORPH_RULES`` rule at t = 0.5, with
    ``levels`` as the node's parameter ("input": the ends' lerped,
    ``model.blended_levels``)."""
    def stack_and_latent(maps):
        stack = maps_to_stack(maps, "cpu")
        return stack, encode(model, stack)

    def midpoint(maps_a: dict, maps_b: dict) -> dict:
        with torch.no_grad():
            (stack_a, latent_a), (stack_b, latent_b) = map(stack_and_latent, (maps_a, maps_b))
            size = stack_a.shape[-2:]
            mid = decode(model, MORPH_RULES[rule](latent_a, latent_b, 0.5), *size)
            if rule.endswith("+detail"):
                residuals = [stack - decode(model, latent, *size) for stack, latent in
                             ((stack_a, latent_a), (stack_b, latent_b))]
                mid = (mid + 0.5 * (residuals[0] + residuals[1])).clamp(-1.0, 1.0)
            maps = stack_to_maps(mid)
            if levels == "input":  # as the node does
                match_levels(maps, blended_levels(maps_a, maps_b, 0.5))
            return {name: value.numpy() for name, value in maps.items()}
    return midpoint


def ends_report(model, pairs, levels: str) -> list[float]:
    """Means over pairs (a, b) of: a's reconstruction to a, b's to b, a to b, and the share of
    pairs where both reconstructions are closer to their stacks than a is to b."""
    rows = []
    for a, b in pairs:
        maps_a, maps_b = maps_of(a), maps_of(b)
        own = [stack_distance(run_mode_arrays(model, "reconstruct", height=x.shape[0],
                                              width=x.shape[1], a=maps, levels=levels), maps)
               for x, maps in ((a, maps_a), (b, maps_b))]
        apart = stack_distance(maps_a, maps_b)
        rows.append([*own, apart, float(max(own) < apart)])
    return list(np.mean(rows, axis=0))


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
    parser.add_argument("--levels", choices=["input", "decoder"], default="input",
                        help="the node's levels parameter")
    parser.add_argument("--per-map", action="store_true",
                        help="also report the reconstruction's patch-SWD per map")
    parser.add_argument("--morph-rules", nargs="+", choices=list(MORPH_RULES), default=[],
                        help="also report the morph figures of these rules")
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
    rows = {name: reconstruction_report(model, group, levels=args.levels)
            for name, group in stacks.items()}
    for name, row in rows.items():
        ok = (row["patch_swd"] < row["random_phase_patch_swd"]
              and row["normal_error"] <= row["input_normal_error"] + CONSISTENCY_DEGREES)
        passed &= ok
        lines.append(f"| {name} | {row['patch_swd']:.4f} | {row['random_phase_patch_swd']:.4f} "
                     f"| {row['l1']:.4f} | {row['normal_error']:.2f}° "
                     f"| {row['input_normal_error']:.2f}° | {'pass' if ok else 'FAIL'} |")
    if args.per_map:
        lines += ["", "| preset | " + " | ".join(f"{name} reconstruction | {name} random phase"
                                                 for name, _ in MAPS) + " |",
                  "|---|" + "---|" * (2 * len(MAPS))]
        lines += [f"| {name} | " + " | ".join(
            f"{row[f'patch_swd_{m}']:.4f} | {row[f'random_phase_patch_swd_{m}']:.4f}"
            for m, _ in MAPS) + " |" for name, row in rows.items()]
    lines += ["", "| morph (t = 0.5) | patch-SWD mid to A | patch-SWD mid to B "
              "| patch-SWD A to B | pairs with both closer | normal/height angle mid "
              "| normal/height angle ends | bar |", "|---|---|---|---|---|---|---|---|"]
    for first, second in itertools.combinations(stacks, 2):
        row = morph_report(model, list(zip(stacks[first], stacks[second])),
                           levels=args.levels)
        ok = (row["closer_fraction"] == 1.0
              and row["normal_error"] <= row["input_normal_error"] + CONSISTENCY_DEGREES)
        passed &= ok
        lines.append(f"| {first} → {second} | {row['mid_to_a']:.4f} | {row['mid_to_b']:.4f} "
                     f"| {row['a_to_b']:.4f} | {row['closer_fraction']:.0%} "
                     f"| {row['normal_error']:.2f}° | {row['input_normal_error']:.2f}° "
                     f"| {'pass' if ok else 'FAIL'} |")
    if args.morph_rules:
        lines += ["", "| pair | patch-SWD A's reconstruction to A | B's reconstruction to B "
                  "| A to B | pairs with both reconstructions closer |", "|---|---|---|---|---|"]
        for first, second in itertools.combinations(stacks, 2):
            own_a, own_b, apart, closer = ends_report(
                model, list(zip(stacks[first], stacks[second])), args.levels)
            lines.append(f"| {first} → {second} | {own_a:.4f} | {own_b:.4f} | {apart:.4f} "
                         f"| {closer:.0%} |")
        lines += ["", "| morph rule (t = 0.5) | pair | patch-SWD mid to A | mid to B | A to B "
                  "| pairs with both closer | normal/height angle mid | ends |",
                  "|---|---|---|---|---|---|---|---|"]
        for rule in args.morph_rules:
            for first, second in itertools.combinations(stacks, 2):
                row = morph_report(model, list(zip(stacks[first], stacks[second])),
                                   midpoint=rule_midpoint(model, rule, args.levels))
                lines.append(f"| {rule} | {first} → {second} | {row['mid_to_a']:.4f} "
                             f"| {row['mid_to_b']:.4f} | {row['a_to_b']:.4f} "
                             f"| {row['closer_fraction']:.0%} | {row['normal_error']:.2f}° "
                             f"| {row['input_normal_error']:.2f}° |")
    command = "python " + " ".join(sys.argv)
    intro = (f"`{command}`: {describe()}. Model {args.model}, levels {args.levels}; "
             f"{args.samples} held-out stacks "
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
