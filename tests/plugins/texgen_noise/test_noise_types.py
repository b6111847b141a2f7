"""noise.value, noise.value_cubic, noise.cellular, noise.white: exact values, hand-checked
cellular cases, conformance.

Exact values are checked against the pure-Python reference below, written from the
documented formulas (docs/noise.md) without importing texgen_noise.kernels' math.
"""

import math

import numba
import numpy as np
import pytest
from noise_testing import MASK, ref_hash, ref_plan

import texgen
from texgen.nodes import NodeContext
from texgen.testing import check_node, seam_ratio
from texgen_noise import kernels, nodes

LATTICE_NOISES = ("value", "value_cubic", "cellular")
DEFAULTS = dict(frequency=4.0, fractal="fbm", octaves=5, lacunarity=2.0, gain=0.5)


def render(noise, width, height, seed=1, tileable=True, **params):
    ctx = NodeContext(node_id="n", width=width, height=height, seed=seed, tileable=tileable)
    if noise == "white":
        return nodes.white(ctx)
    return getattr(nodes, noise)(ctx, **{**DEFAULTS, **params})


# --- independent pure-Python reference --------------------------------------------------

def ref_lattice(seed, x, y, period_x, period_y):
    """Documented lattice value: hash / 2**31 - 1, lattice wrapped by the periods."""
    if period_x:
        x %= period_x
    if period_y:
        y %= period_y
    return ref_hash(seed, x, y) / 2**31 - 1


def ref_quintic(t):
    return 10 * t ** 3 - 15 * t ** 4 + 6 * t ** 5


def ref_value(x, y, period_x, period_y, seed):
    """Bilinear weights written as products over the four corners."""
    x0, y0 = math.floor(x), math.floor(y)
    sx, sy = ref_quintic(x - x0), ref_quintic(y - y0)
    return sum((sx if cx else 1 - sx) * (sy if cy else 1 - sy)
               * ref_lattice(seed, x0 + cx, y0 + cy, period_x, period_y)
               for cx in (0, 1) for cy in (0, 1))


def ref_cubic_weights(t):
    """Weights of a, b, c, d in FastNoiseLite's cubic (slopes c - a at b, d - b at c)."""
    return (-t * (1 - t) ** 2, t ** 3 - 2 * t ** 2 + 1, -t ** 3 + t ** 2 + t, t ** 3 - t ** 2)


def ref_value_cubic(x, y, period_x, period_y, seed):
    """Tensor-product sum over the 4 x 4 lattice points, divided by 1.5**2."""
    x1, y1 = math.floor(x), math.floor(y)
    wx, wy = ref_cubic_weights(x - x1), ref_cubic_weights(y - y1)
    total = sum(wx[i] * wy[j] * ref_lattice(seed, x1 - 1 + i, y1 - 1 + j, period_x, period_y)
                for i in range(4) for j in range(4))
    return total / 2.25


def ref_spread(distance, jitter):
    """How far points stray from the cell centre per axis: 0.4 (Manhattan 0.25) * jitter."""
    return (0.25 if distance == "manhattan" else 0.4) * jitter


def ref_feature_point(seed, i, j, period_x, period_y, m):
    """Cell (i, j)'s point: centre + m * (2 r - 1), r from the wrapped cell's hash."""
    h = ref_hash(seed, i % period_x if period_x else i, j % period_y if period_y else j)
    return (i + 0.5 + m * (2 * (h & 0xFFFF) / 65536 - 1),
            j + 0.5 + m * (2 * (h >> 16) / 65536 - 1), h)


REF_DISTANCES = {
    "euclidean": lambda dx, dy: math.hypot(dx, dy),
    "euclidean_sq": lambda dx, dy: dx * dx + dy * dy,
    "manhattan": lambda dx, dy: abs(dx) + abs(dy),
    "chebyshev": lambda dx, dy: max(abs(dx), abs(dy)),
}


def ref_bounds(distance, jitter):
    """Documented largest F1, F2 of a 3x3 search: every point at its far corner."""
    m = ref_spread(distance, jitter)
    return {"euclidean": (math.sqrt(2) * (0.5 + m), math.hypot(1 + m, m)),
            "euclidean_sq": (2 * (0.5 + m) ** 2, (1 + m) ** 2 + m ** 2),
            "manhattan": (1 + 2 * m, 1 + 2 * m),
            "chebyshev": (0.5 + m, 1 + m)}[distance]


