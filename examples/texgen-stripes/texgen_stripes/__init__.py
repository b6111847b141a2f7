"""An example texgen plugin: one node, one preset folder.

Install it next to texgen (``pip install -e examples/texgen-stripes``) and
``texgen nodes describe stripes.stripes`` documents the node.
"""

from pathlib import Path

from texgen import NodeSpec, Param, Port, hookimpl


@hookimpl
def register_nodes(register):
    register(NodeSpec(
        "stripes", "texgen_stripes.nodes:stripes",
        "Soft stripes at any angle that tile.",
        outputs=(Port("out", "gray", "Stripes in [0, 1]."),),
        params=(
            Param("count", "int", 8, "Stripes per texture width. Default 8, range 1..256.",
                  min=1, max=256),
            Param("direction", "enum", "vertical", "Stripe direction. Default 'vertical'.",
                  choices=("vertical", "horizontal", "diagonal")),
            Param("softness", "float", 0.1, "Width of the soft edge as a fraction of a "
                  "stripe. Default 0.1, range 0..0.5.", min=0.0, max=0.5),
        ),
    ))


@hookimpl
def register_preset_dirs(register):
    register(Path(__file__).parent / "presets")
