"""Which nodes of a preset grow faster than the pixels: per-node seconds at several sizes.

    python benchmarks/scale_nodes.py PRESET [--sizes 1024 2048 4096] [--top 25] [--cpu]

Each size renders in a fresh process of its own, one at a time, as ``texgen render`` does
(``Engine(cache_bytes=0).save`` into a temporary folder: outputs written as they are final),
and without ``--profile``: a profiled render resets the resident high-water mark and pins
glibc's mmap threshold before every node, which costs time that grows with the process's
memory. Each node's seconds come from its ``NodeEvent``. The table lists the nodes taking
the most time at the largest size, then the total per node type: seconds per size, × time
from the smallest size beside × pixels, and "faster" where × time exceeds × pixels by more
than a quarter. Times depend on the machine's load (a loaded machine stretches long runs
more than short ones): take them on a quiet machine.

``--cpu`` reports the process's CPU seconds instead (``time.process_time`` from one node's
event to the next's, so with the evaluator's own work and the writing of finished outputs),
which a loaded machine disturbs much less; run it with ``NUMBA_NUM_THREADS=1`` so that the
CPU seconds of the parallel kernels compare across sizes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time


def child(preset: str, size: int, *, cpu: bool) -> None:
    """Render ``preset`` at ``size`` and print the nodes' seconds and the render's as JSON:
    wall-clock seconds, or with ``cpu`` the process's CPU seconds."""
    from texgen.engine import Engine

    clock = time.process_time if cpu else time.perf_counter
    events, marks = [], []

    def progress(event) -> None:
        events.append(event)
        marks.append(clock())

    with tempfile.TemporaryDirectory() as folder:
        started = clock()
        Engine(cache_bytes=0).save(preset, folder, size=size, progress=progress)
        seconds = clock() - started
    since = [started, *marks[:-1]]
    print(json.dumps({"render": seconds, "nodes": [
        [e.node_id, e.node_type, mark - before if cpu else e.seconds]
        for e, mark, before in zip(events, marks, since)]}))


def rows(label_seconds: dict[str, list[float]], pixels: list[float]) -> list[str]:
    """One table row per label: its seconds per size, × time and × pixels, "faster"."""
    lines = []
    for label, seconds in label_seconds.items():
        growth = seconds[-1] / seconds[0] if seconds[0] > 0 else float("inf")
        faster = "faster" if growth > 1.25 * pixels[-1] else ""
        lines.append(f"| {label} | " + " | ".join(f"{s:.2f}" for s in seconds)
                     + f" | {growth:.1f} | {pixels[-1]:g} | {faster} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("preset")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 2048, 4096])
    parser.add_argument("--top", type=int, default=25, help="nodes listed (default 25)")
    parser.add_argument("--cpu", action="store_true",
                        help="CPU seconds of the process instead of wall-clock seconds")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.preset, args.child, cpu=args.cpu)
        return 0
    runs = []
    for size in args.sizes:
        result = subprocess.run([sys.executable, __file__, args.preset, "--child", str(size),
                                 *(["--cpu"] if args.cpu else [])],
                                capture_output=True, text=True)
        if result.returncode:
            print(f"{args.preset} at {size}: failed\n{result.stderr}", file=sys.stderr)
            return 1
        runs.append(json.loads(result.stdout))
    pixels = [(size / args.sizes[0]) ** 2 for size in args.sizes]
    seconds = [{node: s for node, _, s in run["nodes"]} for run in runs]
    by_node = {f"{node} ({kind})": [each[node] for each in seconds]
               for node, kind, _ in runs[0]["nodes"]}
    by_type: dict[str, list[float]] = {}
    for node, kind, _ in runs[0]["nodes"]:
        totals = by_type.setdefault(kind, [0.0] * len(runs))
        for j, each in enumerate(seconds):
            totals[j] += each[node]
    header = ("| {} | " + " | ".join(f"{size} s" for size in args.sizes)
              + " | × time | × pixels | |\n|---|" + "---:|" * (len(args.sizes) + 2) + "---|")
    slowest = dict(sorted(by_node.items(), key=lambda item: -item[1][-1])[:args.top])
    print(header.format("node (type)"))
    print("\n".join(rows(slowest, pixels)))
    print()
    print(header.format("node type, all nodes"))
    print("\n".join(rows(dict(sorted(by_type.items(), key=lambda item: -item[1][-1])),
                         pixels)))
    print()
    print(("render CPU seconds: " if args.cpu else "render seconds: ")
          + ", ".join(f"{size}: {run['render']:.2f}" for size, run in zip(args.sizes, runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
