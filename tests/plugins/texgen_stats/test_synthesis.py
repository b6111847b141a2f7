"""stats.gmm: conditional patch sampling, tiling on the torus, determinism, errors."""

import json

import numpy as np
import pytest
from stats_testing import (
    PATCH,
    bricks,
    context,
    edge_step_ratio,
    photo_brick_model,
    registered_specs,
    small_model,
    smooth_model,
    two_level_model,
    write_exemplar,
)

import texgen
from texgen import metrics
from texgen.testing import check_node, seam_ratio
from texgen_stats import synthesis
from texgen_stats.model import fit_patch_model, save_model
from texgen_stats.scales import downsample
from texgen_stats.synthesis import (
    _blocks,
    _Canvas,
    _runs_horizontally,
    _sample,
    _strip_layout,
    _transposed,
    gmm,
    synthesize,
)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "bricks.npz"
    save_model(small_model(), path)
    return path


def sample(height, width, *, seed=1, tileable=True, overlap=2, tolerance=0.003,
           weight_tolerance=None):
    return synthesize(small_model(), height, width, overlap=overlap, tolerance=tolerance,
                      weight_tolerance=weight_tolerance,
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


def test_the_closing_strip_joins_long_structure_better_than_a_closing_row(monkeypatch):
    # Brick's joints run further than a patch. One row of closing blocks (what a canvas too
    # short for the strip gets) breaks every joint off along the top/bottom border; the
    # strip spreads the breaks over its height. Mean over seeds: one border step scatters
    # widely (docs/metrics.md).
    pytest.importorskip("skimage")
    model = photo_brick_model()

    def row_seam():
        return np.mean([metrics.seam_score(synthesize(
            model, 96, 96, overlap=2, tolerance=0.003, tileable=True, seed=seed), axis=0)
            for seed in range(10)])

    with_strip = row_seam()
    monkeypatch.setattr(synthesis, "_STRIP_BLOCKS", 1)
    with_row = row_seam()
    assert with_strip < 2.0 and with_strip < 0.5 * with_row, (with_strip, with_row)


def test_the_staggered_rows_close_on_a_diagonal():
    # A block closes its block row when the pixels right after it are drawn already. Each
    # block row of the scan closes one step (3 px) right of the row above, every 4th one
    # column less: the closings lie on a diagonal, and no column collects them. Below the
    # scan, the closing strip's last band closes the strip against its first.
    closings = {"scan": {}, "strip": {}}

    class Recording(_Canvas):
        phase = "scan"

        def draw(self, rows, cols, exists, new):
            height, width = self.drawn.shape
            for r, c, n in zip(rows % height, cols % width, new):
                own_rows, own_cols = r[n.any(axis=1)], c[n.any(axis=0)]
                if self.drawn[own_rows, (own_cols[-1] + 1) % width].all():
                    closings[self.phase].setdefault(int(own_rows[0]), []).append(
                        int(own_cols[0]))
            super().draw(rows, cols, exists, new)

        def close(self, count, cols, **options):
            self.phase = "strip"
            super().close(count, cols, **options)

    Recording(small_model(), 96, 48, 2, 0.003, None, 0, None).scan(True)
    # The scan's block rows start 51 rows up, at the strip's top (the warm-up: the strip's
    # 48 rows and the last block row), with block row r's closing 3r - r // 4 columns
    # right of the first's (45): row 0 is block row 17.
    assert synthesis._SLIP_EVERY == 4
    assert closings["scan"] == {(45 + 3 * r) % 96: [(45 + 3 * r - r // 4) % 48]
                                for r in range(32)}
    assert {tuple(found) for found in closings["strip"].values()} == {
        (45,) * synthesis._CANDIDATES}


def test_the_left_right_border_crosses_every_place_of_the_blocks():
    # The sampler's column steps run in a pattern of the block width, so a border at one
    # place of every row's blocks scores that place's step, not the mean. On a torus
    # 50 wide (like 512, 2 more than a multiple of the 3-pixel step) the slipped rows move
    # column 0 through the first, second and third column of a block in turn.
    places = []

    class Recording(_Canvas):
        scanning = True

        def draw(self, rows, cols, exists, new):
            if self.scanning:
                for c, n in zip(cols % self.drawn.shape[1], new):
                    own = list(c[n.any(axis=0)])
                    if 0 in own:
                        places.append(own.index(0))
            super().draw(rows, cols, exists, new)

        def close(self, count, cols, **options):
            self.scanning = False
            super().close(count, cols, **options)

    Recording(small_model(), 96, 50, 2, 0.003, None, 0, None).scan(True)
    assert len(places) == 32  # one block per scan block row holds column 0
    assert all(places.count(place) >= 8 for place in range(3)), places


def test_the_torus_scan_warms_up_on_the_strips_rows():
    # Row 0 is conditioned on the rows above it, across the wrap, like every later row:
    # the scan starts at the closing strip's top row. The strip draws its rows again; the
    # last block row, between the strip and row 0, is kept (test_every_pixel_is_drawn).
    conditioned_above = []

    class Recording(_Canvas):
        def draw(self, rows, cols, exists, new):
            height, width = self.drawn.shape
            for r, c, e, n in zip(rows % height, cols % width, exists, new):
                if r[n.any(axis=1)][0] == 0:
                    known = e & ~n & self.drawn[np.ix_(r, c)]
                    conditioned_above.append(known[:2].any() and set(r[:2]) == {94, 95})
            super().draw(rows, cols, exists, new)

    canvas = Recording(small_model(), 96, 48, 2, 0.003, None, 0, None)
    canvas.scan(True)
    assert len(conditioned_above) >= 16 and all(conditioned_above)
    assert canvas.drawn.all()


def test_the_closing_strip_keeps_the_smoothest_meeting_of_its_candidates():
    # Each band is drawn _CANDIDATES times; the kept one has the least step energy across
    # the boundaries its meeting block touches.
    energies, kept = [], []

    class Recording(_Canvas):
        def _draw_in_band(self, strip, blocks, col_index, col_new):
            super()._draw_in_band(strip, blocks, col_index, col_new)
            meeting = int(np.flatnonzero(strip.leads == 1)[0])
            if list(blocks) == [meeting]:  # a candidate is complete
                top = strip.starts[meeting]
                rows = np.arange(top - 1, top + strip.sizes[meeting] + 1) % self.drawn.shape[0]
                band = col_index[0][col_new[0]]
                edge = self.pixels[np.ix_(rows, band)]
                energies.append(float(np.square(np.diff(edge, axis=0)).sum()))
                kept.append((band, self.pixels[strip.starts[0]:strip.end, band].copy()))

    canvas = Recording(small_model(), 96, 48, 2, 0.003, None, 0, None)
    canvas.scan(True)
    count = synthesis._CANDIDATES
    assert count > 1 and len(energies) == 16 * count  # 16 bands of 3 columns
    for band in range(16):
        tries = slice(band * count, (band + 1) * count)
        best = band * count + int(np.argmin(energies[tries]))
        columns, pixels = kept[best]
        assert len(set(np.round(energies[tries], 9))) == count  # the candidates differ
        np.testing.assert_array_equal(canvas.pixels[45:93, columns], pixels)


def test_the_scan_runs_along_the_longer_correlation():
    # brick's joints are vertical: its scan runs in the transposed frame, so a model of
    # the transposed patches, which runs horizontally, gives the same texture transposed.
    pytest.importorskip("skimage")
    model = photo_brick_model()
    assert not _runs_horizontally(model) and _runs_horizontally(_transposed(model))
    np.testing.assert_array_equal(
        synthesize(_transposed(model), 40, 70, overlap=2, tolerance=0.003, tileable=True,
                   seed=4),
        synthesize(model, 70, 40, overlap=2, tolerance=0.003, tileable=True,
                   seed=4).transpose(1, 0, 2))
    twice = _transposed(_transposed(model)).mixture
    np.testing.assert_array_equal(twice.covariances, model.mixture.covariances)
    np.testing.assert_array_equal(twice.means, model.mixture.means)


class _CountingCanvas(_Canvas):
    """Counts how often each pixel is drawn, and checks that no block of a call reads a
    pixel that the same call draws (it would read a value from before it is drawn)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.times = np.zeros(self.drawn.shape, int)

    def draw(self, rows, cols, exists, new):
        height, width = self.drawn.shape
        drawn_now = np.zeros(self.drawn.shape, int)
        read_now = np.zeros(self.drawn.shape, int)
        for r, c, e, n in zip(rows % height, cols % width, exists, new):
            # np.add.at: an untiled window clamps at the edge, repeating pixels
            np.add.at(drawn_now, np.ix_(r, c), n)
            np.add.at(read_now, np.ix_(r, c), e & ~n & self.drawn[np.ix_(r, c)])
        assert not ((read_now > 0) & (drawn_now > 0)).any(), "a block reads what a block draws"
        self.times += drawn_now
        super().draw(rows, cols, exists, new)


@pytest.mark.parametrize("height, width, patch, overlap", [
    (64, 48, 5, 2), (90, 37, 5, 2), (23, 17, 5, 2), (7, 9, 5, 2), (81, 64, 7, 3),
    (70, 50, 5, 1), (70, 50, 5, 4)])
@pytest.mark.parametrize("tileable", [True, False])
def test_every_pixel_is_drawn(height, width, patch, overlap, tileable):
    model = fit_patch_model(bricks(), patch_size=patch, components=2, iterations=2,
                            samples=300, seed=0)
    canvas = _CountingCanvas(model, height, width, overlap, 0.003, None, 0, None)
    canvas.scan(tileable)
    # The closing strip's rows: drawn by the scan's warm-up, then by each candidate band.
    # The last block row below them is drawn by the warm-up only.
    strip = _strip_layout(height, patch, overlap, 0) if tileable else None
    expected = np.ones((height, width), int)
    if strip is not None:
        assert strip.end == height - (patch - overlap)
        expected[strip.starts[0]:height - (patch - overlap)] += synthesis._CANDIDATES
    np.testing.assert_array_equal(canvas.times, expected)


def test_a_coarser_levels_strip_runs_to_the_bottom():
    canvas = _CountingCanvas(small_model(), 64, 48, 2, 0.003, None, 0, None)
    canvas.scan(True, finest=False)
    strip = _strip_layout(64, PATCH, 2, 0, keep_last_row=False)
    expected = np.ones((64, 48), int)
    expected[strip.starts[0]:] += synthesis._CANDIDATES  # no row drawn by the warm-up only
    np.testing.assert_array_equal(canvas.times, expected)


def test_the_closing_strip_meets_between_two_fronts():
    # 16 blocks of 3 rows, the meeting block (3 rows, 1 row of lead on each side) after
    # `meeting` blocks led from above; the blocks after it are led by none (conditioned
    # on the rows below them), the last on the last block row (125-127).
    strip = _strip_layout(128, 5, 2, 5)
    assert strip.end == 125 and strip.sizes.sum() == 48
    np.testing.assert_array_equal(np.diff(strip.starts), strip.sizes[:-1])
    np.testing.assert_array_equal(strip.leads, [2] * 5 + [1] + [0] * 10)
    rows, _, new = strip.windows(np.array([15]), 5)
    np.testing.assert_array_equal(rows[0], [122, 123, 124, 125, 126])
    np.testing.assert_array_equal(new[0], [True, True, True, False, False])
    assert len(_strip_layout(30, 5, 2, 0).starts) == 7   # fewer on a short canvas
    # A coarser level's strip runs to the bottom, its last block up from row 0.
    coarse = _strip_layout(128, 5, 2, 5, keep_last_row=False)
    assert coarse.end == 128 and coarse.sizes.sum() == 48
    rows, _, _ = coarse.windows(np.array([15]), 5)
    np.testing.assert_array_equal(rows[0], [125, 126, 127, 0, 1])
    assert _strip_layout(10, 5, 2, 0) is None            # no room: a closing row instead


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


def test_overlap_and_tolerances_change_the_output():
    base = sample(32, 32)
    assert not np.array_equal(base, sample(32, 32, overlap=3))
    assert not np.array_equal(base, sample(32, 32, tolerance=0.0))
    # weight_tolerance defaults to tolerance; set apart, it changes the components chosen.
    np.testing.assert_array_equal(base, sample(32, 32, weight_tolerance=0.003))
    assert not np.array_equal(base, sample(32, 32, weight_tolerance=0.03))


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


def two_level(height, width, *, seed=1, tileable=True, guide=None):
    return synthesize(two_level_model(), height, width, overlap=2, tolerance=0.0001,
                      weight_tolerance=0.003, tileable=tileable, seed=seed, guide=guide,
                      guide_strength=0.0 if guide is None else 50.0)


@pytest.mark.parametrize("size", [(1, 1), (3, 7), (23, 17), (40, 56)])
def test_a_two_level_model_samples_any_size_deterministically(size):
    out = two_level(*size)
    assert out.shape == (*size, 3) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    np.testing.assert_array_equal(out, two_level(*size))
    assert two_level(*size, tileable=False).shape == (*size, 3)
    if size[0] > 1:
        assert not np.array_equal(out, two_level(*size, seed=2))


def test_the_fine_level_follows_the_coarse_one():
    # Sampled in the scan's own frame (untiled: no transposition), the 2x2 average of the
    # output is close to the coarse level it was conditioned on, and unrelated to another.
    model = two_level_model()
    options = dict(overlap=2, tolerances=(0.0001, 0.003), tileable=False, guide=None,
                   guide_strength=0.0)
    fine = downsample(_sample(model, 64, 64, seed=5, **options))
    coarse = _sample(model.coarser, 32, 32, seed=5, level=1, **options)
    other = _sample(model.coarser, 32, 32, seed=6, level=1, **options)

    def correlation(a, b):
        return np.corrcoef(a.ravel(), b.ravel())[0, 1]

    assert correlation(fine, coarse) > 0.8, correlation(fine, coarse)
    assert abs(correlation(fine, other)) < 0.3


def test_a_two_level_model_tiles():
    ratios = [edge_step_ratio(two_level(48, 64, seed=seed)) for seed in range(6)]
    plain = [edge_step_ratio(two_level(48, 64, seed=seed, tileable=False)) for seed in range(6)]
    assert np.mean(ratios) < 1.45 and np.mean(plain) > 2 * np.mean(ratios), (ratios, plain)


def test_only_the_finest_level_slips_and_keeps_its_last_block_row(monkeypatch):
    # A coarser level's border reaches the output only through the parents; slipping its
    # rows cost the two-level model patch-SWD, and keeping its last block row roughened
    # the output's top/bottom border (benchmarks/RESULTS.md).
    scans = []

    class Recording(_Canvas):
        def scan(self, tileable, *, finest=True):
            scans.append((self.drawn.shape, finest))
            super().scan(tileable, finest=finest)

    monkeypatch.setattr(synthesis, "_Canvas", Recording)
    two_level(40, 30)
    assert sorted(scans) == [((15, 20), False), ((30, 40), True)]


def test_transposing_a_two_level_model_transposes_its_parents():
    model = two_level_model()
    once = _transposed(model)
    parents = model.mixture.means[:, 75:].reshape(-1, 3, 3, 3)
    np.testing.assert_array_equal(once.mixture.means[:, 75:].reshape(-1, 3, 3, 3),
                                  parents.transpose(0, 2, 1, 3))
    np.testing.assert_array_equal(once.coarser.mixture.means.reshape(-1, 5, 5, 3),
                                  model.coarser.mixture.means.reshape(-1, 5, 5, 3).transpose(
                                      0, 2, 1, 3))
    twice = _transposed(once)
    np.testing.assert_array_equal(twice.mixture.covariances, model.mixture.covariances)
    np.testing.assert_array_equal(twice.coarser.mixture.covariances,
                                  model.coarser.mixture.covariances)


def test_a_guide_steers_a_two_level_model():
    dark, bright = (np.full((32, 32, 1), value, np.float32) for value in (0.0, 1.0))
    assert two_level(32, 32, guide=dark).mean() + 0.05 < two_level(32, 32, guide=bright).mean()


def test_the_node_reads_a_two_level_model(tmp_path):
    save_model(two_level_model(), tmp_path / "two.npz")
    out = gmm(context(24, 40), model=tmp_path / "two.npz")
    np.testing.assert_array_equal(out, synthesize(
        two_level_model(), 24, 40, overlap=2, tolerance=0.0001, weight_tolerance=0.003,
        tileable=True, seed=1))


def test_untiled_windows_do_not_wrap_and_read_clamped_parents():
    # Past an untiled edge a window's pixels do not exist; its parents are read at the
    # edge (clamped, as the fit saw them), never from the opposite side.
    seen = []

    class Recording(_Canvas):
        def draw(self, rows, cols, exists, new):
            seen.extend(zip(rows, cols))
            super().draw(rows, cols, exists, new)

    model = two_level_model()
    Recording(model, 13, 13, 2, 0.0001, 0.003, 0, None, np.zeros((13, 13, 3))).scan(False)
    assert all((np.diff(r) == 1).all() and (np.diff(c) == 1).all() for r, c in seen)
    assert min(c.min() for _, c in seen) < 0 and max(c.max() for _, c in seen) >= 13
