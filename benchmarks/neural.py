"""The neural.stylegan quality and speed bar: inference time at 1024² and metrics against a
held exemplar, with the random-phase baseline (stats plugin) when it is installed.

    python benchmarks/neural.py [--model plugins/texgen_neural/models/rock]
                                [--exemplar held.png] [--size 1024] [--repeat 3]
                                [--device cpu|cuda]

Without --exemplar only the timing is measured. Metrics use 3 seeds at the exemplar's
size: patch_swd and spectrum distance (mean), seam score (worst) and diversity.
"""

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from texgen import metrics
from texgen.io import read_image
from texgen.nodes import NodeContext

ROOT = Path(__file__).parents[1]
NODE = dict(mix_mask=None, truncation=1.0, label=0, mix_seed=0, mix_layer=0)


def sample(model, *, height, width, seed, backend="cpu"):
    from texgen_neural.nodes import stylegan

    ctx = NodeContext(node_id="bench", width=width, height=height, seed=seed, backend=backend)
    out = stylegan(ctx, model=Path(model), **NODE)
    return out if isinstance(out, np.ndarray) else out.copy_to_host()


def score(samples, exemplar):
    return {"patch_swd": np.mean([metrics.patch_swd(s, exemplar) for s in samples]),
            "spectrum_distance": np.mean([metrics.spectrum_distance(s, exemplar)
                                          for s in samples]),
            "seam_score": max(metrics.seam_score(s) for s in samples),
            "diversity": metrics.diversity(samples)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=ROOT / "plugins/texgen_neural/models/rock")
    parser.add_argument("--exemplar")
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args()

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
    exemplar = read_image(args.exemplar)[..., :3]
    height, width = exemplar.shape[:2]
    rows = {"neural.stylegan": score([sample(args.model, height=height, width=width, seed=s)
                                      for s in range(3)], exemplar)}
    try:
        from texgen_stats.random_phase import random_phase
    except ImportError:
        random_phase = None
    if random_phase is not None:
        rows["stats.random_phase (baseline)"] = score(
            [random_phase(NodeContext("rp", width, height, s), exemplar=Path(args.exemplar))
             for s in range(3)], exemplar)
    print("| generator | patch_swd ↓ | spectrum distance ↓ | seam score (≈1) | diversity ↑ |")
    print("|---|---:|---:|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['patch_swd']:.4f} | {row['spectrum_distance']:.3f} | "
              f"{row['seam_score']:.3f} | {row['diversity']:.3f} |")


if __name__ == "__main__":
    main()
