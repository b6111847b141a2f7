"""Helpers for the filter tests: textures from literal values, and node contexts.

A plain module rather than a conftest.py, whose module name would clash with the
top-level tests/conftest.py that other test modules import from.
"""

import numpy as np

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
