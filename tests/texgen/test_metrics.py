"""texgen.metrics and ``texgen eval``: sanity of every metric on Perlin noise and white noise."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from texgen import metrics
from texgen.cli import main
from texgen.io import write_png8, write_png16
from texgen.nodes import NodeContext
from texgen.testing import seam_ratio
from texgen_filters.material import normal_map
from texgen_noise.nodes import perlin
from texgen_patterns.grids import hexagons
from texgen_patterns.periodic import checker
from texgen_patterns.tiles import bricks, tiles

SIZE = 96


def noise(seed, size=SIZE, frequency=6, **options):
    """Tileable fBm Perlin noise, float32 (size, size, 1) in [0, 1]."""
    return perlin(NodeContext(node_id="n", width=size, height=size, seed=seed, **options),
                  frequency=frequency)


@pytest.fixture(scope="module")
def textures():
    """Two seeds of one Perlin texture, and white noise of the same shape and mean."""
    first, second = noise(1), noise(2)
    white = np.random.default_rng(0).random(first.shape).astype(np.float32)
    return first, second, white


STATISTICS = [metrics.spectrum_distance, metrics.histogram_distance, metrics.patch_swd]


@pytest.mark.parametrize("metric", [metrics.mse, *STATISTICS], ids=lambda f: f.__name__)
def test_a_texture_against_itself_scores_0(textures, metric):
    first, _, _ = textures
    assert metric(first, first.copy()) == 0.0
    assert metric(first[..., 0], first[..., 0]) == 0.0, "2-D arrays are one channel"


def test_ssim_of_a_texture_with_itself_is_1(textures):
    first, second, _ = textures
    assert metrics.ssim(first, first) == pytest.approx(1.0)
    assert metrics.ssim(first, second) < 0.5


@pytest.mark.parametrize("metric", STATISTICS, ids=lambda f: f.__name__)
def test_white_noise_scores_worse_than_another_sample_of_the_texture(textures, metric):
    first, second, white = textures
    same_kind, noise_score = metric(first, second), metric(first, white)
    assert 0 < same_kind < noise_score / 3, (same_kind, noise_score)


def test_mse_and_ssim_measure_copying_not_texture_quality(textures):
    first, _, white = textures
    shifted = np.roll(first, (SIZE // 3, SIZE // 2), axis=(0, 1))  # the same texture, moved
    assert metrics.mse(first, shifted) > 0.005 and metrics.ssim(first, shifted) < 0.5
    assert metrics.histogram_distance(first, shifted) == pytest.approx(0.0, abs=1e-12)
    assert metrics.patch_swd(first, shifted) < metrics.patch_swd(first, white) / 3


def test_copying_metrics_need_one_shape_and_say_so(textures):
    first, _, _ = textures
    with pytest.raises(ValueError, match=r"mse needs two images of the same shape, got "
                                         r"\(96, 96, 1\) and \(64, 96, 1\)"):
        metrics.mse(first, first[:64])
    with pytest.raises(ValueError, match="same shape"):
        metrics.ssim(first, first[:, :50])
    with pytest.raises(ValueError, match="different numbers of channels: 1 and 3"):
        metrics.histogram_distance(first, np.repeat(first, 3, axis=2))
    with pytest.raises(ValueError, match="NaN"):
        metrics.mse(first, np.full_like(first, np.nan))


def test_ssim_without_scikit_image_says_how_to_install(textures, monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage.metrics", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install 'texgen\[metrics\]'"):
        metrics.ssim(textures[0], textures[0])


def test_statistics_accept_different_sizes():
    small = noise(1, size=64, frequency=4)
    same_scale = noise(3, size=128, frequency=8)  # features as large in pixels
    same_framing = noise(3, size=128, frequency=4)  # the same picture at twice the resolution
    pixel, width = metrics.spectrum_distance, (
        lambda a, b: metrics.spectrum_distance(a, b, frequency="width"))
    assert pixel(small, same_scale) < 0.5 * pixel(small, same_framing)
    assert width(small, same_framing) < 0.5 * width(small, same_scale)
    assert pixel(small, same_scale) == pytest.approx(pixel(same_scale, small))
    assert metrics.histogram_distance(small, same_scale) < 0.05
    assert metrics.patch_swd(small, same_scale) < 0.5 * metrics.patch_swd(
        small, np.random.default_rng(1).random((128, 80, 1)))
    non_square = noise(4, size=64)[:40]
    assert np.isfinite(metrics.spectrum_distance(small, non_square))


def test_band_power_ratio_finds_the_missing_fine_detail():
    image = np.random.default_rng(0).random((64, 64, 3))
    blurred = (image + np.roll(image, 1, 0) + np.roll(image, 1, 1)
               + np.roll(image, (1, 1), (0, 1))) / 4  # 2x2 box: |cos(pi f)|^2 per axis
    ratio = metrics.band_power_ratio(blurred, image, bands=4)
    assert ratio.shape == (4,)
    np.testing.assert_allclose(metrics.band_power_ratio(image, image), 0.0, atol=1e-12)
    assert 0 > ratio[0] > -0.3 and ratio[3] < -1.0  # fine detail lost, coarse kept
    assert np.all(np.diff(ratio) < 0)
    np.testing.assert_allclose(metrics.band_power_ratio(image, blurred, bands=4), -ratio)
    with pytest.raises(ValueError, match=r"bands must be in 1..31 .*got 32"):
        metrics.band_power_ratio(image, image, bands=32)


def test_patch_swd_is_deterministic_by_seed_and_symmetric(textures):
    first, second, _ = textures
    score = metrics.patch_swd(first, second, seed=5)
    assert metrics.patch_swd(first, second, seed=5) == score
    assert metrics.patch_swd(second, first, seed=5) == score
    other_seed = metrics.patch_swd(first, second, seed=6)
    assert other_seed != score and other_seed == pytest.approx(score, rel=0.5)
    big = noise(3, size=128)
    assert metrics.patch_swd(first, big, patches=1024) == metrics.patch_swd(big, first,
                                                                            patches=1024)


def test_a_patch_swd_reference_scores_many_images_as_patch_swd_does(textures):
    """One reference, called in turn on several images (each call must leave it as it was),
    gives each the value patch_swd gives the pair, both ways round; 0 against itself."""
    first, second, white = textures
    reference = metrics.PatchSWDReference(first, seed=3, patches=1024)
    for image in (second, white, noise(3, size=128), second):
        assert reference(image) == metrics.patch_swd(image, first, seed=3, patches=1024)
        assert reference(image) == metrics.patch_swd(first, image, seed=3, patches=1024)
    assert reference(first) == 0.0
    with pytest.raises(ValueError, match="different numbers of channels: 3 and 1"):
        reference(np.zeros((64, 64, 3)))
    with pytest.raises(ValueError, match="first image .* each side needs at least 28"):
        reference(first[:20])


def test_patches_are_the_image_squares_at_the_drawn_corners():
    image = np.random.default_rng(1).random((30, 41, 3))
    patches = metrics._patches(image, 5, 64, np.random.default_rng(8))
    corners = np.random.default_rng(8)
    ys, xs = corners.integers(0, 26, 64), corners.integers(0, 37, 64)
    expected = [image[y:y + 5, x:x + 5].ravel() for y, x in zip(ys, xs)]
    assert np.array_equal(patches, np.array(expected))


def test_patch_swd_options_and_small_images(textures):
    first, second, _ = textures
    assert metrics.patch_swd(first, second, patch_size=3, scales=1, projections=8,
                             patches=256) > 0
    with pytest.raises(ValueError, match="each side needs at least 28 pixels"):
        metrics.patch_swd(first, first[:20])
    with pytest.raises(ValueError, match="patches must be an integer >= 1"):
        metrics.patch_swd(first, second, patches=0)


def test_seam_score_is_about_1_for_a_tileable_texture_and_large_for_a_seam(textures):
    first, second, white = textures
    for tileable in (first, second, white, np.roll(first, 40, axis=1)):
        assert 0.7 < metrics.seam_score(tileable) < 1.3
    cut = noise(1, size=SIZE + 30)[:SIZE, :SIZE]  # a crop: its border is a discontinuity
    assert metrics.seam_score(cut) > 3
    assert metrics.seam_score(np.roll(cut, SIZE // 2, axis=1)) > 3, "rows still have a seam"
    moved = np.roll(np.roll(cut, SIZE // 2, axis=0), SIZE // 2, axis=1)
    assert metrics.seam_score(moved) < 1.5, "the discontinuity is now inside, not on the border"
    assert metrics.seam_score(noise(1, tileable=False)) > 3
    ramp = np.tile(np.linspace(0, 1, 32), (32, 1))
    assert metrics.seam_score(ramp) > 100 and metrics.seam_score(ramp.T) > 100
    assert metrics.seam_score(np.zeros((8, 8, 1))) == 0.0


def test_seam_score_per_axis_finds_the_axis_with_the_seam(textures):
    first, _, _ = textures
    cut_columns = noise(1)[:, :SIZE - 20]  # columns cropped: a seam across the left/right border
    rows, columns = (metrics.seam_score(cut_columns, axis=a) for a in (0, 1))
    assert 0.7 < rows < 1.3 and columns > 3
    assert metrics.seam_score(cut_columns) == columns
    assert metrics.seam_score(cut_columns.transpose(1, 0, 2), axis=0) == columns
    with pytest.raises(ValueError, match="axis must be None, 0 or 1, got 2"):
        metrics.seam_score(first, axis=2)


def test_a_periodic_textures_seam_score_scatters_by_its_step_energies_spread(textures):
    # Every circular shift of a periodic texture is the same torus with another row on the
    # border: averaged over all shifts the score is 1 (up to the border's share of the
    # interior mean), and its spread is the coefficient of variation of the row steps'
    # energies, the sampling spread that docs/metrics.md describes.
    first, _, _ = textures
    scores = np.array([metrics.seam_score(np.roll(first, k, axis=0), axis=0)
                       for k in range(SIZE)])
    wrapped = np.concatenate([first, first[:1]]).astype(np.float64)
    energies = (np.diff(wrapped, axis=0) ** 2).mean(axis=(1, 2))
    assert abs(scores.mean() - 1.0) < 0.02
    assert scores.std() == pytest.approx(energies.std() / energies.mean(), rel=0.05)


def test_boundary_steps_find_a_seam_away_from_the_border(textures):
    first = textures[0]
    seam = np.roll(noise(1, tileable=False), 23, axis=1)  # its border now runs at 22 | 23
    steps = metrics.boundary_steps(seam, axis=1)
    assert steps.shape == (SIZE,) and np.argmax(steps) == 22 and steps[22] > 3 * steps.mean()
    np.testing.assert_allclose(steps[22], np.mean((seam[:, 23] - seam[:, 22]) ** 2))
    np.testing.assert_allclose(steps[-1], np.mean((seam[:, 0] - seam[:, -1]) ** 2))
    for axis in (0, 1):
        steps = metrics.boundary_steps(first, axis=axis, power=1)
        assert metrics.seam_score(first, axis=axis, power=1) == steps[-1] / steps[:-1].mean()
    with pytest.raises(ValueError, match="need at least 2 x 2 pixels"):
        metrics.boundary_steps(np.zeros((1, 5)), axis=0)
    with pytest.raises(ValueError, match="axis must be 0 or 1"):
        metrics.boundary_steps(first, axis=None)


def _normal(height):
    """A normal map of a height field (filters.normal_map, the issue's hexagon floor)."""
    ctx = NodeContext(node_id="n", width=height.shape[1], height=height.shape[0], seed=1)
    return normal_map(ctx, height=height, strength=1.0, convention="opengl")


def _strongest_step_on_the_border(texture):
    """``texture`` rolled (still tiling perfectly) so that its strongest row and column
    boundaries fall on the wrap-around border: the worst case for a seam score."""
    for axis in (0, 1):
        k = int(np.argmax(metrics.boundary_steps(texture, axis=axis)[:-1]))
        texture = np.roll(texture, -(k + 1), axis=axis)
    return texture


@pytest.fixture(scope="module")
def patterns():
    """Tiling patterns whose lines or joints fall on the border (256 px: lines of several
    sub-pixel phases), by name."""
    ctx = NodeContext(node_id="p", width=256, height=256, seed=1)
    hexes = hexagons(ctx, count=8)
    found = {"hexagon normal map": _normal(hexes["height"]),  # the case
             "hexagon mask": hexes["mask"], "checker 2x2": checker(ctx, count=2),
             "checker 6x6": checker(ctx, count=6)}
    for name, texture in {"bricks color": bricks(ctx)["color"],
                          "bricks normal map": _normal(bricks(ctx)["height"]),
                          "tiles normal map": _normal(tiles(ctx, count=3)["height"]),
                          "hexagon normal map": found["hexagon normal map"],
                          "perlin noise": noise(1, size=256)}.items():
        found[f"{name}, strongest step on the border"] = _strongest_step_on_the_border(texture)
    return found


def test_seam_outlier_does_not_call_a_joint_on_the_border_a_seam(patterns):
    # The issue: a hexagon normal map that tiles perfectly scored 3.8 ("a seam") because
    # its left/right border falls on a hexagon edge.
    assert metrics.seam_score(patterns["hexagon normal map"]) > 3
    for name, texture in patterns.items():
        score = metrics.seam_outlier(texture)
        assert score <= 1.3 < metrics.SEAM_OUTLIER_LIMIT, (name, score)
        assert texture.shape == patterns["checker 2x2"].shape[:2] + texture.shape[2:]
    assert metrics.seam_outlier(np.zeros((8, 8, 1))) == 0.0


def test_seam_outlier_flags_real_seams_even_with_another_inside(textures):
    size = 256
    first = noise(1, size=size)
    shifted_half = first.copy()  # the lower half slides sideways: breaks in the middle too
    shifted_half[size // 2:] = np.roll(shifted_half[size // 2:], size // 3, axis=1)
    two_halves = np.concatenate([first[:, :size // 2], noise(2, size=size)[:, size // 2:]],
                                axis=1)
    seams = {"not tileable": (noise(1, size=size, tileable=False), None),
             "a crop": (noise(1, size=size + 30)[:size, :size], None),
             "shifted half": (shifted_half, 0), "halves of two seeds": (two_halves, 1)}
    for name, (texture, axis) in seams.items():
        assert metrics.seam_outlier(texture) > 2 * metrics.SEAM_OUTLIER_LIMIT, name
        if axis is not None:
            assert metrics.seam_outlier(texture, axis=axis) == metrics.seam_outlier(texture)
            assert metrics.seam_outlier(texture, axis=1 - axis) < 1.3, name
    # The same textures with their seam moved inside, away from the border, tile.
    for texture, _ in seams.values():
        moved = np.roll(np.roll(texture, size // 4, axis=0), size // 4, axis=1)
        assert metrics.seam_outlier(moved) < metrics.SEAM_OUTLIER_LIMIT
    with pytest.raises(ValueError, match="at least 4 x 4 pixels"):
        metrics.seam_outlier(np.zeros((3, 8)))
    with pytest.raises(ValueError, match="axis must be None, 0 or 1"):
        metrics.seam_outlier(first, axis=2)


def test_match_channels_compares_a_gray_exemplar_with_a_color_synthesis(textures):
    first, second, _ = textures
    as_color = np.repeat(first, 3, axis=2)  # texgen's color output of a gray texture
    synthesis, exemplar, note = metrics.match_channels(as_color, second)
    assert synthesis.shape == exemplar.shape == first.shape
    assert note == "the synthesis's color channels are equal: compared as gray"
    gray_scores = metrics.evaluate(first, second)
    color_scores = metrics.evaluate(as_color, second)
    for name in ("mse", "spectrum_distance", "histogram_distance", "patch_swd"):
        assert color_scores[name] == pytest.approx(gray_scores[name], rel=1e-6), name
    tinted = as_color * np.array([1.0, 0.8, 0.5])  # real color: its luma is compared
    synthesis, _, note = metrics.match_channels(tinted, second)
    np.testing.assert_allclose(synthesis[..., 0], first[..., 0] * (0.2126 + 0.7152 * 0.8
                                                                   + 0.0722 * 0.5), rtol=1e-6)
    assert note == "the synthesis's Rec. 709 luma is compared with the gray exemplar"
    opaque = np.concatenate([as_color, np.ones_like(first)], axis=2)
    synthesis, exemplar, note = metrics.match_channels(second, opaque)
    assert synthesis.shape == exemplar.shape == first.shape
    assert note == ("the exemplar's alpha is ignored (the other image has none); the "
                    "exemplar's color channels are equal: compared as gray")
    same = metrics.match_channels(first, second)
    assert same[2] == "" and same[0].shape == first.shape
    with pytest.raises(ValueError, match="exemplar: expected 1 to 4 channels, got 5"):
        metrics.match_channels(first, np.zeros((8, 8, 5)))


def test_seam_ratio_is_the_tolerant_form_of_seam_score(textures):
    first, _, _ = textures
    cut = noise(1, size=SIZE + 30)[:SIZE, :SIZE]
    for texture in (first, cut):
        assert seam_ratio(texture) == metrics.seam_score(texture, reference="max", power=1)
    assert seam_ratio(first) < 1.5 < seam_ratio(cut)


def test_diversity_tells_copies_from_new_samples(textures):
    first, second, white = textures
    assert metrics.diversity([first, np.roll(first, (7, 30), axis=(0, 1))]) == \
        pytest.approx(0.0, abs=1e-9)
    seeds = metrics.diversity([first, second, noise(3)])
    assert 0.4 < seeds < 1
    whites = metrics.diversity([white, np.random.default_rng(1).random(white.shape)])
    assert seeds < whites and whites > 0.9
    assert metrics.diversity([np.zeros((8, 8)), np.ones((8, 8))]) == 0.0
    with pytest.raises(ValueError, match="at least 2 textures"):
        metrics.diversity([first])
    with pytest.raises(ValueError, match="one shape"):
        metrics.diversity([first, first[:50]])


def test_evaluate_returns_the_metrics_that_apply(textures):
    first, second, white = textures
    assert list(metrics.evaluate(first)) == ["seam_score", "seam_outlier"]
    assert list(metrics.evaluate(first[:3, :3])) == ["seam_score"]
    scores = metrics.evaluate(first, second, others=[white])
    assert list(scores) == ["mse", "ssim", "spectrum_distance", "histogram_distance",
                            "patch_swd", "seam_score", "seam_outlier", "diversity"]
    assert all(isinstance(v, float) for v in scores.values())
    assert scores["patch_swd"] == metrics.patch_swd(first, second)
    resized = metrics.evaluate(first, noise(2, size=64))
    assert "mse" not in resized and "ssim" not in resized and "patch_swd" in resized


# --- texgen eval ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def images(tmp_path_factory, textures):
    folder = tmp_path_factory.mktemp("eval")
    first, second, white = textures
    paths = {"synth": folder / "synth.png", "exemplar": folder / "exemplar.png",
             "other": folder / "other.png", "small": folder / "small.png",
             "bad": folder / "bad.png"}
    write_png16(paths["synth"], first)
    write_png16(paths["exemplar"], second)
    write_png16(paths["other"], noise(3))
    write_png8(paths["small"], noise(3, size=64))
    paths["bad"].write_bytes(b"\x89PNG\r\n\x1a\n" + b"not an image")
    return {name: str(path) for name, path in paths.items()}


def run(capsys, *args):
    code = main(["eval", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_prints_a_table_with_the_copying_note(images, capsys):
    code, out, err = run(capsys, images["synth"], "--exemplar", images["exemplar"],
                         "--seeds", images["other"], images["exemplar"])
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["metric", "value", "note"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == ["mse", "ssim", "spectrum_distance", "histogram_distance", "patch_swd",
                     "seam_score", "seam_outlier", "diversity"]
    assert "measures copying, not texture quality" in lines[1]
    assert "measures copying, not texture quality" in lines[2]
    assert len({line.index(line.split()[1]) + len(line.split()[1]) for line in lines}) == 1, \
        "values are right-aligned in one column"


def test_eval_json_and_skipped_metrics(images, capsys):
    code, out, _ = run(capsys, images["synth"], "--exemplar", images["small"], "--json")
    assert code == 0
    report = json.loads(out)
    assert report["exemplar"] == images["small"] and report["seeds"] == []
    assert set(report["metrics"]) == {"spectrum_distance", "histogram_distance", "patch_swd",
                                      "seam_score", "seam_outlier"}
    assert report["seam"] is False and report["channels"] == ""
    code, out, _ = run(capsys, images["synth"], "--exemplar", images["small"])
    assert "mse" in out and "skipped: needs images of the same size" in out


@pytest.mark.parametrize("which, message", [
    ("missing", "missing.png: cannot read image"),
    ("bad", "bad.png: not a readable image"),
])
def test_eval_bad_files_exit_2_naming_the_file(images, capsys, which, message):
    path = images.get(which, str(Path(images["synth"]).with_name("missing.png")))
    for args in ([path], [images["synth"], "--exemplar", path],
                 [images["synth"], "--seeds", path]):
        code, out, err = run(capsys, *args)
        assert code == 2 and message in err and out == ""


def test_eval_refuses_mismatched_images_and_stray_arguments(images, capsys):
    code, _, err = run(capsys, images["synth"], "--seeds", images["small"])
    assert code == 2 and "small.png" in err and "shape" in err
    code, _, err = run(capsys, images["synth"], images["other"])
    assert code == 2 and "put other seeds after --seeds" in err


def test_eval_compares_texgens_color_output_with_its_gray_exemplar(images, tmp_path, capsys):
    # The issue: "1 channels, but ... has 3" for a color synthesis of a gray exemplar.
    color = tmp_path / "color.png"
    write_png16(color, np.repeat(noise(2), 3, axis=2))
    code, out, err = run(capsys, str(color), "--exemplar", images["exemplar"], "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["channels"] == "the synthesis's color channels are equal: compared as gray"
    assert report["metrics"]["mse"] == 0.0
    code, out, err = run(capsys, str(color), "--exemplar", images["exemplar"])
    assert code == 0 and "channels: the synthesis's color channels are equal" in err


def test_eval_judges_the_seam_against_the_textures_own_lines(patterns, tmp_path, capsys):
    floor, crop = tmp_path / "floor_normal.png", tmp_path / "crop.png"
    write_png16(floor, patterns["hexagon normal map"])
    write_png16(crop, noise(1, size=SIZE + 30)[:SIZE, :SIZE])
    code, out, err = run(capsys, str(floor))
    assert code == 0, err
    rows = {line.split()[0]: line for line in out.splitlines()}
    assert float(rows["seam_score"].split()[1]) > 3
    assert "tiles: the border is like the texture's own lines (<= 1.5)" in rows["seam_outlier"]
    code, out, _ = run(capsys, str(crop), "--json")
    assert code == 0 and json.loads(out)["seam"] is True
    code, out, _ = run(capsys, str(crop))
    assert "a seam: the border stands out (> 1.5)" in out
