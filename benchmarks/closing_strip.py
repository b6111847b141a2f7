"""How the height of stats.gmm's closing strip, and how many times each of its bands is
drawn, trade its roughness against the borders and the time.

    OPENBLAS_NUM_THREADS=1 python benchmarks/closing_strip.py [--textures brick]
                                 [--blocks 16] [--candidates 1 2 4 8]
                                 [--seeds 64] [--append]

On the torus the scan ends in a closing strip of ``synthesis._STRIP_BLOCKS`` block rows
above the texture's last block row (``texgen_stats.synthesis``, module docstring), where a
front coming down meets one coming up from that row, and each band of the strip is drawn
``synthesis._CANDIDATES`` times, the smoothest meeting kept. This sweeps
those two constants (each pair for the whole run, the GMM fitted once per exemplar with the
``texgen train gmm`` defaults and sampled 512² with the ``stats.gmm`` defaults) and
reports, per pair, from the step across each row boundary over the texture's
mean step (``metrics.boundary_steps``, averaged over the seeds):

- the top/bottom border's (the seam score, rows: mean ± standard error over the seeds),
- the strip's mean and worst row boundary, and the mean outside the strip,
- the strip's excess: the sum over its boundaries of (step - the mean outside), in rows'
  worth of an average step: the roughness the meeting fronts add, however spread,
- the left/right border's seam score: the strip's last band closes on its first, one
  column of closing blocks down the strip's whole height,
- the median synthesis time.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import textwrap
import time

import numpy as np
from quality import RESULTS, TOLERANCES, exemplar, machine, relative_steps, summary

from texgen import metrics
from texgen_stats import synthesis
from texgen_stats.model import fit_patch_model

SIZE = 512


def sweep(name: str, blocks: list[int], candidates: list[int], seeds: int) -> list[str]:
    model = fit_patch_model(exemplar(name), exemplar_name=name)
    overlap = (model.patch_size - 1) // 2
    lines = []
    for count, tries in ((count, tries) for count in blocks for tries in candidates):
        synthesis._STRIP_BLOCKS, synthesis._CANDIDATES = count, tries
        textures, times = [], []
        for seed in range(seeds):
            started = time.perf_counter()
            textures.append(synthesis.synthesize(model, SIZE, SIZE, overlap=overlap,
                                                 **TOLERANCES, tileable=True, seed=seed))
            times.append(time.perf_counter() - started)
        relative = relative_steps(textures, axis=0)
        strip = synthesis._strip_layout(SIZE, model.patch_size, overlap, 0)
        first, end = strip.starts[0], strip.end
        inside = relative[first - 1:end]  # boundaries between, into and out of strip rows
        outside = np.concatenate([relative[:first - 1], relative[end:-1]]).mean()
        seams = summary([{"seam_rows": metrics.seam_score(texture, axis=0),
                          "seam_cols": metrics.seam_score(texture, axis=1)}
                         for texture in textures])  # each: (mean, standard error)
        rows_seam, cols_seam = seams["seam_rows"], seams["seam_cols"]
        lines.append(f"| {name} | {count} ({end - first} rows) | {tries} | "
                     f"{rows_seam[0]:.2f} ± {rows_seam[1]:.2f} | {inside.mean():.2f} | "
                     f"{inside.max():.2f} | {outside:.2f} | "
                     f"{(inside - outside).sum():.0f} | "
                     f"{cols_seam[0]:.2f} ± {cols_seam[1]:.2f} | "
                     f"{statistics.median(times):.2f} |")
        print(lines[-1], flush=True)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--textures", nargs="+", default=["brick"],
                        help="skimage.data photographs to use as exemplars")
    parser.add_argument("--blocks", nargs="+", type=int, default=[16],
                        help="closing strip heights to try, in block rows")
    parser.add_argument("--candidates", nargs="+", type=int, default=[1, 2, 4, 8],
                        help="draws per band of the strip to try")
    parser.add_argument("--seeds", type=int, default=64,
                        help="syntheses per strip height and draw count")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    header = ["| exemplar | strip: block rows | draws per band | seam score, rows (≈1) | "
              "strip: mean step | strip: worst step | outside: mean step | "
              "strip's excess (rows) | seam score, columns (≈1) | synthesis 512² (s) |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(header), flush=True)
    where = machine()
    shipped = (f"as shipped: {synthesis._STRIP_BLOCKS} block rows, "
               f"{synthesis._CANDIDATES} draws per band")
    lines = [line for name in args.textures
             for line in sweep(name, args.blocks, args.candidates, args.seeds)]
    print(f"\n{where}; {shipped}")
    if args.append:
        command = " ".join(["OPENBLAS_NUM_THREADS=1 python benchmarks/closing_strip.py",
                            *sys.argv[1:]])
        intro = textwrap.fill(f"`{command}`: {where}; {args.seeds} seeds per row; "
                              f"{shipped}.", width=92)
        with open(RESULTS, "a", encoding="utf-8") as file:
            file.write("\n".join(["", "## Statistical generators: the closing strip "
                                  f"({datetime.date.today().isoformat()})", "", intro, "",
                                  *header, *lines, "", ""]))
        print(f"appended to {RESULTS}")


if __name__ == "__main__":
    main()
