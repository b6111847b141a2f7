from pathlib import Path

import numpy as np
import pytest

from texgen.errors import SpecError
from texgen.nodes import (
    PARAM_TYPES,
    NodeRegistry,
    NodeSpec,
    Param,
    ParamType,
    Port,
    check_texture,
    port_accepts,
)
from texgen.schema import preset_schema


def spec(**changes):
    fields = {"id": "thing", "fn": "pkg.mod:fn", "doc": "A thing."}
    fields.update(changes)
    return NodeSpec(**fields)


@pytest.mark.parametrize("param, value, expected", [
    (Param("n", "int", 1, min=0, max=4), 3, 3),
    (Param("n", "int", 1), 2.0, 2),
    (Param("x", "float", 0.5), 2, 2.0),
    (Param("b", "bool", False), True, True),
    (Param("e", "enum", "a", choices=("a", "b")), "b", "b"),
    (Param("c", "color", "#000"), "#ff8000", (1.0, 128 / 255, 0.0, 1.0)),
    (Param("c", "color", "#000"), [0.1, 0.2, 0.3, 0.4], (0.1, 0.2, 0.3, 0.4)),
    (Param("c", "color", "#000"), "#fff", (1.0, 1.0, 1.0, 1.0)),
    (Param("s", "seed", 0), 4294967295, 4294967295),
    (Param("g", "gradient", [[0, "#000"], [1, "#fff"]]), [[1, "#fff"], [0.25, "#000"]],
     ((0.25, (0.0, 0.0, 0.0, 1.0)), (1.0, (1.0, 1.0, 1.0, 1.0)))),
])
def test_param_coerce_converts(param, value, expected):
    assert param.coerce(value) == expected


@pytest.mark.parametrize("param, value, message", [
    (Param("n", "int", 1, min=0, max=4), 5, "expected a value <= 4, got 5"),
    (Param("n", "int", 1), 1.5, "expected an integer, got float 1.5"),
    (Param("n", "int", 1), True, "expected an integer, got bool True"),
    (Param("x", "float", 0.5, min=0), -1, "expected a value >= 0, got -1.0"),
    (Param("x", "float", 0.5), "big", "expected a number, got str 'big'"),
    (Param("x", "float", 0.5), float("nan"), "expected a finite number"),
    (Param("b", "bool", False), 1, "expected true or false, got int 1"),
    (Param("e", "enum", "normal", choices=("normal", "multiply")), "multipy",
     "did you mean 'multiply'?"),
    (Param("c", "color", "#000"), "#ggg", "expected a color like '#a0b1c2'"),
    (Param("c", "color", "#000"), [1, 2, 3], "in 0..1"),
    (Param("s", "seed", 0), -1, "expected a seed in 0..4294967295"),
    (Param("g", "gradient", [[0, "#000"]]), [[2, "#000"]], "stop 0: position must be"),
    (Param("g", "gradient", [[0, "#000"]]), [], "expected a list of [position, color] stops"),
])
def test_param_coerce_rejects_with_message(param, value, message):
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace("[", r"\[")
                       .replace("(", r"\(").replace(".", r"\.")):
        param.coerce(value)


def test_path_param_resolves_relative_to_base(tmp_path, monkeypatch):
    param = Param("file", "path", None)
    base = tmp_path.resolve()
    assert param.coerce("img/../img/a.png", base_dir=base) == base / "img" / "a.png"
    assert param.coerce(str(base / "x.png"), base_dir=base.parent) == base / "x.png"
    monkeypatch.chdir(tmp_path)
    assert param.coerce("a.png") == base / "a.png"  # no preset folder: the working directory
    assert param.coerce("a.png").is_absolute()


def test_a_pkg_path_names_a_file_inside_an_installed_package(tmp_path):
    import texgen_neural

    param = Param("model", "path", None)
    shipped = param.coerce("pkg:texgen_neural/models/lava", base_dir=tmp_path)
    assert shipped == (Path(texgen_neural.__file__).parent / "models" / "lava").resolve()
    assert (shipped / "model.json").is_file()


