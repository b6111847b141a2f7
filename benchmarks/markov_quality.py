"""The Markov patch synthesizer (stats.markov) side by side with stats.gmm, stats.random_phase
and the resynthesizer package: quality against each exemplar's yardstick, seams, speed.

    OPENBLAS_NUM_THREADS=1 python benchmarks/markov_quality.py [--exemplars tiles brick grass
        gravel] [--size 512] [--seeds 4] [--gmm-levels 1] [--images DIR] [--append]

Exemplars (``benchmarks/exemplars.py``): a drawn pattern of rounded tiles with grout, and
scikit-image's brick, grass and gravel photographs as ``benchmarks/quality.py`` builds them
(256², gray as r = g = b; scikit-image is in the ``test`` extra). Each is synthesized at
``--size``² by every method at seeds 0 .. ``--seeds`` − 1, all tileable:

- ``stats.markov``: ``texgen_stats.markov.synthesize`` with its defaults;
- ``stats.gmm``: fitted with the ``texgen train gmm`` defaults (``--gmm-levels``: one row per
  number of levels) and sampled with the ``stats.gmm`` defaults, as ``quality.py`` does;
- ``stats.random_phase``, clipped to [0, 1] as the node does;
- ``resynthesizer`` (PyPI, a C "content-aware fill"; in the ``bench`` extra): the exemplar,
  quantised to 8 bits, is placed at a seed-dependent position on a ``--size``² canvas, the
  rest of which is masked and synthesized from it, tileable both ways. The canvas is the
  texture, so it holds the exemplar itself (a quarter of a 512² one); its row is left out
  when the package is not installed.

Scores (``texgen.metrics``), means over the seeds unless said otherwise:

- patch-SWD: ``metrics.patch_swd`` to the exemplar, which is multi-scale (7x7 patches at
  1x, 1/2x and 1/4x, averaged down, mean over the scales);
- the yardstick: the patch-SWD between two genuine samples of the texture (tiles: the
  exemplar and another drawing, one per seed; photographs: the exemplar's two halves), and
  each method's ratio to it (the issue's bar: markov within 1.5x on structured exemplars);
- spectrum distance (``metrics.spectrum_distance``);
- border / largest step: the wrap-around step over the largest interior step
  (``metrics.seam_score(reference="max")``), the worse axis, the worst seed: at most 1 when
  the border is no stronger than some interior boundary;
- seam outlier: ``metrics.seam_outlier``, the worst seed (above
  ``metrics.SEAM_OUTLIER_LIMIT`` is a seam);
- merged tiles (tiles only): ``exemplars.merged_tiles``, the share of tile pixels in tiles
  run together where their grout went missing, which patch-SWD hardly sees (0 for a
  drawing);
- time: the median seconds of one synthesis (the GMM's fit apart), warm: texgen's methods
  run once before anything is timed.

A speed table times ``stats.markov`` warm at 512² and 1024² from each 256² exemplar (median
of two runs), and a bars table checks the issue's targets. ``--images DIR`` writes each
exemplar and the first seed's textures as PNGs; ``--append`` adds the tables, with the
command, machine and date, to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from exemplars import NAMES, STRUCTURED, exemplar_pair, merged_tiles
from quality import TOLERANCES, machine, save
from results import append_section

from texgen import metrics
from texgen_stats.model import DEFAULTS, fit_patch_model
from texgen_stats.random_phase import random_phase_texture
from texgen_stats.synthesis import synthesize as gmm_synthesize

#: Output sizes of the speed table, and the issue's targets for them (seconds, warm).
SPEED_TARGETS = {512: 2.0, 1024: 6.0}
#: Runs per size in the speed table (the median is shown).
SPEED_RUNS = 2
#: The issue's bar: markov's patch-SWD at most this many yardsticks on structured exemplars.
YARDSTICK_BAR = 1.5


def markov_texture(exemplar: np.ndarray, height: int, width: int, *, seed: int) -> np.ndarray:
    """``stats.markov``'s texture with its defaults, tileable: float32 (height, width, C)."""
    from texgen_stats.markov import synthesize

    out, _ = synthesize(exemplar, height, width, seed=seed, tileable=True)
    return np.asarray(out, np.float32)


