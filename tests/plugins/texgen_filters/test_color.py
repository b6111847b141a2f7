"""The color filters: gradient_map (exact stops, segments, interpolation, alpha, hard
edges), hsl, colorize, grayscale, channel_split and channel_merge."""

import numpy as np
import pytest
from filters_testing import context, texture

from texgen.nodes import parse_gradient
from texgen_filters.color import (
    channel_merge,
    channel_split,
    colorize,
    gradient_map,
    grayscale,
    hsl,
)

BLACK, RED, WHITE = (0.0, 0.0, 0.0, 1.0), (1.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0, 1.0)
THREE_STOPS = ((0.0, BLACK), (0.5, RED), (1.0, WHITE))


def run(values, gradient, interpolation="linear"):
    x = texture([values])
    return gradient_map(context(1, len(values)), input=x, gradient=gradient,
                        interpolation=interpolation)


def test_stops_give_their_exact_colors():
    out = run([0.0, 0.5, 1.0], THREE_STOPS)["out"]
    np.testing.assert_array_equal(out[0], [BLACK[:3], RED[:3], WHITE[:3]])


def test_exact_colors_at_stops_with_awkward_positions():
    a, b, c = (0.1, 0.7, 0.3, 1.0), (0.9, 0.2, 0.6, 1.0), (0.35, 0.45, 0.05, 1.0)
    out = run([0.3, 0.7, 0.9], ((0.3, a), (0.7, b), (0.9, c)))["out"]
    np.testing.assert_array_equal(out[0], np.array([a[:3], b[:3], c[:3]], np.float32))


def test_linear_between_stops():
    out = run([0.25, 0.75, 0.125], THREE_STOPS)["out"]
    # Halfway black -> red, halfway red -> white, a quarter of black -> red.
    np.testing.assert_allclose(out[0], [[0.5, 0.0, 0.0], [1.0, 0.5, 0.5], [0.25, 0.0, 0.0]],
                               atol=1e-6)


def test_values_outside_the_stops_clamp_to_the_end_colors():
    a, b = (0.2, 0.4, 0.6, 1.0), (0.8, 0.6, 0.4, 1.0)
    out = run([-0.5, 0.0, 0.1, 0.9, 1.0, 2.0], ((0.2, a), (0.8, b)))["out"]
    expected = np.array([a[:3]] * 3 + [b[:3]] * 3, np.float32)
    np.testing.assert_array_equal(out[0], expected)
    middle = run([0.5], ((0.2, a), (0.8, b)))["out"]
    np.testing.assert_allclose(middle[0, 0], [0.5, 0.5, 0.5], atol=1e-6)


def test_alpha_output_interpolates_stop_alphas():
    gradient = ((0.0, (1.0, 1.0, 1.0, 0.0)), (1.0, (1.0, 1.0, 1.0, 0.8)))
    result = run([0.0, 0.5, 1.0], gradient)
    np.testing.assert_allclose(result["alpha"][0, :, 0], [0.0, 0.4, 0.8], atol=1e-6)
    np.testing.assert_array_equal(result["out"], np.ones((1, 3, 3), np.float32))


def test_one_stop_is_a_constant_color():
    only = (0.4, (0.3, 0.6, 0.9, 0.5))
    result = run([0.0, 0.4, 1.0], (only,))
    np.testing.assert_array_equal(result["out"][0], np.float32([[0.3, 0.6, 0.9]] * 3))
    np.testing.assert_array_equal(result["alpha"][0, :, 0], np.float32([0.5] * 3))


