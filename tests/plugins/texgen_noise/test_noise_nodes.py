"""noise.perlin and noise.simplex: exact values, tiling, ranges, determinism, scale.

Exact values are checked against the pure-Python reference below, written from the
documented formulas (docs/noise.md) without importing texgen_noise.kernels.
"""

import math

import numpy as np
import pytest
from noise_testing import MASK, ref_hash

from texgen.nodes import NodeContext
from texgen_noise import kernels, nodes

NOISES = ("perlin", "simplex")
FRACTALS = ("none", "fbm", "ridged")
DEFAULTS = dict(frequency=4.0, fractal="fbm", octaves=5, lacunarity=2.0, gain=0.5)


def render(noise, width, height, seed=1, tileable=True, **params):
    ctx = NodeContext(node_id="n", width=width, height=height, seed=seed, tileable=tileable)
    return getattr(nodes, noise)(ctx, **{**DEFAULTS, **params})


# --- independent pure-Python reference --------------------------------------------------

SQRT3_2 = math.sqrt(3.0) / 2.0


def ref_gradient(h):
    """Gradient k of 24 at 7.5 + 15 k degrees: quadrant from the top 2 bits of the hash,
    step within it from the low 30 bits scaled to 0..5."""
    k = 6 * (h >> 30) + (h % 2 ** 30) * 6 // 2 ** 30
    angle = math.radians(7.5 + 15.0 * k)
    return math.cos(angle), math.sin(angle)


def ref_fade(t):
    return 10 * t ** 3 - 15 * t ** 4 + 6 * t ** 5


def ref_perlin(x, y, period_x, period_y, seed):
    """Bilinear blend of the four corner ramps, weights written as products."""
    x0, y0 = math.floor(x), math.floor(y)
    total = 0.0
    for cx in (0, 1):
        for cy in (0, 1):
            gx, gy = ref_gradient(ref_hash(seed, (x0 + cx) % period_x if period_x else x0 + cx,
                                           (y0 + cy) % period_y if period_y else y0 + cy))
            dx, dy = x - x0 - cx, y - y0 - cy
            wx = ref_fade(x - x0) if cx else 1 - ref_fade(x - x0)
            wy = ref_fade(y - y0) if cy else 1 - ref_fade(y - y0)
            total += wx * wy * (gx * dx + gy * dy)
    return math.sqrt(2.0) * total


def ref_simplex(x, r, period_x, period_y, seed):
    """Sum over every lattice point near (x, r): no triangle bookkeeping.

    Point (i, j) sits at (i - j/2, j * sqrt(3)/2); moving it by period_y rows and
    period_y/2 columns (or by period_x columns) gives the same point.
    """
    y = r * SQRT3_2
    total = 0.0
    for j in range(math.floor(r) - 2, math.floor(r) + 3):
        for i in range(math.floor(x + j / 2) - 2, math.floor(x + j / 2) + 3):
            dx, dy = x - (i - j / 2), y - j * SQRT3_2
            a = 0.75 - dx * dx - dy * dy
            if a <= 0:
                continue
            iw, jw = i, j
            if period_y:
                jw = j % period_y
                iw = i - (j - jw) // 2
            if period_x:
                iw %= period_x
            gx, gy = ref_gradient(ref_hash(seed, iw, jw))
            total += a ** 4 * (gx * dx + gy * dy)
    return 99.83685446303647 / (1.5 ** 4 * math.sqrt(1.5)) * total


def ref_octaves(noise, frequency, octaves, lacunarity, width, height, tileable):
    """(scale_x, scale_y, period_x, period_y) per octave, from the documented tiling rule."""
    plan = []
    for k in range(octaves):
        f = frequency * lacunarity ** k
        fy = f * height / width
        if noise == "simplex":
            fy /= SQRT3_2  # rows per height
        if tileable:
            px = max(1, math.floor(f + 0.5))
            py = (max(2, 2 * math.floor(fy / 2 + 0.5)) if noise == "simplex"
                  else max(1, math.floor(fy + 0.5)))
            plan.append((px, py, px, py))
        else:
            plan.append((f, fy, 0, 0))
    return plan


