"""``texgen synth``: a texture and its aligned maps from a photo in one command, written
through the engine; bad input exits 2 naming the file."""

import numpy as np
import pytest

from texgen import Engine
from texgen.cli import main
from texgen.io import read_image, write_png8, write_png16
from texgen_stats.synth import synth_preset


@pytest.fixture
def material(tmp_path):
    """A 64x48 color exemplar of distinct random pixels and aligned height and normal maps."""
    rng = np.random.default_rng(0)
    paths = {"color": tmp_path / "stone.png", "height": tmp_path / "stone_height.png",
             "normal": tmp_path / "stone_normal.png"}
    write_png8(paths["color"], rng.random((48, 64, 3)).astype(np.float32))
    write_png16(paths["height"], rng.random((48, 64, 1)).astype(np.float32))
    write_png8(paths["normal"], rng.random((48, 64, 3)).astype(np.float32))
    return paths


def test_synth_writes_the_texture_and_its_aligned_maps(material, tmp_path, capsys):
    out = tmp_path / "out" / "wall.png"
    code = main(["synth", str(material["color"]), "-o", str(out), "--size", "80x72",
                 "--seed", "5", "--patch", "16", "--maps", str(material["height"]),
                 str(material["normal"])])
    assert code == 0, capsys.readouterr().err
    color = read_image(out)
    height = read_image(tmp_path / "out" / "wall_stone_height.png")
    normal = read_image(tmp_path / "out" / "wall_stone_normal.png")
    assert color.shape == (72, 80, 3) and height.shape == (72, 80, 1)
    assert normal.shape == (72, 80, 3)
    # The maps were copied from the very exemplar pixels the color was: the uv map of the
    # same synthesis (its Python form, rendered by the engine) points at all three.
    preset = synth_preset(material["color"], patch=16, name="wall")
    uv = Engine().render(preset, size=(80, 72), seed=5, nodes=["synth.uv"])["synth.uv"]
    rows = np.floor(uv[..., 1] * 48).astype(int)
    cols = np.floor(uv[..., 0] * 64).astype(int)
    np.testing.assert_array_equal(color, read_image(material["color"])[rows, cols])
    np.testing.assert_array_equal(height, read_image(material["height"])[rows, cols])
    np.testing.assert_array_equal(normal, read_image(material["normal"])[rows, cols])
    assert len(np.unique(rows * 64 + cols)) > 0.3 * rows.size  # not one pixel repeated
    assert "wall_stone_height.png" in capsys.readouterr().err


def test_synth_defaults_to_the_exemplars_size_and_writes_tiff(material, tmp_path):
    out = tmp_path / "stone.tiff"
    assert main(["synth", str(material["color"]), "-o", str(out), "--patch", "16",
                 "-q"]) == 0
    assert read_image(out).shape == (48, 64, 3)
    # the Python form has the same default size
    assert synth_preset(material["color"])["size"] == [64, 48]


