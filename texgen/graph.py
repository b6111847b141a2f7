"""The node graph of a preset: validation against the registry, seeds, evaluation order.

``build_graph`` checks everything that can be checked before running anything and reports
every problem at once, each with file, node and key: unknown node types and parameters
(with the closest name suggested), wrong types and out-of-range values, files named by
path parameters that do not exist, relations between parameters (the spec's ``check``),
missing and dangling inputs, port type mismatches (also through "any" ports, whose channel
counts are followed through the graph: ``Port.same_as``), cycles (with their path),
unknown outputs and output formats.

A node of type ``"preset"`` instances another preset (a subgraph): its key ``preset`` names
the preset (a path relative to this file, or a preset name looked up in this file's folder
first, then in the preset folders), its other keys set that preset's exposed parameters,
and its output ports are that preset's outputs. The instance is flattened into this graph:
its nodes become ``"<instance id>/<node id>"`` and render at this preset's size and tiling,
seeded from the instance's own seed.
"""

from __future__ import annotations

import dataclasses
import graphlib
import hashlib
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from texgen.errors import PresetError, Problem, TexgenError, did_you_mean
from texgen.expressions import ExpressionError, is_expression, result_problem
from texgen.expressions import evaluate as evaluate_expression
from texgen.nodes import CHANNELS, NodeRegistry, NodeSpec, Param, Port, port_accepts
from texgen.preset import Preset


@dataclass(frozen=True)
class Link:
    """A connection from ``node``'s output ``port``."""

    node: str
    port: str


@dataclass(frozen=True)
class GraphNode:
    """A node ready to run: its spec, converted parameters, input links and seed;
    ``source`` names the preset file it was written in (an instanced preset's, for the
    nodes of a subgraph), for errors found while it runs."""

    id: str
    spec: NodeSpec
    params: Mapping[str, Any]
    inputs: Mapping[str, Link | None]
    seed: int
    source: str = ""


@dataclass(frozen=True)
class MemoryPlan:
    """An evaluation order and the memory it holds at once (``Graph.memory_plan``).

    ``order``: node ids, every node after its inputs. ``peak_bytes_per_pixel``: the most
    bytes held at once along it, per pixel: the results alive while a node runs, its own
    outputs and its declared ``NodeSpec.scratch``. ``peak_node``: the node running then.
    """

    order: tuple[str, ...]
    peak_bytes_per_pixel: float
    peak_node: str


