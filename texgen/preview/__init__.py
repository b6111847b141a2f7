"""``texgen preview``: a local web page showing a preset's node graph with a thumbnail per
node, its outputs, a lit 3D view of the material and a control per exposed parameter;
re-rendered through one engine's content cache when a control moves or a file it reads
is saved. ``export_static`` writes the same page as static files. See docs/preview.md.
"""

from texgen.preview.export import export_static
from texgen.preview.server import PreviewServer, serve
from texgen.preview.session import PreviewSession

__all__ = ["PreviewServer", "PreviewSession", "export_static", "serve"]
