"""patterns.voronoi_mosaic: cells of noise.cellular, gaps along their borders."""

import numpy as np
import pytest
from patterns_testing import context, gray, registry, render


def test_ids_are_the_cellular_cell_values():
    out = render("voronoi_mosaic", 80, 120, frequency=5.0, jitter=0.7, seed=11)
    cellular = registry().get("noise.cellular").load()
    expected = cellular(context(80, 120, seed=11), frequency=5.0, jitter=0.7,
                        return_type="cell_value")
    np.testing.assert_array_equal(out["id"], expected)


def _borders(ids):
    """Pixels whose right or lower neighbour (wrapping) is another cell."""
    return (ids != np.roll(ids, -1, 1)) | (ids != np.roll(ids, -1, 0))


def test_gaps_follow_the_borders():
    out = render("voronoi_mosaic", 256, 256, frequency=6.0, gap=0.1, bevel=0.0)
    ids, mask = out["id"][..., 0], out["mask"][..., 0]
    assert mask[_borders(ids)].max() < 0.05  # gap 0.1 of a 43-pixel cell: 4 pixels
    # Gap 0: the cells touch and the mask is 1 everywhere, borders included.
    touching = gray("voronoi_mosaic", 256, 256, "mask", frequency=6.0, gap=0.0)
    assert touching.min() == pytest.approx(1.0, abs=1e-6)


def test_gap_area_is_width_times_border_length():
    # Pixels with another cell to the right or below count a border's length times
    # 4 / pi on average over directions. The gaps' area is about length times width (a
    # little more where borders meet); F2 - F1 alone would widen them into wedges.
    borders = _borders(gray("voronoi_mosaic", 512, 512, "id", frequency=6.0)).sum()
    length = borders / (4 / np.pi)
    for gap in (0.02, 0.05, 0.1):
        mask = gray("voronoi_mosaic", 512, 512, "mask", frequency=6.0, gap=gap)
        assert 1.0 < (1 - mask).sum() / (length * gap * 512 / 6) < 1.25, gap


def test_bevel_and_heights():
    out = render("voronoi_mosaic", 128, 128, frequency=4.0, bevel=0.2, height_variation=0.6,
                 seed=2)
    height, ids = out["height"][..., 0], out["id"][..., 0]
    tops = [height[ids == value].max() for value in np.unique(ids)]
    assert 0.4 <= min(tops) < max(tops) <= 1.0
    assert np.all(height <= out["mask"][..., 0] + 1e-6)
