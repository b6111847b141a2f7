"""Shared by the noise tests: the reference hashes (2-D and 3-D) and the plugin's registered
specs."""

import math

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


def ref_hash3(seed, x, y, z):
    """The documented 3-D lattice hash (a third prime for z; z = 0 gives ``ref_hash``),
    written out independently of kernels.hash3. Works on ints and on int64 NumPy arrays."""
    h = (seed ^ (x * 501125321) ^ (y * 1136930381) ^ (z * 1720413743)) & MASK
    h ^= h >> 16
    h = (h * 0x7FEB352D) & MASK
    h ^= h >> 15
    h = (h * 0x27D4EB2D) & MASK
    return h ^ (h >> 16)


def ref_plan(frequency, octaves, lacunarity, width, height, tileable, loop_depth, phase):
    """(scale_x, scale_y, z, period_x, period_y, period_z) per octave (square cells).

    Octave k has f = frequency * lacunarity**k cycles per width, f * height / width per
    height, rounded half up to whole periods (at least 1) when tileable; its z period is
    max(1, round_half_up(loop_depth * lacunarity**k)) and its slice z = phase * period.
    """
    plan = []
    for k in range(octaves):
        f = frequency * lacunarity ** k
        fy = f * height / width
        if tileable:
            px, py = max(1, math.floor(f + 0.5)), max(1, math.floor(fy + 0.5))
            sx, sy = px, py
        else:
            px, py, sx, sy = 0, 0, f, fy
        pz = max(1, math.floor(loop_depth * lacunarity ** k + 0.5)) if loop_depth else 0
        plan.append((sx, sy, phase * pz, px, py, pz))
    return plan
