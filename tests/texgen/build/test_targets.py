"""Build targets: the files each built-in target writes from a small render (formats, DXGI
formats, channel packing, conventions), defaults for missing maps with notes, custom
targets from manifest tables and their errors."""

import dataclasses
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import texgen
from texgen.build.targets import (
    BUILTIN_TARGETS,
    ChannelSource,
    Target,
    TargetError,
    TargetMap,
    export_target,
    parse_target,
    planned_files,
    required_outputs,
)
from texgen.errors import InputError
from texgen.formats.dds import read_dds
from texgen.io import read_image

decoder = pytest.importorskip("texture2ddecoder")
OpenEXR = pytest.importorskip("OpenEXR")
pytest.importorskip("etcpak")

SIZE = 64
#: basecolor as an alias (albedo), a normal map in the OpenGL convention, roughness and
#: height; no ao, no metallic.
PRESET = {
    "texgen": 1, "name": "tiny", "size": SIZE, "seed": 3,
    "nodes": {
        "h": {"type": "noise.perlin", "frequency": 4.0},
        "color": {"type": "filters.gradient_map", "input": "h",
                  "gradient": [[0.0, "#302010"], [1.0, "#d09060"]]},
        "normal": {"type": "filters.normal_map", "height": "h", "strength": 4.0,
                   "convention": "opengl"},
        "rough": {"type": "filters.levels", "input": "h", "out_low": 0.2, "out_high": 0.9},
    },
    "outputs": {"albedo": "color", "normal": "normal", "roughness": "rough",
                "height": {"node": "h", "format": "png16"}},
}


@pytest.fixture(scope="module")
def engine():
    return texgen.Engine()


@pytest.fixture(scope="module")
def rendered(engine):
    return engine.validate(PRESET), engine.render(PRESET)


def export(engine, rendered, target, folder, *, graph=True, outputs=None):
    graph_, textures = rendered
    return export_target(target, textures if outputs is None else outputs,
                         lambda name, extension: folder / f"{name}.{extension}",
                         engine=engine, graph=graph_ if graph else None)


def level0(path, width=SIZE, height=SIZE):
    """A DDS file's header and its first level decoded to float RGBA (H, W, 4) in [0, 1]."""
    info = read_dds(path.read_bytes())
    if info.compression == "rgba8":
        pixels = np.frombuffer(info.levels[0], np.uint8).reshape(height, width, 4)
    else:
        bgra = np.frombuffer(getattr(decoder, f"decode_{info.compression}")(
            info.levels[0], width, height), np.uint8).reshape(height, width, 4)
        pixels = bgra[:, :, [2, 1, 0, 3]]
    return info, pixels / np.float32(255)


def close(decoded, source, mean=3 / 255):
    """Decoded block data against the source: mean error within the codec's."""
    assert np.abs(decoded - source).mean() < mean


def test_a_failing_map_leaves_every_file_of_the_target_as_it_was(engine, rendered, tmp_path):
    """The maps are staged and renamed together: the last map's path being a folder stops
    the export before the earlier maps replace their old files."""
    (tmp_path / "basecolor.dds").write_bytes(b"OLD")
    (tmp_path / "height.exr").mkdir()
    with pytest.raises(InputError, match="height.exr: is a folder"):
        export(engine, rendered, BUILTIN_TARGETS["unreal"], tmp_path)
    assert (tmp_path / "basecolor.dds").read_bytes() == b"OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["basecolor.dds", "height.exr"]


def test_unreal_files_formats_and_packing(engine, rendered, tmp_path):
    _, textures = rendered
    result = export(engine, rendered, BUILTIN_TARGETS["unreal"], tmp_path)
    assert {name: path.name for name, path in result.files.items()} == {
        "basecolor": "basecolor.dds", "normal": "normal.dds", "orm": "orm.dds",
        "height": "height.exr"}
    info, basecolor = level0(result.files["basecolor"])
    assert (info.compression, info.srgb, info.dxgi_format, info.mip_count) == (
        "bc7", True, 99, 7)
    close(basecolor[:, :, :3], textures["albedo"])
    info, normal = level0(result.files["normal"])
    assert (info.compression, info.srgb, info.mip_count) == ("bc5", False, 7)
    close(normal[:, :, 0], textures["normal"][:, :, 0])
    close(normal[:, :, 1], 1 - textures["normal"][:, :, 1])  # DirectX: green flipped
    info, orm = level0(result.files["orm"])
    assert (info.compression, info.srgb) == ("bc7", False)
    close(orm[:, :, 0], 1.0)  # no ao output: 1
    close(orm[:, :, 1], textures["roughness"][:, :, 0])
    close(orm[:, :, 2], 0.0)  # no metallic output: 0
    assert "orm: the preset has no ao output; 1 used for channel R (the documented " \
           "default)" in result.notes
    assert "orm: the preset has no metallic output; 0 used for channel B (the documented " \
           "default)" in result.notes
    with OpenEXR.File(str(result.files["height"])) as file:
        height = file.channels()["Y"].pixels.copy()
    assert height.dtype == np.float16
    np.testing.assert_allclose(height, textures["height"][:, :, 0], rtol=2 ** -11)


