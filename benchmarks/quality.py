"""Quality and speed of the statistical generators (stats.gmm, stats.random_phase) on real
exemplar photographs: patch sliced-Wasserstein distance and spectrum distance to the
exemplar, seam score, time to fit, time to synthesize.

    OPENBLAS_NUM_THREADS=1 python benchmarks/quality.py [--textures brick grass gravel]
                                 [--size 512] [--seeds 32] [--images DIR] [--append]

Exemplars are scikit-image's bundled photographs (``skimage.data.brick()`` etc., 512x512
gray), averaged down 2x2 to 256x256 and repeated into r, g, b; scikit-image is in the
``test`` extra. The GMM is fitted with the ``texgen train gmm`` defaults and sampled with
the ``stats.gmm`` defaults, tileable; ``--images DIR`` also writes each exemplar and the
first seed's syntheses there as PNGs. The "halves" row is a yardstick: the two 256x128
halves of the exemplar against each other, i.e. what two genuine pieces of the texture
score. Lower is better for every metric but the seam score, which should be close to 1.

The seam score measures one border step against the mean interior step, so one texture's
score scatters by about the coefficient of variation of its interior step energies, which
is large for structured textures. It is therefore averaged over ``--seeds``
syntheses per axis (rows: the top/bottom border; columns: the left/right one) and shown as
mean ± standard error of that mean; the worse axis is the method's seam score. The other
scores are means over the seeds; times are medians.

A generator can also move its seam off the border, where the seam score does not look. So
a second table shows, per axis, the step across every row (column) boundary
(``metrics.boundary_steps``) over its mean, averaged over the seeds: the border's, the
largest among the 128 boundaries around the border (64 on each side), the largest
among 128 in the middle of the texture, and the block grid's: the GMM draws blocks of
``step`` rows (columns), and the largest mean over the middle boundaries of one phase
modulo ``step`` is what a block boundary carries anywhere (random-phase, which has no
blocks, is shown at the same step). The middle's worst is what chance gives 128 averaged
boundaries of that texture; a seam near the border stands out above it, and a border that
is a block boundary is to be compared with the grid's. ``--append`` adds
both tables, with the date, machine and command, to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import machine as host
import numpy as np
from results import append_section

from texgen import metrics
from texgen.io import write_png8
from texgen_stats import GMM
from texgen_stats.model import DEFAULTS, fit_patch_model
from texgen_stats.random_phase import random_phase_texture
from texgen_stats.synthesis import synthesize

#: Model levels compared: single-scale (the default) and two-level (``--levels 2``).
LEVELS = (1, 2)
#: The stats.gmm node's defaults, so the benchmark measures what a preset gets.
TOLERANCES = {p.name: p.default for p in GMM.params if p.name.endswith("tolerance")}


def exemplar(name: str) -> np.ndarray:
    """skimage.data.<name>() as float32 (256, 256, 3) in [0, 1]."""
    from skimage import data

    photo = getattr(data, name)().astype(np.float32) / 255.0
    if photo.ndim == 3:
        photo = photo[..., :3]
    else:
        photo = np.repeat(photo[..., None], 3, axis=2)
    height, width = photo.shape[0] // 2 * 2, photo.shape[1] // 2 * 2
    photo = photo[:height, :width].reshape(height // 2, 2, width // 2, 2, 3).mean(axis=(1, 3))
    return np.ascontiguousarray(photo[:256, :256], np.float32)


def scores(texture: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    return {"patch_swd": metrics.patch_swd(texture, reference),
            "spectrum": metrics.spectrum_distance(texture, reference),
            "seam_rows": metrics.seam_score(texture, axis=0),
            "seam_cols": metrics.seam_score(texture, axis=1)}


def summary(rows: list[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """Per score: (mean over the seeds, standard error of that mean; 0 for one seed)."""
    out = {}
    for key in rows[0]:
        values = np.array([row[key] for row in rows])
        spread = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
        out[key] = (float(values.mean()), float(spread))
    return out


#: Boundaries on each side of the border, and in the middle, that the step table scans.
NEAR = 64


def relative_steps(textures: list[np.ndarray], axis: int) -> np.ndarray:
    """The step across each row (axis 0) or column (axis 1) boundary, the wrap-around one
    last (``metrics.boundary_steps``), over that texture's mean interior step, averaged
    over the textures."""
    return np.mean([steps / steps[:-1].mean() for steps in (
        metrics.boundary_steps(texture, axis=axis) for texture in textures)], axis=0)


def step_profile(textures: list[np.ndarray], period: int
                 ) -> list[tuple[float, float, float, float]]:
    """Per axis: (the border's, the worst near the border, the worst in the middle, the
    grid's) boundary step over the mean one, averaged over the textures. The grid's is the
    largest mean over the middle boundaries of one phase modulo ``period`` (the GMM's
    block step): what a block boundary carries wherever it lies."""
    out = []
    for axis in (0, 1):
        relative = relative_steps(textures, axis)
        middle = relative[len(relative) // 2 - NEAR:len(relative) // 2 + NEAR]
        near = np.concatenate([relative[-NEAR:], relative[:NEAR]])
        grid = max(middle[phase::period].mean() for phase in range(period))
        out.append((float(relative[-1]), float(near.max()), float(middle.max()), float(grid)))
    return out


def run(names: list[str], size: int, seeds: int, images: Path | None) -> list[str]:
    lines = [f"| exemplar | method | fit (s) | synthesis {size}² (s) | patch SWD ↓ | "
             "spectrum distance ↓ | seam score, rows (≈1) | seam score, columns (≈1) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    steps = ["| exemplar | method | " + " | ".join(
        f"{axis}: {what}" for axis in ("rows", "columns") for what in (
            "border", "worst near the border", "worst in the middle", "block grid")) + " |",
        "|---|---|" + "---:|" * 8]

    def row(name, method, fit, synth, values, textures=None, period=1):
        fit_text = f"{fit:.1f}" if fit is not None else "–"
        synth_text = f"{synth:.2f}" if synth is not None else "–"
        seams = [f"{values[key][0]:.2f} ± {values[key][1]:.2f}" if values[key][1] else
                 f"{values[key][0]:.2f}" for key in ("seam_rows", "seam_cols")]
        lines.append(f"| {name} | {method} | {fit_text} | {synth_text} | "
                     f"{values['patch_swd'][0]:.4f} | {values['spectrum'][0]:.3f} | "
                     f"{seams[0]} | {seams[1]} |")
        print(lines[-1], flush=True)
        if textures is not None:
            cells = " | ".join(f"{value:.2f}" for axis in step_profile(textures, period)
                               for value in axis)
            steps.append(f"| {name} | {method} | {cells} |")
            print(steps[-1], flush=True)

    def syntheses(label, make):
        """Scores of ``make(seed)`` for every seed, the textures, and the median time."""
        results, textures, times = [], [], []
        for seed in range(seeds):
            started = time.perf_counter()
            out = make(seed=seed)
            times.append(time.perf_counter() - started)
            results.append(scores(out, image))
            textures.append(out)
            if seed == 0:
                save(images, f"{name}_{label}", out)
        return summary(results), textures, statistics.median(times)

    print("\n".join(lines), flush=True)
    for name in names:
        image = exemplar(name)
        save(images, f"{name}_exemplar", image)
        halves = summary([scores(image[:, :128], image[:, 128:])])
        photo = summary([scores(image, image)])  # the photo itself does not tile
        halves["seam_rows"], halves["seam_cols"] = photo["seam_rows"], photo["seam_cols"]
        row(name, "halves of the exemplar (yardstick; seam: the photo)", None, None, halves)

        for levels in LEVELS:
            started = time.perf_counter()
            model = fit_patch_model(image, levels=levels, exemplar_name=name)
            fit_seconds = time.perf_counter() - started
            overlap = (model.patch_size - 1) // 2
            period = model.patch_size - overlap
            label = "gmm" if levels == 1 else f"gmm_{levels}_levels"
            values, textures, seconds = syntheses(label, partial(
                synthesize, model, size, size, overlap=overlap, **TOLERANCES, tileable=True))
            scales = f"{levels} levels, " if levels > 1 else ""
            row(name, f"stats.gmm ({scales}{model.metadata['fit']['iterations']} EM "
                f"iterations)", fit_seconds, seconds, values, textures, period)

        values, textures, seconds = syntheses("random_phase", lambda seed, image=image: np.clip(
            random_phase_texture(image, size, size, seed=seed), 0.0, 1.0).astype(np.float32))
        row(name, "stats.random_phase", None, seconds, values, textures, period)
    return lines + [""] + steps


def save(folder: Path | None, name: str, texture: np.ndarray) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        write_png8(folder / f"{name}.png", np.asarray(texture, np.float32))


def machine() -> str:
    """The machine facts (``machine.describe``: CPU model, SIMD width, cores, versions), the
    BLAS thread setting and the load average."""
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    limiter = "installed" if importlib.util.find_spec("threadpoolctl") else "not installed"
    return (f"{host.describe(load=False)}; "
            f"OPENBLAS_NUM_THREADS {threads}, threadpoolctl {limiter}; "
            f"load average at the start {host.load_average()} (the machine is shared: "
            f"timings vary)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--textures", nargs="+", default=["brick", "grass", "gravel"],
                        help="skimage.data photographs to use as exemplars")
    parser.add_argument("--size", type=int, default=512, help="synthesis size in pixels")
    parser.add_argument("--seeds", type=int, default=32,
                        help="syntheses per method (the seam score needs many, see above)")
    parser.add_argument("--images", type=Path, help="folder for the exemplars and syntheses")
    parser.add_argument("--append", action="store_true",
                        help="append the results to benchmarks/RESULTS.md")
    args = parser.parse_args()
    if importlib.util.find_spec("skimage") is None:
        sys.exit("benchmarks/quality.py needs scikit-image for its exemplar photographs: "
                 "pip install -e '.[test]'")
    where = machine()
    started = time.perf_counter()
    lines = run(args.textures, args.size, args.seeds, args.images)
    print(f"\n{where}; {time.perf_counter() - started:.0f} s in all")
    if args.append:
        patch = DEFAULTS["patch_size"]
        threads = os.environ.get("OPENBLAS_NUM_THREADS")
        command = (f"OPENBLAS_NUM_THREADS={threads} " if threads else "") + \
            "python benchmarks/quality.py " + " ".join(sys.argv[1:])
        append_section("Statistical generators: quality and speed", (
            f"`{command.strip()}`: {where}. Exemplars: scikit-image's "
            f"{', '.join(args.textures)} photographs averaged down to 256² (gray, as "
            f"r = g = b); the GMM uses the `texgen train gmm` defaults ({patch}x{patch} "
            f"patches, {DEFAULTS['components']} components, {DEFAULTS['samples']} patches, "
            f"at most {DEFAULTS['iterations']} EM iterations) and the `stats.gmm` defaults "
            f"(overlap {(patch - 1) // 2}, tolerance {TOLERANCES['tolerance']}, weight "
            f"tolerance {TOLERANCES['weight_tolerance']}), tileable; metrics from "
            f"`texgen.metrics`, averaged over {args.seeds} seeds (seam scores: mean ± "
            f"standard error, per axis). Second table: the step across each row (column) "
            f"boundary over the mean step, averaged over the seeds, at the border, the worst "
            f"of the {2 * NEAR} around it, the worst of {2 * NEAR} in the middle, and the "
            f"block grid's (the largest mean over the middle's boundaries of one phase "
            f"modulo the GMM's block step)."), lines)


if __name__ == "__main__":
    main()
