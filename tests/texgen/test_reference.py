"""The node reference renders each parameter's default and range from its Param, and a
broken node does not stop it."""

from pathlib import Path

import numpy as np
import pytest

import texgen
from texgen import NodeSpec, Port, hookimpl
from texgen.reference import node_reference, write_reference


def test_parameter_rows_show_default_and_range_from_the_param(counting):
    engine = texgen.Engine(entry_points=False, plugins={"t": counting})
    text = node_reference(engine, thumbnail=lambda spec: None)
    assert "| `frequency` | int | `2` | `1..64` | cycles per width |" in text
    assert "| `factor` | float | `1.0` | `0..10` | multiplier |" in text
    assert "| `tint` | color | `#ffffff` |  | tint |" in text
    assert '| `mode` | enum | `"multiply"` | `multiply, screen` | how |' in text


class BrokenNodes:
    @hookimpl
    def register_nodes(self, register):
        def fails(ctx):
            raise ZeroDivisionError("boom")

        register(NodeSpec("fails", fails, "Raises."))
        register(NodeSpec("wrong_port", lambda ctx: {"other": None}, "Returns no 'out'."))
        register(NodeSpec("nan", lambda ctx: np.full((ctx.height, ctx.width, 1), np.nan,
                                                     np.float32), "Returns NaN."))
        register(NodeSpec("fine", lambda ctx: np.zeros((ctx.height, ctx.width, 3), np.float32),
                          "Black.", outputs=(Port("out", "color"),)))


def test_a_broken_node_gets_a_warning_and_no_thumbnail_and_the_rest_is_written(tmp_path):
    engine = texgen.Engine(entry_points=False, plugins={"b": BrokenNodes()})
    with pytest.warns(UserWarning) as caught:
        written = write_reference(engine, tmp_path / "nodes.md")
    assert sorted(str(w.message) for w in caught) == [
        "node 'b.fails': no thumbnail: ZeroDivisionError: boom",
        "node 'b.nan': no thumbnail: bad output: port 'out': 4096 of 4096 values are NaN or "
        "infinite",
        "node 'b.wrong_port': no thumbnail: bad output: port 'out': expected a NumPy or CUDA "
        "device array, got NoneType"]
    assert [path.name for path in written] == ["nodes.md", "b.fine.png"]
    assert "### `b.fails`" in (tmp_path / "nodes.md").read_text()


def test_texgen_docs_prints_the_warning_and_exits_0(install, monkeypatch, tmp_path, capsys):
    from texgen.cli import main

    install("broken", "from test_reference import BrokenNodes\nplugin = BrokenNodes()\n",
            attr="plugin")
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    monkeypatch.setenv("TEXGEN_PLUGINS", "broken")
    assert main(["docs", "-o", str(tmp_path / "nodes.md")]) == 0
    err = capsys.readouterr().err
    assert "texgen: warning: node 'broken.fails': no thumbnail: ZeroDivisionError: boom" in err
    assert err.endswith(f"wrote {tmp_path / 'nodes.md'} and 1 thumbnails\n")