def test_unity_mask_map_and_opengl_normal(engine, rendered, tmp_path):
    _, textures = rendered
    result = export(engine, rendered, BUILTIN_TARGETS["unity"], tmp_path)
    assert sorted(result.files) == ["basecolor", "mask", "normal"]
    info, mask = level0(result.files["mask"])
    assert (info.compression, info.srgb) == ("bc7", False)
    close(mask[:, :, 0], 0.0)  # metallic default
    close(mask[:, :, 1], 1.0)  # ao default
    close(mask[:, :, 2], 1.0)  # detail mask
    close(mask[:, :, 3], 1 - textures["roughness"][:, :, 0])  # smoothness
    _, normal = level0(result.files["normal"])
    close(normal[:, :, 1], textures["normal"][:, :, 1])  # OpenGL source: as it is


def test_gltf_pngs_hold_the_outputs(engine, rendered, tmp_path):
    _, textures = rendered
    result = export(engine, rendered, BUILTIN_TARGETS["gltf"], tmp_path)
    assert {name: path.name for name, path in result.files.items()} == {
        "basecolor": "basecolor.png", "normal": "normal.png", "orm": "orm.png"}
    np.testing.assert_allclose(read_image(result.files["basecolor"]), textures["albedo"],
                               atol=0.5 / 255 + 1e-6)
    np.testing.assert_allclose(read_image(result.files["normal"]), textures["normal"],
                               atol=0.5 / 255 + 1e-6)
    orm = read_image(result.files["orm"])
    assert (orm[:, :, 0] == 1).all() and (orm[:, :, 2] == 0).all()
    np.testing.assert_allclose(orm[:, :, 1], textures["roughness"][:, :, 0],
                               atol=0.5 / 255 + 1e-6)


def test_png_target_writes_what_render_writes(engine, rendered, tmp_path):
    (tmp_path / "target").mkdir()
    result = export(engine, rendered, BUILTIN_TARGETS["png"], tmp_path / "target")
    engine.save(PRESET, tmp_path / "render")
    assert sorted(result.files) == ["albedo", "height", "normal", "roughness"]
    for name, path in result.files.items():
        assert path.read_bytes() == (tmp_path / "render" / f"tiny_{name}.png").read_bytes()
    assert required_outputs(BUILTIN_TARGETS["png"], ["a", "b"]) == {"a", "b"}


def test_directx_source_is_flipped_for_opengl_targets(engine, tmp_path):
    preset = {**PRESET, "nodes": {**PRESET["nodes"], "normal": {
        **PRESET["nodes"]["normal"], "convention": "directx"}}}
    graph, textures = engine.validate(preset), engine.render(preset)
    result = export(engine, (graph, textures), BUILTIN_TARGETS["gltf"], tmp_path)
    normal = read_image(result.files["normal"])
    np.testing.assert_allclose(normal[:, :, 1], 1 - textures["normal"][:, :, 1],
                               atol=0.5 / 255 + 1e-6)
    unreal = export(engine, (graph, textures), BUILTIN_TARGETS["unreal"], tmp_path)
    _, bc5 = level0(unreal.files["normal"])
    close(bc5[:, :, 1], textures["normal"][:, :, 1])  # DirectX to DirectX: as it is


def test_unknown_convention_assumes_opengl_and_says_so(engine, rendered, tmp_path):
    result = export(engine, rendered, BUILTIN_TARGETS["gltf"], tmp_path, graph=False)
    assert "normal: the convention of output 'normal' is not known from its node; OpenGL " \
           "assumed" in result.notes


def test_missing_basecolor_and_normal_are_skipped_with_notes(engine, rendered, tmp_path):
    graph, textures = rendered
    only = {"roughness": textures["roughness"]}
    result = export(engine, rendered, BUILTIN_TARGETS["unreal"], tmp_path, outputs=only)
    assert sorted(result.files) == ["orm"]
    assert "basecolor: not written: the preset has no basecolor output" in result.notes
    assert "height: not written: the preset has no height output" in result.notes
    assert not (tmp_path / "basecolor.dds").exists()
    limited = dataclasses.replace(graph, outputs={"roughness": graph.outputs["roughness"]})
    assert planned_files(BUILTIN_TARGETS["unreal"], limited, engine=engine) == {"orm": "dds"}
    assert planned_files(BUILTIN_TARGETS["unreal"], graph, engine=engine) == {
        "basecolor": "dds", "normal": "dds", "orm": "dds", "height": "exr"}
    assert planned_files(BUILTIN_TARGETS["png"], graph, engine=engine) == {
        "albedo": "png", "normal": "png", "roughness": "png", "height": "png"}


