"""How far the banded U-Net's float16 grids move the maps of ``photo_to_material``.

    python benchmarks/image2maps_precision.py [--sizes 2048] [--preset photo_to_material]

Renders the preset's normal and height through ``Engine.render`` (the path users call)
at each size twice, each in a new ``Engine``: as shipped (``model.HELD_DTYPE``, float16)
and with ``model.unet_in_bands`` holding its grids in float32, whose maps equal the whole
network's up to float rounding (tests: model). Only sizes above ``model.WHOLE_PIXELS`` run
banded; smaller ones show no difference. Prints, per size, the angle between the two normal maps in
degrees (mean, 99th percentile, max) and the largest height difference (the height output
is rescaled to [0, 1]).
"""

from __future__ import annotations

import argparse
import functools
import sys

import numpy as np
import torch
from machine import describe

import texgen
from texgen_neural.image2maps import model


def normals(preset: str, size: int) -> dict[str, np.ndarray]:
    """The preset's decoded unit normals (H, W, 3) and height (H, W) at ``size``."""
    maps = texgen.Engine().render(preset, size=size, outputs=("normal", "height"))
    normal = maps["normal"].astype(np.float64) * 2.0 - 1.0
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    return {"normal": normal, "height": maps["height"][..., 0].astype(np.float64)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[2048], help="render sides")
    parser.add_argument("--preset", default="photo_to_material",
                        help="a preset with a neural.image_to_material node")
    args = parser.parse_args()
    print(f"`python benchmarks/image2maps_precision.py {' '.join(sys.argv[1:])}`: "
          f"{describe()}")
    print("\n| size | normal° mean | normal° 99 % | normal° max | height max diff |")
    print("|---:|---:|---:|---:|---:|")
    shipped = model.unet_in_bands
    for size in args.sizes:
        half = normals(args.preset, size)
        model.unet_in_bands = functools.partial(shipped, held_dtype=torch.float32)
        single = normals(args.preset, size)
        model.unet_in_bands = shipped
        # the angle from the cross and dot products: exact for tiny angles, unlike arccos
        sine = np.linalg.norm(np.cross(half["normal"], single["normal"]), axis=-1)
        cosine = np.sum(half["normal"] * single["normal"], axis=-1)
        degrees = np.degrees(np.arctan2(sine, cosine))
        height = np.abs(half["height"] - single["height"]).max()
        print(f"| {size} | {degrees.mean():.5f} | {np.percentile(degrees, 99):.5f} | "
              f"{degrees.max():.5f} | {height:.6f} |", flush=True)


if __name__ == "__main__":
    main()
