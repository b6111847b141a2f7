"""Fractal types (none, fbm, ridged, billow, pingpong) and weighted strength, for every base
noise: the documented combination, ranges, seams and periodicity.
"""

import math

import numpy as np
import pytest

from texgen.nodes import NodeContext
from texgen.testing import edge_and_middle, seam_ratio
from texgen_noise import kernels, nodes

MASK = 0xFFFFFFFF
NOISES = ("perlin", "simplex", "value", "value_cubic", "cellular")
FRACTALS = ("none", "fbm", "ridged", "billow", "pingpong")
CODES = {"perlin": kernels.NOISE_PERLIN, "simplex": kernels.NOISE_SIMPLEX,
         "value": kernels.NOISE_VALUE, "value_cubic": kernels.NOISE_VALUE_CUBIC,
         "cellular": kernels.NOISE_CELLULAR}
FRACTAL_CODES = {"fbm": kernels.FRACTAL_FBM, "ridged": kernels.FRACTAL_RIDGED,
                 "billow": kernels.FRACTAL_BILLOW, "pingpong": kernels.FRACTAL_PINGPONG}
DEFAULTS = dict(frequency=4.0, fractal="fbm", octaves=5, lacunarity=2.0, gain=0.5)


def render(noise, width, height, seed=1, tileable=True, **params):
    ctx = NodeContext(node_id="n", width=width, height=height, seed=seed, tileable=tileable)
    return getattr(nodes, noise)(ctx, **{**DEFAULTS, **params})


# --- the documented combination ---------------------------------------------------------

def ref_ping_pong(t):
    t = t % 2.0
    return t if t < 1 else 2 - t


def ref_octave(fractal, n, strength):
    return {"none": 0.5 + 0.5 * n, "fbm": 0.5 + 0.5 * n, "ridged": 1 - abs(n),
            "billow": abs(n), "pingpong": ref_ping_pong((n + 1) * strength)}[fractal]


def ref_combine(fractal, values, gain, weighted_strength, ping_pong_strength):
    """docs/noise.md: sum(a_k o_k) + 0.5 * (1 - sum(a_k)), a_0 = w_0,
    a_k = w_k * prod_{j<k} lerp(1, o_j, weighted_strength)."""
    octaves = len(values)
    weights = [gain ** k / sum(gain ** j for j in range(octaves)) for k in range(octaves)]
    total, amplitudes, factor = 0.0, 0.0, 1.0
    for w, n in zip(weights, values):
        o = ref_octave(fractal, n, ping_pong_strength)
        total += w * factor * o
        amplitudes += w * factor
        factor *= 1 + weighted_strength * (o - 1)
    return min(max(total + 0.5 * (1 - amplitudes), 0.0), 1.0)


def base_values(noise, u, v, lattices, seed, cellular):
    """Each octave's base noise from the (separately reference-checked) scalar kernels."""
    compiled = kernels.cpu_kernels()
    out = []
    lattice, periods = lattices
    for k in range(len(lattice)):
        args = (u * lattice[k, 0], v * lattice[k, 1], periods[k, 0], periods[k, 1],
                (seed + k) & MASK)
        if noise == "cellular":
            out.append(compiled.cellular2(*args, *cellular))
        else:
            name = {"value_cubic": "value_cubic2"}.get(noise, noise + "2")
            out.append(getattr(compiled, name)(*args))
    return out


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", FRACTALS)
@pytest.mark.parametrize("weighted_strength, ping_pong_strength", [(0.0, 2.0), (0.7, 3.5)])
def test_octaves_combine_as_documented(noise, fractal, weighted_strength, ping_pong_strength):
    width, height, seed = 11, 7, MASK - 1
    params = dict(frequency=3.0, fractal=fractal, octaves=4, lacunarity=2.0, gain=0.6,
                  weighted_strength=weighted_strength, ping_pong_strength=ping_pong_strength)
    cellular = (kernels.DISTANCE_MANHATTAN, kernels.RETURN_F2, 0.8)
    extra = dict(distance="manhattan", return_type="f2", jitter=0.8) if noise == "cellular" else {}
    got = render(noise, width, height, seed=seed, **params, **extra)[..., 0]
    octaves = 1 if fractal == "none" else 4
    lattices = nodes.octave_lattices(CODES[noise], frequency=3.0, octaves=octaves,
                                     lacunarity=2.0, width=width, height=height, tileable=True)
    want = np.array([[ref_combine(fractal, base_values(noise, (c + 0.5) / width,
                                                       (r + 0.5) / height, lattices, seed,
                                                       cellular),
                                  0.6, weighted_strength, ping_pong_strength)
                      for c in range(width)] for r in range(height)])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", FRACTALS)
def test_grid_loop_equals_general_loop(noise, fractal):
    # 2-D unwarped noise runs in fill_grid_cpu; a zero-amplitude warp sends the same noise
    # through fill_noise_cpu. Both must give the same bits.
    params = dict(frequency=3.3, fractal=fractal, octaves=4, lacunarity=2.1, gain=0.6,
                  weighted_strength=0.4, ping_pong_strength=3.0)
    for tileable in (True, False):
        grid = render(noise, 37, 23, tileable=tileable, **params)
        general = render(noise, 37, 23, tileable=tileable, warp="independent",
                         warp_amplitude=0.0, **params)
        assert grid.tobytes() == general.tobytes()


