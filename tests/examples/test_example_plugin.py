"""examples/texgen-stripes must keep working with the engine as plugin authors copy it."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

import texgen
from texgen.testing import check_node

EXAMPLE = Path(__file__).parents[2] / "examples" / "texgen-stripes"


@pytest.fixture
def example(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    import texgen_stripes

    yield texgen_stripes
    for name in [m for m in sys.modules if m.startswith("texgen_stripes")]:
        del sys.modules[name]


def test_pyproject_declares_the_plugin_entry_point():
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["texgen"] == {"stripes": "texgen_stripes"}


def test_example_node_and_preset_work(example):
    engine = texgen.Engine(plugins={"stripes": example})
    spec = engine.registry.get("stripes.stripes")
    check_node(spec, generator=False)
    textures = engine.render("awning", size=64)
    assert set(textures) == {"basecolor", "normal", "height"}
    red_stripe = textures["basecolor"][:, 4:7].reshape(-1, 3).mean(axis=0)  # mid-stripe 1
    assert red_stripe[0] > red_stripe[1] + 0.2, "the stripes have the stripe color"
    assert not np.array_equal(textures["basecolor"],
                              engine.render("awning", size=64,
                                            overrides={"stripe_count": 3})["basecolor"])


def test_example_tests_pass():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE / "tests"), "-q", "-p", "no:cacheprovider",
         "-o", "addopts=", "--rootdir", str(EXAMPLE)],
        env={**os.environ, "PYTHONPATH": str(EXAMPLE)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout.strip().splitlines()[-1]
