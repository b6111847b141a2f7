import copy
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
from conftest import make_preset

import texgen
from texgen.schema import preset_schema

PRESETS = sorted((Path(__file__).parents[2] / "presets").glob("*.toml"))


@pytest.fixture(scope="module")
def validator():
    schema = preset_schema(texgen.Engine().registry)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_shipped_presets_match_the_schema(validator, path):
    validator.validate(tomllib.loads(path.read_text()))


@pytest.fixture
def marble():
    return tomllib.loads((Path(__file__).parents[2] / "presets" / "marble.toml").read_text())


@pytest.mark.parametrize("change", [
    lambda p: p["nodes"]["ridges"].update(frequncy=3),            # unknown parameter
    lambda p: p["nodes"]["ridges"].update(octaves=99),            # out of range
    lambda p: p["nodes"]["ridges"].update(fractal="rigid"),       # not a choice
    lambda p: p["nodes"]["ridges"].update(type="noise.perlni"),   # unknown type
    lambda p: p["nodes"]["stone"].update(gradient=[[2, "#fff"]]),  # stop position
    lambda p: p["nodes"]["stone"].pop("input"),                   # missing input
    lambda p: p.update(sise=3),                                   # unknown top-level key
    lambda p: p["nodes"]["ridges"].update(frequency="$ vein"),    # malformed reference
])
def test_schema_catches_mistakes(validator, marble, change):
    broken = copy.deepcopy(marble)
    change(broken)
    assert list(validator.iter_errors(broken)), "the schema should reject this"


def test_schema_knows_plugin_nodes(counting):
    schema = preset_schema(texgen.Engine(entry_points=False, plugins={"t": counting}).registry)
    jsonschema.Draft202012Validator(schema).validate(make_preset())
    assert "t.wave" in schema["properties"]["nodes"]["additionalProperties"]["properties"][
        "type"]["enum"]


def test_cli_schema(tmp_path, capsys):
    from texgen.cli import main

    assert main(["schema", "-o", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "texgen preset"


def test_schema_accepts_preset_instances_and_wants_their_preset(validator, marble):
    instancing = copy.deepcopy(marble)
    instancing["nodes"]["inner"] = {"type": "preset", "preset": "rock", "scale": 4.0}
    validator.validate(instancing)
    del instancing["nodes"]["inner"]["preset"]
    assert list(validator.iter_errors(instancing))


def test_schema_takes_an_output_s_normalize_flag(validator, marble):
    marble["outputs"]["height"] = {"node": "height", "normalize": True}
    validator.validate(marble)
    marble["outputs"]["height"]["normalize"] = "yes"
    assert not validator.is_valid(marble)
