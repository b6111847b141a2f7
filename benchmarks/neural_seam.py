"""The wrap-around seam score of a trained neural.stylegan model, with a confidence interval.

    python benchmarks/neural_seam.py [--model plugins/texgen_neural/models/lava]
                                     [--seeds 1000] [--size 256]

The model makes one ``--size``² texture per seed 0..seeds-1, drawn as the node draws them
(``make_inputs`` seeded with the seed, the plain path, no truncation). Each is scored per
axis with ``texgen.metrics.seam_score`` (rows: the top/bottom border, columns: the
left/right one): the step energy across the border over the mean interior step energy, 1
for a border that is one more ordinary step. One texture's score is one border against many
interior steps and scatters widely (0.3 to 2.5 on the sparse-cracked lava model), so the
figure is the mean over the seeds with its standard error and a 95 % confidence interval
(mean ± 1.96 standard errors), as in benchmarks/quality.py. The interval's half-width
shrinks as 1/sqrt(seeds): claiming "within 10 %" needs an interval inside 0.9..1.1.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from quality import summary

from texgen import metrics
from texgen_neural.checkpoint import load_generator
from texgen_neural.model import to_image

ROOT = Path(__file__).parents[1]


def sample(generator, *, size: int, seed: int) -> np.ndarray:
    """The model's (size, size, 3) texture for ``seed``; size a multiple of the cell."""
    inputs = generator.make_inputs(1, size, size, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return to_image(generator.generate(inputs))[0].numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "plugins/texgen_neural/models/lava")
    parser.add_argument("--seeds", type=int, default=1000, help="textures scored (seeds 0..N-1)")
    parser.add_argument("--size", type=int, default=256,
                        help="side of each texture in pixels, a multiple of the model's cell")
    args = parser.parse_args()

    started = time.perf_counter()
    generator = load_generator(args.model)
    rows = []
    for seed in range(args.seeds):
        texture = sample(generator, size=args.size, seed=seed)
        rows.append({"rows": metrics.seam_score(texture, axis=0),
                     "columns": metrics.seam_score(texture, axis=1)})
    values = summary(rows)
    print(f"Seam score of {args.model.name}, {args.seeds} seeds at {args.size}² "
          f"({time.perf_counter() - started:.0f} s):\n")
    print("| axis | mean ± standard error | 95 % interval | seeds' range |")
    print("|---|---:|---:|---:|")
    for axis, (mean, error) in values.items():
        scores = [row[axis] for row in rows]
        print(f"| {axis} | {mean:.3f} ± {error:.3f} | {mean - 1.96 * error:.3f}–"
              f"{mean + 1.96 * error:.3f} | {min(scores):.2f}–{max(scores):.2f} |")


if __name__ == "__main__":
    main()
