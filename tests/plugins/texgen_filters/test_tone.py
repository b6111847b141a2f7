"""The tone filters (levels, invert, curves, auto_levels, histogram_scan, threshold,
clamp, math) against their formulas on hand-made textures."""

import numpy as np
import pytest
from filters_testing import context, texture

from texgen_filters.tone import (
    auto_levels,
    clamp,
    curves,
    histogram_scan,
    invert,
    levels,
    math,
    threshold,
)

IDENTITY = dict(in_low=0.0, in_high=1.0, gamma=1.0, out_low=0.0, out_high=1.0)


def test_levels_matches_the_photoshop_formula():
    x = texture([[0.0, 0.25], [0.5, 1.0]])
    out = levels(context(2, 2), input=x, in_low=0.2, in_high=0.6, gamma=2.0, out_low=0.1,
                 out_high=0.9)
    # t = clip((x - 0.2) / 0.4, 0, 1) ** (1 / 2); out = 0.1 + 0.8 t
    t = np.array([[0.0, 0.125], [0.75, 1.0]]) ** 0.5
    np.testing.assert_allclose(out[..., 0], 0.1 + 0.8 * t, atol=1e-6)
    np.testing.assert_allclose(out[..., 0], [[0.1, 0.382843], [0.792820, 0.9]], atol=1e-6)


def test_levels_defaults_are_the_identity_and_clamp_to_0_1():
    x = texture([[0.0, 0.3], [0.7, 1.0]])
    np.testing.assert_allclose(levels(context(2, 2), input=x, **IDENTITY), x, atol=1e-7)
    outside = texture([[-0.5, 1.5]])
    np.testing.assert_array_equal(levels(context(1, 2), input=outside, **IDENTITY)[..., 0],
                                  [[0.0, 1.0]])


def test_levels_gamma_above_one_brightens_midtones():
    x = texture([[0.25, 0.5]])
    out = levels(context(1, 2), input=x, **{**IDENTITY, "gamma": 2.0})
    np.testing.assert_allclose(out[..., 0], [[0.5, 0.5 ** 0.5]], atol=1e-6)


def test_levels_equal_input_points_threshold():
    x = texture([[0.1, 0.49, 0.5, 0.9]])
    out = levels(context(1, 4), input=x, **{**IDENTITY, "in_low": 0.5, "in_high": 0.5,
                                             "out_low": 0.2, "out_high": 0.8})
    np.testing.assert_allclose(out[..., 0], [[0.2, 0.2, 0.8, 0.8]], atol=1e-7)


def test_levels_swapped_points_invert():
    x = texture([[0.0, 0.25, 1.0]])
    out = levels(context(1, 3), input=x, **{**IDENTITY, "in_low": 1.0, "in_high": 0.0})
    np.testing.assert_allclose(out[..., 0], [[1.0, 0.75, 0.0]], atol=1e-7)
    out = levels(context(1, 3), input=x, **{**IDENTITY, "out_low": 1.0, "out_high": 0.0})
    np.testing.assert_allclose(out[..., 0], [[1.0, 0.75, 0.0]], atol=1e-7)


def test_levels_treats_color_channels_alike_and_keeps_alpha():
    rgba = texture([[[0.0, 0.4, 0.6, 0.3], [1.0, 0.5, 0.2, 0.9]]])
    out = levels(context(1, 2), input=rgba, **{**IDENTITY, "in_low": 0.2, "in_high": 0.6})
    # (x - 0.2) / 0.4 clipped, channel by channel; alpha as given.
    np.testing.assert_allclose(out, [[[0.0, 0.5, 1.0, 0.3], [1.0, 0.75, 0.0, 0.9]]],
                               atol=1e-6)
    color = texture(rgba[..., :3])
    np.testing.assert_array_equal(
        levels(context(1, 2), input=color, **{**IDENTITY, "in_low": 0.2, "in_high": 0.6}),
        out[..., :3])