#: How many memory plans ``Graph.memory_plan`` keeps for graphs of the same structure
#: (``Graph._structure``), oldest dropped first: planning is a greedy search over the nodes,
#: costly next to a small render, and a fit renders one graph at a thousand values.
SHARED_PLANS_KEPT = 256
_SHARED_PLANS: dict[tuple, MemoryPlan] = {}
_SHARED_PLANS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Graph:
    """A validated graph; ``outputs`` maps output names to links. ``channels`` holds the
    channel count of every node output that is known before rendering: fixed port types,
    and "any" outputs followed through ``Port.same_as``; an output missing from it is
    known only once its node runs."""

    preset: Preset
    nodes: Mapping[str, GraphNode]
    outputs: Mapping[str, Link]
    channels: Mapping[Link, int] = dataclasses.field(default_factory=dict)
    _plans: dict = dataclasses.field(default_factory=dict, init=False, repr=False,
                                     compare=False)

    def order(self, output_names: Iterable[str] | None = None) -> list[str]:
        """Ids of the nodes the given outputs need (default: all), in evaluation order: the
        ``memory_plan`` order with the outputs kept to the end."""
        return list(self.memory_plan(output_names).order)

    def memory_plan(self, output_names: Iterable[str] | None = None, *,
                    keep_outputs: bool = True) -> MemoryPlan:
        """The evaluation order of the nodes the given outputs need (default: all) that holds
        the fewest bytes at once, and that peak (``MemoryPlan``).

        A result lives from its node's run until its last consumer has run; an output the
        caller keeps (``keep_outputs``) lives to the end, one handed on as soon as it is
        final (a streamed write) only as long as a consumer needs it. Candidates, the first
        of the smallest peak wins (deterministic): a greedy order (of the nodes ready to
        run, the one that adds the fewest bytes net of those it frees, then the one whose
        consumer has the most of its inputs ready, then by id), a depth-first order from
        the outputs (the input needing the most memory first), and the order by id."""
        wanted = list(self.outputs) if output_names is None else list(output_names)
        plan_key = (tuple(wanted), keep_outputs)
        if plan_key not in self._plans:  # the estimate and the evaluator ask for the same
            shared_key = (self._structure(), *plan_key)
            with _SHARED_PLANS_LOCK:
                plan = _SHARED_PLANS.get(shared_key)
            if plan is None:
                plan = self._plan(wanted, keep_outputs)
                with _SHARED_PLANS_LOCK:
                    while _SHARED_PLANS and len(_SHARED_PLANS) >= SHARED_PLANS_KEPT:
                        del _SHARED_PLANS[next(iter(_SHARED_PLANS))]
                    _SHARED_PLANS[shared_key] = plan
            self._plans[plan_key] = plan
        return self._plans[plan_key]

    def _structure(self) -> tuple:
        """All that ``memory_plan`` reads, hashable: per node its id, input links, declared
        scratch and the bytes per pixel of each output, and the outputs. Parameter values
        and seeds are not in it, so the renders of one preset at other values (a fit, a
        batch of variants) share their plans."""
        return (tuple((node_id, tuple(node.inputs.items()), node.spec.scratch,
                       tuple(self.link_bytes(link) for link in self._links_out(node_id)))
                      for node_id, node in self.nodes.items()),
                tuple(self.outputs.items()))

    def topological_order(self, output_names: Iterable[str] | None = None) -> list[str]:
        """Ids of the nodes the given outputs need (default: all), every node after its
        inputs, in the plain order by id: cheap, for walking the graph (keys, files read);
        the evaluator runs ``memory_plan``'s order."""
        wanted = list(self.outputs) if output_names is None else list(output_names)
        needed, stack = set(), [self.outputs[name].node for name in wanted]
        while stack:
            node_id = stack.pop()
            if node_id not in needed:
                needed.add(node_id)
                stack.extend(link.node for link in self.nodes[node_id].inputs.values() if link)
        return list(graphlib.TopologicalSorter({
            node_id: [link.node for link in self.nodes[node_id].inputs.values() if link]
            for node_id in sorted(needed)}).static_order())

    def _plan(self, wanted: list[str], keep_outputs: bool) -> MemoryPlan:
        kept = {self.outputs[name] for name in wanted} if keep_outputs else set()
        by_id = self.topological_order(wanted)
        candidates = [self._greedy_order(by_id, kept),
                      self._depth_first_order([self.outputs[name].node for name in wanted]),
                      by_id]
        plans = [self._simulate(order, kept) for order in candidates]
        return min(plans, key=lambda plan: plan.peak_bytes_per_pixel)

    def link_bytes(self, link: Link) -> int:
        """Bytes per pixel of the texture on ``link``: 4 per channel (an "any" output whose
        channel count is known only at run time counts 4 channels)."""
        port = self.nodes[link.node].spec.output(link.port)
        return 4 * self.channels.get(link, CHANNELS.get(port.type, 4))

    def _links_in(self, node_id: str) -> list[Link]:
        return [link for link in self.nodes[node_id].inputs.values() if link]

    def _links_out(self, node_id: str) -> list[Link]:
        return [Link(node_id, port.name) for port in self.nodes[node_id].spec.outputs]

    def _consumers(self, order: list[str]) -> dict[Link, int]:
        """How many inputs among ``order``'s nodes read each link."""
        counts: dict[Link, int] = {}
        for node_id in order:
            for link in self._links_in(node_id):
                counts[link] = counts.get(link, 0) + 1
        return counts

    def _simulate(self, order: list[str], kept: Collection[Link]) -> MemoryPlan:
        """Run ``order`` on paper: the bytes per pixel held while each node runs (what is
        alive, its outputs and its scratch), freeing as the evaluator does."""
        remaining = self._consumers(order)
        live, peak, peak_node = 0.0, 0.0, ""
        for node_id in order:
            produced = sum(self.link_bytes(link) for link in self._links_out(node_id))
            running = live + produced + self.nodes[node_id].spec.scratch
            if running > peak:
                peak, peak_node = running, node_id
            live += produced
            for link in self._links_in(node_id):
                remaining[link] -= 1
            for link in {*self._links_in(node_id), *self._links_out(node_id)}:
                if not remaining.get(link) and link not in kept:
                    live -= self.link_bytes(link)
        return MemoryPlan(tuple(order), peak, peak_node)

    def _greedy_order(self, by_id: list[str], kept: Collection[Link]) -> list[str]:
        position = {node_id: index for index, node_id in enumerate(by_id)}
        remaining = self._consumers(by_id)
        consumers: dict[str, set[str]] = {node_id: set() for node_id in by_id}
        for node_id in by_id:
            for link in self._links_in(node_id):
                consumers[link.node].add(node_id)
        inputs_of = {node_id: {link.node for link in self._links_in(node_id)}
                     for node_id in by_id}
        done: set[str] = set()
        order: list[str] = []

        def cost(node_id: str) -> tuple[float, float, int]:
            added = sum(self.link_bytes(link) for link in self._links_out(node_id))
            reads: dict[Link, int] = {}
            for link in self._links_in(node_id):
                reads[link] = reads.get(link, 0) + 1
            freed = sum(self.link_bytes(link) for link, count in reads.items()
                        if remaining[link] == count and link not in kept)
            freed += sum(self.link_bytes(link) for link in self._links_out(node_id)
                         if not remaining.get(link) and link not in kept)
            readiness = max((len(inputs_of[c] & done) + 1) / len(inputs_of[c])
                            for c in consumers[node_id]) if consumers[node_id] else 1.0
            return added - freed, -readiness, position[node_id]

        while len(order) < len(by_id):
            ready = [node_id for node_id in by_id
                     if node_id not in done and inputs_of[node_id] <= done]
            chosen = min(ready, key=cost)
            order.append(chosen)
            done.add(chosen)
            for link in self._links_in(chosen):
                remaining[link] -= 1
        return order

    def _depth_first_order(self, roots: list[str]) -> list[str]:
        need: dict[str, float] = {}

        def inputs_by_need(node_id: str) -> list[str]:
            distinct = list(dict.fromkeys(link.node for link in self._links_in(node_id)))
            return sorted(distinct, key=lambda other: -need_of(other))

        def need_of(node_id: str) -> float:
            # Sethi-Ullman: the inputs' subgraphs one after the other, each computed while
            # the results of those before it are held.
            if node_id not in need:
                held, most = 0.0, 0.0
                for other in inputs_by_need(node_id):
                    most = max(most, held + need_of(other))
                    held += sum(self.link_bytes(link) for link in self._links_out(other))
                own = sum(self.link_bytes(link) for link in self._links_out(node_id))
                need[node_id] = max(most, held + own + self.nodes[node_id].spec.scratch)
            return need[node_id]

        order: list[str] = []
        placed: set[str] = set()
        stack = [(root, False) for root in reversed(roots)]
        while stack:
            node_id, expanded = stack.pop()
            if node_id in placed:
                continue
            if expanded:
                placed.add(node_id)
                order.append(node_id)
                continue
            stack.append((node_id, True))
            stack.extend((other, False) for other in reversed(inputs_by_need(node_id))
                         if other not in placed)
        return order

    def files_read(self, output_names: Iterable[str] | None = None) -> list[Path]:
        """The files the given outputs' nodes read (default: every node's), sorted: what
        their path parameters name (files, or a model's folder) and the preset files that
        nodes were instanced from. The graph's own preset is not among them."""
        node_ids = self.nodes if output_names is None else self.topological_order(
            output_names)
        files: set[Path] = set()
        for node_id in node_ids:
            node = self.nodes[node_id]
            files.update(value for value in node.params.values() if isinstance(value, Path))
            if node.source and node.source != self.preset.source and Path(node.source).is_file():
                files.add(Path(node.source).resolve())
        return sorted(files)


