"""stats.markov: image quilting on a torus, on exemplar indices (uv), and its node."""

import itertools

import numpy as np
import pytest
from stats_testing import bricks, context, edge_step_ratio

import texgen
from texgen.errors import NodeInputError
from texgen.io import write_png8
from texgen.quilting import min_error_cut
from texgen.uvmap import apply_uv, uv_indices
from texgen_stats import markov as markov_module
from texgen_stats.markov import (
    _axis_patch,
    automatic_patch,
    best_patch,
    markov,
    patch_starts,
    repeating_unit,
    synthesize,
    synthesize_uv,
)

EXEMPLAR = bricks(64, 64, seed=2)  # 8 x 12 px bricks with 2 px mortar: a structured texture
OPTIONS = {"patch": 16, "seed": 3}


def indices(uv, exemplar=EXEMPLAR):
    return uv_indices(uv, exemplar.shape[0], exemplar.shape[1])


def coherence(rows, cols, axis):
    """Per boundary k (k to k + 1, the last one wrapping around): the share of neighbour
    pairs across it whose exemplar pixels are neighbours in the same direction too."""
    step = (1, 0) if axis == 0 else (0, 1)
    same = ((np.roll(rows, -1, axis) == rows + step[0])
            & (np.roll(cols, -1, axis) == cols + step[1]))
    return same.mean(axis=1 - axis)


# ------------------------------------------------------------------------ the output itself

@pytest.mark.parametrize("size", [(64, 64), (40, 72), (97, 33)])
def test_output_is_exact_copies_of_exemplar_pixels_and_uv_reproduces_it(size):
    out, uv = synthesize(EXEMPLAR, *size, **OPTIONS)
    assert out.shape == size + (3,) and uv.shape == size + (3,)
    assert out.dtype == uv.dtype == np.float32 and out.flags.c_contiguous
    np.testing.assert_array_equal(apply_uv(EXEMPLAR, uv), out)
    np.testing.assert_array_equal(uv, synthesize_uv(EXEMPLAR, *size, **OPTIONS))
    assert np.all(uv[..., 2] == 0) and uv[..., :2].min() > 0 and uv[..., :2].max() < 1


@pytest.mark.parametrize("size", [(64, 64), (40, 72), (97, 33)])
def test_the_wrap_around_is_an_ordinary_join(size):
    rows, cols = indices(synthesize_uv(EXEMPLAR, *size, **OPTIONS))
    for axis in (0, 1):
        # The last patches continue across the border: most pairs across it are exemplar
        # neighbours, as across interior boundaries (the joins between patches included).
        across = coherence(rows, cols, axis)
        assert across[-1] >= 0.5 and across[-1] >= 0.6 * across[:-1].mean()
    out = EXEMPLAR[rows, cols]
    assert edge_step_ratio(out) < 1.5
    for axis in (0, 1):
        steps = texgen.metrics.boundary_steps(out, axis=axis, power=1)
        assert steps[-1] <= steps[:-1].max()


def test_a_non_tileable_grid_does_not_join_the_borders():
    # The same check fails when the grid is laid from edge to edge: it discriminates.
    rows, cols = indices(synthesize_uv(EXEMPLAR, 64, 64, tileable=False, **OPTIONS))
    assert max(coherence(rows, cols, axis)[-1] for axis in (0, 1)) < 0.2


