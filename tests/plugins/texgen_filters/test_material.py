"""The material nodes: normal_map (formula, conventions, edges, seams, resolution
independence), height_blend, make_tileable, channel_pack and image_input. Ambient
occlusion and curvature are checked with the spatial nodes in test_spatial.py."""

import imageio.v3 as iio
import numpy as np
import pytest
from filters_testing import context, texture

import texgen
from texgen.errors import PresetError
from texgen.io import encode_png
from texgen.nodes import NodeContext
from texgen.testing import seam_ratio
from texgen_filters.material import (
    channel_pack,
    height_blend,
    image_input,
    make_tileable,
    normal_map,
)

SQRT_HALF = 0.5 ** 0.5


def run(height_field, *, strength=1.0, convention="opengl", tileable=True):
    rows, columns = height_field.shape[:2]
    return normal_map(context(rows, columns, tileable=tileable), height=height_field,
                      strength=strength, convention=convention)


def periodic_height(rows, columns):
    """0.5 + 0.25 sin(2 pi u) + 0.25 cos(2 pi v) sampled at u = c / W, v = r / H."""
    v, u = np.meshgrid(np.arange(rows) / rows, np.arange(columns) / columns, indexing="ij")
    return 0.5 + 0.25 * np.sin(2 * np.pi * u) + 0.25 * np.cos(2 * np.pi * v)


@pytest.mark.parametrize("tileable", [True, False])
@pytest.mark.parametrize("convention", ["opengl", "directx"])
def test_flat_height_is_straight_up_exactly(tileable, convention):
    out = run(texture(np.full((5, 7), 0.3)), strength=50.0, convention=convention,
              tileable=tileable)
    np.testing.assert_array_equal(out, np.broadcast_to(np.float32([0.5, 0.5, 1.0]), (5, 7, 3)))


def test_ramp_in_x_gives_a_constant_normal_up_to_the_edges():
    columns = 16
    ramp = texture(np.tile(np.arange(columns) / columns, (4, 1)))  # dh/du = 1
    out = run(ramp, strength=100.0, tileable=False)
    # k = 1: n = normalize(-1, 0, 1) = (-sqrt(1/2), 0, sqrt(1/2)); facing left (red < 0.5).
    expected = [0.5 - 0.5 * SQRT_HALF, 0.5, 0.5 + 0.5 * SQRT_HALF]
    np.testing.assert_allclose(out.reshape(-1, 3), np.tile(expected, (4 * columns, 1)),
                               atol=1e-6)


def test_strength_is_percent_of_width_per_unit_height():
    columns = 32
    ramp = texture(np.tile(2.0 * np.arange(columns) / columns, (3, 1)))  # dh/du = 2
    out = run(ramp, strength=25.0, tileable=False)
    # k du = 0.25 * 2 = 0.5: n = (-0.5, 0, 1) / sqrt(1.25)
    length = 1.25 ** 0.5
    expected = [0.5 - 0.25 / length, 0.5, 0.5 + 0.5 / length]
    np.testing.assert_allclose(out.reshape(-1, 3), np.tile(expected, (3 * columns, 1)),
                               atol=1e-6)


def test_ramp_down_the_rows_faces_up_in_opengl():
    rows, columns = 8, 8
    ramp = texture(np.tile((np.arange(rows) / columns)[:, None], (1, columns)))  # dh/dv = 1
    opengl = run(ramp, strength=100.0, tileable=False)
    directx = run(ramp, strength=100.0, convention="directx", tileable=False)
    # Height grows towards the bottom of the image, so the surface faces the top: +Y.
    up = [0.5, 0.5 + 0.5 * SQRT_HALF, 0.5 + 0.5 * SQRT_HALF]
    down = [0.5, 0.5 - 0.5 * SQRT_HALF, 0.5 + 0.5 * SQRT_HALF]
    np.testing.assert_allclose(opengl.reshape(-1, 3), np.tile(up, (rows * columns, 1)),
                               atol=1e-6)
    np.testing.assert_allclose(directx.reshape(-1, 3), np.tile(down, (rows * columns, 1)),
                               atol=1e-6)


