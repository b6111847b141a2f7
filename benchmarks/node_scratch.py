"""Each node's scratch: the memory it holds at its peak beyond its outputs, in bytes per pixel,
beside what its spec declares (``NodeSpec.scratch``, which the memory estimate counts).

    python benchmarks/node_scratch.py [--size 2048] [--nodes filters.blur patterns.scatter ...]
                                      [--channels 3]

Every registered node but the neural ones (or those ``--nodes`` names) runs once in this
process on random inputs in [0, 1) (gray ports (N, N, 1), color 3 channels, rgba 4, "any"
``--channels``, or 1 where the node refuses those) with its default parameters: first at
64² (loading its Numba kernels), then at half ``--size`` and at ``--size``, with the resident
high-water mark reset just before each (the same Linux ``/proc`` reading as ``texgen render
--profile``, glibc's mmap threshold pinned so freed memory is not silently reused). Scratch
is the growth of (peak rise - output bytes) between the two sizes per added pixel: what a
node holds per band of rows (a few MB whatever the size) drops out. A node that needs a file
or refuses the random inputs is listed with its error. Memory only: the figures
do not depend on the load of the machine (Linux only).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from texgen.engine import Engine
from texgen.evaluate import _peak_resident, _reset_peak_resident
from texgen.nodes import CHANNELS, NodeContext


def measure(spec, size: int, channels: int) -> float:
    """Bytes per pixel ``spec``'s implementation holds at its peak beyond its outputs."""
    fn = spec.load()
    params = {param.name: param.default for param in spec.params}

    def run(n: int):
        rng = np.random.default_rng(0)
        inputs = {port.name: rng.random((n, n, CHANNELS.get(port.type, channels)),
                                        dtype=np.float32) for port in spec.inputs}
        ctx = NodeContext(node_id=spec.id, width=n, height=n, seed=1)
        start = _reset_peak_resident()
        result = fn(ctx, **inputs, **params)
        rise = _peak_resident() - start
        arrays = result.values() if isinstance(result, dict) else [result]
        return rise - sum(np.asarray(a).nbytes for a in arrays)

    run(64)
    half = size // 2
    return (run(size) - run(half)) / (size**2 - half**2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--nodes", nargs="*", help="node ids (default: all but neural.*)")
    parser.add_argument("--channels", type=int, default=3, choices=(1, 3, 4),
                        help="channels of the inputs on 'any' ports (default 3)")
    args = parser.parse_args(argv)
    registry = Engine().registry
    ids = args.nodes or [i for i in registry.ids() if not i.startswith("neural.")]
    print(f"{'node':<28} {'scratch B/px':>12} {'declared':>9}")
    for node_id in ids:
        spec = registry.get(node_id)
        try:
            try:
                scratch = f"{measure(spec, args.size, args.channels):12.1f}"
            except ValueError:  # e.g. a warp's gradient mode wants a gray "any" input
                scratch = f"{measure(spec, args.size, 1):12.1f}"
        except Exception as error:  # a node that needs a file or other inputs: say which
            scratch = f"  failed: {type(error).__name__}: {str(error)[:60]}"
        print(f"{node_id:<28} {scratch:>12} {spec.scratch:>9g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