def random_phase(exemplar: np.ndarray, height: int, width: int, *, seed: int) -> np.ndarray:
    """``stats.random_phase``'s texture: float32 (height, width, C), clipped to [0, 1]."""
    return np.clip(random_phase_texture(exemplar, height, width, seed=seed), 0.0,
                   1.0).astype(np.float32)


def resynthesizer_available() -> bool:
    return importlib.util.find_spec("resynthesizer") is not None


def resynthesized(exemplar: np.ndarray, height: int, width: int, *, seed: int,
                  offset: tuple[int, int] | None = None) -> np.ndarray:
    """The resynthesizer package's texture: float32 (height, width, 3) in [0, 1].

    The exemplar (h, w, 3) in [0, 1], quantised to 8 bits, is pasted at ``offset`` (row,
    column; default: drawn from ``seed``, anywhere on the torus) on a (height, width) canvas
    at least as large; the rest of the canvas is masked (white) and synthesized from the
    exemplar with resynthesizer's defaults and both of its "seamlessly tileable" options, so
    the canvas, exemplar included, tiles. The C library has no seed of its own (it is
    deterministic): another offset is another texture.
    """
    from PIL import Image
    from resynthesizer import getDefaultParams, resynthesize

    h, w = exemplar.shape[:2]
    if h > height or w > width:
        raise ValueError(f"resynthesized: the canvas ({width} x {height}) must be at least as "
                         f"large as the exemplar ({w} x {h})")
    if offset is None:
        offset = tuple(int(v) for v in np.random.default_rng([seed, 7]).integers(
            0, (height, width)))
    pixels = np.rint(np.clip(exemplar[..., :3], 0.0, 1.0) * 255).astype(np.uint8)
    rows = (np.arange(h) + offset[0]) % height
    cols = (np.arange(w) + offset[1]) % width
    canvas = np.zeros((height, width, 3), np.uint8)
    mask = np.full((height, width), 255, np.uint8)
    canvas[np.ix_(rows, cols)] = pixels
    mask[np.ix_(rows, cols)] = 0
    parameters = getDefaultParams()
    parameters.isMakeSeamlesslyTileableHorizontally = 1
    parameters.isMakeSeamlesslyTileableVertically = 1
    out = resynthesize(Image.fromarray(canvas), Image.fromarray(mask), parameters=parameters)
    return np.asarray(out, np.float32) / np.float32(255)


def gmm_sampler(exemplar: np.ndarray, levels: int) -> tuple[Callable, float, int]:
    """(sampler(height, width, seed=), fit seconds, EM iterations) of a GMM fitted with the
    ``texgen train gmm`` defaults at ``levels`` levels, sampled with the node's defaults."""
    started = time.perf_counter()
    model = fit_patch_model(exemplar, levels=levels)
    seconds = time.perf_counter() - started
    overlap = (model.patch_size - 1) // 2

    def sample(height, width, *, seed):
        return gmm_synthesize(model, height, width, overlap=overlap, **TOLERANCES,
                              tileable=True, seed=seed)
    return sample, seconds, model.metadata["fit"]["iterations"]


def scores(texture: np.ndarray, exemplar: np.ndarray, name: str) -> dict[str, float]:
    return {"patch_swd": metrics.patch_swd(texture, exemplar),
            "spectrum": metrics.spectrum_distance(texture, exemplar),
            "border_step": metrics.seam_score(texture, reference="max"),
            "seam_outlier": metrics.seam_outlier(texture),
            "merged": merged_tiles(texture) if name == "tiles" else float("nan")}


def merged_text(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:.2f}"


def warm_up(methods: dict[str, Callable], exemplar: np.ndarray) -> None:
    """Run texgen's methods once, so that no timing includes numba's compilation (the
    resynthesizer package is compiled C)."""
    for label, make in methods.items():
        if label.startswith("stats."):
            make(exemplar, 2 * exemplar.shape[0], 2 * exemplar.shape[1], seed=0)


