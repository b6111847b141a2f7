"""The node graph of a preset: validation against the registry, seeds, evaluation order.

``build_graph`` checks everything that can be checked before running anything and reports
every problem at once, each with file, node and key: unknown node types and parameters
(with the closest name suggested), wrong types and out-of-range values, missing and
dangling inputs, port type mismatches, cycles (with their path) and unknown outputs.

A node of type ``"preset"`` instances another preset (a subgraph): its key ``preset`` names
the preset (a path relative to this file, or a preset name), its other keys set that
preset's exposed parameters, and its output ports are that preset's outputs. The instance
is flattened into this graph: its nodes become ``"<instance id>/<node id>"`` and render at
this preset's size and tiling, seeded from the instance's own seed.
"""

from __future__ import annotations

import dataclasses
import graphlib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from texgen.errors import PresetError, Problem, TexgenError, did_you_mean
from texgen.nodes import NodeRegistry, NodeSpec, Port, port_accepts
from texgen.preset import Preset


@dataclass(frozen=True)
class Link:
    """A connection from ``node``'s output ``port``."""

    node: str
    port: str


@dataclass(frozen=True)
class GraphNode:
    """A node ready to run: its spec, converted parameters, input links and seed."""

    id: str
    spec: NodeSpec
    params: Mapping[str, Any]
    inputs: Mapping[str, Link | None]
    seed: int


@dataclass(frozen=True)
class Graph:
    """A validated graph; ``outputs`` maps output names to links."""

    preset: Preset
    nodes: Mapping[str, GraphNode]
    outputs: Mapping[str, Link]

    def order(self, output_names: Iterable[str] | None = None) -> list[str]:
        """Ids of the nodes the given outputs need (default: all), in evaluation order."""
        wanted = list(self.outputs) if output_names is None else list(output_names)
        needed, stack = set(), [self.outputs[name].node for name in wanted]
        while stack:
            node_id = stack.pop()
            if node_id not in needed:
                needed.add(node_id)
                stack.extend(link.node for link in self.nodes[node_id].inputs.values() if link)
        sorter = graphlib.TopologicalSorter({
            node_id: [link.node for link in self.nodes[node_id].inputs.values() if link]
            for node_id in sorted(needed)})
        return list(sorter.static_order())


def node_seed(preset_seed: int, node_id: str) -> int:
    """A node's seed: a stable 32-bit hash of (preset seed, node id).

    Adding or renaming one node never changes another node's randomness.
    """
    digest = hashlib.blake2b(f"{preset_seed}:{node_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little")


def substitute(value: Any, parameters: Mapping[str, Any]) -> Any:
    """``value`` with every "$name" string, also inside lists, replaced by the exposed
    parameter's value (so a gradient stop's color can be exposed). Raises ``KeyError``."""
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in parameters:
            raise KeyError(f"'{value}' names no exposed parameter"
                           f"{did_you_mean(value[1:], parameters)}")
        return parameters[value[1:]].default
    if isinstance(value, list):
        return [substitute(item, parameters) for item in value]
    return value


#: The node type that instances another preset.
SUBGRAPH_TYPE = "preset"


