"""Render docs/markov_sheet.png: per exemplar, stats.markov next to its peers.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python docs/make_markov_sheet.py   # about a minute
    .venv/bin/python docs/make_markov_sheet.py --exemplars tiles -o /tmp/sheet.png

One row per exemplar of ``benchmarks/exemplars.py`` (the drawn tiles, scikit-image's
photographs; needs the test extra): the 256² exemplar, then stats.markov, stats.gmm (the
``texgen train gmm`` and node defaults), stats.random_phase and the resynthesizer package
(where installed), each synthesized tileable at 512² at seed ``SEED`` as
``benchmarks/markov_quality.py`` does. Every picture is a 256² window averaged down to 128²
(the exemplar: all of it, so all are at one scale): for texgen's nodes the window is
centred on the texture's corner, so both wrap-around borders cross its middle; for
resynthesizer, whose canvas holds the exemplar itself, it is the part of the canvas
farthest from the exemplar (the exemplar is pasted at (128, 128)), all synthesized. The
sheet is stored with a palette of 256 colors (median cut refined by k-means, no dither: a
mean error under one 8-bit level) to keep the file small.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from exemplars import NAMES, exemplar_pair  # noqa: E402
from markov_quality import (  # noqa: E402
    gmm_sampler,
    markov_texture,
    random_phase,
    resynthesized,
    resynthesizer_available,
)

from texgen.sheet import contact_sheet  # noqa: E402

SEED = 3
SIZE = 512
WINDOW = 256
THUMB = 128


def averaged_down(window: np.ndarray) -> np.ndarray:
    """A WINDOW² picture averaged down to THUMB²."""
    factor = WINDOW // THUMB
    return window.reshape(THUMB, factor, THUMB, factor, -1).mean(axis=(1, 3))


def shown(texture: np.ndarray) -> np.ndarray:
    """The WINDOW² window centred on the texture's corner, averaged down to THUMB²."""
    shift = (WINDOW // 2, WINDOW // 2)
    return averaged_down(np.roll(texture, shift, axis=(0, 1))[:WINDOW, :WINDOW])


def save_paletted(path: Path, sheet: np.ndarray) -> None:
    """Write the float (H, W, 3) sheet in [0, 1] as a PNG with 256 palette colors."""
    from PIL import Image

    pixels = Image.fromarray(np.rint(np.clip(sheet, 0.0, 1.0) * 255).astype(np.uint8))
    pixels.quantize(256, method=Image.Quantize.MEDIANCUT, kmeans=8,
                    dither=Image.Dither.NONE).save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exemplars", nargs="+", default=list(NAMES), choices=NAMES)
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).parent / "markov_sheet.png")
    args = parser.parse_args()
    rows = []
    for name in args.exemplars:
        image = exemplar_pair(name)[0]
        sampler = gmm_sampler(image, 1)[0]
        outputs = {
            "exemplar": averaged_down(image),
            "markov": shown(markov_texture(image, SIZE, SIZE, seed=SEED)),
            "gmm": shown(sampler(SIZE, SIZE, seed=SEED)),
            "random-phase": shown(random_phase(image, SIZE, SIZE, seed=SEED))}
        if resynthesizer_available():
            # Pasted at (128, 128), the exemplar covers rows and columns 128..383: the
            # window around the corner (rows and columns 384..127) is all synthesized.
            outputs["resynthesizer"] = shown(resynthesized(
                image, SIZE, SIZE, seed=SEED, offset=(WINDOW // 2, WINDOW // 2)))
        rows.append((name, outputs))
        print(f"{name}: done", file=sys.stderr, flush=True)
    save_paletted(args.output, contact_sheet(rows, thumb=THUMB))
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
