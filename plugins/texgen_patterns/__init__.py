"""texgen_patterns: structured, tileable pattern generators (bricks, tiles, shapes, ...).

Registered under the entry point name ``patterns``. See docs/patterns.md.
"""

from texgen.hookspecs import hookimpl

NODES = ()


@hookimpl
def register_nodes(register):
    """Register the pattern nodes."""
    for spec in NODES:
        register(spec)