def test_patch_cores_are_verbatim_blocks_of_the_exemplar():
    # The part of each patch no other patch overlaps maps to consecutive exemplar pixels.
    height, width, patch = 70, 90, 16
    rows, cols = indices(synthesize_uv(EXEMPLAR, height, width, patch=patch, seed=5))
    checked = 0
    starts_y = patch_starts(height, patch, patch // 4, tileable=True)
    starts_x = patch_starts(width, patch, patch // 4, tileable=True)

    def cores(starts, length):
        n = len(starts)
        for j in range(n):
            begin = starts[j - 1] + patch - (length if j == 0 else 0)
            end = starts[j + 1] if j < n - 1 else starts[0] + length
            yield np.arange(begin, end) % length

    for ys in cores(starts_y, height):
        for xs in cores(starts_x, width):
            block_rows, block_cols = rows[np.ix_(ys, xs)], cols[np.ix_(ys, xs)]
            assert block_rows.size > 0
            assert np.all(block_rows - np.arange(len(ys))[:, None] == block_rows[0, 0])
            assert np.all(block_cols - np.arange(len(xs))[None, :] == block_cols[0, 0])
            checked += 1
    assert checked == len(starts_y) * len(starts_x)


def test_deterministic_by_seed():
    first = synthesize_uv(EXEMPLAR, 48, 56, patch=16, seed=7)
    np.testing.assert_array_equal(first, synthesize_uv(EXEMPLAR, 48, 56, patch=16, seed=7))
    assert not np.array_equal(first, synthesize_uv(EXEMPLAR, 48, 56, patch=16, seed=8))


def test_any_channel_count_is_carried():
    rng = np.random.default_rng(0)
    for channels in (1, 3, 4):
        exemplar = np.concatenate([EXEMPLAR, rng.random((64, 64, 1), np.float32)],
                                  axis=2)[..., :channels]
        out, uv = synthesize(exemplar, 40, 40, **OPTIONS)
        assert out.shape == (40, 40, channels)
        np.testing.assert_array_equal(apply_uv(exemplar, uv), out)


def test_aligned_maps_follow_the_color_exactly():
    # A height map aligned with the exemplar, carried by the uv, is the height of the very
    # exemplar pixels the color was copied from.
    height = EXEMPLAR.mean(axis=2, keepdims=True) ** 2
    out, uv = synthesize(EXEMPLAR, 50, 60, **OPTIONS)
    np.testing.assert_array_equal(apply_uv(height, uv), out.mean(axis=2, keepdims=True) ** 2)


def test_refinement_stays_exact_and_only_touches_the_joins():
    plain = synthesize_uv(EXEMPLAR, 64, 64, **OPTIONS)
    out, uv = synthesize(EXEMPLAR, 64, 64, refine=2, **OPTIONS)
    np.testing.assert_array_equal(apply_uv(EXEMPLAR, uv), out)
    changed = np.any(uv != plain, axis=2)
    assert 0 < changed.mean() < 0.5
    np.testing.assert_array_equal(uv, synthesize_uv(EXEMPLAR, 64, 64, refine=2, **OPTIONS))


def test_two_levels_stay_exact_tileable_and_follow_the_coarse_layout(monkeypatch):
    out, uv = synthesize(EXEMPLAR, 60, 72, levels=2, **OPTIONS)
    np.testing.assert_array_equal(apply_uv(EXEMPLAR, uv), out)
    np.testing.assert_array_equal(uv, synthesize_uv(EXEMPLAR, 60, 72, levels=2, **OPTIONS))
    assert not np.array_equal(uv, synthesize_uv(EXEMPLAR, 60, 72, **OPTIONS))
    rows, cols = indices(uv)
    for axis in (0, 1):
        across = coherence(rows, cols, axis)
        assert across[-1] >= 0.5 and across[-1] >= 0.6 * across[:-1].mean()
    # The fine level is guided: every patch is matched against the coarse result too, and
    # the position it points at is among the candidates.
    seen = []
    real = markov_module.best_patch

    def spy(exemplar, target, known, rng, **kwargs):
        seen.append((known.all(), exemplar.shape))
        return real(exemplar, target, known, rng, **kwargs)

    monkeypatch.setattr(markov_module, "best_patch", spy)
    synthesize_uv(EXEMPLAR, 40, 40, levels=2, **OPTIONS)
    fine = [whole for whole, shape in seen if shape == EXEMPLAR.shape]
    coarse = [whole for whole, shape in seen if shape != EXEMPLAR.shape]
    assert fine and coarse and all(fine) and not all(coarse)


def test_small_outputs_cap_the_patch():
    # A 16-pixel-wide tileable output takes patches of 8 (two per axis close the torus).
    assert _axis_patch(16, 32, 8, True) == (8, 4)
    assert _axis_patch(16, 32, 8, False) == (16, 8)
    out, uv = synthesize(EXEMPLAR, 16, 100, **OPTIONS)
    np.testing.assert_array_equal(apply_uv(EXEMPLAR, uv), out)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="smaller than the patch"):
        synthesize_uv(EXEMPLAR[:20], 64, 64, patch=32)
    with pytest.raises(ValueError, match="overlap"):
        synthesize_uv(EXEMPLAR, 64, 64, patch=16, overlap=9)
    with pytest.raises(ValueError, match="output size"):
        synthesize_uv(EXEMPLAR, 0, 64)
    with pytest.raises(ValueError, match="halved for level 2"):
        synthesize_uv(EXEMPLAR[:40], 128, 128, patch=24, levels=2)


# ------------------------------------------------------------------------ the building blocks

def brute_force_cut(errors):
    rows, cols = errors.shape
    best = np.inf
    for first in range(cols):
        for moves in itertools.product((-1, 0, 1), repeat=rows - 1):
            path = np.cumsum((first,) + moves)
            if path.min() >= 0 and path.max() < cols:
                best = min(best, errors[np.arange(rows), path].sum())
    return best


@pytest.mark.parametrize("shape", [(5, 4), (6, 3), (4, 5), (1, 4), (5, 1)])
def test_min_error_cut_is_the_shortest_path(shape):
    rng = np.random.default_rng(shape[0] * 10 + shape[1])
    for _ in range(20):
        errors = rng.random(shape)
        path = min_error_cut(errors)
        assert path.shape == (shape[0],) and path.min() >= 0 and path.max() < shape[1]
        assert np.all(np.abs(np.diff(path)) <= 1)
        assert errors[np.arange(shape[0]), path].sum() == pytest.approx(brute_force_cut(errors))


def test_best_patch_finds_the_exemplar_window_from_its_known_pixels():
    rng = np.random.default_rng(1)
    exemplar = rng.random((40, 50, 3), np.float32)
    target = exemplar[13:23, 31:41].copy()
    known = np.zeros((10, 10), bool)
    known[:, :3] = known[:3, :] = True  # an L-shaped overlap, as quilting sees it
    target[~known] = 0.0  # the rest is unknown and must not matter
    assert best_patch(exemplar, target, known, rng, tolerance=0.0, candidates=None) == (13, 31)
    # A subset of candidates that misses it still finds it among the extra positions.
    assert best_patch(exemplar, target, known, rng, tolerance=0.0, candidates=5,
                      extra=np.array([[13, 31], [99, 0]])) == (13, 31)


def test_best_patch_tolerance_picks_among_the_near_best():
    exemplar = np.zeros((12, 12, 1), np.float32)
    exemplar[0, 0] = 1.0  # every window but those covering (0, 0) matches a zero target
    known = np.ones((3, 3), bool)
    picks = {best_patch(exemplar, np.zeros((3, 3, 1), np.float32), known,
                        np.random.default_rng(seed), tolerance=0.1, candidates=None)
             for seed in range(30)}
    assert len(picks) > 5 and (0, 0) not in picks


@pytest.mark.parametrize("length", [16, 17, 63, 64, 65, 100, 257])
def test_patch_starts_close_the_torus(length):
    patch, overlap = 16, 4
    starts = patch_starts(length, patch, overlap, tileable=True)
    steps = np.diff(np.append(starts, length))
    assert starts[0] == 0 and steps.min() >= 1 and steps.max() - steps.min() <= 1
    assert steps.max() <= patch - overlap  # every join, the wrap-around one too, overlaps
    flat = patch_starts(length, patch, overlap, tileable=False)
    assert flat[0] == 0 and flat[-1] + patch == max(length, patch)
    assert np.diff(flat).max(initial=0) <= patch - overlap


# ------------------------------------------------------------------------------- the node

def test_node_renders_through_a_preset_with_its_uv(tmp_path):
    write_png8(tmp_path / "bricks.png", EXEMPLAR)
    preset = {"texgen": 1, "name": "m", "size": [80, 48], "seed": 4,  # width, height
              "nodes": {"m": {"type": "stats.markov", "exemplar": "bricks.png", "patch": 16}},
              "outputs": {"basecolor": "m", "uv": "m.uv"}}
    result = texgen.Engine().render(preset, base=tmp_path)
    exemplar = texgen.io.read_image(tmp_path / "bricks.png")
    assert result["basecolor"].shape == (48, 80, 3)
    np.testing.assert_array_equal(apply_uv(exemplar, result["uv"]), result["basecolor"])


def test_node_keeps_the_exemplars_channels(tmp_path):
    gray = tmp_path / "gray.png"
    write_png8(gray, EXEMPLAR[..., :1])
    out = markov(context(32, 32), exemplar=gray, patch=16, overlap=0, refine=0,
                 tolerance=0.1, levels=1)
    assert out["out"].shape == (32, 32, 1) and out["uv"].shape == (32, 32, 3)


@pytest.mark.parametrize("case, message", [
    ("unset", "no file given"),
    ("missing", "cannot read image"),
    ("corrupt", "not a readable image"),
    ("small", "smaller than the patch"),
    ("small for two levels", "halved for level 2 of 2 levels is smaller than the patch"),
])
def test_bad_exemplars_name_the_file_and_the_parameter(tmp_path, case, message):
    path = {"unset": None, "missing": tmp_path / "nope.png",
            "corrupt": tmp_path / "broken.png", "small": tmp_path / "small.png",
            "small for two levels": tmp_path / "medium.png"}[case]
    levels = 2 if case == "small for two levels" else 1
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    write_png8(tmp_path / "small.png", EXEMPLAR[:20, :20])
    write_png8(tmp_path / "medium.png", EXEMPLAR[:40, :40])
    with pytest.raises(ValueError, match=f"node 'n', parameter 'exemplar': .*{message}"):
        markov(context(128, 128), exemplar=path, patch=32, overlap=0, refine=0,
               tolerance=0.1, levels=levels)
    if path is not None:
        preset = {"texgen": 1, "name": "m", "size": 128,
                  "nodes": {"m": {"type": "stats.markov", "exemplar": str(path),
                                  "patch": 32, "levels": levels}},
                  "outputs": {"basecolor": "m"}}
        # A missing file is found when the preset is checked; the others while rendering.
        error = texgen.errors.PresetError if case == "missing" else NodeInputError
        with pytest.raises(error, match=f"key 'exemplar'.*{path.name}"):
            texgen.Engine().render(preset, base=tmp_path)


def test_overlap_above_half_the_patch_is_a_preset_problem(tmp_path):
    write_png8(tmp_path / "bricks.png", EXEMPLAR)
    preset = {"texgen": 1, "name": "m", "size": 32,
              "nodes": {"m": {"type": "stats.markov", "exemplar": "bricks.png", "patch": 16,
                              "overlap": 9}},
              "outputs": {"basecolor": "m"}}
    with pytest.raises(texgen.errors.PresetError, match="key 'overlap': must be at most half"):
        texgen.Engine().validate(preset, base=tmp_path)
    with pytest.raises(ValueError, match="parameter 'overlap'"):
        markov(context(32, 32), exemplar=None, patch=16, overlap=9, refine=0, tolerance=0.1,
               levels=1)


def _periodic(period_y, period_x, size=(192, 200), seed=0):
    """Rounded-square tiles of the given pitch under pixel noise: a clear repeating unit."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:size[0], :size[1]]
    tile = ((y % period_y) > 3) & ((x % period_x) > 3)
    image = np.where(tile, 0.7, 0.2) + 0.05 * rng.random(size)
    return image[..., None].astype(np.float32)


@pytest.mark.parametrize("period_y, period_x, unit", [(24, 24, 24), (40, 24, 40), (30, 45, 45)])
def test_repeating_unit_is_the_pitch_of_a_periodic_exemplar(period_y, period_x, unit):
    assert repeating_unit(_periodic(period_y, period_x)) == unit


def test_a_stochastic_or_flat_exemplar_has_no_repeating_unit():
    rng = np.random.default_rng(1)
    assert repeating_unit(rng.random((128, 128, 3)).astype(np.float32)) is None
    assert repeating_unit(np.full((64, 64, 1), 0.5, np.float32)) is None


def test_the_automatic_patch_holds_the_repeating_unit():
    assert automatic_patch(_periodic(40, 40)) == (44, None)  # a little over the pitch
    assert automatic_patch(_periodic(20, 20)) == (32, None)  # never below the minimum
    rng = np.random.default_rng(2)
    noise = rng.random((128, 128, 1)).astype(np.float32)
    assert automatic_patch(noise) == (24, 4)  # no unit: smaller patches, thin overlaps
    assert automatic_patch(_periodic(40, 40)[:36, :60])[0] <= 36  # the exemplar holds it
    exemplar = _periodic(40, 40)
    np.testing.assert_array_equal(synthesize_uv(exemplar, 96, 96, seed=1),
                                  synthesize_uv(exemplar, 96, 96, seed=1, patch=44))
    np.testing.assert_array_equal(synthesize_uv(noise, 96, 96, seed=1),
                                  synthesize_uv(noise, 96, 96, seed=1, patch=24, overlap=4))


# --------------------------------------------------------------------------- guided synthesis

def _two_halves(height=64, width=128, seed=0):
    """An exemplar whose left half (dark red stripes) and right half (bright blue checks)
    are different drawn patterns, and the mask of its right half (its guide)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:height, :width]
    left = ((y // 4) % 2)[..., None] * np.array([0.5, 0.2, 0.1])
    right = 0.4 + ((y // 3 + x // 3) % 2)[..., None] * np.array([0.2, 0.4, 0.5])
    image = np.where((x < width // 2)[..., None], left, right)
    image = image + 0.05 * rng.random(image.shape)
    return image.astype(np.float32), (x >= width // 2).astype(np.float32)


def _step_guide(height, width):
    """A target guide: 0 on the left half, 1 on the right half."""
    guide = np.zeros((height, width, 1), np.float32)
    guide[:, width // 2:] = 1.0
    return guide


@pytest.mark.parametrize("explicit", [True, False])
@pytest.mark.parametrize("levels", [1, 2])
def test_the_guide_chooses_which_part_of_the_exemplar_goes_where(explicit, levels):
    # With the mask as exemplar guide, or by default the exemplar's blurred luma (its
    # right half is the brighter one), the guide's bright half takes the right half.
    exemplar, mask = _two_halves()
    height, width = 96, 112
    rows, cols = indices(synthesize_uv(
        exemplar, height, width, patch=16, seed=2, levels=levels,
        guide=_step_guide(height, width), exemplar_guide=mask if explicit else None),
        exemplar)
    from_right = cols >= exemplar.shape[1] // 2
    assert from_right[:, width // 2:].mean() > 0.8
    assert from_right[:, :width // 2].mean() < 0.2
    # The inverted guide swaps the regions.
    rows, cols = indices(synthesize_uv(
        exemplar, height, width, patch=16, seed=2, levels=levels,
        guide=1 - _step_guide(height, width), exemplar_guide=mask if explicit else None),
        exemplar)
    from_right = cols >= exemplar.shape[1] // 2
    assert from_right[:, :width // 2].mean() > 0.8
    assert from_right[:, width // 2:].mean() < 0.2


def test_guide_weight_zero_is_the_unguided_output_exactly():
    exemplar, mask = _two_halves()
    unguided = synthesize_uv(exemplar, 80, 72, patch=16, seed=4, refine=1)
    np.testing.assert_array_equal(unguided, synthesize_uv(
        exemplar, 80, 72, patch=16, seed=4, refine=1, guide=_step_guide(80, 72),
        exemplar_guide=mask, guide_weight=0.0))
    assert not np.array_equal(unguided, synthesize_uv(
        exemplar, 80, 72, patch=16, seed=4, refine=1, guide=_step_guide(80, 72),
        exemplar_guide=mask))


@pytest.mark.parametrize("size", [(64, 64), (40, 72)])
def test_a_guided_output_still_tiles_and_is_exact(size):
    # The bricks guided by their own blurred luma against a guide that tiles (a cosine
    # across the width): the wrap-around is an ordinary join, as unguided.
    x = np.arange(size[1])
    guide = np.broadcast_to(0.5 + 0.5 * np.cos(2 * np.pi * x / size[1]), size)
    refined, uv = synthesize(EXEMPLAR, *size, refine=1, guide=guide, **OPTIONS)
    np.testing.assert_array_equal(apply_uv(EXEMPLAR, uv), refined)
    out, uv = synthesize(EXEMPLAR, *size, guide=guide, **OPTIONS)
    assert not np.array_equal(uv, synthesize_uv(EXEMPLAR, *size, **OPTIONS))
    rows, cols = indices(uv)
    for axis in (0, 1):
        across = coherence(rows, cols, axis)
        assert across[-1] >= 0.5 and across[-1] >= 0.6 * across[:-1].mean()
        # The guide makes every join a little rougher; the wrap-around stays among them.
        steps = texgen.metrics.boundary_steps(out, axis=axis, power=1)
        assert steps[-1] <= 1.1 * steps[:-1].max()


def test_the_target_guide_is_resampled_to_the_output_size():
    exemplar, mask = _two_halves()
    small = synthesize_uv(exemplar, 64, 96, patch=16, seed=5, guide=_step_guide(8, 12),
                          exemplar_guide=mask)
    np.testing.assert_array_equal(small, synthesize_uv(
        exemplar, 64, 96, patch=16, seed=5, guide=_step_guide(64, 96), exemplar_guide=mask))


def test_default_exemplar_guide_is_the_blurred_luma():
    exemplar, _ = _two_halves()
    guide = markov_module.default_exemplar_guide(exemplar)
    assert guide.shape == exemplar.shape[:2] and guide.dtype == np.float32
    luma = exemplar[..., :3] @ np.array([0.2126, 0.7152, 0.0722])
    assert abs(guide.mean() - luma.mean()) < 1e-5  # a blur keeps the mean
    assert guide[:, 70:120].min() > guide[:, 5:58].max()  # bright half stays the bright one
    assert guide.std() < luma.std()  # and the stripes' grain is smoothed
    gray = markov_module.default_exemplar_guide(exemplar[..., :1])
    assert gray.shape == exemplar.shape[:2]


def test_best_patch_with_only_a_guide_matches_the_guide():
    exemplar = np.zeros((20, 20, 1), np.float32)
    exemplar_guide = np.zeros((20, 20), np.float32)
    exemplar_guide[11:15, 3:7] = 1.0
    target = np.ones((4, 4), np.float32)
    for seed in range(3):
        found = best_patch(exemplar, np.zeros((4, 4, 1), np.float32), np.zeros((4, 4), bool),
                           np.random.default_rng(seed), tolerance=0.0,
                           guide=(exemplar_guide, target), guide_weight=1.0)
        assert found == (11, 3)


def test_bad_guides_are_refused():
    exemplar, mask = _two_halves()
    with pytest.raises(ValueError, match="exemplar_guide must be gray and the exemplar's size"):
        synthesize_uv(exemplar, 32, 32, patch=16, guide=_step_guide(32, 32),
                      exemplar_guide=mask[:, :64])
    with pytest.raises(ValueError, match="guide must be gray"):
        synthesize_uv(exemplar, 32, 32, patch=16, guide=np.zeros((32, 32, 3)))
    with pytest.raises(ValueError, match="guide_weight must be at least 0"):
        synthesize_uv(exemplar, 32, 32, patch=16, guide=_step_guide(32, 32), guide_weight=-1)


def _guided_preset(tmp_path, **markov_keys):
    """A preset guiding stats.markov from halves.png by the step guide.png, written."""
    exemplar, mask = _two_halves()
    write_png8(tmp_path / "halves.png", exemplar)
    write_png8(tmp_path / "halves_mask.png", mask[..., None])
    write_png8(tmp_path / "guide.png", _step_guide(64, 96))
    return {"texgen": 1, "name": "m", "size": [96, 64], "seed": 3,
            "nodes": {"g": {"type": "filters.image_input", "path": "guide.png"},
                      "m": {"type": "stats.markov", "exemplar": "halves.png", "patch": 16,
                            "guide": "g.gray", **markov_keys}},
            "outputs": {"basecolor": "m", "uv": "m.uv"}}


@pytest.mark.parametrize("keys", [{}, {"exemplar_guide": "halves_mask.png"}])
def test_node_follows_its_guide_input(tmp_path, keys):
    result = texgen.Engine().render(_guided_preset(tmp_path, **keys), base=tmp_path)
    exemplar = texgen.io.read_image(tmp_path / "halves.png")
    rows, cols = indices(result["uv"], exemplar)
    from_right = cols >= 64
    assert from_right[:, 48:].mean() > 0.8 and from_right[:, :48].mean() < 0.2
    np.testing.assert_array_equal(apply_uv(exemplar, result["uv"]), result["basecolor"])
    unguided = _guided_preset(tmp_path, guide_weight=0.0, **keys)
    del unguided["nodes"]["m"]["guide"]
    np.testing.assert_array_equal(
        texgen.Engine().render(unguided, base=tmp_path)["uv"],
        texgen.Engine().render(_guided_preset(tmp_path, guide_weight=0.0, **keys),
                               base=tmp_path)["uv"])


@pytest.mark.parametrize("case, error, message", [
    ("missing", texgen.errors.PresetError, "no such file: .*nope.png"),
    ("corrupt", NodeInputError, "broken.png: .*not a readable image"),
    ("wrong size", NodeInputError, "small.png: 32x32 pixels, but it must be aligned with "
                                   "the exemplar \\(128x64\\)"),
])
def test_bad_exemplar_guides_name_the_file_and_the_key(tmp_path, case, error, message):
    name = {"missing": "nope.png", "corrupt": "broken.png", "wrong size": "small.png"}[case]
    preset = _guided_preset(tmp_path, exemplar_guide=name)
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    write_png8(tmp_path / "small.png", np.zeros((32, 32, 1), np.float32))
    with pytest.raises(error, match=f"node 'm', key 'exemplar_guide': .*{message}"):
        texgen.Engine().render(preset, base=tmp_path)