def test_conventions_differ_only_in_green():
    rng = np.random.default_rng(3)
    heights = texture(rng.random((31, 47)))
    opengl = run(heights, strength=5.0)
    directx = run(heights, strength=5.0, convention="directx")
    np.testing.assert_array_equal(opengl[..., [0, 2]], directx[..., [0, 2]])
    np.testing.assert_allclose(directx[..., 1], 1.0 - opengl[..., 1], atol=1e-6)
    assert np.abs(opengl[..., 1] - 0.5).max() > 0.1  # the green channel is exercised


def test_tileable_wraps_around_the_edges():
    heights = periodic_height(40, 56)
    out = run(texture(heights), strength=10.0)
    # Wrapping means shifting the input shifts the output: the edge pixels see the same
    # neighbours as interior ones would.
    shifted = run(texture(np.roll(heights, (13, 21), axis=(0, 1))), strength=10.0)
    np.testing.assert_allclose(shifted, np.roll(out, (13, 21), axis=(0, 1)), atol=1e-6)
    # The step across the seam (last row/column to the first) is no larger than a step
    # between interior neighbours.
    for axis in (0, 1):
        seam = np.abs(np.take(out, 0, axis) - np.take(out, -1, axis)).max()
        assert seam <= 1.01 * np.abs(np.diff(out, axis=axis)).max()


def test_tileable_ramp_has_a_seam_and_the_clamped_one_does_not():
    ramp = texture(np.tile(np.arange(16) / 16, (4, 1)))
    wrapped = run(ramp, strength=100.0)
    clamped = run(ramp, strength=100.0, tileable=False)
    # The wrap sees the jump from 15/16 back to 0 at both edge columns.
    np.testing.assert_allclose(wrapped[:, 1:-1], clamped[:, 1:-1], atol=1e-6)
    assert wrapped[0, 0, 0] > 0.5 > clamped[0, 0, 0]
    assert wrapped[0, -1, 0] > 0.5 > clamped[0, -1, 0]


@pytest.mark.parametrize("small, large", [((64, 64), (256, 256)), ((32, 64), (128, 256))])
def test_resolution_independent(small, large):
    low = run(texture(periodic_height(*small)), strength=10.0)
    high = run(texture(periodic_height(*large)), strength=10.0)
    step = large[1] // small[1]
    # Pixel (r, c) at the small size and (step r, step c) at the large one sample the
    # same (u, v); only the central difference's sampling error separates them.
    np.testing.assert_allclose(low, high[::step, ::step], atol=2e-3)
    assert np.abs(low - 0.5)[..., :2].max() > 0.05  # the slopes are not negligible


def test_matches_the_analytic_normal():
    size = 256
    out = run(texture(periodic_height(size, size)), strength=10.0)
    v, u = np.meshgrid(np.arange(size) / size, np.arange(size) / size, indexing="ij")
    # dh/du = 0.25 * 2 pi cos(2 pi u); dh/dv = -0.25 * 2 pi sin(2 pi v); k = 0.1.
    du = 0.5 * np.pi * np.cos(2 * np.pi * u)
    dv = -0.5 * np.pi * np.sin(2 * np.pi * v)
    n = np.stack([-0.1 * du, 0.1 * dv, np.ones_like(du)], axis=-1)
    n /= np.linalg.norm(n, axis=-1, keepdims=True)
    np.testing.assert_allclose(out, 0.5 + 0.5 * n, atol=1e-3)


@pytest.mark.parametrize("tileable", [True, False])
@pytest.mark.parametrize("height, width", [(130, 257), (257, 130), (1, 1), (2, 3)])
def test_output_shape_dtype_and_layout(height, width, tileable):
    heights = texture(np.random.default_rng(0).random((height, width)))
    out = run(heights, tileable=tileable)
    assert out.shape == (height, width, 3)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    assert np.isfinite(out).all()


# --- height_blend ---------------------------------------------------------------------------------