def ref_render(noise, width, height, seed, tileable, frequency, fractal, octaves,
               lacunarity, gain):
    base = ref_simplex if noise == "simplex" else ref_perlin
    octaves = 1 if fractal == "none" else octaves
    plan = ref_octaves(noise, frequency, octaves, lacunarity, width, height, tileable)
    amplitudes = [gain ** k for k in range(octaves)]
    out = np.zeros((height, width))
    for row in range(height):
        for col in range(width):
            u, v = (col + 0.5) / width, (row + 0.5) / height
            values = [base(u * sx, v * sy, px, py, (seed + k) & MASK)
                      for k, (sx, sy, px, py) in enumerate(plan)]
            if fractal == "ridged":
                value = sum(a * (1 - abs(n)) for a, n in zip(amplitudes, values))
                value /= sum(amplitudes)
            else:
                value = 0.5 + 0.5 * sum(a * n for a, n in zip(amplitudes, values)) / sum(amplitudes)
            out[row, col] = min(max(value, 0.0), 1.0)
    return out


# --- exact values -------------------------------------------------------------------------

@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", FRACTALS)
@pytest.mark.parametrize("tileable", [True, False])
def test_matches_reference(noise, fractal, tileable):
    params = dict(frequency=3.3, fractal=fractal, octaves=3, lacunarity=2.1, gain=0.6)
    for seed in (12345, MASK):  # MASK: per-octave seeds wrap around 2**32
        got = render(noise, 9, 7, seed=seed, tileable=tileable, **params)[..., 0]
        want = ref_render(noise, 9, 7, seed, tileable, **params)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("size", [(5, 40), (40, 5), (3, 64)])
def test_matches_reference_on_elongated_canvases(noise, size):
    # One lattice column per width and many rows: simplex's row shifts span many x periods,
    # which its kernels take off before wrapping (simplex_row_parts, wrap_near).
    width, height = size
    params = dict(frequency=1.0, fractal="fbm", octaves=2, lacunarity=2.0, gain=0.5)
    got = render(noise, width, height, seed=77, **params)[..., 0]
    want = ref_render(noise, width, height, 77, True, **params)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_gradients_are_the_24_directions_equally_likely():
    gradient_dot = kernels.cpu_kernels().gradient_dot
    hashes = np.random.default_rng(3).integers(0, 2 ** 32, 48000)
    angles = []
    for h in hashes.tolist():
        g = (gradient_dot(h, 1.0, 0.0), gradient_dot(h, 0.0, 1.0))
        assert g == pytest.approx(ref_gradient(h), abs=1e-15)
        angles.append(math.degrees(math.atan2(g[1], g[0])) % 360.0)
    steps, counts = np.unique(np.round((np.array(angles) - 7.5) / 15.0), return_counts=True)
    assert steps.tolist() == list(range(24))
    assert counts.min() > 0.9 * 2000 and counts.max() < 1.1 * 2000


def test_reference_is_not_degenerate():
    # Guards the reference itself: the seed and wrapping change values; periods repeat them.
    assert ref_perlin(0.3, 0.4, 0, 0, 1) != ref_perlin(0.3, 0.4, 0, 0, 2)
    assert ref_simplex(2.3, 1.4, 0, 0, 1) != pytest.approx(ref_simplex(2.3, 1.4, 2, 2, 1))
    assert ref_simplex(0.3, 0.4, 4, 4, 9) == pytest.approx(ref_simplex(4.3, 4.4, 4, 4, 9))


# --- tiling rule ----------------------------------------------------------------------------

def test_octave_lattices_follow_the_tiling_rule():
    perlin = nodes.octave_lattices(0, frequency=4.0, octaves=3, lacunarity=2.0,
                                   width=96, height=64, tileable=True)
    assert perlin.periods[:, 0].tolist() == [4, 8, 16]
    assert perlin.periods[:, 1].tolist() == [3, 5, 11]  # 2.67, 5.33, 10.67 rounded
    assert perlin.periods[:, 2].tolist() == [0, 0, 0] == perlin.lattice[:, 2].tolist()
    simplex = nodes.octave_lattices(1, frequency=4.0, octaves=3, lacunarity=2.0,
                                    width=96, height=64, tileable=True)
    assert simplex.periods[:, 0].tolist() == [4, 8, 16]
    assert simplex.periods[:, 1].tolist() == [4, 6, 12]  # 3.08, 6.16, 12.3 rows -> even
    assert nodes.octave_lattices(0, frequency=2.5, octaves=1, lacunarity=2.0, width=8,
                                 height=8, tileable=True).periods[:, 0].tolist() == [3]  # half up
    tiny = nodes.octave_lattices(1, frequency=0.2, octaves=1, lacunarity=2.0, width=8,
                                 height=8, tileable=True)
    assert tiny.periods[0, :2].tolist() == [1, 2]
    free = nodes.octave_lattices(0, frequency=4.0, octaves=2, lacunarity=1.5, width=96,
                                 height=64, tileable=False)
    assert free.periods.tolist() == [[0, 0, 0], [0, 0, 0]]
    np.testing.assert_allclose(free.lattice[:, 1], [4.0 * 64 / 96, 6.0 * 64 / 96])