def test_invert_is_one_minus_x_and_keeps_alpha():
    gray = texture([[0.0, 0.25], [1.0, 1.5]])
    np.testing.assert_allclose(invert(context(2, 2), input=gray)[..., 0],
                               [[1.0, 0.75], [0.0, -0.5]], atol=1e-7)
    rgba = texture([[[0.1, 0.2, 0.7, 0.4]]])
    np.testing.assert_allclose(invert(context(1, 1), input=rgba), [[[0.9, 0.8, 0.3, 0.4]]],
                               atol=1e-7)


def run_curves(values, points, interpolation="monotone"):
    x = texture([values])
    return curves(context(1, len(values)), input=x, points=points,
                  interpolation=interpolation)[0, :, 0]


def test_curves_pass_through_their_points():
    points = "0,0.1 0.3,0.2 0.6,0.9 1,0.95"
    for interpolation in ("monotone", "spline", "linear"):
        np.testing.assert_allclose(run_curves([0.0, 0.3, 0.6, 1.0], points, interpolation),
                                   [0.1, 0.2, 0.9, 0.95], atol=1e-6)


def test_curves_match_hand_computed_cubics():
    # Points (0, 0), (0.5, 0.8), (1, 1): secants 1.6 and 0.4, segment width h = 0.5.
    # Halfway through a segment the cubic Hermite is (y0 + y1) / 2 + h (m0 - m1) / 8.
    # Monotone tangents: 1.6 (end), 2 * 1.6 * 0.4 / 2.0 = 0.64 (harmonic mean), 0.4 (end):
    #   x = 0.25: 0.4 + 0.5 (1.6 - 0.64) / 8 = 0.46; x = 0.75: 0.9 + 0.5 (0.64 - 0.4) / 8.
    np.testing.assert_allclose(run_curves([0.25, 0.75], "0,0 0.5,0.8 1,1"), [0.46, 0.915],
                               atol=1e-6)
    # Natural spline: M0 = M2 = 0, 2 (0.5 + 0.5) M1 = 6 (0.4 - 1.6), so M1 = -3.6; at
    # x = 0.25: M1 (x - x0)^3 / (6 h) + (y1 - M1 h^2 / 6)(x - x0) / h
    #          = -3.6 * 0.015625 / 3 + 0.95 * 0.5 = 0.45625, and symmetrically at 0.75.
    np.testing.assert_allclose(run_curves([0.25, 0.75], "0,0 0.5,0.8 1,1", "spline"),
                               [0.45625, 0.95625], atol=1e-6)
    np.testing.assert_allclose(run_curves([0.25, 0.75], "0,0 0.5,0.8 1,1", "linear"),
                               [0.4, 0.9], atol=1e-6)


def test_curves_are_flat_past_the_end_points():
    out = run_curves([-1.0, 0.0, 0.1, 0.9, 1.0, 2.0], "0.2,0.3 0.8,0.6")
    np.testing.assert_allclose(out, [0.3, 0.3, 0.3, 0.6, 0.6, 0.6], atol=1e-6)


def test_monotone_curves_do_not_overshoot_but_splines_do():
    x = list(np.linspace(0.0, 1.0, 201))
    points = "0,0 0.4,0.9 0.6,0.9 1,1"  # a plateau at 0.9 between x = 0.4 and 0.6
    monotone = run_curves(x, points)
    assert np.diff(monotone).min() >= -1e-6  # non-decreasing, up to float32 rounding
    np.testing.assert_allclose(monotone[80:121], 0.9, atol=1e-6)  # exactly flat
    assert run_curves(x, points, "spline")[80:121].max() > 0.91


def test_curves_point_order_and_spacing_do_not_matter():
    x = [0.1, 0.35, 0.8]
    np.testing.assert_array_equal(run_curves(x, "1,1   0,0\n0.5,0.7"),
                                  run_curves(x, "0,0 0.5,0.7 1,1"))


