"""Render docs/noise_grid.jpg: every lattice noise x domain warp x fractal type, labelled.

    .venv/bin/python docs/make_noise_grid.py                # 128-pixel tiles
    .venv/bin/python docs/make_noise_grid.py --size 64 -o /tmp/grid.png

Rows are noise x warp (5 x 3), columns fractal types (5). Each tile is the node function's
own output (``texgen_noise.nodes``) at seed ``SEED``, tileable, with the node defaults
except ``fractal``, ``warp`` and ``warp_amplitude`` (cellular: Euclidean F1). Labels are
drawn as ``texgen.sheet.contact_sheet`` draws its own (Pillow's default font, same gap,
label height and background), and the file is an 8-bit gray PNG written by ``texgen.io``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from texgen.io import write_picture
from texgen.nodes import NodeContext
from texgen.sheet import BACKGROUND, GAP, LABEL_HEIGHT
from texgen_noise import nodes

NOISES = ("perlin", "simplex", "value", "value_cubic", "cellular")
WARPS = ("none", "independent", "progressive")
FRACTALS = nodes.FRACTALS  # none, fbm, ridged, billow, pingpong
SEED = 7
WARP_AMPLITUDE = 0.1
#: Width of the row labels left of the tiles (two lines: the noise, then the warp).
ROW_LABEL_WIDTH = 96
LABEL_GRAY = 230  # as contact_sheet's labels

#: (noise, warp) of each row, top to bottom.
ROWS = tuple((noise, warp) for noise in NOISES for warp in WARPS)


def grid_shape(size: int) -> tuple[int, int]:
    """(height, width) in pixels of the grid with ``size`` x ``size`` tiles."""
    return (GAP + LABEL_HEIGHT + len(ROWS) * (size + GAP),
            GAP + ROW_LABEL_WIDTH + len(FRACTALS) * (size + GAP))


def tile_origin(row: int, column: int, size: int) -> tuple[int, int]:
    """(top, left) pixel of the tile in ``row``, ``column``."""
    return (GAP + LABEL_HEIGHT + row * (size + GAP),
            GAP + ROW_LABEL_WIDTH + column * (size + GAP))


def render_tile(noise: str, warp: str, fractal: str, size: int) -> np.ndarray:
    """One tile, float32 (size, size, 1) in [0, 1], from the node function itself."""
    ctx = NodeContext(f"{noise}_{warp}_{fractal}", size, size, SEED, tileable=True)
    return getattr(nodes, noise)(ctx, fractal=fractal, warp=warp,
                                 warp_amplitude=WARP_AMPLITUDE)


def noise_grid(size: int = 128) -> np.ndarray:
    """The labelled grid, float32 (H, W, 1) gray (``grid_shape(size)``)."""
    from PIL import Image, ImageDraw  # Pillow comes with imageio

    grid = np.full(grid_shape(size), BACKGROUND, np.float32)
    for r, (noise, warp) in enumerate(ROWS):
        for c, fractal in enumerate(FRACTALS):
            top, left = tile_origin(r, c, size)
            grid[top:top + size, left:left + size] = render_tile(noise, warp, fractal, size)[..., 0]
    image = Image.fromarray(np.rint(np.clip(grid, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for c, fractal in enumerate(FRACTALS):
        draw.text((tile_origin(0, c, size)[1], GAP + 3), f"fractal {fractal}", fill=LABEL_GRAY)
    for r, (noise, warp) in enumerate(ROWS):
        top = tile_origin(r, 0, size)[0]
        draw.text((GAP, top), noise, fill=LABEL_GRAY)
        draw.text((GAP, top + 14), f"warp {warp}", fill=LABEL_GRAY)
    return (np.asarray(image, np.float32) / np.float32(255))[:, :, None]


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128,
                        help="tile size in pixels (default: 128)")
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).resolve().with_name("noise_grid.jpg"),
                        help="Picture to write, PNG or JPEG (default: docs/noise_grid.jpg)")
    args = parser.parse_args(argv)
    if args.size < 1:
        parser.error("--size must be at least 1")
    grid = noise_grid(args.size)
    write_picture(args.output, grid)
    height, width = grid.shape[:2]
    print(f"{args.output}: {width} x {height}, {args.output.stat().st_size} bytes")
    return args.output


if __name__ == "__main__":
    main()
