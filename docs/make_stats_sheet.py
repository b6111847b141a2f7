"""Render docs/stats_sheet.jpg: per exemplar, random-phase and the GMM, one and two levels.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python docs/make_stats_sheet.py   # about 30 s
    .venv/bin/python docs/make_stats_sheet.py --textures gravel -o /tmp/sheet.png

Exemplars are those of ``benchmarks/quality.py`` (scikit-image's photographs averaged down
to 256², needs the test extra); models are fitted with the ``texgen train gmm`` defaults
(``--levels 1`` and ``2``), textures sampled tileable at 256² with the ``stats.gmm``
defaults at seed ``SEED``, and each texture is shown rolled by half its size (a crop of
it tiled 2 x 2), so its wrap-around borders cross the middle of its picture.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from quality import TOLERANCES, exemplar  # noqa: E402

from texgen.io import write_picture  # noqa: E402
from texgen.sheet import contact_sheet  # noqa: E402
from texgen_stats.model import fit_patch_model  # noqa: E402
from texgen_stats.random_phase import random_phase_texture  # noqa: E402
from texgen_stats.synthesis import synthesize  # noqa: E402

SEED = 3
SIZE = 256


def rolled(texture: np.ndarray) -> np.ndarray:
    """The texture with its wrap-around borders through the middle."""
    return np.roll(texture, (texture.shape[0] // 2, texture.shape[1] // 2), axis=(0, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--textures", nargs="+", default=["brick", "gravel"])
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).parent / "stats_sheet.jpg")
    args = parser.parse_args()
    rows = []
    for name in args.textures:
        image = exemplar(name)
        outputs = {"exemplar": image, "random_phase (rolled)": rolled(np.clip(
            random_phase_texture(image, SIZE, SIZE, seed=SEED), 0.0, 1.0).astype(np.float32))}
        for levels in (1, 2):
            model = fit_patch_model(image, levels=levels)
            outputs[f"gmm, {levels} level{'s' * (levels > 1)} (rolled)"] = rolled(synthesize(
                model, SIZE, SIZE, overlap=2, **TOLERANCES, tileable=True, seed=SEED))
        rows.append((name, outputs))
        print(f"{name}: done", file=sys.stderr, flush=True)
    write_picture(args.output, contact_sheet(rows, thumb=SIZE))
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
