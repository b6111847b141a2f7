"""texgen_stats as a plugin: registration, parameter docs, light import, the train command."""

import json
import subprocess
import sys

from stats_testing import registered_specs

from texgen.cli import main
from texgen_stats import markov, palette, random_phase, synthesis


def test_registers_the_nodes():
    registry = registered_specs()
    assert registry.ids() == ["stats.gmm", "stats.gmm_palette", "stats.markov",
                              "stats.random_phase"]
    assert registry.get("stats.markov").load() is markov.markov
    assert registry.get("stats.gmm").load() is synthesis.gmm
    assert registry.get("stats.random_phase").load() is random_phase.random_phase
    assert registry.get("stats.gmm_palette").load() is palette.gmm_palette


def test_ports_and_defaults():
    registry = registered_specs()
    defaults = {spec.id: {p.name: p.default for p in spec.params} for spec in registry}
    assert defaults == {
        "stats.gmm": {"model": None, "overlap": 0, "tolerance": 0.0001, "weight_tolerance": 0.003,
                      "guide_strength": 20.0},
        "stats.gmm_palette": {"exemplar": None, "components": 6, "variation": 0.25},
        "stats.markov": {"exemplar": None, "patch": 0, "overlap": 0, "tolerance": 0.1,
                         "refine": 0, "levels": 1, "exemplar_guide": None,
                         "guide_weight": 1.0},
        "stats.random_phase": {"exemplar": None},
    }
    for spec in registry:
        expected = ["any", "color"] if spec.id == "stats.markov" else ["color"]
        assert [p.type for p in spec.outputs] == expected
        for param in spec.params:
            assert "Default" not in param.doc, (spec.id, param.name)  # Param renders it
            if param.type in ("int", "float"):
                assert param.min is not None and param.max is not None
    assert [(p.name, p.type) for p in registry.get("stats.gmm_palette").inputs] == [
        ("input", "gray")]
    for node in ("stats.gmm", "stats.markov"):
        guide = registry.get(node).input("guide")
        assert guide.type == "gray" and guide.optional
    assert registry.get("stats.markov").param("exemplar_guide").optional
    assert registry.get("stats.gmm").param("model").type == "path"


def test_python_defaults_are_the_node_defaults():
    import inspect

    for spec in registered_specs():
        signature = inspect.signature(spec.load())
        for param in spec.params:
            default = signature.parameters[param.name].default
            assert default is inspect.Parameter.empty or default == param.default


def test_listing_nodes_imports_no_implementation():
    code = ("import sys, json, texgen; texgen.Engine(); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('texgen_stats'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == ["texgen_stats"]


def test_train_gmm_is_on_the_command_line(capsys):
    assert main(["train", "gmm", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--output", "--patch", "--components", "--iterations", "--samples",
                   "--reg", "--tol", "--seed", "--quiet"):
        assert option in out
