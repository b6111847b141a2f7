"""filters.remap and filters.remap_image: exact copies through a uv map, every channel
count, aligned maps that stay aligned in a preset, errors naming node and key."""

import numpy as np
import pytest
from filters_testing import context, texture

import texgen
import texgen_filters
from texgen import NodeSpec, Param, Port, hookimpl
from texgen.errors import InputError
from texgen.io import read_image, write_png16, write_tiff
from texgen.uvmap import uv_of
from texgen_filters.remap import remap, remap_image


def _indices(shape, h, w, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, h, shape), rng.integers(0, w, shape)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_remap_copies_the_pixels_the_uv_map_points_at(channels):
    h, w = 37, 53  # not powers of two: pixel centres must still land inside their cells
    exemplar = texture(np.random.default_rng(1).random((h, w, channels)))
    rows, cols = _indices((20, 30), h, w)
    out = remap(context(20, 30), input=exemplar, uv=uv_of(rows, cols, h, w))
    assert out.dtype == np.float32 and out.shape == (20, 30, channels)
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, exemplar[rows, cols])


def test_remap_of_a_normal_map_is_a_normal_map():
    # Patches are copied, not rotated: each output normal is one of the input's, unit
    # length once decoded, with no averaging that would shorten it.
    rng = np.random.default_rng(2)
    n = rng.normal(size=(16, 16, 3))
    n[..., 2] = np.abs(n[..., 2]) + 0.5
    n /= np.linalg.norm(n, axis=2, keepdims=True)
    normals = texture(0.5 + 0.5 * n)
    rows, cols = _indices((24, 24), 16, 16, seed=3)
    out = remap(context(24, 24), input=normals, uv=uv_of(rows, cols, 16, 16))
    decoded = (out.astype(np.float64) - 0.5) * 2
    np.testing.assert_allclose(np.linalg.norm(decoded, axis=2), 1.0, atol=1e-6)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_remap_image_reads_the_file_at_its_own_size(tmp_path, channels):
    h, w = 40, 24
    values = np.random.default_rng(4).random((h, w, channels)).astype(np.float32)
    path = tmp_path / "map.tiff"
    write_tiff(path, values)
    rows, cols = _indices((64, 48), h, w, seed=5)  # a larger render than the file
    out = remap_image(context(64, 48), uv=uv_of(rows, cols, h, w), image=path)
    assert out.shape == (64, 48, channels)
    np.testing.assert_array_equal(out, values[rows, cols])


def test_remap_image_makes_gray_with_alpha_rgba(tmp_path):
    values = np.random.default_rng(6).random((8, 8, 2)).astype(np.float32)
    path = tmp_path / "ga.png"
    write_png16(path, values)
    stored = read_image(path)
    rows, cols = _indices((8, 8), 8, 8, seed=7)
    out = remap_image(context(8, 8), uv=uv_of(rows, cols, 8, 8), image=path)
    assert out.shape == (8, 8, 4)
    np.testing.assert_array_equal(out[..., :3], np.repeat(stored[rows, cols, :1], 3, axis=2))
    np.testing.assert_array_equal(out[..., 3], stored[rows, cols, 1])


def test_remap_image_names_node_and_key_for_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"'n'.*'image'.*bad\.png") as caught:
        remap_image(context(4, 4), uv=uv_of(*_indices((4, 4), 4, 4), 4, 4), image=bad)
    assert caught.value.node_id == "n" and caught.value.name == "image"


class CopyPlugin:
    """A stand-in for an exemplar synthesizer: "t.copy" copies its exemplar's pixels from
    random places (seeded) and says where in its 'uv' output, as stats.markov does."""

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec(
            "copy", self.copy, "Random exemplar pixels, and where they came from.",
            outputs=(Port("out", "color", "copied pixels"), Port("uv", "color", "their uv")),
            params=(Param("exemplar", "path", None, "the exemplar image file"),)))

    @staticmethod
    def copy(ctx, *, exemplar):
        image = read_image(exemplar)
        h, w = image.shape[:2]
        rng = ctx.rng()
        rows = rng.integers(0, h, (ctx.height, ctx.width))
        cols = rng.integers(0, w, (ctx.height, ctx.width))
        return {"out": np.ascontiguousarray(image[rows, cols]), "uv": uv_of(rows, cols, h, w)}


