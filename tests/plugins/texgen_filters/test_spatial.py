"""The nodes of specs_spatial: conformance at odd sizes and value ranges for all of them;
hand-checked values for the blurs, emboss, edges, distance field, flood fill, ambient
occlusion and curvature. directional_warp and transform are checked in test_warp.py, the
other material nodes in test_material.py."""

import math

import numpy as np
import pytest
from filters_testing import context, texture

from texgen.nodes import NodeContext
from texgen.testing import check_node, make_inputs
from texgen_filters import specs_spatial
from texgen_filters.material import ambient_occlusion, curvature
from texgen_filters.spatial import (
    blur,
    directional_blur,
    distance,
    edge_detect,
    emboss,
    flood_fill,
    gaussian_blur,
    gaussian_blurs,
    sharpen,
    slope_blur,
)

SPECS = {spec.id: spec for spec in specs_spatial.NODES}
#: Non-default parameters, so that conformance exercises more than the defaults.
CONFORMANCE_PARAMS = {
    "blur": {"radius": 0.03},
    "directional_blur": {"angle": 30.0, "length": 0.03},
    "slope_blur": {"samples": 6, "intensity": -0.03},
    "directional_warp": {"angle": 60.0},
    "transform": {"offset_x": 0.3, "offset_y": -0.2, "tile": 2},
    "channel_pack": {"preset": "unity_mask"},
}
#: Nodes that read a file (tested with files in test_material.py and test_remap.py).
READ_FILES = {"image_input", "remap_image"}
#: Nodes whose outputs stay in [0, 1] when their inputs do (sharpen overshoots by design).
BOUNDED = sorted(set(SPECS) - READ_FILES - {"sharpen"})


def periodic(rows, columns, channels=1, cycles=((1, 2), (3, 1), (2, 3))):
    """A smooth tileable texture in [0.1, 0.9], two sines per channel, at pixel centres."""
    v, u = np.meshgrid((np.arange(rows) + 0.5) / rows, (np.arange(columns) + 0.5) / columns,
                       indexing="ij")
    layers = [0.5 + 0.2 * np.sin(2 * np.pi * (a * u + b * v + c / 3))
              + 0.2 * np.cos(2 * np.pi * (b * u - a * v))
              for c, (a, b) in zip(range(channels), cycles)]
    return texture(np.stack(layers, -1))