def ref_cellular_c(x, y, period_x, period_y, seed, distance, return_type, jitter):
    """Cellular value in [0, 1], from a brute-force search of the 5 x 5 cells around (x, y)."""
    found = []
    for i in range(math.floor(x) - 2, math.floor(x) + 3):
        for j in range(math.floor(y) - 2, math.floor(y) + 3):
            px, py, h = ref_feature_point(seed, i, j, period_x, period_y,
                                          ref_spread(distance, jitter))
            found.append((REF_DISTANCES[distance](px - x, py - y), h))
    found.sort(key=lambda item: item[0])
    (f1, h1), (f2, _) = found[0], found[1]
    if return_type == "cell_value":
        return 0.5 + 0.5 * (ref_hash(h1, 0, 0) / 2**31 - 1)
    b1, b2 = ref_bounds(distance, jitter)
    return {"f1": f1 / b1, "f2": f2 / b2, "f2_minus_f1": (f2 - f1) / b2,
            "f2_plus_f1": (f1 + f2) / (b1 + b2), "f1_times_f2": f1 * f2 / (b1 * b2)}[return_type]


def ref_cellular(x, y, period_x, period_y, seed, distance, return_type, jitter):
    return 2 * ref_cellular_c(x, y, period_x, period_y, seed, distance, return_type, jitter) - 1


def ref_render(base, width, height, seed, tileable, frequency, fractal, octaves, lacunarity,
               gain):
    """fbm / none over a square lattice, from the documented tiling rule."""
    octaves = 1 if fractal == "none" else octaves
    weights = [gain ** k / sum(gain ** j for j in range(octaves)) for k in range(octaves)]
    plan = ref_plan(frequency, octaves, lacunarity, width, height, tileable, 0, 0.0)
    out = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            u, v = (col + 0.5) / width, (row + 0.5) / height
            total = 0.0
            for k, (sx, sy, _, px, py, _) in enumerate(plan):
                total += weights[k] * base(u * sx, v * sy, px, py, (seed + k) & MASK)
            out[row, col] = min(max(0.5 + 0.5 * total, 0.0), 1.0)
    return out


CELLULAR_CASES = [("euclidean", "f1", 1.0), ("euclidean", "f2_plus_f1", 1.0),
                  ("manhattan", "f2_minus_f1", 0.7), ("chebyshev", "f2", 1.0),
                  ("euclidean_sq", "f1_times_f2", 0.5), ("euclidean", "cell_value", 1.0)]


# --- exact values -------------------------------------------------------------------------

@pytest.mark.parametrize("noise, base", [("value", ref_value), ("value_cubic", ref_value_cubic)])
@pytest.mark.parametrize("fractal", ["none", "fbm"])
@pytest.mark.parametrize("tileable", [True, False])
def test_value_noises_match_reference(noise, base, fractal, tileable):
    params = dict(frequency=3.3, fractal=fractal, octaves=3, lacunarity=2.1, gain=0.6)
    for seed in (12345, MASK):  # MASK: per-octave seeds wrap around 2**32
        got = render(noise, 9, 7, seed=seed, tileable=tileable, **params)[..., 0]
        want = ref_render(base, 9, 7, seed, tileable, **params)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("distance, return_type, jitter", CELLULAR_CASES)
@pytest.mark.parametrize("tileable", [True, False])
def test_cellular_matches_reference(distance, return_type, jitter, tileable):
    cell = dict(distance=distance, return_type=return_type, jitter=jitter)
    params = dict(frequency=3.3, fractal="fbm", octaves=3, lacunarity=2.1, gain=0.6)
    for seed in (12345, MASK):
        got = render("cellular", 9, 7, seed=seed, tileable=tileable, **params, **cell)[..., 0]
        want = ref_render(lambda x, y, px, py, s: ref_cellular(x, y, px, py, s, **cell),
                          9, 7, seed, tileable, **params)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("distance", list(REF_DISTANCES))
