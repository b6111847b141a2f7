"""The cuda backend's plumbing: device arrays flow between CUDA nodes without host copies,
CPU-only nodes get host copies, and results come back to the host only at the end.

Runs on a real GPU, or on Numba's CUDA simulator in its own process
(``NUMBA_ENABLE_CUDASIM=1 pytest tests/cuda``, started by tests/texgen/test_backend.py).
Sizes are tiny: the simulator runs every thread in Python.
"""

import numpy as np
import pytest
from numba import cuda

import texgen
from texgen import NodeSpec, Port, hookimpl
from texgen.backend import is_device_array, resolve_backend


@cuda.jit
def _ramp_kernel(out):
    row, col = cuda.grid(2)
    if row < out.shape[0] and col < out.shape[1]:
        out[row, col, 0] = (col + 0.5) / out.shape[1] * 0.5 + (row + 0.5) / out.shape[0] * 0.25


@cuda.jit
def _double_kernel(source, out):
    row, col = cuda.grid(2)
    if row < out.shape[0] and col < out.shape[1]:
        out[row, col, 0] = source[row, col, 0] * 2.0


def _launch(kernel, out, *args):
    threads = (8, 8)
    blocks = ((out.shape[0] + 7) // 8, (out.shape[1] + 7) // 8)
    kernel[blocks, threads](*args, out)


class DevicePlugin:
    """``dev.ramp`` and ``dev.double`` run on cpu or cuda; ``dev.invert`` on cpu only."""

    def __init__(self):
        self.seen = []  # (node, backend, input kind)

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("ramp", self.ramp, "A ramp.", backends=("cpu", "cuda")))
        register(NodeSpec("double", self.double, "Twice the input.",
                          inputs=(Port("input", "gray"),), backends=("cpu", "cuda")))
        register(NodeSpec("invert", self.invert, "One minus the input.",
                          inputs=(Port("input", "gray"),)))

    def ramp(self, ctx):
        self.seen.append(("ramp", ctx.backend, None))
        if ctx.backend == "cuda":
            out = cuda.device_array((ctx.height, ctx.width, 1), np.float32)
            _launch(_ramp_kernel, out)
            return out
        cols = (np.arange(ctx.width) + 0.5) / ctx.width * 0.5
        rows = (np.arange(ctx.height) + 0.5) / ctx.height * 0.25
        return (rows[:, None, None] + cols[None, :, None]).astype(np.float32)

    def double(self, ctx, *, input):
        self.seen.append(("double", ctx.backend, "device" if is_device_array(input) else "host"))
        if ctx.backend == "cuda":
            out = cuda.device_array(input.shape, np.float32)
            _launch(_double_kernel, out, input)
            return out
        return input * np.float32(2)

    def invert(self, ctx, *, input):
        self.seen.append(("invert", ctx.backend, "device" if is_device_array(input) else "host"))
        return (1 - input).astype(np.float32)


PRESET = {"texgen": 1, "name": "dev", "size": [13, 9],
          "nodes": {"ramp": {"type": "dev.ramp"}, "double": {"type": "dev.double", "input": "ramp"},
                    "invert": {"type": "dev.invert", "input": "double"}},
          "outputs": {"double": "double", "invert": "invert"}}


@pytest.fixture
def plugin():
    return DevicePlugin()


@pytest.fixture
def engine(plugin):
    return texgen.Engine(entry_points=False, plugins={"dev": plugin})


def test_cuda_is_usable_here():
    assert resolve_backend("cuda") == "cuda"
    assert resolve_backend("auto") == "cuda"


def test_device_arrays_flow_between_cuda_nodes(engine, plugin):
    result = engine.render(PRESET, backend="cuda")
    assert plugin.seen == [("ramp", "cuda", None), ("double", "cuda", "device"),
                           ("invert", "cpu", "host")]
    assert all(isinstance(t, np.ndarray) for t in result.values()), "render returns host arrays"


def test_cuda_and_cpu_agree(engine):
    on_gpu = engine.render(PRESET, backend="cuda")
    on_cpu = engine.render(PRESET, backend="cpu")
    for name in on_cpu:
        np.testing.assert_allclose(on_gpu[name], on_cpu[name], atol=1e-6)
    u = (np.arange(13) + 0.5) / 13 * 0.5
    v = (np.arange(9) + 0.5) / 9 * 0.25
    np.testing.assert_allclose(on_gpu["double"][:, :, 0], 2 * (v[:, None] + u[None, :]),
                               atol=1e-6)


def test_cache_keys_include_the_backend(engine, plugin):
    engine.render(PRESET, backend="cuda")
    engine.render(PRESET, backend="cpu")
    assert [s[1] for s in plugin.seen if s[0] == "ramp"] == ["cuda", "cpu"]


def test_save_copies_to_host_once_at_export(engine, tmp_path):
    report = engine.save(PRESET, tmp_path / "gpu", backend="cuda", format="tiff")
    engine.save(PRESET, tmp_path / "cpu", backend="cpu", format="tiff")
    for item in report.files:
        gpu = texgen.io.read_image(item["path"])
        cpu = texgen.io.read_image(tmp_path / "cpu" / f"dev_{item['output']}.tiff")
        np.testing.assert_allclose(gpu, cpu, atol=1e-6)
