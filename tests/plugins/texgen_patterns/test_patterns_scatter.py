"""patterns.scatter: stable instances, wrapping, blending, ids, stamped input textures."""

import math

import numpy as np
import pytest
from patterns_testing import gray, read_only, render

FIXED = dict(size_variation=0.0, rotation_variation=0.0)


def test_more_instances_keep_the_existing_ones():
    few = gray("scatter", 96, 128, count=10, seed=4)
    many = gray("scatter", 96, 128, count=30, seed=4)
    assert np.all(many >= few) and many.sum() > few.sum()


def test_instances_wrap_around_the_edges_when_tileable():
    # One circle of radius 0.15: tileable, its whole area is in the texture wherever it
    # lands; cut by the edges otherwise.
    area = math.pi * 0.15 ** 2
    crossing = 0
    for seed in range(6):
        wrapped = gray("scatter", 128, 128, count=1, size=0.3, seed=seed, **FIXED)
        cut = gray("scatter", 128, 128, count=1, size=0.3, seed=seed, tileable=False, **FIXED)
        assert wrapped.mean() == pytest.approx(area, abs=0.002)
        assert np.all(cut <= wrapped)
        crossing += cut.sum() < wrapped.sum() - 1.0
    assert crossing >= 2


def test_max_and_add_blends():
    params = dict(count=60, size=0.3, seed=2, **FIXED)
    top = gray("scatter", 128, 128, blend="max", **params)
    total = gray("scatter", 128, 128, blend="add", **params)
    assert top.max() == 1.0 and total.max() > 2.0  # overlaps add up
    assert np.all(total >= top)
    # Added, tileable: the texture holds each circle's whole area once.
    assert total.mean() == pytest.approx(60 * math.pi * 0.15 ** 2, rel=0.005)


def test_ids_mark_the_instance_on_top():
    out = render("scatter", 128, 128, count=8, size=0.2, seed=5)
    covered, ids = out["out"][..., 0] > 0, out["id"][..., 0]
    np.testing.assert_array_equal(ids > 0, covered)
    assert 4 <= len(np.unique(ids[covered])) <= 8 and ids.max() <= 1.0


def test_value_and_size_variation():
    out = render("scatter", 128, 128, count=30, value_variation=0.8, seed=1)
    values, ids = out["out"][..., 0], out["id"][..., 0]
    peaks = [values[ids == i].max() for i in np.unique(ids[ids > 0])]
    assert 0.2 <= min(peaks) < max(peaks) - 0.3 and max(peaks) <= 1.0
    same = gray("scatter", 128, 128, count=30, size_variation=0.0, seed=1)
    varied = gray("scatter", 128, 128, count=30, size_variation=0.9, seed=1)
    assert varied.mean() < 0.6 * same.mean()


def test_shapes_turn_with_rotation():
    # One triangle: pointing up at rotation 0 (wide base below, narrow corner above),
    # down at rotation 180. Tileable, so wrapping rows are rolled back together.
    def row_profile(rotation):
        out = gray("scatter", 128, 128, count=1, shape="polygon", sides=3, size=0.4,
                   seed=3, rotation=rotation, **FIXED)
        rows = out.sum(axis=1)
        empty = np.flatnonzero(rows == 0)[0]
        rows = np.roll(rows, -empty)  # starts above the triangle
        return rows[rows > 0]

    up, down = row_profile(0.0), row_profile(180.0)
    assert up[-3:].mean() > 4 * up[:3].mean() and down[:3].mean() > 4 * down[-3:].mean()
    assert up.sum() == pytest.approx(down.sum(), rel=1e-3)


def _stamp_interior(seed, image, **params):
    """The scatter of one stamp, and the (rows, cols) bounding box of a full-white stamp
    with the same seed, or None if it touches the edge."""
    white = gray("scatter", 96, 96, input=read_only(np.ones((96, 96))), count=1, size=0.3,
                 seed=seed, tileable=False, **FIXED, **params)
    rows, cols = np.flatnonzero(white.sum(1)), np.flatnonzero(white.sum(0))
    if rows[0] == 0 or cols[0] == 0 or rows[-1] == 95 or cols[-1] == 95:
        return None
    out = gray("scatter", 96, 96, input=read_only(image), count=1, size=0.3, seed=seed,
               tileable=False, **FIXED, **params)
    return out, (rows, cols)


def test_input_texture_is_stamped_upright_and_turned():
    top_half = np.zeros((96, 96))
    top_half[:48] = 1.0
    checked = 0
    for seed in range(8):
        found = _stamp_interior(seed, top_half)
        if found is None:
            continue
        out, (rows, cols) = found
        middle = (rows[0] + rows[-1]) / 2
        lit = np.flatnonzero(out.sum(1) > 0.5)
        assert lit.max() <= middle + 1 and lit.min() <= rows[0] + 1  # the upper half only
        # 28.8-pixel stamp of a 96-pixel image: each stamp pixel averages 3 x 3 texels.
        assert abs(len(cols) - 30) <= 2
        turned, _ = _stamp_interior(seed, top_half, rotation=90.0)
        # A quarter turn counter-clockwise puts the image's top on the left.
        lit_cols = np.flatnonzero(turned.sum(0) > 0.5)
        assert lit_cols.max() <= (cols[0] + cols[-1]) / 2 + 1
        checked += 1
    assert checked >= 2


def test_minified_stamps_are_filtered():
    # A 1-pixel checkerboard stamped at a tenth of its size averages to gray, not moire.
    fine = np.indices((128, 128)).sum(axis=0) % 2
    out = gray("scatter", 128, 128, input=read_only(fine), count=1, size=0.1, seed=3, **FIXED)
    inner = out[out > 0.45]
    assert inner.size > 50
    assert inner.mean() == pytest.approx(0.5, abs=0.03) and inner.std() < 0.05


def test_stamp_input_is_not_modified():
    image = read_only(np.random.default_rng(0).random((40, 56)))
    before = image.copy()
    render("scatter", 40, 56, input=image, count=20, blend="add")
    np.testing.assert_array_equal(image, before)
