"""How stats.gmm's closing strip and its torus borders come out: the borders' seam scores,
the strip's roughness along and across it, and the time, per strip height and draw count.

    OPENBLAS_NUM_THREADS=1 python benchmarks/closing_strip.py [--textures brick]
                                 [--levels 1] [--blocks 16] [--candidates 1 4]
                                 [--seeds 32] [--size 512] [--append]

On the torus the scan ends in a closing strip of ``strip_blocks`` block rows above the
texture's last block row (``texgen_stats.synthesis``, module docstring), where a front
coming down meets one coming up from that row, and each band of the strip is drawn
``candidates`` times, the smoothest meeting kept; ``--blocks 1`` is one row of closing
blocks instead of a strip. This sweeps those two options of ``synthesize`` (the GMM fitted
once per exemplar and level count with the ``texgen train gmm`` defaults, sampled at
``--size``² with the ``stats.gmm`` defaults, tileable, seeds 0 .. n - 1) and reports per
pair:

- the seam scores of the output's top/bottom and left/right borders
  (``metrics.seam_score``; mean ± standard error over the seeds): the border scores;
- in the scan's frame (the output transposed when the scan runs that way, see the module
  docstring; the "strip" column says along which axis of the output the strip lies),
  from the step across each row boundary over the texture's mean row step
  (``metrics.boundary_steps``, averaged over the seeds): the strip's mean and worst
  boundary (from the one into its first row to the one out of its last), the mean
  outside it, and its excess, the sum over its boundaries of (step - the mean outside),
  in rows' worth of an average step: the roughness the meeting fronts add, however
  spread;
- across the strip: the step across the scan frame's left/right border, in the scan's
  rows and in the strip's rows, over the texture's mean column step (mean ± standard
  error): the strip's last band closes on its first, one column of closing blocks down
  the strip's whole height, while in the scan's rows the border is a block boundary of
  the staggered rows;
- the median synthesis time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from quality import TOLERANCES, exemplar, machine, relative_steps, summary
from results import append_section

from texgen import metrics
from texgen_stats.model import fit_patch_model
from texgen_stats.synthesis import CANDIDATES, STRIP_BLOCKS, prepare, scan_plan, synthesize


def border_by_rows(texture: np.ndarray, rows: np.ndarray) -> float:
    """The mean step energy across the left/right border in ``rows`` over the texture's
    mean interior column step energy."""
    steps = metrics.boundary_steps(texture, axis=1)
    border = np.square(texture[rows, 0].astype(np.float64) - texture[rows, -1]).mean()
    return float(border / steps[:-1].mean())


def sweep(name: str, levels: int, blocks: list[int], candidates: list[int], seeds: int,
          size: int) -> list[str]:
    model = fit_patch_model(exemplar(name), levels=levels, exemplar_name=name)
    prepared = prepare(model)
    overlap = (model.patch_size - 1) // 2
    turned = prepared.runs_horizontally
    lines = []
    for count, tries in ((count, tries) for count in blocks for tries in candidates):
        plan = scan_plan(size, size, patch=model.patch_size, overlap=overlap, tileable=True,
                         strip_blocks=count)
        if plan.strip is None and tries != candidates[0]:
            continue  # no strip: nothing to draw again
        # The strip's rows, or the row of closing blocks that ends the scan without one.
        first, end = (plan.strip.starts[0], plan.strip.end) if plan.strip is not None else (
            plan.rows.starts[-1], size)
        in_strip = np.zeros(size, bool)
        in_strip[first:end] = True
        textures, times, rows = [], [], []
        for seed in range(seeds):
            started = time.perf_counter()
            out = synthesize(prepared, size, size, overlap=overlap, **TOLERANCES,
                             tileable=True, seed=seed, strip_blocks=count, candidates=tries)
            times.append(time.perf_counter() - started)
            textures.append(out)
            scan_frame = out.transpose(1, 0, 2) if turned else out
            rows.append({"scan": border_by_rows(scan_frame, ~in_strip),
                         "strip": border_by_rows(scan_frame, in_strip)})
        relative = relative_steps([t.transpose(1, 0, 2) if turned else t for t in textures],
                                  axis=0)
        inside = relative[first - 1:end]  # boundaries between, into and out of strip rows
        outside = np.concatenate([relative[:first - 1], relative[end:-1]]).mean()
        seams = summary([{"rows": metrics.seam_score(texture, axis=0),
                          "cols": metrics.seam_score(texture, axis=1)}
                         for texture in textures])  # each: (mean, standard error)
        split = summary(rows)
        cells = [name, str(levels), "columns" if turned else "rows",
                 f"{count} ({end - first} rows)" if plan.strip is not None else
                 f"{count} (a closing row)", str(tries),
                 *(f"{seams[key][0]:.2f} ± {seams[key][1]:.2f}" for key in ("rows", "cols")),
                 f"{inside.mean():.2f}", f"{inside.max():.2f}", f"{outside:.2f}",
                 f"{(inside - outside).sum():.0f}",
                 *(f"{split[key][0]:.2f} ± {split[key][1]:.2f}" for key in ("scan", "strip")),
                 f"{statistics.median(times):.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--textures", nargs="+", default=["brick"],
                        help="skimage.data photographs to use as exemplars")
    parser.add_argument("--levels", nargs="+", type=int, default=[1],
                        help="model levels to fit (texgen train gmm --levels)")
    parser.add_argument("--blocks", nargs="+", type=int, default=[STRIP_BLOCKS],
                        help="closing strip heights to try, in block rows (1: a closing row)")
    parser.add_argument("--candidates", nargs="+", type=int, default=[1, CANDIDATES],
                        help="draws per band of the strip to try")
    parser.add_argument("--seeds", type=int, default=32,
                        help="syntheses per row: seeds 0 .. n - 1")
    parser.add_argument("--size", type=int, default=512, help="synthesis size in pixels")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    header = ["| exemplar | levels | strip along | strip: block rows | draws per band | "
              "seam score, top/bottom (≈1) | seam score, left/right (≈1) | "
              "strip: mean step | strip: worst step | outside: mean step | "
              "strip's excess (rows) | left/right border: scan rows | "
              f"left/right border: strip rows | synthesis {args.size}² (s) |",
              "|---|---:|---|---|---:|" + "---:|" * 9]
    print("\n".join(header), flush=True)
    where = machine()
    defaults = f"defaults: {STRIP_BLOCKS} block rows, {CANDIDATES} draws per band"
    lines = [line for name in args.textures for levels in args.levels
             for line in sweep(name, levels, args.blocks, args.candidates, args.seeds,
                               args.size)]
    print(f"\n{where}; {defaults}")
    if args.append:
        command = " ".join(["OPENBLAS_NUM_THREADS=1 python benchmarks/closing_strip.py",
                            *sys.argv[1:]])
        append_section("Statistical generators: the closing strip",
                       f"`{command}`: {where}; {args.seeds} seeds per row; {defaults}.",
                       [*header, *lines])


if __name__ == "__main__":
    main()