def test_a_missing_exemplar_exits_2_naming_it(tmp_path, capsys):
    missing = tmp_path / "nope.png"
    assert main(["synth", str(missing), "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "nope.png" in err and "exemplar" in err
    assert not (tmp_path / "x.png").exists()


def test_a_corrupt_exemplar_exits_2_naming_it(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG not really")
    assert main(["synth", str(bad), "-o", str(tmp_path / "x.png")]) == 2
    assert "bad.png" in capsys.readouterr().err


def test_a_map_of_another_size_exits_2_naming_it(material, tmp_path, capsys):
    small = tmp_path / "small_rough.png"
    write_png16(small, np.zeros((24, 32, 1), np.float32))
    out = tmp_path / "o.png"
    assert main(["synth", str(material["color"]), "-o", str(out), "--maps",
                 str(material["height"]), str(small)]) == 2
    err = capsys.readouterr().err
    assert "small_rough.png" in err and "32x24" in err and "64x48" in err
    assert not out.exists()


def test_a_missing_map_exits_2_naming_it(material, tmp_path, capsys):
    assert main(["synth", str(material["color"]), "-o", str(tmp_path / "o.png"), "--maps",
                 str(tmp_path / "ghost.png")]) == 2
    assert "ghost.png" in capsys.readouterr().err


def test_an_unknown_extension_exits_2_before_rendering(material, tmp_path, capsys):
    assert main(["synth", str(material["color"]), "-o", str(tmp_path / "o.xyz")]) == 2
    err = capsys.readouterr().err
    assert "o.xyz" in err and "synth (stats.markov)" not in err


def test_maps_without_the_option_are_a_usage_error(material, tmp_path, capsys):
    assert main(["synth", str(material["color"]), str(material["height"]), "-o",
                 str(tmp_path / "o.png")]) == 2
    assert "--maps" in capsys.readouterr().err


@pytest.fixture
def halves(tmp_path):
    """A 128x64 exemplar whose left half is dark and right half bright (different drawn
    patterns), its mask, and a 96x64 left/right step guide."""
    y, x = np.mgrid[:64, :128]
    left = ((y // 4) % 2)[..., None] * np.array([0.5, 0.2, 0.1])
    right = 0.4 + ((y // 3 + x // 3) % 2)[..., None] * np.array([0.2, 0.4, 0.5])
    paths = {"exemplar": tmp_path / "halves.png", "mask": tmp_path / "mask.png",
             "guide": tmp_path / "guide.png"}
    write_png8(paths["exemplar"], np.where((x < 64)[..., None], left, right).astype(np.float32))
    write_png8(paths["mask"], (x >= 64).astype(np.float32)[..., None])
    guide = np.zeros((64, 96, 1), np.float32)
    guide[:, 48:] = 1.0
    write_png8(paths["guide"], guide)
    return paths


@pytest.mark.parametrize("with_mask", [False, True])
def test_synth_follows_a_guide(halves, tmp_path, with_mask):
    out = tmp_path / "guided.png"
    extra = ["--exemplar-guide", str(halves["mask"])] if with_mask else []
    assert main(["synth", str(halves["exemplar"]), "-o", str(out), "--size", "96x64",
                 "--patch", "16", "--guide", str(halves["guide"]), *extra, "-q"]) == 0
    color = read_image(out)
    # The guide's bright right half is the exemplar's bright right half (blue checks).
    assert color[:, 56:, 2].mean() > 0.5 > 0.2 > color[:, :40, 2].mean()
    preset = synth_preset(halves["exemplar"], patch=16, guide=halves["guide"],
                          exemplar_guide=halves["mask"] if with_mask else None)
    np.testing.assert_array_equal(Engine().render(preset, size=(96, 64))["out"], color)


def test_synth_guide_weight_zero_is_unguided(halves, tmp_path):
    for name, extra in (("plain", []), ("zero", ["--guide", str(halves["guide"]),
                                                 "--guide-weight", "0"])):
        assert main(["synth", str(halves["exemplar"]), "-o", str(tmp_path / f"{name}.png"),
                     "--size", "96x64", "--patch", "16", *extra, "-q"]) == 0
    np.testing.assert_array_equal(read_image(tmp_path / "plain.png"),
                                  read_image(tmp_path / "zero.png"))


def test_bad_guide_files_exit_2_naming_them(halves, tmp_path, capsys):
    out = str(tmp_path / "x.png")
    assert main(["synth", str(halves["exemplar"]), "-o", out, "--guide",
                 str(tmp_path / "nope.png")]) == 2
    err = capsys.readouterr().err
    assert "--guide: " in err and "nope.png" in err
    assert main(["synth", str(halves["exemplar"]), "-o", out, "--guide", str(halves["guide"]),
                 "--exemplar-guide", str(halves["guide"])]) == 2
    err = capsys.readouterr().err
    assert "--exemplar-guide: " in err and "guide.png: 96x64 pixels" in err
    assert "exemplar's size" in err
    assert main(["synth", str(halves["exemplar"]), "-o", out, "--exemplar-guide",
                 str(halves["mask"])]) == 2
    assert "need --guide" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
