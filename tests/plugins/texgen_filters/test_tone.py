"""filters.levels and filters.invert against their formulas on hand-made textures."""

import numpy as np
import pytest

from texgen_filters.tone import invert, levels

from filters_testing import context, texture

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


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("height, width", [(130, 257), (1, 1), (257, 130)])
@pytest.mark.parametrize("node", ["levels", "invert"])
def test_output_shape_dtype_and_layout(node, channels, height, width):
    values = np.random.default_rng(0).random((height, width, channels))
    params = dict(IDENTITY, gamma=0.7) if node == "levels" else {}
    fn = levels if node == "levels" else invert
    out = fn(context(height, width), input=texture(values), **params)
    assert out.shape == (height, width, channels)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
