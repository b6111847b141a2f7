"""texgen.quilting: the minimum-error cut against a brute-force search over every path,
and the FFT patch search against direct sums."""

import itertools

import numpy as np
import pytest

from texgen.quilting import PatchSearch, cut_mask, min_error_cut


def brute_force_cut(cost):
    """The smallest summed cost over every 8-connected top-to-bottom path."""
    rows, cols = cost.shape
    best = np.inf
    for start in range(cols):
        for moves in itertools.product((-1, 0, 1), repeat=rows - 1):
            path = np.cumsum((start, *moves))
            if path.min() >= 0 and path.max() < cols:
                best = min(best, cost[np.arange(rows), path].sum())
    return best


@pytest.mark.parametrize("rows, cols, seed", [(1, 4, 0), (5, 1, 1), (6, 3, 2), (7, 4, 3),
                                              (8, 5, 4)])
def test_min_error_cut_is_the_cheapest_connected_path(rows, cols, seed):
    cost = np.random.default_rng(seed).random((rows, cols))
    path = min_error_cut(cost)
    assert path.shape == (rows,) and path.dtype == np.int64
    assert path.min() >= 0 and path.max() < cols
    assert np.abs(np.diff(path)).max(initial=0) <= 1
    assert cost[np.arange(rows), path].sum() == pytest.approx(brute_force_cut(cost))


def test_min_error_cut_follows_a_valley_and_the_mask_takes_its_right():
    cost = np.ones((5, 4))
    valley = np.array([0, 1, 2, 2, 3])
    cost[np.arange(5), valley] = 0.0
    np.testing.assert_array_equal(min_error_cut(cost), valley)
    mask = cut_mask(valley, 4)
    assert mask[0].tolist() == [True] * 4 and mask[4].tolist() == [False] * 3 + [True]


def test_min_error_cut_rejects_an_empty_surface():
    with pytest.raises(ValueError, match="non-empty"):
        min_error_cut(np.zeros((0, 3)))


def test_patch_search_ssd_is_the_masked_sum_of_squares():
    rng = np.random.default_rng(5)
    source = rng.random((13, 11, 3))
    template = rng.random((4, 5, 3))
    weight = (rng.random((4, 5)) > 0.5).astype(float)
    ssd = PatchSearch(source).ssd(template, weight)
    assert ssd.shape == (10, 7)
    direct = np.array([[(weight[..., None] * (source[y:y + 4, x:x + 5] - template) ** 2).sum()
                        for x in range(7)] for y in range(10)])
    np.testing.assert_allclose(ssd, direct, atol=1e-9)


def test_patch_search_finds_a_window_of_the_source_exactly():
    source = np.random.default_rng(6).random((30, 40, 1))
    template = source[11:19, 23:35].copy()
    weight = np.zeros((8, 12))
    weight[:, :3] = weight[:2] = 1.0  # only a border of the window is known
    assert PatchSearch(source).best(template, weight) == (11, 23)
