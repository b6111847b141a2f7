"""The one 32-bit integer hash finaliser that texgen's plugins share.

``avalanche`` is written with operators only (no NumPy calls, no in-place updates), so the
same function runs on Python ints, inside Numba-compiled CPU and CUDA code (the noise
kernels compile it as one of their scalar functions) and elementwise on NumPy ``uint64``
arrays (the pattern nodes). It lives in the core so that plugins share it without
importing one another.

Changing it changes the output of every node that hashes: bump those nodes' versions. The
noise kernels' Numba disk cache is keyed on their own file (``texgen_noise/kernels.py``),
so after an edit here clear that cache too.
"""

#: Values are unsigned 32-bit integers: every product is masked back with this.
MASK32 = 0xFFFFFFFF


def avalanche(h):
    """xorshift-multiply finaliser of a 32-bit value ``h``: every output bit depends on every
    input bit.

    Invariants: ``h`` is in [0, 2**32) and so is the result. Both multipliers (0x7FEB352D,
    0x27D4EB2D) are odd and below 2**31, so every product is below 2**63 and fits int64 and
    uint64 exactly before masking: Python, Numba (CPU, CUDA) and NumPy compute the same bits.
    """
    h = h ^ (h >> 16)
    h = (h * 0x7FEB352D) & 0xFFFFFFFF
    h = h ^ (h >> 15)
    h = (h * 0x27D4EB2D) & 0xFFFFFFFF
    return h ^ (h >> 16)
