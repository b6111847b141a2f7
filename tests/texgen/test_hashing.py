"""texgen.hashing.avalanche: one 32-bit hash for Python ints, NumPy uint64 arrays and Numba."""

import numpy as np

from texgen.hashing import MASK32, avalanche


def test_same_bits_on_ints_arrays_and_compiled_code():
    from texgen_noise import kernels  # compiles avalanche as one of its scalar functions

    values = np.random.default_rng(1).integers(0, 2 ** 32, 2000, dtype=np.uint64)
    values[:2] = 0, MASK32
    on_array = avalanche(values)
    assert on_array.dtype == np.uint64 and int(on_array.max()) <= MASK32
    compiled = kernels.cpu_kernels().avalanche
    for value, hashed in zip(values.tolist(), on_array.tolist()):
        assert avalanche(value) == hashed == compiled(value)


def test_is_a_permutation_that_avalanches():
    # Xorshifts and odd multipliers are invertible mod 2**32: no two inputs collide. Flipping
    # one input bit flips about half of the output bits.
    inputs = np.arange(2 ** 16, dtype=np.uint64) * np.uint64(65537)
    assert np.unique(avalanche(inputs)).size == inputs.size
    base = np.random.default_rng(2).integers(0, 2 ** 32, 4000, dtype=np.uint64)
    for bit in (0, 7, 16, 31):
        flipped = avalanche(base) ^ avalanche(base ^ np.uint64(1 << bit))
        mean_flips = np.mean([bin(int(v)).count("1") for v in flipped])
        assert 15.0 < mean_flips < 17.0, bit