@pytest.mark.parametrize("noise", ("perlin", "value", "simplex"))
def test_grid_loop_tables_give_the_general_loops_bits(noise):
    # fill_grid_cpu looks Perlin's gradients and value noise's values up in per-row tables
    # of lattice columns; the general loop hashes every corner of every pixel. Cells from
    # wider than the image (frequency 0.4) to narrower than a pixel (400 cycles), odd and
    # non-square sizes, both tilings, several seeds and octave counts: the same bits.
    for (width, height), frequency, octaves, seed, tileable in (
            ((37, 23), 0.4, 1, 0, True), ((64, 64), 8.0, 1, 7, True),
            ((129, 67), 3.3, 8, 123456789, False), ((7, 90), 50.0, 3, 5, True),
            ((45, 31), 400.0, 2, 9, False), ((96, 40), 8.0, 8, 2, True)):
        params = dict(frequency=frequency, octaves=octaves, lacunarity=2.3, seed=seed,
                      tileable=tileable)
        grid = render(noise, width, height, **params)
        general = render(noise, width, height, warp="independent", warp_amplitude=0.0,
                         **params)
        assert grid.tobytes() == general.tobytes(), (width, height, frequency, octaves)


def test_gradient_vector_dotted_is_gradient_dot_bit_for_bit():
    loops = kernels.cpu_kernels()
    rng = np.random.default_rng(3)
    offsets = [(0.0, -0.0), (-0.0, 1.0), *rng.uniform(-1.5, 1.5, (8, 2))]
    for k in range(24):  # one hash per gradient: quadrant k // 6, step k % 6
        h = ((k // 6) << 30) | (((2 * (k % 6) + 1) << 30) // 12)
        for target in (kernels, loops):
            gx, gy = target.gradient_vector(h)
            assert math.hypot(gx, gy) == pytest.approx(1.0)
            assert math.degrees(math.atan2(gy, gx)) % 360 == pytest.approx(7.5 + 15 * k)
            for dx, dy in offsets:
                want = target.gradient_dot(h, dx, dy)
                assert np.float64(gx * dx + gy * dy).tobytes() == np.float64(want).tobytes()


def test_reference_combination_by_hand():
    # Two octaves, gain 1 (weights 1/2), noise values 0.5 and -1.
    assert ref_combine("fbm", [0.5, -1.0], 1.0, 0.0, 2.0) == pytest.approx(0.375)
    assert ref_combine("ridged", [0.5, -1.0], 1.0, 0.0, 2.0) == pytest.approx(0.25)
    assert ref_combine("billow", [0.5, -1.0], 1.0, 0.0, 2.0) == pytest.approx(0.75)
    # pingpong: (1.5 * 2) = 3 -> 1; (0 * 2) = 0 -> 0.
    assert ref_combine("pingpong", [0.5, -1.0], 1.0, 0.0, 2.0) == pytest.approx(0.5)
    # Weighted, strength 1: the second amplitude is scaled by o_0 = 0.75 (fbm), and the
    # lost 0.5 * 0.25 counts as mid-gray: 0.5 * 0.75 + 0.375 * 0 + 0.5 * 0.125.
    assert ref_combine("fbm", [0.5, -1.0], 1.0, 1.0, 2.0) == pytest.approx(0.4375)


def test_weighted_strength_zero_is_the_plain_sum_bit_for_bit():
    for noise in NOISES:
        plain = render(noise, 48, 32, fractal="ridged")
        assert plain.tobytes() == render(noise, 48, 32, fractal="ridged",
                                         weighted_strength=0.0).tobytes()
        weighted = render(noise, 48, 32, fractal="ridged", weighted_strength=1.0)
        assert np.abs(weighted - plain).mean() > 1e-3, noise


def test_ping_pong_strength_changes_only_pingpong():
    a = render("value", 48, 32, fractal="pingpong", ping_pong_strength=2.0)
    b = render("value", 48, 32, fractal="pingpong", ping_pong_strength=5.0)
    assert np.abs(a - b).mean() > 0.05
    fbm = render("value", 48, 32, ping_pong_strength=2.0)
    assert fbm.tobytes() == render("value", 48, 32, ping_pong_strength=5.0).tobytes()


def test_fractal_types_differ():
    outputs = {f: render("perlin", 64, 64, fractal=f) for f in FRACTALS}
    for a in FRACTALS:
        for b in FRACTALS:
            if a < b:
                assert np.abs(outputs[a] - outputs[b]).mean() > 0.02, (a, b)


# --- ranges ---------------------------------------------------------------------------------

@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", FRACTALS)
def test_range_is_unit_interval(noise, fractal):
    for octaves in range(1, 11):
        for weighted_strength in (0.0, 1.0):
            out = render(noise, 96, 96, seed=octaves, fractal=fractal, octaves=octaves,
                         weighted_strength=weighted_strength)
            assert out.min() >= 0.0 and out.max() <= 1.0
            # The normalisation keeps values in range; the clip would pile them up at 0 / 1.
            assert np.mean((out == 0.0) | (out == 1.0)) < 1e-3, (octaves, weighted_strength)
            assert out.std() > 0.01, (octaves, weighted_strength)


def test_ridged_and_billow_are_mirror_images_without_weighting():
    ridged = render("value", 64, 64, fractal="ridged")
    billow = render("value", 64, 64, fractal="billow")
    np.testing.assert_allclose(ridged + billow, 1.0, atol=1e-6)


# --- seams and periodicity -----------------------------------------------------------------

@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", FRACTALS)
@pytest.mark.parametrize("size", [(64, 64), (96, 64)])
def test_tileable_has_no_seam(noise, fractal, size):
    # Frequency 6: every octave's period is even, so the middle line sits at the same
    # lattice phase as the wrap-around edge; averaged over seeds the two must agree.
    images = [render(noise, *size, seed=s, frequency=6.0, fractal=fractal, octaves=3)
              for s in range(6)]
    for axis in (0, 1):
        edge, middle = np.mean([edge_and_middle(im, axis) for im in images], axis=0)
        assert edge <= 1.5 * middle, (axis, edge, middle)
    assert np.median([seam_ratio(im) for im in images]) < 1.5


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", ["none", "fbm"])
def test_non_tileable_does_not_tile(noise, fractal):
    images = [render(noise, 96, 64, seed=s, tileable=False, frequency=6.0, fractal=fractal)
              for s in range(6)]
    for axis in (0, 1):
        edge, middle = np.mean([edge_and_middle(im, axis) for im in images], axis=0)
        assert edge > 1.5 * middle, (axis, edge, middle)


CELLULAR_VARIANTS = [(d, r) for d in nodes.DISTANCES for r in nodes.RETURN_TYPES]


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", list(FRACTAL_CODES))
@pytest.mark.parametrize("size", [(64, 64), (96, 64)])
@pytest.mark.parametrize("loop_depth", [0, 2])
def test_kernel_is_periodic_in_uv(noise, fractal, size, loop_depth):
    # Shifting UV by whole tiles (negative ones too) gives the same value, only when
    # tileable; with a looping third axis too, and whole loops of phase never change it.
    noise_at = kernels.cpu_kernels().noise_at
    points = np.random.default_rng(0).random((24, 2))
    variants = CELLULAR_VARIANTS if noise == "cellular" else [("euclidean", "f1")]
    for tileable in (True, False):
        ctx = NodeContext("n", *size, seed=11, tileable=tileable)
        for distance, return_type in variants:
            settings = {phase: nodes.noise_settings(
                CODES[noise], ctx, frequency=3.3, fractal=fractal, octaves=4, lacunarity=2.1,
                gain=1.0, weighted_strength=0.5, ping_pong_strength=2.5, phase=phase,
                loop_depth=loop_depth, distance=distance, return_type=return_type,
                jitter=0.9) for phase in (0.3, 1.3, -0.7)}

            def at(u, v, phase=0.3, settings=settings):
                return noise_at(u, v, *settings[phase])

            shifted = np.array([[at(u + du, v + dv) for du, dv in ((1, 0), (0, 1), (-1, 2))]
                                for u, v in points])
            here = np.array([at(u, v) for u, v in points])[:, None]
            if tileable:
                np.testing.assert_allclose(shifted, np.broadcast_to(here, shifted.shape),
                                           atol=1e-9)
            else:
                assert np.mean(np.abs(shifted - here) > 1e-4) > 0.8
            if loop_depth:
                looped = np.array([[at(u, v, phase) for phase in (1.3, -0.7)]
                                   for u, v in points])
                np.testing.assert_allclose(looped, np.broadcast_to(here, looped.shape),
                                           atol=1e-9)


def test_unknown_fractal_is_an_error():
    with pytest.raises(ValueError, match="fractal"):
        render("value", 8, 8, fractal="turbulence")


def test_plain_python_math_matches_compiled():
    compiled = kernels.cpu_kernels()
    for x, y, px, py, seed in [(0.3, 0.7, 0, 0, 1), (3.9, 2.2, 4, 4, 7), (-1.25, 5.5, 0, 0, 99),
                               (-7.6, 3.1, 5, 6, MASK)]:
        for name in ("value2", "value_cubic2", "white2"):
            assert getattr(kernels, name)(x, y, px, py, seed) == \
                getattr(compiled, name)(x, y, px, py, seed), name
        for distance, return_type in CELLULAR_VARIANTS:
            args = (x, y, px, py, seed, distance, return_type, 0.7)
            assert kernels.cellular2(*args) == compiled.cellular2(*args)
    for t in (0.0, 0.5, 1.0, 2.5, 3.0, 7.9):
        assert kernels.ping_pong(t) == compiled.ping_pong(t) == ref_ping_pong(t)
    assert math.isclose(kernels.cubic_lerp(-1, 0.2, 0.8, 1, 0.0), 0.2)
