"""One preset under preview: a long-lived ``Engine`` renders every node of it, keeps the
last good render, and notices when the files it reads change.

The engine's content cache does the incremental work: after a parameter changes, only the
nodes downstream of it compute again (``render`` reports which ones). A render that fails
(the preset stops validating while being edited, an override out of range, a node that
fails) becomes ``error`` data, located by file, node and key, and the last good render
stays on show. ``poll`` compares the modification times of the preset file and of every
file its graph reads (images and models named by path parameters, instanced presets) with
those seen at the last render, and renders again when one changed.

A session is safe to use from several threads (the HTTP server's request threads and its
file watcher): renders are serialised, and ``wait`` blocks until the next one.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from texgen.backend import to_host
from texgen.engine import Engine
from texgen.errors import InputError, PresetError, RenderError, TexgenError
from texgen.evaluate import NodeEvent
from texgen.graph import Graph, Link
from texgen.io import encode_png
from texgen.preview.graph_view import graph_view, parameter_controls
from texgen.resample import area_resize


class Keep(enum.Enum):
    """``PreviewSession.render(seed=KEEP)``: the seed stays as it is (None is the file's)."""

    KEEP = "keep"


KEEP = Keep.KEEP

#: ``image_url(node, port, kind, token)``: where the page finds an image (None: the page
#: has only the thumbnail); ``kind`` is "thumb" or "full", ``token`` changes whenever the
#: image does.
ImageURL = Callable[[str, str, str, int], str | None]


@dataclass
class _Render:
    """A good render: the graph, every node port's texture (host arrays) and, per port,
    a token that changes only when its texture does."""

    graph: Graph
    textures: dict[tuple[str, str], np.ndarray]
    tokens: dict[tuple[str, str], int]


@dataclass
class RenderStats:
    """What the last render attempt did: nodes computed and taken from the cache (ids of
    the computed ones), the node ports whose image changed, and its duration."""

    computed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"computed": len(self.computed), "cached": len(self.cached),
                "computed_nodes": self.computed, "changed": self.changed,
                "seconds": round(self.seconds, 4)}