def run(names: list[str], size: int, seeds: int, gmm_levels: list[int],
        images: Path | None) -> tuple[list[str], dict]:
    """The quality table's lines, and per exemplar the figures the bars table checks."""
    lines = [f"| exemplar | method | fit (s) | synthesis {size}² (s) | patch-SWD ↓ | "
             "÷ yardstick ↓ | spectrum distance ↓ | border / largest step, worst (≤ 1) | "
             "seam outlier, worst (≤ 1.5) | merged tiles ↓ |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    figures: dict[str, dict] = {}
    fixed = {"stats.markov": markov_texture, "stats.random_phase": random_phase}
    if resynthesizer_available():
        fixed["resynthesizer"] = resynthesized
    warmed = False
    for name in names:
        image, sample, other = exemplar_pair(name)
        save(images, f"{name}_exemplar", image)
        yardstick = float(np.mean([metrics.patch_swd(*exemplar_pair(name, seed)[1:])
                                   for seed in range(seeds if name == "tiles" else 1)]))
        spectrum = metrics.spectrum_distance(sample, other)
        what = "another drawing" if name == "tiles" else "the exemplar's two halves"
        merged = merged_tiles(other) if name == "tiles" else float("nan")
        lines.append(f"| {name} | yardstick: {what} | | | {yardstick:.4f} | 1.00 | "
                     f"{spectrum:.3f} | | | {merged_text(merged)} |")
        print(lines[-1], flush=True)
        methods = {"stats.markov": (fixed["stats.markov"], None)}
        for levels in gmm_levels:
            sampler, fit_seconds, iterations = gmm_sampler(image, levels)
            label = "stats.gmm" + (f", {levels} levels" if levels > 1 else "")
            methods[f"{label} ({iterations} EM iterations)"] = (
                lambda exemplar, height, width, *, seed, sampler=sampler: sampler(
                    height, width, seed=seed), fit_seconds)
        methods.update({label: (make, None) for label, make in fixed.items()
                        if label != "stats.markov"})
        if not warmed:
            warm_up({label: make for label, (make, _) in methods.items()}, image)
            warmed = True
        figures[name] = {"yardstick": yardstick}
        for label, (make, fit_seconds) in methods.items():
            results, times = [], []
            for seed in range(seeds):
                started = time.perf_counter()
                texture = make(image, size, size, seed=seed)
                times.append(time.perf_counter() - started)
                results.append(scores(texture, image, name))
                if seed == 0:
                    save(images, f"{name}_{label.split(' (')[0].replace(', ', '_')}", texture)
            swd = float(np.mean([r["patch_swd"] for r in results]))
            border = max(r["border_step"] for r in results)
            outlier = max(r["seam_outlier"] for r in results)
            figures[name][label.split(" (")[0]] = {"swd": swd, "border": border,
                                                   "outlier": outlier}
            fit_text = f"{fit_seconds:.1f}" if fit_seconds is not None else "–"
            lines.append(
                f"| {name} | {label} | {fit_text} | {statistics.median(times):.2f} | "
                f"{swd:.4f} | {swd / yardstick:.2f} | "
                f"{np.mean([r['spectrum'] for r in results]):.3f} | {border:.2f} | "
                f"{outlier:.2f} | {merged_text(np.mean([r['merged'] for r in results]))} |")
            print(lines[-1], flush=True)
    return lines, figures


def speed(names: list[str]) -> tuple[list[str], dict[str, dict[int, float]]]:
    """The speed table's lines: stats.markov warm at each size of ``SPEED_TARGETS``."""
    lines = ["| exemplar | " + " | ".join(f"stats.markov {size}² (s, target ≤ {target:g})"
                                         for size, target in SPEED_TARGETS.items()) + " |",
             "|---|" + "---:|" * len(SPEED_TARGETS)]
    print("\n" + "\n".join(lines), flush=True)
    seconds: dict[str, dict[int, float]] = {}
    for name in names:
        image = exemplar_pair(name)[0]
        markov_texture(image, 64, 64, seed=0)  # warm
        seconds[name] = {}
        for size in SPEED_TARGETS:
            times = []
            for seed in range(SPEED_RUNS):
                started = time.perf_counter()
                markov_texture(image, size, size, seed=seed)
                times.append(time.perf_counter() - started)
            seconds[name][size] = statistics.median(times)
        lines.append(f"| {name} | " + " | ".join(f"{seconds[name][size]:.2f}"
                                                for size in SPEED_TARGETS) + " |")
        print(lines[-1], flush=True)
    return lines, seconds


def bars(figures: dict, seconds: dict[str, dict[int, float]]) -> list[str]:
    """The issue's targets, one line per exemplar and target, met or not."""
    lines = ["| exemplar | target | figures | met |", "|---|---|---|---|"]

    def check(name, target, text, met):
        lines.append(f"| {name} | {target} | {text} | {'yes' if met else '**no**'} |")

    for name, fig in figures.items():
        markov, rp = fig["stats.markov"], fig["stats.random_phase"]
        if name in STRUCTURED:
            ratio = markov["swd"] / fig["yardstick"]
            check(name, f"markov patch-SWD ≤ {YARDSTICK_BAR} yardsticks",
                  f"{ratio:.2f} yardsticks", ratio <= YARDSTICK_BAR)
            for label in [key for key in fig if key.startswith("stats.gmm")] + \
                    ["stats.random_phase"]:
                check(name, f"markov patch-SWD below {label}",
                      f"{markov['swd']:.4f} vs {fig[label]['swd']:.4f}",
                      markov["swd"] < fig[label]["swd"])
        else:
            check(name, "markov patch-SWD no worse than random-phase",
                  f"{markov['swd']:.4f} vs {rp['swd']:.4f}", markov["swd"] <= rp["swd"])
        check(name, "markov border step ≤ the largest interior step, every seed",
              f"{markov['border']:.2f}", markov["border"] <= 1.0)
        for size, target in SPEED_TARGETS.items():
            if name in seconds:
                check(name, f"markov {size}² ≤ {target:g} s warm",
                      f"{seconds[name][size]:.2f} s", seconds[name][size] <= target)
    print("\n" + "\n".join(lines), flush=True)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exemplars", nargs="+", default=list(NAMES), choices=NAMES,
                        help="exemplars (benchmarks/exemplars.py)")
    parser.add_argument("--size", type=int, default=512, help="synthesis size in pixels")
    parser.add_argument("--seeds", type=int, default=4, help="syntheses per method")
    parser.add_argument("--gmm-levels", nargs="+", type=int, default=[1],
                        help="stats.gmm rows: model levels (1: the default)")
    parser.add_argument("--images", type=Path, help="folder for the exemplars and syntheses")
    parser.add_argument("--append", action="store_true",
                        help="append the results to benchmarks/RESULTS.md")
    args = parser.parse_args()
    if importlib.util.find_spec("skimage") is None:
        sys.exit("benchmarks/markov_quality.py needs scikit-image for its exemplar "
                 "photographs: pip install -e '.[test]'")
    where = machine()
    started = time.perf_counter()
    quality, figures = run(args.exemplars, args.size, args.seeds, args.gmm_levels,
                           args.images)
    timing, seconds = speed(args.exemplars)
    verdicts = bars(figures, seconds)
    peer = "" if resynthesizer_available() else " (resynthesizer not installed: no row)"
    print(f"\n{where}; {time.perf_counter() - started:.0f} s in all{peer}")
    if args.append:
        threads = os.environ.get("OPENBLAS_NUM_THREADS")
        command = (f"OPENBLAS_NUM_THREADS={threads} " if threads else "") + \
            "python benchmarks/markov_quality.py " + " ".join(sys.argv[1:])
        patch = DEFAULTS["patch_size"]
        header = (
            f"`{command.strip()}`: {where}. Exemplars (`benchmarks/exemplars.py`): "
            f"{', '.join(args.exemplars)}, 256², synthesized at {args.size}², tileable, "
            f"seeds 0..{args.seeds - 1}; stats.markov with its defaults, stats.gmm with the "
            f"`texgen train gmm` defaults ({patch}x{patch} patches) and the node's, "
            f"resynthesizer with its defaults and both tileable options on a canvas holding "
            f"the exemplar{peer}. Patch-SWD: `metrics.patch_swd` (3 scales), mean over the "
            f"seeds; the yardstick is two genuine samples of the texture; border / largest "
            f"step: `metrics.seam_score(reference=\"max\")`, worst axis and seed; seam "
            f"outlier: `metrics.seam_outlier`, worst seed; merged tiles: the share of tile "
            f"pixels in tiles run together (`exemplars.merged_tiles`), mean over the seeds. "
            f"Speed: stats.markov warm, median of {SPEED_RUNS} runs.")
        append_section("Markov patch synthesis against its peers", header,
                       [*quality, "", *timing, "", *verdicts])


if __name__ == "__main__":
    main()
