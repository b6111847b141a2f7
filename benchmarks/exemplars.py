"""Exemplars for the synthesis benchmarks, each with "another sample of the same texture" to
measure against: a drawn pattern of rounded tiles, and scikit-image's photographs.

    from exemplars import NAMES, exemplar_pair   # in a script under benchmarks/

A synthesis is judged by its distance to the exemplar next to the distance between the
exemplar and another genuine sample of the texture (the yardstick): a synthesis cannot be
expected to be closer to the exemplar than the texture is to itself.

- ``tiles``: rounded square tiles with grout, drawn here (``tiles(seed)``), six rows of six
  in 256², every tile with its own color, shading and edge jitter, over fine pixel noise.
  Its yardstick is the same drawing at another seed: other colors, jitter, noise and grid
  phase, same tile size and grout.
- ``brick``, ``grass``, ``gravel``: scikit-image's photographs as ``benchmarks/quality.py``
  builds them (averaged down to 256², gray as r = g = b). Their yardstick is what
  ``quality.py`` calls the halves: the left 256 x 128 half of the exemplar is the sample
  and the right half the other one (the photograph holds no other crop at that scale).
"""

from __future__ import annotations

import numpy as np

#: Exemplars with structure much larger than a small patch, and fine-grained ones.
STRUCTURED = ("tiles", "brick")
FINE = ("grass", "gravel")
NAMES = STRUCTURED + FINE

#: Tile colors: a warm terracotta and the grout between tiles (linear RGB in [0, 1]).
TILE_COLOR = np.array([0.62, 0.33, 0.22])
GROUT_COLOR = np.array([0.78, 0.76, 0.70])


def tiles(seed: int = 0, *, size: int = 256, rows: int = 6, grout: float = 4.0,
          radius: float = 7.0) -> np.ndarray:
    """A drawn exemplar of rounded square tiles with grout, float32 (size, size, 3) in [0, 1].

    ``rows`` x ``rows`` tiles of pitch size / rows pixels, separated by ``grout`` pixels of
    grout, their corners rounded with ``radius`` pixels. Every tile is a rounded rectangle
    (signed distance, anti-aliased over one pixel) whose sides move by up to 1 pixel,
    whose brightness and hue vary from tile to tile, with a linear shading across it; the
    grout is lighter and flat; pixel noise (standard deviation 0.02) covers both. The grid's
    phase is random, so the borders cut tiles anywhere. Deterministic by ``seed``; another
    seed is another sample of the same texture (the yardstick of ``exemplar_pair``).
    """
    rng = np.random.default_rng([seed, 21])
    pitch = size / rows
    phase = rng.uniform(0.0, pitch, 2)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    ys, xs = ys + phase[0], xs + phase[1]
    row, col = np.floor(ys / pitch).astype(int), np.floor(xs / pitch).astype(int)
    cells = rows + 1  # the phase shift shows part of one more row and column
    jitter = rng.uniform(-1.0, 1.0, (cells, cells, 4))  # top, bottom, left, right
    brightness = rng.normal(1.0, 0.12, (cells, cells))
    hue = rng.normal(0.0, 0.04, (cells, cells, 3))
    slope = rng.normal(0.0, 0.06, (cells, cells, 2))
    local_y, local_x = ys - row * pitch, xs - col * pitch  # in [0, pitch)
    j = jitter[row, col]
    half = grout / 2
    top, bottom = half + j[..., 0], pitch - half + j[..., 1]
    left, right = half + j[..., 2], pitch - half + j[..., 3]
    # Signed distance to the rounded rectangle [top, bottom] x [left, right] (negative inside).
    centre_y, centre_x = (top + bottom) / 2, (left + right) / 2
    dy = np.abs(local_y - centre_y) - ((bottom - top) / 2 - radius)
    dx = np.abs(local_x - centre_x) - ((right - left) / 2 - radius)
    outside = np.hypot(np.maximum(dy, 0.0), np.maximum(dx, 0.0))
    distance = outside + np.minimum(np.maximum(dy, dx), 0.0) - radius
    coverage = np.clip(0.5 - distance, 0.0, 1.0)[..., None]
    shade = 1.0 + slope[row, col, 0] * (local_y / pitch - 0.5) * 2 \
        + slope[row, col, 1] * (local_x / pitch - 0.5) * 2
    tile = TILE_COLOR * (brightness[row, col] * shade)[..., None] + hue[row, col]
    image = coverage * tile + (1.0 - coverage) * GROUT_COLOR
    image += rng.normal(0.0, 0.02, image.shape)
    return np.ascontiguousarray(np.clip(image, 0.0, 1.0), np.float32)


def merged_tiles(texture: np.ndarray, *, pitch: float = 256 / 6, grout: float = 4.0) -> float:
    """The share of a tiles texture's tile pixels that lie in merged tiles, in [0, 1].

    Patch-SWD compares patches of at most 28 pixels, smaller than a tile, so it hardly sees
    two tiles run together where their grout went missing; this counts it. Pixels within
    0.08 of ``GROUT_COLOR`` in every channel are grout; the rest are tile pixels, grouped
    into 4-connected regions on the torus (a tile cut by the border is one region). A region
    larger than 1.5 nominal tiles ((pitch - grout)² pixels) is a merged tile. ``tiles()`` at
    any seed scores 0; a texture whose grout is lost everywhere scores 1.

    Args:
        texture: float (H, W, 3) in [0, 1], a tileable texture made from ``tiles()``.
        pitch, grout: the drawing's tile pitch and grout width in pixels (``tiles``'
            defaults).
    """
    from scipy import ndimage  # scipy comes with scikit-image (the test extra)

    tile = (np.abs(texture[..., :3] - GROUT_COLOR) > 0.08).any(axis=2)
    labels, count = ndimage.label(tile)
    parent = np.arange(count + 1)

    def root(label):
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for first, last in ((labels[0], labels[-1]), (labels[:, 0], labels[:, -1])):
        for a, b in zip(first, last):
            if a and b:
                parent[root(a)] = root(b)
    roots = np.array([root(label) for label in range(count + 1)])
    areas = np.bincount(roots[labels].ravel(), minlength=count + 1)
    areas[0] = 0  # grout
    merged = areas > 1.5 * (pitch - grout) ** 2
    return float(areas[merged].sum() / max(tile.sum(), 1))


def exemplar_pair(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(exemplar, sample, other): the 256² float32 (H, W, 3) exemplar, and two genuine
    samples of its texture whose patch-SWD to each other is the yardstick.

    ``tiles``: the exemplar is ``tiles(0)``; the sample is the exemplar itself and the other
    is ``tiles(seed + 1)``. A photograph (``brick``, ``grass``, ``gravel``, see
    ``quality.exemplar``): the sample and the other are the exemplar's left and right
    256 x 128 halves, whatever ``seed``.
    """
    if name == "tiles":
        image = tiles(0)
        return image, image, tiles(seed + 1)
    from quality import exemplar  # scikit-image's photographs, as quality.py builds them

    image = exemplar(name)
    return image, image[:, :128], image[:, 128:]
