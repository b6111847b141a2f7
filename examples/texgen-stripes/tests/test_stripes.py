"""How a plugin author tests a node: texgen's conformance checks plus its own values."""

import numpy as np
import pytest
import texgen_stripes
from texgen_stripes.nodes import stripes

import texgen
from texgen import NodeContext
from texgen.testing import check_node


def test_conformance():
    # Once installed, the `texgen_engine` fixture finds the plugin by its entry point;
    # registering it by hand keeps this test independent of the install.
    engine = texgen.Engine(plugins={"stripes": texgen_stripes})
    check_node(engine.registry.get("stripes.stripes"), generator=False)


@pytest.mark.parametrize("direction", ["vertical", "horizontal", "diagonal"])
def test_stripe_count(direction):
    out = stripes(NodeContext("n", 64, 64, seed=0), count=4, direction=direction, softness=0.0)
    line = out[0, :, 0] if direction != "horizontal" else out[:, 0, 0]
    assert np.count_nonzero(np.diff(line > 0.5)) in (7, 8)  # 4 stripes: 8 edges, wrap-aware
