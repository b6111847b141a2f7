"""Expressions in preset values ("= 0.35 / $tile_count"): grammar, errors that point into
the expression, no code execution, and their use in presets, subgraphs and the schema."""

import copy
import json
import math
import tomllib
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from conftest import make_preset

import texgen
from texgen.cli import main
from texgen.errors import PresetError
from texgen.expressions import ExpressionError, evaluate, parse
from texgen.nodes import Param
from texgen.schema import preset_schema

PARAMETERS = {"count": Param("count", "int", 4), "wear": Param("wear", "float", 0.5),
              "flag": Param("flag", "bool", True), "tint": Param("tint", "color", "#ffffff")}


@pytest.mark.parametrize("text, expected", [
    ("= 1 + 2 * 3", 7),                  # * before +
    ("= (1 + 2) * 3", 9),
    ("= 10 - 3 - 2", 5),                 # - is left-associative
    ("= 2 ** 3 ** 2", 512),              # ** is right-associative
    ("= -2 ** 2", -4),                   # ** binds tighter than unary minus on its left
    ("= 2 ** -1", 0.5),                  # ... and takes a signed exponent
    ("= --3", 3),
    ("= +4 - -1", 5),
    ("= 7 / 2", 3.5),                    # / always gives a float
    ("= 8 / 2", 4.0),
    ("= 7 // 2", 3), ("= -7 // 2", -4),  # floor division
    ("= -7 % 3", 2), ("= 7.5 % 2", 1.5),
    ("= 2 * 3 % 4", 2),                  # * and % at one level, left to right
    ("= 1.5e2 + .5", 150.5),
    ("= 0.35 / $count", 0.0875),
    ("= $count * 2 + 1", 9),             # an int parameter keeps integers integers
    ("= $flag + 1", 2),                  # true counts as 1
    ("= $wear", 0.5),
    ("= $count > 3", True), ("= $count <= 3", False), ("= 1 + 1 == 2", True),
    ("= 2 != 2", False),
    ("= min(3, 1, 2)", 1), ("= max($wear, 0.75)", 0.75),
    ("= clamp($wear * 3, 0, 1)", 1), ("= clamp(-2, 0, 1)", 0),
    ("= lerp(0.2, 0.75, $wear)", 0.475),
    ("= abs(-2.5)", 2.5), ("= floor(-1.5)", -2), ("= ceil(1.2)", 2),
    ("= round(2.5)", 3), ("= round(-2.5)", -3), ("= round(2.4)", 2),
    ("= sqrt(16)", 4.0), ("= pow(2, 10)", 1024), ("= pow(4, 0.5)", 2.0),
    ("= sin(pi / 2)", 1.0), ("= cos(0)", 1.0), ("= exp(0)", 1.0), ("= log(exp(2))", 2.0),
    ("= pi", math.pi),
    ("=1+2", 3), ("=  ( ( 1 ) )  ", 1),
])
def test_values(text, expected):
    value = evaluate(text, PARAMETERS)
    assert value == pytest.approx(expected)
    assert type(value) is type(expected), "ints stay ints, / and functions give floats"


