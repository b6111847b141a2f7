"""filters.blend: every mode, opacity, mask, channel promotion and the rgba alpha rules."""

import json

import numpy as np
import pytest
from filters_testing import context, texture

import texgen_filters
from texgen_filters.blend import MODES, blend

BACKGROUND = [[0.2, 0.6], [0.5, 1.0]]
FOREGROUND = [[0.5, 0.3], [0.8, 0.0]]
# mode(b, f) for the values above, worked out by hand.
EXPECTED = {
    "normal": [[0.5, 0.3], [0.8, 0.0]],
    "multiply": [[0.1, 0.18], [0.4, 0.0]],                # b f
    "screen": [[0.6, 0.72], [0.9, 1.0]],                  # 1 - (1-b)(1-f)
    "overlay": [[0.2, 0.44], [0.8, 1.0]],                 # 2bf if b < 0.5 else 1 - 2(1-b)(1-f)
    # W3C: f <= 0.5: b - (1-2f) b (1-b); else b + (2f-1)(sqrt(b) - b) for b > 0.25:
    # 0.2 (f = 0.5), 0.6 - 0.4*0.6*0.4, 0.5 + 0.6 (sqrt(0.5) - 0.5), 1 - 1*1*0.
    "soft_light": [[0.2, 0.504], [0.6242641, 1.0]],
    "add": [[0.7, 0.9], [1.3, 1.0]],                      # b + f, not clamped
    "subtract": [[-0.3, 0.3], [-0.3, 1.0]],               # b - f, not clamped
    "difference": [[0.3, 0.3], [0.3, 1.0]],               # |b - f|
    "min": [[0.2, 0.3], [0.5, 0.0]],
    "max": [[0.5, 0.6], [0.8, 1.0]],
    "darken": [[0.2, 0.3], [0.5, 0.0]],                   # = min
    "lighten": [[0.5, 0.6], [0.8, 1.0]],                  # = max
}


def run(foreground, background, *, mask=None, mode="normal", opacity=1.0,
        alpha="coverage"):
    height, width = background.shape[:2]
    return blend(context(height, width), foreground=foreground, background=background,
                 mask=mask, mode=mode, opacity=opacity, alpha=alpha)


def test_the_spec_offers_exactly_the_implemented_modes():
    assert texgen_filters.BLEND.param("mode").choices == tuple(MODES)
    assert set(MODES) == set(EXPECTED)


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_each_mode_at_full_opacity(mode):
    out = run(texture(FOREGROUND), texture(BACKGROUND), mode=mode)
    np.testing.assert_allclose(out[..., 0], EXPECTED[mode], atol=1e-6)


@pytest.mark.parametrize("mode", sorted(EXPECTED))
def test_opacity_and_mask_weight_the_mode(mode):
    mask = [[1.0, 0.5], [0.0, 0.25]]
    out = run(texture(FOREGROUND), texture(BACKGROUND), mask=texture(mask),
              mode=mode, opacity=0.5)
    b, m, w = np.array(BACKGROUND), np.array(EXPECTED[mode]), 0.5 * np.array(mask)
    np.testing.assert_allclose(out[..., 0], b + (m - b) * w, atol=1e-6)


def test_soft_light_dark_backgrounds_use_the_w3c_polynomial():
    background = texture([[0.2, 0.1, -0.5, 1.5]])
    foreground = texture([[0.9, 0.25, 0.75, 0.75]])
    out = run(foreground, background, mode="soft_light")
    # b <= 0.25 and f > 0.5: D(b) = ((16b - 12) b + 4) b; D(0.2) = 0.448, D(-0.5) = -7.
    #   0.2 + 0.8 (0.448 - 0.2) = 0.3984;  -0.5 + 0.5 (-7 + 0.5) = -3.75
    # f <= 0.5: 0.1 - 0.5 * 0.1 * 0.9 = 0.055;  b = 1.5: 1.5 + 0.5 (sqrt(1.5) - 1.5)
    np.testing.assert_allclose(out[..., 0], [[0.3984, 0.055, -3.75, 0.75 + 0.5 * 1.5 ** 0.5]],
                               atol=1e-6)


def test_zero_weight_gives_the_background_and_full_normal_the_foreground():
    background, foreground = texture(BACKGROUND), texture(FOREGROUND)
    np.testing.assert_array_equal(run(foreground, background, opacity=0.0),
                                  background)
    zero_mask = texture(np.zeros((2, 2)))
    np.testing.assert_array_equal(run(foreground, background, mask=zero_mask,
                                      mode="add"), background)
    np.testing.assert_array_equal(run(foreground, background), foreground)


