"""The ``Engine``: plugins, node registry, exporters, preset folders and the result cache.

An engine holds all of its state; two engines in one process share nothing. Typical use::

    engine = Engine()
    textures = engine.render("marble", size=512, overrides={"vein_scale": 6})
    report = engine.save("presets/marble.toml", "out/", seed=3)
    report = engine.save_frames("clouds", "out/", frames=16)  # a loop over "phase"
    batch = engine.save_batch(["a.toml", "b.toml"], "out/", keep_going=True)
"""

from __future__ import annotations

import dataclasses
import os
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from texgen.backend import resolve_backend, to_host
from texgen.errors import (
    InputError,
    PluginError,
    PresetError,
    Problem,
    SpecError,
    TexgenError,
    did_you_mean,
)
from texgen.evaluate import NodeEvent, ResultCache, evaluate, stream_outputs
from texgen.graph import Graph, Link, build_graph
from texgen.io import (
    ClippedValuesWarning,
    Exporter,
    OutOfRange,
    StagedFiles,
    check_output_folder,
    file_name_problem,
    output_path,
    pixel_limit,
    role_options,
    write_output,
)
from texgen.nodes import CHANNELS, NodeRegistry
from texgen.plugins import (
    PluginInfo,
    PluginPolicy,
    load_plugins,
    module_name,
    new_plugin_manager,
    record,
    register_plugin,
)
from texgen.preset import OutputEntry, Preset, load_preset
from texgen.resources import ResourceCache
from texgen.roles import channel_problem

PresetSource = str | os.PathLike | Mapping[str, Any] | Preset
PRESET_SUFFIXES = (".toml", ".json")
MAX_FRAMES = 10000


@dataclass
class RenderReport:
    """What ``Engine.save`` or ``save_frames`` did: the files written (each a dict of
    ``output``, ``path``, ``format`` and, for frames, ``frame``), how much was computed, and
    ``frames`` (None for a single image).

    A file written by a format that clips to [0, 1] (png8, png16) has ``out_of_range``
    (``below``/``above``: fractions of pixels, ``low``/``high``: extreme values) when values
    were clipped, or ``normalized_from`` ([min, max] rescaled to [0, 1]) for an output
    marked ``normalize``. ``warnings`` has one line per output that was clipped (over all
    frames), also issued as a ``texgen.io.ClippedValuesWarning``.
    """

    preset: str
    size: tuple[int, int]
    seed: int
    files: list[dict[str, Any]] = field(default_factory=list)
    computed: int = 0
    cached: int = 0
    seconds: float = 0.0
    frames: int | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        frames = {} if self.frames is None else {"frames": self.frames}
        return {"preset": self.preset, "size": list(self.size), "seed": self.seed, **frames,
                "files": self.files, "nodes_computed": self.computed,
                "nodes_cached": self.cached, "seconds": round(self.seconds, 4),
                "warnings": self.warnings}


@dataclass
class BatchFailure:
    """A preset of ``Engine.save_batch`` that failed: as it was given, and its error: an
    ``InputError`` (bad input, exit code 2) or another ``TexgenError`` (a failed render,
    exit code 1)."""

    preset: str
    error: TexgenError

    @property
    def exit_code(self) -> int:
        return 2 if isinstance(self.error, InputError) else 1


@dataclass
class BatchReport:
    """What ``Engine.save_batch`` did: a report per preset rendered, a failure per preset
    that was not. ``exit_code`` is 0 with no failures, else 2 if any was bad input, else 1."""

    reports: list[RenderReport] = field(default_factory=list)
    failures: list[BatchFailure] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return max((failure.exit_code for failure in self.failures), default=0)


def _plugin_line(exc: BaseException, hook: Callable[..., Any]) -> str:
    """Where in the plugin ``exc`` came from, as ``" (at FILE:LINE)"``: the innermost line
    of the hook's own package in its traceback ("" if none). A ``Param`` or ``Port``
    refused while a hook builds its specs raises before any ``NodeSpec`` exists, so this
    line is what tells the author which node it was."""
    package = hook.__module__.partition(".")[0]
    lines = [(frame.f_code.co_filename, line)
             for frame, line in traceback.walk_tb(exc.__traceback__)
             if frame.f_globals.get("__name__", "").partition(".")[0] == package]
    return f" (at {lines[-1][0]}:{lines[-1][1]})" if lines else ""


def raise_failures(failures: list[BatchFailure]) -> None:
    """Raise the error of the one failure, or an ``InputError`` listing every failure's
    (a batch stopped by bad presets before anything rendered)."""
    if len(failures) == 1:
        raise failures[0].error
    raise InputError("\n".join(str(failure.error) for failure in failures))


class _PlannedFile(NamedTuple):
    exporter: Exporter
    path: Path
    normalize: bool
    options: dict[str, Any]
    #: the exporter was named (--format), not chosen from the output (``output_exporter``)
    forced: bool = False


