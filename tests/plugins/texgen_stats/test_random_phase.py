"""stats.random_phase: periodic component, Fourier amplitude, tiling, determinism."""

import numpy as np
import pytest
from stats_testing import bricks, cloudy, context, registered_specs, write_exemplar

from texgen.testing import check_node, seam_ratio
from texgen_stats.random_phase import periodic_component, random_phase, random_phase_texture, texton


def gradient_image(height=32, width=48):
    """A ramp plus stripes: its borders jump (it does not tile)."""
    y, x = np.mgrid[0:height, 0:width] / np.array([height, width])[:, None, None]
    ramp = 0.2 + 0.5 * x + 0.2 * y + 0.05 * np.sin(2 * np.pi * 5 * x)
    return np.stack([ramp, ramp ** 2, 1 - ramp], axis=-1)


def periodic_laplacian(image):
    return sum(np.roll(image, shift, axis) for shift in (1, -1) for axis in (0, 1)) - 4 * image


def free_laplacian(image):
    """The Laplacian with only the neighbours inside the image (no wrap-around)."""
    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)), mode="edge")
    return (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
            - 4 * image)


def test_periodic_component_has_the_interior_laplacian_on_the_torus():
    # Moisan's definition: p is periodic and its Laplacian on the torus equals u's
    # Laplacian inside the image; s = u - p is harmonic away from the borders.
    image = gradient_image()
    periodic = periodic_component(image)
    np.testing.assert_allclose(periodic_laplacian(periodic), free_laplacian(image), atol=1e-12)
    assert abs(periodic.mean() - image.mean()) < 1e-12
    smooth = image - periodic
    assert np.abs(periodic_laplacian(smooth)[1:-1, 1:-1]).max() < 1e-12
    # The border jump of the ramp (~0.5) is gone: p wraps with an ordinary step of u.
    assert np.abs(periodic[:, 0] - periodic[:, -1]).mean() < 0.05
    np.testing.assert_allclose(periodic_component(np.full((8, 6, 3), 0.3)), 0.3, atol=1e-15)


def test_same_size_output_keeps_the_periodic_components_fourier_amplitude():
    image = bricks(40, 56) * 0.5 + 0.25
    periodic = periodic_component(image)
    out = random_phase_texture(image, 40, 56, seed=3)
    amplitude_in = np.abs(np.fft.fft2(periodic, axes=(0, 1)))
    amplitude_out = np.abs(np.fft.fft2(out, axes=(0, 1)))
    np.testing.assert_allclose(amplitude_out, amplitude_in, atol=1e-9 * amplitude_in.max())
    assert not np.allclose(out, periodic, atol=0.05)  # the phase did change


def test_the_same_random_phase_drives_every_channel():
    image = bricks(32, 32)
    periodic = periodic_component(image)
    out = random_phase_texture(image, 32, 32, seed=4)
    out_hat = np.fft.fft2(out, axes=(0, 1))
    in_hat = np.fft.fft2(periodic, axes=(0, 1))
    # Cross-channel phase differences are the exemplar's: colors stay correlated.
    mask = (np.abs(in_hat[..., 0]) > 1e-6) & (np.abs(in_hat[..., 1]) > 1e-6)
    np.testing.assert_allclose(
        (out_hat[..., 0] * np.conj(out_hat[..., 1]))[mask],
        (in_hat[..., 0] * np.conj(in_hat[..., 1]))[mask], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("size", [(64, 96), (20, 30), (17, 80)])
def test_other_sizes_keep_mean_and_variance(size):
    image = cloudy(40, 48)
    out = random_phase_texture(image, *size, seed=1)
    assert out.shape == (*size, 3)
    np.testing.assert_allclose(out.mean(axis=(0, 1)), periodic_component(image).mean(axis=(0, 1)),
                               atol=1e-9)
    np.testing.assert_allclose(out.var(axis=(0, 1)), periodic_component(image).var(axis=(0, 1)),
                               rtol=1e-9)


def test_texton_is_the_zero_mean_periodic_component_at_its_own_size():
    periodic = periodic_component(bricks(24, 24))
    np.testing.assert_allclose(texton(periodic, 24, 24), periodic - periodic.mean(axis=(0, 1)))
    padded = texton(periodic, 48, 40)
    assert padded.shape == (48, 40, 3) and np.all(padded[24:] == 0) and np.all(padded[:, 24:] == 0)


def test_output_tiles_and_is_deterministic(tmp_path):
    path = write_exemplar(tmp_path / "bricks.png")
    for height, width in ((48, 48), (37, 90)):
        out = random_phase(context(height, width), exemplar=path)
        assert out.dtype == np.float32 and out.shape == (height, width, 3)
        assert 0.0 <= out.min() and out.max() <= 1.0
        assert seam_ratio(out) < 1.0
        np.testing.assert_array_equal(out, random_phase(context(height, width), exemplar=path))
        assert not np.array_equal(out, random_phase(context(height, width, seed=2),
                                                    exemplar=path))


def test_node_conformance(tmp_path):
    path = write_exemplar(tmp_path / "bricks.png")
    check_node(registered_specs().get("stats.random_phase"), params={"exemplar": path})


def test_gray_and_rgba_exemplars(tmp_path):
    gray = write_exemplar(tmp_path / "gray.png", bricks()[..., :1])
    out = random_phase(context(16, 16), exemplar=gray)
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    rgba = np.concatenate([bricks(), np.full((48, 48, 1), 0.5, np.float32)], axis=-1)
    assert random_phase(context(16, 16), exemplar=write_exemplar(tmp_path / "a.png", rgba)
                        ).shape == (16, 16, 3)


@pytest.mark.parametrize("exemplar, message", [
    (None, "parameter 'exemplar': no file given"),
    ("absent.png", "parameter 'exemplar': absent.png: cannot read image"),
])
def test_errors_name_the_node_and_parameter(tmp_path, monkeypatch, exemplar, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=message):
        random_phase(context(8, 8), exemplar=None if exemplar is None else
                     tmp_path.__class__(exemplar))
