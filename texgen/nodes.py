"""Node specs (``NodeSpec``, ``Param``, ``Port``), the values nodes receive, and the registry.

A node implementation is a plain function::

    def perlin(ctx: NodeContext, *, frequency: float, octaves: int, ...) -> np.ndarray

It receives the context first, then every input (a texture, or ``None`` for an optional
input left unconnected) and every parameter (already checked and converted) as keyword
arguments. It returns one texture, or a dict ``{port name: texture}`` when the spec has
several outputs. A texture is a float32 array of shape (H, W, C), C in {1, 3, 4}.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.metadata
import importlib.util
import json
import keyword
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from texgen.errors import SpecError, did_you_mean
from texgen.resources import ResourceCache

#: Port types and the channel count of the textures they carry ("any": decided at run time).
CHANNELS = {"gray": 1, "color": 3, "rgba": 4}
PORT_TYPES = (*CHANNELS, "any")
#: Keys of a preset's node table that are not parameters.
RESERVED_KEYS = ("type", "seed")

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
_HEX_COLOR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
SEED_MAX = 2**32 - 1


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name) or keyword.iskeyword(name):
        raise SpecError(f"{what} name {name!r} must be a lower_snake_case identifier")


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) < 40 else text[:37] + '...'}"


@dataclass(frozen=True)
class Port:
    """A typed input or output of a node.

    ``type`` is "gray" (C=1), "color" (C=3), "rgba" (C=4) or "any". An optional input may be
    left unconnected; the implementation then receives ``None``.

    ``same_as`` (an "any" output only) names the inputs whose channel count it carries:
    ``same_as="input"`` is "the same channel count as input 'input'"; with several names it
    is the largest count among those connected (a gray operand promoted). Validation
    follows it through the graph, so a color reaching a gray input through "any" ports is
    reported before anything renders. Without it the count is known only when the node
    runs, and checked then.
    """

    name: str
    type: str = "gray"
    doc: str = ""
    optional: bool = False
    same_as: tuple[str, ...] = ()

    def __post_init__(self):
        _check_name(self.name, "port")
        if self.type not in PORT_TYPES:
            raise SpecError(f"port '{self.name}': type must be one of {', '.join(PORT_TYPES)}, "
                            f"not {self.type!r}")
        same_as = (self.same_as,) if isinstance(self.same_as, str) else tuple(self.same_as)
        object.__setattr__(self, "same_as", same_as)
        if same_as and self.type != "any":
            raise SpecError(f"port '{self.name}': same_as is for \"any\" outputs; a "
                            f"{self.type} port's channel count is fixed")


@dataclass(frozen=True)
class Param:
    """A typed node parameter with a default, an optional range or choices, and a doc line.

    Types and the Python values an implementation receives:

    ========  ==========================================================  ====================
    type      accepted in a preset                                        received as
    ========  ==========================================================  ====================
    int       integer (``min``/``max`` inclusive)                         ``int``
    float     number (``min``/``max`` inclusive)                          ``float``
    bool      true / false                                                ``bool``
    enum      one of ``choices``                                          ``str``
    color     "#rgb", "#rrggbb", "#rrggbbaa" or [r, g, b(, a)] in 0..1    4-tuple of floats
    gradient  [[position, color], ...], positions in 0..1                 tuple of (pos, rgba)
    string    text                                                        ``str``
    path      file path, relative to the preset's folder, or              resolved ``Path``,
              "pkg:PACKAGE/path" inside an installed package              ``None`` if unset
    seed      integer in 0..2**32-1                                       ``int``
    ========  ==========================================================  ====================

    Colors are taken as written (no transfer function): "#808080" is 0.502 in the graph and
    in an 8-bit file, as in Substance Designer's graph values. What depends on the type
    (checking, JSON Schema, display) is its record in ``PARAM_TYPES``. ``doc`` says what the
    parameter means; the default and range are rendered from the fields (``summary``), so
    the doc does not repeat them. A path without a default must be set, unless
    ``optional``: then the node receives ``None`` when it is left out.
    """

    name: str
    type: str
    default: Any
    doc: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False

    def __post_init__(self):
        _check_name(self.name, "parameter")
        if self.name in RESERVED_KEYS:
            raise SpecError(f"parameter '{self.name}': the name is reserved for preset keys")
        if self.type not in PARAM_TYPES:
            raise SpecError(f"parameter '{self.name}': type must be one of "
                            f"{', '.join(PARAM_TYPES)}, not {self.type!r}"
                            f"{did_you_mean(str(self.type), PARAM_TYPES)}")
        if self.type == "enum" and not self.choices:
            raise SpecError(f"parameter '{self.name}': an enum needs choices")
        object.__setattr__(self, "choices", tuple(self.choices))
        if self.type == "path" and not (self.default is None
                                        or isinstance(self.default, str) and self.default):
            raise SpecError(f"parameter '{self.name}': a path's default is None (unset) or a "
                            f"file path, not {self.default!r}")
        if self.type_info.coerce_default:
            try:
                object.__setattr__(self, "default", self.coerce(self.default))
            except ValueError as exc:
                raise SpecError(f"parameter '{self.name}': default {self.default!r} is invalid: "
                                f"{exc}") from None

    @property
    def type_info(self) -> ParamType:
        """The record of this parameter's type in ``PARAM_TYPES``."""
        return PARAM_TYPES[self.type]

    def coerce(self, value: Any, *, base_dir: Path | None = None) -> Any:
        """Check ``value`` against this parameter and return it converted.

        Raises ``ValueError`` with a message that says what was expected. The engine calls
        this when it reads a preset's overrides and builds its graph; implementations
        receive the result and do not check it again.
        """
        return self.type_info.coerce(self, value, base_dir=base_dir)

    @property
    def shown_default(self) -> str:
        """The default as a preset file writes it ("#9c4a33" for a color)."""
        return self.type_info.show(self.default)

    @property
    def allowed(self) -> str:
        """The values accepted, from ``min``/``max`` ("1..16", "0.0..inf") or ``choices``
        ("none, fbm"); "" when any value of the type is accepted."""
        if self.choices:
            return ", ".join(self.choices)
        if self.min is None and self.max is None:
            return ""
        low = "-inf" if self.min is None else json.dumps(self.min)
        high = "inf" if self.max is None else json.dumps(self.max)
        return f"{low}..{high}"

    @property
    def summary(self) -> str:
        """Type, default and accepted values, generated from the fields so that no doc
        string repeats (and drifts from) them: 'int; default 5; range 1..16',
        'enum; default "fbm"; one of none, fbm'."""
        parts = [self.type, f"default {self.shown_default}"]
        if self.allowed:
            parts.append(f"{'one of' if self.choices else 'range'} {self.allowed}")
        return "; ".join(parts)

    @property
    def doc_line(self) -> str:
        """The doc followed by the summary in parentheses: the full line shown to people."""
        return f"{self.doc} ({self.summary})".strip()

    def _in_range(self, value):
        if self.min is not None and value < self.min:
            raise ValueError(f"expected a value >= {self.min}, got {value}")
        if self.max is not None and value > self.max:
            raise ValueError(f"expected a value <= {self.max}, got {value}")
        return value


