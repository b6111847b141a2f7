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


def test_gradient_codes_decode_to_the_package_gradients():
    # _kernel2 decodes a 3-bit code from its bits; it must give GRADIENTS2[code].
    for code, (gx, gy) in enumerate(oc.GRADIENTS2):
        for dx, dy in ((0.1, 0.0), (0.0, 0.1)):
            attenuation = (2.0 - 0.01) ** 4
            want = attenuation * (gx * dx + gy * dy)
            assert oc._kernel2(dx, dy, code << 6, 2) == pytest.approx(want, rel=1e-12)
