"""The two training sets of a CycleGAN: image files, or renders of a preset in one state.

A set item is an image file, or ``PRESET[:NAME=VALUE[,NAME=VALUE...]]``: a preset (name or
file) with exposed-parameter overrides, e.g. ``rusted_metal:rust_amount=0``, rendered at
``seeds`` (its ``basecolor`` output, else its first, as ``texgen fit`` compares). An existing
file whose suffix is not a preset's is read as an image; anything else is a preset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from texgen.engine import PRESET_SUFFIXES
from texgen.errors import InputError
from texgen.fit import compared_output
from texgen.io import read_image


def parse_item(item: str) -> tuple[str, dict[str, str]]:
    """``"PRESET:NAME=VALUE,..."`` -> (preset, {name: value}); ``InputError`` naming the
    item for an override without ``=``."""
    preset, _, rest = item.partition(":")
    overrides = {}
    for pair in filter(None, (p.strip() for p in rest.split(","))):
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"{item!r}: override {pair!r}: use PRESET:NAME=VALUE[,NAME=VALUE]")
        overrides[name.strip()] = value.strip()
    return preset, overrides


def is_image(item: str) -> bool:
    """Whether a set item names an image file (an existing file that is not a preset)."""
    path = Path(item)
    return path.is_file() and path.suffix.lower() not in PRESET_SUFFIXES


def color(image: np.ndarray) -> np.ndarray:
    """(H, W, C) -> float32 (H, W, 3) in [0, 1]: gray repeated, alpha dropped."""
    rgb = image[..., :3] if image.shape[2] >= 3 else image[..., :1].repeat(3, axis=2)
    return np.ascontiguousarray(rgb.clip(0.0, 1.0), dtype=np.float32)


def render_item(item: str, *, engine, size: int, seeds: Iterable[int]) -> list[np.ndarray]:
    """A preset item's renders at each seed, size x size: color (H, W, 3) float32."""
    name, overrides = parse_item(item)
    preset = engine.load_preset(name)
    output = compared_output(preset)
    return [color(engine.render(preset, size=size, seed=seed, overrides=overrides,
                                outputs=[output])[output]) for seed in seeds]


def load_set(items: Sequence[str], *, engine=None, size: int = 256,
             seeds: Iterable[int] = range(8),
             progress: Callable[[int, int, dict], None] | None = None) -> list[np.ndarray]:
    """The images of a set: each image file read, each preset item rendered at ``seeds``
    (``render_item``); ``InputError`` naming the item for an unreadable file, an unknown
    preset or a bad override. ``progress(done, items, {})`` after each item."""
    if engine is None:
        from texgen.engine import Engine

        engine = Engine()
    seeds = list(seeds)
    images = []
    for done, item in enumerate(items, 1):
        try:
            if is_image(item):
                images.append(color(read_image(item)))
            else:
                images += render_item(item, engine=engine, size=size, seeds=seeds)
        except InputError as exc:
            raise InputError(f"set item {item!r}: {exc}") from None
        if progress is not None:
            progress(done, len(items), {})
    return images
