"""stats.gmm_palette: brightness quantiles to the exemplar's colors."""

import numpy as np
import pytest
from stats_testing import bricks, context, registered_specs, write_exemplar

from texgen.testing import check_node
from texgen_stats.mixture import Mixture
from texgen_stats.palette import LUMA, fit_palette, gmm_palette, luma_quantiles, recolor

DARK, LIGHT = np.array([0.3, 0.1, 0.05]), np.array([0.8, 0.85, 0.9])


def two_color_exemplar(seed=0):
    """40 % dark red, 60 % light blue-gray, with a little noise."""
    rng = np.random.default_rng(seed)
    image = np.where(rng.random((40, 40, 1)) < 0.4, DARK, LIGHT)
    return np.clip(image + rng.normal(0, 0.01, image.shape), 0, 1).astype(np.float32)


def ramp(height=8, width=64):
    return np.broadcast_to(np.linspace(0, 1, width, dtype=np.float32)[None, :, None],
                           (height, width, 1))


def test_dark_values_get_the_dark_color_and_bright_values_the_light_one():
    mixture = fit_palette(two_color_exemplar(), components=2)
    out = recolor(ramp(), mixture, variation=0.0, rng=np.random.default_rng(0))
    # Quantiles below 40 % are the dark color, above it the light one.
    np.testing.assert_allclose(out[0, :20].mean(axis=0), DARK, atol=0.03)
    np.testing.assert_allclose(out[0, 30:].mean(axis=0), LIGHT, atol=0.03)
    luma = out[0] @ LUMA
    assert np.all(np.diff(luma) >= -1e-3)  # brighter input, brighter color


def test_quantiles_follow_the_mixture():
    mixture = Mixture(np.array([1.0]), np.array([[0.5, 0.5, 0.5]]), 0.01 * np.eye(3)[None])
    quantiles = luma_quantiles(mixture, levels=9)
    spread = np.sqrt(LUMA @ (0.01 * np.eye(3)) @ LUMA)
    assert quantiles[4] == pytest.approx(0.5, abs=1e-3)  # the median
    # The 1/18 quantile of a Gaussian is 1.593 standard deviations below the mean.
    assert quantiles[0] == pytest.approx(0.5 - 1.593 * spread, abs=2e-3)


def test_variation_adds_the_exemplars_spread_and_is_seeded():
    mixture = fit_palette(two_color_exemplar(), components=2)
    flat = np.full((32, 32, 1), 0.8, np.float32)
    smooth = recolor(flat, mixture, variation=0.0, rng=np.random.default_rng(0))
    grainy = recolor(flat, mixture, variation=1.0, rng=np.random.default_rng(0))
    assert np.ptp(smooth, axis=(0, 1)).max() == 0
    assert 0.003 < grainy.std(axis=(0, 1)).mean() < 0.05
    np.testing.assert_array_equal(grainy, recolor(flat, mixture, variation=1.0,
                                                  rng=np.random.default_rng(0)))


def test_node_is_deterministic_and_tiles(tmp_path):
    path = write_exemplar(tmp_path / "bricks.png")
    check_node(registered_specs().get("stats.gmm_palette"), params={"exemplar": path})
    gray = np.ascontiguousarray(ramp(16, 16))
    a = gmm_palette(context(16, 16), input=gray, exemplar=path)
    assert a.shape == (16, 16, 3) and a.dtype == np.float32
    np.testing.assert_array_equal(a, gmm_palette(context(16, 16), input=gray, exemplar=path))
    assert not np.array_equal(a, gmm_palette(context(16, 16, seed=9), input=gray,
                                             exemplar=path))
    # The palette itself does not depend on the seed: only the draws do.
    smooth = [gmm_palette(context(16, 16, seed=s), input=gray, exemplar=path, variation=0.0)
              for s in (1, 2)]
    np.testing.assert_array_equal(*smooth)


def test_output_colors_come_from_the_exemplar(tmp_path):
    path = write_exemplar(tmp_path / "bricks.png", bricks())
    gray = np.random.default_rng(0).random((32, 32, 1)).astype(np.float32)
    out = gmm_palette(context(32, 32), input=gray, exemplar=path, components=4)
    np.testing.assert_allclose(out.reshape(-1, 3).mean(axis=0),
                               bricks().reshape(-1, 3).mean(axis=0), atol=0.05)


def test_missing_exemplar_names_the_node(tmp_path):
    with pytest.raises(ValueError, match="node 'n', parameter 'exemplar': no file given"):
        gmm_palette(context(4, 4), input=np.zeros((4, 4, 1), np.float32),
                    exemplar=None)
