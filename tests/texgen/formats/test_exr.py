"""EXR: channel names, half and float precision, ZIP, sRGB decoding, deterministic bytes."""

import numpy as np
import pytest

from texgen.errors import InputError
from texgen.formats.exr import write_exr

OpenEXR = pytest.importorskip("OpenEXR")


def read(path):
    with OpenEXR.File(str(path), separate_channels=True) as file:
        header = dict(file.header())  # the file's header empties when it closes
        return header, {name: channel.pixels.copy()
                        for name, channel in file.channels().items()}


@pytest.mark.parametrize("channels, names", [(1, ["Y"]), (3, ["B", "G", "R"]),
                                             (4, ["A", "B", "G", "R"])])
def test_half_round_trip_with_engine_channel_names(tmp_path, channels, names):
    texture = np.random.default_rng(0).uniform(-2, 40, (9, 7, channels)).astype(np.float32)
    write_exr(tmp_path / "t.exr", texture)
    header, read_back = read(tmp_path / "t.exr")
    assert sorted(read_back) == names
    assert header["compression"] == OpenEXR.ZIP_COMPRESSION
    for index, name in enumerate("RGBA"[:channels] if channels > 1 else "Y"):
        assert read_back[name].dtype == np.float16 and read_back[name].shape == (9, 7)
        np.testing.assert_allclose(read_back[name], texture[:, :, index], rtol=2 ** -11)


def test_float_keeps_every_bit_and_none_compression(tmp_path):
    texture = np.random.default_rng(1).normal(size=(5, 6, 3)).astype(np.float32) * 1e5
    write_exr(tmp_path / "t.exr", texture, pixel_type="float", compression="none")
    header, read_back = read(tmp_path / "t.exr")
    assert header["compression"] == OpenEXR.NO_COMPRESSION
    assert np.array_equal(np.stack([read_back[c] for c in "RGB"], axis=2), texture)


def test_srgb_color_is_stored_as_linear_light_alpha_as_is(tmp_path):
    texture = np.full((4, 4, 4), 0.5, np.float32)
    write_exr(tmp_path / "t.exr", texture, pixel_type="float", color_space="srgb")
    _, read_back = read(tmp_path / "t.exr")
    assert read_back["R"][0, 0] == pytest.approx(0.21404, abs=1e-5)
    assert read_back["A"][0, 0] == 0.5


def test_bytes_depend_only_on_the_pixels(tmp_path):
    texture = np.random.default_rng(2).random((16, 16, 3)).astype(np.float32)
    write_exr(tmp_path / "a.exr", texture)
    write_exr(tmp_path / "b.exr", texture.copy())
    assert (tmp_path / "a.exr").read_bytes() == (tmp_path / "b.exr").read_bytes()


@pytest.mark.parametrize("options, message", [
    ({"pixel_type": "double"}, "pixel type 'double'"),
    ({"compression": "piz"}, "compression 'piz'"),
    ({"color_space": "aces"}, "color space 'aces'"),
])
def test_bad_options_are_input_errors(tmp_path, options, message):
    with pytest.raises(InputError, match=message):
        write_exr(tmp_path / "t.exr", np.zeros((2, 2, 3), np.float32), **options)
    assert not (tmp_path / "t.exr").exists()


def test_two_channels_are_refused(tmp_path):
    with pytest.raises(InputError, match="1, 3 or 4 channels, not 2"):
        write_exr(tmp_path / "t.exr", np.zeros((2, 2, 2), np.float32))
