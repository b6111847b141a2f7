"""``texgen maps``: PBR maps (basecolor, height, normal, ao, roughness) from one photo.

The command builds a preset (``maps_preset``: ``filters.image_input`` into
``filters.image_to_material``) and saves it with ``Engine.save``, so the engine's
validation, errors and atomic writes apply. It is added to the CLI by this plugin's
``register_commands`` hook. docs/maps.md documents both forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from texgen.cli import parse_size, progress_printer
from texgen.engine import Engine
from texgen.errors import InputError
from texgen.io import image_size

#: The outputs of ``maps_preset``, in the order they are written.
MAPS = ("basecolor", "height", "normal", "ao", "roughness")


def maps_preset(photo: str | Path, *, name: str | None = None, tileable: bool = False,
                params: Mapping[str, Any] | None = None,
                model: str | Path | None = None) -> dict:
    """The preset ``texgen maps`` saves: a dict shaped like a preset file.

    Node ``photo`` (``filters.image_input``) reads ``photo`` (made absolute); node
    ``material`` (``filters.image_to_material``, with ``params`` such as
    ``{"convention": "directx", "strength": 4.0}``) turns it into the outputs ``MAPS``.
    With ``model`` the material node is ``neural.image_to_material`` instead, the learned
    refinement (needs the ``neural`` extra): ``"default"`` for the shipped model, else a
    model folder (made absolute); its ``params`` are that node's (e.g. ``convention``).
    ``name`` (default: the photo's file stem) names the files ``{name}_{map}.{ext}``.
    ``tileable`` says the photo tiles: every filter then wraps around the edges. The
    preset's size is the photo's (read from the file: ``InputError`` naming it when it is
    missing or not an image), as ``texgen maps``'s default. Save it like any preset:
    ``Engine().save(maps_preset("bricks.jpg"), "out/")`` (``size=1024`` to resize).
    """
    photo = Path(photo)
    width, height = image_size(photo, what="photo")
    if model is None:
        material = {"type": "filters.image_to_material", "input": "photo.color"}
    else:
        material = {"type": "neural.image_to_material", "image": "photo.color"}
        if str(model) != "default":  # the node's default is the shipped model
            material["model"] = str(Path(model).absolute())
    material.update(params or {})
    return {"texgen": 1, "name": name or photo.stem or "photo", "tileable": tileable,
            "size": [width, height],
            "nodes": {"photo": {"type": "filters.image_input", "path": str(photo.absolute())},
                      "material": material},
            "outputs": {key: f"material.{key}" for key in MAPS}}


@click.command("maps")
@click.argument("photo")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder to write {PHOTO stem}_{map}.{ext} into (created if missing).")
@click.option("--size", help="Output size in pixels: 1024 or 1024x512 (default: the "
              "photo's).")
@click.option("--format", "format_name", help="File format for every map (png8, png16, "
              "tiff; tiff keeps the float height); default png16 for gray maps and png8 "
              "for color.")
@click.option("--directx", is_flag=True, help="DirectX normal map (green down); default "
              "OpenGL (green up).")
@click.option("--strength", type=float, help="Normal map relief depth, percent of the "
              "width per unit of height (filters.image_to_material 'strength').")
@click.option("--tileable", is_flag=True, help="The photo tiles: filter with wrap-around so "
              "the maps tile too.")
@click.option("--model", help="Refine normal and height with a learned model "
              "(neural.image_to_material, needs the neural extra): 'default' for the shipped "
              "one, or a folder written by 'texgen train image2maps'.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def maps(engine: Engine, photo, output, size, format_name, directx, strength, tileable,
         model, quiet):
    """Estimate PBR maps from the color PHOTO: delit basecolor, height, normal, ao and
    roughness, written as OUT/{PHOTO stem}_{map}.{ext}.

    A classical estimate (filters.image_to_material), not measured geometry; --model
    refines normal and height with a learned model (neural.image_to_material). The same as
    saving ``maps_preset(PHOTO)`` (texgen_filters.maps) with the engine."""
    params: dict[str, Any] = {}
    if directx:
        params["convention"] = "directx"
    if strength is not None:
        if model is not None:
            raise InputError("--strength sets the classical estimate's relief depth; the "
                             "learned model (--model) reads the depth from the photo's shading")
        params["strength"] = strength
    preset = maps_preset(photo, tileable=tileable, params=params, model=model)
    report = engine.save(preset, output, size=parse_size(size),
                         format=format_name, progress=progress_printer(Path(photo).name, quiet))
    if not quiet:
        click.echo(f"wrote {', '.join(str(file['path']) for file in report.files)}", err=True)
