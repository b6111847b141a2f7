import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from texgen import backend
from texgen.errors import InputError

TESTS = Path(__file__).parents[1]


def test_unusable_cuda_is_a_clear_input_error(monkeypatch):
    monkeypatch.setattr(backend, "cuda_available", lambda: False)
    with pytest.raises(InputError, match=r"the cuda backend needs an NVIDIA GPU and numba-cuda "
                                         r"\(pip install 'texgen\[cuda\]'\); use --backend cpu"):
        backend.resolve_backend("cuda")
    assert backend.resolve_backend("auto") == "cpu"
    with pytest.raises(InputError, match="unknown backend 'gpu'"):
        backend.resolve_backend("gpu")


def test_host_arrays_pass_through():
    array = np.zeros((2, 2, 1), np.float32)
    assert backend.to_host(array) is array
    assert backend.to_backend(array, "cpu") is array
    assert not backend.is_device_array(array)


def test_cuda_suite_passes_on_the_simulator():
    """The CUDA tests need NUMBA_ENABLE_CUDASIM set before numba is imported: own process."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(TESTS / "cuda"), "-q", "-p", "no:cacheprovider",
         "-o", "addopts="],
        env={**os.environ, "NUMBA_ENABLE_CUDASIM": "1"}, capture_output=True, text=True,
        cwd=TESTS.parent)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary and "failed" not in summary, summary