@pytest.mark.parametrize("text, column, reason", [
    ("= 1 / 0", 5, "division by zero"),
    ("= 1 // ($count - 4)", 5, "division by zero"),
    ("= 5 % 0", 5, "modulo by zero"),
    ("= 0 ** -1", 5, "0 to a negative power"),
    ("= $cuont * 2", 3, "'$cuont' names no exposed parameter; did you mean '$count'? "
                        "(exposed: $count, $flag, $tint, $wear)"),
    ("= $tint * 2", 3, "'$tint' is a color parameter; expressions take int, float, bool, "
                       "seed parameters"),
    ("= 1 + clmap($wear, 0, 1)", 7, "unknown function 'clmap'; did you mean 'clamp'? "
                                    "(functions: min, max, clamp, lerp, abs, floor, ceil, "
                                    "round, sqrt, sin, cos, pow, exp, log)"),
    ("= 2 * count", 7, "unknown name 'count': a parameter is written $count (constants: pi)"),
    ("= 2 * PI", 7, "unknown name 'PI'; did you mean 'pi'?"),
    ("= clamp(1, 2)", 3, "clamp() takes 3 arguments, got 2"),
    ("= min(1)", 3, "min() takes at least 2 arguments, got 1"),
    ("= clamp(0.5, 1, 0)", 3, "clamp's low (1) is above its high (0)"),
    ("= sqrt(1 - 2)", 3, "sqrt of a negative number (-1)"),
    ("= log(0)", 3, "log of a number that is not positive (0)"),
    ("= (-8) ** (1 / 3)", 8, "a negative number (-8) to a fractional power"),
    ("= 10 ** 10 ** 10", 6, "the result is too large"),
    ("= exp(1000)", 3, "the result is too large"),
    ("= 1e308 * 10", 9, "the result is too large"),
    ("= 1e999", 3, "the number 1e999 is too large"),
    ("= 1 +", 6, "expected a number, a $parameter, a function or '(', got the end"),
    ("= (1 + 2", 9, "expected ')' to close the '(' at column 3, got the end"),
    ("= 1 2", 5, "expected an operator or the end, got '2'"),
    ("= max 1", 7, "expected '(' after the function 'max', got '1'"),
    ("= 1 < 2 < 3", 9, "comparisons do not chain"),
    ("= 2 $count", 5, "expected an operator or the end, got '$count'"),
    ("= $", 3, "unexpected character '$' ('$' starts a parameter reference"),
    ("= 1 ^ 2", 5, "unexpected character '^'"),
    ("=", 2, "an empty expression: write a value after '='"),
    ("= " + "-" * 200 + "1", 131, "longer than 128 tokens"),
])
def test_errors_point_into_the_expression(text, column, reason):
    with pytest.raises(ExpressionError) as caught:
        evaluate(text, PARAMETERS)
    error = caught.value
    assert (error.column, error.text) == (column, text)
    assert reason in error.reason
    headline, shown, caret = str(error).split("\n")
    assert headline == f"expression column {column}: {error.reason}"
    assert shown == f"    {text}"
    assert caret.index("^") == shown.index(text) + column - 1


@pytest.mark.parametrize("text", [
    "= __import__('os').system('touch pwned')",
    "= open('pwned', 'w')",
    "= (1).__class__",
    "= eval('1')",
    "= exec",
    "= lambda: 1",
    "= [1][0]",
    "= $count.real",
    "= {}",
    "= 1; import os",
    "= `1`",
    "= min.__globals__",
])
def test_no_code_is_executed(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ExpressionError):
        parse(text)
    with pytest.raises(ExpressionError):
        evaluate(text, PARAMETERS)
    assert list(tmp_path.iterdir()) == []


def expression_preset(factor="= 0.35 / $count", **changes):
    """``make_preset`` with an exposed int ``count`` and the scale factor set by ``factor``."""
    preset = make_preset(parameters={"count": {"type": "int", "default": 4, "min": 1,
                                               "max": 64}}, **changes)
    preset["nodes"]["scaled"]["factor"] = factor
    return preset


def test_an_expression_follows_its_exposed_parameter(engine):
    assert engine.validate(expression_preset()).nodes["scaled"].params["factor"] == 0.0875
    graph = engine.validate(expression_preset(), overrides={"count": 7})
    assert graph.nodes["scaled"].params["factor"] == pytest.approx(0.05)
    base = engine.render(expression_preset(), outputs=["color"])
    changed = engine.render(expression_preset(), overrides={"count": 7}, outputs=["color"])
    np.testing.assert_allclose(changed["color"], base["color"] * np.float32(4 / 7), rtol=1e-5)