@pytest.fixture
def engine():
    return texgen.Engine(entry_points=False, strict=True,
                         plugins={"t": CopyPlugin(), "filters": texgen_filters})


def _material(folder, h=24, w=40):
    rng = np.random.default_rng(8)
    color, height = rng.random((h, w, 3)), rng.random((h, w, 1))
    write_png16(folder / "color.png", color.astype(np.float32))
    write_png16(folder / "height.png", height.astype(np.float32))
    return read_image(folder / "color.png"), read_image(folder / "height.png")


@pytest.mark.parametrize("size", [[40, 24], [96, 64]])
def test_aligned_maps_follow_the_color_in_a_preset(engine, tmp_path, size):
    color, height = _material(tmp_path)
    preset = {
        "texgen": 1, "name": "pbr", "size": size, "seed": 3,
        "nodes": {
            "synth": {"type": "t.copy", "exemplar": "color.png"},
            "height": {"type": "filters.remap_image", "uv": "synth.uv", "image": "height.png"},
        },
        "outputs": {"basecolor": "synth", "height": "height", "uv": "synth.uv"},
    }
    out = engine.render(preset, base=tmp_path)
    rows, cols = (np.floor(out["uv"][..., i] * n).astype(int) for i, n in ((1, 24), (0, 40)))
    np.testing.assert_array_equal(out["basecolor"], color[rows, cols])
    np.testing.assert_array_equal(out["height"], height[rows, cols])
    assert out["height"].shape == (size[1], size[0], 1)


def test_remap_of_an_image_input_at_the_exemplar_size_is_exact(engine, tmp_path):
    color, height = _material(tmp_path)
    preset = {
        "texgen": 1, "name": "pbr", "size": [40, 24], "seed": 4,
        "nodes": {
            "synth": {"type": "t.copy", "exemplar": "color.png"},
            "photo": {"type": "filters.image_input", "path": "height.png"},
            "height": {"type": "filters.remap", "input": "photo.gray", "uv": "synth.uv"},
        },
        "outputs": {"height": "height", "uv": "synth.uv"},
    }
    graph = engine.validate(preset, base=tmp_path)
    assert graph.channels[graph.outputs["height"]] == 1  # same_as="input": known unrendered
    out = engine.render(preset, base=tmp_path)
    rows = np.floor(out["uv"][..., 1] * 24).astype(int)
    cols = np.floor(out["uv"][..., 0] * 40).astype(int)
    np.testing.assert_array_equal(out["height"], height[rows, cols])


def test_a_missing_map_is_reported_before_rendering(engine, tmp_path):
    _material(tmp_path)
    preset = {
        "texgen": 1, "name": "pbr", "size": 16,
        "nodes": {"synth": {"type": "t.copy", "exemplar": "color.png"},
                  "rough": {"type": "filters.remap_image", "uv": "synth.uv",
                            "image": "roughness.png"}},
        "outputs": {"roughness": "rough"},
    }
    with pytest.raises(InputError, match=r"rough.*image.*roughness\.png"):
        engine.validate(preset, base=tmp_path)


def test_stats_markov_uv_carries_an_aligned_height_map(tmp_path):
    # The real synthesizer: each output pixel's height is the height at the exemplar pixel
    # its color came from (the exemplar's colors are all distinct, so they name the pixel).
    color, height = _material(tmp_path, h=40, w=48)
    where = {tuple(c): i for i, c in enumerate(color.reshape(-1, 3))}
    assert len(where) == 40 * 48
    preset = {
        "texgen": 1, "name": "pbr", "size": [72, 56], "seed": 9,
        "nodes": {
            "synth": {"type": "stats.markov", "exemplar": "color.png", "patch": 16},
            "height": {"type": "filters.remap_image", "uv": "synth.uv", "image": "height.png"},
        },
        "outputs": {"basecolor": "synth", "height": "height"},
    }
    out = texgen.Engine().render(preset, base=tmp_path)
    source = np.array([where[tuple(c)] for c in out["basecolor"].reshape(-1, 3)])
    np.testing.assert_array_equal(out["height"].reshape(-1), height.reshape(-1)[source])
    assert len(np.unique(source)) > 0.3 * source.size