@pytest.mark.parametrize("value", ["pkg:no_such_package_xyz/models/a", "pkg:not a name/x"])
def test_a_pkg_path_to_a_missing_package_is_an_error(value):
    with pytest.raises(ValueError, match="no installed package .* 'pkg:PACKAGE/path/inside/it'"):
        Param("model", "path", None).coerce(value)


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_path_is_an_error_not_the_folder(value):
    with pytest.raises(ValueError, match="expected a file path, got an empty string"):
        Param("file", "path", None).coerce(value)


@pytest.mark.parametrize("default", ["", 3, Path("a.png")])
def test_a_path_default_is_unset_or_a_path_text(default):
    with pytest.raises(SpecError, match="a path's default is None"):
        Param("file", "path", default)


@pytest.mark.parametrize("param, summary, doc_line", [
    (Param("octaves", "int", 5, "Octaves summed.", min=1, max=16),
     "int; default 5; range 1..16", "Octaves summed. (int; default 5; range 1..16)"),
    (Param("gain", "float", 0.5, "Ratio.", min=0.0), "float; default 0.5; range 0.0..inf",
     "Ratio. (float; default 0.5; range 0.0..inf)"),
    (Param("mode", "enum", "fbm", "How.", choices=("none", "fbm")),
     'enum; default "fbm"; one of none, fbm', 'How. (enum; default "fbm"; one of none, fbm)'),
    (Param("tint", "color", "#9c4a33"), "color; default #9c4a33", "(color; default #9c4a33)"),
    (Param("tint", "color", [1, 0, 0, 0.5]), "color; default #ff000080",
     "(color; default #ff000080)"),
    (Param("ramp", "gradient", [[0, "#000"], [1, "#fff"]]),
     'gradient; default [[0.0, "#000000"], [1.0, "#ffffff"]]',
     '(gradient; default [[0.0, "#000000"], [1.0, "#ffffff"]])'),
    (Param("file", "path", None, "An image."), "path; default unset",
     "An image. (path; default unset)"),
])
def test_param_summary_is_rendered_from_the_fields(param, summary, doc_line):
    assert param.summary == summary
    assert param.doc_line == doc_line


def test_every_param_type_has_every_part():
    exposed = {"type": "string", "pattern": "^[$]"}
    examples = {"int": 3, "float": 0.5, "bool": True, "enum": "a", "color": "#102030",
                "gradient": [[0, "#000"]], "string": "s", "path": "a.png", "seed": 7}
    assert set(examples) == set(PARAM_TYPES)
    for name, record in PARAM_TYPES.items():
        param = Param("p", name, examples[name], choices=("a", "b") if name == "enum" else ())
        assert isinstance(record, ParamType) and param.type_info is record
        assert isinstance(record.schema(param, exposed), dict)
        shown = record.show(param.coerce(examples[name]))
        assert isinstance(shown, str) and shown
        assert param.summary.startswith(f"{name}; default {param.shown_default}")


def test_a_new_param_type_is_one_table_entry(monkeypatch):
    def coerce_percent(param, value, *, base_dir):
        if not isinstance(value, int) or not 0 <= value <= 100:
            raise ValueError(f"expected a percentage, got {value!r}")
        return value / 100

    monkeypatch.setitem(PARAM_TYPES, "percent", ParamType(
        coerce_percent, lambda param, exposed: {"type": "integer", "minimum": 0,
                                                "maximum": 100},
        show=lambda value: f"{round(value * 100)}%"))
    param = Param("opacity", "percent", 40, "How opaque.")
    assert param.default == 0.4 and param.coerce(75) == 0.75
    with pytest.raises(ValueError, match="expected a percentage, got 140"):
        param.coerce(140)
    assert param.summary == "percent; default 40%"
    registry = NodeRegistry()
    registry.add(spec(params=(param,)), "x")
    schema = preset_schema(registry)
    assert "percent" in schema["properties"]["parameters"]["additionalProperties"][
        "properties"]["type"]["enum"]
    rule = next(r for r in schema["properties"]["nodes"]["additionalProperties"]["allOf"]
                if r.get("if", {}).get("properties", {}).get("type") == {"const": "x.thing"})
    opacity = rule["then"]["properties"]["opacity"]
    assert opacity["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": 100}
    assert opacity["description"] == "How opaque. (percent; default 40%)"


