"""stats.gmm: conditional patch sampling, tiling on the torus, determinism, errors."""

import json

import numpy as np
import pytest

import texgen
from stats_testing import (PATCH, context, edge_step_ratio, photo_brick_model,
                           registered_specs, small_model, smooth_model, write_exemplar)
from texgen import metrics
from texgen.testing import check_node, seam_ratio
from texgen_stats.model import fit_patch_model, save_model
from texgen_stats.synthesis import _blocks, _wrap_correlation, gmm, synthesize


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "bricks.npz"
    save_model(small_model(), path)
    return path


def sample(height, width, *, seed=1, tileable=True, overlap=2, tolerance=0.003):
    return synthesize(small_model(), height, width, overlap=overlap, tolerance=tolerance,
                      tileable=tileable, seed=seed)


def test_node_conformance(model_file):
    check_node(registered_specs().get("stats.gmm"), params={"model": model_file, "overlap": 2},
               sizes=((32, 32), (37, 53)))


def test_output_is_color_in_range_and_deterministic(model_file):
    out = gmm(context(40, 56), model=model_file, overlap=2)
    assert out.shape == (40, 56, 3) and out.dtype == np.float32 and out.flags.c_contiguous
    assert 0.0 <= out.min() and out.max() <= 1.0
    np.testing.assert_array_equal(out, gmm(context(40, 56), model=model_file, overlap=2))
    assert not np.array_equal(out, gmm(context(40, 56, seed=2), model=model_file, overlap=2))


def test_output_has_the_exemplars_colors():
    out = sample(48, 48)
    exemplar_mean = small_model().mixture.weights @ small_model().mixture.means
    np.testing.assert_allclose(out.reshape(-1, 3).mean(axis=0),
                               exemplar_mean.reshape(-1, 3).mean(axis=0), atol=0.08)
    assert out.std() > 0.05  # structure, not a flat average


def test_the_torus_wrap_is_about_an_ordinary_step_and_a_plain_scan_is_not():
    # Averaged over seeds, the step across the wrap-around edge is close to an interior
    # step when tileable (the closing blocks are conditioned on both sides); without
    # wrapping, the edge joins unrelated pixels.
    def ratios(tileable):
        return [edge_step_ratio(synthesize(smooth_model(), 48, 64, overlap=3,
                                           tolerance=0.003, tileable=tileable, seed=seed))
                for seed in range(6)]

    tiled, plain = np.mean(ratios(True)), np.mean(ratios(False))
    assert tiled < 1.45, tiled
    assert plain > 2 * tiled, (plain, tiled)
    assert max(seam_ratio(sample(48, 64, seed=s, overlap=3)) for s in range(4)) < 1.3


def test_the_bridge_joins_long_structure_across_the_wrap():
    # Brick's vertical joints run further than a patch: closed by the closing blocks alone,
    # the joints from above break off against row 0's (a seam across the top/bottom border);
    # bridged, the border step is an interior-like step. Mean over 6 seeds: one border
    # step scatters widely (docs/metrics.md).
    pytest.importorskip("skimage")
    model = photo_brick_model()

    def row_seam(bridge):
        return np.mean([metrics.seam_score(synthesize(
            model, 128, 96, overlap=2, tolerance=0.003, tileable=True, seed=seed,
            bridge=bridge), axis=0) for seed in range(6)])

    bridged, unbridged = row_seam(True), row_seam(False)
    assert 0.6 < bridged < 1.4, bridged
    assert unbridged > 2.0 and unbridged > 2 * bridged, (unbridged, bridged)


def test_the_bridge_follows_the_models_own_correlation():
    # A smooth texture correlates over several pixels: messages over the first lags, none
    # once the correlation has fallen below 0.1. Pixel noise does not correlate at all:
    # nothing is sent, and the output is that of the closing blocks alone, bit for bit.
    smooth = _wrap_correlation(smooth_model(), 3, 0.003)
    assert smooth.shape == (2, 12)
    assert (smooth[:, :3] > 0.4).all() and (np.diff(smooth[:, :3], axis=1) < 0).all()
    for rho in smooth:
        assert not (rho[np.argmin(rho > 0):] > 0).any(), "messages stop at the first weak lag"
    white = np.random.default_rng(0).random((48, 48, 3)).astype(np.float32)
    noise = fit_patch_model(white, patch_size=PATCH, components=2, iterations=4,
                            samples=1000, seed=0)
    np.testing.assert_array_equal(_wrap_correlation(noise, 2, 0.003), 0.0)
    np.testing.assert_array_equal(
        synthesize(noise, 30, 40, overlap=2, tolerance=0.003, tileable=True, seed=3),
        synthesize(noise, 30, 40, overlap=2, tolerance=0.003, tileable=True, seed=3,
                   bridge=False))


