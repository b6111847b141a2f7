"""Node specs of texgen_filters (see __init__.py): only texgen.nodes is imported here, so
listing nodes stays light; implementations are named by "module:function" strings."""

from texgen.nodes import NodeSpec, Param, Port  # noqa: F401  (used as specs are added)

NODES = ()
