"""Shared by the pattern tests: the registered specs, rendering by node id, test textures.

A plain module rather than a conftest.py, whose module name would clash with the
top-level tests/conftest.py.
"""

import functools

import numpy as np

import texgen
import texgen_noise
import texgen_patterns
from texgen.nodes import NodeContext

NODE_IDS = sorted(f"patterns.{spec.id}" for spec in texgen_patterns.NODES)


@functools.cache
def registry():
    """The pattern plugin's specs as the engine registers them (with the noise plugin,
    which voronoi_mosaic builds on)."""
    return texgen.Engine(entry_points=False, strict=True,
                         plugins={"patterns": texgen_patterns, "noise": texgen_noise}).registry


def context(height, width, *, seed=1, tileable=True):
    return NodeContext(node_id="n", width=width, height=height, seed=seed, tileable=tileable)


def render(node, height, width, /, *, seed=1, tileable=True, **options):
    """Run ``patterns.<node>`` and return {port: (H, W, C) array}, as the engine would:
    parameter values are converted by their ``Param`` first ("#ff0000" to RGBA), inputs
    passed as they are."""
    spec = registry().get(f"patterns.{node}")
    values = {name: spec.param(name).coerce(value) if spec.param(name) else value
              for name, value in options.items()}
    result = spec.load()(context(height, width, seed=seed, tileable=tileable), **values)
    return result if isinstance(result, dict) else {spec.outputs[0].name: result}


def gray(node, height, width, /, port=None, **options):
    """One output of ``patterns.<node>`` (the first by default) as a 2-D float64 array."""
    outputs = render(node, height, width, **options)
    return np.asarray(outputs[port or next(iter(outputs))][..., 0], np.float64)


def read_only(array):
    """A read-only float32 (H, W, 1) texture, as the engine hands inputs to nodes."""
    array = np.array(array, np.float32)
    if array.ndim == 2:
        array = array[..., None]
    array.flags.writeable = False
    return array