def test_required_outputs_follow_roles_and_packed_maps():
    unreal, gltf = BUILTIN_TARGETS["unreal"], BUILTIN_TARGETS["gltf"]
    available = ["albedo", "normal", "roughness", "height", "seams"]
    assert required_outputs(unreal, available) == {"albedo", "normal", "roughness", "height"}
    assert required_outputs(gltf, available) == {"albedo", "normal", "roughness"}
    # no ao/metallic of their own: read from a packed orm output (arm is its alias)
    assert required_outputs(gltf, ["basecolor", "arm"]) == {"basecolor", "arm"}


def test_packed_channels_come_from_an_orm_output(engine, tmp_path):
    graph = engine.validate(PRESET)
    textures = engine.render(PRESET)
    orm = np.stack([np.full((SIZE, SIZE), value, np.float32) for value in (0.25, 0.5, 0.75)],
                   axis=2)
    result = export(engine, (graph, textures), BUILTIN_TARGETS["gltf"], tmp_path,
                    outputs={"basecolor": textures["albedo"], "orm": orm})
    written = read_image(result.files["orm"])
    np.testing.assert_allclose(written[0, 0], [0.25, 0.5, 0.75], atol=0.5 / 255 + 1e-6)
    assert not [note for note in result.notes if note.startswith("orm")]


CUSTOM = """
[maps.basecolor]
source = "albedo"
format = "dds"
compression = "bc1"

[maps.mask]
channels = ["roughness", "1 - roughness", 0.25, "albedo.g"]
format = "tiff"

[maps.normal]
source = "normal"
format = "png8"
normal = "directx"

[maps.height]
source = "height"
format = "exr32"
"""


def test_custom_target_defaults_and_writing(engine, rendered, tmp_path):
    _, textures = rendered
    target = parse_target("mobile", tomllib.loads(CUSTOM), where="texgen.build.toml")
    by_map = {m.map: m for m in target.maps}
    assert by_map["basecolor"] == TargetMap("basecolor", (ChannelSource("albedo"),), "dds",
                                            "srgb", "bc1", True, None)
    assert by_map["normal"].normal == "directx" and by_map["normal"].color_space == "linear"
    assert by_map["height"].compression == "zip" and not by_map["height"].mips
    assert [str(c) for c in by_map["mask"].channels] == ["roughness", "1-roughness", "0.25",
                                                         "albedo.g"]
    result = export(engine, rendered, target, tmp_path)
    info = read_dds(result.files["basecolor"].read_bytes())
    assert (info.compression, info.srgb, info.mip_count) == ("bc1", True, 7)
    mask = read_image(result.files["mask"])
    rough = textures["roughness"][:, :, 0]
    np.testing.assert_array_equal(mask[:, :, 0], rough)
    np.testing.assert_array_equal(mask[:, :, 1], 1 - rough)
    assert (mask[:, :, 2] == 0.25).all()
    np.testing.assert_array_equal(mask[:, :, 3], textures["albedo"][:, :, 1])


def test_default_dds_compression_follows_the_source():
    target = parse_target("t", {"maps": {
        "rough": {"source": "roughness", "format": "dds"},
        "normal": {"source": "normal", "format": "dds"},
        "single": {"channels": ["ao"], "format": "dds"},
        "color": {"source": "emission", "format": "dds"}}}, where="m.toml")
    assert {m.map: (m.compression, m.color_space) for m in target.maps} == {
        "rough": ("bc4", "linear"), "normal": ("bc5", "linear"), "single": ("bc4", "linear"),
        "color": ("bc7", "srgb")}


def test_values_a_format_clips_are_noted(engine, rendered, tmp_path):
    target = Target("hot", (TargetMap("glow", (ChannelSource(constant=2.0),), "png8"),))
    result = export(engine, rendered, target, tmp_path)
    assert result.notes == ["glow: 100.0% of pixels above 1 (max 2), clipped by png8"]


