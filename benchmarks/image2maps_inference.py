"""Memory and time of the image2maps U-Net's inference, for a network width and photo size.

    python benchmarks/image2maps_inference.py [--channels 8,16,32,64 32,64,64,64]
                                              [--sizes 512 1024 2048] [--threads 1]

Each (channels, size) runs in a fresh process: an untrained U-Net of those channels
(``NetConfig(channels=...)``; the weights do not change the cost) refines a random
(1, 7, size, size) input through ``model.refine`` (whole up to 1024², in bands above), as
the ``neural.image_to_material`` node runs it. Prints the process's peak resident memory
over what it held before the call (ru_maxrss, MB = 2**20 bytes), that per pixel, and the
call's seconds. Comparing widths tells what a wider shipped model would cost the node.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from machine import describe

MEASURE = """
import json, resource, sys, time, torch
torch.set_num_threads({threads})
from texgen_neural.image2maps.config import NetConfig
from texgen_neural.image2maps.model import UNet, refine
unet = UNet(NetConfig(channels={channels!r})).eval()
inputs = torch.rand(1, 7, {size}, {size})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
with torch.no_grad():
    refine(unet, inputs)
seconds = time.perf_counter() - start
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
print(json.dumps({{"bytes": grown, "seconds": seconds}}))
"""


def measure(channels: tuple[int, ...], size: int, threads: int) -> dict:
    """{"bytes", "seconds"} of one refine call in a fresh process."""
    code = MEASURE.format(channels=channels, size=size, threads=threads)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", nargs="+", default=["8,16,32,64", "32,64,64,64"],
                        help="U-Net widths to compare, each comma-separated fine to coarse")
    parser.add_argument("--sizes", nargs="+", type=int, default=[512, 1024, 2048],
                        help="photo sides in pixels")
    parser.add_argument("--threads", type=int, default=1, help="PyTorch CPU threads")
    args = parser.parse_args()
    print(f"`python benchmarks/image2maps_inference.py {' '.join(sys.argv[1:])}`: {describe()}")
    print("\n| channels | size | peak MB over before | bytes per pixel | seconds |")
    print("|---|---:|---:|---:|---:|")
    for text in args.channels:
        channels = tuple(int(c) for c in text.split(","))
        for size in args.sizes:
            result = measure(channels, size, args.threads)
            print(f"| {text} | {size} | {result['bytes'] / 2**20:.0f} | "
                  f"{result['bytes'] / size**2:.0f} | {result['seconds']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