@dataclass
class _SaveJob:
    """A save checked and planned, not yet rendered: per frame (one for a still image) its
    graph, planned files and frame index, and the report to fill."""

    report: RenderReport
    steps: list[tuple[Graph, dict[str, _PlannedFile], int | None]]
    seconds: float


class Engine:
    """Plugins, nodes, exporters and a result cache, with render and save.

    Keyword-only options (``None`` reads the environment, see ``texgen.plugins``):
    ``entry_points`` loads installed plugins (default True); ``plugins`` adds plugin
    objects by name, as ``{name: module_or_object}``; ``allow``/``block`` name plugins to
    load or skip; ``strict`` makes any plugin problem an error; ``max_pixels`` limits the
    render size (default 8192², env ``TEXGEN_MAX_PIXELS``); ``max_bytes`` limits the
    memory a render may need (``memory_estimate``; default 80% of the machine's physical
    memory, env ``TEXGEN_MAX_BYTES``); ``cache_bytes`` bounds the in-memory result cache
    (default 2 GiB; 0 keeps nothing, as ``texgen render`` does for one-shot renders).

    ``cache`` holds node results by content key; ``resources`` holds what nodes loaded
    from files (models and their factors, ``texgen.resources``). Both belong to this
    engine alone.
    """

    def __init__(self, *, entry_points: bool = True, plugins: Mapping[str, object] = (),
                 allow: Iterable[str] | None = None, block: Iterable[str] | None = None,
                 strict: bool | None = None, max_pixels: int | None = None,
                 max_bytes: int | None = None, cache_bytes: int = 2 << 30):
        self.policy = PluginPolicy.from_env(allow=allow, block=block, strict=strict)
        self.max_pixels = max_pixels or pixel_limit()
        limit = max_bytes or os.environ.get("TEXGEN_MAX_BYTES")
        physical = _physical_memory()
        self.max_bytes = int(limit) if limit else int(0.8 * physical) if physical else None
        self.manager = new_plugin_manager()
        self.registry = NodeRegistry()
        self.exporters: dict[str, Exporter] = {}
        self.targets: dict[str, Any] = {}  # name -> texgen.build.targets.Target
        self.preset_dirs: list[Path] = []
        self.cache = ResultCache(cache_bytes)
        self.resources = ResourceCache()
        self.plugins: list[PluginInfo] = []
        for info in load_plugins(self.manager, self.policy, entry_points=entry_points):
            self._adopt(info)
        for name, plugin in dict(plugins).items():
            self.add_plugin(plugin, name=name)

    # --- plugins ------------------------------------------------------------------------

    def add_plugin(self, plugin: object, *, name: str) -> PluginInfo:
        """Register a plugin object (a module or an object with hook methods) by name."""
        info = PluginInfo(name, module_name(plugin), source="api")
        if any(p.name == name for p in self.plugins):
            record(info, f"plugin name '{name}' is already taken", self.policy, failed=True)
        else:
            register_plugin(self.manager, plugin, info, self.policy)
        self._adopt(info)
        return info

    def _adopt(self, info: PluginInfo) -> None:
        self.plugins.append(info)
        if info.status != "loaded":
            self._note_unavailable(info)
            return
        self.call_each(info, "register_nodes", register=lambda spec: self._add_node(spec, info))
        self.call_each(info, "register_exporters",
                       register=lambda exporter: self._add_exporter(exporter, info))
        self.call_each(info, "register_targets",
                       register=lambda target: self._add_target(target, info))
        self.call_each(info, "register_preset_dirs",
                       register=lambda path: self._add_preset_dir(path, info))

    def _note_unavailable(self, info: PluginInfo) -> None:
        """Tell the registry why the nodes of a blocked or failed plugin are missing, so
        that a preset naming one gets the reason (unless a loaded plugin holds the name:
        a third-party ``noise`` refused beside the built-in)."""
        if any(p.name == info.name and p.status == "loaded" for p in self.plugins):
            return
        self.registry.unavailable[info.name] = (
            "is blocked (TEXGEN_PLUGINS, TEXGEN_BLOCK_PLUGINS)" if info.status == "blocked"
            else f"failed to load: {info.errors[0]}")

    def call_each(self, info: PluginInfo, hook_name: str, **kwargs: Any) -> None:
        """Call one plugin's implementation of a hook; record a failure against it."""
        for impl in getattr(self.manager.hook, hook_name).get_hookimpls():
            if impl.plugin_name != info.name:
                continue
            try:
                impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            except PluginError:
                raise  # strict mode, raised by record() from inside a register callback
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop others
                record(info, f"{hook_name} failed: {type(exc).__name__}: {exc}"
                             f"{_plugin_line(exc, impl.function)}", self.policy, failed=True)

    def _add_node(self, spec, info: PluginInfo) -> None:
        try:
            info.nodes.append(self.registry.add(spec, info.name).id)
        except SpecError as exc:
            record(info, f"invalid node spec: {exc}", self.policy)

    def _add_exporter(self, exporter, info: PluginInfo) -> None:
        if not isinstance(exporter, Exporter):
            record(info, f"register_exporters: {exporter!r} is not an Exporter", self.policy)
        elif exporter.format in self.exporters:
            record(info, f"duplicate format '{exporter.format}'", self.policy)
        else:
            self.exporters[exporter.format] = exporter
            info.exporters.append(exporter.format)

    def _add_target(self, target, info: PluginInfo) -> None:
        from texgen.build.targets import Target

        if not isinstance(target, Target):
            record(info, f"register_targets: {target!r} is not a Target", self.policy)
        elif target.name in self.targets:
            record(info, f"duplicate target '{target.name}'", self.policy)
        else:
            self.targets[target.name] = target
            info.targets.append(target.name)

    def _add_preset_dir(self, path, info: PluginInfo) -> None:
        self.preset_dirs.append(Path(path))
        info.preset_dirs.append(str(path))

    def plugin_problems(self) -> list[str]:
        """Every recorded plugin problem as ``plugin: message`` lines."""
        return [f"{p.name}: {e}" for p in self.plugins for e in p.errors]

    # --- presets ------------------------------------------------------------------------

    def preset_folders(self) -> list[Path]:
        """The folders preset names are looked up in, in order: ``presets`` in the working
        directory, then the folders plugins registered (``register_preset_dirs``)."""
        return [Path("presets"), *self.preset_dirs]

    def find_presets(self) -> dict[str, Path]:
        """Preset files by name, from the ``preset_folders`` (the first of a name wins)."""
        found: dict[str, Path] = {}
        for folder in self.preset_folders():
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.suffix in PRESET_SUFFIXES:
                        found.setdefault(path.stem, path)
        return found

    def load_preset(self, preset: PresetSource, *,
                    base: str | os.PathLike | None = None) -> Preset:
        """A ``Preset`` from a path, a preset name, a dict, or a ``Preset``.

        ``base`` is a folder: a dict reads its relative paths (image files, instanced
        presets) from it, as the file it was loaded from would; a name or relative path is
        looked for in it first. A path is otherwise relative to the working directory; a
        name (no folder, no suffix) is then looked up in ``preset_folders``.
        """
        if isinstance(preset, Preset):
            return preset
        if isinstance(preset, Mapping):
            return load_preset(preset, base=base)
        if not isinstance(preset, str | os.PathLike):
            raise InputError(f"expected a preset name, file path, dict or Preset, got "
                             f"{type(preset).__name__} {preset!r:.80}")
        return load_preset(self._find_preset(Path(preset),
                                             base=None if base is None else Path(base)))

    def load_referenced(self, reference: str, referrer: Preset) -> Preset:
        """The preset that a ``"preset"`` node of ``referrer`` instances, looked up in the
        referrer's folder first, so that it resolves the same from any working directory
        (the ``load_preset`` of ``build_graph``)."""
        return load_preset(self._find_preset(Path(reference), base=referrer.base_dir,
                                             referrer=referrer.path))

    def _find_preset(self, reference: Path, *, base: Path | None,
                     referrer: Path | None = None) -> Path:
        """The file ``reference`` names: in ``base`` first (``base/name.toml`` too for a
        name), then as a path from the working directory, then by name in the preset
        folders. Raises ``InputError`` saying where it looked and suggesting the closest
        name other than ``referrer`` itself."""
        is_name = reference.suffix not in PRESET_SUFFIXES and len(reference.parts) == 1
        candidates = []
        if base is not None and not reference.is_absolute():
            candidates.append(base / reference)
            if is_name:
                candidates += [base / f"{reference}{suffix}" for suffix in PRESET_SUFFIXES]
        candidates.append(reference)
        found = next((path for path in candidates if path.is_file()), None)
        known = self.find_presets() if is_name else {}
        if found is None and str(reference) in known:
            found = known[str(reference)]
        if found is not None:
            return found
        folders = [base] if base is not None else []
        folders += [Path.cwd()] if not is_name else self.preset_folders()
        if base is not None and base.is_dir():
            known = {path.stem: path for path in sorted(base.iterdir())
                     if path.suffix in PRESET_SUFFIXES} | known
        if referrer is not None:
            known = {name: path for name, path in known.items()
                     if path.resolve() != referrer.resolve()}
        looked = ", ".join(f"{folder.resolve()}{'' if folder.is_dir() else ' (missing)'}"
                           for folder in folders)
        what = "preset file or preset named" if is_name else "preset file"
        raise InputError(f"no {what} '{reference}'{did_you_mean(str(reference), known)} "
                         f"(looked in: {looked}; see 'texgen presets')")

    def validate(self, preset: PresetSource, *, size=None, seed=None,
                 overrides: Mapping[str, Any] | None = None,
                 base: str | os.PathLike | None = None, outputs: Iterable[str] | None = None,
                 nodes: Iterable[str] | None = None) -> Graph:
        """Parse and check a preset with overrides; return its graph or raise.

        Checks everything that can fail before rendering (``build_graph``), including
        that each output's format is a known exporter and that outputs named for a
        conventional role (``texgen.roles``: height, normal, ...) carry its channel count.
        ``base`` as in ``load_preset``.

        ``outputs`` and ``nodes`` choose what rendering the graph gives (default: every
        output of the preset): outputs by name, then nodes (``"id"``, or ``"id.port"`` for
        another port than the first) rendered as if they were outputs, named as written
        (files ``{preset}_{id}.{ext}``). The graph's ``outputs`` are exactly those, in
        that order; a node named like an output it replaces, unless both are asked for.
        """
        loaded = self.load_preset(preset, base=base).with_overrides(size=size, seed=seed,
                                                                    overrides=overrides)
        views = _node_views(loaded, nodes, self.registry)
        if views:
            loaded = dataclasses.replace(loaded, outputs={**loaded.outputs, **views})
        graph = build_graph(loaded, self.registry, load_preset=self.load_referenced,
                            formats=self.exporters)
        _check_roles(graph, {name: graph.channels.get(link)
                             for name, link in graph.outputs.items()})
        return _select(graph, outputs, views)

    # --- rendering ----------------------------------------------------------------------

    def render(self, preset: PresetSource, *, size: int | tuple[int, int] | None = None,
               seed: int | None = None, overrides: Mapping[str, Any] | None = None,
               outputs: Iterable[str] | None = None, nodes: Iterable[str] | None = None,
               backend: str = "cpu", progress: Callable[[NodeEvent], None] | None = None,
               base: str | os.PathLike | None = None, writable: bool = False,
               profile: bool = False) -> dict[str, np.ndarray]:
        """Render a preset; return ``{output name: float32 (H, W, C) array}``.

        ``preset`` is a path, a preset name, a dict shaped like a preset file, or a
        ``Preset``. ``size`` is pixels (int or (width, height)); ``overrides`` sets exposed
        parameters; ``outputs`` limits which outputs (and so which nodes) are computed;
        ``nodes`` adds nodes rendered as if they were outputs, keyed ``"id"`` or
        ``"id.port"`` (with ``nodes`` alone, only those: see ``validate``);
        ``progress`` receives a ``NodeEvent`` per node (with ``profile``, each carries the
        node's peak resident bytes: ``NodeEvent.peak_bytes``); ``base`` is the folder a
        dict preset's relative paths are read from (``load_preset``).

        The arrays are read-only: they are the evaluator's results themselves, which the
        engine's content cache may share with later renders, so handing them back costs no
        copy. ``writable=True`` returns copies the caller may change in place.
        """
        graph = self.validate(preset, size=size, seed=seed, overrides=overrides, base=base,
                              outputs=outputs, nodes=nodes)
        textures = {name: to_host(texture) for name, texture in
                    self._evaluate(graph, backend, progress, profile=profile).items()}
        if writable:
            return {name: texture.copy() for name, texture in textures.items()}
        for texture in textures.values():  # host copies of device results are read-only too
            texture.flags.writeable = False
        return textures

    def save(self, preset: PresetSource, directory: str | os.PathLike, *,
             size: int | tuple[int, int] | None = None, seed: int | None = None,
             overrides: Mapping[str, Any] | None = None, outputs: Iterable[str] | None = None,
             nodes: Iterable[str] | None = None, format: str | None = None,
             normalize: Iterable[str] = (), backend: str = "cpu",
             progress: Callable[[NodeEvent], None] | None = None,
             base: str | os.PathLike | None = None, profile: bool = False) -> RenderReport:
        """Render and write ``{preset}_{output}.{ext}`` files into ``directory``.

        Each output uses its preset format, else ``format``, else png16 for gray and png8
        for color. Each output is written as soon as its node has run (to a temporary
        file, so the engine need not hold it), and the files replace their paths together
        once the render has succeeded: a failed render leaves every file as it was. No file
        is written outside ``directory``. ``outputs``, ``nodes``, ``base`` and ``profile``
        as in ``render``.

        A format that clips to [0, 1] (png8, png16) writes an output marked ``normalize``
        in the preset, or named in ``normalize``, rescaled from its min..max to 0..1; any
        other output with values out of range is clipped, and the report says how much
        (``RenderReport``). Float formats (tiff) keep the values.
        """
        job = self._prepare(preset, directory, size=size, seed=seed, overrides=overrides,
                            outputs=outputs, nodes=nodes, format=format, normalize=normalize,
                            base=base)
        return self._write(job, directory, backend=backend, progress=progress,
                           profile=profile)

    def save_frames(self, preset: PresetSource, directory: str | os.PathLike, *, frames: int,
                    frame_param: str = "phase", size: int | tuple[int, int] | None = None,
                    seed: int | None = None, overrides: Mapping[str, Any] | None = None,
                    outputs: Iterable[str] | None = None, nodes: Iterable[str] | None = None,
                    format: str | None = None, normalize: Iterable[str] = (),
                    backend: str = "cpu", progress: Callable[[NodeEvent], None] | None = None,
                    on_frame: Callable[[int, int], None] | None = None,
                    base: str | os.PathLike | None = None,
                    frame_range: tuple[float, float] | None = None,
                    profile: bool = False) -> RenderReport:
        """Render an animation: ``{preset}_{output}_{i:04d}.{ext}`` for each frame i.

        Frame ``i`` (0-based, ``frames`` of them, 1..10000) sets the exposed float parameter
        ``frame_param`` (default ``"phase"``). By default to ``i / frames``, in [0, 1): when
        the preset's nodes take a looping phase (1 looks like 0), the frames loop seamlessly.
        With ``frame_range=(start, end)`` it goes from ``start`` at the first frame to ``end``
        at the last, both included (``lerp(start, end, i / (frames - 1))``; one frame is
        ``start``): a ramp such as wear from 0.2 to 0.75, not a loop.
        ``frame_param`` may not also be in ``overrides``. The other options are as in
        ``save``. Every frame is validated and its file names checked before the first one
        renders; each frame is rendered entirely before its files are written.
        ``on_frame(i, frames)`` is called before frame ``i`` renders, ``progress`` per node.
        Returns one report over all frames; each file entry has its ``frame``.
        """
        job = self._prepare(preset, directory, frames=frames, frame_param=frame_param,
                            frame_range=frame_range, size=size, seed=seed,
                            overrides=overrides, outputs=outputs, nodes=nodes, format=format,
                            normalize=normalize, base=base)
        return self._write(job, directory, backend=backend, progress=progress,
                           on_frame=on_frame, profile=profile)

    def save_batch(self, presets: Iterable[PresetSource], directory: str | os.PathLike, *,
                   keep_going: bool = False, frames: int | None = None,
                   frame_param: str = "phase", backend: str = "cpu",
                   progress: Callable[[NodeEvent], None] | None = None,
                   on_frame: Callable[[int, int], None] | None = None,
                   on_preset: Callable[[PresetSource], None] | None = None,
                   profile: bool = False, **options: Any) -> BatchReport:
        """Save several presets with the same options: ``save``, or ``save_frames`` when
        ``frames`` is given (``options``: size, seed, overrides, outputs, nodes, format,
        normalize, base, and for frames frame_range; ``profile`` as in ``render``).

        Every preset is checked first. Without ``keep_going``, any bad preset raises before
        anything renders (one ``InputError`` listing all of them), and a failed render
        raises at once. With ``keep_going``, bad presets and failed renders become
        ``failures`` and the rest are rendered. ``on_preset(preset)`` is called before each
        preset renders.
        """
        batch, jobs = BatchReport(), []
        for preset in presets:
            try:
                jobs.append((preset, self._prepare(preset, directory, frames=frames,
                                                   frame_param=frame_param, **options)))
            except InputError as exc:
                batch.failures.append(BatchFailure(str(preset), exc))
        if batch.failures and not keep_going:
            raise_failures(batch.failures)
        for preset, job in jobs:
            if on_preset:
                on_preset(preset)
            try:
                batch.reports.append(self._write(job, directory, backend=backend,
                                                 progress=progress, on_frame=on_frame,
                                                 profile=profile))
            except TexgenError as exc:
                if not keep_going:
                    raise
                batch.failures.append(BatchFailure(str(preset), exc))
        return batch

    def _prepare(self, preset: PresetSource, directory: str | os.PathLike, *,
                 frames: int | None = None, frame_param: str = "phase",
                 frame_range: tuple[float, float] | None = None, size=None, seed=None,
                 overrides: Mapping[str, Any] | None = None,
                 outputs: Iterable[str] | None = None, nodes: Iterable[str] | None = None,
                 format: str | None = None, normalize: Iterable[str] = (),
                 base: str | os.PathLike | None = None) -> _SaveJob:
        """Everything ``save`` (``frames`` None) or ``save_frames`` checks before rendering:
        the graph and planned files of each frame. Raises ``InputError``."""
        started = time.perf_counter()
        outputs = None if outputs is None else list(outputs)  # read once per frame
        nodes, normalize = list(nodes or ()), list(normalize)
        if frames is None:
            graphs = [self.validate(preset, size=size, seed=seed, overrides=overrides,
                                    base=base, outputs=outputs, nodes=nodes)]
        else:
            graphs = self._frame_graphs(preset, frames=frames, frame_param=frame_param,
                                        frame_range=frame_range, size=size, seed=seed,
                                        overrides=overrides,
                                        outputs=outputs, nodes=nodes, base=base)
        steps = []
        for i, graph in enumerate(graphs):
            frame = None if frames is None else i
            steps.append((graph, self._plan(graph, Path(directory), format, normalize,
                                            frame=frame), frame))
        first = graphs[0].preset
        return _SaveJob(RenderReport(first.name, first.size, first.seed, frames=frames),
                        steps, time.perf_counter() - started)

    def _frame_graphs(self, preset: PresetSource, *, frames: int, frame_param: str,
                      frame_range: tuple[float, float] | None,
                      overrides: Mapping[str, Any] | None, base, **options: Any) -> list[Graph]:
        """The validated graph of each frame of ``save_frames``."""
        if isinstance(frames, bool) or not isinstance(frames, int) \
                or not 1 <= frames <= MAX_FRAMES:
            raise InputError(f"frames: expected a number of frames in 1..{MAX_FRAMES}, "
                             f"got {frames!r}")
        values, span = _frame_values(frames, frame_range)
        loaded = self.load_preset(preset, base=base)
        if frame_param in (overrides or {}):
            raise InputError(f"{loaded.source}: parameter '{frame_param}' is set by each "
                             f"frame ({span}); it cannot also be overridden")
        if frame_param not in loaded.parameters:  # raises as for an unknown override
            loaded.with_overrides(overrides={frame_param: 0.0})
        if (kind := loaded.parameters[frame_param].type) != "float":
            raise PresetError([Problem(f"frames set it from {span}, so it must be a float "
                                       f"parameter, not {kind}", file=loaded.source,
                                       key=frame_param)])
        return [self.validate(loaded, overrides={**(overrides or {}), frame_param: value},
                              **options)
                for value in values]

    def _write(self, job: _SaveJob, directory: str | os.PathLike, *, backend: str,
               progress: Callable[[NodeEvent], None] | None = None,
               on_frame: Callable[[int, int], None] | None = None,
               profile: bool = False) -> RenderReport:
        """Render and write a prepared save; fill in its report's seconds and warnings."""
        started = time.perf_counter()
        report = job.report
        for graph, plan, frame in job.steps:
            if on_frame and frame is not None:
                on_frame(frame, len(job.steps))
            self._render_and_write(graph, plan, Path(directory), backend, progress, report,
                                   frame=frame, profile=profile)
        report.warnings = _clip_warnings(report)
        for line in report.warnings:
            warnings.warn(line, ClippedValuesWarning, stacklevel=3)
        report.seconds = job.seconds + time.perf_counter() - started
        return report

    def _plan(self, graph: Graph, directory: Path, format: str | None,
              normalize: list[str], frame: int | None = None) -> dict[str, _PlannedFile]:
        """The exporter, file path and normalisation of each of the graph's outputs,
        checked before anything renders (with the size limits).

        With a ``frame``, file names are ``{preset}_{output}_{frame:04d}.{ext}``.
        """
        for name in normalize:
            if name not in graph.outputs:
                raise InputError(f"{graph.preset.source}: normalize: '{name}' is not "
                                 f"rendered{did_you_mean(name, graph.outputs)} (rendered: "
                                 f"{', '.join(graph.outputs)})")
        self._check_limits(graph, streamed=True)
        check_output_folder(directory)
        problems = [Problem(problem, file=str(graph.preset.source), key=key)
                    for key, name, what in (("name", graph.preset.name, "preset name"),
                                            *((f"outputs.{name}", name, "output name")
                                              for name in graph.outputs))
                    if (problem := file_name_problem(name, what)) is not None]
        if problems:
            raise PresetError(problems)
        plan = {}
        for name in graph.outputs:
            entry = graph.preset.outputs[name]
            exporter = self.exporter(format) if format else self.output_exporter(graph, name)
            stem = name if frame is None else f"{name}_{frame:04d}"
            path = output_path(directory, graph.preset.name, stem, exporter.extension)
            if path.is_dir():
                raise InputError(f"{graph.preset.source}: output '{name}' would be written to "
                                 f"{path}, which is a folder")
            plan[name] = _PlannedFile(exporter, path, entry.normalize or name in normalize,
                                      self.output_options(graph, name, exporter),
                                      forced=bool(format))
        return plan

    def _render_and_write(self, graph: Graph, plan: dict[str, _PlannedFile],
                          directory: Path, backend: str,
                          progress: Callable[[NodeEvent], None] | None, report: RenderReport,
                          frame: int | None = None, profile: bool = False) -> None:
        """Render the planned outputs, writing each as soon as it is final (after checking
        the channel count of a role output that was unknown before) to a temporary file;
        rename them all onto their paths once the render has succeeded, so that a failed
        render or check writes nothing. Add files and counts to ``report``."""
        counts = {"computed": 0, "cached": 0}
        entries: dict[str, dict[str, Any]] = {}

        def count(event: NodeEvent) -> None:
            counts[event.status] += 1
            if progress:
                progress(event)

        def write(name: str, texture: Any) -> None:
            texture = to_host(texture)
            _check_roles(graph, {name: texture.shape[2]})
            exporter, path, normalize, options, forced = plan[name]
            if not forced and (chosen := self.output_exporter(
                    graph, name, channels=texture.shape[2])) is not exporter:
                exporter, options = chosen, self.output_options(graph, name, chosen)
            directory.mkdir(parents=True, exist_ok=True)
            entries[name] = {"output": name, "path": str(path), "format": exporter.format,
                             **write_output(staged.stage(path), texture, exporter,
                                            normalize=normalize, **options)}
            if frame is not None:
                entries[name]["frame"] = frame

        existed = directory.exists()
        try:
            with StagedFiles() as staged:
                self._evaluate(graph, backend, count, on_output=write, profile=profile)
                staged.commit()
        except BaseException:
            if not existed and directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()  # the folder this render made for the files it dropped
            raise
        report.computed += counts["computed"]
        report.cached += counts["cached"]
        report.files.extend(entries[name] for name in plan)

    def exporter(self, format_name: str) -> Exporter:
        try:
            return self.exporters[format_name]
        except KeyError:
            raise InputError(f"unknown format '{format_name}'"
                             f"{did_you_mean(format_name, self.exporters)} "
                             f"(formats: {', '.join(sorted(self.exporters))})") from None

    def output_exporter(self, graph: Graph, name: str, *, channels: int | None = None
                        ) -> Exporter:
        """The exporter ``save`` writes output ``name`` of ``graph`` with when no format is
        forced: the preset's ``format`` for it, else png16 for gray and png8 for color.
        Gray is what validation knows of the output, else ``channels`` (the rendered
        texture's: an "any" port's count is known only then; png8 while unknown, so a
        plan made before the render has the right extension either way)."""
        return self.exporter(graph.preset.outputs[name].format
                             or self._default_format(graph, name, channels))

    def output_options(self, graph: Graph, name: str, exporter: Exporter) -> dict[str, Any]:
        """The export options ``save`` passes for output ``name``, to an exporter that
        takes them: those its role implies (``texgen.io.role_options``: sRGB for a
        basecolor, renormalised mips for a normal map; none for a node rendered with
        ``--node``, which has no role), and whether the preset tiles."""
        options = {} if graph.preset.outputs[name].view else role_options(name, exporter)
        if "tileable" in exporter.options:
            options["tileable"] = graph.preset.tileable
        return options

    def _default_format(self, graph: Graph, name: str, channels: int | None) -> str:
        link = graph.outputs[name]
        port = graph.nodes[link.node].spec.output(link.port)
        known = graph.channels.get(link, CHANNELS.get(port.type))
        return "png16" if (known or channels) == 1 else "png8"

    def render_graph(self, graph: Graph, *, backend: str = "cpu",
                     progress: Callable[[NodeEvent], None] | None = None
                     ) -> dict[str, np.ndarray]:
        """Evaluate the outputs of a graph from ``validate`` (possibly with outputs of its
        own choosing, as ``texgen preview`` names every node's ports) through this
        engine's caches, after the size limits; the results as ``render``'s, on the
        backend (not copied to the host)."""
        return self._evaluate(graph, backend, progress)

    def _evaluate(self, graph: Graph, backend, progress, *,
                  on_output: Callable[[str, Any], None] | None = None,
                  profile: bool = False) -> dict[str, np.ndarray]:
        """Evaluate the graph's outputs after the limits: returned, or with ``on_output``
        handed on one at a time as each is final (``stream_outputs``; nothing returned)."""
        self._check_limits(graph, streamed=on_output is not None)
        options = dict(output_names=list(graph.outputs), backend=resolve_backend(backend),
                       cache=self.cache, resources=self.resources, progress=progress,
                       profile=profile)
        if on_output is None:
            return evaluate(graph, **options)
        stream_outputs(graph, on_output=on_output, **options)
        return {}

    def memory_estimate(self, graph: Graph, *, streamed: bool = False) -> int:
        """Bytes a render of ``graph`` (from ``validate``) may hold at once, before it runs:
        the results alive at the peak of its evaluation order (``Graph.memory_plan``: 4
        bytes per channel and pixel of each texture held, plus the running node's declared
        ``scratch``), plus what this engine's result cache may keep beyond them (at most
        its ``cache_bytes``). With ``streamed`` the outputs are handed on as they are final
        (``save``) rather than all held to the end (``render``)."""
        width, height = graph.preset.size
        plan = graph.memory_plan(list(graph.outputs), keep_outputs=not streamed)
        results = sum(graph.link_bytes(Link(node_id, port.name)) for node_id in plan.order
                      for port in graph.nodes[node_id].spec.outputs)
        cacheable = min(self.cache.max_bytes, self.cache.bytes + results * width * height)
        return int(plan.peak_bytes_per_pixel * width * height) + cacheable

    def check_size(self, graph: Graph) -> None:
        """``InputError`` when the graph's size is over ``max_pixels`` (a build checks its
        jobs with it before any renders)."""
        width, height = graph.preset.size
        pixels = width * height
        if pixels > self.max_pixels:
            raise InputError(f"{graph.preset.source}: size {width}x{height} is {pixels:,} "
                             f"pixels; the limit is {self.max_pixels:,} (raise it with "
                             f"TEXGEN_MAX_PIXELS or Engine(max_pixels=...))")

    def _check_limits(self, graph: Graph, *, streamed: bool) -> None:
        """Refuse renders that are too large before allocating anything: ``check_size``,
        and the memory estimate against ``max_bytes``."""
        self.check_size(graph)
        width, height = graph.preset.size
        needed = self.memory_estimate(graph, streamed=streamed)
        if self.max_bytes and needed > self.max_bytes:
            raise InputError(f"{graph.preset.source}: rendering {width}x{height} needs about "
                             f"{needed / 2**30:.2f} GiB at once; the limit is "
                             f"{self.max_bytes / 2**30:.2f} GiB (raise it with "
                             f"TEXGEN_MAX_BYTES or Engine(max_bytes=...))")