def test_cellular_three_by_three_search_finds_f1_and_f2(distance):
    # The kernel searches 3 x 3 cells, the reference 5 x 5: at full jitter they agree.
    cellular2 = kernels.cpu_kernels().cellular2
    points = np.random.default_rng(5).random((3000, 2)) * 40 - 20
    dist = nodes.DISTANCES[distance]
    for return_type in ("f1", "f2"):
        got = [cellular2(x, y, 0, 0, 77, dist, nodes.RETURN_TYPES[return_type], 1.0)
               for x, y in points]
        want = [ref_cellular(x, y, 0, 0, 77, distance, return_type, 1.0) for x, y in points]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_white_is_one_hash_per_pixel():
    for width, height, seed in [(9, 7, 3), (16, 5, MASK), (1, 1, 0)]:
        got = render("white", width, height, seed=seed)[..., 0]
        want = np.array([[ref_hash(seed, col, row) / 2**32 for col in range(width)]
                         for row in range(height)], np.float32)
        np.testing.assert_array_equal(got, want)


def test_reference_is_not_degenerate():
    assert ref_value(0.3, 0.4, 0, 0, 1) != ref_value(0.3, 0.4, 0, 0, 2)
    assert ref_value(0.3, 0.4, 4, 4, 9) == pytest.approx(ref_value(4.3, 8.4, 4, 4, 9))
    assert ref_value_cubic(1.7, 2.2, 3, 3, 9) == pytest.approx(ref_value_cubic(-1.3, 5.2, 3, 3, 9))
    # The cubic passes through the lattice values.
    assert ref_value_cubic(2.0, 3.0, 0, 0, 5) == pytest.approx(ref_lattice(5, 2, 3, 0, 0) / 2.25)
    assert ref_cellular(0.3, 0.4, 2, 2, 1, "euclidean", "f1", 1.0) == pytest.approx(
        ref_cellular(2.3, -1.6, 2, 2, 1, "euclidean", "f1", 1.0))


# --- cellular by hand -----------------------------------------------------------------------

def cellular(width, height, frequency, distance, return_type, jitter=0.0, seed=1):
    return render("cellular", width, height, seed=seed, frequency=frequency, fractal="none",
                  distance=distance, return_type=return_type, jitter=jitter)[..., 0]


# Jitter 0 puts every feature point at its cell's centre. Frequency 4 on 8 x 8 pixels makes
# cells 2 pixels wide, so every pixel centre is (1/4, 1/4) cell from its own point (up to
# sign): F1 = |(1/4, 1/4)|, F2 = |(3/4, 1/4)| (the next cell along x or y). The bounds at
# jitter 0 are F1max = |(1/2, 1/2)| and F2max = |(1, 0)|.
HAND = {  # distance: (F1, F2, F1max, F2max)
    "euclidean": (math.sqrt(2) / 4, math.sqrt(10) / 4, math.sqrt(0.5), 1.0),
    "euclidean_sq": (1 / 8, 10 / 16, 0.5, 1.0),
    "manhattan": (0.5, 1.0, 1.0, 1.0),
    "chebyshev": (0.25, 0.75, 0.5, 1.0),
}


@pytest.mark.parametrize("distance", list(HAND))
def test_cellular_jitter_zero_by_hand(distance):
    f1, f2, b1, b2 = HAND[distance]
    expected = {"f1": f1 / b1, "f2": f2 / b2, "f2_minus_f1": (f2 - f1) / b2,
                "f2_plus_f1": (f1 + f2) / (b1 + b2), "f1_times_f2": f1 * f2 / (b1 * b2)}
    for return_type, want in expected.items():
        got = cellular(8, 8, 4.0, distance, return_type)
        np.testing.assert_allclose(got, np.full((8, 8), want), rtol=0, atol=1e-6,
                                   err_msg=return_type)


def test_cellular_hand_values_in_numbers():
    # The same cases written out: 0.5 = (sqrt(2)/4) / sqrt(1/2), and so on.
    assert cellular(8, 8, 4.0, "euclidean", "f1")[0, 0] == pytest.approx(0.5, abs=1e-6)
    assert cellular(8, 8, 4.0, "manhattan", "f2")[3, 5] == pytest.approx(1.0, abs=1e-6)
    assert cellular(8, 8, 4.0, "chebyshev", "f2_minus_f1")[7, 2] == pytest.approx(0.5, abs=1e-6)
    assert cellular(8, 8, 4.0, "euclidean_sq", "f1")[4, 4] == pytest.approx(0.25, abs=1e-6)


