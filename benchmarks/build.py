"""Issue #23's speed figures for ``texgen build``, measured side by side in one run.

    python benchmarks/build.py [--size 1024] [--quick] [--append]

1. **PNG write vs render**: per demo preset, the time to write its outputs as ``texgen
   render`` does (``texgen.io.write_output`` with each output's exporter) against the time
   to render them (``Engine.render``, result cache cleared, kernels already loaded), at
   ``--size``². Target: the write at most 30 % of the render.
2. **--jobs 2 vs --jobs 1**: jobs per second of ``texgen build --force -j N`` (a new
   process each, which loads its kernels as a pipeline's build does) over a manifest of
   the 16 demo presets (one job each, png target, ``--size``²), after a warm-up build that
   fills Numba's disk cache. Target: at least 1.7x. Measured twice: with the default
   threads (a job's loops share the cores, so ``-j 1`` already uses them all) and with
   ``--threads 1`` (the pool's own scaling).
3. **No-change rebuild**: wall time of ``texgen build`` (a fresh process, as CI runs it)
   and of ``texgen.build`` in this process, on a manifest of 32 jobs (the demo presets x
   2 seeds) that is already built. Target: at most 1.5 s.

``--quick`` is a smoke run (128², three presets in part 1). Prints ratios and asserts
nothing; ``--append`` adds the table to benchmarks/RESULTS.md with the command and the
machine. Time on a quiet machine: other jobs on the cores change every figure.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe
from results import append_section

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ROOT / "presets"
#: The 16 demo presets issue #23's figures are about (presets added since are left out).
DEMO_PRESETS = ("camouflage", "clouds", "cobblestone", "desert_dunes", "grass_ground", "lava",
                "leather", "marble", "neural_lava", "red_bricks", "rock", "rusted_metal",
                "scifi_panels", "terrain", "water_caustics", "wood_planks")


def parser() -> argparse.ArgumentParser:
    """The command line (imported by tests/benchmarks to check the commands in RESULTS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="render size in pixels")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 128 pixels, three presets in part 1")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    return parser


def write_vs_render(names: list[str], size: int) -> list[str]:
    """Part 1: a table row per preset, and the median ratio."""
    import texgen
    from texgen.io import write_output

    engine = texgen.Engine()
    rows, ratios = [], []
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            graph = engine.validate(name, size=size)
            engine.render(name, size=32)  # kernels loaded (or compiled) before timing
            engine.cache.clear()
            started = time.perf_counter()
            textures = engine.render(name, size=size)
            render = time.perf_counter() - started
            started = time.perf_counter()
            for output, texture in textures.items():
                exporter = engine.output_exporter(graph, output)
                write_output(Path(folder) / f"{output}.{exporter.extension}", texture, exporter,
                             normalize=graph.preset.outputs[output].normalize)
            write = time.perf_counter() - started
            ratios.append(write / render)
            rows.append(f"| {name} | {render:.3f} | {write:.3f} | {write / render:.0%} |")
            print(rows[-1], flush=True)
    return ["| preset | render (s) | PNG write (s) | write / render |", "|---|---:|---:|---:|",
            *rows, f"| median | | | {statistics.median(ratios):.0%} (target <= 30%) |"]


def manifest_text(names: list[str], size: int, seeds: list[int], output: str) -> str:
    lines = ["texgen_build = 1", f'output = "{output}"', 'name = "{material}_{seed}_{map}"', ""]
    for name in names:
        lines += ["[[material]]", f'preset = "{PRESETS / name}.toml"', f"sizes = [{size}]",
                  f"seeds = {seeds}", ""]
    return "\n".join(lines)