def build_graph(preset: Preset, registry: NodeRegistry, *,
                load_preset: Callable[[str | Path], Preset] | None = None,
                _instancing: tuple[str, ...] = ()) -> Graph:
    """Validate ``preset`` against the node registry and return its ``Graph``.

    ``load_preset`` loads the presets that ``"preset"`` nodes instance (from a path or a
    name; ``Engine.load_preset``); without it such nodes are an error. Raises
    ``PresetError`` listing every problem found, in this file and in instanced ones.
    """
    problems: list[Problem] = []

    def problem(message, *, node=None, key=None):
        problems.append(Problem(message, file=preset.source, node=node, key=key))

    specs: dict[str, NodeSpec] = {}
    instances: dict[str, Graph] = {}
    for entry in preset.nodes.values():
        if entry.type == SUBGRAPH_TYPE:
            instance = _instance(preset, entry, registry, load_preset,
                                 (*_instancing, preset.source), problems, problem)
            if instance is not None:
                instances[entry.id] = instance
            continue
        try:
            specs[entry.id] = registry.get(entry.type)
        except KeyError as exc:
            problem(f"{exc.args[0]} (see 'texgen nodes')", node=entry.id, key="type")

    nodes: dict[str, GraphNode] = {}
    for instance_id, instance in instances.items():
        nodes.update(_flatten(instance_id, instance))
    for entry in preset.nodes.values():
        spec = specs.get(entry.id)
        if spec is None:
            continue
        params, inputs = {}, {}
        for key, value in entry.values.items():
            if spec.input(key) is not None:
                continue
            param = spec.param(key)
            if param is None:
                valid = [p.name for p in spec.params] + [p.name for p in spec.inputs]
                problem(f"unknown parameter for {spec.id}{did_you_mean(key, valid)} "
                        f"(valid: {', '.join(valid) or 'none'})", node=entry.id, key=key)
                continue
            try:
                value = substitute(value, preset.parameters)
            except KeyError as exc:
                problem(exc.args[0], node=entry.id, key=key)
                continue
            try:
                params[key] = param.coerce(value, base_dir=preset.base_dir)
            except ValueError as exc:
                problem(str(exc), node=entry.id, key=key)
        for param in spec.params:
            default = param.default
            if param.type == "path" and default is not None:  # resolved like a set path
                default = param.coerce(default, base_dir=preset.base_dir)
            params.setdefault(param.name, default)
        for port in spec.inputs:
            inputs[port.name] = _link(preset, entry.id, port, entry.values.get(port.name),
                                      specs, instances, problem)
        seed = entry.seed if entry.seed is not None else node_seed(preset.seed, entry.id)
        nodes[entry.id] = GraphNode(entry.id, spec, params, inputs, seed)

    outputs = {}
    for out in preset.outputs.values():
        key = f"outputs.{out.name}"
        spec = specs.get(out.node)
        if out.node not in preset.nodes:
            problem(f"no node '{out.node}'{did_you_mean(out.node, preset.nodes)}", key=key)
        elif out.node in instances:
            found = _instance_output(instances[out.node], out.node, out.port, problem,
                                     node=None, key=key)
            if found is not None:
                outputs[out.name] = found[0]
        elif spec is not None:
            port = spec.output(out.port) if out.port else spec.outputs[0]
            if port is None:
                problem(f"{spec.id} has no output '{out.port}'"
                        f"{did_you_mean(out.port, [p.name for p in spec.outputs])}", key=key)
            else:
                outputs[out.name] = Link(out.node, port.name)

    if not problems:
        _check_cycles(nodes, problem)
    if problems:
        raise PresetError(problems)
    return Graph(preset, nodes, outputs)


def _instance(preset: Preset, entry, registry, load_preset, instancing, problems,
              problem) -> Graph | None:
    """The graph of the preset that node ``entry`` instances, or None (problems recorded)."""
    reference = entry.values.get("preset")
    if not isinstance(reference, str) or not reference:
        problem("a \"preset\" node names the preset it instances: preset = \"bricks\" or "
                "a path relative to this file", node=entry.id, key="preset")
        return None
    if load_preset is None:
        problem("instancing a preset needs an engine to load it (Engine.render / texgen "
                "render)", node=entry.id, key="preset")
        return None
    relative = preset.base_dir / reference if preset.base_dir else None
    try:
        sub = load_preset(relative if relative is not None and relative.is_file()
                          else reference)
    except TexgenError as exc:
        problem(f"cannot load preset '{reference}': {exc}", node=entry.id, key="preset")
        return None
    if sub.source in instancing:
        chain = " -> ".join((*instancing, sub.source))
        problem(f"presets instance each other in a loop: {chain}", node=entry.id,
                key="preset")
        return None
    overrides = {}
    for key, value in entry.values.items():
        if key != "preset":
            try:
                overrides[key] = substitute(value, preset.parameters)
            except KeyError as exc:
                problem(exc.args[0], node=entry.id, key=key)
    seed = entry.seed if entry.seed is not None else node_seed(preset.seed, entry.id)
    try:
        sub = sub.with_overrides(size=preset.size, seed=seed, overrides=overrides)
        return build_graph(dataclasses.replace(sub, tileable=preset.tileable), registry,
                           load_preset=load_preset, _instancing=instancing)
    except PresetError as exc:
        for sub_problem in exc.problems:
            if sub_problem.file == sub.source and sub_problem.node is None:
                # an override the instanced preset refused: the key is this node's
                problem(sub_problem.message, node=entry.id, key=sub_problem.key)
            else:
                problems.append(sub_problem)
        return None


