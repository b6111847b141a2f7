"""Evaluate a graph: run the needed nodes in order, reuse cached results by content key.

A node's key hashes everything its result depends on: node type and spec version, its
parameters, the keys of its inputs, size, seed, backend and tiling. Changing one parameter
changes the keys of that node and everything downstream of it, and nothing else.
"""

from __future__ import annotations

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
from texgen.graph import Graph, GraphNode
from texgen.nodes import CHANNELS, NodeContext, ParamValueError, check_texture
from texgen.resources import ResourceCache


@dataclass(frozen=True)
class NodeEvent:
    """Progress of one node: ``status`` is "computed" or "cached"; ``index`` counts from 1."""

    node_id: str
    node_type: str
    status: str
    index: int
    total: int
    seconds: float


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

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


def evaluate(graph: Graph, *, output_names: Iterable[str] | None = None,
             backend: str = "cpu", cache: ResultCache | None = None,
             resources: ResourceCache | None = None,
             progress: Callable[[NodeEvent], None] | None = None) -> dict[str, np.ndarray]:
    """Run the nodes the requested outputs need and return ``{output name: texture}``.

    ``resources`` is handed to every node as ``ctx.resources`` (one new cache per call
    when None).
    Textures are the cached results themselves (read-only NumPy arrays, or device arrays
    on the cuda backend). A node that raises becomes a
    ``RenderError`` naming the preset file, the node id and its type (exit 1), unless what
    it found is bad input: a parameter it refused with ``param_error``, or an input with
    the wrong channel count, become a ``NodeInputError`` naming file, node and key (exit 2).
    """
    preset = graph.preset
    width, height = preset.size
    resources = ResourceCache() if resources is None else resources
    names = list(graph.outputs) if output_names is None else list(output_names)
    order = graph.order(names)
    keys: dict[str, str] = {}
    results: dict[str, dict[str, np.ndarray]] = {}
    for index, node_id in enumerate(order, start=1):
        node = graph.nodes[node_id]
        key = keys[node_id] = content_key(node, {name: keys[link.node] + "." + link.port
                                                 for name, link in node.inputs.items() if link},
                                          size=(width, height), backend=backend,
                                          tileable=preset.tileable)
        started = time.perf_counter()
        result = cache.get(key) if cache is not None else None
        status = "cached"
        if result is None:
            status = "computed"
            # A node without a kernel for this backend runs on the CPU, on host copies.
            context = NodeContext(node_id=node_id, width=width, height=height, seed=node.seed,
                                  backend=backend if backend in node.spec.backends else "cpu",
                                  tileable=preset.tileable, resources=resources)
            inputs = {name: (to_backend(results[link.node][link.port], context.backend)
                             if link else None) for name, link in node.inputs.items()}
            result = _run(node, context, inputs, preset.source)
            if cache is not None:
                cache.put(key, result)
        results[node_id] = result
        if progress:
            progress(NodeEvent(node_id, node.spec.id, status, index, len(order),
                               time.perf_counter() - started))
    return {name: results[graph.outputs[name].node][graph.outputs[name].port] for name in names}


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
