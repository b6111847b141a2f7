"""noise.opensimplex and its array API against the opensimplex package itself."""

import numpy as np
import opensimplex
import pytest
from noise_testing import registered_specs

from texgen.nodes import NodeContext
from texgen_noise import opensimplex_compat as oc

SEEDS = (0, 3, 7, -12345, 2**31 + 5, 2**63 - 1, 12345678901234567890)
NODE_DEFAULTS = dict(scale=8.0, offset_x=0.0, offset_y=0.0, z=0.0, dimensions="2d")


def random_coords(rng, n, spread):
    """Coordinates mixing small, negative, large and lattice-aligned values."""
    values = rng.uniform(-spread, spread, n)
    values[: n // 4] = rng.uniform(-3.0, 3.0, n // 4)
    values[n // 4: n // 4 + 4] = (-2.0, 0.0, 1.0, 17.0)
    return values


@pytest.mark.parametrize("seed", SEEDS)
def test_noise2array_matches_package(seed):
    rng = np.random.default_rng(abs(seed) % 1000)
    reference = opensimplex.OpenSimplex(seed)
    for spread in (4.0, 1e3, 1e6):
        x, y = random_coords(rng, 97, spread), random_coords(rng, 61, spread)
        ours = oc.noise2array(x, y, seed=seed)
        assert ours.shape == (61, 97) and ours.dtype == np.float64
        np.testing.assert_allclose(ours, reference.noise2array(x, y), rtol=0, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_noise3array_matches_package(seed):
    rng = np.random.default_rng(abs(seed) % 1000 + 1)
    reference = opensimplex.OpenSimplex(seed)
    for spread in (4.0, 1e3, 1e6):
        x, y, z = (random_coords(rng, 23, spread), random_coords(rng, 17, spread),
                   random_coords(rng, 11, spread))
        ours = oc.noise3array(x, y, z, seed=seed)
        assert ours.shape == (11, 17, 23) and ours.dtype == np.float64
        np.testing.assert_allclose(ours, reference.noise3array(x, y, z), rtol=0, atol=1e-6)


def test_dense_3d_grid_matches_package():
    """Every region of the 3-D super-cell, on a fine grid (exercises all vertex rules)."""
    axis = np.linspace(-1.5, 1.5, 41)
    np.testing.assert_allclose(oc.noise3array(axis, axis, axis, seed=11),
                               opensimplex.OpenSimplex(11).noise3array(axis, axis, axis),
                               rtol=0, atol=1e-6)


def test_scalar_functions_match_package():
    rng = np.random.default_rng(5)
    for seed in SEEDS[:4]:
        reference = opensimplex.OpenSimplex(seed)
        for x, y, z in rng.uniform(-500, 500, (50, 3)):
            assert abs(oc.noise2(x, y, seed=seed) - reference.noise2(x, y)) < 1e-6
            assert abs(oc.noise3(x, y, z, seed=seed) - reference.noise3(x, y, z)) < 1e-6
            assert oc.noise2(x, y, seed=seed) == oc.noise2array([x], [y], seed=seed)[0, 0]


def test_permutation_matches_package():
    for seed in SEEDS:
        np.testing.assert_array_equal(oc.permutation(seed), opensimplex.OpenSimplex(seed)._perm)


def test_array_shapes_and_bad_input():
    assert oc.noise2array(np.zeros(3), np.zeros(5), seed=1).shape == (5, 3)
    assert oc.noise2array(np.zeros(0), np.zeros(2), seed=1).shape == (2, 0)
    assert oc.noise3array([0.5], [0.1, 0.2], [0.0, 1.0, 2.0], seed=1).shape == (3, 2, 1)
    with pytest.raises(ValueError, match="1-D"):
        oc.noise2array(np.zeros((2, 2)), np.zeros(2), seed=1)
    with pytest.raises(ValueError, match="finite"):
        oc.noise2array(np.array([np.nan]), np.zeros(2), seed=1)
    with pytest.raises(ValueError, match="finite"):
        oc.noise3(np.inf, 0.0, 0.0, seed=1)


def render(width=48, height=32, seed=9, **params):
    ctx = NodeContext(node_id="os", width=width, height=height, seed=seed)
    return oc.opensimplex_node(ctx, **{**NODE_DEFAULTS, **params})


@pytest.mark.parametrize("dimensions", ["2d", "3d"])
def test_node_equals_package_at_sampled_coordinates(dimensions):
    params = dict(scale=5.0, offset_x=-3.25, offset_y=100.5, z=2.75, dimensions=dimensions)
    out = render(seed=9, **params)
    assert out.shape == (32, 48, 1) and out.dtype == np.float32 and out.flags.c_contiguous
    x = -3.25 + np.arange(48) * 5.0 / 48
    y = 100.5 + np.arange(32) * 5.0 / 48  # same spacing as x: round features
    reference = opensimplex.OpenSimplex(9)
    if dimensions == "2d":
        n = reference.noise2array(x, y)
    else:
        n = reference.noise3array(x, y, np.array([2.75]))[0]
    np.testing.assert_allclose(out[:, :, 0], np.clip(0.5 + 0.5 * n, 0, 1), rtol=0, atol=1e-6)
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.mark.parametrize("dimensions", ["2d", "3d"])
def test_wide_node_equals_package(dimensions):
    # rows wider than a chunk; float32 [0, 1] written in the same loop as the sum
    width = oc.CHUNK + 77
    out = render(width=width, height=3, seed=21, scale=40.0, offset_x=5.5, z=-0.3,
                 dimensions=dimensions)
    x = 5.5 + np.arange(width) * 40.0 / width
    y = np.arange(3) * 40.0 / width
    reference = opensimplex.OpenSimplex(21)
    n = (reference.noise2array(x, y) if dimensions == "2d"
         else reference.noise3array(x, y, np.array([-0.3]))[0])
    np.testing.assert_allclose(out[:, :, 0], np.clip(0.5 + 0.5 * n, 0, 1), rtol=0, atol=1e-6)


def test_node_is_deterministic_and_seeded():
    a, b = render(seed=4), render(seed=4)
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, render(seed=5))
    # tileable is ignored: the same pixels either way
    ctx = NodeContext(node_id="os", width=48, height=32, seed=4, tileable=False)
    assert oc.opensimplex_node(ctx, **NODE_DEFAULTS).tobytes() == a.tobytes()


def test_node_refuses_cuda():
    ctx = NodeContext(node_id="os", width=8, height=8, seed=1, backend="cuda")
    with pytest.raises(NotImplementedError, match="os.*cuda"):
        oc.opensimplex_node(ctx, **NODE_DEFAULTS)


def test_registered_spec():
    spec = registered_specs().get("noise.opensimplex")
    assert {p.name: p.default for p in spec.params} == NODE_DEFAULTS
    assert "tile" in spec.doc
    assert spec.load() is oc.opensimplex_node
    out = spec.load()(NodeContext(node_id="n", width=16, height=8, seed=2),
                      **{p.name: p.default for p in spec.params})
    assert out.shape == (8, 16, 1) and out.dtype == np.float32


def test_runs_split_at_every_cell_or_region_change():
    # columns: cell x and y of each sample; a run ends where either or the region changes
    columns = np.array([[0.0, 0.0, 1.0, 1.0, 1.0, 1.0], [5.0, 5.0, 5.0, 5.0, 6.0, 6.0]])
    regions = np.array([2, 2, 2, 3, 3, 3])
    changed, starts = np.empty(6, np.bool_), np.full(7, -1)
    assert oc._run_starts(columns, regions, changed, starts) == 4
    assert starts[:5].tolist() == [0, 2, 3, 4, 6]
    assert oc._run_starts(columns[:, :1], regions[:1], changed, starts) == 1
    assert starts[:2].tolist() == [0, 1]


@pytest.mark.parametrize("seed", (0, 5, -77))
def test_grid_rows_longer_than_a_chunk_match_package(seed):
    """Sorted pixel grids (long runs, cut at chunk ends), sizes not multiples of anything,
    ascending and descending axes."""
    reference = opensimplex.OpenSimplex(seed)
    x = -7.3 + np.arange(oc.CHUNK + 389) * 0.0137
    y = 2.9 + np.arange(13) * 0.31
    for xs in (x, x[::-1]):
        np.testing.assert_allclose(oc.noise2array(xs, y, seed=seed),
                                   reference.noise2array(xs, y), rtol=0, atol=1e-6)
        z = np.array([-1.7, 0.45])
        np.testing.assert_allclose(oc.noise3array(xs, y[:5], z, seed=seed),
                                   reference.noise3array(xs, y[:5], z), rtol=0, atol=1e-6)


def test_reached_3d_regions_list_distinct_vertices():
    """The regions a super-cell's positions fall in: 6 per tetrahedron, 12 in the
    octahedron, each summing its simplex's vertices and two other lattice points."""
    axis = (np.arange(40) + 0.5) / 40
    reached = {oc._region3.py_func(tx, ty, tz) for tx in axis for ty in axis for tz in axis}
    assert [sum(lo <= r < hi for r in reached) for lo, hi in ((0, 16), (16, 32), (32, 96))] \
        == [6, 6, 12]
    for region in reached:
        count = oc._REGION_SIZES3[region]
        points = {tuple(p) for p in oc._REGIONS3[region, :count]}
        assert count == (6 if region < 32 else 8) and len(points) == count
        assert oc._REGIONS3[region].min() >= -1 and oc._REGIONS3[region].max() <= 2