@pytest.mark.parametrize("table, key, message", [
    ({"maps": {}}, "target.t.maps", "expected a table of maps"),
    ({"maps": {"a": {"source": "x", "format": "png8"}}, "extends": "unreal"},
     "target.t.extends", "unknown key"),
    ({"maps": {"a": {"source": "x", "format": "jpeg"}}}, "target.t.maps.a.format",
     "'jpeg' is not a format"),
    ({"maps": {"a": {"source": "x", "format": "png8", "colour": 1}}},
     "target.t.maps.a.colour", "unknown key"),
    ({"maps": {"a": {"format": "png8"}}}, "target.t.maps.a", "give either 'source'"),
    ({"maps": {"a": {"channels": ["x", "y"], "format": "png8"}}},
     "target.t.maps.a.channels", "1, 3 or 4 channel sources"),
    ({"maps": {"a": {"channels": ["x", True, "z"], "format": "png8"}}},
     "target.t.maps.a.channels", "got True"),
    ({"maps": {"a": {"source": "x", "format": "tiff", "compression": "bc7"}}},
     "target.t.maps.a.compression", "tiff takes no compression"),
    ({"maps": {"a": {"source": "x", "format": "png8", "compression": "bc7"}}},
     "target.t.maps.a.compression", "png8 takes fast, small"),
    ({"maps": {"a": {"source": "x", "format": "dds", "compression": "bc9"}}},
     "target.t.maps.a.compression", "'bc9'"),
    ({"maps": {"a": {"source": "normal", "format": "dds", "color_space": "srgb"}}},
     "target.t.maps.a.color_space", "bc5 has no sRGB form"),
    ({"maps": {"a": {"source": "albedo", "format": "dds", "compression": "bc4"}}},
     "target.t.maps.a.compression", "bc4 has no sRGB form, and a basecolor map is srgb by "
                                    "default"),
    ({"maps": {"a": {"source": "x", "format": "png8", "compresion": "bc1"}}},
     "target.t.maps.a.compresion", "unknown key; did you mean 'compression'"),
    ({"maps": {"a": {"source": "x", "format": "exr", "mips": True}}},
     "target.t.maps.a.mips", "mips need dds"),
    ({"maps": {"a": {"source": "x", "format": "dds", "mips": "yes"}}},
     "target.t.maps.a.mips", "expected true or false"),
    ({"maps": {"a": {"source": "normal", "format": "png8", "normal": "vulkan"}}},
     "target.t.maps.a.normal", "'vulkan'"),
    ({"maps": {"a b": {"source": "x", "format": "png8"}}}, "target.t.maps.a b",
     "a map name is"),
    ({"maps": {"a": {"source": "1-x", "format": "png8"}}}, "target.t.maps.a.source",
     "use 'channels'"),
])
def test_bad_target_tables_name_the_file_and_key(table, key, message):
    with pytest.raises(TargetError, match=f"^m.toml: {key}: .*{message}") as caught:
        parse_target("t", table, where="m.toml")
    assert isinstance(caught.value, InputError)  # the CLI exits 2


def test_plugin_formats_are_accepted_when_named():
    target = parse_target("t", {"maps": {"a": {"source": "x", "format": "ktx2"}}},
                          where="m.toml", formats=["png8", "ktx2"])
    assert target.maps[0].format == "ktx2"


def test_settings_change_with_every_field_that_shapes_bytes():
    base = BUILTIN_TARGETS["unreal"]
    first = base.maps[0]
    variants = [dataclasses.replace(first, **{name: value}) for name, value in (
        ("map", "albedo"), ("channels", (ChannelSource("diffuse"),)), ("format", "exr"),
        ("color_space", "linear"), ("compression", "bc1"), ("mips", False),
        ("normal", "opengl"))]
    settings = {repr(base.settings())}
    for variant in variants:
        changed = dataclasses.replace(base, maps=(variant, *base.maps[1:]))
        settings.add(repr(changed.settings()))
    settings.add(repr(dataclasses.replace(base, name="unreal5").settings()))
    assert len(settings) == len(variants) + 2
    assert base.settings() == BUILTIN_TARGETS["unreal"].settings()  # stable


def test_channel_source_spellings_round_trip():
    for spec in ("roughness", "basecolor.a", "1-roughness", "1-orm.g", "0.5"):
        assert str(ChannelSource.parse(spec)) == spec
    assert ChannelSource.parse(1) == ChannelSource(constant=1.0)
    assert ChannelSource.parse("0.5") == ChannelSource(constant=0.5)
    assert ChannelSource.parse("1 - orm.b") == ChannelSource("orm", 2, invert=True)
    with pytest.raises(ValueError, match="not a finite number"):
        ChannelSource.parse(float("nan"))


def test_the_documented_custom_target_parses_and_its_error_is_real():
    text = (Path(__file__).parents[3] / "docs" / "formats.md").read_text()
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    table = tomllib.loads(example)
    target = parse_target("mobile", table["target"]["mobile"], where="texgen.build.toml")
    assert [m.map for m in target.maps] == ["basecolor", "normal", "mask", "height"]
    broken = {"maps": {"normal": {**table["target"]["mobile"]["maps"]["normal"],
                                  "color_space": "srgb"}}}
    with pytest.raises(TargetError) as caught:
        parse_target("mobile", broken, where="texgen.build.toml")
    assert str(caught.value) in text
