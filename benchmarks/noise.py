"""Side-by-side 2-D noise throughput: texgen against opensimplex, pyfastnoiselite and noise.

    python benchmarks/noise.py [--sizes 1024 4096] [--repeat 5] [--loop-size 256]

One process, one markdown table of samples per second (median of ``--repeat`` warm runs)
and ratios texgen / peer. Fractal settings match everywhere: octaves 1 or 8, lacunarity 2,
gain 0.5 (opensimplex has no fractal sum, so its 8-octave row sums 8 ``noise2array``
calls, as its users do). texgen's noises are timed through their node functions with a
NodeContext (the kernel work); engine overhead is timed once, separately. The ``noise``
package is called per pixel in a Python loop, as its users do, on a ``--loop-size``² grid.

Needs: opensimplex, pyfastnoiselite, noise (``pip install opensimplex pyfastnoiselite noise``).
"""

import argparse
import statistics
import threading
import time
from pathlib import Path

import numpy as np

import texgen
from texgen.nodes import NodeContext
from texgen_noise import nodes, opensimplex_compat

LACUNARITY, GAIN, FREQUENCY = 2.0, 0.5, 8.0


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def first_call(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def texgen_fn(noise, size, octaves):
    ctx = NodeContext(node_id="bench", width=size, height=size, seed=1)
    node = getattr(nodes, noise)
    fractal = "none" if octaves == 1 else "fbm"
    return lambda: node(ctx, frequency=FREQUENCY, fractal=fractal, octaves=octaves,
                        lacunarity=LACUNARITY, gain=GAIN)


def fastnoiselite_fns(noise, size, octaves):
    """(one thread, two threads over halves) generating from a coordinate array."""
    from pyfastnoiselite.pyfastnoiselite import FastNoiseLite, FractalType, NoiseType

    fnl = FastNoiseLite(1)
    fnl.noise_type = {"perlin": NoiseType.NoiseType_Perlin,
                      "simplex": NoiseType.NoiseType_OpenSimplex2}[noise]
    fnl.fractal_type = FractalType.FractalType_None if octaves == 1 \
        else FractalType.FractalType_FBm
    fnl.fractal_octaves = octaves
    fnl.fractal_lacunarity = LACUNARITY
    fnl.fractal_gain = GAIN
    fnl.frequency = FREQUENCY / size  # coordinates are pixel indices
    grid = np.indices((size, size), dtype=np.float32)[::-1].reshape(2, -1)
    halves = [np.ascontiguousarray(h) for h in np.array_split(grid, 2, axis=1)]

    def two_threads():
        threads = [threading.Thread(target=fnl.gen_from_coords, args=(h,)) for h in halves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    return (lambda: fnl.gen_from_coords(grid)), two_threads


def opensimplex_fn(size, octaves):
    import opensimplex

    generator = opensimplex.OpenSimplex(1)
    axis = np.arange(size) * FREQUENCY / size

    def run():
        total = generator.noise2array(axis, axis)
        for k in range(1, octaves):
            total += GAIN ** k * generator.noise2array(axis * LACUNARITY ** k,
                                                       axis * LACUNARITY ** k)
        return total
    return run


def import_noise_package():
    """The ``noise`` package (this file is also called noise.py: skip its folder)."""
    import importlib
    import sys

    here = str(Path(__file__).resolve().parent)
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    try:
        sys.modules.pop("noise", None)
        return importlib.import_module("noise")
    finally:
        sys.path[:] = saved


def noise_loop_fn(noise, size, octaves):
    caseman = import_noise_package()

    function = {"perlin": caseman.pnoise2, "simplex": caseman.snoise2}[noise]
    scale = FREQUENCY / size

    def run():
        out = np.empty((size, size), np.float32)
        for row in range(size):
            for col in range(size):
                out[row, col] = function(col * scale, row * scale, octaves=octaves,
                                         persistence=GAIN, lacunarity=LACUNARITY)
        return out
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1024, 4096])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loop-size", type=int, default=256,
                        help="grid edge for the per-pixel Python loop of the noise package")
    args = parser.parse_args()

    import numba
    print(f"numba {numba.__version__}, {numba.get_num_threads()} threads; "
          f"frequency {FREQUENCY} cycles per width, lacunarity {LACUNARITY}, gain {GAIN}\n")

    # First calls: JIT compile (or numba disk-cache load), timed separately.
    print("| texgen kernel | first call, 64² (s) |")
    print("|---|---:|")
    for noise in ("perlin", "simplex"):
        print(f"| noise.{noise} | {first_call(texgen_fn(noise, 64, 8)):.2f} |")
    ctx64 = NodeContext(node_id="bench", width=64, height=64, seed=1)
    print(f"| noise.opensimplex | "
          f"{first_call(lambda: opensimplex_compat.opensimplex_node(ctx64, scale=8.0, offset_x=0.0, offset_y=0.0, z=0.0, dimensions='2d')) + first_call(lambda: opensimplex_compat.noise2array(np.arange(4.0), np.arange(4.0), seed=1)):.2f} |")
    import opensimplex
    print(f"| (opensimplex package, its own numba JIT) | "
          f"{first_call(lambda: opensimplex.OpenSimplex(1).noise2array(np.arange(4.0), np.arange(4.0))):.2f} |\n")

    rows = []

    def add(noise, octaves, size, peer, texgen_s, peer_s, samples_peer=None, note=""):
        samples = size * size
        texgen_rate = samples / texgen_s
        peer_rate = (samples_peer or samples) / peer_s
        rows.append((noise, octaves, size, peer, texgen_rate, peer_rate, note))

    for size in args.sizes:
        repeat = args.repeat if size <= 1024 else max(2, args.repeat // 2)
        for noise in ("perlin", "simplex"):
            for octaves in (1, 8):
                fn = texgen_fn(noise, size, octaves)
                fn()
                t_texgen = median_time(fn, repeat)
                one, two = fastnoiselite_fns(noise, size, octaves)
                one()
                add(noise, octaves, size, "pyfastnoiselite", t_texgen, median_time(one, repeat))
                add(noise, octaves, size, "pyfastnoiselite, 2 threads", t_texgen,
                    median_time(two, repeat))
                if noise == "simplex":
                    run = opensimplex_fn(size, octaves)
                    run()
                    add(noise, octaves, size, "opensimplex.noise2array", t_texgen,
                        median_time(run, repeat), note="OpenSimplex (2014), not OpenSimplex2")
                if size == args.sizes[0]:
                    loop = noise_loop_fn(noise, args.loop_size, octaves)
                    add(noise, octaves, size, "noise (Python loop)", t_texgen,
                        median_time(loop, 1), samples_peer=args.loop_size ** 2,
                        note=f"per-pixel loop timed on {args.loop_size}²")

    # Identical OpenSimplex output: noise.opensimplex's noise2array vs the package's.
    identical = []
    for size in args.sizes:
        axis = np.arange(size) * FREQUENCY / size
        generator = opensimplex.OpenSimplex(1)
        ours = lambda: opensimplex_compat.noise2array(axis, axis, seed=1)  # noqa: E731
        theirs = lambda: generator.noise2array(axis, axis)  # noqa: E731
        assert np.abs(ours() - theirs()).max() < 1e-6
        repeat = args.repeat if size <= 1024 else max(2, args.repeat // 2)
        ctx = NodeContext(node_id="bench", width=size, height=size, seed=1)
        node = lambda: opensimplex_compat.opensimplex_node(  # noqa: E731
            ctx, scale=FREQUENCY, offset_x=0.0, offset_y=0.0, z=0.0, dimensions="2d")
        node()
        t_ours, t_theirs, t_node = (median_time(f, repeat) for f in (ours, theirs, node))
        identical.append((size, size * size / t_ours, size * size / t_node,
                          size * size / t_theirs))

    print("| noise | octaves | size | peer | texgen (Msamples/s) | peer (Msamples/s) | "
          "texgen ÷ peer | note |")
    print("|---|---:|---|---|---:|---:|---:|---|")
    for noise, octaves, size, peer, ours, theirs, note in rows:
        print(f"| {noise} | {octaves} | {size}² | {peer} | {ours / 1e6:.1f} | "
              f"{theirs / 1e6:.2f} | {ours / theirs:.1f}× | {note} |")

    print("\n| identical OpenSimplex output | size | texgen noise2array (Msamples/s) | "
          "texgen node, float32 [0,1] (Msamples/s) | opensimplex.noise2array (Msamples/s) | "
          "texgen ÷ opensimplex (array / node) |")
    print("|---|---|---:|---:|---:|---:|")
    for size, ours, node_rate, theirs in identical:
        print(f"| 2-D, seed 1, scale {FREQUENCY} | {size}² | {ours / 1e6:.1f} | "
              f"{node_rate / 1e6:.1f} | {theirs / 1e6:.1f} | "
              f"{ours / theirs:.2f}× / {node_rate / theirs:.2f}× |")

    # Engine overhead: a one-node render through texgen.Engine vs the node function.
    size = args.sizes[0]
    engine = texgen.Engine()
    preset = {"texgen": 1, "name": "bench", "size": size, "seed": 1,
              "nodes": {"n": {"type": "noise.perlin", "frequency": FREQUENCY,
                              "fractal": "fbm", "octaves": 8}},
              "outputs": {"height": "n"}}
    try:
        def render():
            engine.cache.clear()
            engine.render(preset)
        render()
        t_engine = median_time(render, args.repeat)
        t_node = median_time(texgen_fn("perlin", size, 8), args.repeat)
        print(f"\nEngine overhead, noise.perlin 8 octaves at {size}²: Engine.render "
              f"{t_engine * 1e3:.1f} ms vs node function {t_node * 1e3:.1f} ms.")
    except Exception as exc:  # the engine API is not what this benchmark measures
        print(f"\n(engine overhead not measured: {type(exc).__name__}: {exc})")


if __name__ == "__main__":
    main()
