"""benchmarks/image2maps_depth.py: its shape-from-shading normal recovers a uniform-albedo
surface lit from any azimuth (so its low score on texgen's photos is the photos', not the
method's), and its angle split is exact at the ends."""


import numpy as np
import pytest

pytest.importorskip("torch")
from texgen_neural.image2maps.data import shade, standardize  # noqa: E402

SIZE = 128


@pytest.fixture(scope="module")
def depth(repo_script):
    return repo_script("benchmarks/image2maps_depth.py")


def bumps(seed: int) -> np.ndarray:
    """Unit normals (3, S, S), OpenGL frame, of smooth random tileable relief."""
    f = np.fft.fftfreq(SIZE) * SIZE
    noise = np.random.default_rng(seed).standard_normal((SIZE, SIZE))
    height = np.fft.ifft2(np.fft.fft2(noise)
                          * np.exp(-(f[:, None] ** 2 + f[None, :] ** 2) / 72.0)).real
    height = standardize(height) * 3.0
    dx = (np.roll(height, -1, 1) - np.roll(height, 1, 1)) / 2   # x right
    dy = (np.roll(height, 1, 0) - np.roll(height, -1, 0)) / 2   # y up: rows grow down
    normal = np.stack([-dx, -dy, np.ones_like(height)])
    return normal / np.linalg.norm(normal, axis=0)


@pytest.mark.parametrize("azimuth", [0, 70, 160, 250])
def test_shading_slopes_recover_a_lit_uniform_surface(depth, azimuth):
    normal = bumps(1)
    a, e = np.radians(azimuth), np.radians(45)
    light = np.array([np.cos(a) * np.cos(e), np.sin(a) * np.cos(e), np.sin(e)])
    photo = shade(np.full((SIZE, SIZE, 3), 0.6, np.float32),
                  normal.transpose(1, 2, 0).astype(np.float32),
                  np.ones((SIZE, SIZE, 1), np.float32), light=light, ambient=0.2)
    slopes, anisotropy = depth.shading_slopes(photo.transpose(2, 0, 1))
    best = min(depth.angle_at_gains(sign * slopes, normal, depth.SHADING_GAINS).min()
               for sign in (1.0, -1.0))
    flat = np.degrees(np.arccos(normal[2])).mean()
    assert best < 0.55 * flat
    assert anisotropy > 0.3


def test_shading_anisotropy_of_an_isotropic_albedo_is_small(depth):
    rng = np.random.default_rng(3)
    photo = rng.uniform(0.2, 0.8, (1, SIZE, SIZE)).repeat(3, 0)
    assert depth.shading_slopes(photo)[1] < 0.05


def test_split_angle_ends(depth):
    normal, other = bumps(2), bumps(3)
    assert depth.split_angle(normal, normal) == pytest.approx((0.0, 0.0), abs=0.01)  # arccos near 1
    tilt_kept, direction_kept = depth.split_angle(other, normal)
    whole = depth.mean_angle(other, normal)
    assert 0.0 < tilt_kept < whole and 0.0 < direction_kept < whole