def test_two_stops_at_one_position_make_a_hard_edge():
    gradient = ((0.0, BLACK), (0.5, RED), (0.5, WHITE), (1.0, BLACK))
    out = run([0.25, 0.4999, 0.5, 0.75], gradient)["out"]
    np.testing.assert_allclose(out[0, 0], [0.5, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(out[0, 1], [0.9998, 0.0, 0.0], atol=1e-4)
    np.testing.assert_array_equal(out[0, 2], WHITE[:3])  # the later stop wins at 0.5
    np.testing.assert_allclose(out[0, 3], [0.5, 0.5, 0.5], atol=1e-6)


def test_gradient_parameter_from_a_preset():
    gradient = parse_gradient([[1.0, "#ffffff"], [0.0, "#000000"], [0.5, "#ff0000"]])
    np.testing.assert_array_equal(
        run([0.0, 0.5, 0.75, 1.0], gradient)["out"],
        run([0.0, 0.5, 0.75, 1.0], THREE_STOPS)["out"])


@pytest.mark.parametrize("height, width", [(130, 257), (1, 1), (257, 130)])
def test_output_shapes_dtype_and_layout(height, width):
    x = texture(np.random.default_rng(0).random((height, width, 1)) * 1.4 - 0.2)
    result = gradient_map(context(height, width), input=x, gradient=THREE_STOPS,
                          interpolation="smooth")
    assert set(result) == {"out", "alpha"}
    for name, channels in (("out", 3), ("alpha", 1)):
        assert result[name].shape == (height, width, channels)
        assert result[name].dtype == np.float32
        assert result[name].flags.c_contiguous


def test_smooth_interpolation_is_smoothstep_between_stops():
    gradient = ((0.0, (0.0, 0.0, 0.0, 0.0)), (1.0, (1.0, 0.5, 0.0, 1.0)))
    result = run([0.0, 0.25, 0.5, 0.75, 1.0], gradient, "smooth")
    # t' = t^2 (3 - 2t): 0, 0.15625, 0.5, 0.84375, 1
    t = np.array([0.0, 0.15625, 0.5, 0.84375, 1.0])
    np.testing.assert_allclose(result["out"][0], np.stack([t, 0.5 * t, 0 * t], -1), atol=1e-6)
    np.testing.assert_allclose(result["alpha"][0, :, 0], t, atol=1e-6)


def test_constant_interpolation_holds_each_stop_up_to_the_next():
    out = run([-0.2, 0.0, 0.25, 0.4999, 0.5, 0.75, 1.0, 1.2], THREE_STOPS, "constant")["out"]
    expected = [BLACK] * 4 + [RED] * 2 + [WHITE] * 2
    np.testing.assert_array_equal(out[0], np.float32([c[:3] for c in expected]))


@pytest.mark.parametrize("interpolation", ["linear", "smooth", "constant"])
def test_every_interpolation_gives_exact_stop_colors(interpolation):
    out = run([0.0, 0.5, 1.0], THREE_STOPS, interpolation)["out"]
    np.testing.assert_array_equal(out[0], [BLACK[:3], RED[:3], WHITE[:3]])


def run_hsl(rgb, hue=0.0, saturation=0.0, lightness=0.0):
    x = texture(rgb)
    return hsl(context(*x.shape[:2]), input=x, hue=hue, saturation=saturation,
               lightness=lightness)


@pytest.mark.parametrize("rgb, options, expected", [
    ((1.0, 0.0, 0.0), dict(hue=120.0), (0.0, 1.0, 0.0)),       # red + 120 degrees: green
    ((1.0, 0.0, 0.0), dict(hue=-120.0), (0.0, 0.0, 1.0)),      # red - 120 degrees: blue
    ((1.0, 0.5, 0.0), dict(hue=180.0), (0.0, 0.5, 1.0)),       # orange (30) -> 210
    ((0.2, 0.4, 0.6), dict(saturation=-1.0), (0.4, 0.4, 0.4)),  # gray at l = 0.4
    # h 210, s 0.2, l 0.5 -> s 0.4: chroma 0.4 around l.
    ((0.4, 0.5, 0.6), dict(saturation=1.0), (0.3, 0.5, 0.7)),
    # h 210, s 0.5, l 0.4 -> l 0.4 + 0.5 * 0.6 = 0.7: a = 0.5 * 0.3 = 0.15 around l.
    ((0.2, 0.4, 0.6), dict(lightness=0.5), (0.55, 0.7, 0.85)),
    ((0.2, 0.4, 0.6), dict(lightness=-0.5), (0.1, 0.2, 0.3)),   # l 0.4 -> 0.2
    ((0.2, 0.4, 0.6), dict(lightness=1.0), (1.0, 1.0, 1.0)),
    ((0.2, 0.4, 0.6), dict(lightness=-1.0), (0.0, 0.0, 0.0)),
    ((1.5, -0.2, 0.5), {}, (1.0, 0.0, 0.5)),                   # clipped into 0..1 first
])
def test_hsl_against_hand_computed_colors(rgb, options, expected):
    np.testing.assert_allclose(run_hsl([[rgb]], **options)[0, 0], expected, atol=1e-6)


def test_hsl_defaults_keep_colors_and_alpha():
    rgba = np.random.default_rng(1).random((9, 7, 4))
    out = run_hsl(rgba)
    np.testing.assert_allclose(out[..., :3], rgba[..., :3], atol=1e-6)
    np.testing.assert_array_equal(out[..., 3], np.float32(rgba[..., 3]))


def test_hsl_on_gray_changes_only_lightness():
    out = run_hsl([[0.4, 1.0]], hue=90.0, saturation=1.0, lightness=0.5)
    np.testing.assert_allclose(out[..., 0], [[0.7, 1.0]], atol=1e-6)
    assert out.shape == (1, 2, 1)


def run_colorize(values, color):
    x = texture(values)
    return colorize(context(*x.shape[:2]), input=x, color=color)


def test_colorize_takes_hue_and_saturation_from_the_color_and_lightness_from_the_input():
    red = (1.0, 0.0, 0.0, 1.0)
    out = run_colorize([[0.0, 0.25, 0.5, 1.0]], red)
    # HSL(0, 1, l): l = 0.25 gives (0.5, 0, 0), l = 0.5 pure red.
    np.testing.assert_allclose(out[0], [[0, 0, 0], [0.5, 0, 0], [1, 0, 0], [1, 1, 1]],
                               atol=1e-6)
    assert out.shape == (1, 4, 3)


def test_colorize_gives_the_color_itself_at_its_own_lightness():
    # (0.6, 0.4, 0.2): hue 30 degrees, saturation 0.5, lightness 0.4.
    out = run_colorize([[0.4]], (0.6, 0.4, 0.2, 0.5))
    np.testing.assert_allclose(out[0, 0], [0.6, 0.4, 0.2], atol=1e-6)


def test_colorize_uses_rec709_luminance_of_a_color_input_and_keeps_alpha():
    out = run_colorize([[[0.0, 1.0, 0.0, 0.3]]], (1.0, 0.0, 0.0, 1.0))
    # Y = 0.7152; HSL(0, 1, 0.7152): amplitude 1 - 0.7152 = 0.2848 around 0.7152.
    np.testing.assert_allclose(out[0, 0], [1.0, 0.4304, 0.4304, 0.3], atol=1e-6)


@pytest.mark.parametrize("method, expected", [
    ("luminance", 0.2126 * 0.2 + 0.7152 * 0.4 + 0.0722 * 0.8),  # 0.38636
    ("average", (0.2 + 0.4 + 0.8) / 3),
    ("min", 0.2),
    ("max", 0.8),
])
def test_grayscale_methods(method, expected):
    for pixel in ([0.2, 0.4, 0.8], [0.2, 0.4, 0.8, 0.1]):  # an rgba alpha is not used
        out = grayscale(context(1, 1), input=texture([[pixel]]), method=method)
        assert out.shape == (1, 1, 1)
        np.testing.assert_allclose(out[0, 0, 0], expected, atol=1e-6)


def test_grayscale_copies_a_gray_input():
    gray = texture([[0.3, 1.7]])
    out = grayscale(context(1, 2), input=gray, method="luminance")
    np.testing.assert_array_equal(out, gray)
    assert out.flags.writeable


def test_channel_split_and_merge():
    rgba = texture([[[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]]])
    parts = channel_split(context(1, 2), input=rgba)
    for i, name in enumerate("rgba"):
        np.testing.assert_array_equal(parts[name], rgba[..., i:i + 1])
    merged = channel_merge(context(1, 2), **parts)
    np.testing.assert_array_equal(merged["rgba"], rgba)
    np.testing.assert_array_equal(merged["out"], rgba[..., :3])


def test_channel_split_of_gray_and_color_has_opaque_alpha():
    parts = channel_split(context(1, 1), input=texture([[0.25]]))
    assert [float(parts[name][0, 0, 0]) for name in "rgba"] == [0.25, 0.25, 0.25, 1.0]
    parts = channel_split(context(1, 1), input=texture([[[0.1, 0.2, 0.3]]]))
    np.testing.assert_allclose([parts[name][0, 0, 0] for name in "rgba"], [0.1, 0.2, 0.3, 1])


def test_channel_merge_fills_unconnected_channels():
    merged = channel_merge(context(1, 2), r=None, g=texture([[0.5, 0.6]]), b=None, a=None)
    np.testing.assert_array_equal(merged["rgba"],
                                  np.float32([[[0, 0.5, 0, 1], [0, 0.6, 0, 1]]]))
    np.testing.assert_array_equal(merged["out"], merged["rgba"][..., :3])


#: Color nodes taking one "any" input, with non-default parameters, and their output
#: channel counts for 1, 3 and 4 input channels.
ANY_INPUT_NODES = {
    "hsl": (hsl, dict(hue=-75.0, saturation=0.4, lightness=-0.3), {1: 1, 3: 3, 4: 4}),
    "colorize": (colorize, dict(color=(0.3, 0.5, 0.9, 1.0)), {1: 3, 3: 3, 4: 4}),
    "grayscale": (grayscale, dict(method="luminance"), {1: 1, 3: 1, 4: 1}),
}


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("height, width", [(130, 257), (1, 1), (257, 130)])
@pytest.mark.parametrize("node", sorted(ANY_INPUT_NODES))
def test_output_shape_dtype_layout_and_range_of_any_input_nodes(node, channels, height,
                                                                width):
    values = texture(np.random.default_rng(0).random((height, width, channels)) * 1.4 - 0.2)
    fn, params, out_channels = ANY_INPUT_NODES[node]
    out = fn(context(height, width), input=values, **params)
    assert out.shape == (height, width, out_channels[channels])
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    if node != "grayscale":
        assert out[..., :3].min() >= 0.0 and out[..., :3].max() <= 1.0
    if out.shape[2] == 4:
        np.testing.assert_array_equal(out[..., 3], values[..., 3])
