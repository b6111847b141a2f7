"""How much of image2maps' normal error is the relief depth, and can a photo tell it?

    python benchmarks/image2maps_depth.py [--samples 24] [--size 128] [--seed 0]

On the presets' samples of the dataset ``benchmarks/image2maps.py`` uses (no procedural
samples: the figures in RESULTS.md were made before they existed; cached under .texgen-
cache), per held-out preset P, over P's unmixed samples: the classical normal's mean angle
to the rendered one at the node's default slope gain; with each sample's own best gain
(hindsight: what knowing the depth would give); and with the gain a least-squares regression
of the log best gain on global photo statistics predicts, fitted on the samples not
involving P (can the depth be read off the photo, for a preset not seen?). The statistics:
luminance deviation, the classical slope's mean magnitude, mean luminance step, color
spread, mean luminance (and a constant). Gains are searched on a log grid from 0.05 to 20;
every 4th pixel each way.
"""

from __future__ import annotations

import argparse

import numpy as np

from texgen.engine import Engine
from texgen_neural.image2maps.config import DataSettings
from texgen_neural.image2maps.data import default_presets, load_dataset
from texgen_neural.image2maps.metrics import NODE_GAIN

GAINS = np.exp(np.linspace(np.log(0.05), np.log(20.0), 120))
STRIDE = 4


def angle_at_gains(given: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean angle in degrees of one sample's classical normal (3, h, w), slope scaled by
    each of ``GAINS``, to the target normal: (len(GAINS),)."""
    errors = []
    for gain in GAINS:
        scaled = np.concatenate([given[:2] * gain, given[2:3]], 0)
        cosine = (scaled * target).sum(0) / np.linalg.norm(scaled, axis=0)
        errors.append(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))).mean())
    return np.array(errors)


def photo_statistics(inputs: np.ndarray) -> np.ndarray:
    """(N, 6) global statistics of the network inputs (N, 7, H, W): see the module doc."""
    photo = inputs[:, :3].astype(np.float64)
    luminance = photo.mean(1)
    slope = np.abs(inputs[:, 4:6].astype(np.float64)).mean((1, 2, 3))
    return np.stack([np.ones(len(inputs)), np.log(luminance.std((1, 2)) + 1e-3),
                     np.log(slope + 1e-4),
                     np.log(np.abs(np.diff(luminance, axis=2)).mean((1, 2)) + 1e-4),
                     np.log(photo.std(1).mean((1, 2)) + 1e-4), luminance.mean((1, 2))], 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=DataSettings.samples)
    parser.add_argument("--size", type=int, default=DataSettings.size)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    engine = Engine()
    names = default_presets(engine)
    dataset = load_dataset(DataSettings(presets=tuple(names), size=args.size,
                                        samples=args.samples, procedural=0,
                                        seed=args.seed),
                           engine=engine, cache=".texgen-cache")
    given = dataset.inputs[:, 4:7, ::STRIDE, ::STRIDE].astype(np.float64)
    target = dataset.targets[:, :3, ::STRIDE, ::STRIDE].astype(np.float64)
    errors = np.array([angle_at_gains(g, t) for g, t in zip(given, target)])  # (N, gains)
    best_gain = GAINS[errors.argmin(1)]
    at_node = np.array([np.interp(np.log(NODE_GAIN), np.log(GAINS), e) for e in errors])
    features = photo_statistics(dataset.inputs)
    unmixed = dataset.materials[:, 1] == -1
    print("| held out | normal° at the node's gain | each sample's best gain (hindsight) | "
          "gain predicted from photo statistics | median best gain |")
    print("|---|---:|---:|---:|---:|")
    rows = []
    for index, name in enumerate(names):
        test = np.flatnonzero((dataset.materials[:, 0] == index) & unmixed)
        training = ~(dataset.materials == index).any(1)
        weights, *_ = np.linalg.lstsq(features[training], np.log(best_gain[training]),
                                      rcond=None)
        predicted = features[test] @ weights
        rows.append((at_node[test].mean(), errors[test].min(1).mean(),
                     np.mean([np.interp(p, np.log(GAINS), errors[i])
                              for p, i in zip(predicted, test)])))
        print(f"| {name} | {rows[-1][0]:.2f} | {rows[-1][1]:.2f} | {rows[-1][2]:.2f} | "
              f"{np.median(best_gain[test]):.2f} |")
    means = np.mean(rows, axis=0)
    print(f"| **mean** | **{means[0]:.2f}** | **{means[1]:.2f}** | **{means[2]:.2f}** | |")


if __name__ == "__main__":
    main()
