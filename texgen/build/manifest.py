"""Build manifests (``texgen.build.toml``, JSON accepted): parsing and the checks that need
no preset.

A manifest is data: loading one reads TOML or JSON and nothing else. Its field names are a
contract (docs/build.md)::

    texgen_build = 1                         # format version (required)
    output = "build/textures"                # relative to the manifest; default "build"
    name = "T_{material}_{variant}_{map}"    # file name template, no extension
    targets = ["unreal"]                     # default ["png"]

    [[material]]
    preset = "presets/red_bricks.toml"       # a path (relative to the manifest) or a name
    name = "Bricks"                          # default: the preset's name
    sizes = [1024, [2048, 1024]]             # default: the preset's size
    seeds = [1, 2]                           # default: the preset's seed
    targets = ["gltf"]                       # default: the manifest's targets

    [material.variants.mossy]                # default: one variant "default"
    moss = 0.8                               # exposed parameters, as with --set

    [target.mobile]                          # a custom target (texgen.build.targets)
    ...

Every problem is reported at once, one line each, naming the manifest file and the key
(``material[0].sizes``: materials count from 0, in file order).
"""

from __future__ import annotations

import json
import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from texgen.errors import InputError, Problem, did_you_mean
from texgen.io import check_output_folder
from texgen.nodes import SEED_MAX
from texgen.preset import MAX_SIDE

FORMAT_VERSION = 1
#: The file ``texgen build`` reads when given a folder; its lock file is ``lock_name``'s.
MANIFEST_NAME = "texgen.build.toml"
DEFAULT_OUTPUT = "build"
DEFAULT_NAME = "{material}_{variant}_{map}"
DEFAULT_TARGETS = ("png",)
DEFAULT_VARIANT = "default"
TOP_LEVEL_KEYS = ("texgen_build", "output", "name", "targets", "material", "target")
MATERIAL_KEYS = ("preset", "name", "sizes", "seeds", "targets", "variants")
#: The fields a file name template may use.
TEMPLATE_FIELDS = ("material", "variant", "map", "size", "seed", "target")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class ManifestError(InputError):
    """One or more problems in a manifest, one line each (file and key). Exit 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Material:
    """One ``[[material]]`` entry as written: ``name``, ``sizes``, ``seeds`` and ``targets``
    are None where the preset's (or the manifest's) value applies. ``variants`` maps each
    variant name to its exposed-parameter values, in file order. ``key`` is how errors
    name it (``material[2]``)."""

    key: str
    preset: str
    name: str | None
    sizes: tuple[tuple[int, int], ...] | None
    seeds: tuple[int, ...] | None
    targets: tuple[str, ...] | None
    variants: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest. ``output`` is resolved (absolute); ``targets`` is the default
    target list; ``target_tables`` holds the custom ``[target.NAME]`` tables as written
    (``texgen.build.targets.parse_target`` reads them)."""

    path: Path
    output: Path
    name: str
    targets: tuple[str, ...]
    materials: tuple[Material, ...]
    target_tables: Mapping[str, Mapping[str, Any]]

    @property
    def source(self) -> str:
        return str(self.path)

    @property
    def lock_path(self) -> Path:
        """The lock file beside the manifest (``lock_name``)."""
        return self.path.parent / lock_name(self.path.name)

    def error(self, message: str, key: str | None = None) -> ManifestError:
        return ManifestError([Problem(message, file=self.source, key=key)])


def lock_name(manifest_name: str) -> str:
    """The lock file's name for a manifest file's: ``texgen.build.toml`` ->
    ``texgen.lock.json``, ``props.build.toml`` or ``props.toml`` (or ``.json``) ->
    ``props.lock.json``, so manifests that share a folder keep their own locks."""
    stem = manifest_name
    for suffix in (".build.toml", ".build.json", ".toml", ".json"):
        if stem.endswith(suffix):
            stem = stem[:-len(suffix)]
            break
    return f"{stem}.lock.json"