def test_color_channels_blend_independently():
    background = texture([[[0.2, 0.6, 1.0]]])
    foreground = texture([[[0.5, 0.5, 0.5]]])
    out = run(foreground, background, mode="multiply", opacity=0.5)
    # b + (b f - b) 0.5, per channel
    np.testing.assert_allclose(out, [[[0.15, 0.45, 0.75]]], atol=1e-6)


def test_gray_foreground_is_repeated_over_color():
    background = texture([[[0.2, 0.4, 0.8]]])
    out = run(texture([[0.5]]), background, mode="screen")
    # 1 - (1 - b)(1 - 0.5) per channel
    np.testing.assert_allclose(out, [[[0.6, 0.7, 0.9]]], atol=1e-6)
    assert out.shape == (1, 1, 3)


def test_gray_background_is_repeated_under_color():
    foreground = texture([[[0.2, 0.4, 0.8]]])
    out = run(foreground, texture([[0.5]]), mode="subtract")
    np.testing.assert_allclose(out, [[[0.3, 0.1, -0.3]]], atol=1e-6)


def test_gray_over_rgba_is_an_opaque_layer():
    background = texture([[[0.2, 0.4, 0.8, 0.5]]])
    out = run(texture([[0.6]]), background, opacity=0.5)
    # The gray layer is opaque, so w = 0.5: rgb = lerp(b, 0.6, 0.5); a = lerp(0.5, 1, 0.5).
    np.testing.assert_allclose(out, [[[0.4, 0.5, 0.7, 0.75]]], atol=1e-6)


def test_rgba_coverage_uses_the_foreground_alpha():
    background = texture([[[0.2, 0.4, 0.8, 0.5], [0.2, 0.4, 0.8, 1.0]]])
    foreground = texture([[[1.0, 0.0, 0.5, 0.5], [1.0, 0.0, 0.5, 0.0]]])
    out = run(foreground, background, opacity=0.8)
    # Pixel 0: w = 0.8 * 0.5 = 0.4; rgb = 0.6 b + 0.4 f; a = 0.5 + 0.4 * (1 - 0.5).
    # Pixel 1: a transparent foreground leaves the background untouched.
    np.testing.assert_allclose(out, [[[0.52, 0.24, 0.68, 0.7], [0.2, 0.4, 0.8, 1.0]]],
                               atol=1e-6)


def test_rgba_channel_mode_blends_alpha_like_a_color():
    background = texture([[[0.2, 0.4, 0.8, 0.5]]])
    foreground = texture([[[0.5, 0.5, 0.5, 0.4]]])
    out = run(foreground, background, mode="multiply", alpha="channel")
    np.testing.assert_allclose(out, [[[0.1, 0.2, 0.4, 0.2]]], atol=1e-6)


@pytest.mark.parametrize("fg_channels, bg_channels", [(3, 4), (4, 3)])
def test_color_and_rgba_do_not_mix(fg_channels, bg_channels):
    foreground = texture(np.zeros((2, 2, fg_channels)))
    background = texture(np.zeros((2, 2, bg_channels)))
    with pytest.raises(ValueError) as error:
        run(foreground, background)
    message = str(error.value)
    fg_name, bg_name = {3: "color", 4: "rgba"}[fg_channels], {3: "color", 4: "rgba"}[bg_channels]
    assert f"foreground is {fg_name} ({fg_channels} channels)" in message
    assert f"background is {bg_name} ({bg_channels} channels)" in message


@pytest.mark.parametrize("fg_channels, bg_channels, out_channels",
                         [(1, 1, 1), (3, 3, 3), (4, 4, 4), (1, 3, 3), (3, 1, 3), (1, 4, 4),
                          (4, 1, 4)])
@pytest.mark.parametrize("height, width", [(130, 257), (257, 130)])
def test_output_shape_dtype_and_layout(fg_channels, bg_channels, out_channels, height, width):
    rng = np.random.default_rng(0)
    out = run(texture(rng.random((height, width, fg_channels))),
              texture(rng.random((height, width, bg_channels))),
              mask=texture(rng.random((height, width, 1))), mode="overlay", opacity=0.7)
    assert out.shape == (height, width, out_channels)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous


def test_color_over_rgba_in_a_preset_is_bad_input_naming_node_and_key(tmp_path, capsys):
    from texgen.cli import main

    preset = {"texgen": 1, "name": "mix", "size": 8,
              "nodes": {"noise": {"type": "noise.perlin"},
                        "tint": {"type": "filters.gradient_map", "input": "noise"},
                        "layer": {"type": "filters.constant_color", "color": "#ff000080"},
                        "mix": {"type": "filters.blend", "foreground": "tint",
                                "background": "layer.rgba"}},
              "outputs": {"basecolor": "mix"}}
    path = tmp_path / "mix.json"
    path.write_text(json.dumps(preset))
    assert main(["render", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: node 'mix', key 'foreground': cannot blend: foreground is color" in err
    assert not (tmp_path / "out").exists()
