"""Side-by-side 2-D noise throughput: texgen against opensimplex, pyfastnoiselite and noise.

    python benchmarks/noise.py [--sizes 1024 4096] [--repeat 5] [--loop-size 256]
                               [--gpu-size 4096]

One process, one markdown table of samples per second and ratios texgen / peer. Each
comparison alternates texgen and peer runs (texgen, peer, texgen, peer, ...) and takes the
median of ``--repeat`` warm runs of each, so a load change on a shared machine hits both
sides alike. Fractal settings match everywhere: octaves 1 or 8, lacunarity 2, gain 0.5
(opensimplex has no fractal sum, so its 8-octave row sums 8 ``noise2array`` calls, as its
users do). texgen's noises are timed through the public ``Engine.render`` of a one-node
preset with the content cache cleared before each run (the path users call: validation,
evaluation, the float32 result); the engine's overhead over the bare node function is
timed once, separately. The ``noise`` package is called
per pixel in a Python loop, as its users do, on a ``--loop-size``² grid. The header names
the CPU and the SIMD width numba compiles for: texgen's loops are vectorised, so the
ratios depend on it (AVX-512 about twice AVX2).

With a GPU (numba-cuda and a CUDA device), a last table times ``--gpu-size``² 8-octave
fBm on the cuda backend: the kernel alone (output left on the device) and the round trip
(kernel plus copy to the host), against the CPU node.

Needs: opensimplex, pyfastnoiselite, noise (``pip install -e '.[bench]'``).
"""

import argparse
import statistics
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
from machine import cpu_description, describe

import texgen
from texgen.backend import cuda_available
from texgen.nodes import NodeContext
from texgen_noise import nodes, opensimplex_compat

LACUNARITY, GAIN, FREQUENCY = 2.0, 0.5, 8.0


