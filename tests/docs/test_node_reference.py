"""docs/nodes.md is the generated node reference, and it is current."""

from pathlib import Path

import texgen
import texgen_filters
import texgen_neural
import texgen_noise
import texgen_patterns
import texgen_stats
from texgen.cli import main
from texgen.reference import write_reference

DOCS = Path(__file__).parents[2] / "docs"
BUILTIN = {"noise": texgen_noise, "filters": texgen_filters, "patterns": texgen_patterns,
           "stats": texgen_stats, "neural": texgen_neural}


def test_docs_nodes_md_is_current(tmp_path):
    engine = texgen.Engine(entry_points=False, plugins=BUILTIN)
    written = write_reference(engine, tmp_path / "nodes.md")
    assert (tmp_path / "nodes.md").read_text() == (DOCS / "nodes.md").read_text(), (
        "docs/nodes.md is stale: run TEXGEN_PLUGINS=noise,filters,patterns,stats,neural "
        "texgen docs -o docs/nodes.md")
    # Every thumbnail the page shows is committed (pixels may differ by a rounding step
    # across machines, so only their presence is compared).
    assert {p.name for p in written[1:]} == {p.name for p in (DOCS / "nodes").glob("*.png")}


def test_every_node_is_in_the_reference_with_its_parameters(tmp_path):
    engine = texgen.Engine(entry_points=False, plugins=BUILTIN)
    write_reference(engine, tmp_path / "nodes.md")
    text = (tmp_path / "nodes.md").read_text()
    for spec in engine.registry:
        section = text.split(f"### `{spec.id}`\n", 1)[1].split("\n### ", 1)[0]
        assert spec.doc in section
        for param in spec.params:
            assert f"| `{param.name}` | {param.type} |" in section, (spec.id, param.name)


def test_cli_writes_the_reference(tmp_path):
    assert main(["docs", "-o", str(tmp_path / "ref" / "nodes.md")]) == 0
    assert (tmp_path / "ref" / "nodes.md").read_text().startswith("# Node reference")
    assert list((tmp_path / "ref" / "nodes").glob("noise.perlin.png"))
