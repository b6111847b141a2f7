"""Preset files: TOML (or JSON) parsed into a ``Preset``, exposed parameters, overrides.

Loading a preset parses data and nothing else: no code is imported or evaluated.
Checks that need the node registry (types, ports, parameters) live in ``graph.py``.

Format (version 1)::

    texgen = 1                      # format version (required)
    name = "marble"                 # file names are {name}_{output}.{ext}; default: file stem
    size = 1024                     # or [width, height]
    seed = 7
    tileable = true                 # default true
    synonyms = ["stone slab"]       # optional: other names (texgen describe, docs/describe.md)

    [parameters.vein_scale]         # exposed parameter: --set vein_scale=6
    type = "float"
    default = 4.0
    min = 1.0
    max = 16.0
    role = "frequency"              # optional: what the global word table's words do to it

    [words]                         # optional: words and phrases -> parameter changes
    veiny = { vein_scale = "x1.5" } # absolute (6.0), relative ("+50%", "x2", "-0.1"),
                                    # or a position in the range ("80%")

    [nodes.veins]                   # a node: its type, then inputs and parameters
    type = "noise.perlin"
    frequency = "$vein_scale"       # "$name" takes an exposed parameter's value
    lacunarity = "= 1.5 + 0.1 * $vein_scale"   # "= ..." an expression (texgen.expressions)

    [outputs]
    basecolor = "color"                             # node (first output port)
    height = { node = "veins.out", format = "png16" } # node.port, per-output format
"""

from __future__ import annotations

import dataclasses
import graphlib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from texgen import expressions
from texgen.errors import InputError, PresetError, Problem, SpecError, did_you_mean
from texgen.expressions import NUMERIC_TYPES, ExpressionError, is_expression
from texgen.nodes import RESERVED_KEYS, SEED_MAX, Param

FORMAT_VERSION = 1
MAX_SIDE = 65536
TOP_LEVEL_KEYS = ("texgen", "name", "description", "size", "seed", "tileable", "parameters",
                  "nodes", "outputs", "synonyms", "words")
PARAMETER_KEYS = ("type", "default", "min", "max", "choices", "doc", "role")
OUTPUT_KEYS = ("node", "format", "normalize")
_NODE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class NodeEntry:
    """One ``[nodes.ID]`` table: its type, its other keys as written, a pinned seed if any."""

    id: str
    type: str
    values: Mapping[str, Any]
    seed: int | None = None


@dataclass(frozen=True)
class OutputEntry:
    """One output: ``node`` and ``port`` (None: the node's first output), optional format.

    ``normalize`` rescales the output's min..max to 0..1 before a format that clips to
    [0, 1] writes it (png8, png16); float formats keep the values. ``view`` marks a node
    rendered as an output on request (``--node``, ``nodes=``) rather than an output of the
    preset: it has no conventional role (``texgen.roles``).
    """

    name: str
    node: str
    port: str | None = None
    format: str | None = None
    normalize: bool = False
    view: bool = False


