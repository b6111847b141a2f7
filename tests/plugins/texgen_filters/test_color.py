"""filters.gradient_map: exact stops, linear segments, clamping, alpha, hard edges."""

import numpy as np
import pytest

from texgen.nodes import parse_gradient
from texgen_filters.color import gradient_map

from filters_testing import context, texture

BLACK, RED, WHITE = (0.0, 0.0, 0.0, 1.0), (1.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0, 1.0)
THREE_STOPS = ((0.0, BLACK), (0.5, RED), (1.0, WHITE))


def run(values, gradient):
    x = texture([values])
    return gradient_map(context(1, len(values)), input=x, gradient=gradient)


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
    result = gradient_map(context(height, width), input=x, gradient=THREE_STOPS)
    assert set(result) == {"out", "alpha"}
    for name, channels in (("out", 3), ("alpha", 1)):
        assert result[name].shape == (height, width, channels)
        assert result[name].dtype == np.float32
        assert result[name].flags.c_contiguous