def test_an_expression_gives_an_int_parameter_an_integer(engine):
    preset = expression_preset()
    preset["nodes"]["base"]["frequency"] = "= $count // 2 + 1"
    assert engine.validate(preset).nodes["base"].params["frequency"] == 3
    preset["nodes"]["base"]["frequency"] = "= $count / 3"
    with pytest.raises(PresetError) as caught:
        engine.validate(preset)
    assert str(caught.value) == (
        "<preset demo>: node 'base', key 'frequency': the expression '= $count / 3': expected "
        "an integer, got float 1.3333333333333333 (round(), floor() or ceil() give an integer)")


def test_an_expression_result_is_checked_against_the_range(engine):
    with pytest.raises(PresetError, match=r"node 'scaled', key 'factor': the expression "
                                          r"'= \$count \* 100': expected a value <= 10"):
        engine.validate(expression_preset("= $count * 100"))


def test_expression_errors_name_file_node_and_key_and_all_are_listed(engine):
    preset = expression_preset("= 0.35 / $cuont")
    preset["nodes"]["base"]["frequency"] = "= $count // (2 - 2)"
    with pytest.raises(PresetError) as caught:
        engine.validate(preset)
    assert [str(p) for p in caught.value.problems] == [
        "<preset demo>: node 'base', key 'frequency': expression column 10: division by zero"
        "\n    = $count // (2 - 2)\n             ^",
        "<preset demo>: node 'scaled', key 'factor': expression column 10: '$cuont' names no "
        "exposed parameter; did you mean '$count'? (exposed: $count)"
        "\n    = 0.35 / $cuont\n             ^",
    ]


def test_cli_validate_points_into_the_expression(tmp_path, install, capsys):
    install("t", "from conftest import CountingPlugin\nplugin = CountingPlugin()\n",
            attr="plugin")
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(expression_preset("= 0.35 / ($count - 4)")))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"texgen: error: {path}: node 'scaled', key 'factor': expression column 8: division "
        f"by zero",
        "texgen: error:     = 0.35 / ($count - 4)",
        "texgen: error:            ^",
    ]
    assert main(["validate", str(path), "--set", "count=5"]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["render", str(path), "-o", str(out), "-q", "--set", "count=4"]) == 2
    assert not out.exists(), "nothing is written"


def test_an_expression_sets_a_subgraph_parameter(engine, tmp_path):
    inner = make_preset(name="inner", parameters={"gain": {"type": "float", "default": 0.5,
                                                           "min": 0.0, "max": 2.0}})
    (tmp_path / "inner.json").write_text(json.dumps(inner))
    outer = expression_preset()
    outer["nodes"] = {"sub": {"type": "preset", "preset": "inner.json", "gain": "= 3 / $count"}}
    outer["outputs"] = {"color": "sub.color"}
    (tmp_path / "outer.json").write_text(json.dumps(outer))
    graph = engine.validate(tmp_path / "outer.json", overrides={"count": 6})
    assert graph.nodes["sub/scaled"].params["factor"] == 0.5
    outer["nodes"]["sub"]["gain"] = "= 3 / $count + $nope"
    (tmp_path / "outer.json").write_text(json.dumps(outer))
    with pytest.raises(PresetError, match=r"outer.json: node 'sub', key 'gain': expression "
                                          r"column 16: '\$nope' names no exposed parameter"):
        engine.validate(tmp_path / "outer.json")


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(preset_schema(texgen.Engine().registry))


def test_the_schema_accepts_expressions_where_numbers_go(validator):
    marble = tomllib.loads((Path(__file__).parents[2] / "presets" / "marble.toml").read_text())
    with_expressions = copy.deepcopy(marble)
    with_expressions["nodes"]["ridges"]["frequency"] = "= $vein_scale * 2"
    with_expressions["nodes"]["ridges"]["octaves"] = "= round($vein_scale)"
    with_expressions["nodes"]["stone"]["gradient"][0][0] = "= 0.1 * 2"
    validator.validate(with_expressions)
    not_a_number = copy.deepcopy(marble)
    not_a_number["nodes"]["ridges"]["fractal"] = "= 1"  # an enum: expressions give numbers
    assert list(validator.iter_errors(not_a_number))