def test_curves_treat_color_channels_alike_and_keep_alpha():
    rgba = texture([[[0.25, 0.5, 0.75, 0.3]]])
    out = curves(context(1, 1), input=rgba, points="0,0 0.5,0.8 1,1", interpolation="linear")
    np.testing.assert_allclose(out, [[[0.4, 0.8, 0.9, 0.3]]], atol=1e-6)


@pytest.mark.parametrize("points, problem", [
    ("0,0", "at least 2 points, got 1"),
    ("", "at least 2 points, got 0"),
    ("0,0 1", "expected x,y pairs"),
    ("0,0 a,1", "got 'a,1'"),
    ("0,0 1,1.5", "got '1,1.5'"),
    ("0,0 0.5,nan", "got '0.5,nan'"),
    ("0,0 0.5,0.2 0.5,0.8 1,1", "two points at x = 0.5"),
])
def test_curves_reject_bad_points_naming_node_and_parameter(points, problem):
    with pytest.raises(ValueError) as error:
        run_curves([0.5], points)
    assert str(error.value).startswith("node 'n', parameter 'points': ")
    assert problem in str(error.value)


def run_auto_levels(values, low=0.0, high=100.0, per_channel=False):
    x = texture(values)
    return auto_levels(context(*x.shape[:2]), input=x, low_percentile=low,
                       high_percentile=high, per_channel=per_channel)


def test_auto_levels_stretches_min_and_max_to_0_and_1():
    out = run_auto_levels([[0.2, 0.3], [0.6, 0.4]])
    # (x - 0.2) / 0.4
    np.testing.assert_allclose(out[..., 0], [[0.0, 0.25], [1.0, 0.5]], atol=1e-6)


def test_auto_levels_percentiles_clip_outliers():
    # Sorted values 0.1..0.5: the 25th and 75th percentiles are the 2nd and 4th values.
    out = run_auto_levels([[0.5, 0.1, 0.3, 0.2, 0.4]], low=25.0, high=75.0)
    np.testing.assert_allclose(out[..., 0], [[1.0, 0.0, 0.5, 0.0, 1.0]], atol=1e-6)


