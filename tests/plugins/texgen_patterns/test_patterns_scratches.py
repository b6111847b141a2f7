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


def _every_pixel(height, width, xs, ys, dir_x, dir_y, half_lengths, half_width, taper, values,
                 tileable):
    """The segments' max-blended cover computed at every pixel (every wrapped copy when
    tileable), not only near each segment: what the kernel's visiting must reproduce."""
    pixel = 1.0 / width
    out = np.zeros((height, width))
    rows = (np.arange(height)[:, None] + 0.5) * pixel
    cols = (np.arange(width)[None, :] + 0.5) * pixel
    shifts = (-1.0, 0.0, 1.0) if tileable else (0.0,)
    for n in range(len(xs)):
        for shift_y in shifts:
            for shift_x in shifts:
                dx = cols - xs[n] - shift_x
                dy = rows - ys[n] - shift_y * height * pixel
                t = np.clip((dx * dir_x[n] + dy * dir_y[n]) / half_lengths[n], -1.0, 1.0)
                distance = np.hypot(dx - t * half_lengths[n] * dir_x[n],
                                    dy - t * half_lengths[n] * dir_y[n])
                half = half_width * (1.0 - taper * np.abs(t))
                strength = np.minimum(2.0 * half / pixel, 1.0)
                half = np.maximum(half, 0.5 * pixel)
                cover = np.clip(0.5 - (distance - half) / pixel, 0.0, 1.0) * strength
                out = np.maximum(out, cover * values[n])
    return out


@pytest.mark.parametrize("tileable", [True, False])
def test_segments_are_drawn_wherever_they_reach(tileable):
    """Every pixel a segment covers is drawn, at any angle, length and width, across the
    edges: the kernel visits only pixels near each segment, and must miss none."""
    from texgen_patterns.lines import _draw_segments

    rng = np.random.default_rng(3)
    count, height, width = 60, 40, 48
    angles = np.concatenate([[0.0, np.pi / 2, np.pi, 1e-9], rng.uniform(0, 2 * np.pi, count - 4)])
    args = (rng.random(count), rng.random(count) * height / width, np.cos(angles),
            -np.sin(angles), rng.uniform(0.01, 0.4, count), 0.02, 0.5, rng.uniform(0.2, 1, count))
    drawn = np.zeros((height, width))
    _draw_segments(drawn, *args, tileable)
    expected = _every_pixel(height, width, *args, tileable)
    np.testing.assert_allclose(drawn, expected, atol=1e-12, rtol=0)
    assert (drawn > 0).mean() > 0.3
