import struct
import zlib

import imageio.v3 as iio
import numpy as np
import pytest

from texgen.errors import InputError, RenderError
from texgen.io import (
    Exporter,
    UnsupportedPNG,
    atomic_write,
    decode_png,
    encode_png,
    output_path,
    read_image,
    role_options,
    write_output,
    write_png16,
    write_texture,
    write_tiff,
)


def random_texture(channels, height=13, width=21, seed=0):
    return np.random.default_rng(seed).random((height, width, channels), dtype=np.float32)


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_png8_matches_an_independent_decoder(channels):
    texture = random_texture(channels)
    decoded = iio.imread(encode_png(texture, bits=8), extension=".png")
    expected = np.rint(texture * 255).astype(np.uint8)
    assert np.array_equal(decoded.reshape(expected.shape), expected)


def test_png16_gray_matches_an_independent_decoder():
    texture = random_texture(1)
    decoded = iio.imread(encode_png(texture, bits=16), extension=".png")
    assert decoded.dtype == np.uint16
    assert np.array_equal(decoded, np.rint(texture[:, :, 0] * 65535).astype(np.uint16))


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("bits", [8, 16])
def test_png_round_trip_is_exact_to_the_bit_depth(channels, bits):
    texture = random_texture(channels)
    scale = 2**bits - 1
    decoded = decode_png(encode_png(texture, bits=bits))
    assert decoded.dtype == np.float32 and decoded.shape == texture.shape
    assert np.array_equal(np.rint(decoded * scale), np.rint(texture * scale))


def test_decoder_reads_a_hand_built_16_bit_rgb_png():
    samples = (np.arange(2 * 3 * 3).reshape(2, 3, 3) * 3000).astype(">u2")  # PNG is big-endian
    rows = b"".join(b"\x00" + row.tobytes() for row in samples)  # filter type 0

    def chunk(kind, body):
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 16, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    np.testing.assert_array_equal(decode_png(data), samples.astype(np.float32) / 65535)


def test_png_clips_out_of_range_values():
    texture = np.array([[[-0.5], [1.5]]], np.float32)
    assert decode_png(encode_png(texture)).ravel().tolist() == [0.0, 1.0]


def test_tiff_keeps_floats_and_bytes_are_stable(tmp_path):
    texture = random_texture(3) * 4 - 1
    write_tiff(tmp_path / "a.tiff", texture)
    write_tiff(tmp_path / "b.tiff", texture)
    assert np.array_equal(read_image(tmp_path / "a.tiff"), texture)
    assert (tmp_path / "a.tiff").read_bytes() == (tmp_path / "b.tiff").read_bytes()


def test_read_image_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="missing.png: cannot read image"):
        read_image(tmp_path / "missing.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(InputError, match="bad.png: not a readable image"):
        read_image(bad)


def png_with(width, height, rows):
    """A gray 8-bit PNG whose header says ``width`` x ``height`` around the bytes ``rows``."""
    def chunk(kind, body):
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def test_a_png_that_inflates_past_its_header_is_refused_unread(tmp_path, monkeypatch):
    """A 4x4 header over 64 MB of zeros (a 64 kB file): refused, and no more than the
    header's size plus one byte is ever inflated."""
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_with(4, 4, bytes(64 << 20)))
    assert bomb.stat().st_size < 200_000
    inflated = []
    real = zlib.decompressobj

    class Counting:
        def __init__(self):
            self.inner = real()

        def decompress(self, data, max_length=0):
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

    def whole(data, *args):
        out = real_whole(data, *args)
        inflated.append(len(out))
        return out

    real_whole = zlib.decompress
    monkeypatch.setattr(zlib, "decompressobj", Counting)
    monkeypatch.setattr(zlib, "decompress", whole)
    with pytest.raises(InputError, match="bomb.png: not a readable image: PNG pixel data"):
        read_image(bomb)
    assert sum(inflated) <= 4 * 5 + 1


def test_an_image_over_the_pixel_limit_is_refused_from_its_header(tmp_path, monkeypatch):
    big = tmp_path / "big.png"
    big.write_bytes(png_with(300, 200, bytes(200 * 301)))
    assert read_image(big).shape == (200, 300, 1)
    with pytest.raises(InputError, match="big.png: .*300x200 is 60,000 pixels; the limit is "
                                         "50,000"):
        read_image(big, limit=50_000)
    monkeypatch.setenv("TEXGEN_MAX_PIXELS", "50000")
    with pytest.raises(InputError, match="the limit is 50,000"):
        read_image(big)
    jpeg = tmp_path / "big.jpg"
    iio.imwrite(jpeg, np.zeros((200, 300, 3), np.uint8))
    with pytest.raises(InputError, match="big.jpg: .*300x200 is 60,000 pixels"):
        read_image(jpeg)