def find_manifest(path: str | Path) -> Path:
    """The manifest file ``path`` names: the file itself, or ``texgen.build.toml`` in a
    folder. Raises ``InputError`` if there is none."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    if not path.is_file():
        raise InputError(f"{path}: no such manifest file (a texgen.build.toml, or a folder "
                         f"holding one)")
    return path


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest file (TOML, or JSON for a ``.json`` suffix).

    Raises ``ManifestError`` listing every problem found without looking at presets:
    unknown keys, wrong types, sizes and seeds out of range, unsafe names, template fields
    that do not exist. The checks that need presets and targets are ``texgen.build.jobs``'.
    """
    path = find_manifest(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the manifest: {exc}") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'TOML'}: "
                         f"{exc}") from None
    return parse_manifest(data, path=path)


def parse_manifest(data: Any, *, path: Path) -> Manifest:
    """A ``Manifest`` from parsed TOML/JSON ``data`` read from ``path`` (relative paths are
    resolved against its folder). Raises ``ManifestError``."""
    problems: list[Problem] = []

    def problem(message: str, key: str | None = None) -> None:
        problems.append(Problem(message, file=str(path), key=key))

    if not isinstance(data, Mapping):
        raise ManifestError([Problem("expected a table of settings", file=str(path))])
    _unknown_keys(data, TOP_LEVEL_KEYS, "", problem)
    version = data.get("texgen_build")
    if version != FORMAT_VERSION:
        problem(f"expected texgen_build = {FORMAT_VERSION} (the manifest format version), got "
                f"{version!r}", "texgen_build")
    output = data.get("output", DEFAULT_OUTPUT)
    if not isinstance(output, str) or not output.strip():
        problem(f"expected a folder path, got {output!r}", "output")
        output = DEFAULT_OUTPUT
    elif _leaves_folder(output):
        problem(f"expected a folder inside the manifest's folder, got {output!r}: the lock "
                f"file records outputs relative to it, and a build writes nothing outside "
                f"it", "output")
        output = DEFAULT_OUTPUT
    name = data.get("name", DEFAULT_NAME)
    if not isinstance(name, str):
        problem(f"expected a file name template such as {DEFAULT_NAME!r}, got {name!r}", "name")
        name = DEFAULT_NAME
    else:
        _check_template(name, problem)
    targets = _names(data.get("targets", list(DEFAULT_TARGETS)), "targets", problem)
    tables = data.get("target", {})
    if not isinstance(tables, Mapping) or not all(isinstance(t, Mapping)
                                                  for t in tables.values()):
        problem("expected [target.NAME] tables", "target")
        tables = {}
    for target_name in tables:
        _check_name(target_name, f"target.{target_name}", "target name", problem)
    entries = data.get("material")
    if not isinstance(entries, list) or not entries:
        problem("expected one or more [[material]] tables", "material")
        entries = []
    materials = [_parse_material(entry, f"material[{i}]", problem)
                 for i, entry in enumerate(entries)]
    try:
        check_output_folder(path.parent / output)
    except InputError as exc:
        problem(str(exc), "output")
    if problems:
        raise ManifestError(problems)
    return Manifest(path=path, output=(path.parent / output).resolve(), name=name,
                    targets=tuple(targets or DEFAULT_TARGETS),
                    materials=tuple(m for m in materials if m is not None),
                    target_tables={key: dict(value) for key, value in tables.items()})


