"""What the preview page draws, as JSON-ready data: the graph laid out in layers, and a
control per exposed parameter.

``graph_view`` describes a validated ``Graph``: every node (flattened subgraph nodes
included) with its ports, the edges between ports, the subgraph instances as groups, and a
left-to-right layer per node (a node sits one layer right of its furthest input, so edges
always point right). ``parameter_controls`` describes a preset's exposed parameters as the
page needs them for its sliders, pickers and fields. Both are pure functions of their
arguments, so the live server and the static export share them.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from typing import Any

from texgen.graph import Graph, Link
from texgen.nodes import CHANNELS, Param
from texgen.preset import Preset
from texgen.roles import role_of

#: Parameter types whose values JSON carries as they are; the others travel as the text a
#: preset file writes (``ParamType.show``): "#rrggbb" colors, gradients as JSON text.
_NATIVE_TYPES = ("int", "float", "bool", "enum", "string", "seed")


def graph_view(graph: Graph) -> dict[str, Any]:
    """Nodes, edges, groups and layers of ``graph`` (see the module docstring); every
    node, also those no output needs (a node being built is often not connected yet).

    A node's ``group`` is the subgraph instance it was flattened from (``"walls"`` for
    ``"walls/mortar"``; the innermost for nested instances), or None. Within a layer, nodes
    are ordered by the mean row of their inputs (one barycentre pass), so that chains stay
    on a line and edges cross less.
    """
    sources = {node_id: [link.node for link in node.inputs.values() if link]
               for node_id, node in graph.nodes.items()}
    layers: dict[str, int] = {}
    for node_id in graphlib.TopologicalSorter(sources).static_order():
        layers[node_id] = 1 + max((layers[i] for i in sources[node_id]), default=-1)
    columns: dict[int, list[str]] = {}
    for node_id in graph.nodes:  # preset order within a layer before the barycentre pass
        columns.setdefault(layers[node_id], []).append(node_id)
    rows: dict[str, int] = {}
    for layer in sorted(columns):
        def mean_input_row(node_id: str) -> float:
            placed = [rows[link.node] for link in graph.nodes[node_id].inputs.values()
                      if link and link.node in rows]
            return sum(placed) / len(placed) if placed else float("inf")

        columns[layer].sort(key=mean_input_row)
        rows.update((node_id, row) for row, node_id in enumerate(columns[layer]))

    nodes, edges = [], []
    for layer in sorted(columns):
        for node_id in columns[layer]:
            node = graph.nodes[node_id]
            nodes.append({
                "id": node_id, "type": node.spec.id, "doc": node.spec.doc,
                "group": node_id.rpartition("/")[0] or None,
                "layer": layer, "row": rows[node_id], "source": node.source,
                "inputs": [{"name": port.name, "type": port.type} for port in node.spec.inputs],
                "outputs": [{"name": port.name, "type": port.type,
                             "channels": graph.channels.get(Link(node_id, port.name),
                                                            CHANNELS.get(port.type))}
                            for port in node.spec.outputs]})
            edges.extend({"from": link.node, "from_port": link.port, "to": node_id,
                          "to_port": name}
                         for name, link in node.inputs.items() if link)
    groups = sorted({"/".join(parts[:depth]) for node in nodes
                     if (parts := node["id"].split("/"))
                     for depth in range(1, len(parts))})
    return {"nodes": nodes, "edges": edges,
            "groups": [{"id": group, "parent": group.rpartition("/")[0] or None,
                        "preset": graph.preset.nodes[group].values.get("preset")
                        if group in graph.preset.nodes else None}
                       for group in groups],
            "layers": 1 + max(layers.values(), default=-1),
            "outputs": [{"name": name, "node": link.node, "port": link.port,
                         "role": role.name if (role := role_of(name)) else None}
                        for name, link in graph.outputs.items()]}


def parameter_controls(preset: Preset, *,
                       written: Mapping[str, Param] | None = None) -> list[dict[str, Any]]:
    """One entry per exposed parameter of ``preset``, in file order: ``name``, ``type``,
    ``doc``, ``value`` (in use, after overrides), ``default`` (as ``written`` in the file,
    before overrides; default: ``value``), ``min``/``max`` (or None), ``choices``, and
    ``derived`` (the expression of a parameter computed from others; the page shows it
    without a control)."""
    written = written or preset.parameters
    return [{"name": name, "type": param.type, "doc": param.doc, "value": control_value(param),
             "default": control_value(written.get(name, param)),
             "min": param.min, "max": param.max, "choices": list(param.choices),
             "derived": preset.derived.get(name)}
            for name, param in preset.parameters.items()]


def control_value(param: Param) -> Any:
    """``param``'s value as a page control holds it and sends it back as an override:
    JSON-native for numbers, booleans and text, else as a preset file writes it."""
    if param.type in _NATIVE_TYPES:
        return param.default
    return None if param.default is None else param.type_info.show(param.default)

