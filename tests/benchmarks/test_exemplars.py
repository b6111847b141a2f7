"""benchmarks/exemplars.py: the drawn tiles exemplar is what its docstring says (six rows and
columns of tiles with grout, deterministic by seed) and its yardstick is another drawing."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "exemplars.py"


@pytest.fixture(scope="module")
def exemplars():
    spec = importlib.util.spec_from_file_location("bench_exemplars", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tiles_shape_range_determinism(exemplars):
    image = exemplars.tiles(0)
    assert image.shape == (256, 256, 3) and image.dtype == np.float32
    assert image.flags.c_contiguous and 0.0 <= image.min() and image.max() <= 1.0
    np.testing.assert_array_equal(image, exemplars.tiles(0))
    assert np.abs(image - exemplars.tiles(1)).mean() > 0.02


@pytest.mark.parametrize("seed", [0, 5])
def test_tiles_six_rows_and_columns_of_grout(exemplars, seed):
    """The grout lines recur six times across the image, along both axes."""
    image = exemplars.tiles(seed)
    grout = np.abs(image - exemplars.GROUT_COLOR).max(axis=2) < 0.08
    assert 0.1 < grout.mean() < 0.4
    for axis in (0, 1):
        profile = grout.mean(axis=1 - axis)
        spectrum = np.abs(np.fft.rfft(profile - profile.mean()))
        assert np.argmax(spectrum[1:]) + 1 == 6


def test_tiles_yardstick_is_another_drawing(exemplars):
    image, sample, other = exemplars.exemplar_pair("tiles", seed=2)
    np.testing.assert_array_equal(image, exemplars.tiles(0))
    np.testing.assert_array_equal(sample, image)
    np.testing.assert_array_equal(other, exemplars.tiles(3))
