"""Time every shipped preset through the path users call, ``texgen.Engine().render``: cold
(a fresh Python process) and warm (a second render in the same process).

    python benchmarks/presets.py [--size 1024] [--presets clouds marble ...] [--repeat 3]
                                 [--append]

Per preset (``presets/*.toml``, all of them unless ``--presets`` names some, by file stem
or path), at ``--size``² pixels:

- **cold**: a fresh Python process that imports texgen, builds ``texgen.Engine()`` (plugin
  discovery), renders the preset once and exits, timed end to end from this process with
  ``subprocess`` (interpreter start-up and exit included): what one ``texgen render`` of a
  preset costs, short of writing files. numba's compiled kernels come from its disk cache
  (the warm process below runs first and fills the cache if it is empty), so this is a
  cache load, not a compile. Median of ``--repeat`` processes; next to it the cold
  process's own clocks (medians): ``import texgen``, ``Engine()``, the render.
- **warm**: in one more process, after a first render, the same ``Engine`` renders the
  preset again with its result cache cleared (``engine.cache.clear()``) before each
  render, so every node recomputes; what the engine loaded from files (models, in
  ``engine.resources``) and numba's loaded kernels stay, as they do for an application
  that renders many times. Median of ``--repeat``.
- **cached**: the same engine renders once more without clearing: every node's result
  comes from the result cache (what re-rendering an unchanged preset costs: mostly
  copying the outputs). Median of ``--repeat``.

``--append`` adds the table to benchmarks/RESULTS.md under a dated heading, with the
command and the machine (CPU model, SIMD width, cores; ``machine.describe``). Time on a
quiet machine: other jobs on the cores change every figure.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import describe
from results import append_section

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "presets"
HEADER = ["| preset | cold: new process (s) | import texgen (s) | Engine() (s) | "
          "cold render (s) | warm render (s) | cached re-render (s) |",
          "|---|---:|---:|---:|---:|---:|---:|"]


def parser() -> argparse.ArgumentParser:
    """The command line (imported by tests/benchmarks to check the commands in RESULTS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="render size in pixels")
    parser.add_argument("--presets", nargs="+", default=None,
                        help="preset file stems or paths (default: every presets/*.toml)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="cold processes, warm and cached renders per preset (medians)")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    parser.add_argument("--worker", choices=("cold", "warm"), help=argparse.SUPPRESS)
    return parser


def preset_paths(names: list[str] | None) -> list[Path]:
    if not names:
        return sorted(PRESETS.glob("*.toml"))
    paths = []
    for name in names:
        path = Path(name)
        if not path.suffix:
            path = PRESETS / f"{name}.toml"
        if not path.is_file():
            known = ", ".join(p.stem for p in sorted(PRESETS.glob("*.toml")))
            raise SystemExit(f"no preset {name!r} (known: {known})")
        paths.append(path.resolve())
    return paths


# --- the child processes ------------------------------------------------------------------

def worker(mode: str, path: str, size: int, repeat: int) -> dict[str, float | list[float]]:
    """Run in a fresh process: import, build the engine, render; for ``warm``, render again
    with the result cache cleared and then without clearing it."""
    started = time.perf_counter()
    import texgen
    imported = time.perf_counter()
    engine = texgen.Engine()
    built = time.perf_counter()
    engine.render(path, size=size)
    rendered = time.perf_counter()
    out: dict[str, float | list[float]] = {"import": imported - started,
                                            "engine": built - imported,
                                            "render": rendered - built}
    if mode == "warm":
        warm, cached = [], []
        for _ in range(repeat):
            engine.cache.clear()
            started = time.perf_counter()
            engine.render(path, size=size)
            warm.append(time.perf_counter() - started)
        for _ in range(repeat):
            started = time.perf_counter()
            engine.render(path, size=size)
            cached.append(time.perf_counter() - started)
        out.update(warm=warm, cached=cached)
    return out


def spawn(mode: str, path: Path, size: int, repeat: int) -> tuple[float, dict]:
    """Wall seconds of a child process running ``worker``, and what it reported."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", mode,
               "--presets", str(path), "--size", str(size), "--repeat", str(repeat)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines() or ["no output"]
        raise RuntimeError(lines[-1])
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


# --- the parent -------------------------------------------------------------------------

def time_preset(path: Path, size: int, repeat: int) -> str:
    """One table row: the warm process first (it fills numba's disk cache if need be),
    then ``repeat`` cold processes."""
    try:
        _, warm = spawn("warm", path, size, repeat)
        colds = [spawn("cold", path, size, repeat) for _ in range(repeat)]
    except RuntimeError as error:
        return f"| {path.stem} | failed: {str(error)[:80]} | | | | | |"
    median = statistics.median
    walls = [wall for wall, _ in colds]
    clocks = {key: median(report[key] for _, report in colds)
              for key in ("import", "engine", "render")}
    return (f"| {path.stem} | {median(walls):.2f} | {clocks['import']:.2f} | "
            f"{clocks['engine']:.2f} | {clocks['render']:.2f} | {median(warm['warm']):.2f} | "
            f"{median(warm['cached']):.3f} |")


def main():
    args = parser().parse_args()
    if args.worker:
        path = args.presets[0]
        print(json.dumps(worker(args.worker, path, args.size, args.repeat)))
        return
    paths = preset_paths(args.presets)
    where = describe()
    print(f"{where}\n{len(paths)} presets at {args.size}², medians of {args.repeat}\n",
          flush=True)
    print("\n".join(HEADER), flush=True)
    started = time.perf_counter()
    lines = []
    for path in paths:
        lines.append(time_preset(path, args.size, args.repeat))
        print(lines[-1], flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    if args.append:
        command = shlex.join(["python", "benchmarks/presets.py", *sys.argv[1:]])
        append_section("Preset timings", (
            f"`{command}`: {where}. {len(paths)} presets at {args.size}², medians of "
            f"{args.repeat}. Cold: a fresh process (import texgen, `texgen.Engine()`, one "
            f"`render`, exit) timed from outside, numba kernels loaded from its disk cache; "
            f"its own clocks for the import, `Engine()` and the render beside it. Warm: the "
            f"same engine renders again with its result cache cleared (every node "
            f"recomputes; loaded models stay). Cached: rendered again without clearing."),
            [*HEADER, *lines])


if __name__ == "__main__":
    main()