def _frame_values(frames: int, frame_range: tuple[float, float] | None
                  ) -> tuple[list[float], str]:
    """The frame parameter's value at each frame (see ``Engine.save_frames``) and the span
    in words ("0 to 1"), or ``InputError`` for a ``frame_range`` that is not two numbers."""
    if frame_range is None:
        return [i / frames for i in range(frames)], "0 to 1"
    if not (isinstance(frame_range, (tuple, list)) and len(frame_range) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                    and np.isfinite(v) for v in frame_range)):
        raise InputError(f"frame_range: expected (start, end), two numbers, got "
                         f"{frame_range!r}")
    start, end = (float(v) for v in frame_range)
    steps = max(frames - 1, 1)
    # lerp as (1 - t) * start + t * end: the first and last frames are start and end exactly
    return [(1 - i / steps) * start + i / steps * end for i in range(frames)], \
        f"{start:g} to {end:g}"


def _node_views(preset: Preset, nodes: Iterable[str] | None,
                registry: NodeRegistry) -> dict[str, OutputEntry]:
    """Output entries for the nodes asked to render as outputs (``"id"`` or ``"id.port"``),
    keyed as written. Raises ``InputError`` for a node the preset does not have, or a port
    its node type does not (a subgraph's ports are checked by ``build_graph``)."""
    views = {}
    for token in [nodes] if isinstance(nodes, str) else list(nodes or ()):
        node, _, port = token.partition(".")
        if node not in preset.nodes:
            raise InputError(f"{preset.source}: no node '{node}' to render"
                             f"{did_you_mean(node, preset.nodes)} (nodes: "
                             f"{', '.join(preset.nodes)})")
        ports = [port]
        if port:
            try:
                ports = [p.name for p in registry.get(preset.nodes[node].type).outputs]
            except KeyError:
                pass  # an unknown type or a subgraph: build_graph reports on them
        if port not in ports:
            raise InputError(f"{preset.source}: node '{node}' ({preset.nodes[node].type}) has "
                             f"no output '{port}' to render{did_you_mean(port, ports)} "
                             f"(outputs: {', '.join(ports)})")
        views[token] = OutputEntry(token, node, port or None, view=True)
    return views


