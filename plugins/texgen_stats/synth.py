"""``texgen synth``: one tileable texture (and its aligned maps) from a photo, without a preset.

The command builds a preset (``synth_preset``: ``stats.markov`` and one
``filters.remap_image`` per aligned map) and renders it with the engine, so the engine's
validation, errors and atomic writes apply. It is added to the CLI by this plugin's
``register_commands``, as ``train gmm`` is.
"""

from __future__ import annotations

from pathlib import Path

import click

from texgen.cli import parse_size, progress_printer
from texgen.engine import Engine
from texgen.errors import InputError
from texgen.io import image_size, write_texture


def synth_preset(exemplar: str | Path, maps: tuple[str | Path, ...] = (), *,
                 name: str = "synth", patch: int | None = None,
                 guide: str | Path | None = None, exemplar_guide: str | Path | None = None,
                 guide_weight: float | None = None) -> dict:
    """The preset ``texgen synth`` renders: a dict shaped like a preset file.

    Node ``synth`` (``stats.markov``) synthesizes from ``exemplar``; its output is
    ``out``. Each of ``maps`` (images aligned with the exemplar) is looked up through the
    synthesis's uv map by a ``filters.remap_image`` node ``map_{i}``, output ``map_{i}``
    (0-based), so the maps' pixels come from the same exemplar places as the color's.
    With ``guide`` (an image file), a ``filters.image_input`` node ``guide`` reads it at
    the render size and its luma feeds the synthesis's guide input; ``exemplar_guide``
    and ``guide_weight`` set the parameters of that name (unset: the node's defaults).
    Paths are made absolute. The preset's size is the exemplar's (read from the file:
    ``InputError`` naming it when missing or not an image), ``texgen synth``'s default.
    Render or save it like any preset:
    ``Engine().save(synth_preset("bricks.png", ["bricks_height.png"]), "out/", size=1024)``.
    """
    width, height = image_size(exemplar, what="exemplar")
    markov: dict = {"type": "stats.markov", "exemplar": str(Path(exemplar).absolute())}
    if patch is not None:
        markov["patch"] = patch
    nodes = {"synth": markov}
    if guide is not None:
        nodes["guide"] = {"type": "filters.image_input", "path": str(Path(guide).absolute())}
        markov["guide"] = "guide.gray"
    if exemplar_guide is not None:
        markov["exemplar_guide"] = str(Path(exemplar_guide).absolute())
    if guide_weight is not None:
        markov["guide_weight"] = guide_weight
    outputs = {"out": "synth"}
    for i, path in enumerate(maps):
        nodes[f"map_{i}"] = {"type": "filters.remap_image", "uv": "synth.uv",
                             "image": str(Path(path).absolute())}
        outputs[f"map_{i}"] = f"map_{i}"
    return {"texgen": 1, "name": name, "size": [width, height], "nodes": nodes,
            "outputs": outputs}


def _exporter_for(engine: Engine, path: Path, format_name: str | None, channels: int):
    """The exporter ``texgen synth`` writes ``path`` with: ``format_name`` when given,
    else the one for its suffix (png: png16 for gray, png8 otherwise)."""
    suffix = path.suffix.lower().lstrip(".")
    suffix = {"tif": "tiff"}.get(suffix, suffix)
    if format_name:
        exporter = engine.exporter(format_name)
        if exporter.extension != suffix:
            raise InputError(f"{path}: --format {format_name} writes .{exporter.extension} "
                             f"files; name the output accordingly")
        return exporter
    fitting = sorted(name for name, exporter in engine.exporters.items()
                     if exporter.extension == suffix)
    if not fitting:
        known = sorted({exporter.extension for exporter in engine.exporters.values()})
        raise InputError(f"{path}: cannot tell the file format from '{path.suffix}' "
                         f"(extensions: {', '.join(known)}); or give --format")
    preferred = "png16" if channels == 1 else "png8"
    return engine.exporter(preferred if preferred in fitting else fitting[0])


@click.command("synth")
@click.argument("exemplar")
@click.argument("more_maps", nargs=-1, metavar="[MAP]...")
@click.option("-o", "--output", required=True, type=click.Path(), help="Image file to "
              "write (.png, .tiff); aligned maps go next to it as {OUT stem}_{map stem}.{ext}.")
