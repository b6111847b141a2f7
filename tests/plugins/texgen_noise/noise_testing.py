"""Shared by the noise tests: the reference hash and the plugin's registered specs."""

import texgen
import texgen_noise

MASK = 0xFFFFFFFF


def ref_hash(seed, x, y):
    """The documented lattice hash, written out independently of kernels.hash2."""
    h = (seed ^ (x * 501125321) ^ (y * 1136930381)) & MASK
    h ^= h >> 16
    h = (h * 0x7FEB352D) & MASK
    h ^= h >> 15
    h = (h * 0x27D4EB2D) & MASK
    return h ^ (h >> 16)


def registered_specs():
    """The noise plugin's node specs as the engine registers them (namespace "noise")."""
    return texgen.Engine(entry_points=False, strict=True,
                         plugins={"noise": texgen_noise}).registry
