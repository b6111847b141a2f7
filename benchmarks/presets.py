"""Time every shipped preset at a given size: first render (JIT or disk-cache load
included) and warm renders (cache cleared, so every node runs again).

    python benchmarks/presets.py [--size 1024] [--repeat 3]
"""

import argparse
import statistics
import time
from pathlib import Path

import texgen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    presets = sorted((Path(__file__).parents[1] / "presets").glob("*.toml"))
    engine = texgen.Engine()
    print(f"| preset | first render (s) | warm render, median of {args.repeat} (s) |")
    print("|---|---:|---:|")
    for path in presets:
        started = time.perf_counter()
        engine.render(path, size=args.size)
        first = time.perf_counter() - started
        times = []
        for _ in range(args.repeat):
            engine.cache.clear()
            started = time.perf_counter()
            engine.render(path, size=args.size)
            times.append(time.perf_counter() - started)
        print(f"| {path.stem} ({args.size}²) | {first:.2f} | {statistics.median(times):.2f} |")


if __name__ == "__main__":
    main()
