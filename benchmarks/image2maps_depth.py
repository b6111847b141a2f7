"""How much of image2maps' normal error is the relief depth, and can a photo tell it?

    python benchmarks/image2maps_depth.py [--samples 24] [--size 128] [--seed 0]

On the presets' samples of the dataset ``benchmarks/image2maps.py`` uses (no procedural
samples: the figures in RESULTS.md were made before they existed; cached under .texgen-
cache), per held-out preset P, over P's unmixed samples, the mean angle to the rendered
normal of:

- the classical normal at the node's default slope gain;
- the same with each sample's own best gain (hindsight: what knowing the depth would give);
- with the gain a least-squares regression of the log best gain on global photo statistics
  predicts, fitted on the samples not involving P (can the depth be read off the photo, for
  a preset not seen?). The statistics: luminance deviation, the classical slope's mean
  magnitude, mean luminance step, color spread, mean luminance (and a constant);
- the classical normal's tilt with the rendered normal's direction (azimuth), and the
  classical direction with the rendered tilt (hindsight both: which half of the error is
  which);
- a shape-from-shading normal (``shading_slopes``: the log luminance read as the slope
  along the light's azimuth, that azimuth from the spectrum's anisotropy), with each
  sample's best sign and gain in hindsight: does the shading carry the depth?
- the flat normal.

Gains are searched on log grids (0.05-20 for the classical normal, 0.001-20 for the shading
one); every 4th pixel each way. "shading anisotropy" is ``shading_slopes``' measure of how
much of the luminance is directional (about 0.45 for a uniform-albedo surface under one
light; 0 for an isotropic albedo pattern).
"""

from __future__ import annotations

import argparse

import numpy as np

from texgen.engine import Engine
from texgen_neural.image2maps.config import DataSettings
from texgen_neural.image2maps.data import default_presets, load_dataset
from texgen_neural.image2maps.metrics import NODE_GAIN, combine_tilt_direction

GAINS = np.exp(np.linspace(np.log(0.05), np.log(20.0), 120))
SHADING_GAINS = np.exp(np.linspace(np.log(0.001), np.log(20.0), 160))
STRIDE = 4
#: Regularisation of the integration across the light's azimuth (share of |k|^2).
ACROSS_LIGHT = 0.05


def mean_angle(normal: np.ndarray, target: np.ndarray) -> float:
    """Mean angle in degrees between (3, h, w) fields, ``normal`` of any length."""
    cosine = (normal * target).sum(0) / np.linalg.norm(normal, axis=0)
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))).mean())


def angle_at_gains(slopes: np.ndarray, target: np.ndarray, gains: np.ndarray = GAINS
                   ) -> np.ndarray:
    """Mean angle in degrees of the normal (g s_x, g s_y, 1) of slopes ``slopes`` (2, h, w)
    to the target normal (3, h, w), for each g of ``gains``: (len(gains),)."""
    flat = np.ones_like(slopes[:1])
    return np.array([mean_angle(np.concatenate([slopes * gain, flat]), target)
                     for gain in gains])


def split_angle(given: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Mean angles to ``target`` of (given's tilt with target's direction, target's tilt
    with given's direction) (``combine_tilt_direction``); both (3, h, w) unit normals."""
    return (mean_angle(combine_tilt_direction(given, target), target),
            mean_angle(combine_tilt_direction(target, given), target))


def shading_slopes(photo: np.ndarray) -> tuple[np.ndarray, float]:
    """(slopes (2, S, S) in the OpenGL frame, anisotropy) of a (3, S, S) photo read as
    Lambert shading of a uniform albedo: the log luminance L is the slope along the
    light's azimuth d (up to sign and scale), the height its integral along d (Fourier:
    H = i L (k.d) / ((k.d)^2 + ACROSS_LIGHT |k|^2)), the slopes -grad H. d is the
    principal axis of the spectrum's orientation tensor sum |L(k)|^2 k k^T / |k|^2 (shading
    puts its power along d); anisotropy is its eigenvalues' (max - min) / (max + min)."""
    size = photo.shape[-1]
    luminance = np.log(photo.astype(np.float64).mean(0) + 1e-3)
    spectrum = np.fft.fft2(luminance - luminance.mean())
    frequency = np.fft.fftfreq(size)
    kx, ky = np.meshgrid(frequency, -frequency)  # x right, y up
    k2 = kx * kx + ky * ky
    k2[0, 0] = 1.0
    power = np.abs(spectrum) ** 2 / k2
    tensor = np.array([[(power * kx * kx).sum(), (power * kx * ky).sum()],
                       [(power * kx * ky).sum(), (power * ky * ky).sum()]])
    values, vectors = np.linalg.eigh(tensor)
    along = kx * vectors[0, 1] + ky * vectors[1, 1]
    height = 1j * spectrum * along / (along * along + ACROSS_LIGHT * k2)
    slopes = np.stack([np.fft.ifft2(-2j * np.pi * k * height).real for k in (kx, ky)])
    return slopes, float((values[1] - values[0]) / max(values[1] + values[0], 1e-30))


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
    errors = np.array([angle_at_gains(g[:2] / g[2:], t) for g, t in zip(given, target)])
    best_gain = GAINS[errors.argmin(1)]
    at_node = np.array([np.interp(np.log(NODE_GAIN), np.log(GAINS), e) for e in errors])
    features = photo_statistics(dataset.inputs)
    unmixed = dataset.materials[:, 1] == -1
    print("| held out | normal° at the node's gain | each sample's best gain (hindsight) | "
          "gain predicted from photo statistics | node's tilt, rendered direction | "
          "rendered tilt, node's direction | shading normal, best sign and gain | "
          "flat | shading anisotropy | median best gain |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    for index, name in enumerate(names):
        test = np.flatnonzero((dataset.materials[:, 0] == index) & unmixed)
        training = ~(dataset.materials == index).any(1)
        weights, *_ = np.linalg.lstsq(features[training], np.log(best_gain[training]),
                                      rcond=None)
        predicted = features[test] @ weights
        split, shading, anisotropy = [], [], []
        for i in test:
            node = np.concatenate([given[i, :2] * NODE_GAIN, given[i, 2:]])
            split.append(split_angle(node / np.linalg.norm(node, axis=0), target[i]))
            slopes, share = shading_slopes(dataset.inputs[i, :3])
            slopes = slopes[:, ::STRIDE, ::STRIDE]
            shading.append(min(angle_at_gains(sign * slopes, target[i], SHADING_GAINS).min()
                               for sign in (1.0, -1.0)))
            anisotropy.append(share)
        flat = np.degrees(np.arccos(np.clip(target[test, 2], -1.0, 1.0))).mean()
        rows.append((at_node[test].mean(), errors[test].min(1).mean(),
                     np.mean([np.interp(p, np.log(GAINS), errors[i])
                              for p, i in zip(predicted, test)]),
                     *np.mean(split, 0), np.mean(shading), flat, np.mean(anisotropy)))
        print(f"| {name} | " + " | ".join(f"{value:.2f}" for value in rows[-1])
              + f" | {np.median(best_gain[test]):.2f} |")
    means = np.mean(rows, axis=0)
    print("| **mean** | " + " | ".join(f"**{value:.2f}**" for value in means) + " | |")


if __name__ == "__main__":
    main()