def jobs_per_second(names: list[str], size: int, folder: Path) -> list[str]:
    """Part 2: jobs per second of ``texgen build --force -j N`` (a fresh process each, so
    each loads its kernels as a pipeline's build does), one worker and two: with the
    default threads (a job's Numba loops on the cores over the jobs at once) and with
    ``--threads 1`` (one thread per job: the pool's own scaling)."""
    path = folder / "pool.build.toml"
    path.write_text(manifest_text(names, 32, [1], "warm"))
    run_build(path, "-j", "2")  # fills Numba's disk cache if it is empty
    rates, job_seconds = {}, {}
    for threads in ((), ("--threads", "1")):
        for jobs in ("1", "2"):
            label = shlex.join(["--jobs", jobs, *threads])
            path.write_text(manifest_text(names, size, [1], f"jobs{jobs}{len(threads)}"))
            seconds, report = run_build(path, "--force", "-j", jobs, *threads, "--json")
            rates[label] = len(names) / seconds
            job_seconds[label] = statistics.mean(job["seconds"] or 0.0
                                                 for job in report["jobs"])
            print(f"{label}: {len(names)} jobs in {seconds:.2f}s "
                  f"({rates[label]:.2f} jobs/s)", flush=True)
    # One job's own time with all the cores (-j 1: Numba's loops on every core) against
    # one core each (-j 2): the most a second worker can add is cores / that ratio.
    rows = [f"| {label} | {rates[label]:.2f} | {job_seconds[label]:.2f} |" for label in rates]
    one, two = "--jobs 1 --threads 1", "--jobs 2 --threads 1"
    return ["| executor | jobs/s | mean seconds of one job |", "|---|---:|---:|", *rows,
            f"| ratio, default threads | {rates['--jobs 2'] / rates['--jobs 1']:.2f}x "
            f"(target >= 1.7x) | {job_seconds['--jobs 2'] / job_seconds['--jobs 1']:.2f}x "
            f"(one job on one core vs on all) |",
            f"| ratio, one thread per job | {rates[two] / rates[one]:.2f}x | "
            f"{job_seconds[two] / job_seconds[one]:.2f}x |"]


def run_build(path: Path, *options: str) -> tuple[float, dict | None]:
    """Wall seconds of ``texgen build PATH -q OPTIONS`` in a new process, and its --json
    report when asked for (a failed build is said on stderr, and its time still counts:
    its figure is then not the target's)."""
    command = [sys.executable, "-m", "texgen.cli", "build", str(path), "-q", *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=path.parent, stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        print(f"warning: {shlex.join(command)} exited {done.returncode}", file=sys.stderr,
              flush=True)
    return seconds, json.loads(done.stdout) if "--json" in options else None


def no_change(names: list[str], size: int, folder: Path) -> list[str]:
    """Part 3: a rebuild of 32 built jobs, by a fresh process and in this one."""
    import texgen

    path = folder / "texgen.build.toml"
    path.write_text(manifest_text(names, size, [1, 2], "nochange"))
    built = texgen.build(path, force=True)
    walls = [run_build(path)[0] for _ in range(3)]
    started = time.perf_counter()
    again = texgen.build(path)
    in_process = time.perf_counter() - started
    print(f"no-change rebuild of {len(built.jobs)} jobs: {statistics.median(walls):.2f}s "
          f"(process), {in_process:.2f}s (texgen.build); {again.rendered} rendered", flush=True)
    return ["| no-change rebuild | seconds |", "|---|---:|",
            f"| `texgen build`, {len(built.jobs)} jobs, new process (median of 3) | "
            f"{statistics.median(walls):.2f} (target <= 1.5) |",
            f"| `texgen.build` in a warm process | {in_process:.2f} |"]


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    size = 128 if args.quick else args.size
    names = [name for name in DEMO_PRESETS if (PRESETS / f"{name}.toml").is_file()]
    print(describe(), flush=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        lines = [*write_vs_render(names[:3] if args.quick else names, size), "",
                 *jobs_per_second(names, size, folder), "",
                 *no_change(names, size, folder)]
    print("\n".join(lines))
    if args.append:
        command = "python benchmarks/build.py " + shlex.join(argv or sys.argv[1:])
        append_section("texgen build", f"`{command}`: {describe()}. {size}² pixels, the "
                       f"{len(names)} demo presets.", lines)


if __name__ == "__main__":
    main()
