"""stats.gmm: conditional patch sampling, tiling on the torus, determinism, errors."""

import json

import numpy as np
import pytest
from stats_testing import (
    PATCH,
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
from texgen_stats.model import save_model
from texgen_stats.scales import downsample
from texgen_stats.synthesis import (
    CANDIDATES,
    gmm,
    prepare,
    scan_plan,
    synthesize,
    synthesize_levels,
)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "bricks.npz"
    save_model(small_model(), path)
    return path


def sample(height, width, *, seed=1, tileable=True, overlap=2, tolerance=0.003,
           weight_tolerance=None, **options):
    return synthesize(small_model(), height, width, overlap=overlap, tolerance=tolerance,
                      weight_tolerance=weight_tolerance, tileable=tileable, seed=seed,
                      **options)


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


def test_the_closing_strip_joins_long_structure_better_than_a_closing_row():
    # Brick's joints run further than a patch. One row of closing blocks (strip_blocks=1,
    # what a canvas too short for the strip gets) breaks every joint off along the
    # top/bottom border; the strip spreads the breaks over its height. Mean over seeds: one
    # border step scatters widely (docs/metrics.md).
    pytest.importorskip("skimage")
    model = photo_brick_model()

    def row_seam(strip_blocks):
        return np.mean([metrics.seam_score(synthesize(
            model, 96, 96, overlap=2, tolerance=0.003, tileable=True, seed=seed,
            strip_blocks=strip_blocks), axis=0) for seed in range(10)])

    with_strip, with_row = row_seam(16), row_seam(1)
    assert with_strip < 2.0 and with_strip < 0.5 * with_row, (with_strip, with_row)


def plan_of(height, width, *, patch=PATCH, overlap=2, tileable=True, **options):
    return scan_plan(height, width, patch=patch, overlap=overlap, tileable=tileable,
                     **options)


def replay(plan, groups, drawn):
    """Each block of ``groups`` in drawing order, as (window rows, window columns, known,
    new), its indices placed on the canvas as the sampler places them (wrapped on the
    torus, else clamped), ``known`` the window pixels drawn before its group; marks each
    group's pixels in ``drawn`` after its blocks."""
    height, width = drawn.shape
    for group in groups:
        if plan.cols.tileable:
            rows, cols = group.rows % height, group.cols % width
        else:
            rows, cols = np.clip(group.rows, 0, height - 1), np.clip(group.cols, 0, width - 1)
        blocks = [(r, c, e & ~n & drawn[np.ix_(r, c)], n)
                  for r, c, e, n in zip(rows, cols, group.exists, group.new)]
        yield from blocks
        for r, c, _, n in blocks:
            drawn[np.ix_(r, c)] |= n


def strip_rows(plan):
    return slice(plan.strip.starts[0], plan.strip.end)


def test_the_staggered_rows_close_on_a_diagonal():
    # A block closes its block row when the pixels right after it are drawn already. Each
    # block row of the scan closes one step (3 px) right of the row above, every 4th one
    # column less: the closings lie on a diagonal, and no column collects them. In the
    # closing strip, only the last band closes, against the first.
    plan = plan_of(96, 48)
    drawn = np.zeros((96, 48), bool)
    closings = {"scan": {}, "strip": {}}

    def record(phase, groups):
        for rows, cols, _, new in replay(plan, groups, drawn):
            own_rows, own_cols = rows[new.any(axis=1)], cols[new.any(axis=0)]
            if drawn[own_rows, (own_cols[-1] + 1) % 48].all():
                closings[phase].setdefault(int(own_rows[0]), []).append(int(own_cols[0]))

    record("scan", plan.scan_groups())
    drawn[strip_rows(plan)] = False
    for band in range(len(plan.cols.starts)):
        record("strip", plan.band_groups(band))
    # The scan's block rows start 51 rows up, at the strip's top (the warm-up: the strip's
    # 48 rows and the last block row), with block row r's closing 3r - r // 4 columns
    # right of the first's (45): row 0 is block row 17.
    assert plan.warm_up == 51
    assert closings["scan"] == {(45 + 3 * r) % 96: [(45 + 3 * r - r // 4) % 48]
                                for r in range(32)}
    assert {tuple(found) for found in closings["strip"].values()} == {(45,)}


def test_the_left_right_border_crosses_every_place_of_the_blocks():
    # The sampler's column steps run in a pattern of the block width, so a border at one
    # place of every row's blocks scores that place's step, not the mean. On a torus
    # 50 wide (like 512, 2 more than a multiple of the 3-pixel step) the slipped rows move
    # column 0 through the first, second and third column of a block in turn.
    plan = plan_of(96, 50)
    places = [list(cols[new.any(axis=0)]).index(0)
              for _, cols, _, new in replay(plan, plan.scan_groups(), np.zeros((96, 50), bool))
              if 0 in cols[new.any(axis=0)]]
    assert len(places) == 32  # one block per scan block row holds column 0
    assert all(places.count(place) >= 8 for place in range(3)), places
    # Only the finest level slips: a coarser level's rows advance a whole step each.
    coarse = plan_of(96, 50, finest=False)
    np.testing.assert_array_equal(coarse.shifts, np.arange(len(coarse.rows.starts)) * 3 % 50)


def test_the_torus_scan_warms_up_on_the_strips_rows():
    # Row 0 is conditioned on the rows above it, across the wrap, like every later row:
    # the scan starts at the closing strip's top row.
    plan = plan_of(96, 48)
    conditioned_above = [known[:2].any() and set(rows[:2]) == {94, 95}
                         for rows, _, known, new in replay(plan, plan.scan_groups(),
                                                           np.zeros((96, 48), bool))
                         if rows[new.any(axis=1)][0] == 0]
    assert len(conditioned_above) >= 16 and all(conditioned_above)


def test_the_closing_strip_keeps_the_smoothest_of_its_candidates():
    # Each band is drawn `candidates` times and the draw whose meeting block joins its
    # fronts with the least step energy is kept: the strip's meetings come out smoother
    # than with one draw, and nothing outside the strip changes. (In the scan's frame: the
    # scan turns a model whose pixels correlate further horizontally.)
    turned = prepare(small_model()).runs_horizontally
    plan = plan_of(96, 48)
    strip = strip_rows(plan)
    outside = np.ones(96, bool)
    outside[strip] = False

    def meeting_energy(texture):
        total = 0.0
        for band in range(len(plan.cols.starts)):
            rows, meeting = plan.band(band), plan.meetings[band]
            top = rows.starts[meeting]
            joins = np.arange(top - 1, top + rows.sizes[meeting] + 1) % 96
            columns = slice(plan.cols.starts[band], plan.cols.starts[band] + plan.cols.sizes[band])
            total += np.square(np.diff(texture[joins, columns], axis=0)).sum()
        return total

    energies = {1: [], CANDIDATES: []}
    for seed in range(6):
        one, best = (sample(*((48, 96) if turned else (96, 48)), seed=seed,
                            candidates=count) for count in energies)
        if turned:
            one, best = one.transpose(1, 0, 2), best.transpose(1, 0, 2)
        np.testing.assert_array_equal(one[outside], best[outside])
        assert not np.array_equal(one[strip], best[strip])
        energies[1].append(meeting_energy(one))
        energies[CANDIDATES].append(meeting_energy(best))
    assert CANDIDATES > 1 and np.mean(energies[CANDIDATES]) < 0.8 * np.mean(energies[1]), \
        energies


def test_the_scan_runs_along_the_longer_correlation():
    # brick's joints are vertical: its scan runs in the upright frame, and a model of the
    # transposed patches, which runs horizontally, gives the same texture transposed.
    pytest.importorskip("skimage")
    model = photo_brick_model()
    assert not prepare(model).runs_horizontally
    assert prepare(model.transposed()).runs_horizontally
    np.testing.assert_array_equal(
        synthesize(model.transposed(), 40, 70, overlap=2, tolerance=0.003, tileable=True,
                   seed=4),
        synthesize(model, 70, 40, overlap=2, tolerance=0.003, tileable=True,
                   seed=4).transpose(1, 0, 2))


@pytest.mark.parametrize("height, width, patch, overlap", [
    (64, 48, 5, 2), (90, 37, 5, 2), (23, 17, 5, 2), (7, 9, 5, 2), (81, 64, 7, 3),
    (70, 50, 5, 1), (70, 50, 5, 4)])
@pytest.mark.parametrize("tileable", [True, False])
@pytest.mark.parametrize("finest", [True, False])
def test_the_plan_draws_every_pixel_once_and_never_reads_what_it_draws(
        height, width, patch, overlap, tileable, finest):
    plan = plan_of(height, width, patch=patch, overlap=overlap, tileable=tileable,
                   finest=finest)
    drawn = np.zeros((height, width), bool)

    def count(groups):
        times = np.zeros((height, width), int)
        for group in groups:
            now = np.zeros((height, width), int)
            read = np.zeros((height, width), int)
            for rows, cols, known, new in replay(plan, [group], drawn.copy()):
                # np.add.at: an untiled window clamps at the edge, repeating pixels
                np.add.at(now, np.ix_(rows, cols), new)
                np.add.at(read, np.ix_(rows, cols), known)
            assert not ((read > 0) & (now > 0)).any(), "a block reads what a block draws"
            times += now
            drawn[now > 0] = True
        return times

    np.testing.assert_array_equal(count(plan.scan_groups()), 1)
    if plan.strip is None:
        assert plan.warm_up == 0 and not len(plan.meetings)
        return
    # The closing strip ends one block row above the bottom (that row is kept from the
    # warm-up), or at the bottom on a coarser level; its bands redraw its rows once each.
    assert tileable and plan.strip.end == height - (patch - overlap) * finest
    assert plan.warm_up == height - plan.strip.starts[0]
    drawn[strip_rows(plan)] = False
    bands = sum(count(plan.band_groups(band)) for band in range(len(plan.cols.starts)))
    expected = np.zeros((height, width), int)
    expected[strip_rows(plan)] = 1
    np.testing.assert_array_equal(bands, expected)


def test_the_closing_strip_meets_between_two_fronts():
    # 16 blocks of 3 rows, the meeting block (3 rows, 1 row of lead on each side) after
    # `meeting` blocks led from above; the blocks after it are led by none (conditioned
    # on the rows below them), the last on the last block row (125-127). The meeting
    # moves one block per band, up and down the strip.
    plan = plan_of(128, 96)
    assert list(plan.meetings[:4]) == [7, 6, 5, 4]
    assert sorted(set(plan.meetings)) == list(range(16))
    strip = plan.band(2)
    assert strip.end == 125 and strip.sizes.sum() == 48
    np.testing.assert_array_equal(np.diff(strip.starts), strip.sizes[:-1])
    np.testing.assert_array_equal(strip.leads, [2] * 5 + [1] + [0] * 10)
    rows, _, new = strip.windows(np.array([15]), 5)
    np.testing.assert_array_equal(rows[0], [122, 123, 124, 125, 126])
    np.testing.assert_array_equal(new[0], [True, True, True, False, False])
    assert len(plan_of(30, 48).strip.starts) == 7        # fewer on a short canvas
    assert len(plan_of(128, 48, strip_blocks=8).strip.starts) == 8
    # A coarser level's strip runs to the bottom, its last block up from row 0.
    coarse = plan_of(128, 96, finest=False).band(2)
    assert coarse.end == 128 and coarse.sizes.sum() == 48
    rows, _, _ = coarse.windows(np.array([15]), 5)
    np.testing.assert_array_equal(rows[0], [125, 126, 127, 0, 1])
    # No room, or strip_blocks=1: a row of closing blocks, like the columns'.
    for plan in (plan_of(10, 48), plan_of(128, 48, strip_blocks=1)):
        assert plan.strip is None and plan.rows.leads[-1] == 1


@pytest.mark.parametrize("size", [(1, 1), (3, 7), (PATCH, PATCH + 1), (9, 4), (23, 17)])
def test_any_size(size):
    out = sample(*size)
    assert out.shape == (*size, 3) and np.isfinite(out).all()
    assert sample(*size, tileable=False).shape == (*size, 3)


def test_every_pixel_is_sampled_once():
    # Blocks cover each axis exactly; the closing block leads into the first block.
    for size in (1, 4, 5, 6, 31, 64):
        for tileable in (True, False):
            blocks = plan_of(8, size, tileable=tileable).cols
            assert blocks.starts[0] == 0 and blocks.sizes.sum() == size
            np.testing.assert_array_equal(np.diff(blocks.starts), blocks.sizes[:-1])
            assert (blocks.sizes > 0).all()
    closing = plan_of(8, 64, patch=7, overlap=3).cols
    assert closing.sizes[-1] == 3 and closing.leads[-1] == 2 and closing.leads[0] == 3
    assert plan_of(8, 64, patch=7, overlap=3, tileable=False).cols.sizes[-1] == 4


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
    ({"model": None}, "parameter 'model': no file given"),
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


def test_a_prepared_model_renders_the_same_and_keeps_its_factors():
    model = small_model()
    prepared = prepare(model)
    # The tileable scan's frame: the model turned when it runs horizontally.
    factors = prepared.transposed if prepared.runs_horizontally else prepared.upright
    assert not factors.conditionals
    out = sample(40, 32)
    np.testing.assert_array_equal(out, synthesize(
        prepared, 40, 32, overlap=2, tolerance=0.003, tileable=True, seed=1))
    kept = dict(factors.conditionals)
    assert kept
    # Another tolerance gets factors of its own; the first ones are reused as they were.
    np.testing.assert_array_equal(sample(40, 32, tolerance=0.01), synthesize(
        prepared, 40, 32, overlap=2, tolerance=0.01, tileable=True, seed=1))
    np.testing.assert_array_equal(out, synthesize(
        prepared, 40, 32, overlap=2, tolerance=0.003, tileable=True, seed=1))
    assert all(factors.conditionals[key] is value for key, value in kept.items())


@pytest.mark.parametrize("options", [{"strip_blocks": 0}, {"candidates": 0}])
def test_strip_options_must_be_positive(options):
    with pytest.raises(ValueError, match="at least 1"):
        sample(16, 16, **options)


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
    # Untiled (no transposition), the 2x2 average of the output is close to the coarse
    # level it was conditioned on, and unrelated to another seed's.
    def levels(seed):
        return synthesize_levels(two_level_model(), 64, 64, overlap=2, tolerance=0.0001,
                                 weight_tolerance=0.003, tileable=False, seed=seed)

    fine, coarse = levels(5)
    assert fine.shape == (64, 64, 3) and coarse.shape == (32, 32, 3)
    np.testing.assert_array_equal(fine, two_level(64, 64, seed=5, tileable=False))
    other = levels(6)[1]

    def correlation(a, b):
        return np.corrcoef(a.ravel(), b.ravel())[0, 1]

    assert correlation(downsample(fine), coarse) > 0.8, correlation(downsample(fine), coarse)
    assert abs(correlation(downsample(fine), other)) < 0.3


def test_a_two_level_model_tiles():
    ratios = [edge_step_ratio(two_level(48, 64, seed=seed)) for seed in range(6)]
    plain = [edge_step_ratio(two_level(48, 64, seed=seed, tileable=False)) for seed in range(6)]
    assert np.mean(ratios) < 1.45 and np.mean(plain) > 2 * np.mean(ratios), (ratios, plain)


def test_a_guide_steers_a_two_level_model():
    dark, bright = (np.full((32, 32, 1), value, np.float32) for value in (0.0, 1.0))
    assert two_level(32, 32, guide=dark).mean() + 0.05 < two_level(32, 32, guide=bright).mean()


def test_the_node_reads_a_two_level_model(tmp_path):
    save_model(two_level_model(), tmp_path / "two.npz")
    out = gmm(context(24, 40), model=tmp_path / "two.npz")
    np.testing.assert_array_equal(out, synthesize(
        two_level_model(), 24, 40, overlap=2, tolerance=0.0001, weight_tolerance=0.003,
        tileable=True, seed=1))


def test_untiled_windows_do_not_wrap():
    # Past an untiled edge a window's pixels do not exist (a multi-scale model reads its
    # parents there at the edge, clamped, as the fit saw them), never the opposite side's.
    plan = plan_of(13, 13, tileable=False)
    groups = list(plan.scan_groups())
    assert all((np.diff(g.rows) == 1).all() and (np.diff(g.cols) == 1).all() for g in groups)
    assert min(g.cols.min() for g in groups) < 0 and max(g.cols.max() for g in groups) >= 13
    assert all(not g.exists[g.rows[:, :, None].repeat(5, 2) < 0].any() for g in groups)


def test_an_engine_loads_and_prepares_a_model_once(model_file, monkeypatch):
    from texgen_stats import synthesis

    calls = []
    real_prepare = synthesis.prepare
    monkeypatch.setattr(synthesis, "prepare",
                        lambda model: calls.append(model) or real_prepare(model))

    def preset(seed):
        return {"texgen": 1, "name": "g", "size": 24, "seed": seed,
                "nodes": {"g": {"type": "stats.gmm", "model": str(model_file),
                                "overlap": 2}}, "outputs": {"basecolor": "g"}}

    engine = texgen.Engine()
    first = engine.render(preset(1))["basecolor"]
    second = engine.render(preset(2))["basecolor"]  # another seed: computed again
    assert len(calls) == 1 and not np.array_equal(first, second)
    again = texgen.Engine().render(preset(1))["basecolor"]
    assert len(calls) == 2, "two engines share nothing"
    np.testing.assert_array_equal(again, first)
