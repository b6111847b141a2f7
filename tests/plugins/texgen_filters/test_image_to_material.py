"""filters.image_to_material and ``texgen maps``: photo to basecolor, height, normal, AO and
roughness (classical estimate), tiling, conventions, delighting, and the command."""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from filters_testing import context, texture

from texgen import Engine
from texgen.cli import main
from texgen.io import read_image, write_png8
from texgen.testing import check_node
from texgen_filters.image_to_material import image_to_material
from texgen_filters.maps import MAPS, maps_preset
from texgen_filters.spatial import gaussian_blur
from texgen_filters.specs_photo import IMAGE_TO_MATERIAL

DEFAULTS = {param.name: param.default for param in IMAGE_TO_MATERIAL.params}


def run(photo, *, tileable=True, **params):
    ctx = context(photo.shape[0], photo.shape[1], tileable=tileable)
    return image_to_material(ctx, input=texture(photo), **{**DEFAULTS, **params})


def grainy(shape, *, seed=0, sigma=2.0):
    """A tileable color photo of blurred noise (features a few pixels wide) in 0.2..0.8."""
    noise = np.random.default_rng(seed).random((*shape, 3)).astype(np.float32)
    blurred = gaussian_blur(noise, sigma, wrap=True)
    blurred = (blurred - blurred.min()) / (blurred.max() - blurred.min())
    return (0.2 + 0.6 * blurred).astype(np.float32)


def decode(normal):
    return 2.0 * normal - 1.0


def test_conformance():
    check_node(IMAGE_TO_MATERIAL)


def test_outputs_have_the_documented_shapes_and_ranges():
    maps = run(grainy((40, 72)))
    assert set(maps) == set(MAPS)
    for name, channels in (("basecolor", 3), ("height", 1), ("normal", 3), ("ao", 1),
                           ("roughness", 1)):
        assert maps[name].shape == (40, 72, channels) and maps[name].dtype == np.float32
        assert maps[name].min() >= 0.0 and maps[name].max() <= 1.0, name
    assert maps["height"].min() == 0.0 and maps["height"].max() == 1.0


@pytest.mark.parametrize("tileable", [True, False])
def test_normals_are_unit_length(tileable):
    maps = run(grainy((64, 48), seed=3), tileable=tileable, strength=5.0)
    np.testing.assert_allclose(np.linalg.norm(decode(maps["normal"]), axis=2), 1.0,
                               atol=1e-5)


def test_normals_follow_the_opengl_or_directx_convention():
    # A bright bump in the middle is read as a hill: above it the surface faces up the
    # image (OpenGL green > 0.5, DirectX green < 0.5), right of it the surface faces right.
    rows, cols = np.mgrid[0:64, 0:64]
    bump = np.exp(-((rows - 32) ** 2 + (cols - 32) ** 2) / (2 * 4.0 ** 2))
    photo = np.repeat((0.3 + 0.5 * bump)[..., None], 3, axis=2).astype(np.float32)
    opengl = run(photo, strength=2.0)["normal"]
    directx = run(photo, strength=2.0, convention="directx")["normal"]
    assert opengl[27, 32, 1] > 0.55 and directx[27, 32, 1] < 0.45
    assert opengl[37, 32, 1] < 0.45 and directx[37, 32, 1] > 0.55
    assert opengl[32, 37, 0] > 0.55 and directx[32, 37, 0] > 0.55
    np.testing.assert_allclose(directx[..., 1], 1.0 - opengl[..., 1], atol=1e-6)
    np.testing.assert_array_equal(directx[..., [0, 2]], opengl[..., [0, 2]])


@pytest.mark.parametrize("tileable", [True, False])
def test_a_flat_photo_gives_flat_maps(tileable):
    photo = np.full((32, 48, 3), (0.6, 0.4, 0.3), np.float32)
    maps = run(photo, tileable=tileable)
    np.testing.assert_allclose(maps["normal"], np.broadcast_to((0.5, 0.5, 1.0), (32, 48, 3)),
                               atol=1e-6)
    np.testing.assert_array_equal(maps["height"], 0.5)
    np.testing.assert_allclose(maps["basecolor"], photo, atol=1e-6)
    np.testing.assert_allclose(maps["ao"], 1.0, atol=1e-6)
    np.testing.assert_allclose(maps["roughness"], DEFAULTS["roughness"], atol=1e-6)


def test_a_rolled_photo_gives_rolled_maps():
    photo = grainy((64, 80), seed=1)
    shift = (13, -29)
    maps = run(photo)
    rolled = run(np.roll(photo, shift, axis=(0, 1)))
    for name in MAPS:
        np.testing.assert_allclose(rolled[name], np.roll(maps[name], shift, axis=(0, 1)),
                                   atol=1e-3, err_msg=name)


def test_a_tiling_photo_gives_tiling_maps():
    photo = grainy((96, 128), seed=2)
    for name, out in run(photo, strength=5.0).items():
        interior = np.abs(np.diff(out, axis=1)).mean()
        seam = np.abs(out[:, 0] - out[:, -1]).mean()
        interior_v = np.abs(np.diff(out, axis=0)).mean()
        seam_v = np.abs(out[0] - out[-1]).mean()
        assert seam < 1.5 * interior and seam_v < 1.5 * interior_v, name


def test_height_is_float_without_8_bit_steps():
    # A smooth photo stored in 8 bits (256 gray levels at most): the height is a sum of
    # blurs, so it has far more distinct float values than the photo's levels.
    gray = np.round(grainy((96, 96), seed=8, sigma=6.0)[..., :1] * 255) / 255
    photo = np.repeat(gray, 3, axis=2)
    assert len(np.unique(gray)) <= 256
    height = run(photo.astype(np.float32))["height"]
    assert height.dtype == np.float32
    assert len(np.unique(height)) > 4096


