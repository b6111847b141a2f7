import ast
import re
from pathlib import Path

import pytest

import texgen
from texgen import hookspecs
from texgen.errors import PluginError

GOOD = """
from texgen import NodeSpec, hookimpl
import numpy as np

@hookimpl
def register_nodes(register):
    register(NodeSpec("flat", lambda ctx: np.zeros((ctx.height, ctx.width, 1), np.float32),
                      "A flat gray."))
"""


def info(engine, name):
    return next(p for p in engine.plugins if p.name == name)


def test_entry_point_plugin_is_namespaced_with_version(install):
    install("good", GOOD)
    engine = texgen.Engine()
    assert "good.flat" in engine.registry
    plugin = info(engine, "good")
    assert (plugin.version, plugin.status, plugin.nodes) == ("1.2.3", "loaded", ["good.flat"])


def test_builtins_load_before_third_party_plugins(install):
    install("aaa", GOOD)
    names = [p.name for p in texgen.Engine().plugins]
    assert names.index("noise") < names.index("aaa") and names.index("filters") < names.index(
        "aaa")


def test_import_failure_is_isolated_and_strict_mode_raises(install, monkeypatch):
    install("good", GOOD)
    install("broken", "raise ImportError('needs libfoo')")
    engine = texgen.Engine()
    broken = info(engine, "broken")
    assert broken.status == "failed"
    assert broken.errors == ["failed to import fake_broken_plugin: ImportError: needs libfoo"]
    assert "good.flat" in engine.registry and info(engine, "noise").status == "loaded"
    with pytest.raises(PluginError, match="plugin 'broken': failed to import"):
        texgen.Engine(strict=True)
    monkeypatch.setenv("TEXGEN_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="needs libfoo"):
        texgen.Engine()


def test_invalid_spec_is_recorded_and_valid_ones_kept(install):
    install("mixed", GOOD + """
@hookimpl
def register_exporters(register):
    register("not an exporter")
""")
    install("badspec", """
from texgen import NodeSpec, Param, hookimpl

@hookimpl
def register_nodes(register):
    register(NodeSpec("ok", "x:y", "Fine."))
    register(NodeSpec("ok", "x:y", "Same id again."))
    register(NodeSpec("Nope", "x:y", "Bad id."))
    register("not a spec")
""")
    engine = texgen.Engine()
    bad = info(engine, "badspec")
    assert bad.nodes == ["badspec.ok"] and bad.status == "loaded"
    assert [e.split(":")[0] for e in bad.errors] == ["invalid node spec"] * 3
    assert "duplicate node id 'badspec.ok'" in bad.errors[0]
    assert "is not a NodeSpec" in bad.errors[2]
    assert info(engine, "mixed").errors == [
        "register_exporters: 'not an exporter' is not an Exporter"]
    with pytest.raises(PluginError, match="plugin 'badspec': invalid node spec"):
        texgen.Engine(strict=True, block=["mixed"])


def test_third_party_cannot_take_a_builtin_name(install):
    install("noise", GOOD)
    engine = texgen.Engine()
    dupes = [p for p in engine.plugins if p.name == "noise"]
    assert dupes[0].module == "texgen_noise" and dupes[0].status == "loaded"
    assert dupes[1].status == "failed" and "already taken" in dupes[1].errors[0]
    assert "noise.flat" not in engine.registry


def test_misspelt_hook_is_reported_with_suggestion(install):
    install("typo", """
from texgen import hookimpl

@hookimpl
def register_node(register):
    pass
""")
    errors = info(texgen.Engine(), "typo").errors
    assert errors == ["unknown hook 'register_node'; did you mean 'register_nodes'?"]


def test_hook_that_raises_is_recorded(install):
    install("raiser", """
from texgen import hookimpl

@hookimpl
def register_nodes(register):
    raise RuntimeError("oops")
""")
    raiser = info(texgen.Engine(), "raiser")
    assert (raiser.status, raiser.errors) == (
        "failed", ["register_nodes failed: RuntimeError: oops"])


@pytest.mark.parametrize("bad_param", [
    'Param("level", "float", default="high")',            # bad default
    'Param("level", "float", default=0.5, min=1.0, max=0.0)',  # bad range
    'Param("level", "vector", default=0.5)',               # unknown type
])
def test_plugin_building_an_invalid_param_is_reported_not_raised(install, capsys, bad_param):
    from texgen.cli import main

    install("badparam", f"""
from texgen import NodeSpec, Param, hookimpl

@hookimpl
def register_nodes(register):
    register(NodeSpec("flat", "x:y", "A flat gray.", params=({bad_param},)))
""")
    engine = texgen.Engine()
    bad = info(engine, "badparam")
    assert bad.status == "failed" and bad.nodes == []
    assert bad.errors[0].startswith("register_nodes failed: SpecError: ")
    texture = engine.render({"texgen": 1, "name": "t", "size": 8,
                             "nodes": {"n": {"type": "noise.perlin"}}, "outputs": {"h": "n"}})
    assert texture["h"].shape == (8, 8, 1)

    capsys.readouterr()
    assert main(["plugins"]) == 0
    listing = capsys.readouterr().out
    assert "badparam" in listing and "failed" in listing
    assert "register_nodes failed: SpecError" in listing
    with pytest.raises(PluginError, match="plugin 'badparam': register_nodes failed"):
        texgen.Engine(strict=True)
    assert main(["--strict", "plugins"]) == 2
    assert "plugin badparam: register_nodes failed" in capsys.readouterr().err


def test_allow_and_block_lists(install, monkeypatch):
    install("good", GOOD)
    monkeypatch.setenv("TEXGEN_BLOCK_PLUGINS", "good")
    engine = texgen.Engine()
    assert info(engine, "good").status == "blocked" and "good.flat" not in engine.registry
    monkeypatch.delenv("TEXGEN_BLOCK_PLUGINS")
    monkeypatch.setenv("TEXGEN_PLUGINS", "good")
    engine = texgen.Engine()
    assert "good.flat" in engine.registry
    assert info(engine, "noise").status == "blocked"
    assert [n for n in engine.registry.ids() if not n.startswith("good.")] == []
    assert "png8" in engine.exporters, "core formats are always there"


def test_engines_share_nothing(counting):
    first = texgen.Engine(entry_points=False, plugins={"t": counting})
    second = texgen.Engine(entry_points=False)
    assert "t.wave" in first.registry and "t.wave" not in second.registry
    assert first.manager is not second.manager and first.cache is not second.cache


def test_api_plugin_name_clash_is_recorded(counting):
    engine = texgen.Engine(entry_points=False, plugins={"t": counting})
    clash = engine.add_plugin(object(), name="t")
    assert clash.status == "failed" and clash.errors == ["plugin name 't' is already taken"]


def test_every_hook_is_documented():
    docs = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text()
    tree = ast.parse(Path(hookspecs.__file__).read_text())
    hooks = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert hooks, "no hooks found"
    for hook in hooks:
        assert ast.get_docstring(hook), f"{hook.name} has no docstring"
        assert re.search(rf"^## {hook.name}\(", docs, re.M), f"{hook.name} not in docs/plugins.md"
        assert hook.body[-1].value.value == ast.get_docstring(hook, clean=False), \
            f"{hook.name}: a hookspec's body is its docstring only"
