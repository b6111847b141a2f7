"""Mip chains: sizes, filtering in linear light, area weights on odd sizes, normals."""

import numpy as np
import pytest

from texgen.errors import InputError
from texgen.formats.color import linear_to_srgb, srgb_to_linear
from texgen.formats.mips import mip_chain, mip_sizes


def test_srgb_curve_known_points_and_inverse():
    assert srgb_to_linear(np.float32([0.0, 1.0]))[1] == pytest.approx(1.0)
    assert srgb_to_linear(np.float32([0.5]))[0] == pytest.approx(0.21404, abs=1e-5)
    assert srgb_to_linear(np.float32([0.04]))[0] == pytest.approx(0.04 / 12.92)  # linear toe
    values = np.linspace(0, 1, 1001, dtype=np.float32)
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(values)), values, atol=2e-6)


def test_sizes_follow_direct3d_down_to_one_pixel():
    assert mip_sizes(64, 64)[-1] == (1, 1) and len(mip_sizes(64, 64)) == 7
    assert mip_sizes(20, 12) == [(20, 12), (10, 6), (5, 3), (2, 1), (1, 1)]
    assert mip_sizes(1, 1) == [(1, 1)]
    shapes = [level.shape for level in mip_chain(np.zeros((12, 20, 3), np.float32))]
    assert shapes == [(12, 20, 3), (6, 10, 3), (3, 5, 3), (1, 2, 3), (1, 1, 3)]


def test_srgb_colors_are_averaged_as_light():
    checker = np.zeros((2, 2, 4), np.float32)
    checker[0, 0, :3] = checker[1, 1, :3] = 1.0
    checker[:, :, 3] = [[0.0, 1.0], [1.0, 0.0]]
    level = mip_chain(checker, color_space="srgb")[1][0, 0]
    assert level[:3] == pytest.approx([0.7354] * 3, abs=1e-4)  # half the light, encoded
    assert level[3] == pytest.approx(0.5)  # alpha is linear
    assert mip_chain(checker)[1][0, 0, 0] == pytest.approx(0.5)  # linear data: plain mean


def test_normal_maps_are_renormalised_at_every_level():
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(16, 16, 3)).astype(np.float32)
    vectors[:, :, 2] = np.abs(vectors[:, :, 2]) + 0.2
    vectors /= np.linalg.norm(vectors, axis=2, keepdims=True)
    levels = mip_chain((vectors + 1) / 2, normal_map=True)
    for level in levels[1:]:
        lengths = np.linalg.norm(level * 2 - 1, axis=2)
        np.testing.assert_allclose(lengths, 1.0, atol=1e-5)
    plain = mip_chain((vectors + 1) / 2)[1]
    assert np.linalg.norm(plain * 2 - 1, axis=2).min() < 0.95  # without: shorter vectors


def test_unknown_color_space_is_refused():
    with pytest.raises(InputError, match="color space 'rgb'"):
        mip_chain(np.zeros((2, 2, 1), np.float32), color_space="rgb")
