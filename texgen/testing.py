"""Test helpers for texgen and for plugin authors (also a pytest plugin: ``texgen_engine``).

``seam_ratio`` measures how well a texture tiles; ``check_node`` runs the conformance
checks every node should pass: output shape, dtype and channels at odd sizes, determinism,
seed sensitivity for generators, and seamless tiling for nodes that claim it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from texgen.engine import Engine
from texgen.metrics import seam_score
from texgen.nodes import CHANNELS, NodeContext, NodeSpec


@pytest.fixture
def texgen_engine() -> Engine:
    """A fresh ``Engine`` with every installed plugin."""
    return Engine()


def seam_ratio(texture: np.ndarray) -> float:
    """How much stronger the wrap-around edge is than the interior, worst axis.

    Per axis: the mean absolute step from the last column (row) to the first, divided by
    the largest mean absolute step between neighbouring interior columns (rows). A texture
    that tiles scores at most about 1 (its edge is one more ordinary step); a visible seam
    scores well above. The largest step, not the mean, is the yardstick, so a smooth
    texture whose edge falls where it is steepest still passes. It is
    ``texgen.metrics.seam_score(texture, reference="max", power=1)``.
    """
    return seam_score(texture, reference="max", power=1)


def edge_and_middle(texture: np.ndarray, axis: int) -> tuple[float, float]:
    """Mean absolute step across the wrap-around edge and across the middle line of ``axis``.

    For lattice noises the middle line of an even period sits at the same lattice phase as
    the edge, so for a tiling texture the two agree on average over seeds; a seam makes the
    edge step larger. A sharper test than ``seam_ratio`` for lattice-aligned generators.
    """
    a = np.moveaxis(np.asarray(texture, np.float64)[..., 0], axis, 0)
    n = a.shape[0]
    return float(np.abs(a[-1] - a[0]).mean()), float(np.abs(a[n // 2] - a[n // 2 - 1]).mean())


def make_inputs(spec: NodeSpec, height: int, width: int, seed: int = 0) -> dict[str, Any]:
    """Smooth periodic test textures for each input of ``spec`` ("any" gets color)."""
    v, u = np.meshgrid(np.arange(height) / height, np.arange(width) / width, indexing="ij")
    inputs = {}
    for i, port in enumerate(spec.inputs):
        channels = CHANNELS.get(port.type, 3)
        layers = [0.5 + 0.5 * np.sin(2 * np.pi * ((c + 1 + i) * u + (seed + 2 * c + 1) * v))
                  for c in range(channels)]
        inputs[port.name] = np.ascontiguousarray(np.stack(layers, -1), np.float32)
    return inputs


def check_node(spec: NodeSpec, *, params: Mapping[str, Any] | None = None,
               sizes=((64, 64), (130, 257)), tileable: bool = True,
               generator: bool | None = None) -> None:
    """Assert that a node behaves: shapes, dtype, determinism, seeds, tiling.

    ``sizes`` are (height, width) pairs. ``generator`` (default: the node has no inputs)
    asks that two seeds give different outputs. ``tileable`` asks for a seam ratio < 1.5
    on tileable inputs.
    """
    values = {p.name: p.default for p in spec.params}
    values.update(params or {})
    generator = not spec.inputs if generator is None else generator
    fn = spec.load()
    for height, width in sizes:
        def run(seed, width=width, height=height):
            context = NodeContext(node_id="check", width=width, height=height, seed=seed)
            result = fn(context, **make_inputs(spec, height, width), **values)
            return result if isinstance(result, dict) else {spec.outputs[0].name: result}

        first, again, other = run(1), run(1), run(2)
        for port in spec.outputs:
            texture = first[port.name]
            assert texture.dtype == np.float32, f"{spec.id}.{port.name}: dtype {texture.dtype}"
            expected_channels = CHANNELS.get(port.type, texture.shape[-1])
            assert texture.shape == (height, width, expected_channels), \
                f"{spec.id}.{port.name}: shape {texture.shape} at {height}x{width}"
            assert texture.flags.c_contiguous, f"{spec.id}.{port.name}: not C-contiguous"
            assert np.isfinite(texture).all(), f"{spec.id}.{port.name}: non-finite values"
            assert np.array_equal(texture, again[port.name]), f"{spec.id}: not deterministic"
            if generator:
                assert not np.array_equal(texture, other[port.name]), \
                    f"{spec.id}: seeds 1 and 2 give the same output"
            if tileable:
                assert seam_ratio(texture) < 1.5, \
                    f"{spec.id}.{port.name}: seam ratio {seam_ratio(texture):.2f}"
