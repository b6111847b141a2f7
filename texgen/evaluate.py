"""Evaluate a graph: run the needed nodes in order, reuse cached results by content key.

A node's key hashes everything its result depends on: node type and spec version, its
parameters, the keys of its inputs, size, seed, backend and tiling. Changing one parameter
changes the keys of that node and everything downstream of it, and nothing else.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from texgen.backend import to_backend
from texgen.errors import NodeInputError, Problem, RenderError
from texgen.graph import Graph, GraphNode, Link
from texgen.nodes import CHANNELS, NodeContext, ParamValueError, check_texture
from texgen.resources import ResourceCache


@dataclass(frozen=True)
class NodeEvent:
    """Progress of one node: ``status`` is "computed" or "cached"; ``index`` counts from 1.

    ``peak_bytes`` (profiled renders only, else None): how far the process's resident
    memory rose above what it was when the node started, at its highest while the node
    ran (Linux ``/proc``; None elsewhere). It sees every allocation, NumPy's and the
    Numba kernels' alike. ``held_bytes``: the bytes of results the evaluator still holds
    for later nodes once the node has run (an output handed on is the caller's).
    """

    node_id: str
    node_type: str
    status: str
    index: int
    total: int
    seconds: float
    held_bytes: int = 0
    peak_bytes: int | None = None


class ResultCache:
    """Node results by content key, least recently used dropped past ``max_bytes``."""

    def __init__(self, max_bytes: int = 2 << 30):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, dict[str, np.ndarray]] = OrderedDict()
        self._bytes = 0

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        return None

    def put(self, key: str, result: dict[str, np.ndarray]) -> None:
        size = sum(a.nbytes for a in result.values())
        if size > self.max_bytes:
            return
        self._items[key] = result
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._bytes -= sum(a.nbytes for a in dropped.values())

    @property
    def bytes(self) -> int:
        """The bytes of the results held now (at most ``max_bytes``)."""
        return self._bytes

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def evaluate(graph: Graph, *, output_names: Iterable[str] | None = None,
             **options: Any) -> dict[str, np.ndarray]:
    """Run the nodes the requested outputs need and return ``{output name: texture}``
    (``stream_outputs`` with the outputs collected; the same ``options``)."""
    names = list(graph.outputs) if output_names is None else list(output_names)
    found: dict[str, np.ndarray] = {}
    stream_outputs(graph, output_names=names, on_output=found.__setitem__,
                   keep_outputs=True, **options)
    return {name: found[name] for name in names}


def stream_outputs(graph: Graph, *, on_output: Callable[[str, Any], None],
                   output_names: Iterable[str] | None = None, keep_outputs: bool = False,
                   backend: str = "cpu", cache: ResultCache | None = None,
                   resources: ResourceCache | None = None,
                   progress: Callable[[NodeEvent], None] | None = None,
                   profile: bool = False) -> None:
    """Run the nodes the requested outputs need, calling ``on_output(name, texture)`` for
    each output as soon as its node has run.

    Nodes run in the order of ``graph.memory_plan`` (``keep_outputs``: whether the caller
    holds the outputs to the end, which the order should count on), and each result is
    dropped as soon as its last consumer has run: the evaluator holds no output after
    handing it on, so peak memory follows the live set, not the number of nodes. The
    ``cache`` may keep results longer, within its byte budget. Textures are the results
    themselves (read-only NumPy arrays, or device arrays on the cuda backend).
    ``resources`` is handed to every node as ``ctx.resources`` (one new cache per call
    when None). ``progress`` receives a ``NodeEvent`` per node; ``profile`` fills in its
    ``peak_bytes`` (the process's resident high-water mark is reset before each node).

    A node that raises becomes a ``RenderError`` naming the preset file, the node id and
    its type (exit 1), unless what it found is bad input: a parameter it refused with
    ``param_error``, or an input with the wrong channel count, become a ``NodeInputError``
    naming file, node and key (exit 2).
    """
    preset = graph.preset
    width, height = preset.size
    resources = ResourceCache() if resources is None else resources
    names = list(graph.outputs) if output_names is None else list(output_names)
    order = graph.memory_plan(names, keep_outputs=keep_outputs).order
    outputs_of: dict[str, list[str]] = {}
    for name in names:
        outputs_of.setdefault(graph.outputs[name].node, []).append(name)
    remaining: dict[Link, int] = {}
    for node_id in order:
        for link in graph.nodes[node_id].inputs.values():
            if link:
                remaining[link] = remaining.get(link, 0) + 1
    keys: dict[str, str] = {}
    results: dict[Link, Any] = {}
    for index, node_id in enumerate(order, start=1):
        node = graph.nodes[node_id]
        key = keys[node_id] = content_key(node, {name: keys[link.node] + "." + link.port
                                                 for name, link in node.inputs.items() if link},
                                          size=(width, height), backend=backend,
                                          tileable=preset.tileable)
        started = time.perf_counter()
        resident = _reset_peak_resident() if profile else None
        result = cache.get(key) if cache is not None else None
        status = "cached"
        if result is None:
            status = "computed"
            # A node without a kernel for this backend runs on the CPU, on host copies.
            context = NodeContext(node_id=node_id, width=width, height=height, seed=node.seed,
                                  backend=backend if backend in node.spec.backends else "cpu",
                                  tileable=preset.tileable, resources=resources)
            result = _run(node, context, {
                name: to_backend(results[link], context.backend) if link else None
                for name, link in node.inputs.items()}, preset.source)
            if cache is not None:
                cache.put(key, result)
        seconds = time.perf_counter() - started
        peak = _peak_resident() - resident if resident is not None else None
        results.update({Link(node_id, port): texture for port, texture in result.items()})
        del result  # from here on the evaluator holds this node's results in ``results`` only
        for link in [link for link in node.inputs.values() if link]:
            remaining[link] -= 1
            if not remaining[link]:
                results.pop(link, None)
        for name in outputs_of.get(node_id, ()):  # its inputs freed first: room to write
            on_output(name, results[graph.outputs[name]])
        for port in node.spec.outputs:
            if not remaining.get(Link(node_id, port.name)):
                del results[Link(node_id, port.name)]
        if progress:
            held = sum(texture.nbytes for texture in results.values())
            progress(NodeEvent(node_id, node.spec.id, status, index, len(order), seconds,
                               held, peak))


def _reset_peak_resident() -> int | None:
    """Reset this process's resident high-water mark (Linux ``clear_refs``) and return the
    resident bytes now; None where that cannot be done.

    Garbage is collected first: arrays freed by a collection during the node would lower
    the resident size under the node's own allocations and hide them.

    glibc's malloc serves blocks below its mmap threshold (which grows up to 32 MiB as
    large blocks are freed) from a heap that stays resident after a free, so a node
    reusing freed heap memory would show no rise. The threshold is pinned at 128 KiB
    first (``mallopt``; profiled processes only): every texture-sized block is then
    mapped on allocation and unmapped on free, and the rise is what the node allocated.
    """
    _pin_mmap_threshold()
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as control:
            control.write("5")
        return _status_bytes("VmRSS")
    except (OSError, ValueError):
        return None


#: glibc's ``mallopt`` parameters (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3


def _mallopt(*settings: tuple[int, int]) -> None:
    """glibc's ``mallopt(parameter, value)`` for each (parameter, value); nothing where the
    C library is not glibc (there a profile's peaks may read low where freed memory is
    reused, and bands may refault their pages)."""
    try:
        libc = ctypes.CDLL(None)
        for parameter, value in settings:
            libc.mallopt(parameter, value)
    except (OSError, AttributeError):
        pass


@functools.cache
def _pin_mmap_threshold() -> None:
    _mallopt((M_MMAP_THRESHOLD, 128 * 1024))


def steady_heap() -> None:
    """Fix glibc's malloc thresholds for this process (a no-op elsewhere): blocks under
    32 MiB come from the heap, larger ones are mapped and returned on free, and up to
    64 MiB of freed memory stays at the heap's top.

    By default glibc raises its mmap threshold to the largest block freed so far, but
    only up to 32 MiB, and trims the heap's top beyond twice that threshold. From 4096²
    a texture (64 MB and up) never raises it, so the threshold stays near the few MB of a
    band of rows' temporaries and the heap is trimmed after each band: every band faults
    its pages in afresh, a large share of the CPU time (docs/scale.md, *Time*). With these
    settings the bands reuse the heap, at about the same peak resident memory. The
    ``texgen`` command and build workers set them at start; a profiled render pins the
    mmap threshold low again to measure each node.
    """
    # setting the mmap threshold also stops glibc from moving it
    _mallopt((M_MMAP_THRESHOLD, 32 * 2**20), (M_TRIM_THRESHOLD, 64 * 2**20))


def _peak_resident() -> int:
    """This process's resident high-water mark in bytes since the last reset."""
    return _status_bytes("VmHWM")


def _status_bytes(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    raise ValueError(f"/proc/self/status has no {field_name}")


def content_key(node: GraphNode, input_keys: dict[str, str], *, size: tuple[int, int],
                backend: str, tileable: bool) -> str:
    """A hash of everything a node's result depends on."""
    record = [node.spec.id, node.spec.version, sorted(node.params.items()), sorted(
        input_keys.items()), list(size), node.seed, backend, tileable]
    text = json.dumps(record, default=_jsonable, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        # A file's content can change under the same name: key on its size and mtime too.
        stat = value.stat() if value.exists() else None
        return [str(value), stat.st_size if stat else None, stat.st_mtime_ns if stat else None]
    raise TypeError(f"cannot key a {type(value).__name__}")


def _run(node: GraphNode, context: NodeContext, inputs: dict[str, Any],
         source: str) -> dict[str, np.ndarray]:
    source = node.source or source
    where = f"{source}: node '{node.id}' ({node.spec.id})"
    for port in node.spec.inputs:
        # "any" outputs validation could not follow are checked here, once their channel
        # count is known.
        if inputs[port.name] is not None and port.type != "any" \
                and inputs[port.name].shape[2] != CHANNELS[port.type]:
            link = node.inputs[port.name]
            raise NodeInputError(Problem(
                f"input takes {port.type}, but '{link.node}.{link.port}' gave "
                f"{inputs[port.name].shape[2]} channels", file=source, node=node.id,
                key=port.name))
    try:
        value = node.spec.load()(context, **inputs, **node.params)
    except ParamValueError as exc:  # the node refused a parameter: bad input, not a failure
        raise NodeInputError(Problem(exc.problem, file=source, node=node.id,
                                     key=exc.name)) from exc
    except Exception as exc:  # noqa: BLE001 - any failure inside a node is reported by node
        raise RenderError(f"{where}: {type(exc).__name__}: {exc}") from exc
    if len(node.spec.outputs) == 1 and not isinstance(value, dict):
        value = {node.spec.outputs[0].name: value}
    if not isinstance(value, dict) or set(value) != {p.name for p in node.spec.outputs}:
        raise RenderError(f"{where}: returned {type(value).__name__}; expected a texture for "
                          f"each output ({', '.join(p.name for p in node.spec.outputs)})")
    result = {}
    for port in node.spec.outputs:
        try:
            texture = check_texture(value[port.name], port, height=context.height,
                                    width=context.width)
        except ValueError as exc:
            raise RenderError(f"{where}: bad output: {exc}") from None
        if isinstance(texture, np.ndarray):
            texture.flags.writeable = False  # shared by the cache and downstream nodes
        result[port.name] = texture
    return result