def test_atomic_write_refuses_a_folder_or_a_missing_folder_before_writing(tmp_path):
    calls = []
    (tmp_path / "adir").mkdir()
    with pytest.raises(InputError, match="adir: is a folder, not a file"):
        atomic_write(tmp_path / "adir", calls.append)
    with pytest.raises(InputError, match=r"x.json: cannot write: its folder .*nodir does not "
                                         r"exist"):
        atomic_write(tmp_path / "nodir" / "x.json", calls.append)
    assert calls == [] and sorted(p.name for p in tmp_path.iterdir()) == ["adir"]


def test_staged_files_commit_nothing_when_a_path_became_a_folder(tmp_path):
    from texgen.io import StagedFiles

    (tmp_path / "a.txt").write_text("old a")
    with pytest.raises(InputError, match="b.txt: is a folder"):
        with StagedFiles() as staged:
            staged.stage(tmp_path / "a.txt").write_text("new a")
            staged.stage(tmp_path / "b.txt").write_text("new b")
            (tmp_path / "b.txt").mkdir()
            staged.commit()
    assert (tmp_path / "a.txt").read_text() == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_atomic_write_keeps_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "a.png"
    target.write_bytes(b"old")

    def failing_writer(path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, failing_writer)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"], "no temporary left"


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_atomic_write_gives_the_usual_file_mode(tmp_path, monkeypatch, mask, mode):
    import os

    old_mask = os.umask(mask)
    try:
        # the umask is applied by the kernel, never read or changed (threads may be writing)
        with monkeypatch.context() as patch:
            patch.setattr(os, "umask", lambda *args: pytest.fail("os.umask called"))
            atomic_write(tmp_path / "a.png", lambda path: path.write_bytes(b"x"))
    finally:
        os.umask(old_mask)
    assert (tmp_path / "a.png").stat().st_mode & 0o777 == mode
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_write_texture_reports_the_file(tmp_path):
    def broken(path, texture):
        raise OSError(28, "No space left on device")

    with pytest.raises(RenderError, match="x.png: cannot write png8: No space left on device"):
        write_texture(tmp_path / "x.png", random_texture(1), Exporter("png8", "png", broken))
    assert list(tmp_path.iterdir()) == []
    write_texture(tmp_path / "y.png", random_texture(1), Exporter("png16", "png", write_png16))
    assert read_image(tmp_path / "y.png").shape == (13, 21, 1)


def test_output_path_is_named_and_contained(tmp_path):
    assert output_path(tmp_path, "marble", "height", "png") == (tmp_path / "marble_height.png"
                                                                ).resolve()
    for bad in ("../x", "a/b", "/etc/passwd", "..", "", ".hidden", "x\\y"):
        with pytest.raises(InputError, match="cannot be used in a file name"):
            output_path(tmp_path, "marble", bad, "png")
    with pytest.raises(InputError, match="preset name '../m'"):
        output_path(tmp_path, "../m", "height", "png")


def test_read_image_falls_back_to_imageio_for_palette_png(tmp_path):
    from PIL import Image

    colors = np.array([[[255, 0, 0], [0, 0, 255]]], np.uint8)
    path = tmp_path / "palette.png"
    Image.fromarray(colors).convert("P", palette=Image.Palette.ADAPTIVE).save(path)
    with pytest.raises(UnsupportedPNG, match="color type 3"):
        decode_png(path.read_bytes())
    texture = read_image(path)
    assert texture.dtype == np.float32
    np.testing.assert_allclose(texture[0, :, :3], colors[0] / 255.0)


def test_out_of_range_counts_pixels_outside_0_1():
    from texgen.io import out_of_range

    texture = np.full((4, 5, 3), 0.5, np.float32)
    assert out_of_range(texture) is None
    texture[0, :, 1] = 1.5   # 5 pixels above 1 (one channel is enough)
    texture[1, 0, :] = -0.25  # 1 pixel below 0
    found = out_of_range(texture)
    assert (found.below, found.above, found.low, found.high) == (1 / 20, 5 / 20, -0.25, 1.5)
    assert found.describe() == "25.0% of pixels above 1 (max 1.5) and 5.0% of pixels " \
                               "below 0 (min -0.25)"


def test_normalized_rescales_colors_together_and_keeps_alpha():
    from texgen.io import normalized

    texture = np.zeros((2, 2, 4), np.float32)
    texture[..., 0] = [[-1, 0], [1, 3]]
    texture[..., 3] = 0.5
    result, (low, high) = normalized(texture)
    assert (low, high) == (-1.0, 3.0)
    np.testing.assert_allclose(result[..., 0], [[0, 0.25], [0.5, 1]])
    np.testing.assert_allclose(result[..., 1], 0.25, err_msg="one scale for every color")
    np.testing.assert_allclose(result[..., 3], 0.5, err_msg="alpha is left as it is")
    flat = np.full((2, 2, 1), 4.0, np.float32)
    assert normalized(flat)[0] is flat


