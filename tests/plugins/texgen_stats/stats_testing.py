"""Shared by the stats tests: procedural exemplars, a small fitted model, node contexts.

A plain module rather than a conftest.py, whose module name would clash with the
top-level tests/conftest.py.
"""

import functools
from pathlib import Path

import numpy as np

import texgen
import texgen_stats
from texgen.io import write_png8
from texgen.nodes import NodeContext
from texgen_stats.model import PatchModel, fit_patch_model

#: The small model's patch side: 5 x 5 x 3 = 75 dimensions.
PATCH = 5


def bricks(height: int = 48, width: int = 48, *, seed: int = 0) -> np.ndarray:
    """float32 (height, width, 3): running-bond bricks (8 x 12 px, 2 px light mortar), each
    brick a random red tone, with pixel noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    row = y // 8
    shifted = x + (row % 2) * 6
    mortar = (y % 8 < 2) | (shifted % 12 < 2)
    tone = rng.uniform(0.6, 1.0, size=(row.max() + 1) * 100)[row * 100 + shifted // 12]
    image = np.stack([0.7 * tone, 0.35 * tone, 0.25 * tone], axis=-1)
    image[mortar] = (0.8, 0.78, 0.75)
    image += rng.normal(0.0, 0.03, image.shape)
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def write_exemplar(path: Path, image: np.ndarray | None = None) -> Path:
    write_png8(path, bricks() if image is None else image)
    return path


@functools.lru_cache(maxsize=None)
def small_model() -> PatchModel:
    """A 4-component model of 5x5 brick patches (fitted once per test session, < 1 s)."""
    return fit_patch_model(bricks(), patch_size=PATCH, components=4, iterations=8,
                           samples=1500, seed=0, exemplar_name="bricks.png")


def context(height: int, width: int, *, seed: int = 1, tileable: bool = True) -> NodeContext:
    return NodeContext(node_id="n", width=width, height=height, seed=seed, tileable=tileable)


def registered_specs():
    """The stats plugin's node specs as the engine registers them (namespace "stats")."""
    return texgen.Engine(entry_points=False, strict=True,
                         plugins={"stats": texgen_stats}).registry


def edge_step_ratio(texture: np.ndarray) -> float:
    """Worst axis: mean absolute step across the wrap-around edge over the mean absolute
    step between neighbouring interior rows (columns). About 1 for a texture that tiles."""
    texture = np.asarray(texture, np.float64)
    ratios = []
    for axis in (0, 1):
        interior = np.abs(np.diff(texture, axis=axis)).mean()
        edge = np.abs(np.take(texture, 0, axis=axis) - np.take(texture, -1, axis=axis)).mean()
        ratios.append(edge / interior)
    return float(max(ratios))


def cloudy(height: int = 64, width: int = 64, *, seed: int = 0) -> np.ndarray:
    """float32 (height, width, 3): a smooth color Gaussian field (white noise low-passed
    through the FFT, about 6 px features), values in about [0.2, 0.8]."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.fftfreq(width)[None, :]
    low_pass = np.exp(-(fx ** 2 + fy ** 2) * 6.0 ** 2 * 2)
    field = np.fft.ifft2(np.fft.fft2(rng.standard_normal((height, width))) * low_pass).real
    field = (field - field.mean()) / field.std()
    image = 0.5 + 0.1 * field[..., None] * np.array([1.0, 0.8, 0.6])
    return np.clip(image, 0.0, 1.0).astype(np.float32)


@functools.lru_cache(maxsize=None)
def smooth_model() -> PatchModel:
    """A 2-component model of 5x5 patches of ``cloudy()``."""
    return fit_patch_model(cloudy(), patch_size=PATCH, components=2, iterations=8,
                           samples=2000, seed=0, exemplar_name="cloudy.png")


@functools.lru_cache(maxsize=None)
def photo_brick_model() -> PatchModel:
    """A 12-component model of 5x5 patches of a real photograph: the top-left 128² of
    scikit-image's brick, averaged down 2x2 (long vertical mortar joints). Needs
    scikit-image (the test extra); fitted once per session, < 0.5 s."""
    from skimage import data

    photo = data.brick().astype(np.float32) / 255.0
    gray = photo.reshape(256, 2, 256, 2).mean(axis=(1, 3))[:128, :128]
    return fit_patch_model(np.repeat(gray[..., None], 3, axis=2), patch_size=PATCH,
                           components=12, iterations=10, samples=3000, seed=0,
                           exemplar_name="brick.png")


@functools.lru_cache(maxsize=None)
def two_level_model() -> PatchModel:
    """A 2-level model of ``cloudy()``: 4 components over 5x5 patches with their parents,
    and the coarser level's over the 32² average."""
    return fit_patch_model(cloudy(), patch_size=PATCH, components=4, iterations=8,
                           samples=2000, seed=0, levels=2, exemplar_name="cloudy.png")