def node_seed(preset_seed: int, node_id: str) -> int:
    """A node's seed: a stable 32-bit hash of (preset seed, node id).

    Adding or renaming one node never changes another node's randomness.
    """
    digest = hashlib.blake2b(f"{preset_seed}:{node_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little")


def substitute(value: Any, parameters: Mapping[str, Any]) -> Any:
    """``value`` with every "$name" string, also inside lists, replaced by the exposed
    parameter's value (so a gradient stop's color can be exposed), and every "= expression"
    by its value over the exposed parameters (``texgen.expressions``). Raises ``KeyError``
    for an unknown "$name", ``ExpressionError`` for an expression in error."""
    if is_expression(value):
        return evaluate_expression(value, parameters)
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
                load_preset: Callable[[str, Preset], Preset] | None = None,
                formats: Collection[str] | None = None,
                _instancing: tuple[str, ...] = ()) -> Graph:
    """Validate ``preset`` against the node registry and return its ``Graph``.

    ``load_preset(reference, referrer)`` loads the preset that a ``"preset"`` node of
    ``referrer`` instances (a path or a name, looked up from the referrer's folder first;
    the engine's ``load_referenced``); without it such nodes are an error. ``formats``, when
    given, are the output formats known (the engine's exporters): an output asking for
    another is a problem. Raises ``PresetError`` listing every problem found, in this file
    and in instanced ones.
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
        params, inputs, problems_before = {}, {}, len(problems)
        for key, value in entry.values.items():
            if spec.input(key) is not None:
                continue
            param = spec.param(key)
            if param is None:
                valid = [p.name for p in spec.params] + [p.name for p in spec.inputs]
                problem(f"unknown parameter for {spec.id}{did_you_mean(key, valid)} "
                        f"(valid: {', '.join(valid) or 'none'})", node=entry.id, key=key)
                continue
            written = value
            try:
                value = substitute(value, preset.parameters)
            except (KeyError, ExpressionError) as exc:
                problem(exc.args[0], node=entry.id, key=key)
                continue
            try:
                params[key] = param.coerce(value, base_dir=preset.base_dir)
            except ValueError as exc:
                problem(_reference_mismatch(written, preset.parameters, param)
                        or result_problem(written, value, exc) or str(exc),
                        node=entry.id, key=key)
        for param in spec.params:
            default = param.default
            if param.type == "path" and default is not None:  # resolved like a set path
                default = param.coerce(default, base_dir=preset.base_dir)
            params.setdefault(param.name, default)
            if param.type != "path":
                continue
            if params[param.name] is None:  # a path without a default names what the node reads
                if param.optional:
                    continue
                problem(f"no file given: {spec.id} needs its '{param.name}' set (a path "
                        f"relative to the preset's folder)", node=entry.id, key=param.name)
            elif not params[param.name].exists():
                problem(f"no such file: {params[param.name]} (relative paths are read from "
                        f"the preset's folder)", node=entry.id, key=param.name)
        if spec.check is not None and len(problems) == problems_before:
            for key, message in spec.check(params):
                problem(message, node=entry.id, key=key)
        for port in spec.inputs:
            inputs[port.name] = _link(preset, entry.id, port, entry.values.get(port.name),
                                      specs, instances, problem)
        seed = entry.seed if entry.seed is not None else node_seed(preset.seed, entry.id)
        nodes[entry.id] = GraphNode(entry.id, spec, params, inputs, seed, preset.source)

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
        if formats is not None and out.format is not None and out.format not in formats:
            problem(f"unknown format '{out.format}'{did_you_mean(out.format, formats)} "
                    f"(formats: {', '.join(sorted(formats))})", key=f"{key}.format")

    if not problems:
        _check_cycles(nodes, problem)
    channels = _channel_counts(nodes)
    _check_channels(preset, nodes, channels, problem)
    if problems:
        raise PresetError(problems)
    return Graph(preset, nodes, outputs, channels)


def _reference_mismatch(written: Any, parameters: Mapping[str, Param],
                        param: Param) -> str | None:
    """Why the exposed parameter that ``written`` ("$name") passes on does not fit
    ``param`` ("'$glow_color' is a color parameter; 'strength' expects a float"), or None
    when ``written`` is no such reference or the types agree."""
    if not (isinstance(written, str) and written.startswith("$")):
        return None
    exposed = parameters.get(written[1:])
    if exposed is None or exposed.type == param.type:
        return None
    return (f"'{written}' is {_a(exposed.type)} parameter; '{param.name}' expects "
            f"{_a(param.type)}")


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _channel_counts(nodes: Mapping[str, GraphNode]) -> dict[Link, int]:
    """The channel count of every output known before rendering: a fixed port type's, or
    an "any" output's through ``Port.same_as`` (the largest count among the named inputs
    that are connected, when all of those are known). Empty when the nodes form a cycle
    (reported on its own), so that the other problems are still all listed."""
    channels: dict[Link, int] = {}
    try:
        order = list(graphlib.TopologicalSorter({
            node_id: [link.node for link in node.inputs.values() if link]
            for node_id, node in nodes.items()}).static_order())
    except graphlib.CycleError:
        return channels
    for node_id in order:
        node = nodes[node_id]
        for port in node.spec.outputs:
            if port.type != "any":
                channels[Link(node_id, port.name)] = CHANNELS[port.type]
                continue
            counts = [channels.get(node.inputs[name]) for name in port.same_as
                      if node.inputs.get(name)]
            if counts and None not in counts:
                channels[Link(node_id, port.name)] = max(counts)
    return channels


def _check_channels(preset: Preset, nodes: Mapping[str, GraphNode],
                    channels: Mapping[Link, int], problem) -> None:
    """A problem for each input of this preset's nodes that takes a fixed type but is fed,
    through "any" ports, a texture with another channel count."""
    for entry in preset.nodes.values():
        node = nodes.get(entry.id)
        if node is None or entry.type == SUBGRAPH_TYPE:
            continue
        for port in node.spec.inputs:
            link = node.inputs.get(port.name)
            count = channels.get(link) if link else None
            if port.type == "any" or count is None or count == CHANNELS[port.type]:
                continue
            carried = next(kind for kind, n in CHANNELS.items() if n == count)
            problem(f"type mismatch: '{entry.values[port.name]}' carries {carried} ({count} "
                    f"channels, through \"any\" ports), input '{port.name}' takes "
                    f"{port.type}", node=entry.id, key=port.name)


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
    try:
        sub = load_preset(reference, preset)
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
        if key == "preset":
            continue
        mismatch = key in sub.parameters and _reference_mismatch(value, preset.parameters,
                                                                 sub.parameters[key])
        if mismatch:
            problem(mismatch, node=entry.id, key=key)
            continue
        try:
            overrides[key] = substitute(value, preset.parameters)
        except (KeyError, ExpressionError) as exc:
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