def test_height_blend_shows_the_higher_material():
    rows, columns = 4, 6
    height_a = texture(np.full((rows, columns), 0.5))
    height_b = texture(np.tile(np.linspace(0.0, 1.0, columns), (rows, 1)))
    color_a = texture(np.broadcast_to([0.9, 0.1, 0.1], (rows, columns, 3)))
    color_b = texture(np.full((rows, columns), 0.2))  # gray: promoted to color
    hard = height_blend(context(rows, columns), color_a=color_a, height_a=height_a,
                        color_b=color_b, height_b=height_b, offset=0.0, contrast=1.0)
    np.testing.assert_allclose(hard["height"], np.maximum(height_a, height_b), atol=1e-6)
    b_higher = np.asarray(height_b)[..., 0] > 0.5
    np.testing.assert_array_equal(hard["mask"][..., 0], b_higher.astype(np.float32))
    np.testing.assert_allclose(hard["color"][b_higher], 0.2, atol=1e-6)
    np.testing.assert_allclose(hard["color"][~b_higher], np.tile([0.9, 0.1, 0.1], (12, 1)),
                               atol=1e-6)
    raised = height_blend(context(rows, columns), color_a=color_a, height_a=height_a,
                          color_b=color_b, height_b=height_b, offset=0.3, contrast=1.0)
    assert raised["mask"].sum() > hard["mask"].sum()
    np.testing.assert_allclose(raised["height"], np.maximum(height_a, height_b + np.float32(0.3)),
                               atol=1e-6)


def test_height_blend_transition_spans_one_minus_contrast():
    columns = 101
    height_a = texture(np.full((1, columns), 0.5))
    height_b = texture(np.linspace(0.0, 1.0, columns)[None, :])
    gray = texture(np.zeros((1, columns)))
    out = height_blend(context(1, columns), color_a=gray, height_a=height_a, color_b=gray,
                       height_b=height_b, offset=0.0, contrast=0.8)
    mask = out["mask"][0, :, 0]
    d = np.linspace(0.0, 1.0, columns) - 0.5
    t = np.clip(0.5 + d / 0.2, 0, 1)
    np.testing.assert_allclose(mask, t * t * (3 - 2 * t), atol=1e-6)
    assert mask[50] == pytest.approx(0.5)


def test_height_blend_refuses_color_with_rgba():
    gray = texture(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="node 'n', parameter 'color_b': against color_a: "
                                         "cannot blend"):
        height_blend(context(2, 2), color_a=texture(np.zeros((2, 2, 3))), height_a=gray,
                     color_b=texture(np.zeros((2, 2, 4))), height_b=gray, offset=0.0,
                     contrast=0.5)


# --- make_tileable --------------------------------------------------------------------------------

