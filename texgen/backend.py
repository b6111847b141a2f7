"""Compute backends: "cpu" (Numba JIT on the host) and "cuda" (Numba CUDA on an NVIDIA GPU)."""

from __future__ import annotations

import numpy as np

from texgen.errors import InputError

BACKENDS = ("cpu", "cuda")


def cuda_available() -> bool:
    """True when numba-cuda is installed and sees a GPU (or its simulator is enabled)."""
    try:
        from numba import cuda
    except ImportError:
        return False
    try:
        return bool(cuda.is_available())
    except Exception:  # noqa: BLE001 - a broken driver counts as no GPU
        return False


def resolve_backend(name: str) -> str:
    """Check a backend name; "auto" picks "cuda" when a GPU is usable, else "cpu"."""
    if name == "auto":
        return "cuda" if cuda_available() else "cpu"
    if name not in BACKENDS:
        raise InputError(f"unknown backend {name!r}: use cpu, cuda or auto")
    if name == "cuda" and not cuda_available():
        raise InputError("the cuda backend needs an NVIDIA GPU and numba-cuda "
                         "(pip install 'texgen[cuda]'); use --backend cpu")
    return name


# --- arrays on either side ---------------------------------------------------------------
# On the cuda backend nodes exchange Numba device arrays (a PyTorch tensor becomes one,
# without a copy, through ``numba.cuda.as_cuda_array``). Only export copies to the host.

def is_device_array(value) -> bool:
    """True for a Numba CUDA device array (real or simulated)."""
    return not isinstance(value, np.ndarray) and hasattr(value, "copy_to_host")


def to_host(value) -> np.ndarray:
    """A NumPy array with the contents of ``value`` (no copy if it already is one)."""
    return value.copy_to_host() if is_device_array(value) else value


def to_backend(value, backend: str):
    """``value`` where a node running on ``backend`` reads it: host or device memory."""
    if backend == "cuda":
        if is_device_array(value):
            return value
        from numba import cuda

        return cuda.to_device(np.ascontiguousarray(value))
    return to_host(value)