@dataclass(frozen=True)
class Preset:
    """A parsed preset. ``parameters`` maps exposed names to their ``Param`` (whose
    ``default`` is the value in use, after overrides); ``source`` names the file in errors.
    ``base`` is the folder a preset without a file (a dict) reads relative paths from.
    ``derived`` maps the exposed parameters whose default is an expression over the others
    (``default = "= 0.35 / $tile_count"``) to it: their ``default`` is its value, computed
    again by ``with_overrides`` unless they are overridden themselves.
    ``synonyms``, ``words`` (phrase → {parameter: change as written}) and ``roles``
    (parameter → role) are the preset's vocabulary for ``texgen.describe``; they do not
    change what renders."""

    name: str
    size: tuple[int, int]  # (width, height)
    seed: int
    tileable: bool
    nodes: Mapping[str, NodeEntry]
    outputs: Mapping[str, OutputEntry]
    parameters: Mapping[str, Param] = field(default_factory=dict)
    description: str = ""
    path: Path | None = None
    base: Path | None = None
    derived: Mapping[str, str] = field(default_factory=dict)
    synonyms: tuple[str, ...] = ()
    words: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return str(self.path) if self.path else f"<preset {self.name}>"

    @property
    def base_dir(self) -> Path | None:
        """The folder relative paths in the preset (images, instanced presets) are resolved
        against: the file's folder, else ``base``; None means the working directory."""
        return self.path.parent if self.path else self.base

    def with_overrides(self, *, size: int | tuple[int, int] | None = None,
                       seed: int | None = None,
                       overrides: Mapping[str, Any] | None = None) -> Preset:
        """A copy with another size, seed, or exposed parameter values.

        Values in ``overrides`` may be typed values or strings as given on a command line
        (``"6"``, ``"true"``, ``"#ff0000"``, ``"[[0, '#000'], [1, '#fff']]"``).
        Raises ``PresetError`` naming the parameter, with the closest name suggested.
        """
        if overrides is not None and not isinstance(overrides, Mapping):
            raise InputError(f"{self.source}: overrides: expected a mapping of exposed "
                             f"parameter names to values, got {type(overrides).__name__}")
        problems, parameters = [], dict(self.parameters)
        for name, value in (overrides or {}).items():
            if name not in parameters:
                known = ", ".join(sorted(parameters)) or "none"
                problems.append(Problem(f"unknown exposed parameter '{name}'"
                                        f"{did_you_mean(name, parameters)} (exposed: {known})",
                                        file=self.source, key=name))
                continue
            param = parameters[name]
            try:
                value = param.coerce(parse_value_text(value) if isinstance(value, str)
                                     and param.type_info.parse_text else value)
            except ValueError as exc:
                problems.append(Problem(f"override: {exc}", file=self.source, key=name))
                continue
            if isinstance(value, Path):  # a path override, resolved against the working
                value = str(value)       # directory, is stored as a default is: text
            parameters[name] = dataclasses.replace(param, default=value)
        derived = {name: text for name, text in self.derived.items()
                   if name not in (overrides or {})}
        parameters = _derive(parameters, derived, self.source, problems)
        new_size = self.size
        if size is not None:
            new_size = _parse_size(size, problems, self.source)
        if seed is not None:
            _check_seed(seed, problems, self.source, "seed")
        if problems:
            raise PresetError(problems)
        return dataclasses.replace(self, parameters=parameters, size=new_size,
                                   seed=self.seed if seed is None else seed, derived=derived)