@pytest.mark.parametrize("preserve_contrast", [True, False])
@pytest.mark.parametrize("rows, columns", [(64, 64), (130, 257)])
def test_make_tileable_removes_the_seam_of_a_ramp(rows, columns, preserve_contrast):
    v, u = np.meshgrid(np.arange(rows) / rows, np.arange(columns) / columns, indexing="ij")
    ramp = texture(np.stack([u, v, 0.5 * (u + v)], -1))
    assert seam_ratio(ramp) > 10
    out = make_tileable(context(rows, columns, tileable=False), input=ramp, width=0.25,
                        preserve_contrast=preserve_contrast)
    assert out.shape == ramp.shape and out.dtype == np.float32 and out.flags.c_contiguous
    assert seam_ratio(out) < 1.5
    assert out.min() >= 0 and out.max() <= 1
    # The middle, more than a band's width from every edge, is the input.
    middle = (slice(rows // 4 + 1, rows - rows // 4 - 1), slice(columns // 4 + 1,
                                                               columns - columns // 4 - 1))
    np.testing.assert_allclose(out[middle], ramp[middle], atol=1e-6)


def test_make_tileable_preserve_contrast_keeps_the_spread():
    noise = texture(np.random.default_rng(5).random((96, 96, 1)))
    plain = make_tileable(context(96, 96), input=noise, width=0.5, preserve_contrast=False)
    kept = make_tileable(context(96, 96), input=noise, width=0.5, preserve_contrast=True)
    assert seam_ratio(kept) < 1.5 and seam_ratio(plain) < 1.5
    assert plain.std() < 0.85 * noise.std()
    assert kept.std() == pytest.approx(noise.std(), rel=0.1)


# --- channel_pack ---------------------------------------------------------------------------------

def maps(rows=3, columns=5):
    """Distinct constant gray maps, so a channel's value names its input."""
    names = ("ao", "roughness", "metallic", "detail", "red", "green", "blue", "alpha")
    return {name: texture(np.full((rows, columns), 0.1 * (i + 1))) for i, name in
            enumerate(names)}


def pack(preset, **inputs):
    given = dict.fromkeys(("ao", "roughness", "metallic", "detail", "red", "green", "blue",
                           "alpha")) | inputs
    return channel_pack(context(3, 5), preset=preset, **given)


@pytest.mark.parametrize("preset, expected", [
    ("orm", [0.1, 0.2, 0.3]),                 # ao, roughness, metallic
    ("unity_mask", [0.3, 0.1, 0.4, 0.8]),     # metallic, ao, detail, 1 - roughness
    ("custom", [0.5, 0.6, 0.7, 0.8]),         # red, green, blue, alpha
])
def test_channel_pack_puts_inputs_in_their_channels(preset, expected):
    out = pack(preset, **maps())
    assert out.shape == (3, 5, len(expected)) and out.dtype == np.float32
    np.testing.assert_allclose(out, np.broadcast_to(np.float32(expected), out.shape), atol=1e-6)


def test_channel_pack_defaults_and_clamping():
    np.testing.assert_allclose(pack("orm"), np.broadcast_to([1.0, 0.5, 0.0], (3, 5, 3)))
    np.testing.assert_allclose(pack("unity_mask"),
                               np.broadcast_to([0.0, 1.0, 1.0, 0.5], (3, 5, 4)))
    custom = pack("custom", green=texture(np.full((3, 5), 1.7)))
    assert custom.shape == (3, 5, 3)  # no alpha input: color
    np.testing.assert_allclose(custom, np.broadcast_to([0.0, 1.0, 0.0], (3, 5, 3)))


# --- image_input ----------------------------------------------------------------------------------

def gradient_image(rows, columns, channels):
    v, u = np.meshgrid(np.arange(rows) / rows, np.arange(columns) / columns, indexing="ij")
    layers = [u, v, 1 - u, 0.5 + 0.5 * v][:channels]
    return np.rint(np.stack(layers, -1) * 255) / 255  # exact in an 8-bit file


def run_image(path, rows, columns, tileable=True):
    return image_input(NodeContext("img", columns, rows, seed=1, tileable=tileable), path=path)


@pytest.mark.parametrize("channels, kind", [(1, 1), (2, 4), (3, 3), (4, 4)])
def test_image_input_outputs_follow_the_file(tmp_path, channels, kind):
    image = gradient_image(13, 21, channels)
    path = tmp_path / "image.png"
    path.write_bytes(encode_png(image.astype(np.float32), bits=8))
    out = run_image(path, 13, 21)
    assert {name: t.shape for name, t in out.items()} == {
        "out": (13, 21, kind), "color": (13, 21, 3), "gray": (13, 21, 1), "alpha": (13, 21, 1)}
    assert all(t.dtype == np.float32 and t.flags.c_contiguous for t in out.values())
    colors = np.repeat(image[..., :1], 3, 2) if channels <= 2 else image[..., :3]
    np.testing.assert_allclose(out["color"], colors, atol=1e-6)
    alpha = image[..., -1:] if channels in (2, 4) else np.ones((13, 21, 1))
    np.testing.assert_allclose(out["alpha"], alpha, atol=1e-6)
    gray = image[..., :1] if channels <= 2 else colors @ [[0.2126], [0.7152], [0.0722]]
    np.testing.assert_allclose(out["gray"], gray, atol=1e-6)


@pytest.mark.parametrize("tileable", [True, False])
def test_image_input_resizes_by_area_and_bilinearly(tmp_path, tileable):
    image = np.random.default_rng(6).integers(0, 256, (64, 64, 3)) / 255
    path = tmp_path / "noise.png"
    iio.imwrite(path, np.rint(image * 255).astype(np.uint8))
    small = run_image(path, 32, 16, tileable)["out"]
    # Rows halve, columns quarter: each output pixel is the mean of a 2 x 4 block.
    np.testing.assert_allclose(small, image.reshape(32, 2, 16, 4, 3).mean(axis=(1, 3)),
                               atol=1e-6)
    large = run_image(path, 64, 128, tileable)["out"]
    # Columns double with aligned pixel centres: output 2c + 1 lies a quarter of the
    # way from input c to c + 1.
    np.testing.assert_allclose(large[:, 1:-1:2], 0.75 * image[:, :-1] + 0.25 * image[:, 1:],
                               atol=1e-6)
    for size in ((64, 64), (130, 257)):
        out = run_image(path, *size, tileable)
        assert out["out"].shape == (*size, 3) and 0 <= out["out"].min() <= out["out"].max() <= 1


def test_image_input_reads_jpeg_and_tiff(tmp_path):
    image = gradient_image(16, 24, 3)
    iio.imwrite(tmp_path / "a.jpg", np.rint(image * 255).astype(np.uint8), quality=95)
    iio.imwrite(tmp_path / "a.tiff", image.astype(np.float32))
    np.testing.assert_allclose(run_image(tmp_path / "a.jpg", 16, 24)["out"], image, atol=0.05)
    np.testing.assert_allclose(run_image(tmp_path / "a.tiff", 16, 24)["out"], image, atol=1e-6)


def test_image_input_path_is_relative_to_the_preset(tmp_path, monkeypatch):
    (tmp_path / "textures").mkdir()
    (tmp_path / "presets").mkdir()
    image = gradient_image(10, 20, 3)
    (tmp_path / "textures" / "photo.png").write_bytes(encode_png(image.astype(np.float32)))
    preset = tmp_path / "presets" / "photo.toml"
    preset.write_text('texgen = 1\nsize = [20, 10]\n[nodes.photo]\ntype = "filters.image_input"'
                      '\npath = "../textures/photo.png"\n[outputs]\nbasecolor = "photo"\n'
                      'height = "photo.gray"\n')
    monkeypatch.chdir(tmp_path / "textures")  # the working directory plays no part
    textures = texgen.Engine().render(preset)
    np.testing.assert_allclose(textures["basecolor"], image, atol=1e-6)
    assert textures["height"].shape == (10, 20, 1)


# imageio tries each of its plugins on a file it cannot read, and its DICOM one warns.
@pytest.mark.filterwarnings("ignore:The legacy `DICOM` plugin:DeprecationWarning")
def test_image_input_errors_name_the_node_and_the_path(tmp_path):
    missing = tmp_path / "missing.png"
    with pytest.raises(ValueError, match=r"node 'img', parameter 'path': .*missing\.png"):
        run_image(missing, 8, 8)
    (tmp_path / "bad.png").write_bytes(b"not an image")
    with pytest.raises(ValueError, match=r"node 'img', parameter 'path': .*bad\.png.*not a "
                                         r"readable image"):
        run_image(tmp_path / "bad.png", 8, 8)
    with pytest.raises(ValueError, match="node 'img', parameter 'path': no file given"):
        run_image(None, 8, 8)
    preset = {"texgen": 1, "size": 8, "nodes": {"photo": {"type": "filters.image_input",
                                                          "path": str(missing)}},
              "outputs": {"basecolor": "photo.color"}}
    with pytest.raises(PresetError, match=r"node 'photo', key 'path': no such file: "
                                          r".*missing\.png"):
        texgen.Engine().validate(preset)