class PreviewSession:
    """Renders ``preset_path`` at ``size`` with ``seed`` and exposed-parameter
    ``overrides`` (keyword-only; None: the preset's own) through ``engine`` (default: a new
    one, kept for the session's life). ``thumb`` is the longest side of node thumbnails.

    The first render happens here; a preset that does not validate is no exception but the
    session's ``error``, so a page can show it and recover when the file is fixed.
    """

    def __init__(self, preset_path: str | os.PathLike, *, engine: Engine | None = None,
                 size: int | tuple[int, int] | None = 512, seed: int | None = None,
                 overrides: Mapping[str, Any] | None = None, thumb: int = 128):
        self.path = Path(preset_path)
        self.engine = engine or Engine()
        self.size, self.seed, self.thumb = size, seed, thumb
        self.overrides: dict[str, Any] = dict(overrides or {})
        self.version = 0
        self.error: TexgenError | None = None
        self.stats = RenderStats()
        self._good: _Render | None = None
        self._parameters: list[dict[str, Any]] = []
        self._mtimes: dict[Path, tuple[int, int] | None] = {}
        self._pngs: dict[tuple[str, str, str, int], bytes] = {}
        self._changed = threading.Condition(threading.RLock())
        self.render()

    # --- rendering ----------------------------------------------------------------------

    def render(self, *, overrides: Mapping[str, Any] | None = None,
               seed: int | None | Keep = KEEP) -> None:
        """Render again, with new ``overrides`` when given (they replace the current ones)
        and a new ``seed`` when given (None: the file's; ``KEEP``, the default: as it is).
        A failure becomes ``error`` (any exception: an unexpected one as a ``RenderError``
        naming it, so that a watcher thread survives it) and the last good render stays.
        Wakes every ``wait``."""
        with self._changed:
            if overrides is not None:
                self.overrides = dict(overrides)
            if seed is not KEEP:
                self.seed = seed
            before = _mtimes(self.watched_files())  # taken before reading: edits win
            started = time.perf_counter()
            stats = RenderStats()
            try:
                self._render(stats)
                self.error = None
            except TexgenError as exc:
                self.error = exc
            except Exception as exc:  # noqa: BLE001 - a preview outlives a failed render
                self.error = RenderError(f"{self.path}: internal error: "
                                         f"{type(exc).__name__}: {exc}")
            stats.seconds = time.perf_counter() - started
            self.stats = stats
            self._mtimes = {path: before.get(path, seen)
                            for path, seen in _mtimes(self.watched_files()).items()}
            self.version += 1
            self._changed.notify_all()

    def _render(self, stats: RenderStats) -> None:
        written = self.engine.load_preset(self.path)
        graph = self.engine.validate(written, size=self.size, seed=self.seed,
                                     overrides=self.overrides)
        self._parameters = parameter_controls(graph.preset, written=written.parameters)
        every_port = dataclasses.replace(graph, outputs={
            f"{node_id}.{port.name}": Link(node_id, port.name)
            for node_id, node in graph.nodes.items() for port in node.spec.outputs})

        def count(event: NodeEvent) -> None:
            getattr(stats, event.status).append(event.node_id)

        results = self.engine.render_graph(every_port, progress=count)
        textures = {(link.node, link.port): to_host(results[name])
                    for name, link in every_port.outputs.items()}
        before = self._good.textures if self._good else {}
        tokens = {key: (self._good.tokens[key] if before.get(key) is texture
                        else self.version + 1)
                  for key, texture in textures.items()}
        stats.changed = sorted({node for (node, _), token in tokens.items()
                                if token == self.version + 1})
        self._good = _Render(graph, textures, tokens)
        self._pngs = {key: png for key, png in self._pngs.items()
                      if tokens.get(key[:2]) == key[3]}

    @property
    def graph(self) -> Graph | None:
        """The graph of the last good render (None before the first)."""
        return self._good.graph if self._good else None

    def wait(self, version: int, timeout: float) -> int:
        """Block until a render newer than ``version`` happened (or ``timeout`` seconds
        passed); return the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version > version, timeout=timeout)
            return self.version

    # --- file watching ------------------------------------------------------------------

    def watched_files(self) -> list[Path]:
        """The preset file, and every file the last good graph read: instanced presets
        (the ``source`` of their nodes) and the files its path parameters name; with an
        error, also the files it was found in (an instanced preset being edited)."""
        files = {self.path.resolve()}
        if self._good is not None:
            files.update(self._good.graph.files_read())
        if isinstance(self.error, PresetError):
            files.update(Path(problem.file).resolve() for problem in self.error.problems
                         if problem.file and Path(problem.file).is_file())
        return sorted(files)

    def poll(self) -> bool:
        """Render again if a watched file changed since the last render; whether it did."""
        with self._changed:
            if _mtimes(self._mtimes) == self._mtimes:
                return False
            self.render()
            return True

    # --- what the page shows ------------------------------------------------------------

    def state(self, *, image_url: ImageURL) -> dict[str, Any]:
        """Everything the page shows, as JSON-ready data: the preset, the graph of the last
        good render (each port with its image URLs from ``image_url``), the parameter
        controls, the error (None, or ``message`` and ``problems``, each with ``file``,
        ``node``, ``key`` and ``message``), the last render's ``stats`` and the watched
        files. ``version`` counts renders."""
        with self._changed:
            good = self._good
            view = graph_view(good.graph) if good else None
            if view:
                for node in view["nodes"]:
                    for port in node["outputs"]:
                        token = good.tokens[node["id"], port["name"]]
                        port["token"] = token
                        port["thumb"] = image_url(node["id"], port["name"], "thumb", token)
                        port["image"] = image_url(node["id"], port["name"], "full", token)
            preset = good.graph.preset if good else None
            return {"version": self.version, "path": str(self.path),
                    "preset": preset.name if preset else self.path.stem,
                    "description": preset.description if preset else "",
                    "size": list(preset.size) if preset else None,
                    "seed": preset.seed if preset else self.seed,
                    "graph": view, "parameters": self._parameters,
                    "error": _error_data(self.error), "stats": self.stats.as_dict(),
                    "watching": [str(path) for path in self.watched_files()]}

    def token(self, node: str, port: str) -> int | None:
        """The token of a node port's image in the last good render (None: no such image);
        it changes whenever the image does."""
        with self._changed:
            return self._good.tokens.get((node, port)) if self._good else None

    def image(self, node: str, port: str, kind: str) -> bytes | None:
        """PNG bytes of a node port's texture in the last good render: ``kind`` "full", or
        "thumb" (shrunk to ``thumb`` pixels on its longer side); None if there is none."""
        with self._changed:
            good = self._good
            if good is None or (node, port) not in good.textures or kind not in ("thumb",
                                                                                 "full"):
                return None
            key = (node, port, kind, good.tokens[node, port])
            if key not in self._pngs:
                texture = good.textures[node, port]
                self._pngs[key] = encode_png(shrink(texture, self.thumb) if kind == "thumb"
                                             else texture)
            return self._pngs[key]


def preset_file(engine: Engine, preset: str | os.PathLike) -> Path:
    """The file a preset reference names: itself when it is a file, else the preset of
    that name in the engine's preset folders. Raises ``InputError`` (where it looked, the
    closest name) for neither: a preview watches a file, so it needs one."""
    if Path(preset).is_file():
        return Path(preset)
    found = engine.find_presets().get(str(preset))
    if found is not None:
        return found
    loaded = engine.load_preset(preset)  # raises, saying where it looked
    if loaded.path is None:
        raise InputError(f"{preset}: a preview needs a preset file")
    return loaded.path


def shrink(texture: np.ndarray, side: int) -> np.ndarray:
    """``texture`` area-averaged (``texgen.resample.area_resize``: no aliasing of fine
    noise) so that its longer side is ``side`` pixels, keeping its aspect; as it is when
    already small enough."""
    height, width = texture.shape[:2]
    if max(height, width) <= side:
        return texture
    scale = side / max(height, width)
    return area_resize(texture, max(1, round(width * scale)), max(1, round(height * scale)))


def _mtimes(paths) -> dict[Path, tuple[int, int] | None]:
    """Each file's modification time in nanoseconds and size (None: missing): a rewrite
    within the file system's timestamp resolution still shows when its size changed."""
    times = {}
    for path in paths:
        try:
            stat = path.stat()
            times[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            times[path] = None
    return times


def _error_data(error: TexgenError | None) -> dict[str, Any] | None:
    """An error as the page shows it: the message, and each located problem."""
    if error is None:
        return None
    problems = error.problems if isinstance(error, PresetError) else []
    return {"message": str(error), "kind": type(error).__name__,
            "problems": [{"file": p.file, "node": p.node, "key": p.key, "message": p.message}
                         for p in problems]}