def test_auto_levels_shares_the_range_across_channels_unless_per_channel():
    rgb = [[[0.2, 0.4, 0.5], [0.6, 0.5, 0.7]]]
    # Together: lo = 0.2, hi = 0.7 over all six values.
    np.testing.assert_allclose(run_auto_levels(rgb), [[[0.0, 0.4, 0.6], [0.8, 0.6, 1.0]]],
                               atol=1e-6)
    # Per channel: each channel's two values go to 0 and 1.
    np.testing.assert_allclose(run_auto_levels(rgb, per_channel=True),
                               [[[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]], atol=1e-6)


def test_auto_levels_ignores_and_keeps_alpha_and_passes_flat_textures():
    rgba = [[[0.2, 0.3, 0.4, 0.0], [0.4, 0.5, 0.6, 1.0]]]
    # lo = 0.2, hi = 0.6 from the color channels only; alpha as given.
    np.testing.assert_allclose(run_auto_levels(rgba),
                               [[[0.0, 0.25, 0.5, 0.0], [0.5, 0.75, 1.0, 1.0]]], atol=1e-6)
    flat = [[0.3, 0.3], [0.3, 0.3]]
    np.testing.assert_array_equal(run_auto_levels(flat)[..., 0], np.float32(flat))


def run_scan(values, position, contrast):
    x = texture([values])
    return histogram_scan(context(1, len(values)), input=x, position=position,
                          contrast=contrast)[0, :, 0]


def test_histogram_scan_defaults_are_the_identity_on_0_1():
    np.testing.assert_allclose(run_scan([-0.5, 0.0, 0.3, 1.0, 1.5], 0.5, 0.0),
                               [0.0, 0.0, 0.3, 1.0, 1.0], atol=1e-7)


def test_histogram_scan_band_from_position_and_contrast():
    # position 0.25: centre c = 0.75; contrast 0.5: half-width 0.5 * min(0.75, 0.25) =
    # 0.125, so the band 0.625..0.875 is stretched to 0..1.
    np.testing.assert_allclose(run_scan([0.5, 0.625, 0.75, 0.8, 0.875, 1.0], 0.25, 0.5),
                               [0.0, 0.0, 0.5, 0.7, 1.0, 1.0], atol=1e-6)
    # position 0.7, contrast 0: c = 0.3, half-width 0.3: the band 0..0.6.
    np.testing.assert_allclose(run_scan([0.0, 0.15, 0.6, 0.9], 0.7, 0.0),
                               [0.0, 0.25, 1.0, 1.0], atol=1e-6)


def test_histogram_scan_contrast_1_thresholds_and_ends_are_black_and_white():
    np.testing.assert_array_equal(run_scan([0.3, 0.59, 0.6, 0.9], 0.4, 1.0),
                                  [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(run_scan([0.0, 0.5, 0.99], 0.0, 0.3), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(run_scan([0.0, 0.5, 1.0], 1.0, 0.3), [1.0, 1.0, 1.0])


def test_threshold_is_a_hard_step_and_keeps_alpha():
    gray = texture([[0.2, 0.49, 0.5, 0.7, 1.5]])
    np.testing.assert_array_equal(threshold(context(1, 5), input=gray, threshold=0.5)[..., 0],
                                  [[0.0, 0.0, 1.0, 1.0, 1.0]])
    rgba = texture([[[0.1, 0.6, 0.3, 0.45]]])
    np.testing.assert_array_equal(threshold(context(1, 1), input=rgba, threshold=0.3),
                                  np.float32([[[0.0, 1.0, 1.0, 0.45]]]))


def test_clamp_clips_color_channels_and_keeps_alpha():
    rgba = texture([[[-0.5, 0.3, 1.5, 2.0]]])
    np.testing.assert_array_equal(clamp(context(1, 1), input=rgba, low=0.0, high=1.0),
                                  np.float32([[[0.0, 0.3, 1.0, 2.0]]]))
    np.testing.assert_array_equal(
        clamp(context(1, 1), input=texture([[-3.0]]), low=-2.0, high=-1.0), [[[-2.0]]])


def test_clamp_rejects_low_above_high():
    with pytest.raises(ValueError, match=r"node 'n', parameter 'low': 0.8 is above high "
                                         r"\(0.2\)"):
        clamp(context(1, 1), input=texture([[0.5]]), low=0.8, high=0.2)


MATH_DEFAULTS = dict(operand=None, operation="multiply", value=1.0, from_low=0.0,
                     from_high=1.0, to_low=0.0, to_high=1.0)


def run_math(x, **options):
    return math(context(*x.shape[:2]), input=x, **{**MATH_DEFAULTS, **options})


@pytest.mark.parametrize("operation, value, expected", [
    ("add", 0.25, [-0.25, 0.5, 1.75]),
    ("subtract", 0.25, [-0.75, 0.0, 1.25]),
    ("multiply", 2.0, [-1.0, 0.5, 3.0]),
    ("power", 2.0, [0.0, 0.0625, 2.25]),   # max(x, 0) ** 2
    ("power", 0.0, [1.0, 1.0, 1.0]),
])
def test_math_with_a_constant(operation, value, expected):
    out = run_math(texture([[-0.5, 0.25, 1.5]]), operation=operation, value=value)
    np.testing.assert_allclose(out[0, :, 0], expected, atol=1e-6)


def test_math_remap_is_linear_and_unclamped():
    out = run_math(texture([[0.2, 0.4, 0.6, 1.0]]), operation="remap", from_low=0.2,
                   from_high=0.6, to_low=1.0, to_high=0.0)
    # 1 + (x - 0.2) * (0 - 1) / 0.4
    np.testing.assert_allclose(out[0, :, 0], [1.0, 0.5, 0.0, -1.0], atol=1e-6)


def test_math_with_a_gray_operand_applies_it_to_every_color_channel():
    rgba = texture([[[0.2, 0.4, 0.6, 0.5], [0.1, 0.2, 0.3, 1.0]]])
    operand = texture([[0.5, 2.0]])
    out = run_math(rgba, operand=operand, operation="multiply", value=7.0)  # value unused
    np.testing.assert_allclose(out, [[[0.1, 0.2, 0.3, 0.5], [0.2, 0.4, 0.6, 1.0]]],
                               atol=1e-6)


def test_math_with_an_operand_of_the_same_channels_works_channel_by_channel():
    color = texture([[[0.2, 0.4, 0.6]]])
    out = run_math(color, operand=texture([[[0.1, 0.2, 0.3]]]), operation="subtract")
    np.testing.assert_allclose(out, [[[0.1, 0.2, 0.3]]], atol=1e-6)
    base = texture([[[0.5, 0.5, 0.5, 0.4]]])
    exponent = texture([[[2.0, -1.0, 1.0, 0.0]]])  # a negative exponent counts as 0
    np.testing.assert_allclose(run_math(base, operand=exponent, operation="power"),
                               [[[0.25, 1.0, 0.5, 0.4]]], atol=1e-6)


@pytest.mark.parametrize("options, message", [
    (dict(operation="power", value=-1.0),
     "node 'n', parameter 'value': the exponent of 'power' must be >= 0, got -1"),
    (dict(operation="remap", from_low=0.3, from_high=0.3),
     "node 'n', parameter 'from_high': equals from_low (0.3)"),
    (dict(operation="remap", operand=texture([[0.5]])),
     "node 'n', parameter 'operation': 'remap' takes no operand input"),
    (dict(operation="add", operand=texture([[[0.5, 0.5, 0.5, 1.0]]])),
     "node 'n', parameter 'operand': has 4 channels but the input has 3"),
])
def test_math_validation_messages(options, message):
    with pytest.raises(ValueError) as error:
        run_math(texture([[[0.2, 0.4, 0.6]]]), **options)
    assert str(error.value).startswith(message)


#: Each tone node with non-default parameters, for the shape and range checks.
TONE_NODES = {
    "levels": (levels, dict(IDENTITY, gamma=0.7)),
    "invert": (invert, {}),
    "curves": (curves, dict(points="0,0.1 0.4,0.9 0.6,0.2 1,1", interpolation="spline")),
    "auto_levels": (auto_levels, dict(low_percentile=5.0, high_percentile=95.0,
                                      per_channel=True)),
    "histogram_scan": (histogram_scan, dict(position=0.3, contrast=0.6)),
    "threshold": (threshold, dict(threshold=0.4)),
    "clamp": (clamp, dict(low=0.2, high=0.7)),
    "math": (math, dict(MATH_DEFAULTS, operation="power", value=1.7)),
}
#: Nodes whose output lies in [0, 1] whatever the input.
IN_UNIT_RANGE = {"levels", "curves", "auto_levels", "histogram_scan", "threshold", "clamp"}


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("height, width", [(130, 257), (1, 1), (257, 130)])
@pytest.mark.parametrize("node", sorted(TONE_NODES))
def test_output_shape_dtype_layout_and_range(node, channels, height, width):
    # Values in -0.5..1.5: outside 0..1 too, as heights may be.
    values = texture(np.random.default_rng(0).random((height, width, channels)) * 2 - 0.5)
    fn, params = TONE_NODES[node]
    out = fn(context(height, width), input=values, **params)
    assert out.shape == (height, width, channels)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    assert np.isfinite(out).all()
    color = out[..., :3]
    # A single pixel is flat: auto_levels passes it unchanged.
    if node in IN_UNIT_RANGE and not (node == "auto_levels" and height * width == 1):
        assert color.min() >= 0.0 and color.max() <= 1.0
    if channels == 4:
        np.testing.assert_array_equal(out[..., 3], values[..., 3])
