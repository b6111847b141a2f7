"""Machine facts for the benchmarks' headers and RESULTS.md sections: CPU model, the SIMD
width numba compiles for, cores, memory, versions, load.

    from machine import describe    # in a script under benchmarks/ (run from anywhere)

Every figure in RESULTS.md names the machine it came from with these facts (``describe``),
so a run on another machine can be compared with it, or told apart from it.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def _cpuinfo() -> dict[str, str]:
    """The first processor's fields of /proc/cpuinfo (empty where there is none)."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return fields
    for line in text.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip().lower(), value.strip())
    return fields


def cpu_model() -> str:
    """The CPU's model name: /proc/cpuinfo, else lscpu, else what platform knows."""
    info = _cpuinfo()
    for key in ("model name", "hardware", "cpu model", "processor"):
        if info.get(key) and not info[key].isdigit():
            return info[key]
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def _llvm_host() -> tuple[str | None, dict[str, bool]]:
    """The CPU name and features numba compiles for: LLVM's host CPU, or what
    NUMBA_CPU_NAME and NUMBA_CPU_FEATURES (``+avx2,-avx512f,...``) set; (None, {}) without
    llvmlite and those variables."""
    name = os.environ.get("NUMBA_CPU_NAME")
    wanted = os.environ.get("NUMBA_CPU_FEATURES")
    features: dict[str, bool] = {}
    try:
        import llvmlite.binding as llvm
    except ImportError:
        llvm = None
    if wanted is not None:
        features = {item[1:]: item[0] == "+" for item in wanted.split(",")
                    if item[:1] in "+-" and len(item) > 1}
    elif llvm is not None:
        features = {key: bool(on) for key, on in llvm.get_host_cpu_features().items()}
    if name is None and llvm is not None:
        name = llvm.get_host_cpu_name()
    return name, features


def simd_width() -> str:
    """The widest x86/ARM SIMD extension the host has: AVX-512, AVX2, SSE or NEON.

    Read from LLVM's host features where llvmlite is installed (what numba targets unless
    NUMBA_CPU_NAME/NUMBA_CPU_FEATURES say otherwise), else from /proc/cpuinfo's flags.
    """
    _, features = _llvm_host()
    if not features:
        flags = set((_cpuinfo().get("flags") or _cpuinfo().get("features") or "").split())
        features = {flag: True for flag in flags}
    if features.get("avx512f"):
        return "AVX-512"
    if features.get("avx2"):
        return "AVX2"
    if features.get("neon") or features.get("asimd"):
        return "NEON"
    return "SSE" if platform.machine() in ("x86_64", "AMD64", "i686") else "none known"


def cores() -> int:
    """CPUs this process may run on (the affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / (1 << 20)
    except (OSError, ValueError, IndexError):
        pass
    return None


def cpu_description() -> str:
    """CPU model, the name numba compiles for and its SIMD width, e.g. ``AMD EPYC 9R45
    (LLVM: znver5), AVX-512``."""
    name, _ = _llvm_host()
    how = "NUMBA_CPU_NAME=" if "NUMBA_CPU_NAME" in os.environ else "LLVM: "
    llvm = f" ({how}{name})" if name else ""
    return f"{cpu_model()}{llvm}, {simd_width()}"


def load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def describe(*, load: bool = True) -> str:
    """One line of machine facts: CPU, SIMD, cores, memory, OS, Python, numpy, numba and,
    with ``load``, the load average now (shared machines: timings vary with it)."""
    import numpy as np

    parts = [cpu_description(), f"{cores()} cores"]
    memory = memory_gib()
    if memory is not None:
        parts.append(f"{memory:.0f} GiB")
    parts.append(f"{platform.system()} {platform.machine()}")
    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    try:
        import numba
        versions.append(f"numba {numba.__version__}")
    except ImportError:
        pass
    text = ", ".join(parts) + "; " + ", ".join(versions)
    if load:
        text += f"; load average at the start {load_average()}"
    return text


if __name__ == "__main__":
    print(describe())
