"""texgen_noise as a plugin: registration, light import, one math compiled, disk cache."""

import inspect
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from noise_testing import registered_specs

from texgen.nodes import NodeContext
from texgen_noise import kernels, nodes


def test_registers_perlin_and_simplex():
    registry = registered_specs()
    assert registry.ids() == ["noise.cellular", "noise.opensimplex", "noise.perlin",
                              "noise.simplex", "noise.value", "noise.value_cubic",
                              "noise.white"]
    assert registry.get("noise.perlin").load() is nodes.perlin
    assert registry.get("noise.simplex").load() is nodes.simplex


def test_param_defaults_and_docs():
    for spec in registered_specs():
        defaults = {p.name: p.default for p in spec.params}
        fractal = dict(frequency=4.0, fractal="fbm", octaves=5, lacunarity=2.0, gain=0.5,
                       weighted_strength=0.0, ping_pong_strength=2.0, phase=0.0, loop_depth=0,
                       warp="none", warp_amplitude=0.1, warp_frequency=2.0, warp_octaves=3)
        if spec.id == "noise.cellular":  # one octave by default: classic Worley cells
            assert defaults == dict(fractal, fractal="none", distance="euclidean",
                                    return_type="f1", jitter=1.0)
        elif spec.id == "noise.white":
            assert defaults == {}
        elif spec.id != "noise.opensimplex":  # its own parameters: test_opensimplex_compat.py
            assert defaults == fractal
        for param in spec.params:
            assert "Default" not in param.doc, (spec.id, param.name)  # Param renders it
            if param.type in ("int", "float"):
                assert param.min is not None and param.max is not None


def test_spec_defaults_render():
    for spec in registered_specs():
        ctx = NodeContext(node_id="n", width=32, height=16, seed=4)
        out = spec.load()(ctx, **{p.name: p.default for p in spec.params})
        assert out.shape == (16, 32, 1) and out.dtype == np.float32


def test_python_defaults_are_the_node_defaults():
    # Calling a node function with no options renders what the preset defaults render.
    for spec in registered_specs():
        ctx = NodeContext(node_id="n", width=24, height=16, seed=4)
        defaults = {p.name: p.default for p in spec.params}
        if spec.id != "noise.opensimplex":
            np.testing.assert_array_equal(spec.load()(ctx), spec.load()(ctx, **defaults))


def test_lattice_noises_declare_cuda():
    backends = {spec.id: spec.backends for spec in registered_specs()}
    assert backends.pop("noise.opensimplex") == ("cpu",)
    assert set(backends.values()) == {("cpu", "cuda")}, backends


def _python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=os.environ.copy(), timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_listing_nodes_does_not_load_kernels():
    code = ("import sys, texgen_noise\n"
            "print('texgen_noise.kernels' in sys.modules, 'texgen_noise.nodes' in sys.modules)")
    assert _python(code).split() == ["False", "False"]


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="JIT disabled")
def test_second_process_loads_kernel_from_disk_cache():
    # Both image loops: the 2-D grid loop and the general one (3-D, warped).
    ctx = NodeContext(node_id="n", width=8, height=8, seed=1)
    nodes.perlin(ctx, octaves=2)  # compiled or cached
    nodes.perlin(ctx, octaves=2, loop_depth=2)
    code = (
        "import json\n"
        "from texgen.nodes import NodeContext\n"
        "from texgen_noise import kernels, nodes\n"
        "ctx = NodeContext('n', 8, 8, 1)\n"
        "nodes.simplex(ctx, fractal='ridged', octaves=2)\n"
        "nodes.value(ctx, warp='progressive')\n"
        "loops = kernels.cpu_kernels()\n"
        "print(json.dumps([[sum(stats.cache_hits.values()), sum(stats.cache_misses.values())]\n"
        "                  for stats in (loops.fill_grid_cpu.stats, loops.fill_noise_cpu.stats)]))"
    )
    assert json.loads(_python(code)) == [[1, 0], [1, 0]]


def test_plain_python_math_matches_compiled():
    # The same source runs uncompiled and compiled, bit for bit (hash masks, floor, wrap).
    compiled = kernels.cpu_kernels()
    for x, y, px, py, seed in [(0.3, 0.7, 0, 0, 1), (3.9, 2.2, 4, 4, 7), (-1.25, 5.5, 0, 0, 99),
                               (-7.6, 3.1, 5, 6, kernels.MASK32)]:
        assert kernels.perlin2(x, y, px, py, seed) == compiled.perlin2(x, y, px, py, seed)
        assert kernels.simplex2(x, y, px, py, seed) == compiled.simplex2(x, y, px, py, seed)
    assert kernels.hash2(kernels.MASK32, -3, 2**40) == compiled.hash2(kernels.MASK32, -3, 2**40)


def test_settings_fields_are_the_kernels_arguments():
    # Callers pass ``*settings``: the record's field order is the kernels' argument order.
    def parameters(function, skip):
        return tuple(inspect.signature(function).parameters)[skip:]

    fields = kernels.NoiseSettings._fields
    assert parameters(kernels.noise_at, 2) == fields
    for loop in (kernels.fill_noise_cpu, kernels.fill_grid_cpu, kernels.fill_noise_cuda):
        assert parameters(loop, 1) == fields


def test_scalar_functions_are_registered_callees_first():
    # Every function a scalar function calls by name is registered before it.
    registered = [f.__name__ for f in kernels.SCALAR_FUNCTIONS]
    assert len(set(registered)) == len(registered) and "avalanche" in registered
    for position, function in enumerate(kernels.SCALAR_FUNCTIONS):
        callees = set(function.__code__.co_names) & set(registered)
        assert callees <= set(registered[:position]), function.__name__