def _select(graph: Graph, outputs: Iterable[str] | None,
            views: Mapping[str, OutputEntry]) -> Graph:
    """The graph with only the chosen outputs, then the node views (``Engine.validate``)."""
    if outputs is None and not views:
        return graph
    names = [outputs] if isinstance(outputs, str) else list(outputs or ())
    own = [name for name in graph.preset.outputs if not graph.preset.outputs[name].view]
    for name in names:
        if name in views:
            raise InputError(f"{graph.preset.source}: '{name}' is asked for both as an output "
                             f"and as a node; their files would have the same name")
        if name not in graph.outputs:
            hint = (f"; to render the node '{name}', use --node {name} (nodes=['{name}'])"
                    if name in graph.preset.nodes else did_you_mean(name, own))
            raise InputError(f"{graph.preset.source}: no output '{name}'{hint} "
                             f"(outputs: {', '.join(own)})")
    return dataclasses.replace(graph, outputs={name: graph.outputs[name]
                                               for name in [*names, *views]})


def _check_roles(graph: Graph, channels: Mapping[str, int | None]) -> None:
    """Raise ``PresetError`` for every output of the preset named for a conventional role
    (``texgen.roles``) whose channel count, where known, is not that role's."""
    problems = []
    for name, count in channels.items():
        if count is None or graph.preset.outputs[name].view:
            continue
        message = channel_problem(name, count)
        if message:
            problems.append(Problem(message, file=graph.preset.source, key=f"outputs.{name}"))
    if problems:
        raise PresetError(problems)


def _clip_warnings(report: RenderReport) -> list[str]:
    """One line per output whose values were clipped, over all frames: how much."""
    clipped: dict[str, list[OutOfRange]] = {}
    formats = {}
    for entry in report.files:
        if "out_of_range" in entry:
            clipped.setdefault(entry["output"], []).append(OutOfRange(**entry["out_of_range"]))
            formats[entry["output"]] = entry["format"]
    lines = []
    for name, found in clipped.items():
        worst = OutOfRange(max(f.below for f in found), max(f.above for f in found),
                           min(f.low for f in found), max(f.high for f in found))
        frames = "" if report.frames is None else \
            f"in {len(found)} of {report.frames} frames, up to "
        lines.append(f"{report.preset}: output '{name}': {frames}{worst.describe()}, clipped "
                     f"by {formats[name]}; normalize it (normalize = true in [outputs], or "
                     f"--normalize {name}) or write tiff to keep the values")
    return lines


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def render(preset: PresetSource, **options: Any) -> dict[str, np.ndarray]:
    """Render with a new ``Engine`` (see ``Engine.render`` for the options)."""
    return Engine().render(preset, **options)
