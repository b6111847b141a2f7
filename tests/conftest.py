"""Shared fixtures: a small in-test plugin whose nodes count their calls, a way to install
plugin modules through temporary entry points, and the repository's scripts as modules."""

import importlib.util
import os
import sys
import textwrap
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import texgen
from texgen import NodeSpec, Param, Port, hookimpl
from texgen.backend import cuda_available

# tests/cuda needs a GPU, or Numba's CUDA simulator switched on before numba is imported;
# without either it runs from tests/texgen/test_backend.py in a process of its own.
collect_ignore = [] if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1" or cuda_available() \
    else ["cuda"]


class CountingPlugin:
    """Nodes ``t.wave`` (generator), ``t.scale``, ``t.mix``, ``t.colorize``, ``t.fail``."""

    def __init__(self):
        self.calls = Counter()

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("wave", self.wave, "A periodic wave with a random phase.",
                          params=(Param("frequency", "int", 2, "cycles per width", min=1,
                                        max=64),)))
        register(NodeSpec("scale", self.scale, "Multiply by a factor.",
                          inputs=(Port("input", "gray"),),
                          params=(Param("factor", "float", 1.0, "multiplier", min=0, max=10),)))
        register(NodeSpec("mix", self.mix, "Average two gray inputs.",
                          inputs=(Port("a", "gray"), Port("b", "gray", optional=True))))
        register(NodeSpec("colorize", self.colorize, "Gray to color with a tint.",
                          inputs=(Port("input", "gray"),), outputs=(Port("out", "color"),),
                          params=(Param("tint", "color", "#ffffff", "tint"),
                                  Param("mode", "enum", "multiply", "how",
                                        choices=("multiply", "screen")))))
        register(NodeSpec("split", self.split, "Two outputs: the input and its inverse.",
                          inputs=(Port("input", "gray"),),
                          outputs=(Port("same", "gray"), Port("inverse", "gray"))))
        register(NodeSpec("fail", self.fail, "Always raises.", inputs=(Port("input", "gray"),)))

    def wave(self, ctx, *, frequency):
        self.calls["wave"] += 1
        phase = ctx.rng().random()
        u = np.arange(ctx.width) / ctx.width
        v = np.arange(ctx.height) / ctx.height
        values = 0.5 + 0.25 * (np.sin(2 * np.pi * (frequency * u[None, :] + phase))
                               + np.cos(2 * np.pi * (frequency * v[:, None] + phase)))
        return values[:, :, None].astype(np.float32)

    def scale(self, ctx, *, input, factor):
        self.calls["scale"] += 1
        return (input * np.float32(factor)).astype(np.float32)

    def mix(self, ctx, *, a, b):
        self.calls["mix"] += 1
        return a if b is None else ((a + b) / 2).astype(np.float32)

    def colorize(self, ctx, *, input, tint, mode):
        self.calls["colorize"] += 1
        return (input * np.asarray(tint[:3], np.float32)).astype(np.float32)

    def split(self, ctx, *, input):
        return {"same": input, "inverse": (1 - input).astype(np.float32)}

    def fail(self, ctx, *, input):
        raise RuntimeError("kaboom")


@pytest.fixture
def counting():
    return CountingPlugin()


@pytest.fixture
def engine(counting):
    """An engine with only the core plugin and the counting test plugin, named "t"."""
    return texgen.Engine(entry_points=False, plugins={"t": counting})


def make_preset(**changes):
    """A valid preset dict: wave -> scale -> colorize, plus a mix; override keys with changes."""
    preset = {
        "texgen": 1, "name": "demo", "size": [32, 16], "seed": 5,
        "parameters": {"gain": {"type": "float", "default": 0.5, "min": 0.0, "max": 2.0}},
        "nodes": {
            "base": {"type": "t.wave", "frequency": 2},
            "scaled": {"type": "t.scale", "input": "base", "factor": "$gain"},
            "tinted": {"type": "t.colorize", "input": "scaled", "tint": "#ff8000"},
            "other": {"type": "t.wave", "frequency": 3},
            "mixed": {"type": "t.mix", "a": "base", "b": "other"},
        },
        "outputs": {"color": "tinted", "height": {"node": "mixed", "format": "png16"}},
    }
    preset.update(changes)
    return preset


@pytest.fixture
def install(tmp_path, monkeypatch):
    """Install a plugin module through a temporary entry point of group "texgen".

    ``install(name, source, attr=None)`` writes ``source`` as a module and declares
    ``name = module[:attr]``; plugin environment variables are cleared for the test. A
    module of that name imported by an earlier test is forgotten, so that each test (and
    each case of a parametrized one) loads its own source.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    for variable in ("TEXGEN_PLUGINS", "TEXGEN_BLOCK_PLUGINS", "TEXGEN_STRICT_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)

    def install_plugin(name, source, attr=None):
        module = f"fake_{name}_plugin"
        monkeypatch.delitem(sys.modules, module, raising=False)
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        dist = tmp_path / f"fake_{name}-1.2.3.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fake-{name}\n"
                                       f"Version: 1.2.3\n")
        target = f"{module}:{attr}" if attr else module
        (dist / "entry_points.txt").write_text(f"[texgen]\n{name} = {target}\n")

    return install_plugin


#: The repository's root: benchmarks/ and docs/ hold scripts that are not in a package.
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_script():
    """``repo_script("benchmarks/exemplars.py")``: that script imported as a module (its
    ``main`` not run), a fresh module each call."""
    def load(relative: str):
        path = REPO / relative
        spec = importlib.util.spec_from_file_location(f"script_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