def seconds(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median_time(fn, repeat):
    return statistics.median(seconds(fn) for _ in range(repeat))


def side_by_side(fns, repeat):
    """Median seconds of each of ``fns`` over ``repeat`` rounds that run each once, in turn."""
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, samples in zip(fns, times):
            samples.append(seconds(fn))
    return [statistics.median(samples) for samples in times]


ENGINE = texgen.Engine()


def texgen_render_fn(noise, size, octaves):
    """``Engine.render`` of a one-node preset, recomputed on every call (cache cleared)."""
    fractal = "none" if octaves == 1 else "fbm"
    preset = {"texgen": 1, "name": "bench", "size": size, "seed": 1,
              "nodes": {"n": {"type": f"noise.{noise}", "frequency": FREQUENCY,
                              "fractal": fractal, "octaves": octaves,
                              "lacunarity": LACUNARITY, "gain": GAIN}},
              "outputs": {"height": "n"}}

    def render():
        ENGINE.cache.clear()
        ENGINE.render(preset)
    return render


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


def gpu_rows(size, repeat):
    """(what, seconds) for 8-octave fBm Perlin at size²: cuda kernel alone, cuda round
    trip, cpu node. The kernel is timed to ``cuda.synchronize()``, its output left on the
    device; the round trip adds the copy to the host."""
    from numba import cuda

    def on(backend):
        ctx = NodeContext(node_id="bench", width=size, height=size, seed=1, backend=backend)
        return lambda: nodes.perlin(ctx, frequency=FREQUENCY, fractal="fbm", octaves=8,
                                    lacunarity=LACUNARITY, gain=GAIN)

    node = on("cuda")

    def kernel():
        node()
        cuda.synchronize()

    node().copy_to_host()  # compile
    rows = [("cuda kernel (output on the device)", median_time(kernel, repeat)),
            ("cuda round trip (kernel + copy to host)",
             median_time(lambda: node().copy_to_host(), repeat))]
    cpu = on("cpu")
    cpu()
    return rows + [("cpu node", median_time(cpu, repeat))]


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
    parser.add_argument("--gpu-size", type=int, default=4096,
                        help="edge of the 8-octave fBm timed on the cuda backend")
    args = parser.parse_args()

    import numba
    print(f"{describe()}\n")
    print(f"numba {numba.__version__}, {numba.get_num_threads()} threads, "
          f"{cpu_description()}; frequency {FREQUENCY} cycles per width, lacunarity "
          f"{LACUNARITY}, gain {GAIN}\n")

    # First calls: JIT compile (or numba disk-cache load), timed separately.
    print("| texgen kernel | first call, 64² (s) |")
    print("|---|---:|")
    for noise in ("perlin", "simplex"):
        print(f"| noise.{noise} | {seconds(texgen_fn(noise, 64, 8)):.2f} |")
    ctx64 = NodeContext(node_id="bench", width=64, height=64, seed=1)
    first = (seconds(lambda: opensimplex_compat.opensimplex_node(
                 ctx64, scale=8.0, offset_x=0.0, offset_y=0.0, z=0.0, dimensions="2d"))
             + seconds(lambda: opensimplex_compat.noise2array(
                 np.arange(4.0), np.arange(4.0), seed=1)))
    print(f"| noise.opensimplex | {first:.2f} |")
    import opensimplex
    first = seconds(lambda: opensimplex.OpenSimplex(1).noise2array(np.arange(4.0),
                                                                   np.arange(4.0)))
    print(f"| (opensimplex package, its own numba JIT) | {first:.2f} |\n")

    rows = []

    def compare(noise, octaves, size, peer, ours, theirs, repeat, note=""):
        theirs()
        t_texgen, t_peer = side_by_side((ours, theirs), repeat)
        rows.append((noise, octaves, size, peer, size * size / t_texgen,
                     size * size / t_peer, note))

    for size in args.sizes:
        repeat = args.repeat if size <= 1024 else max(2, args.repeat // 2)
        for noise in ("perlin", "simplex"):
            for octaves in (1, 8):
                ours = texgen_render_fn(noise, size, octaves)
                ours()
                one, two = fastnoiselite_fns(noise, size, octaves)
                compare(noise, octaves, size, "pyfastnoiselite", ours, one, repeat)
                compare(noise, octaves, size, "pyfastnoiselite, 2 threads", ours, two, repeat)
                if noise == "simplex":
                    compare(noise, octaves, size, "opensimplex.noise2array", ours,
                            opensimplex_fn(size, octaves), repeat,
                            note="OpenSimplex (2014), not OpenSimplex2")
                if size == args.sizes[0]:
                    t_loop = median_time(noise_loop_fn(noise, args.loop_size, octaves), 1)
                    rows.append((noise, octaves, size, "noise (Python loop)",
                                 size * size / median_time(ours, repeat),
                                 args.loop_size ** 2 / t_loop,
                                 f"per-pixel loop timed on {args.loop_size}²"))

    # Identical OpenSimplex output: noise.opensimplex's noise2array vs the package's.
    identical = []
    for size in args.sizes:
        axis = np.arange(size) * FREQUENCY / size
        generator = opensimplex.OpenSimplex(1)
        ours = partial(opensimplex_compat.noise2array, axis, axis, seed=1)
        theirs = partial(generator.noise2array, axis, axis)
        assert np.abs(ours() - theirs()).max() < 1e-6
        repeat = args.repeat if size <= 1024 else max(2, args.repeat // 2)
        ctx = NodeContext(node_id="bench", width=size, height=size, seed=1)
        node = partial(opensimplex_compat.opensimplex_node,
            ctx, scale=FREQUENCY, offset_x=0.0, offset_y=0.0, z=0.0, dimensions="2d")
        node()
        t_ours, t_theirs, t_node = side_by_side((ours, theirs, node), repeat)
        identical.append((size, size * size / t_ours, size * size / t_node,
                          size * size / t_theirs))

    print("| noise | octaves | size | peer | texgen Engine.render (Msamples/s) | "
          "peer (Msamples/s) | texgen ÷ peer | note |")
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
    t_engine, t_node = side_by_side((texgen_render_fn("perlin", size, 8),
                                     texgen_fn("perlin", size, 8)), args.repeat)
    print(f"\nEngine overhead, noise.perlin 8 octaves at {size}²: Engine.render "
          f"{t_engine * 1e3:.1f} ms vs node function {t_node * 1e3:.1f} ms.")

    if cuda_available():
        size = args.gpu_size
        print(f"\n| noise.perlin, fBm 8 octaves, {size}² | ms | Msamples/s |")
        print("|---|---:|---:|")
        for what, t in gpu_rows(size, args.repeat):
            print(f"| {what} | {t * 1e3:.2f} | {size * size / t / 1e6:.1f} |")
    else:
        print("\n(no CUDA device: GPU timings skipped)")


if __name__ == "__main__":
    main()