def test_octave_lattices_of_the_looping_axis():
    # 3-D: square cells for every noise (simplex too), z periods round(depth * lacunarity**k)
    # even when not tileable, and the slice at phase * period.
    for noise, tileable in ((0, True), (1, True), (1, False)):
        loop = nodes.octave_lattices(noise, frequency=4.0, octaves=3, lacunarity=1.5,
                                     width=96, height=64, tileable=tileable, dims=3,
                                     phase=0.25, loop_depth=3)
        assert loop.periods[:, 2].tolist() == [3, 5, 7]  # 3, 4.5, 6.75 rounded half up
        np.testing.assert_allclose(loop.lattice[:, 2], [0.75, 1.25, 1.75])
        want_y = [3, 4, 6] if tileable else [4.0 * 64 / 96, 6.0 * 64 / 96, 9.0 * 64 / 96]
        np.testing.assert_allclose(loop.lattice[:, 1], want_y)


# --- seams (the seam statistics for every noise are in test_fractals.py) -------------------

# --- values -----------------------------------------------------------------------------------

@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("fractal", FRACTALS)
def test_range_is_unit_interval_without_clipping(noise, fractal):
    for octaves in range(1, 11):
        out = render(noise, 128, 128, seed=octaves, fractal=fractal, octaves=octaves)
        assert out.min() >= 0.0 and out.max() <= 1.0
        # The normalisation, not the final clip, keeps values in range, and uses it.
        assert not np.any(out == 0.0) and not np.any(out == 1.0)
        assert out.std() > 0.05


@pytest.mark.parametrize("noise", NOISES)
def test_ridged_peaks_at_one_and_fbm_centres_on_half(noise):
    ridged = render(noise, 128, 128, fractal="ridged", octaves=1)
    assert ridged.max() > 0.97
    fbm = render(noise, 128, 128, fractal="fbm")
    assert abs(float(fbm.mean()) - 0.5) < 0.02


@pytest.mark.parametrize("noise", NOISES)
def test_output_shape_dtype_and_layout(noise):
    out = render(noise, 40, 24)
    assert out.shape == (24, 40, 1)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous


@pytest.mark.parametrize("noise", NOISES)
def test_seeds_give_different_noise(noise):
    a, b = render(noise, 64, 64, seed=1), render(noise, 64, 64, seed=2)
    assert np.abs(a - b).mean() > 0.05


@pytest.mark.parametrize("noise", NOISES)
def test_octave_parameters_change_the_output(noise):
    base = render(noise, 64, 64)
    for change in (dict(octaves=2), dict(lacunarity=3.0), dict(gain=0.8),
                   dict(frequency=5.0), dict(fractal="ridged")):
        assert np.abs(render(noise, 64, 64, **change) - base).mean() > 1e-3, change


# --- scale ------------------------------------------------------------------------------------

#: Every lattice noise, for the checks that hold for all of them alike.
ALL_LATTICE_NOISES = (*NOISES, "value", "value_cubic", "cellular")


@pytest.mark.parametrize("noise", ALL_LATTICE_NOISES)
@pytest.mark.parametrize("tileable", [True, False])
def test_resolution_independent(noise, tileable):
    small = render(noise, 64, 64, tileable=tileable, fractal="none")[..., 0]
    large = render(noise, 128, 128, tileable=tileable, fractal="none")[..., 0]
    downsampled = large.reshape(64, 2, 64, 2).mean(axis=(1, 3))
    assert np.corrcoef(small.ravel(), downsampled.ravel())[0, 1] > 0.9


@pytest.mark.parametrize("noise", ALL_LATTICE_NOISES)
@pytest.mark.parametrize("size", [(128, 64), (64, 128)])
def test_features_stay_round_on_non_square_canvases(noise, size):
    # Without per-axis scaling the mean slope along the long axis would be half (or
    # twice) that along the short one.
    ratios = []
    for seed in range(6):
        image = render(noise, *size, seed=seed, tileable=False, frequency=8.0, octaves=3)
        image = image[..., 0].astype(np.float64)
        ratios.append(np.abs(np.diff(image, axis=1)).mean() / np.abs(np.diff(image, axis=0)).mean())
    assert 0.8 < np.mean(ratios) < 1.25


def test_unknown_fractal_is_an_error():
    with pytest.raises(ValueError, match="fractal"):
        render("perlin", 8, 8, fractal="voronoi")
