"""benchmarks/RESULTS.md cites, for every figure, the command that produced it: each
``python benchmarks/X.py ...`` it names must be a script that exists and whose command line
accepts those options, so anyone can rerun it.

The scripts are not imported (their imports are heavy: numba kernels, torch): each script's
``add_argument`` calls are read from its source and rebuilt into an ``argparse`` parser,
which then parses the cited options (names, counts of values, types, choices).
"""

import argparse
import ast
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
RESULTS = BENCHMARKS / "RESULTS.md"
COMMAND = re.compile(r"python\s+benchmarks/([\w.-]+\.py)\b([^`]*)")
TYPES = {"int": int, "float": float, "str": str, "Path": Path}


def cited_commands(text: str) -> list[tuple[str, str]]:
    """(script file name, its argument string) for every ``python benchmarks/X.py`` in an
    inline code span (which may wrap across lines) or in a fenced code block."""
    fenced, prose, inside = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
            continue
        (fenced if inside else prose).append(line)
    spans = re.findall(r"`([^`]+)`", "\n".join(prose))
    spans += re.sub(r"\\\n\s*", " ", "\n".join(fenced)).splitlines()
    commands = []
    for span in spans:
        for match in COMMAND.finditer(" ".join(span.split())):
            rest = re.split(r"\s(?:&&|\|\|?|;|>)\s", match.group(2))[0]
            commands.append((match.group(1), rest.strip()))
    return commands


def _literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def script_parser(path: Path) -> argparse.ArgumentParser:
    """An ArgumentParser with the options ``path`` declares through ``add_argument``."""
    parser = argparse.ArgumentParser(prog=path.name, exit_on_error=False, add_help=False)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument"):
            continue
        names = [_literal(arg) for arg in node.args]
        assert all(isinstance(name, str) for name in names), \
            f"{path.name}: add_argument with option names that are not literals"
        options = {}
        for keyword in node.keywords:
            if keyword.arg == "type" and isinstance(keyword.value, ast.Name):
                options["type"] = TYPES.get(keyword.value.id, str)
            elif keyword.arg in ("action", "nargs", "choices"):
                value = _literal(keyword.value)
                if value is not None:
                    options[keyword.arg] = value
        parser.add_argument(*names, **options)
    return parser


def test_results_cites_commands():
    assert cited_commands(RESULTS.read_text(encoding="utf-8")), \
        "RESULTS.md names no `python benchmarks/...` command"


@pytest.mark.parametrize("script, arguments",
                         sorted(set(cited_commands(RESULTS.read_text(encoding="utf-8")))))
def test_cited_command_matches_its_script(script, arguments):
    path = BENCHMARKS / script
    assert path.is_file(), f"RESULTS.md cites benchmarks/{script}, which does not exist"
    parser = script_parser(path)
    try:
        _, unknown = parser.parse_known_args(shlex.split(arguments))
    except (argparse.ArgumentError, SystemExit) as error:
        pytest.fail(f"benchmarks/{script} {arguments}: {error}")
    assert not unknown, f"benchmarks/{script} does not take {unknown}"


def test_every_named_script_exists():
    # benchmarks/X.py, not tests/benchmarks/X.py (a test, cited for what it checks)
    named = set(re.findall(r"(?<![\w/])benchmarks/([\w.-]+\.py)\b",
                           RESULTS.read_text(encoding="utf-8")))
    missing = sorted(name for name in named if not (BENCHMARKS / name).is_file())
    assert not missing, f"RESULTS.md names missing scripts: {missing}"


def test_the_check_catches_a_wrong_option():
    """The rebuilt parser rejects what the real one would: an unknown flag, a bad value."""
    text = "`python benchmarks/presets.py --sizes 64` and `python benchmarks/presets.py " \
           "--size big`"
    (_, first), (_, second) = cited_commands(text)
    parser = script_parser(BENCHMARKS / "presets.py")
    assert parser.parse_known_args(shlex.split(first))[1] == ["--sizes", "64"]
    with pytest.raises(argparse.ArgumentError):
        parser.parse_known_args(shlex.split(second))


def test_machine_facts(repo_script):
    machine = repo_script("benchmarks/machine.py")
    facts = machine.describe(load=False)
    assert f"{machine.cores()} cores" in facts
    assert machine.simd_width() in facts and machine.cpu_model() in facts
