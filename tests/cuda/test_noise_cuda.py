"""Noise kernels on the cuda backend agree with the CPU (same math, compiled twice).

On Numba's CUDA simulator the device functions run as Python in float64, so agreement is
near-exact; on a real GPU the tolerance covers fused multiply-adds.
"""

import numpy as np
import pytest

import texgen
from texgen.backend import is_device_array
from texgen.nodes import NodeContext

NOISES = ["noise.perlin", "noise.simplex", "noise.value", "noise.value_cubic",
          "noise.cellular"]
FRACTALS = ["none", "fbm", "ridged", "billow", "pingpong"]


@pytest.fixture(scope="module")
def engine():
    return texgen.Engine()


@pytest.mark.parametrize("fractal", FRACTALS)
@pytest.mark.parametrize("node_type", NOISES)
def test_cuda_matches_cpu(engine, node_type, fractal):
    spec = engine.registry.get(node_type)
    assert "cuda" in spec.backends
    params = {p.name: p.default for p in spec.params}
    params.update(frequency=3.0, fractal=fractal, octaves=3, weighted_strength=0.5)
    for tileable in (True, False):
        cpu = spec.load()(NodeContext("n", 11, 7, seed=9, tileable=tileable), **params)
        gpu = spec.load()(NodeContext("n", 11, 7, seed=9, backend="cuda", tileable=tileable),
                          **params)
        assert is_device_array(gpu), "results stay on the device"
        np.testing.assert_allclose(gpu.copy_to_host(), cpu, atol=1e-5)


@pytest.mark.parametrize("node_type", NOISES)
@pytest.mark.parametrize("motion", [dict(loop_depth=2, phase=0.3),
                                    dict(warp="independent", warp_amplitude=0.2),
                                    dict(warp="progressive", warp_amplitude=0.2,
                                         loop_depth=2, phase=0.7)])
def test_3d_and_warped_cuda_matches_cpu(engine, node_type, motion):
    spec = engine.registry.get(node_type)
    params = {p.name: p.default for p in spec.params}
    params.update(frequency=3.0, octaves=2, warp_octaves=2, **motion)
    cpu = spec.load()(NodeContext("n", 9, 6, seed=5), **params)
    gpu = spec.load()(NodeContext("n", 9, 6, seed=5, backend="cuda"), **params)
    assert is_device_array(gpu)
    np.testing.assert_allclose(gpu.copy_to_host(), cpu, atol=1e-5)


@pytest.mark.parametrize("distance", ["euclidean", "euclidean_sq", "manhattan", "chebyshev"])
@pytest.mark.parametrize("return_type", ["f1", "f2_minus_f1", "cell_value"])
def test_cellular_cuda_matches_cpu(engine, distance, return_type):
    spec = engine.registry.get("noise.cellular")
    params = {p.name: p.default for p in spec.params}
    params.update(frequency=4.0, distance=distance, return_type=return_type, jitter=0.8)
    cpu = spec.load()(NodeContext("n", 9, 6, seed=3), **params)
    gpu = spec.load()(NodeContext("n", 9, 6, seed=3, backend="cuda"), **params)
    np.testing.assert_allclose(gpu.copy_to_host(), cpu, atol=1e-5)


def test_white_cuda_matches_cpu(engine):
    spec = engine.registry.get("noise.white")
    cpu = spec.load()(NodeContext("n", 9, 6, seed=3))
    gpu = spec.load()(NodeContext("n", 9, 6, seed=3, backend="cuda"))
    np.testing.assert_allclose(gpu.copy_to_host(), cpu, atol=1e-6)


def test_preset_on_cuda_matches_cpu(engine):
    preset = {"texgen": 1, "name": "n", "size": [12, 8],
              "nodes": {"a": {"type": "noise.simplex", "octaves": 2},
                        "b": {"type": "filters.levels", "input": "a", "in_low": 0.2}},
              "outputs": {"a": "a", "b": "b"}}
    on_gpu, on_cpu = engine.render(preset, backend="cuda"), engine.render(preset)
    for name in on_cpu:
        np.testing.assert_allclose(on_gpu[name], on_cpu[name], atol=1e-5)
