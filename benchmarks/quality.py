"""Quality and speed of the statistical generators (stats.gmm, stats.random_phase) on real
exemplar photographs: patch sliced-Wasserstein distance and spectrum distance to the
exemplar, seam score, time to fit, time to synthesize.

    python benchmarks/quality.py [--textures brick grass gravel] [--size 512] [--seeds 2]
                                 [--append]

Exemplars are scikit-image's bundled photographs (``skimage.data.brick()`` etc., 512x512
gray), averaged down 2x2 to 256x256 and repeated into r, g, b; scikit-image is in the
``test`` extra. The GMM is fitted with the ``texgen train gmm`` defaults and sampled with
the ``stats.gmm`` defaults, tileable; ``--images DIR`` also writes each exemplar and the
first seed's syntheses there as PNGs. The "halves" row is a yardstick: the two 256x128
halves of the exemplar against each other, i.e. what two genuine pieces of the texture
score. Lower is better for every metric but the seam score, which should be close to 1.
``--append`` adds the table, with the date, machine and command, to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import statistics
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

from texgen import metrics
from texgen.io import write_png8
from texgen_stats.model import DEFAULTS, fit_patch_model
from texgen_stats.random_phase import random_phase_texture
from texgen_stats.synthesis import synthesize

RESULTS = Path(__file__).parent / "RESULTS.md"


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
            "seam": metrics.seam_score(texture)}


def mean_scores(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: float(np.mean([row[key] for row in rows])) for key in rows[0]}


def run(names: list[str], size: int, seeds: int, images: Path | None) -> list[str]:
    lines = [f"| exemplar | method | fit (s) | synthesis {size}² (s) | patch SWD ↓ | "
             "spectrum distance ↓ | seam score (≈1) |",
             "|---|---|---:|---:|---:|---:|---:|"]

    def row(name, method, fit, synth, values):
        fit_text = f"{fit:.1f}" if fit is not None else "–"
        synth_text = f"{synth:.2f}" if synth is not None else "–"
        lines.append(f"| {name} | {method} | {fit_text} | {synth_text} | "
                     f"{values['patch_swd']:.4f} | {values['spectrum']:.3f} | "
                     f"{values['seam']:.2f} |")
        print(lines[-1], flush=True)

    print("\n".join(lines), flush=True)
    for name in names:
        image = exemplar(name)
        save(images, f"{name}_exemplar", image)
        halves = scores(image[:, :128], image[:, 128:])
        halves["seam"] = metrics.seam_score(image)  # the photo itself does not tile
        row(name, "halves of the exemplar (yardstick; seam: the photo)", None, None, halves)

        started = time.perf_counter()
        model = fit_patch_model(image, exemplar_name=name)
        fit_seconds = time.perf_counter() - started
        gmm_rows, gmm_times = [], []
        for seed in range(seeds):
            started = time.perf_counter()
            out = synthesize(model, size, size, overlap=(model.patch_size - 1) // 2,
                             tolerance=0.003, tileable=True, seed=seed)
            gmm_times.append(time.perf_counter() - started)
            gmm_rows.append(scores(out, image))
            if seed == 0:
                save(images, f"{name}_gmm", out)
        row(name, f"stats.gmm ({model.metadata['fit']['iterations']} EM iterations)",
            fit_seconds, statistics.median(gmm_times), mean_scores(gmm_rows))

        rpn_rows, rpn_times = [], []
        for seed in range(seeds):
            started = time.perf_counter()
            out = np.clip(random_phase_texture(image, size, size, seed=seed), 0.0, 1.0)
            rpn_times.append(time.perf_counter() - started)
            rpn_rows.append(scores(out.astype(np.float32), image))
            if seed == 0:
                save(images, f"{name}_random_phase", out)
        row(name, "stats.random_phase", None, statistics.median(rpn_times),
            mean_scores(rpn_rows))
    return lines


def save(folder: Path | None, name: str, texture: np.ndarray) -> None:
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        write_png8(folder / f"{name}.png", np.asarray(texture, np.float32))


def machine() -> str:
    import numba

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}; "
            f"load average at the start {load} (the machine is shared: timings vary)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--textures", nargs="+", default=["brick", "grass", "gravel"],
                        help="skimage.data photographs to use as exemplars")
    parser.add_argument("--size", type=int, default=512, help="synthesis size in pixels")
    parser.add_argument("--seeds", type=int, default=2, help="syntheses per method")
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
        section = [
            "", f"## Statistical generators: quality and speed "
                f"({datetime.date.today().isoformat()})", "",
            f"`{command.strip()}`: {where}. Exemplars: scikit-image's "
            f"{', '.join(args.textures)} photographs averaged down to 256² (gray, as "
            f"r = g = b); the GMM uses the `texgen train gmm` defaults ({patch}x{patch} "
            f"patches, {DEFAULTS['components']} components, {DEFAULTS['samples']} patches, "
            f"at most {DEFAULTS['iterations']} EM iterations) and the `stats.gmm` defaults "
            f"(overlap {(patch - 1) // 2}, tolerance 0.003), tileable; metrics from "
            f"`texgen.metrics`, averaged over {args.seeds} seeds.", "", *lines, "", ""]
        section[3] = textwrap.fill(section[3], width=92)
        with open(RESULTS, "a", encoding="utf-8") as file:
            file.write("\n".join(section))
        print(f"appended to {RESULTS}")


if __name__ == "__main__":
    main()