def test_cellular_pixel_on_its_feature_point():
    # 3 x 3 pixels, one cell: the middle pixel centre (0.5, 0.5) is the point itself. With
    # period 1 the eight neighbours are the same cell one period away, at distance 1 (and
    # sqrt(2) diagonally): F1 = 0, F2 = 1 = F2max.
    for distance in HAND:
        assert cellular(3, 3, 1.0, distance, "f1")[1, 1] == pytest.approx(0.0, abs=1e-7)
        assert cellular(3, 3, 1.0, distance, "f2")[1, 1] == pytest.approx(1.0, abs=1e-7)
        assert cellular(3, 3, 1.0, distance, "f2_minus_f1")[1, 1] == pytest.approx(1.0, abs=1e-7)
    # Pixel (0, 0) at (1/6, 1/6): F1 = |(1/3, 1/3)| to the point.
    assert cellular(3, 3, 1.0, "euclidean", "f1")[0, 0] == pytest.approx(
        math.sqrt(2) / 3 / math.sqrt(0.5), abs=1e-6)


def test_cellular_cell_value_is_flat_per_cell_by_hand():
    seed = 21
    got = cellular(8, 8, 4.0, "euclidean", "cell_value", seed=seed)
    for row in range(8):
        for col in range(8):
            h = ref_hash(seed, col // 2, row // 2)  # 2 x 2 pixels per cell at jitter 0
            assert got[row, col] == pytest.approx(0.5 + 0.5 * (ref_hash(h, 0, 0) / 2**31 - 1),
                                                  abs=1e-6)
    assert len(np.unique(got)) == 16


def test_cellular_jitter_moves_the_points():
    assert np.ptp(cellular(8, 8, 4.0, "euclidean", "f1")) < 1e-6  # regular grid: constant
    jittered = cellular(64, 64, 4.0, "euclidean", "f1", jitter=1.0)
    half = cellular(64, 64, 4.0, "euclidean", "f1", jitter=0.5)
    assert jittered.std() > 0.05 and np.abs(jittered - half).mean() > 0.01


def test_cellular_bounds_are_reached_but_not_exceeded():
    # The normalisation divides by the largest possible F1/F2: a big render gets near it.
    for distance in REF_DISTANCES:
        for return_type in ("f1", "f2"):
            out = render("cellular", 256, 256, fractal="none", frequency=16.0,
                         distance=distance, return_type=return_type, seed=3)
            assert 0.5 < out.max() <= 1.0 and out.min() >= 0.0, (distance, return_type)


def test_cellular_is_continuous_across_the_seam():
    # The wrapped cell's feature point is the same point one period away: sampling just
    # left and just right of u = 1 gives nearly the same F2 (a Lipschitz bound), for every
    # distance, at full jitter and a non-integer-looking period.
    noise_at = kernels.cpu_kernels().noise_at
    ctx = NodeContext("n", 96, 64, seed=9)
    eps = 1e-7
    for distance in nodes.DISTANCES:
        settings = nodes.noise_settings(kernels.NOISE_CELLULAR, ctx, frequency=5.0,
                                        fractal="none", distance=distance, return_type="f2")
        for v in np.linspace(0.01, 0.99, 60):
            left = noise_at(1 - eps, v, *settings)
            right = noise_at(eps, v, *settings)
            assert abs(left - right) < 1e-4


@pytest.mark.parametrize("bad", [dict(distance="euclid"), dict(return_type="f3"),
                                 dict(jitter=1.5), dict(jitter=-0.1)])
def test_cellular_rejects_bad_parameters(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        render("cellular", 8, 8, **bad)


# --- white -------------------------------------------------------------------------------------

def test_white_is_uniform_tiles_and_is_not_resolution_independent():
    out = render("white", 256, 256, seed=4)[..., 0]
    assert 0.0 <= out.min() and out.max() < 1.0
    assert abs(out.mean() - 0.5) < 0.01 and abs(out.std() - math.sqrt(1 / 12)) < 0.01
    assert seam_ratio(out[..., None]) < 1.5
    # Neighbours are independent: no correlation along either axis.
    assert abs(np.corrcoef(out[:, 1:].ravel(), out[:, :-1].ravel())[0, 1]) < 0.02
    assert abs(np.corrcoef(out[1:].ravel(), out[:-1].ravel())[0, 1]) < 0.02
    # Same pixel grid, same values; a different size is a different texture, not a sharper one.
    small = render("white", 64, 64, seed=4)[..., 0]
    np.testing.assert_array_equal(small[:8, :8], out[:8, :8])
    large = render("white", 128, 128, seed=4)[..., 0].reshape(64, 2, 64, 2).mean(axis=(1, 3))
    assert abs(np.corrcoef(small.ravel(), large.ravel())[0, 1]) < 0.1
    # Tiling flag: white noise tiles either way.
    ctx = NodeContext(node_id="n", width=16, height=16, seed=4, tileable=False)
    np.testing.assert_array_equal(nodes.white(ctx), render("white", 16, 16, seed=4))


# --- behaviour ---------------------------------------------------------------------------------

@pytest.mark.parametrize("noise", ["perlin", "simplex", *LATTICE_NOISES, "white"])
def test_deterministic_across_calls_and_thread_counts(noise):
    first = render(noise, 96, 64, seed=3)
    assert first.tobytes() == render(noise, 96, 64, seed=3).tobytes()
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        single = render(noise, 96, 64, seed=3)
    finally:
        numba.set_num_threads(threads)
    assert first.tobytes() == single.tobytes()


@pytest.mark.parametrize("noise", [*LATTICE_NOISES, "white"])
def test_seeds_give_different_noise(noise):
    a, b = render(noise, 64, 64, seed=1), render(noise, 64, 64, seed=2)
    assert np.abs(a - b).mean() > 0.02


# --- conformance and the engine -------------------------------------------------------------

NEW_NODES = ("noise.value", "noise.value_cubic", "noise.cellular", "noise.white")


@pytest.fixture(scope="module")
def engine():
    return texgen.Engine()


@pytest.mark.parametrize("node_id", NEW_NODES)
def test_check_node(engine, node_id):
    check_node(engine.registry.get(node_id))


@pytest.mark.parametrize("params", [dict(distance="manhattan", return_type="f2_minus_f1"),
                                    dict(distance="chebyshev", return_type="f2_plus_f1"),
                                    dict(fractal="pingpong", octaves=3, jitter=0.6)])
def test_check_node_cellular_variants(engine, params):
    check_node(engine.registry.get("noise.cellular"), params=params)


def test_check_node_cellular_cell_value(engine):
    # Flat cells: the seam ratio of a piecewise-constant texture is too noisy a statistic
    # (one extra cell border crossing the edge row moves it by 0.3); tiling of cell_value
    # is checked exactly in test_fractals.py (periodic in UV) instead.
    check_node(engine.registry.get("noise.cellular"), params=dict(return_type="cell_value"),
               tileable=False)


def test_engine_renders_every_new_noise(engine):
    preset = {
        "texgen": 1, "name": "noises", "size": [48, 32], "seed": 5,
        "nodes": {
            "v": {"type": "noise.value", "fractal": "billow", "weighted_strength": 0.5},
            "c": {"type": "noise.value_cubic", "fractal": "pingpong", "ping_pong_strength": 3.0},
            "w": {"type": "noise.cellular", "distance": "manhattan", "return_type": "f2",
                  "jitter": 0.8},
            "n": {"type": "noise.white"},
        },
        "outputs": {"v": "v", "c": "c", "w": "w", "n": "n"},
    }
    textures = engine.render(preset)
    for name, texture in textures.items():
        assert texture.shape == (32, 48, 1) and texture.dtype == np.float32, name
        assert 0.0 <= texture.min() and texture.max() <= 1.0 and texture.std() > 0.01, name
    ctx = NodeContext(node_id="w", width=48, height=32,
                      seed=engine.validate(preset).nodes["w"].seed)
    direct = nodes.cellular(ctx, **{**DEFAULTS, "fractal": "none", "distance": "manhattan",
                                    "return_type": "f2", "jitter": 0.8})
    np.testing.assert_array_equal(textures["w"], direct)