def pooled(texture):
    """A (2H, 2W, C) texture averaged over 2x2 blocks: the pixels of the (H, W) one."""
    rows, columns, channels = texture.shape
    return texture.reshape(rows // 2, 2, columns // 2, 2, channels).mean(axis=(1, 3))


def test_every_parameter_states_its_default_and_range():
    for spec in specs_spatial.NODES:
        for item in (*spec.inputs, *spec.outputs, *spec.params):
            assert len(item.doc) > 20, f"{spec.id}.{item.name} needs a doc"
        for param in spec.params:
            assert "Default" not in param.doc, f"{spec.id}.{param.name}: Param renders it"
            if param.type in ("int", "float"):
                assert param.min is not None and param.max is not None, (spec.id, param.name)


@pytest.mark.parametrize("node_id", sorted(set(SPECS) - READ_FILES))
def test_conformance(node_id):
    """Shapes, dtype and layout at 64x64 and 257x130, determinism and seams."""
    check_node(SPECS[node_id], params=CONFORMANCE_PARAMS.get(node_id))


@pytest.mark.parametrize("node_id", BOUNDED)
@pytest.mark.parametrize("tileable", [True, False])
def test_outputs_stay_in_zero_one(node_id, tileable):
    spec = SPECS[node_id]
    values = {p.name: p.default for p in spec.params} | CONFORMANCE_PARAMS.get(node_id, {})
    for rows, columns in ((64, 64), (130, 257)):
        ctx = NodeContext("n", columns, rows, seed=5, tileable=tileable)
        result = spec.load()(ctx, **make_inputs(spec, rows, columns), **values)
        for name, out in (result if isinstance(result, dict) else {"out": result}).items():
            assert out.min() >= -1e-6 and out.max() <= 1 + 1e-6, f"{node_id}.{name}"


# --- blur ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("tileable", [True, False])
def test_blur_keeps_a_constant_and_the_mean(tileable):
    constant = texture(np.full((30, 41, 3), 0.37))
    out = blur(context(30, 41, tileable=tileable), input=constant, radius=0.2)
    np.testing.assert_allclose(out, 0.37, atol=1e-6)
    noise = texture(np.random.default_rng(1).random((30, 41, 4)))
    out = blur(context(30, 41, tileable=tileable), input=noise, radius=0.05)
    np.testing.assert_allclose(out.mean(axis=(0, 1)), noise.mean(axis=(0, 1)), atol=1e-5)
    assert out.std() < 0.5 * noise.std()


@pytest.mark.parametrize("tileable", [True, False])
def test_blur_of_an_impulse_is_a_normalised_gaussian(tileable):
    rows, columns, sigma = 41, 64, 3.2  # radius = sigma / width
    impulse = np.zeros((rows, columns))
    impulse[20, 30] = 1.0
    out = blur(context(rows, columns, tileable=tileable), input=texture(impulse),
               radius=sigma / columns)[..., 0]
    offsets_y, offsets_x = np.arange(rows) - 20, np.arange(columns) - 30
    gy, gx = np.exp(-offsets_y ** 2 / (2 * sigma ** 2)), np.exp(-offsets_x ** 2 / (2 * sigma ** 2))
    np.testing.assert_allclose(out, np.outer(gy / gy.sum(), gx / gx.sum()), atol=5e-6)


def test_blur_wraps_when_tileable_and_mirrors_otherwise():
    impulse = np.zeros((32, 32))
    impulse[0, 0] = 1.0
    wrapped = blur(context(32, 32), input=texture(impulse), radius=2 / 32)[..., 0]
    mirrored = blur(context(32, 32, tileable=False), input=texture(impulse),
                    radius=2 / 32)[..., 0]
    assert wrapped[-1, -1] == pytest.approx(wrapped[1, 1], rel=1e-4)  # across the corner
    np.testing.assert_allclose(wrapped, np.roll(wrapped[::-1, ::-1], 1, axis=(0, 1)), atol=1e-7)
    assert mirrored[-1, -1] < 1e-7 and mirrored[0, 0] > wrapped[0, 0]  # mass stays inside
    assert mirrored.sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("radius", [0.05, 0.3, 2.0])  # reach under, over half, over twice
def test_blur_without_tiling_mirrors_at_any_radius(radius):
    rows, columns = 24, 30
    noise = np.random.default_rng(3).random((rows, columns, 1))
    out = blur(context(rows, columns, tileable=False), input=texture(noise), radius=radius)
    # Reference: mirror far past the kernel's reach, blur that with wrapping, crop.
    pad = math.ceil(4 * radius * columns) + 1
    mirrored = np.pad(noise, ((pad, pad), (pad, pad), (0, 0)), mode="symmetric")
    big = blur(NodeContext("n", columns + 2 * pad, rows + 2 * pad, seed=1),
               input=texture(mirrored), radius=radius * columns / (columns + 2 * pad))
    np.testing.assert_allclose(out, big[pad:pad + rows, pad:pad + columns], atol=1e-5)


def test_blur_is_resolution_independent():
    low, high = (blur(context(n, n), input=periodic(n, n, cycles=((7, 3),)), radius=0.01)
                 for n in (256, 512))
    np.testing.assert_allclose(low, pooled(high), atol=2e-3)
    assert low.std() == pytest.approx(high.std(), rel=0.01)


def test_sharpen_is_an_unsharp_mask():
    step = np.tile((np.arange(40) >= 20).astype(float), (8, 1))
    ctx = context(8, 40, tileable=False)
    out = sharpen(ctx, input=texture(step), radius=1.5 / 40, amount=2.0)
    blurred = blur(ctx, input=texture(step), radius=1.5 / 40)
    np.testing.assert_allclose(out, step[..., None] + 2 * (step[..., None] - blurred), atol=1e-6)
    assert out.max() > 1.1 and out.min() < -0.1  # overshoots on both sides of the step
    rgba = np.concatenate([np.asarray(periodic(8, 40, 3)), np.full((8, 40, 1), 0.3)], axis=2)
    np.testing.assert_array_equal(sharpen(ctx, input=texture(rgba), radius=0.05,
                                          amount=1.0)[..., 3], np.float32(0.3))


# --- directional and slope blur -------------------------------------------------------------------

@pytest.mark.parametrize("angle, axis", [(0.0, 1), (90.0, 0), (180.0, 1)])
def test_directional_blur_stays_on_its_line(angle, axis):
    impulse = np.zeros((41, 41))
    impulse[20, 20] = 1.0
    out = directional_blur(context(41, 41), input=texture(impulse), angle=angle,
                           length=3 / 41)[..., 0]
    line = out[20] if axis == 1 else out[:, 20]
    assert out.sum() == pytest.approx(1.0, abs=1e-5)
    assert line.sum() == pytest.approx(1.0, abs=1e-5)  # nothing off the line
    offsets = np.arange(41) - 20
    # Variance of the half-pixel samples splatted bilinearly: 3^2 + 1/8 (the splat's).
    assert (line * offsets ** 2).sum() == pytest.approx(9.125, rel=0.01)


def test_directional_blur_at_45_degrees_is_symmetric_and_non_negative():
    impulse = np.zeros((41, 41))
    impulse[20, 20] = 1.0
    out = directional_blur(context(41, 41), input=texture(impulse), angle=45.0,
                           length=4 / 41)[..., 0]
    np.testing.assert_allclose(out, out[::-1, ::-1].T, atol=1e-7)  # about the 45° line
    assert out.min() > -1e-7
    assert out[16, 24] > 10 * out[24, 24]  # up and to the right, not down


def test_slope_blur_moves_along_the_slope_only():
    rows, columns = 24, 40
    across = texture(np.tile(np.linspace(0, 1, rows)[:, None], (1, columns)))  # varies in v
    ramp = texture(np.tile(np.arange(columns) / columns, (rows, 1)))  # slope along u
    ctx = context(rows, columns)
    out = slope_blur(ctx, input=across, slope=ramp, intensity=0.2, samples=8, mode="blur")
    np.testing.assert_allclose(out, across, atol=1e-6)  # moving along u changes nothing
    flat = texture(np.full((rows, columns), 0.5))
    noise = texture(np.random.default_rng(2).random((rows, columns, 3)))
    np.testing.assert_allclose(slope_blur(ctx, input=noise, slope=flat, intensity=0.2,
                                          samples=4, mode="blur"), noise, atol=1e-6)


def test_slope_blur_averages_uphill_and_modes_bound_the_mean():
    rows, columns = 8, 64
    stripes = texture(np.tile((np.arange(columns) % 8 < 4).astype(float), (rows, 1)))
    ramp = texture(np.tile(np.arange(columns) / columns, (rows, 1)))
    ctx = context(rows, columns, tileable=False)
    mean = slope_blur(ctx, input=stripes, slope=ramp, intensity=7 / columns, samples=7,
                      mode="blur")
    # Path from column c: c, c + 1, ..., c + 7 (clamped at the right edge).
    expected = np.mean([stripes[:, np.minimum(np.arange(columns) + i, columns - 1)]
                        for i in range(8)], axis=0)
    np.testing.assert_allclose(mean, expected, atol=1e-5)
    low = slope_blur(ctx, input=stripes, slope=ramp, intensity=7 / columns, samples=7,
                     mode="min")
    high = slope_blur(ctx, input=stripes, slope=ramp, intensity=7 / columns, samples=7,
                      mode="max")
    assert (low <= mean + 1e-6).all() and (mean <= high + 1e-6).all()
    assert low[:, :56].max() < 1e-4 and high[:, :56].min() > 1 - 1e-4


# --- emboss and edges -----------------------------------------------------------------------------

def test_emboss_shades_slopes_towards_the_light():
    columns = 32
    ramp = texture(np.tile(np.arange(columns) / columns, (4, 1)))  # dh/du = 1
    flat = emboss(context(4, columns), input=texture(np.full((4, columns), 0.7)), angle=0.0,
                  strength=50.0)
    np.testing.assert_array_equal(flat, 0.5)
    # k du = 0.5: the normal is (-0.5, 0, 1) / sqrt(1.25); lit from +u it faces away.
    from_right = emboss(context(4, columns, tileable=False), input=ramp, angle=0.0,
                        strength=50.0)
    from_left = emboss(context(4, columns, tileable=False), input=ramp, angle=180.0,
                       strength=50.0)
    np.testing.assert_allclose(from_right, 0.5 - 0.25 / math.sqrt(1.25), atol=1e-6)
    np.testing.assert_allclose(from_left, 0.5 + 0.25 / math.sqrt(1.25), atol=1e-6)
    from_above = emboss(context(4, columns, tileable=False), input=ramp, angle=90.0,
                        strength=50.0)
    np.testing.assert_allclose(from_above, 0.5, atol=1e-6)


@pytest.mark.parametrize("width", [0.0, 0.04])
def test_edge_detect_gives_one_on_a_unit_step(width):
    columns = 128
    halves = np.tile((np.arange(columns) >= 64).astype(float), (16, 1))
    out = edge_detect(context(16, columns, tileable=False), input=texture(halves),
                      width=width)[..., 0]
    assert out[:, 62:66].max() == pytest.approx(1.0, abs=0.05)
    assert out[:, :32].max() < 1e-4 and out[:, 100:].max() < 1e-4
    constant = texture(np.full((16, columns, 3), 0.4))
    np.testing.assert_allclose(edge_detect(context(16, columns), input=constant, width=width),
                               0.0, atol=1e-5)


# --- distance and flood fill ----------------------------------------------------------------------

@pytest.mark.parametrize("tileable", [True, False])
def test_distance_from_one_pixel_is_euclidean(tileable):
    rows, columns, (r0, c0) = 37, 53, (5, 48)
    mask = np.zeros((rows, columns))
    mask[r0, c0] = 1.0
    out = distance(context(rows, columns, tileable=tileable), mask=texture(mask),
                   max_distance=1.0, threshold=0.5)[..., 0]
    dy = np.abs(np.arange(rows) - r0)[:, None]
    dx = np.abs(np.arange(columns) - c0)[None, :]
    if tileable:
        dy, dx = np.minimum(dy, rows - dy), np.minimum(dx, columns - dx)
    np.testing.assert_allclose(out, np.minimum(np.hypot(dy, dx) / columns, 1.0), atol=1e-6)


def test_distance_is_normalised_clamped_and_empty_is_far():
    mask = np.zeros((20, 40))
    mask[:, 0] = 0.8  # a column of features at u = 0
    out = distance(context(20, 40, tileable=False), mask=texture(mask), max_distance=0.25,
                   threshold=0.5)[0, :, 0]
    np.testing.assert_allclose(out, np.minimum(np.arange(40) / 10, 1.0), atol=1e-6)
    assert (distance(context(20, 40), mask=texture(mask), max_distance=0.25,
                     threshold=0.9) == 1).all()


def test_distance_is_resolution_independent():
    def field(n):
        mask = texture(np.asarray(periodic(n, n))[..., 0] > 0.75)
        return distance(context(n, n), mask=mask, max_distance=0.2, threshold=0.5)
    low, high = field(256), field(512)
    assert 0.1 < low.mean() < 0.9
    assert low.mean() == pytest.approx(high.mean(), abs=0.01)
    assert low.std() == pytest.approx(high.std(), abs=0.01)
    np.testing.assert_allclose(low, pooled(high), atol=0.02)


ISLANDS = [[1, 0, 0, 0, 1],
           [1, 0, 1, 0, 0],
           [0, 0, 1, 0, 0],
           [0, 0, 0, 0, 1]]


@pytest.mark.parametrize("tileable, count", [(True, 2), (False, 4)])
def test_flood_fill_gives_one_value_per_island(tileable, count):
    # Islands: the left column's pair, which wraps onto (0, 4) and (3, 4) when tiling
    # (their rows 3 and 0 are neighbours too), and the middle pair.
    result = flood_fill(NodeContext("n", 5, 4, seed=9, tileable=tileable),
                        mask=texture(ISLANDS), threshold=0.5)
    values, colors = result["out"][..., 0], result["color"]
    inside = np.array(ISLANDS, bool)
    assert (values[~inside] == 0).all() and (colors[~inside] == 0).all()
    assert len(np.unique(values[inside])) == count
    assert len(np.unique(colors[inside], axis=0)) == count
    assert values[1, 2] == values[2, 2] and (colors[1, 2] == colors[2, 2]).all()
    wraps = values[0, 0] == values[0, 4] == values[3, 4] == values[1, 0]
    assert wraps == tileable
    assert ((0 < values[inside]) & (values[inside] < 1)).all()


def test_flood_fill_is_seeded():
    mask = texture(np.asarray(periodic(40, 40))[..., 0] > 0.6)
    first, again, other = (flood_fill(NodeContext("n", 40, 40, seed=s), mask=mask,
                                      threshold=0.5) for s in (1, 1, 2))
    assert np.array_equal(first["out"], again["out"])
    assert np.array_equal(first["color"], again["color"])
    assert not np.array_equal(first["out"], other["out"])


# --- ambient occlusion and curvature --------------------------------------------------------------

def pit(rows, columns):
    """A smooth tileable bowl: height 1 - bump at the centre."""
    v, u = np.meshgrid((np.arange(rows) + 0.5) / columns, (np.arange(columns) + 0.5) / columns,
                       indexing="ij")
    bump = np.exp(-((u - 0.5) ** 2 + (v - rows / columns / 2) ** 2) / (2 * 0.05 ** 2))
    return texture(1.0 - bump)


def test_ambient_occlusion_darkens_pits_only():
    flat = ambient_occlusion(context(32, 32), height=texture(np.full((32, 32), 0.3)),
                             radius=0.1, strength=30.0)
    np.testing.assert_allclose(flat, 1.0, atol=1e-6)
    out = ambient_occlusion(context(64, 64), height=pit(64, 64), radius=0.1, strength=30.0)
    assert out[32, 32, 0] < 0.7
    assert out[0, 0, 0] > 0.999  # far from the pit
    inverted = ambient_occlusion(context(64, 64), height=texture(1 - np.asarray(pit(64, 64))),
                                 radius=0.1, strength=30.0)
    assert inverted[32, 32, 0] > 0.999  # the top of a bump is open


def test_ambient_occlusion_is_resolution_independent():
    low, high = (ambient_occlusion(context(n, n), height=periodic(n, n, cycles=((5, 3),)),
                                   radius=0.05, strength=30.0) for n in (256, 512))
    assert low.min() < 0.9
    assert low.mean() == pytest.approx(high.mean(), abs=2e-3)
    assert low.std() == pytest.approx(high.std(), rel=0.03)
    np.testing.assert_allclose(low, pooled(high), atol=0.01)


def test_curvature_of_a_bump_and_a_pit():
    flat = curvature(context(16, 16), height=texture(np.full((16, 16), 0.2)), radius=0.05,
                     strength=10.0)
    np.testing.assert_allclose(flat["out"], 0.5, atol=1e-6)
    assert (flat["convex"] == 0).all() and (flat["concave"] == 0).all()
    hole = curvature(context(64, 64), height=pit(64, 64), radius=0.02, strength=10.0)
    bump = curvature(context(64, 64), height=texture(1 - np.asarray(pit(64, 64))),
                     radius=0.02, strength=10.0)
    assert hole["out"][32, 32, 0] < 0.4 and hole["concave"][32, 32, 0] > 0.2
    assert bump["out"][32, 32, 0] > 0.6 and bump["convex"][32, 32, 0] > 0.2
    np.testing.assert_allclose(hole["out"] + bump["out"], 1.0, atol=1e-5)


def two_dimensional_fft_blur(plane, sigma, *, wrap):
    """The Gaussian blur of a (H, W) float32 plane as one 2-D FFT convolution (``rfft2`` of
    the mirrored plane and of the kernel grid, ``irfft2``): the formulation that
    ``gaussian_blurs`` takes one axis at a time and must match byte for byte."""
    reach = math.ceil(4.0 * sigma)
    rows, columns = plane.shape
    pads = [(0, 0), (0, 0)] if wrap else [(reach, reach) if 2 * reach < n else (0, n)
                                          for n in (rows, columns)]
    size = (rows + sum(pads[0]), columns + sum(pads[1]))
    offsets = np.arange(-reach, reach + 1)
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    folded = [np.bincount(offsets % n, weights / weights.sum(), minlength=n) for n in size]
    kernel = np.outer(*folded).astype(np.float32)
    spectrum = np.fft.rfft2(np.pad(plane, pads, mode="symmetric")) * np.fft.rfft2(kernel)
    return np.fft.irfft2(spectrum, s=size)[pads[0][0]:pads[0][0] + rows,
                                            pads[1][0]:pads[1][0] + columns]


@pytest.mark.parametrize("wrap", [True, False])
@pytest.mark.parametrize("shape", [(40, 40, 1), (37, 50, 3), (50, 21, 1)])
def test_gaussian_blurs_are_the_bytes_of_one_two_dimensional_fft(wrap, shape):
    values = texture(np.random.default_rng(3).random(shape) * 3.0 - 1.0)
    sigmas = (0.0, 0.4, 2.5, 7.0, 15.0)  # reaches under and over half the size
    for sigma, blurred in zip(sigmas, gaussian_blurs(values, sigmas, wrap=wrap)):
        assert blurred.dtype == np.float32 and blurred.shape == shape
        for channel in range(shape[2]):
            expected = (values[..., channel] if sigma == 0 else
                        two_dimensional_fft_blur(values[..., channel], sigma, wrap=wrap))
            assert np.array_equal(blurred[..., channel], expected), (sigma, channel)
        assert np.array_equal(blurred, gaussian_blur(values, sigma, wrap=wrap))


def direct_ambient_occlusion(height, radius, strength):
    """Wrapped ambient occlusion straight from its formula, in float64: each blur a sum of
    rolled copies with the sampled Gaussian's weights, rows then columns."""
    h = np.asarray(height, np.float64)[..., 0]
    visible = np.zeros_like(h)
    for division in (1, 2, 4, 8):
        r = radius / division
        sigma = r * h.shape[1]
        offsets = np.arange(-math.ceil(4 * sigma), math.ceil(4 * sigma) + 1)
        weights = np.exp(-0.5 * (offsets / sigma) ** 2)
        weights /= weights.sum()
        blurred = sum(w * np.roll(h, o, axis=0) for o, w in zip(offsets, weights))
        blurred = sum(w * np.roll(blurred, o, axis=1) for o, w in zip(offsets, weights))
        tangent = np.maximum(blurred - h, 0) * strength / 100 / r
        visible += 1 / (1 + tangent ** 2)
    return visible / 4


def test_ambient_occlusion_equals_its_formula_and_the_per_radius_blurs():
    height = periodic(48, 64, cycles=((3, 2),)) + texture(
        np.random.default_rng(4).random((48, 64, 1)) * 0.2)
    out = ambient_occlusion(context(48, 64), height=height, radius=0.12, strength=40.0)
    np.testing.assert_allclose(out[..., 0], direct_ambient_occlusion(height, 0.12, 40.0),
                               atol=2e-6)
    assert out.min() < 0.95
    # the same bytes as blurring the height anew at each radius (one transform shared)
    visible = np.zeros_like(height)
    for division in (1, 2, 4, 8):
        r = 0.12 / division
        term = gaussian_blur(height, r * 64, wrap=True) - height
        np.maximum(term, 0, out=term)
        term *= np.float32(40.0 / 100.0 / r)
        visible += 1.0 / (term * term + 1.0)
    visible /= np.float32(4)
    assert np.array_equal(out, visible)


def test_wrapped_ambient_occlusion_tiles():
    height = periodic(32, 48, cycles=((2, 1),)) + texture(
        np.random.default_rng(5).random((32, 48, 1)) * 0.3)
    out = ambient_occlusion(context(32, 48), height=height, radius=0.2, strength=50.0)
    rolled = ambient_occlusion(context(32, 48), height=np.roll(height, (7, -11), (0, 1)),
                               radius=0.2, strength=50.0)
    np.testing.assert_allclose(rolled, np.roll(out, (7, -11), (0, 1)), atol=1e-6)
    # a 2 x 2 tiling of the height: each quarter is the tile's AO (the same radius and
    # depth in pixels: lengths are fractions of the width, which doubles)
    tiled = ambient_occlusion(context(64, 96), height=np.tile(height, (2, 2, 1)),
                              radius=0.1, strength=25.0)
    np.testing.assert_allclose(tiled[32:, 48:], out, atol=1e-6)
    np.testing.assert_allclose(tiled[:32, :48], out, atol=1e-6)