def test_an_untiled_scan_has_no_bridge_and_a_tiled_one_is_changed_by_it():
    plain = sample(48, 40, tileable=False)
    np.testing.assert_array_equal(plain, synthesize(
        small_model(), 48, 40, overlap=2, tolerance=0.003, tileable=False, seed=1,
        bridge=False))
    tiled = synthesize(smooth_model(), 48, 40, overlap=2, tolerance=0.003, tileable=True,
                       seed=1)
    unbridged = synthesize(smooth_model(), 48, 40, overlap=2, tolerance=0.003, tileable=True,
                           seed=1, bridge=False)
    assert not np.array_equal(tiled, unbridged)
    # Only the rows and columns before the wrap (and what the scan draws after them) change.
    np.testing.assert_array_equal(tiled[:20, :20], unbridged[:20, :20])


@pytest.mark.parametrize("size", [(1, 1), (3, 7), (PATCH, PATCH + 1), (9, 4), (23, 17)])
def test_any_size(size):
    out = sample(*size)
    assert out.shape == (*size, 3) and np.isfinite(out).all()
    assert sample(*size, tileable=False).shape == (*size, 3)


def test_every_pixel_is_sampled_once():
    # Blocks cover each axis exactly; the closing block leads into the first block.
    for size in (1, 4, 5, 6, 31, 64):
        for tileable in (True, False):
            blocks = _blocks(size, PATCH, 2, tileable)
            assert blocks.starts[0] == 0 and blocks.sizes.sum() == size
            np.testing.assert_array_equal(np.diff(blocks.starts), blocks.sizes[:-1])
            assert (blocks.sizes > 0).all()
    closing = _blocks(64, 7, 3, True)
    assert closing.sizes[-1] == 3 and closing.leads[-1] == 2 and closing.leads[0] == 3
    assert _blocks(64, 7, 3, False).sizes[-1] == 4


def test_automatic_overlap_is_half_the_patch(model_file):
    np.testing.assert_array_equal(gmm(context(24, 24), model=model_file, overlap=0),
                                  gmm(context(24, 24), model=model_file, overlap=2))


def test_a_guide_steers_dark_and_bright_components(model_file):
    dark, bright = (np.full((40, 40, 1), value, np.float32) for value in (0.0, 1.0))
    means = [gmm(context(40, 40, seed=s), guide=g, model=model_file, guide_strength=50.0).mean()
             for g in (dark, bright) for s in (1, 2)]
    assert max(means[:2]) + 0.03 < min(means[2:]), means
    half = np.concatenate([dark[:20], bright[20:]])
    out = gmm(context(40, 40), guide=half, model=model_file, guide_strength=50.0)
    assert out[:18].mean() + 0.03 < out[22:].mean()


def test_no_guide_or_zero_strength_is_the_plain_sampler(model_file):
    plain = gmm(context(24, 32), model=model_file)
    guide = np.random.default_rng(0).random((24, 32, 1)).astype(np.float32)
    np.testing.assert_array_equal(plain, gmm(context(24, 32), guide=guide, model=model_file,
                                             guide_strength=0.0))
    assert not np.array_equal(plain, gmm(context(24, 32), guide=guide, model=model_file))


def test_overlap_and_tolerance_change_the_output():
    base = sample(32, 32)
    assert not np.array_equal(base, sample(32, 32, overlap=3))
    assert not np.array_equal(base, sample(32, 32, tolerance=0.0))


def test_renders_from_a_preset_with_a_relative_model_path(tmp_path, model_file):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "b.npz").write_bytes(model_file.read_bytes())
    preset = {"texgen": 1, "name": "g", "size": [40, 24], "seed": 5,
              "nodes": {"g": {"type": "stats.gmm", "model": "models/b.npz", "overlap": 2}},
              "outputs": {"basecolor": "g"}}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(preset))
    out = texgen.Engine().render(path)["basecolor"]
    assert out.shape == (24, 40, 3)


@pytest.mark.parametrize("params, message", [
    ({"model": ""}, "parameter 'model': no file given"),
    ({"model": "absent.npz"}, "parameter 'model': absent.npz: cannot read model"),
    ({"model": "bricks.png"}, "not an .npz archive"),
    ({"overlap": 5}, "parameter 'overlap': must be 0 \\(automatic\\) or 1..4 for this model's "
                     "5x5 patches, got 5"),
])
def test_errors_name_the_node_and_parameter(tmp_path, monkeypatch, model_file, params,
                                            message):
    monkeypatch.chdir(tmp_path)
    write_exemplar(tmp_path / "bricks.png")
    kwargs = {"model": model_file, "overlap": 2, **params}
    with pytest.raises(ValueError, match=message) as info:
        gmm(context(16, 16), **kwargs)
    assert "node 'n'" in str(info.value)