def _parse_material(entry: Any, key: str, problem) -> Material | None:
    if not isinstance(entry, Mapping):
        problem("expected a table (preset, name, sizes, seeds, variants)", key)
        return None
    _unknown_keys(entry, MATERIAL_KEYS, f"{key}.", problem)
    preset = entry.get("preset")
    if not isinstance(preset, str) or not preset:
        problem(f"expected a preset file path or preset name, got {preset!r}", f"{key}.preset")
    name = entry.get("name")
    if name is not None:
        _check_name(name, f"{key}.name", "material name", problem)
    sizes = None
    if "sizes" in entry:
        sizes = _list(entry["sizes"], f"{key}.sizes", "sizes, e.g. [1024, [2048, 1024]]",
                      problem)
        sizes = [s for i, value in enumerate(sizes)
                 if (s := _size(value, f"{key}.sizes[{i}]", problem)) is not None]
    seeds = None
    if "seeds" in entry:
        seeds = _list(entry["seeds"], f"{key}.seeds", "seeds, e.g. [1, 2]", problem)
        for i, seed in enumerate(seeds):
            if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
                problem(f"expected an integer seed in 0..{SEED_MAX}, got {seed!r}",
                        f"{key}.seeds[{i}]")
    targets = _names(entry["targets"], f"{key}.targets", problem) if "targets" in entry \
        else None
    variants = entry.get("variants", {DEFAULT_VARIANT: {}})
    if not isinstance(variants, Mapping) or not variants \
            or not all(isinstance(v, Mapping) for v in variants.values()):
        problem("expected [material.variants.NAME] tables of exposed parameter values",
                f"{key}.variants")
        variants = {}
    for variant in variants:
        _check_name(variant, f"{key}.variants.{variant}", "variant name", problem)
    return Material(key=key, preset=preset if isinstance(preset, str) else "", name=name,
                    sizes=None if sizes is None else tuple(dict.fromkeys(sizes)),
                    seeds=None if seeds is None else tuple(dict.fromkeys(seeds)),
                    targets=None if targets is None else tuple(targets),
                    variants={k: dict(v) for k, v in variants.items()})


def _leaves_folder(path: str) -> bool:
    """Whether ``path``, relative to a folder, names a place outside it: an absolute path,
    or one that climbs out with '..' (symbolic links are not followed, so a link inside
    the folder to other storage is allowed)."""
    normal = Path(os.path.normpath(path))
    return normal.is_absolute() or normal.parts[:1] == ("..",)


def _unknown_keys(table: Mapping, known: tuple[str, ...], prefix: str, problem) -> None:
    for key in table:
        if key not in known:
            problem(f"unknown key{did_you_mean(str(key), known)} (known: {', '.join(known)})",
                    f"{prefix}{key}")


def _list(value: Any, key: str, what: str, problem) -> list:
    if not isinstance(value, list) or not value:
        problem(f"expected a non-empty list of {what}, got {value!r}", key)
        return []
    return value


def _names(value: Any, key: str, problem) -> list[str]:
    names = _list(value, key, "target names, e.g. [\"unreal\", \"gltf\"]", problem)
    for i, name in enumerate(names):
        if not isinstance(name, str):
            problem(f"expected a target name, got {name!r}", f"{key}[{i}]")
    return list(dict.fromkeys(n for n in names if isinstance(n, str)))


def _size(value: Any, key: str, problem) -> tuple[int, int] | None:
    sides = [value] * 2 if not isinstance(value, list) else value
    if len(sides) != 2 or not all(isinstance(s, int) and not isinstance(s, bool)
                                  and 1 <= s <= MAX_SIDE for s in sides):
        problem(f"expected pixels (1..{MAX_SIDE}) or [width, height], got {value!r}", key)
        return None
    return sides[0], sides[1]


def _check_name(name: Any, key: str, what: str, problem) -> None:
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or ".." in name:
        problem(f"{what} {name!r} cannot be used in a file name: use letters, digits, '_', "
                f"'-' and '.'", key)


def _check_template(template: str, problem) -> None:
    """Problems with a file name template: unknown fields, format specs, conversions, no
    text."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        problem(f"bad template {template!r}: {exc}", "name")
        return
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec:  # a spec such as {seed:x>900000000} could make any string at all
            problem(f"template field {{{field}:{spec}}}: format specs are not allowed",
                    "name")
        if field not in TEMPLATE_FIELDS:
            problem(f"unknown template field {{{field}}}{did_you_mean(field, TEMPLATE_FIELDS)} "
                    f"(fields: {', '.join(TEMPLATE_FIELDS)})", "name")
        if conversion:
            problem(f"template field {{{field}!{conversion}}}: conversions are not allowed",
                    "name")
    if not template.strip():
        problem("the file name template is empty", "name")


def template_fields(template: str) -> set[str]:
    """The fields a (checked) template uses."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}
