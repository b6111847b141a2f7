"""A/B timing of the noise nodes: this tree's against an earlier commit's, in one process.

Timing two versions in separate processes on a shared 2-core machine gives medians that
vary widely from process to process; here the base commit's ``texgen_noise.kernels`` and
``texgen_noise.nodes`` are loaded from a temporary git worktree under other module names
next to this tree's, the two are called alternately (old/new, then new/old) and each
side's median is taken, so load changes hit both sides alike. Both must give the same
bytes (the comparison is of speed, not output).

Usage::

    python benchmarks/noise_ab.py --base 10b9eee --rounds 11

prints, per case (perlin fbm 6 octaves at ``--size``², plain and domain-warped), the
medians in ms and new / old.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe

import texgen_noise
from texgen.nodes import NodeContext
from texgen_noise import nodes as new_nodes

REPO = Path(__file__).resolve().parent.parent
CASES = {"plain": dict(frequency=8.0, fractal="fbm", octaves=6),
         "warped": dict(frequency=8.0, fractal="fbm", octaves=6, warp="independent",
                        warp_amplitude=0.1)}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_old_nodes(worktree: Path):
    """The base commit's noise nodes, bound to the base commit's kernels."""
    folder = worktree / "plugins" / "texgen_noise"
    old_kernels = _load("old_noise_kernels", folder / "kernels.py")
    current = sys.modules["texgen_noise.kernels"]
    sys.modules["texgen_noise.kernels"] = texgen_noise.kernels = old_kernels
    try:
        return _load("old_noise_nodes", folder / "nodes.py")
    finally:
        sys.modules["texgen_noise.kernels"] = texgen_noise.kernels = current


def compare(old_nodes, *, size: int, rounds: int) -> dict[str, dict[str, float]]:
    ctx = NodeContext(node_id="bench", width=size, height=size, seed=1)
    result = {}
    for case, options in CASES.items():
        calls = {"old": lambda options=options: old_nodes.perlin(ctx, **options),
                 "new": lambda options=options: new_nodes.perlin(ctx, **options)}
        if calls["old"]().tobytes() != calls["new"]().tobytes():  # also compiles both
            raise SystemExit(f"{case}: the two versions give different output")
        times: dict[str, list[float]] = {"old": [], "new": []}
        for i in range(rounds):
            for side in ("old", "new") if i % 2 == 0 else ("new", "old"):
                started = time.perf_counter()
                calls[side]()
                times[side].append(time.perf_counter() - started)
        old, new = statistics.median(times["old"]), statistics.median(times["new"])
        result[case] = {"old_ms": round(old * 1e3, 2), "new_ms": round(new * 1e3, 2),
                        "new_over_old": round(new / old, 3)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()
    print(describe())
    with tempfile.TemporaryDirectory() as folder:
        worktree = Path(folder) / "base"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree),
                        args.base], check=True, capture_output=True)
        try:
            print(json.dumps(compare(load_old_nodes(worktree), size=args.size,
                                     rounds=args.rounds), indent=2))
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                            str(worktree)], check=True)


if __name__ == "__main__":
    main()
