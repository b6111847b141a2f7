"""The neural.stylegan quality and speed bar: inference time at 1024² and metrics against a
held exemplar, next to the random-phase baseline (stats plugin).

    python benchmarks/neural.py [--model plugins/texgen_neural/models/lava]
                                [--exemplar held.png] [--train-exemplar train.png]
                                [--seeds 16] [--size 1024] [--repeat 3] [--device cpu|cuda]

Without --exemplar only the timing is measured. With it, both generators make ``--seeds``
textures at the held exemplar's size: the model from its training, random-phase from
``--train-exemplar`` (the image the model was trained on; default: the held exemplar
itself, which favours the baseline), so both have seen the same data and are scored on
an image neither has seen. Scores, as in benchmarks/quality.py: patch-SWD and spectrum
distance to the held exemplar (means), the seam score per axis (rows: the top/bottom
border, columns: the left/right one) as mean ± standard error over the seeds, since one
border step scatters widely, and the diversity of the first 3 seeds.
"""

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from machine import describe
from quality import summary

from texgen import metrics
from texgen.io import read_image
from texgen.nodes import NodeContext

ROOT = Path(__file__).parents[1]
NODE = dict(mix_mask=None, truncation=1.0, label=0, mix_seed=0, mix_layer=0)


def sample(model, *, height, width, seed, backend="cpu", truncation=1.0):
    from texgen_neural.nodes import stylegan

    ctx = NodeContext(node_id="bench", width=width, height=height, seed=seed, backend=backend)
    out = stylegan(ctx, model=Path(model), **{**NODE, "truncation": truncation})
    return out if isinstance(out, np.ndarray) else out.copy_to_host()


def scores(texture, exemplar):
    return {"patch_swd": metrics.patch_swd(texture, exemplar),
            "spectrum": metrics.spectrum_distance(texture, exemplar),
            "seam_rows": metrics.seam_score(texture, axis=0),
            "seam_cols": metrics.seam_score(texture, axis=1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=ROOT / "plugins/texgen_neural/models/lava")
    parser.add_argument("--exemplar", help="held exemplar the scores compare with")
    parser.add_argument("--train-exemplar", help="what random-phase is given (default: "
                        "--exemplar)")
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args()
    print(f"{describe()}\n", flush=True)

    started = time.perf_counter()
    sample(args.model, height=args.size, width=args.size, seed=0, backend=args.device)
    first = time.perf_counter() - started
    times = []
    for seed in range(1, args.repeat + 1):
        started = time.perf_counter()
        sample(args.model, height=args.size, width=args.size, seed=seed, backend=args.device)
        times.append(time.perf_counter() - started)
    print(f"| neural.stylegan {args.size}² on {args.device} | first (load included) "
          f"{first:.2f} s | median of {args.repeat}: {statistics.median(times):.2f} s |")
    if not args.exemplar:
        return
    from texgen_stats.random_phase import random_phase_texture

    held = read_image(args.exemplar)[..., :3]
    train = read_image(args.train_exemplar or args.exemplar)[..., :3]
    height, width = held.shape[:2]
    makers = {
        "neural.stylegan": lambda seed: sample(args.model, height=height, width=width,
                                               seed=seed),
        "stats.random_phase (baseline)": lambda seed: np.clip(
            random_phase_texture(train, height, width, seed=seed), 0.0, 1.0
        ).astype(np.float32)}
    print(f"\nScores against {Path(args.exemplar).name}, {args.seeds} seeds at "
          f"{width}x{height}:\n")
    print("| generator | patch_swd ↓ | spectrum distance ↓ | seam score, rows (≈1) | "
          "seam score, columns (≈1) | diversity ↑ |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, make in makers.items():
        textures = [make(seed) for seed in range(args.seeds)]
        values = summary([scores(t, held) for t in textures])
        seams = [f"{values[k][0]:.2f} ± {values[k][1]:.2f}" for k in ("seam_rows", "seam_cols")]
        print(f"| {name} | {values['patch_swd'][0]:.4f} | {values['spectrum'][0]:.3f} | "
              f"{seams[0]} | {seams[1]} | {metrics.diversity(textures[:3]):.3f} |")


if __name__ == "__main__":
    main()
