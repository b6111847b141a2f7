"""The hooks a texgen plugin may implement.

Every hook receives a ``register`` callable (or the CLI group) and is called once per
plugin, so everything registered is attributed to the plugin that registered it.
Implement a hook with ``@texgen.hookimpl`` in the module named by your entry point::

    [project.entry-points.texgen]
    myplugin = "my_package"
"""

import pluggy

hookspec = pluggy.HookspecMarker("texgen")
hookimpl = pluggy.HookimplMarker("texgen")


@hookspec
def register_nodes(register):
    """Register node types: call ``register(NodeSpec(...))`` once per node.

    The spec's ``id`` is plugin-local ("perlin"); the engine namespaces it with the
    plugin's entry-point name ("noise.perlin"). Give ``fn`` as a "module:function" string
    to keep heavy imports out of node listing.
    """


@hookspec
def register_exporters(register):
    """Register output file formats: call ``register(Exporter(...))`` once per format.

    An exporter names a format ("png16"), its file extension, and a function
    ``write(path, texture)`` that writes a float32 (H, W, C) texture to ``path``. The
    engine takes care of atomic replacement and of keeping files inside the output folder.
    A format that can use them declares keyword options in ``Exporter.options`` (color
    space, compression, mips, normal map: ``texgen.io.EXPORT_OPTIONS``); build targets pass
    them per file, ``texgen render`` passes those an output's role implies (color space,
    normal map), and each needs a default.
    """


@hookspec
def register_targets(register):
    """Register build targets: call ``register(Target(...))`` once per target.

    A target (``texgen.build.targets.Target``) names the set of engine-ready files a
    rendered material becomes in ``texgen build`` ("unreal": BC7 basecolor, BC5 normal,
    packed ORM...): per file, the outputs or roles its channels come from, the format,
    color space, compression, mips and normal convention. A manifest's ``targets`` list
    names them; a name may be registered once.
    """


@hookspec
def register_preset_dirs(register):
    """Register folders of preset files: call ``register(path)`` once per folder.

    ``texgen presets`` lists the ``*.toml`` and ``*.json`` files found there, and
    ``texgen render NAME`` finds a preset by its name in them.
    """


@hookspec
def register_commands(cli):
    """Add commands to the ``texgen`` CLI: ``cli`` is its root ``click.Group``.

    Decorate functions with ``@cli.command()`` (or add a group) inside this hook; a model
    trainer joins the shared group with ``cli.commands["train"].add_command(...)``.
    """
