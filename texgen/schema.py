"""A JSON Schema for preset files, generated from the registered node specs.

Editors use it for completion and inline checks (e.g. Taplo / Even Better TOML with
``#:schema preset.schema.json``, or VS Code's ``json.schemas`` for JSON presets). The
engine's own validation (``texgen validate``) stays the authority: it also checks links,
port types, cycles and exposed parameters, which a schema cannot.
"""

from __future__ import annotations

from typing import Any

from texgen.describe.vocabulary import known_roles
from texgen.expressions import NUMERIC_TYPES
from texgen.graph import SUBGRAPH_TYPE
from texgen.nodes import PARAM_TYPES, SEED_MAX, NodeRegistry, NodeSpec, Param
from texgen.preset import FORMAT_VERSION, MAX_SIDE

_EXPOSED = {"type": "string", "pattern": r"^\$[a-z_][a-z0-9_]*$",
            "description": "An exposed parameter: \"$name\"."}
_EXPRESSION = {"type": "string", "pattern": r"^=",
               "description": "An expression over exposed parameters: \"= 0.35 / $count\"."}
#: Where a part of a value may be an exposed parameter or an expression (a gradient stop;
#: lenient for a stop's color, which no expression gives: the engine says so).
_REFERENCE = {"anyOf": [_EXPOSED, _EXPRESSION]}
_LINK = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_-]*(\.[a-z_][a-z0-9_]*)?$",
         "description": "A node id, or \"node.port\"."}
_SEED = {"type": "integer", "minimum": 0, "maximum": SEED_MAX}


def preset_schema(registry: NodeRegistry) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of preset files for the nodes in ``registry``."""
    size = {"type": "integer", "minimum": 1, "maximum": MAX_SIDE}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "texgen preset",
        "type": "object",
        "required": ["texgen", "nodes", "outputs"],
        "additionalProperties": False,
        "properties": {
            "texgen": {"const": FORMAT_VERSION, "description": "Format version."},
            "name": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
            "description": {"type": "string"},
            "size": {"anyOf": [size, {"type": "array", "items": size, "minItems": 2,
                                      "maxItems": 2}]},
            "seed": _SEED,
            "tileable": {"type": "boolean"},
            "parameters": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["type", "default"],
                "additionalProperties": False,
                "properties": {"type": {"enum": list(PARAM_TYPES)},
                               "default": {}, "min": {"type": "number"},
                               "max": {"type": "number"},
                               "choices": {"type": "array", "items": {"type": "string"}},
                               "doc": {"type": "string"},
                               "role": {"enum": sorted(known_roles()),
                                        "description": "What the global word table's "
                                        "words do to it (texgen describe)."}}}},
            "synonyms": {"type": "array", "items": {"type": "string", "minLength": 1},
                         "description": "Other names of the material (texgen describe)."},
            "words": {"type": "object", "description": "Words and phrases -> exposed "
                      "parameter changes (texgen describe): a value, \"+50%\", \"x2\", "
                      "\"+0.1\" or \"80%\".",
                      "additionalProperties": {"type": "object", "additionalProperties": {
                          "type": ["number", "string", "boolean"]}}},
            "nodes": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["type"],
                "properties": {"type": {"enum": [*registry.ids(), SUBGRAPH_TYPE]}},
                "allOf": [*(_node_rule(spec) for spec in registry), _SUBGRAPH_RULE]}},
            "outputs": {"type": "object", "minProperties": 1, "additionalProperties": {
                "anyOf": [_LINK, {"type": "object", "required": ["node"],
                                  "additionalProperties": False,
                                  "properties": {"node": _LINK, "format": {"type": "string"},
                                                 "normalize": {"type": "boolean"}}}]}},
        },
    }


#: A node instancing a preset: its other keys are that preset's exposed parameters, which
#: this schema cannot know.
_SUBGRAPH_RULE = {
    "if": {"properties": {"type": {"const": SUBGRAPH_TYPE}}},
    "then": {"required": ["type", "preset"],
             "properties": {"preset": {"type": "string", "minLength": 1,
                                       "description": "The preset to instance: a path "
                                       "relative to this file, or a preset name."}}}}


def _node_rule(spec: NodeSpec) -> dict[str, Any]:
    """If the node's type is ``spec.id``, its keys must be ``spec``'s inputs and params."""
    properties: dict[str, Any] = {"type": {"const": spec.id}, "seed": _SEED}
    for port in spec.inputs:
        properties[port.name] = {**_LINK, "description": f"({port.type}) {port.doc}".strip()}
    for param in spec.params:
        properties[param.name] = {**_param_schema(param), "description": param.doc_line}
    required = [p.name for p in spec.inputs if not p.optional]
    return {"if": {"properties": {"type": {"const": spec.id}}},
            "then": {"properties": properties, "required": ["type", *required],
                     "additionalProperties": False}}


def _param_schema(param: Param) -> dict[str, Any]:
    """A literal value of the parameter's type, an exposed "$name", or for a number or a
    bool, an "= expression"."""
    expression = [_EXPRESSION] if param.type in NUMERIC_TYPES else []
    return {"anyOf": [param.type_info.schema(param, _REFERENCE), _EXPOSED, *expression]}
