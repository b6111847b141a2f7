"""The node reference renders each parameter's default and range from its Param."""

import texgen
from texgen.reference import node_reference


def test_parameter_rows_show_default_and_range_from_the_param(counting):
    engine = texgen.Engine(entry_points=False, plugins={"t": counting})
    text = node_reference(engine, thumbnail=lambda spec: None)
    assert "| `frequency` | int | `2` | `1..64` | cycles per width |" in text
    assert "| `factor` | float | `1.0` | `0..10` | multiplier |" in text
    assert "| `tint` | color | `#ffffff` |  | tint |" in text
    assert '| `mode` | enum | `"multiply"` | `multiply, screen` | how |' in text
