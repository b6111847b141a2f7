"""Job keys: one hash of everything that shapes a build job's bytes, kept as named parts so
that ``--dry-run`` can say which part changed.

The parts, each a SHA-256 hex digest:

- ``graph``: the resolved graph of the outputs the target reads, hashed with the
  evaluator's own node keys (``texgen.evaluate.content_key``: node type and version,
  parameters after defaults and overrides, inputs, size, seed, tiling), after instancing.
  A path parameter is keyed by its file's content digest, not its name or mtime, so a
  fresh clone of the same files has the same keys.
- ``files``: the content digests of every file the graph reads (images, models) and of
  every preset it instances.
- ``parameters``, ``seed``, ``size``: the job's own values.
- ``target``: the export settings (``Target.settings()``).
- ``versions``: texgen, each loaded plugin, NumPy and Numba.

The job key hashes the parts together.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from texgen.evaluate import content_key
from texgen.graph import Graph, GraphNode

#: The key's parts, in the order ``--dry-run`` names them.
KEY_PARTS = ("parameters", "seed", "size", "files", "graph", "target", "versions")


def digest_json(value: Any) -> str:
    """SHA-256 of ``value`` as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def versions(engine) -> dict[str, Any]:
    """The versions a render depends on: texgen, NumPy, Numba and every loaded plugin
    (``{name: version}``; plugins added through the API have version "")."""
    import numba
    import numpy

    import texgen

    try:
        texgen_version = importlib.metadata.version("texgen")
    except importlib.metadata.PackageNotFoundError:
        texgen_version = texgen.__version__
    return {"texgen": texgen_version, "numpy": numpy.__version__, "numba": numba.__version__,
            "plugins": {info.name: info.version for info in engine.plugins
                        if info.status == "loaded"}}


def content_digest(path: Path, file_digest) -> str:
    """SHA-256 of a file's bytes (``file_digest(path)``, e.g. an engine's memoised
    ``resources.digest``), or for a folder (a model folder) of every file under it with
    its relative path."""
    if not path.is_dir():
        return file_digest(path)
    return digest_json({item.relative_to(path).as_posix(): file_digest(item)
                        for item in sorted(path.rglob("*")) if item.is_file()})


def graph_digest(graph: Graph, outputs: list[str], digests: Mapping[Path, str]) -> str:
    """A hash of the resolved graph that computes ``outputs``: the evaluator's content key
    of each output's node (which covers everything upstream), path parameters keyed by
    their content digest (``digests``)."""
    keys: dict[str, str] = {}
    for node_id in graph.topological_order(outputs):
        node = _with_digests(graph.nodes[node_id], digests)
        inputs = {name: keys[link.node] + "." + link.port
                  for name, link in node.inputs.items() if link}
        keys[node_id] = content_key(node, inputs, size=graph.preset.size, backend="cpu",
                                    tileable=graph.preset.tileable)
    return digest_json({name: [keys[graph.outputs[name].node], graph.outputs[name].port]
                        for name in outputs})


def _with_digests(node: GraphNode, digests: Mapping[Path, str]) -> GraphNode:
    if not any(isinstance(value, Path) for value in node.params.values()):
        return node
    params = {name: "sha256:" + digests[value] if isinstance(value, Path) else value
              for name, value in node.params.items()}
    return dataclasses.replace(node, params=params)


def job_key(parts: Mapping[str, str]) -> str:
    """The job key: a hash of its parts."""
    return digest_json({name: parts[name] for name in KEY_PARTS})


def changed_parts(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """The names of the parts that differ, in ``KEY_PARTS`` order."""
    return [name for name in KEY_PARTS if old.get(name) != new.get(name)]
