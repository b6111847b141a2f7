import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

import texgen
from texgen.errors import PluginError, TexgenError
from texgen.plugins import new_plugin_manager

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


def test_a_node_of_a_failed_or_blocked_plugin_says_why_it_is_unknown(install):
    install("broken", "raise ImportError('needs libfoo')")
    install("noise", GOOD)  # refused beside the built-in: noise.* stays as it was
    engine = texgen.Engine(block=["patterns"])

    def type_error(node_type):
        with pytest.raises(TexgenError) as caught:
            engine.validate({"texgen": 1, "name": "t", "size": 8, "outputs": {"h": "n"},
                             "nodes": {"n": {"type": node_type}}})
        return str(caught.value)

    assert type_error("broken.flat") == (
        "<preset t>: node 'n', key 'type': unknown node type 'broken.flat': plugin 'broken' "
        "failed to load: failed to import fake_broken_plugin: ImportError: needs libfoo "
        "(see 'texgen nodes')")
    assert "plugin 'patterns' is blocked (TEXGEN_PLUGINS, TEXGEN_BLOCK_PLUGINS)" in \
        type_error("patterns.bricks")
    assert "unknown node type 'noise.flat'; did you mean" in \
        type_error("noise.flat")


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


def test_misspelt_hook_argument_is_one_line_naming_hook_and_argument(install):
    install("argtypo", """
from texgen import hookimpl

@hookimpl
def register_nodes(regster):
    pass
""")
    install("good", GOOD)
    engine = texgen.Engine()
    typo = info(engine, "argtypo")
    assert (typo.status, typo.errors) == ("failed", [
        "hook 'register_nodes': argument 'regster' is not one the hook passes (register); "
        "did you mean 'register'?"])
    assert "good.flat" in engine.registry
    with pytest.raises(PluginError, match="plugin 'argtypo': hook 'register_nodes'"):
        texgen.Engine(strict=True)


def test_a_hook_function_without_hookimpl_is_reported_not_skipped(install):
    install("unmarked", """
from texgen import NodeSpec

def register_nodes(register):
    register(NodeSpec("flat", "x:y", "A flat gray."))
""")
    unmarked = info(texgen.Engine(), "unmarked")
    assert unmarked.errors == [
        "'register_nodes' is not marked @texgen.hookimpl, so it is never called"]


def test_hook_that_raises_is_recorded_with_its_line(install, tmp_path):
    install("raiser", """
from texgen import hookimpl

@hookimpl
def register_nodes(register):
    raise RuntimeError("oops")
""")
    raiser = info(texgen.Engine(), "raiser")
    assert raiser.status == "failed"
    assert raiser.errors == [
        f"register_nodes failed: RuntimeError: oops (at {tmp_path / 'fake_raiser_plugin.py'}:6)"]


@pytest.mark.parametrize("bad_param", [
    'Param("level", "float", default="high")',            # bad default
    'Param("level", "float", default=0.5, min=1.0, max=0.0)',  # bad range
    'Param("level", "vector", default=0.5)',               # unknown type
])
def test_plugin_building_an_invalid_param_is_reported_not_raised(install, capsys, bad_param,
                                                                 tmp_path):
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
    # The Param is refused before its NodeSpec exists: the plugin's line says which node.
    assert bad.errors[0].endswith(f"(at {tmp_path / 'fake_badparam_plugin.py'}:6)")
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
    """Every hook the plugin manager knows has a docstring-only body and a section
    "## name(arguments)" in docs/plugins.md with its arguments, and every such section is
    a hook (none documented that does not exist)."""
    docs = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text()
    documented = dict(re.findall(r"^## (\w+)\((.*)\)$", docs, re.M))
    hooks = {name: caller.spec for name, caller in vars(new_plugin_manager().hook).items()
             if not name.startswith("_") and caller.spec is not None}
    assert hooks, "no hooks found"
    assert sorted(documented) == sorted(hooks), "docs/plugins.md's hook sections"
    for name, spec in hooks.items():
        assert documented[name] == ", ".join(spec.argnames), f"{name}: documented arguments"
        function = ast.parse(textwrap.dedent(inspect.getsource(spec.function))).body[0]
        assert ast.get_docstring(function), f"{name} has no docstring"
        assert len(function.body) == 1, f"{name}: a hookspec's body is its docstring only"