@pytest.mark.parametrize("build, message", [
    (lambda: Param("f", "float", "a"), "default 'a' is invalid"),
    (lambda: Param("f", "flaot", 1.0), "did you mean 'float'"),
    (lambda: Param("mode", "enum", "a"), "an enum needs choices"),
    (lambda: Param("Bad Name", "int", 1), "lower_snake_case"),
    (lambda: Param("type", "string", "x"), "reserved"),
    (lambda: Port("out", "grey"), "type must be one of"),
])
def test_bad_param_and_port_definitions(build, message):
    with pytest.raises(SpecError, match=message):
        build()


@pytest.mark.parametrize("changes, message", [
    ({"id": "Bad-Id"}, "lower_snake_case"),
    ({"doc": " "}, "needs a one-line doc"),
    ({"fn": 42}, "fn must be callable"),
    ({"version": 0}, "version must be a positive integer"),
    ({"outputs": ()}, "needs at least one output"),
    ({"backends": ("cuda",)}, "backends must include 'cpu'"),
    ({"inputs": (Port("x"),), "params": (Param("x", "int", 1),)}, "duplicate names x"),
    ({"params": ("not a param",)}, "is not a Param"),
])
def test_spec_validation(changes, message):
    with pytest.raises(SpecError, match=message):
        NodeRegistry().add(spec(**changes), "plug")


def test_registry_namespaces_and_refuses_duplicates():
    registry = NodeRegistry()
    stored = registry.add(spec(), "plug")
    assert stored.id == "plug.thing" and stored.plugin == "plug"
    assert registry.ids() == ["plug.thing"]
    with pytest.raises(SpecError, match="duplicate node id 'plug.thing'"):
        registry.add(spec(), "plug")
    with pytest.raises(SpecError, match="give the plugin-local name"):
        registry.add(spec(id="other.thing"), "plug")
    with pytest.raises(KeyError, match="did you mean 'plug.thing'"):
        registry.get("plug.thin")


def test_lazy_implementation_is_imported_on_first_load():
    lazy = NodeRegistry().add(spec(fn="texgen.nodes:parse_color"), "plug")
    assert lazy.load()("#fff") == (1.0, 1.0, 1.0, 1.0)
    broken = NodeRegistry().add(spec(fn="texgen.nodes:no_such_function"), "plug")
    with pytest.raises(SpecError, match="cannot load 'texgen.nodes:no_such_function'"):
        broken.load()


def test_port_compatibility():
    assert port_accepts("gray", "gray")
    assert port_accepts("any", "color") and port_accepts("gray", "any")
    assert not port_accepts("gray", "color")
    assert not port_accepts("color", "gray")


def test_check_texture_messages():
    port = Port("out", "color")
    good = np.zeros((4, 5, 3), np.float32)
    assert check_texture(good, port, height=4, width=5) is good
    with pytest.raises(ValueError, match="expected float32"):
        check_texture(good.astype(np.float64), port, height=4, width=5)
    with pytest.raises(ValueError, match="expected 4x6 pixels, got 4x5"):
        check_texture(good, port, height=4, width=6)
    with pytest.raises(ValueError, match="is color \\(3 channels\\), got 1 channels"):
        check_texture(np.zeros((4, 5, 1), np.float32), port, height=4, width=5)
    bad = good.copy()
    bad[0, 0, 0], bad[1, 1, 1] = np.nan, -np.inf
    with pytest.raises(ValueError, match="port 'out': 2 of 60 values are NaN or infinite"):
        check_texture(bad, port, height=4, width=5)
    huge = np.full((4, 5, 3), 3e38, np.float32)  # finite, though their sum is not
    assert check_texture(huge, port, height=4, width=5) is huge