def test_float_rounding_just_past_1_is_not_clipping():
    from texgen.io import out_of_range

    texture = np.full((2, 2, 1), np.nextafter(np.float32(1), np.float32(2)), np.float32)
    texture[0, 0] = -1e-7
    assert out_of_range(texture) is None


def test_a_few_clipped_pixels_never_read_as_zero_percent():
    from texgen.io import out_of_range

    texture = np.zeros((1000, 1000, 1), np.float32)
    texture[0, :42] = 1.0035
    assert out_of_range(texture).describe() == "0.0042% of pixels above 1 (max 1.003)"


def test_image_size_is_width_height_and_errors_name_the_option(tmp_path):
    from texgen.io import image_size

    path = tmp_path / "a.png"
    write_png16(path, np.zeros((3, 5, 1), np.float32))
    assert image_size(path, what="--maps") == (5, 3)
    with pytest.raises(InputError, match="--maps: .*missing.png: cannot read image"):
        image_size(tmp_path / "missing.png", what="--maps")


def test_exporter_options_reach_write_and_unknown_ones_are_refused(tmp_path):
    seen = []
    exporter = Exporter("probe", "bin", lambda path, texture, **options: (
        seen.append(options), path.write_bytes(b"x")), options=frozenset({"mips"}))
    write_texture(tmp_path / "a.bin", random_texture(1), exporter, mips=True)
    assert seen == [{"mips": True}] and (tmp_path / "a.bin").read_bytes() == b"x"
    with pytest.raises(InputError, match="format 'probe' takes no option color_space "
                                         r"\(it takes: mips\)"):
        write_texture(tmp_path / "b.bin", random_texture(1), exporter, color_space="srgb")
    assert not (tmp_path / "b.bin").exists() and len(seen) == 1


def test_write_output_normalizes_or_reports_what_it_clips(tmp_path):
    texture = np.float32([[[0.5]], [[2.0]]])
    exporter = Exporter("png16", "png", write_png16, clips=True)
    facts = write_output(tmp_path / "a.png", texture, exporter)
    assert facts["out_of_range"]["above"] == 0.5 and facts["out_of_range"]["high"] == 2.0
    facts = write_output(tmp_path / "b.png", texture, exporter, normalize=True)
    assert facts == {"normalized_from": [0.5, 2.0]}
    assert read_image(tmp_path / "b.png")[:, 0, 0].tolist() == [0.0, 1.0]
    floats = Exporter("tiff", "tiff", write_tiff)
    assert write_output(tmp_path / "c.tiff", texture, floats, normalize=True) == {}


def test_role_options_are_those_the_exporter_takes():
    takes = Exporter("probe", "bin", write_png16,
                     options=frozenset({"color_space", "normal_map", "mips"}))
    assert role_options("Albedo", takes) == {"color_space": "srgb", "normal_map": False}
    assert role_options("normal", takes) == {"color_space": "linear", "normal_map": True}
    assert role_options("seams", takes) == {}
    assert role_options("basecolor", Exporter("png8", "png", write_png16)) == {}


@pytest.mark.parametrize("bits", [8, 16])
def test_png_compressions_store_the_same_pixels(bits):
    y, x = np.mgrid[0:64, 0:48].astype(np.float32)
    texture = np.stack([0.5 + 0.5 * np.sin(x / 5 + y / 9), x / 48, (y / 64) ** 2], axis=-1)
    fast = encode_png(texture, bits=bits)
    small = encode_png(texture, bits=bits, compression="small")
    assert fast == encode_png(texture, bits=bits, compression="fast") and fast != small
    assert len(small) < len(fast)
    assert np.array_equal(decode_png(fast), decode_png(small))
    with pytest.raises(KeyError):
        encode_png(texture, compression="tiny")


def test_a_large_fast_png_deflated_in_pieces_is_one_valid_stream():
    # 700 x 400 RGB rows are 840 KB filtered: more than one independently deflated piece.
    texture = np.random.default_rng(3).random((700, 400, 3), np.float32)
    data = encode_png(texture)
    assert data == encode_png(texture), "the same bytes every time"
    import imageio.v3 as iio  # an independent decoder (zlib stream, adler32, CRCs)

    assert np.array_equal(iio.imread(data), np.rint(texture * 255).astype(np.uint8))
    assert np.array_equal(decode_png(data), iio.imread(data) / np.float32(255))