def _trend(gray):
    """Slope of a line through the column means, relative to the mean: the large-scale
    brightness change across the width."""
    means = gray.mean(axis=(0, 2))
    return abs(np.polyfit(np.linspace(0.0, 1.0, means.size), means, 1)[0]) / means.mean()


def test_delighting_removes_a_lighting_ramp():
    ramp = np.linspace(0.3, 1.0, 128, dtype=np.float32)[None, :, None]
    photo = grainy((96, 128), seed=4) * ramp
    basecolor = run(photo, tileable=False)["basecolor"]
    assert _trend(photo) > 0.5
    assert _trend(basecolor) < 0.1 * _trend(photo)
    # The texture is kept: the delit detail still follows the unlit photo's.
    detail = basecolor - gaussian_blur(basecolor, 8.0, wrap=False)
    truth = grainy((96, 128), seed=4)
    truth = truth - gaussian_blur(truth, 8.0, wrap=True)
    assert np.corrcoef(detail[:, 16:-16].ravel(), truth[:, 16:-16].ravel())[0, 1] > 0.8


def test_delighting_a_tiling_photo_removes_tiling_light():
    # Light that tiles (one bright and one dark band across the width), filtered with
    # wrap-around: the column means' first harmonic mostly goes.
    u = np.arange(128) / 128
    light = (0.65 + 0.35 * np.sin(2 * np.pi * u)).astype(np.float32)[None, :, None]
    photo = grainy((96, 128), seed=4) * light

    def harmonic(image):
        means = image.mean(axis=(0, 2))
        return abs(np.fft.rfft(means)[1]) / means.sum()

    assert harmonic(photo) > 0.1
    # A Gaussian high-pass of radius r keeps exp(-2 pi^2 r^2) of a once-per-width light:
    # 18 % at the default 0.1, 5 % at 0.05.
    assert harmonic(run(photo)["basecolor"]) < 0.25 * harmonic(photo)
    assert harmonic(run(photo, delight_radius=0.05)["basecolor"]) < 0.1 * harmonic(photo)


def test_delight_0_keeps_the_photo():
    photo = grainy((32, 32)) * np.linspace(0.3, 1.0, 32, dtype=np.float32)[None, :, None]
    np.testing.assert_allclose(run(photo, delight=0.0)["basecolor"], photo, atol=1e-6)


def test_invert_reads_bright_as_deep():
    photo = grainy((48, 48), seed=5)
    np.testing.assert_allclose(run(photo, invert=True)["height"],
                               1.0 - run(photo)["height"], atol=1e-5)


def test_roughness_is_higher_where_the_photo_is_grainier():
    photo = grainy((64, 128), seed=6, sigma=1.0)
    smooth = grainy((64, 128), seed=6, sigma=8.0)
    photo[:, 64:] = smooth[:, 64:]
    rough = run(photo, tileable=False)["roughness"]
    assert rough[:, 8:56].mean() > rough[:, 72:120].mean() + 0.1


# --- texgen maps ----------------------------------------------------------------------------

@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "pebbles.png"
    write_png8(path, grainy((40, 56), seed=7))
    return path


def test_maps_writes_each_map_named_after_the_photo(photo, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["maps", str(photo), "-o", str(out)]) == 0, capsys.readouterr().err
    for name in MAPS:
        image = read_image(out / f"pebbles_{name}.png")
        assert image.shape[:2] == (40, 56), name
    # The files are the Python form's render, at the photo's size too (height as 16-bit
    # PNG).
    height = Engine().render(maps_preset(photo))["height"]
    assert height.shape[:2] == (40, 56)
    np.testing.assert_allclose(read_image(out / "pebbles_height.png"), height,
                               atol=1 / 65535 + 1e-6)
    assert "pebbles_normal.png" in capsys.readouterr().err


def test_maps_options_size_format_and_directx(photo, tmp_path):
    assert main(["maps", str(photo), "-o", str(tmp_path / "gl"), "--size", "64",
                 "--format", "tiff", "-q"]) == 0
    assert main(["maps", str(photo), "-o", str(tmp_path / "dx"), "--size", "64",
                 "--format", "tiff", "--directx", "-q"]) == 0
    gl = read_image(tmp_path / "gl" / "pebbles_normal.tiff")
    dx = read_image(tmp_path / "dx" / "pebbles_normal.tiff")
    assert gl.shape == (64, 64, 3)
    np.testing.assert_allclose(dx[..., 1], 1.0 - gl[..., 1], atol=1e-6)
    height = read_image(tmp_path / "gl" / "pebbles_height.tiff")
    assert height.dtype == np.float32 and len(np.unique(height)) > 256


def test_maps_with_a_missing_photo_exits_2_naming_it(tmp_path, capsys):
    assert main(["maps", str(tmp_path / "nope.png"), "-o", str(tmp_path / "out")]) == 2
    assert "nope.png" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_maps_with_a_corrupt_photo_exits_2_naming_it(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG not really")
    assert main(["maps", str(bad), "-o", str(tmp_path / "out")]) == 2
    assert "bad.png" in capsys.readouterr().err


def test_the_preset_file_of_docs_maps_md_is_the_python_form(photo, tmp_path):
    text = (Path(__file__).parents[3] / "docs" / "maps.md").read_text()
    data = tomllib.loads(re.findall(r"^```toml\n(.*?)^```", text, re.S | re.M)[0])
    data["nodes"]["photo"]["path"] = str(photo)
    engine = Engine()
    from_file = engine.render(data, size=32)
    from_python = engine.render(maps_preset(photo, params={"convention": "directx"}), size=32)
    assert set(from_file) == set(MAPS)
    for name in MAPS:
        np.testing.assert_array_equal(from_file[name], from_python[name])
