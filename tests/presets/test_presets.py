"""Every shipped preset: validates, renders a tileable PBR set, deterministic, seed-driven."""

from pathlib import Path

import numpy as np
import pytest

import texgen
from texgen.testing import seam_ratio

PRESETS = sorted((Path(__file__).parents[2] / "presets").glob("*.toml"))
PBR_OUTPUTS = {"basecolor", "normal", "height", "roughness", "ao"}
#: Presets that make maps of a shipped photo: they follow the photo, not the seed, and tile
#: only when the photo does (docs/maps.md).
PHOTO_PRESETS = {"photo_to_material"}
#: The smaller of the two sizes the resolution test compares, where 64² would put a preset's
#: defining features below a pixel (rusted_metal's plate seams are 0.006 of the width).
RESOLUTION_TEST_SIZE = {"rusted_metal": 128, "neural_rust": 128}


@pytest.fixture(scope="module")
def engine():
    return texgen.Engine(strict=True)


def test_there_are_presets():
    assert len(PRESETS) >= 3


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_renders_a_tileable_pbr_set(engine, path):
    graph = engine.validate(path)
    assert PBR_OUTPUTS <= set(graph.outputs)
    assert graph.preset.description, "presets say what they are"
    textures = engine.render(path, size=128)
    assert textures["basecolor"].shape == (128, 128, 3)
    assert textures["normal"].shape == (128, 128, 3)
    assert textures["height"].shape == textures["roughness"].shape == (128, 128, 1)
    for name, texture in textures.items():
        assert texture.dtype == np.float32 and np.isfinite(texture).all(), name
        assert texture.std() > 0.005, f"{name} is flat"
        if path.stem not in PHOTO_PRESETS:
            assert seam_ratio(texture) < 1.5, f"{name} has a seam: {seam_ratio(texture):.2f}"


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_files_are_byte_identical_across_runs_and_seed_driven(path, tmp_path):
    first = texgen.Engine().save(path, tmp_path / "a", size=64)
    second = texgen.Engine().save(path, tmp_path / "b", size=64)
    other = texgen.Engine().save(path, tmp_path / "c", size=64, seed=12345)
    for a, b, c in zip(first.files, second.files, other.files):
        assert Path(a["path"]).read_bytes() == Path(b["path"]).read_bytes(), a["output"]
        if path.stem not in PHOTO_PRESETS:
            assert Path(a["path"]).read_bytes() != Path(c["path"]).read_bytes(), a["output"]


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_preset_looks_the_same_at_two_resolutions(engine, path):
    size = RESOLUTION_TEST_SIZE.get(path.stem, 64)
    small = engine.render(path, size=size, outputs=["height"])["height"]
    large = engine.render(path, size=2 * size, outputs=["height"])["height"]
    downsampled = large.reshape(size, 2, size, 2, 1).mean(axis=(1, 3))
    correlation = np.corrcoef(small.ravel(), downsampled.ravel())[0, 1]
    assert correlation > 0.8, correlation


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_exposed_parameters_change_the_result(engine, path):
    preset = engine.load_preset(path)
    assert 2 <= len(preset.parameters) <= 6
    base = engine.render(path, size=64)
    for name, param in preset.parameters.items():
        if param.type == "float":
            # Inside the range: a looping parameter (phase) is the same at both ends.
            value = param.min + 0.37 * (param.max - param.min)
        elif param.type == "color":
            value = "#00ff00"
        else:
            continue
        changed = engine.render(path, size=64, overrides={name: value})
        assert any(not np.array_equal(base[k], changed[k]) for k in base), name


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: p.stem)
def test_outputs_have_the_same_statistics_at_256_and_512(engine, path):
    # Resolution independence: every output's per-channel mean and spread agree.
    small, large = engine.render(path, size=256), engine.render(path, size=512)
    for name in small:
        for stat in (np.mean, np.std):
            a = stat(small[name], axis=(0, 1))
            b = stat(large[name], axis=(0, 1))
            np.testing.assert_allclose(a, b, atol=0.03, rtol=0.15, err_msg=f"{name} {stat}")


@pytest.mark.parametrize("path", [p for p in PRESETS if "phase" in
                                  texgen.Engine().load_preset(p).parameters],
                         ids=lambda p: p.stem)
def test_animated_presets_loop(engine, path):
    # A preset exposing phase renders the same at phase 0 and 1, differently in between.
    start = engine.render(path, size=48, overrides={"phase": 0.0})
    end = engine.render(path, size=48, overrides={"phase": 1.0})
    middle = engine.render(path, size=48, overrides={"phase": 0.5})
    for name in start:
        assert start[name].tobytes() == end[name].tobytes(), name
    assert any(not np.array_equal(start[k], middle[k]) for k in start)


def test_rusted_metal_finds_its_plate_seams_at_every_size(engine):
    # The seams are about a pixel wide at 256²: a distance field that missed them there
    # (and found them at 512²) made the chipped paint and the metallic map size-dependent.
    preset = PRESETS[0].parent / "rusted_metal.toml"
    near = [float(engine.render(preset, size=size, nodes=["near_seam"])["near_seam"].mean())
            for size in (128, 256, 512)]
    assert min(near) > 0.3 and max(near) - min(near) < 0.03, near