def test_the_documented_example(tmp_path, capsys):
    doc = (Path(__file__).parents[2] / "docs" / "expressions.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    shown_error = doc.split("## Errors", 1)[1].split("```\n", 2)[1]
    path = tmp_path / "floor.toml"
    path.write_text(example)
    graph = texgen.Engine().validate(path, overrides={"tile_count": 12})
    assert graph.nodes["tiles"].params["mortar"] == pytest.approx(0.35 / 12)
    assert graph.nodes["wear"].params["in_low"] == pytest.approx(0.7)
    path.write_text(example.replace("0.9 - $wear", "0.9 - $waer"))
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == shown_error.replace("floor.toml", str(path))


def test_an_expression_places_a_gradient_stop():
    preset = {"texgen": 1, "name": "g", "size": 8,
              "parameters": {"split": {"type": "float", "default": 0.3}},
              "nodes": {"n": {"type": "noise.perlin"},
                        "c": {"type": "filters.gradient_map", "input": "n",
                              "gradient": [[0, "#000000"], ["= $split * 2", "#808080"],
                                           [1, "#ffffff"]]}},
              "outputs": {"color": "c"}}
    engine = texgen.Engine()
    stops = engine.validate(preset, overrides={"split": 0.25}).nodes["c"].params["gradient"]
    assert [position for position, _ in stops] == [0.0, 0.5, 1.0]
    preset["nodes"]["c"]["gradient"][1][1] = "= $split"
    with pytest.raises(PresetError, match="node 'c', key 'gradient': stop 1: "):
        engine.validate(preset)


def derived_preset(**mortar):
    """``expression_preset`` whose factor is an exposed ``mortar`` derived from ``count``."""
    preset = expression_preset("$mortar")
    preset["parameters"]["mortar"] = {"type": "float", "default": "= 0.35 / $count",
                                      "min": 0.0, "max": 1.0, **mortar}
    return preset


def test_an_exposed_default_may_derive_from_other_parameters(engine):
    factor = [engine.validate(derived_preset(), overrides=o).nodes["scaled"].params["factor"]
              for o in ({}, {"count": 7}, {"count": 7, "mortar": 0.5})]
    assert factor == pytest.approx([0.0875, 0.05, 0.5]), "derived after --set, unless set"
    chained = derived_preset()
    chained["parameters"]["band"] = {"type": "float", "default": "= $mortar * 2"}
    loaded = engine.load_preset(chained)
    assert loaded.parameters["band"].default == 0.175
    assert loaded.with_overrides(overrides={"count": 5}).parameters["band"].default == \
        pytest.approx(0.14)
    assert loaded.with_overrides(overrides={"mortar": 0.2}).with_overrides(
        overrides={"count": 5}).parameters["band"].default == 0.4, "an override stays"


@pytest.mark.parametrize("changes, message", [
    ({"default": "= $band + 1"}, "key 'parameters.mortar.default': expression column 3: "
                                 "'$band' names no exposed parameter"),
    ({"default": "= $mortar * 2"}, "key 'parameters.mortar.default': exposed parameters "
                                   "derive from each other in a loop: mortar -> mortar"),
    ({"default": "= $count"}, "key 'parameters.mortar.default': the expression '= $count': "
                              "expected a value <= 1.0, got 4"),
    ({"type": "color"}, "key 'parameters.mortar.default': an expression gives a number or "
                        "true/false; a color parameter's default is written as a value"),
])
def test_derived_default_errors(engine, changes, message):
    with pytest.raises(PresetError) as caught:
        engine.validate(derived_preset(**changes))
    assert message in str(caught.value)
    assert str(caught.value).startswith("<preset demo>: ")
