"""Helpers for the filter tests: textures from literal values, node contexts, and a
stand-in generator plugin.

A plain module rather than a conftest.py, whose module name would clash with the
top-level tests/conftest.py that other test modules import from.
"""

import numpy as np

from texgen import NodeSpec, Param, Port, hookimpl
from texgen.nodes import NodeContext


def texture(values) -> np.ndarray:
    """A read-only float32 (H, W, C) texture from nested lists or an array.

    Read-only like the engine's inputs, so a node that writes into its input fails.
    A 2-D argument becomes a gray (H, W, 1) texture.
    """
    array = np.array(values, np.float32)
    if array.ndim == 2:
        array = array[..., None]
    array.flags.writeable = False
    return array


def context(height: int, width: int, *, tileable: bool = True) -> NodeContext:
    """A ``NodeContext`` for a (height, width) size."""
    return NodeContext(node_id="n", width=width, height=height, seed=1, tileable=tileable)


class WavesPlugin:
    """Stand-in generators for graph tests: "t.wave" (gray, sine waves of ``frequency``
    cycles per width) and "t.waves" (color, three phase-shifted waves)."""

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("wave", self.wave, "Sine waves along u and v.",
                          params=(Param("frequency", "int", 2, "cycles per width", min=1),)))
        register(NodeSpec("waves", self.waves, "Sine waves along u and v, per channel.",
                          outputs=(Port("out", "color", "three phase-shifted waves"),)))

    @staticmethod
    def _uv(ctx):
        return np.meshgrid(np.arange(ctx.height) / ctx.height,
                           np.arange(ctx.width) / ctx.width, indexing="ij")

    @classmethod
    def wave(cls, ctx, *, frequency):
        v, u = cls._uv(ctx)
        values = 0.5 + 0.25 * (np.sin(2 * np.pi * frequency * u) + np.cos(2 * np.pi * v))
        return values[..., None].astype(np.float32)

    @classmethod
    def waves(cls, ctx):
        v, u = cls._uv(ctx)
        layers = [0.5 + 0.25 * (np.sin(2 * np.pi * (u + c / 3)) + np.cos(2 * np.pi * v))
                  for c in range(3)]
        return np.stack(layers, -1).astype(np.float32)
