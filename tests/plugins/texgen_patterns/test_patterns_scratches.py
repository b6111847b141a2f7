"""patterns.scratches: segment geometry, thin-line coverage, stability, wrapping."""

import numpy as np
import pytest
from patterns_testing import gray

ONE = dict(count=1, length_variation=0.0, angle_spread=0.0, taper=0.0, value_variation=0.0)


def test_a_horizontal_segment():
    # Length 0.5 and thickness 4 / 128 of a 128-pixel texture: 64 x 4 pixels, round ends.
    for seed in range(4):
        out = gray("scratches", 128, 128, length=0.5, thickness=4 / 128, seed=seed,
                   **ONE)
        rows = np.flatnonzero(out.max(axis=1) > 0.5)
        assert len(rows) == 4 and out.sum() == pytest.approx(64 * 4 + np.pi * 4, rel=0.02)
        assert np.ptp((rows - rows[0]) % 128) == 3  # one band, maybe across the edge


def test_angle_turns_the_segments():
    vertical = gray("scratches", 96, 96, angle=90.0, length=0.5, thickness=0.02, **ONE)
    assert (vertical.max(axis=0) > 0.5).sum() == 2
    assert (vertical.max(axis=1) > 0.5).sum() > 45


def test_taper_narrows_the_ends():
    full = gray("scratches", 128, 128, length=0.5, thickness=0.05, **ONE)
    tapered = gray("scratches", 128, 128, length=0.5, thickness=0.05,
                   **dict(ONE, taper=1.0))
    assert tapered.sum() == pytest.approx(0.5 * full.sum(), rel=0.1)


def test_thin_lines_keep_their_coverage_across_resolutions():
    # 0.002 of the width is half a pixel at 256: drawn one pixel wide at half strength.
    coverage = [gray("scratches", side, side, thickness=0.002, count=100).mean()
                for side in (256, 1024)]
    assert coverage[0] == pytest.approx(coverage[1], rel=0.05)


def test_more_segments_keep_the_existing_ones():
    few = gray("scratches", 64, 96, count=20, seed=9)
    many = gray("scratches", 64, 96, count=60, seed=9)
    assert np.all(many >= few) and many.sum() > few.sum()


def test_segments_wrap_when_tileable():
    for seed in range(4):
        params = dict(count=3, length=0.9, thickness=0.01, seed=seed)
        wrapped = gray("scratches", 64, 64, **params)
        cut = gray("scratches", 64, 64, tileable=False, **params)
        assert np.all(cut <= wrapped)
        # 0.9 of the width at any angle: each of the three crosses an edge.
        assert wrapped.sum() > cut.sum()
