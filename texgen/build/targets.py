"""Build targets: which files a rendered material becomes for one engine.

A ``Target`` is a list of ``TargetMap``\\ s, one per file: where each channel comes from
(the preset's outputs, found by role, so ``albedo`` serves ``basecolor``; a constant; or
1 - a channel), the file format, its color space, compression, mips and normal convention.
The built-ins (``BUILTIN_TARGETS``):

- ``png``: every output as ``texgen render`` writes it (its format, normalisation).
- ``unreal``: basecolor DDS BC7 sRGB, normal DDS BC5 (DirectX), ORM DDS BC7 linear
  (R occlusion, G roughness, B metallic), height EXR half.
- ``unity`` (HDRP): basecolor DDS BC7 sRGB, normal DDS BC5 (OpenGL), mask map DDS BC7
  linear (R metallic, G occlusion, B detail mask = 1, A smoothness = 1 - roughness).
- ``gltf`` (and Godot): PNG basecolor, PNG normal (OpenGL), PNG ORM (R occlusion,
  G roughness, B metallic).

A manifest defines its own with ``parse_target``. Nothing is guessed silently: a packed
channel whose output the preset lacks gets ``DEFAULTS`` (AO 1, roughness 0.5, metallic 0,
...) and a note; a map whose whole source is missing (no basecolor, no normal, no height)
is not written, with a note. docs/formats.md has the tables.

Normal maps: the source convention is read from the node that makes the normal output, when
it has a ``convention`` parameter ("opengl"/"directx", as ``filters.normal_map``); otherwise
OpenGL is assumed and a note says so. When it differs from the map's, green is flipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from texgen.errors import InputError, did_you_mean
from texgen.formats import dds, exr
from texgen.formats.color import COLOR_SPACES
from texgen.io import PNG_COMPRESSIONS, OutOfRange, StagedFiles, write_output
from texgen.roles import role_of

NORMAL_CONVENTIONS = ("opengl", "directx")
#: The formats ``parse_target`` knows without an engine (plugins may add more: pass
#: ``formats=engine.exporters``).
BUILTIN_FORMATS = ("png8", "png16", "tiff", "exr", "exr32", "dds")
#: The compressions each built-in format takes (empty: none).
_COMPRESSIONS: dict[str, tuple[str, ...]] = {
    "png8": tuple(PNG_COMPRESSIONS), "png16": tuple(PNG_COMPRESSIONS), "tiff": (),
    "exr": exr.COMPRESSIONS, "exr32": exr.COMPRESSIONS,
    "dds": tuple(dds.COMPRESSIONS),
}
#: Values used for a packed channel whose role the preset has no output for (with a note).
DEFAULTS = {"ao": 1.0, "roughness": 0.5, "metallic": 0.0, "opacity": 1.0, "specular": 0.5}
#: Where a role may be found packed when the preset has no output of its own for it.
PACKED = {"ao": ("orm", 0), "roughness": ("orm", 1), "metallic": ("orm", 2)}
_CHANNEL_LETTERS = "rgba"
_MAP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class TargetError(InputError):
    """A target table in a manifest is wrong, or a target cannot be made from a preset."""


@dataclass(frozen=True)
class ChannelSource:
    """Where one channel of a target map (or a whole unpacked map) comes from.

    ``output``: an output name or role (found through ``texgen.roles.role_of``: "albedo"
    finds a basecolor output); ``channel``: which of its channels (0..3), or None for all
    of them (an unpacked map); ``constant``: a fixed value instead of an output;
    ``invert``: the value is 1 - x. A gray output serves any color channel; a missing
    alpha is 1.
    """

    output: str | None = None
    channel: int | None = None
    constant: float | None = None
    invert: bool = False

    def __str__(self) -> str:
        """The manifest spelling: ``"roughness"``, ``"basecolor.a"``, ``"1-roughness"``,
        ``"0.5"``."""
        if self.constant is not None:
            return repr(float(self.constant))
        suffix = "" if self.channel is None else f".{_CHANNEL_LETTERS[self.channel]}"
        return f"{'1-' if self.invert else ''}{self.output}{suffix}"

    @classmethod
    def parse(cls, spec: Any) -> ChannelSource:
        """A source from its manifest spelling (see ``__str__``); ``ValueError`` if bad."""
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            if not math.isfinite(spec):
                raise ValueError(f"constant {spec!r} is not a finite number")
            return cls(constant=float(spec))
        if not isinstance(spec, str) or not spec.strip():
            raise ValueError(f"expected an output name, 'name.r|g|b|a', '1-name' or a "
                             f"number, got {spec!r}")
        text = spec.replace(" ", "")
        if re.fullmatch(r"[-+]?\d+(\.\d*)?|[-+]?\.\d+", text):  # "0.5", as __str__ writes
            return cls(constant=float(text))
        invert = text.startswith("1-")
        text = text[2:] if invert else text
        name, _, letter = text.rpartition(".")
        if name and letter in _CHANNEL_LETTERS and len(letter) == 1:
            return cls(output=name, channel=_CHANNEL_LETTERS.index(letter), invert=invert)
        if not text:
            raise ValueError(f"no output name in {spec!r}")
        return cls(output=text, invert=invert)


@dataclass(frozen=True)
class TargetMap:
    """One file a target writes: ``map`` (the ``{map}`` template field), the source of
    each of its channels (one source with ``channel=None`` for an unpacked map), its
    ``format`` (an exporter's name), ``color_space`` ("srgb" or "linear"),
    ``compression`` (dds: bc1..bc7 or rgba8; exr: zip or none; else None), ``mips``, and
    ``normal`` ("opengl"/"directx" for a normal map, else None)."""

    map: str
    channels: tuple[ChannelSource, ...]
    format: str
    color_space: str = "linear"
    compression: str | None = None
    mips: bool = False
    normal: str | None = None

    def settings(self) -> dict[str, Any]:
        """Every field, JSON-able."""
        return {"map": self.map, "channels": [str(c) for c in self.channels],
                "format": self.format, "color_space": self.color_space,
                "compression": self.compression, "mips": self.mips, "normal": self.normal}


@dataclass(frozen=True)
class Target:
    """A named list of files to make from a render; no maps means every output as
    ``texgen render`` writes it (the ``png`` target)."""

    name: str
    maps: tuple[TargetMap, ...]

    def settings(self) -> dict[str, Any]:
        """Everything that shapes the bytes written, JSON-able (hashed into job keys)."""
        return {"name": self.name, "maps": [m.settings() for m in self.maps]}


@dataclass
class TargetResult:
    """What ``export_target`` did: the file written for each map (for ``png``: each
    output), and notes on defaults used, maps skipped and values clipped."""

    files: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _whole(output: str) -> tuple[ChannelSource, ...]:
    return (ChannelSource(output),)


def _packed(*specs: Any) -> tuple[ChannelSource, ...]:
    return tuple(ChannelSource.parse(spec) for spec in specs)


_ORM = _packed("ao", "roughness", "metallic")
BUILTIN_TARGETS: Mapping[str, Target] = {
    "png": Target("png", ()),
    "unreal": Target("unreal", (
        TargetMap("basecolor", _whole("basecolor"), "dds", "srgb", "bc7", True),
        TargetMap("normal", _whole("normal"), "dds", "linear", "bc5", True, "directx"),
        TargetMap("orm", _ORM, "dds", "linear", "bc7", True),
        TargetMap("height", _whole("height"), "exr", "linear", "zip"),
    )),
    "unity": Target("unity", (
        TargetMap("basecolor", _whole("basecolor"), "dds", "srgb", "bc7", True),
        TargetMap("normal", _whole("normal"), "dds", "linear", "bc5", True, "opengl"),
        TargetMap("mask", _packed("metallic", "ao", 1.0, "1-roughness"), "dds", "linear",
                  "bc7", True),
    )),
    "gltf": Target("gltf", (
        TargetMap("basecolor", _whole("basecolor"), "png8", "srgb"),
        TargetMap("normal", _whole("normal"), "png8", "linear", normal="opengl"),
        TargetMap("orm", _ORM, "png8", "linear"),
    )),
}


# --- custom targets -------------------------------------------------------------------------

_MAP_KEYS = ("source", "channels", "format", "color_space", "compression", "mips", "normal")


def parse_target(name: str, table: Mapping[str, Any], *, where: str,
                 formats: Iterable[str] = BUILTIN_FORMATS) -> Target:
    """A target from a manifest's ``[target.NAME]`` table (docs/formats.md).

    ``table`` holds ``maps``: a table of map name -> map table with keys ``source`` (an
    output or role) or ``channels`` (1, 3 or 4 sources, see ``ChannelSource.parse``),
    ``format`` (required, one of ``formats``), and optionally ``color_space`` (default
    srgb for a basecolor/emissive source, else linear), ``compression`` (dds default: bc5
    for a normal map, bc4 for one gray source, else bc7; exr default zip), ``mips``
    (default true for dds) and ``normal`` (default opengl for a normal source). Raises
    ``TargetError`` naming ``where`` (the manifest file) and the key.
    """
    formats = tuple(formats)

    def fail(key: str, message: str) -> TargetError:
        return TargetError(f"{where}: target.{name}.{key}: {message}")

    if not isinstance(table, Mapping):
        raise TargetError(f"{where}: target.{name}: expected a table, got {table!r}")
    unknown = sorted(set(table) - {"maps"})
    if unknown:
        raise fail(unknown[0], "unknown key (a target table holds 'maps')")
    maps = table.get("maps")
    if not isinstance(maps, Mapping) or not maps:
        raise fail("maps", "expected a table of maps, one per file ([target.NAME.maps.MAP])")
    return Target(name, tuple(_parse_map(map_name, map_table, formats,
                                         lambda key, message, m=map_name:
                                         fail(f"maps.{m}{'.' + key if key else ''}", message))
                              for map_name, map_table in maps.items()))


def _parse_map(map_name: str, table: Any, formats: tuple[str, ...],
               fail: Callable[[str, str], TargetError]) -> TargetMap:
    if not _MAP_NAME.match(map_name):
        raise fail("", "a map name is letters, digits, '_' and '-' (it goes in file names)")
    if not isinstance(table, Mapping):
        raise fail("", f"expected a table, got {table!r}")
    unknown = sorted(set(table) - set(_MAP_KEYS))
    if unknown:
        raise fail(unknown[0], f"unknown key{did_you_mean(unknown[0], _MAP_KEYS)} (keys: "
                               f"{', '.join(_MAP_KEYS)})")
    channels = _parse_channels(table, fail)
    format_name = table.get("format")
    if format_name not in formats:
        raise fail("format", f"{format_name!r} is not a format (formats: "
                             f"{', '.join(sorted(formats))})")
    single_role = (role_of(channels[0].output) if len(channels) == 1 and channels[0].output
                   else None)
    whole_role = single_role.name if single_role and channels[0].channel is None else None
    color_space = table.get("color_space", role_of(whole_role).color_space if whole_role
                            else "linear")
    if color_space not in COLOR_SPACES:
        raise fail("color_space", f"{color_space!r}: expected one of {', '.join(COLOR_SPACES)}")
    normal = table.get("normal", "opengl" if whole_role == "normal" else None)
    if normal is not None and normal not in NORMAL_CONVENTIONS:
        raise fail("normal", f"{normal!r}: expected one of {', '.join(NORMAL_CONVENTIONS)}")
    if normal is not None and (len(channels) != 1 or channels[0].channel is not None):
        raise fail("normal", "a normal map takes one whole output as its source")
    compression = table.get("compression", _default_compression(
        format_name, normal=normal is not None, gray=len(channels) == 1 and (
            channels[0].channel is not None or (single_role and single_role.channels == (1,)))))
    known = _COMPRESSIONS.get(format_name)
    if known is not None and compression is not None and compression not in known:
        raise fail("compression", f"{compression!r}: {format_name} takes "
                                  f"{', '.join(known) if known else 'no compression'}")
    if (format_name == "dds" and color_space == "srgb"
            and dds.COMPRESSIONS[compression][1] is None):
        if "color_space" in table:
            raise fail("color_space", f"{compression} has no sRGB form: use color_space = "
                                      f"\"linear\" or another compression")
        raise fail("compression", f"{compression} has no sRGB form, and a {whole_role} map is "
                                  f"srgb by default: use bc1, bc3, bc7 or rgba8, or set "
                                  f"color_space = \"linear\"")
    mips = table.get("mips", format_name == "dds")
    if not isinstance(mips, bool):
        raise fail("mips", f"expected true or false, got {mips!r}")
    if mips and format_name in _COMPRESSIONS and format_name != "dds":
        raise fail("mips", f"{format_name} files hold one level: mips need dds")
    return TargetMap(map_name, channels, format_name, color_space, compression, mips, normal)


def _parse_channels(table: Mapping[str, Any],
                    fail: Callable[[str, str], TargetError]) -> tuple[ChannelSource, ...]:
    if ("source" in table) == ("channels" in table):
        raise fail("", "give either 'source' (one output) or 'channels' (a packing)")
    if "source" in table:
        key, specs = "source", [table["source"]]
    else:
        key, specs = "channels", table["channels"]
        if not isinstance(specs, list) or len(specs) not in (1, 3, 4):
            raise fail(key, f"expected a list of 1, 3 or 4 channel sources, got {specs!r}")
    try:
        sources = tuple(ChannelSource.parse(spec) for spec in specs)
    except ValueError as exc:
        raise fail(key, str(exc)) from None
    if key == "source" and (sources[0].output is None or sources[0].invert):
        raise fail(key, "expected an output name or role (use 'channels' for constants "
                        "and 1 - x)")
    return sources


def _default_compression(format_name: str, *, normal: bool, gray: bool) -> str | None:
    if format_name == "dds":
        return "bc5" if normal else "bc4" if gray else "bc7"
    return "zip" if format_name in ("exr", "exr32") else None


# --- which outputs a target reads -----------------------------------------------------------

def find_output(wanted: str, available: Iterable[str]) -> str | None:
    """The available output that serves ``wanted``: one of that exact name, else one whose
    role is ``wanted``'s role (``albedo`` for ``basecolor``, case-insensitive); None."""
    available = list(available)
    if wanted in available:
        return wanted
    role = role_of(wanted)
    if role is None:
        return None
    return next((name for name in available
                 if (found := role_of(name)) is not None and found.name == role.name), None)


def _locate(source: ChannelSource, available: Iterable[str]) -> tuple[str, int | None] | None:
    """(output name, channel) that gives ``source``, trying a packed map (``PACKED``) for
    a channel role the preset has no output of its own for; None if nothing does."""
    available = list(available)
    found = find_output(source.output, available)
    if found is not None:
        return found, source.channel
    role = role_of(source.output)
    if role is not None and role.name in PACKED and source.channel in (None, 0):
        packed_role, channel = PACKED[role.name]
        packed = find_output(packed_role, available)
        if packed is not None:
            return packed, channel
    return None


def required_outputs(target: Target, available: Iterable[str]) -> set[str]:
    """The names among ``available`` (a preset's outputs) that ``export_target`` reads for
    ``target``: all of them for a target without maps (``png``)."""
    available = list(available)
    if not target.maps:
        return set(available)
    return {located[0] for target_map in target.maps for source in target_map.channels
            if source.output is not None
            and (located := _locate(source, available)) is not None}


# --- writing --------------------------------------------------------------------------------

def export_target(target: Target, outputs: Mapping[str, np.ndarray],
                  path_for: Callable[[str, str], Path], *, engine, graph=None,
                  tileable: bool = True) -> TargetResult:
    """Write ``target``'s files from a render and say what was done.

    ``outputs``: the rendered outputs, float32 (H, W, C) by output name (at least
    ``required_outputs``; never changed). ``path_for(map, extension)`` gives the file for a
    map. ``engine`` gives the exporters; ``graph`` (the rendered ``Graph``) gives the
    preset's own formats (needed by the ``png`` target) and the normal map's convention.
    ``tileable``: block-compressed levels smaller than a block are padded by wrapping
    around (else by repeating the edge). The files are staged and renamed onto their paths
    together (``StagedFiles``): a failure leaves every path as it was.
    """
    with StagedFiles() as staged:
        result = _export_staged(target, outputs, path_for, staged, engine=engine,
                                graph=graph, tileable=tileable)
        staged.commit()
    return result


def _export_staged(target: Target, outputs: Mapping[str, np.ndarray],
                   path_for: Callable[[str, str], Path], staged: StagedFiles, *, engine,
                   graph, tileable: bool) -> TargetResult:
    """``export_target``'s files written to ``staged`` temporary files."""
    result = TargetResult()
    if not target.maps:
        if graph is None:
            raise ValueError("the png target needs the rendered graph (the preset's formats)")
        for name, texture in outputs.items():
            exporter = engine.output_exporter(graph, name, channels=texture.shape[2])
            path = path_for(name, exporter.extension)
            facts = write_output(staged.stage(path), texture, exporter,
                                 normalize=graph.preset.outputs[name].normalize,
                                 **engine.output_options(graph, name, exporter))
            _note_clipping(result, name, facts, exporter.format)
            result.files[name] = path
        return result
    for target_map in target.maps:
        texture = _assemble(target_map, outputs, graph, result.notes)
        if texture is None:
            continue
        exporter = engine.exporter(target_map.format)
        options = {"color_space": target_map.color_space, "compression": target_map.compression,
                   "mips": target_map.mips, "normal_map": target_map.normal is not None,
                   "tileable": tileable}
        accepted = {key: value for key, value in options.items() if key in exporter.options}
        refused = [key for key in ("compression", "mips") if options[key]
                   and key not in exporter.options]
        if refused:
            raise TargetError(f"target '{target.name}', map '{target_map.map}': format "
                              f"'{exporter.format}' takes no {' or '.join(refused)}")
        path = path_for(target_map.map, exporter.extension)
        facts = write_output(staged.stage(path), texture, exporter, **accepted)
        _note_clipping(result, target_map.map, facts, exporter.format)
        result.files[target_map.map] = path
    return result


def _note_clipping(result: TargetResult, name: str, facts: Mapping[str, Any],
                   format_name: str) -> None:
    if "out_of_range" in facts:
        result.notes.append(f"{name}: {OutOfRange(**facts['out_of_range']).describe()}, "
                            f"clipped by {format_name}")


def planned_files(target: Target, graph, *, engine) -> dict[str, str]:
    """map name -> file extension of each file ``export_target`` will write for a render
    of ``graph`` (a validated ``Graph``; only its output names and formats matter), so a
    build can name and check its files before rendering. Maps ``export_target`` would skip
    (their source missing) are left out; for ``png``, each output with its format."""
    if not target.maps:
        return {name: engine.output_exporter(graph, name).extension for name in graph.outputs}
    return {m.map: engine.exporter(m.format).extension for m in target.maps
            if _skip_reason(m, list(graph.outputs)) is None}


def export_settings(target: Target, graph) -> dict[str, Any]:
    """Everything besides the rendered values that shapes the files ``export_target``
    writes for ``graph`` (a validated ``Graph``), JSON-able (hashed into job keys): the
    target's settings and, for a target without maps (``png``), which writes each output
    as the preset says, each output's ``format`` and ``normalize`` as the preset gives
    them (png8 and png16 files have the same name, so only the key tells them apart)."""
    settings = target.settings()
    if not target.maps:
        settings["outputs"] = {name: {"format": entry.format, "normalize": entry.normalize}
                               for name, entry in sorted(graph.preset.outputs.items())
                               if name in graph.outputs}
    return settings


def _skip_reason(target_map: TargetMap, available: list[str]) -> str | None:
    """Why ``target_map`` cannot be made from outputs named ``available`` (its whole
    source, or a packed channel without a default, is missing), or None."""
    for index, source in enumerate(target_map.channels):
        if source.output is None or _locate(source, available) is not None:
            continue
        if source.channel is None and len(target_map.channels) == 1:
            return f"the preset has no {source.output} output"
        role = role_of(source.output)
        if role is None or role.name not in DEFAULTS:
            return (f"channel {_CHANNEL_LETTERS[index].upper()} needs '{source.output}', "
                    f"which the preset has no output for")
    return None


def _assemble(target_map: TargetMap, outputs: Mapping[str, np.ndarray], graph,
              notes: list[str]) -> np.ndarray | None:
    """The float32 (H, W, C) texture a map writes, or None (with a note) when it cannot be
    made (``_skip_reason``); defaults used for missing packed channels are noted."""
    available = list(outputs)
    reason = _skip_reason(target_map, available) if outputs else "nothing was rendered"
    if reason is not None:
        notes.append(f"{target_map.map}: not written: {reason}")
        return None
    if len(target_map.channels) == 1 and target_map.channels[0].channel is None \
            and target_map.channels[0].constant is None:
        source = target_map.channels[0]
        name, channel = _locate(source, available)
        texture = outputs[name] if channel is None else outputs[name][:, :, channel:channel + 1]
        if source.invert:
            texture = np.float32(1) - texture
        if target_map.normal is not None:
            texture = _to_convention(texture, _source_convention(graph, name, target_map.map,
                                                                 notes), target_map.normal)
        return np.ascontiguousarray(texture, np.float32)
    shape = next(iter(outputs.values())).shape[:2]
    return np.ascontiguousarray(np.stack(
        [_channel(source, outputs, available, shape, target_map.map, _CHANNEL_LETTERS[index],
                  notes) for index, source in enumerate(target_map.channels)], axis=2),
        np.float32)


def _channel(source: ChannelSource, outputs: Mapping[str, np.ndarray], available: list[str],
             shape: tuple[int, int], map_name: str, letter: str,
             notes: list[str]) -> np.ndarray:
    """One (H, W) plane of a packed map (``_skip_reason`` has found nothing amiss): the
    output's channel, a constant, or the role's default (noted)."""
    if source.constant is not None:
        return np.full(shape, source.constant, np.float32)
    located = _locate(source, available)
    if located is None:
        role = role_of(source.output).name
        notes.append(f"{map_name}: the preset has no {role} output; {DEFAULTS[role]:g} used "
                     f"for channel {letter.upper()} (the documented default)")
        plane = np.full(shape, DEFAULTS[role], np.float32)
    else:
        name, channel = located
        texture = outputs[name]
        channel = channel or 0
        if channel >= texture.shape[2]:  # gray serves any color channel; no alpha is 1
            plane = np.ones(shape, np.float32) if channel == 3 else texture[:, :, 0]
        else:
            plane = texture[:, :, channel]
    return np.float32(1) - plane if source.invert else plane.astype(np.float32, copy=False)


def _source_convention(graph, output: str, map_name: str, notes: list[str]) -> str:
    """The normal convention of ``output``: its node's ``convention`` parameter when it has
    one, else OpenGL (noted)."""
    if graph is not None and output in graph.outputs:
        convention = graph.nodes[graph.outputs[output].node].params.get("convention")
        if convention in NORMAL_CONVENTIONS:
            return convention
    notes.append(f"{map_name}: the convention of output '{output}' is not known from its "
                 f"node; OpenGL assumed")
    return "opengl"


def _to_convention(normal: np.ndarray, source: str, target: str) -> np.ndarray:
    """A normal map in ``target``'s convention: green flipped (1 - g) when it differs."""
    if source == target:
        return normal
    flipped = np.array(normal, np.float32)
    flipped[:, :, 1] = np.float32(1) - flipped[:, :, 1]
    return flipped
