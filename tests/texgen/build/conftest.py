"""A small project for build tests: two presets of NumPy-only nodes (no Numba compile in a
fresh worker), one reading an image, and a manifest writer."""

import textwrap
from pathlib import Path

import numpy as np
import pytest

from texgen.io import encode_png

CHECKS = """
texgen = 1
name = "checks"
size = 32
seed = 1

[parameters.gamma]
type = "float"
default = 1.0
min = 0.1
max = 10.0

[nodes.board]
type = "patterns.checker"
count = 4

[nodes.shaded]
type = "filters.levels"
input = "board"
gamma = "$gamma"

[nodes.color]
type = "filters.gradient_map"
input = "shaded"
gradient = [[0.0, "#202020"], [1.0, "#c08040"]]

[outputs]
basecolor = "color"
height = "shaded"
"""

PHOTO = """
texgen = 1
name = "photo"
size = 32
seed = 1

[nodes.image]
type = "filters.image_input"
path = "stone.png"

[nodes.color]
type = "filters.levels"
input = "image.color"
gamma = 1.2

[outputs]
basecolor = "color"
roughness = "image.gray"
"""


def write_image(path: Path, shade: float) -> None:
    ramp = np.linspace(0, shade, 16 * 16 * 3, dtype=np.float32).reshape(16, 16, 3)
    path.write_bytes(encode_png(ramp))


@pytest.fixture
def project(tmp_path):
    """A folder with presets/checks.toml, presets/photo.toml (+ stone.png) and a
    ``write(text)`` that writes texgen.build.toml there and returns its path."""
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "checks.toml").write_text(CHECKS)
    (presets / "photo.toml").write_text(PHOTO)
    write_image(presets / "stone.png", 1.0)

    class Project:
        root = tmp_path
        output = tmp_path / "build"
        lock = tmp_path / "texgen.lock.json"
        manifest = MANIFEST

        @staticmethod
        def write_image(shade: float) -> None:
            """Rewrite presets/stone.png (the image photo.toml reads) with another shade."""
            write_image(presets / "stone.png", shade)

        @staticmethod
        def write(text: str) -> Path:
            path = tmp_path / "texgen.build.toml"
            path.write_text(textwrap.dedent(text))
            return path

    return Project


#: Five png jobs: checks (variants default and dark) x seeds 1, 2, and Stone (photo).
MANIFEST = """
texgen_build = 1
output = "build"
name = "{material}_{variant}_{seed}_{map}"
targets = ["png"]

[[material]]
preset = "presets/checks.toml"
seeds = [1, 2]

[material.variants.default]

[material.variants.dark]
gamma = 0.5

[[material]]
preset = "presets/photo.toml"
name = "Stone"
"""