@click.option("--size", help="Output size in pixels: 1024 or 1024x512 (default: the "
              "exemplar's).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the synthesis.")
@click.option("--patch", type=int, help="Patch side in exemplar pixels (stats.markov "
              "'patch'; default: a little over the exemplar's repeating unit, or 24).")
@click.option("--maps", multiple=True, metavar="MAP", help="Images aligned with the exemplar "
              "(height, roughness, normal...; the exemplar's size) to carry along; every "
              "image after --maps counts (--maps height.png roughness.png).")
@click.option("--guide", type=click.Path(), help="Gray image (color counts by its luma), "
              "stretched to the output's size, saying which part of the exemplar goes where: "
              "bright areas take the exemplar's bright-guide parts (guided synthesis).")
@click.option("--exemplar-guide", type=click.Path(), help="The exemplar's side of the guide: "
              "a gray image aligned with the exemplar (its size); default: the exemplar's "
              "luma, blurred a little. Only with --guide.")
@click.option("--guide-weight", type=float, help="How much the guide counts against the "
              "colors' fit (stats.markov 'guide_weight', default 1; 0 ignores the guide).")
@click.option("--format", "format_name", help="File format for every file (png8, png16, "
              "tiff); default: from OUT's extension, png16 for gray and png8 otherwise.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def synth(engine: Engine, exemplar, more_maps, output, size, seed, patch, maps, guide,
          exemplar_guide, guide_weight, format_name, quiet):
    """Synthesize a tileable texture from the photo EXEMPLAR (stats.markov: its own patches,
    joined along least-visible cuts) and write it to OUT; with --maps, the maps aligned
    with the exemplar follow the same pixels.

    The same as rendering ``synth_preset(EXEMPLAR, MAPS)`` (texgen_stats.synth) with the
    engine."""
    if more_maps and not maps:
        raise click.UsageError(f"unexpected extra argument {more_maps[0]!r}: EXEMPLAR is one "
                               f"image; put aligned maps after --maps")
    maps = (*maps, *more_maps)
    output = Path(output)
    names = [f"{output.stem}_{Path(path).stem}" for path in maps]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InputError(f"--maps: {maps[i]}: two files would be written as {name}; "
                             f"give maps with different names")
    if guide is None and (exemplar_guide is not None or guide_weight is not None):
        raise click.UsageError("--exemplar-guide and --guide-weight need --guide")
    preset = synth_preset(exemplar, maps, name=output.stem or "synth", patch=patch,
                          guide=guide, exemplar_guide=exemplar_guide,
                          guide_weight=guide_weight)
    size = parse_size(size)
    if guide is not None:
        image_size(guide, what="--guide")  # missing or unreadable, named by its option
    engine.validate(preset, size=size or 64, seed=seed)  # missing files, bad --patch
    exemplar_size = tuple(preset["size"])  # read by synth_preset
    aligned = [("--maps", path) for path in maps]
    if exemplar_guide is not None:
        aligned.append(("--exemplar-guide", exemplar_guide))
    for option, path in aligned:
        if (map_size := image_size(path, what=option)) != exemplar_size:
            raise InputError(f"{option}: {path}: {map_size[0]}x{map_size[1]} pixels, but an "
                             f"aligned map must have the exemplar's size ({exemplar}: "
                             f"{exemplar_size[0]}x{exemplar_size[1]})")
    paths = [output, *(output.with_name(f"{name}{output.suffix}") for name in names)]
    _exporter_for(engine, output, format_name, 3)  # a bad suffix or format, before rendering
    textures = engine.render(preset, size=size, seed=seed,
                             progress=progress_printer(output.name, quiet))
    writers = [(path, texture, _exporter_for(engine, path, format_name, texture.shape[2]))
               for path, texture in zip(paths, [textures["out"],
                                                *(textures[f"map_{i}"]
                                                  for i in range(len(maps)))])]
    for path, texture, exporter in writers:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_texture(path, texture, exporter)
    if not quiet:
        click.echo(f"wrote {', '.join(str(path) for path, _, _ in writers)}", err=True)