def _flatten(instance_id: str, instance: Graph) -> dict[str, GraphNode]:
    """The instance's nodes under ids "<instance_id>/<node id>", links renamed to match."""
    def rename(link: Link | None) -> Link | None:
        return link and Link(f"{instance_id}/{link.node}", link.port)

    return {f"{instance_id}/{node.id}": dataclasses.replace(
                node, id=f"{instance_id}/{node.id}",
                inputs={name: rename(link) for name, link in node.inputs.items()})
            for node in instance.nodes.values()}


def _instance_output(instance: Graph, instance_id: str, port_name: str | None, problem, *,
                     node, key) -> tuple[Link, Port] | None:
    """The flattened link and port of an instanced preset's output (default: its first)."""
    name = port_name or next(iter(instance.outputs))
    link = instance.outputs.get(name)
    if link is None:
        problem(f"the instanced preset '{instance.preset.name}' has no output '{name}'"
                f"{did_you_mean(name, instance.outputs)} (outputs: "
                f"{', '.join(instance.outputs)})", node=node, key=key)
        return None
    port = instance.nodes[link.node].spec.output(link.port)
    return Link(f"{instance_id}/{link.node}", link.port), port


def _link(preset, node_id, port: Port, value, specs, instances, problem) -> Link | None:
    if value is None:
        if not port.optional:
            problem(f"missing input: connect it to a node, e.g. {port.name} = \"other_node\"",
                    node=node_id, key=port.name)
        return None
    if not isinstance(value, str) or not value:
        problem(f"an input names a node (\"node\" or \"node.port\"), got {value!r}",
                node=node_id, key=port.name)
        return None
    source, _, source_port = value.partition(".")
    if source not in preset.nodes:
        problem(f"input refers to no node '{source}'{did_you_mean(source, preset.nodes)}",
                node=node_id, key=port.name)
        return None
    if source in instances:
        found = _instance_output(instances[source], source, source_port, problem,
                                 node=node_id, key=port.name)
        if found is None:
            return None
        link, output = found
    else:
        spec = specs.get(source)
        if spec is None:  # its unknown type (or broken instance) is reported on its own
            return None
        output = spec.output(source_port) if source_port else spec.outputs[0]
        if output is None:
            problem(f"{spec.id} has no output '{source_port}'"
                    f"{did_you_mean(source_port, [p.name for p in spec.outputs])}",
                    node=node_id, key=port.name)
            return None
        link = Link(source, output.name)
    if not port_accepts(port.type, output.type):
        problem(f"type mismatch: '{source}.{source_port or output.name}' is {output.type}, "
                f"input '{port.name}' takes {port.type}", node=node_id, key=port.name)
        return None
    return link


def _check_cycles(nodes: Mapping[str, GraphNode], problem) -> None:
    graph = {node_id: [link.node for link in node.inputs.values() if link]
             for node_id, node in nodes.items()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        path = list(reversed(exc.args[1]))  # graphlib lists the cycle against the edges
        problem(f"cycle: {' -> '.join(path)}", node=path[0])
