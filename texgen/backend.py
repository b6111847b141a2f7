"""Compute backends: "cpu" (Numba JIT on the host) and "cuda" (Numba CUDA on an NVIDIA GPU)."""

from __future__ import annotations

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