@dataclass(frozen=True)
class NodeSpec:
    """What a node is: id, doc, typed ports and parameters, and where its code lives.

    ``fn`` is the implementation, or a "module:function" string imported on first use so
    that listing nodes never imports heavy modules. ``backends`` lists where the node can
    run; on another backend it runs on the CPU with host copies of its inputs. ``id`` is the
    plugin-local name ("perlin"); the registry prefixes the plugin's name ("noise.perlin").
    Bump ``version`` whenever the output for the same parameters changes: it is part of the
    cache key.

    ``check`` (optional) checks relations between parameters that no single range can
    express (``from_low != from_high``): called at validation with the node's converted
    parameters, it returns ``(parameter name, message)`` pairs, empty when all is well;
    each becomes a problem naming file, node and parameter. Implementations may call it too
    (raising ``param_error`` for the first pair) so direct calls are checked the same way.

    ``scratch`` declares the temporary memory the implementation holds at its peak besides
    its inputs and outputs, in bytes per output pixel (8 for one full-size float64 gray
    temporary, 12 for one float32 color temporary; default 0). The engine's memory estimate
    adds it to the results alive while the node runs (``texgen.graph.memory_plan``).
    """

    id: str
    fn: Callable[..., Any] | str
    doc: str
    inputs: tuple[Port, ...] = ()
    outputs: tuple[Port, ...] = (Port("out", "gray"),)
    params: tuple[Param, ...] = ()
    version: int = 1
    backends: tuple[str, ...] = ("cpu",)
    check: Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]] | None = None
    scratch: float = 0
    plugin: str = ""
    _loaded: list = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self):
        for name in ("inputs", "outputs", "params", "backends"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def validate(self) -> None:
        """Raise ``SpecError`` if the spec is malformed."""
        local = self.id.rpartition(".")[2] if self.plugin else self.id
        if not isinstance(local, str) or not _NAME.match(local):
            raise SpecError(f"node id {self.id!r} must be lower_snake_case")
        where = f"node '{self.id}'"
        if not isinstance(self.doc, str) or not self.doc.strip():
            raise SpecError(f"{where}: needs a one-line doc")
        if not isinstance(self.version, int) or self.version < 1:
            raise SpecError(f"{where}: version must be a positive integer")
        if not (callable(self.fn) or (isinstance(self.fn, str) and ":" in self.fn)):
            raise SpecError(f"{where}: fn must be callable or a 'module:function' string")
        if not set(self.backends) <= {"cpu", "cuda"} or "cpu" not in self.backends:
            raise SpecError(f"{where}: backends must include 'cpu' and may add 'cuda'")
        if not self.outputs:
            raise SpecError(f"{where}: needs at least one output")
        for group, kind in ((self.inputs, Port), (self.outputs, Port), (self.params, Param)):
            for item in group:
                if not isinstance(item, kind):
                    raise SpecError(f"{where}: {item!r} is not a {kind.__name__}")
        if isinstance(self.scratch, bool) or not isinstance(self.scratch, (int, float)) \
                or not 0 <= self.scratch < float("inf"):
            raise SpecError(f"{where}: scratch must be bytes per pixel, a number >= 0, not "
                            f"{self.scratch!r}")
        if self.check is not None and not callable(self.check):
            raise SpecError(f"{where}: check must be a function (params) -> problems")
        for port in self.outputs:
            unknown = [n for n in port.same_as if self.input(n) is None]
            if unknown:
                raise SpecError(f"{where}: output '{port.name}': same_as names no input "
                                f"{', '.join(map(repr, unknown))}")
        for port in self.inputs:
            if port.same_as:
                raise SpecError(f"{where}: input '{port.name}': same_as is for outputs")
        names = [p.name for p in self.inputs] + [p.name for p in self.params]
        for group in (names, [p.name for p in self.outputs]):
            dupes = sorted({n for n in group if group.count(n) > 1})
            if dupes:
                raise SpecError(f"{where}: duplicate names {', '.join(dupes)}")

    def load(self) -> Callable[..., Any]:
        """The implementation function, importing its module on first use."""
        if callable(self.fn):
            return self.fn
        if not self._loaded:
            module_name, _, attr = self.fn.partition(":")
            try:
                self._loaded.append(getattr(importlib.import_module(module_name), attr))
            except (ImportError, AttributeError) as exc:
                raise SpecError(f"node '{self.id}': cannot load {self.fn!r}: {exc}") from exc
        return self._loaded[0]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def input(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> Port | None:
        return next((p for p in self.outputs if p.name == name), None)


@dataclass(frozen=True)
class NodeContext:
    """What a node knows of the render it runs in.

    ``width``/``height`` are the output size in pixels; ``seed`` is this node's own seed
    (0..2**32-1, stable per preset seed and node id); ``backend`` is "cpu" or "cuda";
    ``tileable`` asks generators and filters to wrap around the edges; ``resources`` is
    the engine's cache of loaded files (``texgen.resources.ResourceCache``; a fresh empty
    one when a node is called directly).
    """

    node_id: str
    width: int
    height: int
    seed: int
    backend: str = "cpu"
    tileable: bool = True
    resources: ResourceCache = field(default_factory=ResourceCache, compare=False, repr=False)

    def rng(self) -> np.random.Generator:
        """A NumPy generator seeded from this node's seed."""
        return np.random.Generator(np.random.PCG64(self.seed))

    def empty(self, port_type: str = "gray") -> np.ndarray:
        """An uninitialised float32 texture of this size for a port type."""
        return np.empty((self.height, self.width, CHANNELS[port_type]), np.float32)


class NodeRegistry:
    """Registered node specs by full id ("plugin.node")."""

    def __init__(self):
        self._specs: dict[str, NodeSpec] = {}
        #: Why a plugin's nodes are missing, by plugin name ("is blocked", "failed to load:
        #: ..."): an unknown node type of that plugin says so rather than suggest another.
        self.unavailable: dict[str, str] = {}

    def add(self, spec: NodeSpec, plugin: str) -> NodeSpec:
        """Validate ``spec``, namespace it by ``plugin`` and add it; return the stored spec."""
        if not isinstance(spec, NodeSpec):
            raise SpecError(f"plugin '{plugin}' registered {spec!r}, which is not a NodeSpec")
        if "." in spec.id:
            raise SpecError(f"node id {spec.id!r}: give the plugin-local name; the registry "
                            f"adds the '{plugin}.' prefix")
        spec.validate()
        full = dataclasses.replace(spec, id=f"{plugin}.{spec.id}", plugin=plugin, _loaded=[])
        if full.id in self._specs:
            raise SpecError(f"duplicate node id '{full.id}' (already registered by plugin "
                            f"'{self._specs[full.id].plugin}')")
        self._specs[full.id] = full
        return full

    def get(self, node_id: str) -> NodeSpec:
        try:
            return self._specs[node_id]
        except KeyError:
            plugin = node_id.partition(".")[0]
            why = (f": plugin '{plugin}' {self.unavailable[plugin]}"
                   if plugin in self.unavailable else did_you_mean(node_id, self._specs))
            raise KeyError(f"unknown node type '{node_id}'{why}") from None

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._specs

    def __iter__(self):
        return iter(sorted(self._specs.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._specs)

    def ids(self) -> list[str]:
        return sorted(self._specs)


class ParamValueError(ValueError):
    """A bad parameter value found by a node (see ``param_error``): ``node_id``, ``name``
    (the parameter) and ``problem`` say where and what, so that the evaluator reports it as
    bad input (exit 2), not as a failed render."""

    def __init__(self, node_id: str, name: str, problem: str):
        super().__init__(f"node '{node_id}', parameter '{name}': {problem}")
        self.node_id, self.name, self.problem = node_id, name, problem


def param_error(node_id: str, name: str, problem: str) -> ParamValueError:
    """A ``ValueError`` for a bad parameter value, naming the node and the parameter.

    Ranges and choices are checked when a preset loads, relations between parameters by
    the spec's ``check``; this is for what only the node can check while it runs (a
    parameter's text, a file it names). Raised from a node, it becomes an input error
    (``texgen.errors.NodeInputError``, exit 2) naming file, node and parameter.
    """
    return ParamValueError(node_id, name, problem)


def port_accepts(input_type: str, output_type: str) -> bool:
    """Whether an output of ``output_type`` may feed an input of ``input_type``.

    "any" on either side is accepted here and checked against the real channel count when
    the node runs; otherwise the types must match (no silent broadcast).
    """
    return "any" in (input_type, output_type) or input_type == output_type


def check_texture(value: Any, port: Port, *, height: int, width: int) -> Any:
    """Raise ``ValueError`` unless ``value`` is a texture that fits ``port`` at this size.

    ``value`` is a NumPy array, or a Numba CUDA device array on the cuda backend. Returns
    it C-contiguous (NumPy arrays are made so; a strided device array is an error). A NumPy
    texture must be finite: a NaN or infinity would be written as an arbitrary pixel value
    far from the node that made it, so it is refused here, naming the port. (Device
    arrays are not scanned: that would cost a host copy.)
    """
    on_device = not isinstance(value, np.ndarray) and hasattr(value, "copy_to_host")
    if not (isinstance(value, np.ndarray) or on_device):
        raise ValueError(f"port '{port.name}': expected a NumPy or CUDA device array, got "
                         f"{type(value).__name__}")
    shape, dtype = tuple(value.shape), np.dtype(value.dtype)
    if dtype != np.float32 or len(shape) != 3 or shape[2] not in (1, 3, 4):
        raise ValueError(f"port '{port.name}': expected float32 (H, W, C) with C in 1, 3, 4; "
                         f"got {dtype} {shape}")
    if shape[:2] != (height, width):
        raise ValueError(f"port '{port.name}': expected {height}x{width} pixels, got "
                         f"{shape[0]}x{shape[1]}")
    if port.type != "any" and shape[2] != CHANNELS[port.type]:
        raise ValueError(f"port '{port.name}' is {port.type} ({CHANNELS[port.type]} channels), "
                         f"got {shape[2]} channels")
    if on_device:
        if not value.is_c_contiguous():
            raise ValueError(f"port '{port.name}': device array is not C-contiguous")
        return value
    # One fast pass, no temporary: a NaN or infinity makes the sum non-finite (so may a
    # huge but finite total, hence the count before refusing).
    with np.errstate(over="ignore"):
        total = np.sum(value)
    if not np.isfinite(total):
        bad = value.size - np.count_nonzero(np.isfinite(value))
        if bad:
            raise ValueError(f"port '{port.name}': {bad} of {value.size} values are NaN or "
                             f"infinite")
    return np.ascontiguousarray(value)


def channel_type(texture: np.ndarray) -> str:
    """The port type matching a texture's channel count."""
    return {1: "gray", 3: "color", 4: "rgba"}[texture.shape[2]]


def parse_color(value: Any) -> tuple[float, float, float, float]:
    """A color as an RGBA tuple of floats in 0..1, from "#rgb", "#rrggbb(aa)" or [r, g, b(, a)]."""
    if isinstance(value, str):
        if not _HEX_COLOR.match(value):
            raise ValueError(f"expected a color like '#a0b1c2', got {value!r}")
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        channels = [int(digits[i:i + 2], 16) / 255.0 for i in range(0, len(digits), 2)]
    elif isinstance(value, (list, tuple)) and len(value) in (3, 4) and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) and 0 <= c <= 1
            for c in value):
        channels = [float(c) for c in value]
    else:
        raise ValueError(f"expected a color like '#a0b1c2' or [r, g, b] in 0..1, "
                         f"got {_show(value)}")
    if len(channels) == 3:
        channels.append(1.0)
    return tuple(channels)


def parse_gradient(value: Any) -> tuple[tuple[float, tuple[float, ...]], ...]:
    """Gradient stops [[position, color], ...] as a tuple sorted by position."""
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(f"expected a list of [position, color] stops, got {_show(value)}")
    stops = []
    for i, stop in enumerate(value):
        if not isinstance(stop, (list, tuple)) or len(stop) != 2:
            raise ValueError(f"stop {i}: expected [position, color], got {_show(stop)}")
        position, color = stop
        if isinstance(position, bool) or not isinstance(position, (int, float)) \
                or not 0 <= position <= 1:
            raise ValueError(f"stop {i}: position must be a number in 0..1, got {_show(position)}")
        try:
            stops.append((float(position), parse_color(color)))
        except ValueError as exc:
            raise ValueError(f"stop {i}: {exc}") from None
    return tuple(sorted(stops, key=lambda s: s[0]))


@dataclass(frozen=True)
class ParamType:
    """Everything that depends on a parameter's type, in one record, so that a new type is
    one entry of ``PARAM_TYPES``.

    ``coerce(param, value, base_dir=...)`` checks a preset value and returns what the
    implementation receives (``ValueError`` says what was expected). ``schema(param,
    exposed)`` is the JSON Schema of a value written in a preset; ``exposed`` is the schema
    of an exposed "$name" reference, for the parts of a value that may be one (a gradient
    stop's position or color). ``show(value)`` writes a converted value as a preset does.
    ``parse_text``: a command-line value (``--set NAME=TEXT``) is read as a TOML value
    first ("6" is 6), rather than taken as the text itself. ``coerce_default``: the spec's
    default is converted when the ``Param`` is made; a path default stays as written (``None``
    for unset, or a path the graph resolves against the preset that uses it).
    """

    coerce: Callable[..., Any]
    schema: Callable[[Param, dict[str, Any]], dict[str, Any]]
    show: Callable[[Any], str] = json.dumps
    parse_text: bool = True
    coerce_default: bool = True


def _coerce_int(param: Param, value: Any, *, base_dir: Path | None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if not (isinstance(value, float) and value.is_integer()):
            raise ValueError(f"expected an integer, got {_show(value)}")
    return param._in_range(int(value))


def _coerce_seed(param: Param, value: Any, *, base_dir: Path | None) -> int:
    value = _coerce_int(param, value, base_dir=base_dir)
    if not 0 <= value <= SEED_MAX:
        raise ValueError(f"expected a seed in 0..{SEED_MAX}, got {value}")
    return value


def _coerce_float(param: Param, value: Any, *, base_dir: Path | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"expected a number, got {_show(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return param._in_range(value)


def _coerce_bool(param: Param, value: Any, *, base_dir: Path | None) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"expected true or false, got {_show(value)}")
    return bool(value)


def _coerce_enum(param: Param, value: Any, *, base_dir: Path | None) -> str:
    if value not in param.choices:
        raise ValueError(f"expected one of {', '.join(map(repr, param.choices))}, got "
                         f"{_show(value)}{did_you_mean(str(value), param.choices)}")
    return value


def _coerce_string(param: Param, value: Any, *, base_dir: Path | None) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {_show(value)}")
    return value


PACKAGE_PATH_PREFIX = "pkg:"


def _coerce_path(param: Param, value: Any, *, base_dir: Path | None) -> Path:
    """A set path, resolved: relative to ``base_dir`` (the preset's folder), else to the
    working directory; ``"pkg:PACKAGE/inside/it"`` names a file shipped inside an installed
    Python package (a plugin's model, say), wherever pip put it. An empty string is an
    error, not "the folder": unset is ``None``."""
    if not _coerce_string(param, value, base_dir=base_dir).strip():
        raise ValueError("expected a file path, got an empty string (leave the key out to "
                         "leave it unset)")
    if value.startswith(PACKAGE_PATH_PREFIX):
        return package_path(value[len(PACKAGE_PATH_PREFIX):])
    return ((base_dir or Path.cwd()) / value).resolve()


def package_path(reference: str) -> Path:
    """The file ``"PACKAGE/inside/it"`` inside an installed package's folder.

    The package is found without importing it (``importlib.util.find_spec``), so naming a
    plugin's data does not run its code. ValueError when no such package is installed.
    """
    package, _, inside = reference.partition("/")
    spec = importlib.util.find_spec(package) if package.isidentifier() else None
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"no installed package {package!r} (a 'pkg:' path is "
                         f"'pkg:PACKAGE/path/inside/it')")
    return (Path(next(iter(spec.submodule_search_locations))) / inside).resolve()


def package_reference(path: Path) -> str | None:
    """``"pkg:PACKAGE/inside/it"`` for a file inside the folder of texgen or of a plugin's
    top-level package (entry-point group "texgen"), else None: the inverse of
    ``package_path`` for the files presets name, so records name shipped files the same
    way on every machine (an editable install's folder need not be named as its package)."""
    path = Path(path).resolve()
    for name, folder in _plugin_package_folders():
        if path.is_relative_to(folder):
            return f"{PACKAGE_PATH_PREFIX}{name}/{path.relative_to(folder).as_posix()}"
    return None


@functools.cache
def _plugin_package_folders() -> tuple[tuple[str, Path], ...]:
    """(name, folder) of texgen and of each installed plugin's top-level package, by name:
    looked up once per process (a build records files for every job)."""
    names = {"texgen"} | {point.module.partition(".")[0] for point in
                          importlib.metadata.entry_points(group="texgen")}
    folders = []
    for name in sorted(names):
        try:
            folders.append((name, package_path(name)))
        except ValueError:
            continue
    return tuple(folders)


def _show_color(value: tuple[float, ...]) -> str:
    """An RGBA color as "#rrggbb", or "#rrggbbaa" when it is not opaque."""
    channels = value if value[3] != 1.0 else value[:3]
    return "#" + "".join(f"{round(c * 255):02x}" for c in channels)


def _show_gradient(value) -> str:
    return json.dumps([[position, _show_color(color)] for position, color in value])


def _bounded(json_type: str):
    def schema(param: Param, exposed: dict[str, Any]) -> dict[str, Any]:
        bounds = (("minimum", param.min), ("maximum", param.max))
        return {"type": json_type, **{k: v for k, v in bounds if v is not None}}

    return schema


def _color_schema(param: Param, exposed: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [{"type": "string", "pattern": _HEX_COLOR.pattern},
                      {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
                       "minItems": 3, "maxItems": 4}]}


def _gradient_schema(param: Param, exposed: dict[str, Any]) -> dict[str, Any]:
    position = {"type": "number", "minimum": 0, "maximum": 1}
    return {"type": "array", "minItems": 1, "items": {
        "type": "array", "minItems": 2, "maxItems": 2,
        "prefixItems": [{"anyOf": [position, exposed]},
                        {"anyOf": [*_color_schema(param, exposed)["anyOf"], exposed]}]}}


def _string_schema(param: Param, exposed: dict[str, Any]) -> dict[str, Any]:
    return {"type": "string"}


#: Parameter types by name: what a preset may write, what implementations receive, and
#: how the type appears in the JSON Schema, the CLI and the docs (see ``Param``).
PARAM_TYPES: dict[str, ParamType] = {
    "int": ParamType(_coerce_int, _bounded("integer")),
    "float": ParamType(_coerce_float, _bounded("number")),
    "bool": ParamType(_coerce_bool, lambda param, exposed: {"type": "boolean"}),
    "enum": ParamType(_coerce_enum, lambda param, exposed: {"enum": list(param.choices)},
                      parse_text=False),
    "color": ParamType(lambda param, value, *, base_dir: parse_color(value), _color_schema,
                       show=_show_color),
    "gradient": ParamType(lambda param, value, *, base_dir: parse_gradient(value),
                          _gradient_schema, show=_show_gradient),
    "string": ParamType(_coerce_string, _string_schema, parse_text=False),
    "path": ParamType(_coerce_path, lambda param, exposed: {"type": "string", "minLength": 1},
                      show=lambda value: "unset" if value is None else json.dumps(str(value)),
                      parse_text=False, coerce_default=False),
    "seed": ParamType(_coerce_seed,
                      lambda param, exposed: {"type": "integer", "minimum": 0,
                                              "maximum": SEED_MAX}),
}