def parse_value_text(text: str) -> Any:
    """A command-line value as TOML would read it (``6`` → int, ``true`` → bool,
    ``[1, 2]`` → list), or the text itself when it is not a TOML value (``#ff0000``)."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def load_preset(source: str | Path | Mapping[str, Any], *,
                base: str | Path | None = None) -> Preset:
    """Parse a preset file (``.toml`` or ``.json``) or a dict of the same structure.

    ``base`` is the folder a dict's relative paths (image files, instanced presets) are
    read from, so a file loaded as a dict and edited keeps them: pass the file's folder.
    Without it they are relative to the working directory. A file's own folder is always
    its base. Raises ``PresetError`` listing every structural problem with its file and key.
    """
    if isinstance(source, Mapping):
        preset = parse_preset(source, path=None)
        return preset if base is None else dataclasses.replace(preset,
                                                               base=Path(base).resolve())
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PresetError([Problem(f"cannot read preset: {getattr(exc, 'strerror', None) or exc}",
                                   file=str(path))]) from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise PresetError([Problem(f"not valid {path.suffix.lstrip('.').upper() or 'TOML'}: "
                                   f"{exc}", file=str(path))]) from None
    if not isinstance(data, dict):
        raise PresetError([Problem("a preset must be a table of keys", file=str(path))])
    return parse_preset(data, path=path)


def parse_preset(data: Mapping[str, Any], *, path: Path | None) -> Preset:
    """Check the structure of preset ``data`` and build a ``Preset``."""
    source = str(path) if path else f"<preset {data.get('name', 'dict')}>"
    problems: list[Problem] = []

    def problem(message, *, node=None, key=None):
        problems.append(Problem(message, file=source, node=node, key=key))

    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problem(f"unknown top-level key{did_you_mean(key, TOP_LEVEL_KEYS)}", key=key)
    version = data.get("texgen")
    if version is None:
        problem(f"missing format version: add 'texgen = {FORMAT_VERSION}' at the top",
                key="texgen")
    elif version != FORMAT_VERSION:
        problem(f"format version {version!r} is not supported: this texgen reads "
                f"version {FORMAT_VERSION}", key="texgen")

    name = data.get("name", path.stem if path else "preset")
    if not isinstance(name, str) or not name:
        problem("expected a non-empty string", key="name")
        name = "preset"
    size = _parse_size(data.get("size", 1024), problems, source)
    seed = data.get("seed", 0)
    _check_seed(seed, problems, source, "seed")
    tileable = data.get("tileable", True)
    if not isinstance(tileable, bool):
        problem("expected true or false", key="tileable")
    description = data.get("description", "")
    if not isinstance(description, str):
        problem("expected a string", key="description")

    parameters, derived, roles = {}, {}, {}
    for pname, table in _tables(data, "parameters", problem).items():
        if "role" in table:
            roles[pname] = table["role"]
        if is_expression(table.get("default")):
            derived[pname] = table["default"]
            if table.get("type") not in NUMERIC_TYPES:
                problem(f"an expression gives a number or true/false; a {table.get('type')} "
                        f"parameter's default is written as a value",
                        key=f"parameters.{pname}.default")
                continue
            # a valid stand-in until _derive computes it from the other parameters
            stand_in = False if table["type"] == "bool" else table.get("min", table.get("max", 0))
            table = {**table, "default": stand_in}
        param = _parse_parameter(pname, table, problem)
        if param is not None:
            parameters[pname] = param
    parameters = _derive(parameters, derived, source, problems)
    synonyms, words = _parse_vocabulary(data, parameters, roles, problem)

    nodes = {}
    for node_id, table in _tables(data, "nodes", problem).items():
        if not _NODE_ID.match(node_id):
            problem("a node id uses letters, digits, '_' and '-' (no '.', which separates "
                    "node and port)", node=node_id)
            continue
        node_type = table.get("type")
        if not isinstance(node_type, str):
            problem("missing the node's type, e.g. type = \"noise.perlin\"", node=node_id,
                    key="type")
            continue
        node_seed = table.get("seed")
        if node_seed is not None:
            _check_seed(node_seed, problems, source, "seed", node=node_id)
        values = {k: v for k, v in table.items() if k not in RESERVED_KEYS}
        nodes[node_id] = NodeEntry(node_id, node_type, values, node_seed)
    if "nodes" in data and not nodes and not problems:
        problem("the preset has no nodes", key="nodes")

    outputs = {}
    raw_outputs = data.get("outputs")
    if not isinstance(raw_outputs, dict) or not raw_outputs:
        problem("add an [outputs] table mapping output names to nodes", key="outputs")
        raw_outputs = {}
    for out_name, target in raw_outputs.items():
        fmt, normalize = None, False
        if isinstance(target, dict):
            for key in target:
                if key not in OUTPUT_KEYS:
                    problem(f"unknown key in output '{out_name}'{did_you_mean(key, OUTPUT_KEYS)}",
                            key=f"outputs.{out_name}.{key}")
            fmt, normalize = target.get("format"), target.get("normalize", False)
            target = target.get("node")
            if fmt is not None and not isinstance(fmt, str):
                problem("expected a format name such as \"png16\"",
                        key=f"outputs.{out_name}.format")
                fmt = None
            if not isinstance(normalize, bool):
                problem(f"expected true or false, got {normalize!r}",
                        key=f"outputs.{out_name}.normalize")
                normalize = False
        if not isinstance(target, str) or not target:
            problem("expected \"node\" or \"node.port\"", key=f"outputs.{out_name}")
            continue
        node, _, port = target.partition(".")
        outputs[out_name] = OutputEntry(out_name, node, port or None, fmt, normalize)

    if problems:
        raise PresetError(problems)
    return Preset(name=name, size=size, seed=seed, tileable=tileable, nodes=nodes,
                  outputs=outputs, parameters=parameters, description=description, path=path,
                  derived=derived, synonyms=synonyms, words=words, roles=roles)


def _tables(data, key, problem) -> dict[str, dict]:
    tables = data.get(key, {})
    if not isinstance(tables, dict):
        problem("expected a table", key=key)
        return {}
    good = {}
    for name, table in tables.items():
        if isinstance(table, dict):
            good[name] = table
        else:
            problem(f"expected a table [{key}.{name}]", key=f"{key}.{name}")
    return good


def _parse_vocabulary(data, parameters, roles, problem) -> tuple[tuple[str, ...], dict]:
    """The preset's ``synonyms`` and ``[words]`` (see ``Preset``), checked: each role is one
    the global word table knows, each word names exposed parameters, each change is one its
    parameter accepts (``texgen.describe.changes.check_change``)."""
    from texgen.describe.changes import check_change
    from texgen.describe.vocabulary import known_roles

    for pname, role in roles.items():
        param, key = parameters.get(pname), f"parameters.{pname}.role"
        if not isinstance(role, str) or role not in known_roles():
            problem(f"unknown role {role!r}{did_you_mean(str(role), known_roles())} (roles: "
                    f"{', '.join(sorted(known_roles()))})", key=key)
        elif param is None:
            continue
        elif role == "main_color" and param.type != "color":
            problem(f"role 'main_color' needs a color parameter; '{pname}' is a {param.type}",
                    key=key)
        elif role != "main_color" and (param.type not in ("int", "float") or param.min is None
                                       or param.max is None):
            problem(f"role '{role}' sets a position in the parameter's range: it needs an int "
                    f"or float parameter with min and max", key=key)
    synonyms = data.get("synonyms", [])
    if not isinstance(synonyms, list) or not all(isinstance(s, str) and s.strip()
                                                 for s in synonyms):
        problem("expected a list of names, e.g. [\"cobbles\", \"paving stones\"]",
                key="synonyms")
        synonyms = []
    words = {}
    for phrase, changes in _tables(data, "words", problem).items():
        for pname, change in changes.items():
            key = f"words.{phrase}.{pname}"
            if pname not in parameters:
                problem(f"unknown exposed parameter '{pname}'{did_you_mean(pname, parameters)}"
                        f" (exposed: {', '.join(sorted(parameters)) or 'none'})", key=key)
                continue
            message = check_change(parameters[pname], change)
            if message:
                problem(message, key=key)
        words[phrase] = dict(changes)
    return tuple(synonyms), words


def _derive(parameters: Mapping[str, Param], derived: Mapping[str, str], source: str,
            problems: list[Problem]) -> dict[str, Param]:
    """``parameters`` with the default of each ``derived`` parameter computed from the
    others' values, each after the ones it names. A loop, an expression in error and a value
    its parameter refuses are added to ``problems``, keyed ``parameters.NAME.default``."""
    parameters = dict(parameters)

    def problem(name: str, message: str) -> None:
        problems.append(Problem(message, file=source, key=f"parameters.{name}.default"))

    needs = {}
    for name, text in derived.items():
        try:
            needs[name] = expressions.references(text) & derived.keys()
        except ExpressionError as exc:
            problem(name, str(exc))
    try:
        order = list(graphlib.TopologicalSorter(needs).static_order())
    except graphlib.CycleError as exc:
        loop = list(reversed(exc.args[1]))
        problem(loop[0], f"exposed parameters derive from each other in a loop: "
                         f"{' -> '.join(loop)}")
        return parameters
    for name in order:
        if name not in needs or name not in parameters:  # its own problem is reported
            continue
        param, text, value = parameters[name], derived[name], None
        try:
            value = expressions.evaluate(text, parameters)
            parameters[name] = dataclasses.replace(param, default=param.coerce(value))
        except ExpressionError as exc:
            problem(name, str(exc))
        except ValueError as exc:
            problem(name, expressions.result_problem(text, value, exc))
    return parameters


def _parse_parameter(name, table, problem) -> Param | None:
    key = f"parameters.{name}"
    for k in table:
        if k not in PARAMETER_KEYS:
            problem(f"unknown key '{k}'{did_you_mean(k, PARAMETER_KEYS)}", key=key)
    if "type" not in table or "default" not in table:
        problem("an exposed parameter needs 'type' and 'default'", key=key)
        return None
    try:
        return Param(name, table["type"], table["default"], table.get("doc", ""),
                     min=table.get("min"), max=table.get("max"),
                     choices=tuple(table.get("choices", ())))
    except SpecError as exc:
        problem(str(exc).removeprefix(f"parameter '{name}': "), key=key)
        return None


def _parse_size(size, problems, source) -> tuple[int, int]:
    sides = [size, size] if isinstance(size, int) and not isinstance(size, bool) else size
    if (isinstance(sides, (list, tuple)) and len(sides) == 2
            and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= MAX_SIDE
                    for s in sides)):
        return int(sides[0]), int(sides[1])
    problems.append(Problem(f"expected a size in pixels (1..{MAX_SIDE}) or [width, height], "
                            f"got {size!r}", file=source, key="size"))
    return (1, 1)


def _check_seed(seed, problems, source, key, node=None) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        problems.append(Problem(f"expected an integer seed in 0..{SEED_MAX}, got {seed!r}",
                                file=source, node=node, key=key))
