"""The CycleGAN's bar (issue #25): translation between two preset states vs ground truth.

    python benchmarks/neural_translate.py [--model plugins/texgen_neural/models/rust]
        [--a "rusted_metal:rust_amount=0"] [--b "rusted_metal:rust_amount=1"]
        [--seeds 1000 1001 1002 1003] [--size 256] [--training-seeds 8] [--append]
        [--figure docs/neural_translate.jpg]

Both sets are renders of one preset in two states (``texgen train cyclegan``'s set items),
so ground truth exists: at a held-out seed s (the training renders used seeds 0 ..
``--training-seeds`` - 1), translating A's render at s (a → b) should land near B's render
at s. Per direction, means over the seeds:

- patch-SWD (``texgen.metrics.patch_swd``) of the translation to the target render, against
  the input's own patch-SWD to it (the bar: at least 2x smaller), and against a color
  transfer baseline (the input's per-channel mean and standard deviation set to those of
  the target set's training renders: how much of the change is plain color);
- structure: the correlation of the translation's luminance edges (Sobel magnitude) with
  the input's, next to the same correlation of the ground truth (the target render) with
  the input (the bar: the translation follows the input at least as much as the ground
  truth does);
- the round trip (a → b → a): its L1 and patch-SWD to the input, next to the input's
  patch-SWD to the target (the bar: the round trip's patch-SWD at most a quarter of it).

Prints a markdown table with the command; ``--append`` adds it to benchmarks/RESULTS.md.
``--figure`` writes a picture (PNG, or JPEG for .jpg) with one row per held-out seed (the
first three): the A render, its translation, the B render (ground truth), the round trip
back to A.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import torch
from machine import describe
from results import append_section

from texgen import metrics
from texgen.engine import Engine
from texgen.io import write_picture
from texgen_neural.cyclegan.data import load_set
from texgen_neural.cyclegan.metrics import direction_report, edge_correlation
from texgen_neural.cyclegan.model import load_cyclegan, translate_array

SHIPPED = "plugins/texgen_neural/models/rust"


def color_transfer(image: np.ndarray, reference: list[np.ndarray]) -> np.ndarray:
    """``image`` with each channel's mean and standard deviation set to the reference
    images' (pooled), clipped to [0, 1]."""
    pool = np.stack(reference).reshape(-1, 3)
    flat = image.reshape(-1, 3)
    out = (flat - flat.mean(0)) / np.maximum(flat.std(0), 1e-6) * pool.std(0) + pool.mean(0)
    return np.clip(out, 0.0, 1.0).reshape(image.shape).astype(np.float32)


def evaluate(model, sources, targets, target_training, *, direction: str) -> dict[str, float]:
    """``direction_report`` plus the baselines: color transfer's patch-SWD, the ground
    truth's edge correlation with the input."""
    row = direction_report(model, sources, targets, direction=direction)
    row["color_transfer_patch_swd"] = float(np.mean([
        metrics.patch_swd(color_transfer(s, target_training), t)
        for s, t in zip(sources, targets)]))
    row["truth_edge_correlation"] = float(np.mean([edge_correlation(t, s)
                                                   for s, t in zip(sources, targets)]))
    return row


def write_figure(path: str, model, sources, targets) -> None:
    """Rows of (source, translation a -> b, target, round trip), 4-pixel white gaps."""
    rows = []
    for source, target in list(zip(sources, targets))[:3]:
        out = translate_array(model, source, direction="a_to_b")
        back = translate_array(model, out, direction="b_to_a")
        tiles = [source, out, target, back]
        gap = np.ones((source.shape[0], 4, 3), np.float32)
        rows.append(np.concatenate([x for t in tiles for x in (t, gap)][:-1], axis=1))
    gap = np.ones((4, rows[0].shape[1], 3), np.float32)
    write_picture(path, np.concatenate([x for r in rows for x in (r, gap)][:-1], axis=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SHIPPED)
    parser.add_argument("--a", default="rusted_metal:rust_amount=0")
    parser.add_argument("--b", default="rusted_metal:rust_amount=1")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1000, 1001, 1002, 1003])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--training-seeds", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--append", action="store_true")
    parser.add_argument("--figure", help="write the figure (PNG or .jpg) here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    engine = Engine()
    model = load_cyclegan(args.model)
    sets = {name: load_set([item], engine=engine, size=args.size, seeds=args.seeds)
            for name, item in (("a", args.a), ("b", args.b))}
    training = {name: load_set([item], engine=engine, size=args.size,
                               seeds=range(args.training_seeds))
                for name, item in (("a", args.a), ("b", args.b))}
    rows = {"a_to_b": evaluate(model, sets["a"], sets["b"], training["b"], direction="a_to_b"),
            "b_to_a": evaluate(model, sets["b"], sets["a"], training["a"], direction="b_to_a")}
    lines = ["| direction | patch-SWD translation | patch-SWD input | patch-SWD color transfer "
             "| ratio input / translation | edge r translation | edge r ground truth "
             "| round trip L1 | round trip patch-SWD | bar |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    passed = True
    for direction, row in rows.items():
        ratio = row["input_patch_swd"] / max(row["patch_swd"], 1e-12)
        ok = (ratio >= 2.0 and row["edge_correlation"] >= row["truth_edge_correlation"]
              and row["cycle_patch_swd"] <= 0.25 * row["input_patch_swd"])
        passed &= ok
        lines.append(
            f"| {direction} | {row['patch_swd']:.4f} | {row['input_patch_swd']:.4f} "
            f"| {row['color_transfer_patch_swd']:.4f} | {ratio:.1f}x "
            f"| {row['edge_correlation']:.3f} | {row['truth_edge_correlation']:.3f} "
            f"| {row['cycle_l1']:.4f} | {row['cycle_patch_swd']:.4f} "
            f"| {'pass' if ok else 'FAIL'} |")
    command = "python " + " ".join(sys.argv)
    intro = (f"`{command}`: {describe()}. Model {args.model}; A = `{args.a}`, B = `{args.b}`, "
             f"rendered at {args.size}² at held-out seeds {args.seeds} (training used seeds "
             f"0-{args.training_seeds - 1}); means over the seeds. The bar: translation's "
             f"patch-SWD to the target render at least 2x below the input's, edge correlation "
             f"with the input at least the ground truth's, round trip patch-SWD at most a "
             f"quarter of the input's.")
    print(intro)
    print()
    print("\n".join(lines))
    if args.figure:
        write_figure(args.figure, model, sets["a"], sets["b"])
    if args.append:
        append_section("CycleGAN translation vs ground truth (neural.translate)", intro, lines)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
