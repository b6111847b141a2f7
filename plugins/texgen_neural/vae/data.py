"""The VAE's training stacks: renders of presets at random parameter values and seeds, or
the classical maps of photos; preset renders are cached on disk.

A stack is a float32 (H, W, 8) array in [0, 1]: basecolor, height, roughness and the
encoded normal (``config.MAPS``). An item of ``texgen train vae`` is a preset (name or
file), rendered ``samples`` times at random values of the exposed parameters ``texgen fit``
searches and random seeds (``image2maps.data.random_values``), or an image file (a photo),
whose maps ``filters.image_to_material`` estimates (``image2maps.data.classical_maps``).
Renders are stored as one float16 ``.npy`` (no pickle) under ``CACHE/vae-DIGEST.npy``,
DIGEST naming the settings and the preset files' contents.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from texgen.errors import InputError
from texgen.io import atomic_write, read_image
from texgen_neural.cyclegan.data import color, is_image
from texgen_neural.image2maps.data import (
    DEFAULT_CACHE,
    classical_maps,
    dataset_folder,
    random_values,
)
from texgen_neural.vae.config import MAPS, DataSettings

#: Bumped when the rendering below changes, so old caches are not reused.
DATA_VERSION = 1
#: The held-out stacks of a training's report use data seed ``HELD_OUT_SEED + --seed``
#: and the benchmark's this one: other parameter values and render seeds than a training
#: at data seeds below it renders.
HELD_OUT_SEED = 1000
#: The preset outputs a stack is made of.
MAP_NAMES = tuple(name for name, _ in MAPS)


def stack_of(maps: dict[str, np.ndarray]) -> np.ndarray:
    """Maps by name ((H, W, C) in [0, 1], at least the channels ``MAPS`` names) -> stack
    float32 (H, W, 8), clipped to [0, 1]."""
    return np.concatenate([np.asarray(maps[name], np.float32)[..., :channels].clip(0.0, 1.0)
                           for name, channels in MAPS], axis=-1)


def render_stack(engine, preset, rng: np.random.Generator, size: int) -> np.ndarray:
    """A preset's stack at random exposed-parameter values and a random seed, size x size:
    float32 (size, size, 8)."""
    maps = engine.render(preset, size=size, seed=int(rng.integers(0, 2**31)),
                         overrides=random_values(preset, rng), outputs=MAP_NAMES)
    return stack_of(maps)


def photo_stack(path: str | os.PathLike) -> np.ndarray:
    """The stack of a photo: its classical maps (``filters.image_to_material`` at its
    defaults, wrapping), float32 (H, W, 8)."""
    photo = color(read_image(path))
    return stack_of(classical_maps(photo))


def render_stacks(settings: DataSettings, *, engine,
                  cache: str | os.PathLike | None = DEFAULT_CACHE,
                  progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """``settings.samples`` stacks of each preset, in preset order: float16 (N, 8, S, S),
    read from the cache when there, else rendered (``progress(done, total)`` after each)
    and cached (``cache`` None: not cached). Deterministic: stack i's values and seed come
    from a numpy generator seeded by (``settings.seed``, i)."""
    if not settings.presets:
        return np.zeros((0, len(MAP_NAMES), settings.size, settings.size), np.float16)
    file = None
    if cache is not None:
        file = dataset_folder(settings, engine, cache, kind="vae",
                              version=DATA_VERSION).with_suffix(".npy")
        if file.is_file():
            return np.load(file, allow_pickle=False)
    presets = [engine.load_preset(name) for name in settings.presets]
    total = settings.samples * len(presets)
    stacks = np.empty((total, sum(c for _, c in MAPS), settings.size, settings.size),
                      np.float16)
    for index in range(total):
        rng = np.random.default_rng([settings.seed, index])
        stacks[index] = render_stack(engine, presets[index // settings.samples], rng,
                                     settings.size).transpose(2, 0, 1)
        if progress:
            progress(index + 1, total)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(file, lambda path: _save_npy(path, stacks))
    return stacks


def _save_npy(path: Path, array: np.ndarray) -> None:
    """``np.save`` to exactly ``path`` (given a name, numpy would add ".npy")."""
    with open(path, "wb") as file:
        np.save(file, array, allow_pickle=False)


def load_stacks(items: Sequence[str], *, engine=None, size: int = 128, samples: int = 24,
                seed: int = 0, cache: str | os.PathLike | None = DEFAULT_CACHE,
                progress: Callable[[int, int], None] | None = None) -> list[np.ndarray]:
    """The training stacks of ``items`` (image files and presets, see the module doc):
    float32 (H, W, 8) arrays, the photos' first, then ``samples`` renders of each preset at
    size x size. ``InputError`` naming the item for an unreadable image or unknown preset."""
    if engine is None:
        from texgen.engine import Engine

        engine = Engine()
    stacks, presets = [], []
    for item in items:
        try:
            if is_image(item):
                stacks.append(photo_stack(item))
            else:
                engine.load_preset(item)
                presets.append(item)
        except InputError as exc:
            raise InputError(f"item {item!r}: {exc}") from None
    rendered = render_stacks(DataSettings(presets=tuple(presets), size=size, samples=samples,
                                          seed=seed), engine=engine, cache=cache,
                             progress=progress)
    return stacks + [np.ascontiguousarray(s.transpose(1, 2, 0), dtype=np.float32)
                     for s in rendered]
