"""How render time and peak memory grow with the size, per preset: 1024² to 8192².

    python benchmarks/scale.py [--presets red_bricks marble ...] [--sizes 1024 2048 4096 8192]
                               [--append]

Each render is ``texgen render PRESET --size N -q --json`` into a temporary folder (what a
user runs: the outputs are written as they are final, no result cache), in a fresh process
of its own, one at a time (two 8K renders at once could exhaust the machine's memory). Per
preset (``presets/*.toml``, all of them unless ``--presets`` names some) and size:

- **render s**: the render's own seconds from its JSON report (validation, nodes, writes),
  and **process s**: the process end to end (interpreter start, imports, exit);
- **peak GB**: the process's peak resident memory (``ru_maxrss`` of that child, from
  ``os.wait4``; GB = 10⁹ bytes), and **estimate GB**: the engine's own estimate before
  rendering (``Engine.memory_estimate``, streamed, no cache: the results alive at the
  peak of the evaluation order plus the nodes' declared scratch), which leaves out the
  process's fixed memory (the interpreter, NumPy, Numba, torch when a preset loads it);
- **× time, × memory**: the render seconds and peak GB divided by those at the smallest
  size, beside **× pixels**, the pixel count's growth: cost that grows no faster than the
  pixels has ratios at most that.

The bars (issue #27): peak ≤ 8 GB at 8192², ≤ 2.5 GB at 4096², and both ratios at most the
pixels' from the smallest size to 8192². A render that fails or runs past ``--timeout``
is listed as failed. ``--append`` adds the table to benchmarks/RESULTS.md under a dated
heading, with the command and the machine (``machine.describe``). Peak memory does not
depend on what else runs; times do: take them on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from machine import describe
from results import append_section

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "presets"
GB = 1e9
BARS_GB = {4096: 2.5, 8192: 8.0}
HEADER = ["| preset | size | render s | process s | peak GB | estimate GB | × time | "
          "× memory | × pixels | bar |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
RENDER = "import sys; from texgen.cli import main; sys.exit(main(sys.argv[1:]))"


def parser() -> argparse.ArgumentParser:
    """The command line (tests/benchmarks checks the commands RESULTS.md cites against it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=None,
                        help="preset file stems or paths (default: every presets/*.toml)")
    parser.add_argument("--sizes", nargs="+", type=int, default=[1024, 2048, 4096, 8192],
                        help="render sizes in pixels, smallest first (the ratios' base)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds one render may take before it counts as failed")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    return parser


def preset_paths(names: list[str] | None) -> list[Path]:
    if not names:
        return sorted(PRESETS.glob("*.toml"))
    return [Path(name) if name.endswith((".toml", ".json")) else PRESETS / f"{name}.toml"
            for name in names]


def render(path: Path, size: int, timeout: float) -> dict:
    """One render in a fresh process: ``seconds`` (its report's), ``wall`` (the process's),
    ``peak`` (its own peak resident bytes, from ``os.wait4``), or ``error``."""
    with tempfile.TemporaryDirectory() as folder, \
            tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", RENDER, "render", str(path), "--size", str(size), "-o",
             folder, "-q", "--json"], stdout=out, stderr=err, cwd=ROOT)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)  # this child's rusage alone
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            err.seek(0)
            lines = err.read().strip().splitlines() or [f"exit {process.returncode}"]
            return {"error": f"ran past {timeout:.0f} s" if wall >= timeout else lines[-1]}
        out.seek(0)
        report = json.load(out)[0]
        return {"seconds": report["seconds"], "wall": wall, "peak": usage.ru_maxrss * 1024}


def estimate(path: Path, size: int) -> int:
    """The engine's estimate for the render ``render`` runs (streamed, no cache)."""
    import texgen

    engine = texgen.Engine(cache_bytes=0)
    return engine.memory_estimate(engine.validate(path, size=size), streamed=True)


def measure(path: Path, sizes: list[int], timeout: float) -> list[str]:
    """The table rows of one preset, sizes in the given (increasing) order."""
    rows, base = [], None
    for size in sizes:
        done = render(path, size, timeout)
        if "error" in done:
            rows.append(f"| {path.stem} | {size} | failed: {done['error'][:80]} | | | | | | | |")
            continue
        base = base or (size, done)
        pixels = (size / base[0]) ** 2
        times = done["seconds"] / base[1]["seconds"]
        memory = done["peak"] / base[1]["peak"]
        bar = BARS_GB.get(size)
        verdict = "" if bar is None else \
            f"{'met' if done['peak'] <= bar * GB else 'NOT met'} (≤ {bar:g} GB)"
        rows.append(f"| {path.stem} | {size} | {done['seconds']:.2f} | {done['wall']:.2f} | "
                    f"{done['peak'] / GB:.2f} | {estimate(path, size) / GB:.2f} | "
                    f"{times:.1f} | {memory:.1f} | {pixels:.0f} | {verdict} |")
        print(rows[-1], flush=True)
    return rows


def main():
    args = parser().parse_args()
    if args.sizes != sorted(args.sizes):
        raise SystemExit("--sizes: give them smallest first")
    paths = preset_paths(args.presets)
    where = describe()
    print(f"{where}\n{len(paths)} presets at {', '.join(map(str, args.sizes))}\n", flush=True)
    print("\n".join(HEADER), flush=True)
    started = time.perf_counter()
    lines = []
    for path in paths:
        lines += measure(path, args.sizes, args.timeout)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if args.append:
        command = shlex.join(["python", "benchmarks/scale.py", *sys.argv[1:]])
        append_section("Scale: time and peak memory from 1024² to 8192²", (
            f"`{command}`: {where}. Each render is `texgen render PRESET --size N -q --json` "
            f"in a fresh process, one at a time. Render s: its report's seconds; process s: "
            f"end to end. Peak GB: the process's peak resident memory (ru_maxrss, 10⁹ "
            f"bytes); estimate GB: Engine.memory_estimate before rendering (results alive "
            f"at the order's peak plus declared scratch; the process's fixed memory is not "
            f"in it). × time and × memory against the smallest size, beside × pixels. Bars: "
            f"≤ 8 GB at 8192², ≤ 2.5 GB at 4096², ratios at most the pixels'."),
            [*HEADER, *lines])


if __name__ == "__main__":
    main()
