"""DDS: the DX10 header, every block format decoded back, mip levels and their filtering,
sRGB flags, normal maps. Decoding uses texture2ddecoder (BGRA output), not our code."""

import struct

import numpy as np
import pytest

from texgen.errors import InputError
from texgen.formats.color import linear_to_srgb, srgb_to_linear
from texgen.formats.dds import encode_dds, read_dds

decoder = pytest.importorskip("texture2ddecoder")
pytest.importorskip("etcpak")


def smooth(height, width, channels, seed=0):
    """Soft gradients, each channel its own: what block codecs are meant for."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    planes = [0.5 + 0.3 * np.sin(2 * np.pi * (x * (1 - 0.3 * c) + y * (0.3 + 0.3 * c)
                                           + rng.random()))
              for c in range(channels)]
    return np.stack(planes, axis=2).astype(np.float32)


def decode(data: bytes, compression: str, width: int, height: int) -> np.ndarray:
    """One level as uint8 RGBA (H, W, 4), cropped from its padded blocks."""
    if compression == "rgba8":
        return np.frombuffer(data, np.uint8).reshape(height, width, 4)
    padded = (-(-width // 4) * 4, -(-height // 4) * 4)
    bgra = np.frombuffer(getattr(decoder, f"decode_{compression}")(data, *padded), np.uint8)
    bgra = bgra.reshape(padded[1], padded[0], 4)[:height, :width]
    return bgra[:, :, [2, 1, 0, 3]]


def test_header_fields():
    data = encode_dds(smooth(20, 12, 3), compression="bc7", color_space="srgb")
    assert data[:4] == b"DDS "
    size, flags, height, width, linear_size, _, mips = struct.unpack_from("<7I", data, 4)
    assert (size, height, width, mips) == (124, 20, 12, 5)
    assert flags & 0x20000 and flags & 0x80000  # mip count and linear size are set
    assert linear_size == 3 * 5 * 16  # top level: 3x5 blocks of 16 bytes
    assert data[84:88] == b"DX10"
    assert struct.unpack_from("<5I", data, 128) == (99, 3, 0, 1, 0)  # BC7_UNORM_SRGB, 2D
    caps = struct.unpack_from("<I", data, 108)[0]
    assert caps == 0x1000 | 0x8 | 0x400000  # texture, complex, mipmap
    info = read_dds(data)
    assert (info.width, info.height, info.mip_count, info.compression, info.srgb) == (
        12, 20, 5, "bc7", True)


@pytest.mark.parametrize("compression, color_space, dxgi", [
    ("bc1", "linear", 71), ("bc1", "srgb", 72), ("bc3", "linear", 77), ("bc3", "srgb", 78),
    ("bc4", "linear", 80), ("bc5", "linear", 83), ("bc7", "linear", 98), ("bc7", "srgb", 99),
    ("rgba8", "linear", 28), ("rgba8", "srgb", 29)])
def test_dxgi_format_carries_the_srgb_flag(compression, color_space, dxgi):
    info = read_dds(encode_dds(smooth(8, 8, 4), compression=compression,
                               color_space=color_space))
    assert info.dxgi_format == dxgi and info.srgb == (color_space == "srgb")


# etcpak's errors on these gradients, in 8-bit steps (mean, max): BC1 ~4.5, 22 (its fast
# encoder); BC7 ~2, 14; BC4/BC5 ~1, 4. A swapped channel or a misplaced block is far off.
@pytest.mark.parametrize("compression, channels, compared, mean_error, max_error", [
    ("bc1", 3, [0, 1, 2], 6, 32), ("bc3", 4, [0, 1, 2, 3], 6, 32),
    ("bc7", 4, [0, 1, 2, 3], 3, 20), ("bc4", 1, [0], 1.5, 6), ("bc5", 3, [0, 1], 1.5, 6)])
def test_blocks_decode_back_to_the_source(compression, channels, compared, mean_error,
                                          max_error):
    texture = smooth(64, 64, channels)
    info = read_dds(encode_dds(texture, compression=compression, mips=False))
    assert info.mip_count == 1
    decoded = decode(info.levels[0], compression, 64, 64).astype(np.float32)
    source = np.rint(texture * 255)
    for channel in compared:
        error = np.abs(decoded[:, :, channel] - source[:, :, channel])
        assert error.mean() < mean_error, (compression, channel, error.mean())
        assert error.max() <= max_error, (compression, channel, error.max())


def test_mip_levels_are_linear_light_averages_of_the_level_before():
    texture = smooth(32, 16, 4, seed=5)
    info = read_dds(encode_dds(texture, compression="rgba8", color_space="srgb"))
    sizes = [(max(1, 16 >> k), max(1, 32 >> k)) for k in range(info.mip_count)]
    assert info.mip_count == 6 and sizes[-1] == (1, 1)
    levels = [decode(data, "rgba8", w, h) / np.float32(255)
              for data, (w, h) in zip(info.levels, sizes, strict=True)]
    for before, level in zip(levels, levels[1:]):
        light = halve(srgb_to_linear(before[:, :, :3]), level.shape)
        np.testing.assert_allclose(level[:, :, :3], linear_to_srgb(light), atol=2.5 / 255)
        np.testing.assert_allclose(level[:, :, 3:], halve(before[:, :, 3:], level.shape),
                                   atol=1.5 / 255)
    # not the plain average of the encoded values: a light/dark checker would show it
    checker = np.indices((4, 4)).sum(axis=0)[:, :, None] % 2 * np.ones(3, np.float32)
    top = read_dds(encode_dds(checker.astype(np.float32), compression="rgba8",
                              color_space="srgb"))
    assert decode(top.levels[1], "rgba8", 2, 2)[0, 0, 0] == 188  # 0.735 * 255, not 128


def halve(texture, shape):
    """The 2x2 (or 2x1 once an axis is 1 pixel) block means of ``texture``."""
    h, w = shape[:2]
    fy, fx = texture.shape[0] // h, texture.shape[1] // w
    return texture.reshape(h, fy, w, fx, texture.shape[2]).mean(axis=(1, 3))


def test_normal_map_mips_are_unit_vectors_after_decoding():
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(32, 32, 3)).astype(np.float32)
    vectors[:, :, 2] = np.abs(vectors[:, :, 2]) + 0.3
    vectors /= np.linalg.norm(vectors, axis=2, keepdims=True)
    info = read_dds(encode_dds((vectors + 1) / 2, compression="rgba8", normal_map=True))
    for k, data in enumerate(info.levels[1:], start=1):
        size = 32 >> k
        decoded = decode(data, "rgba8", size, size)[:, :, :3] / np.float32(127.5) - 1
        np.testing.assert_allclose(np.linalg.norm(decoded, axis=2), 1.0, atol=0.015)
    # BC5 keeps x and y of the same renormalised vectors: z rebuilt from them is valid
    bc5 = read_dds(encode_dds((vectors + 1) / 2, compression="bc5", normal_map=True))
    xy = decode(bc5.levels[2], "bc5", 8, 8)[:, :, :2] / np.float32(127.5) - 1
    assert (np.sum(xy * xy, axis=2) <= 1.05).all()


def test_levels_below_a_block_are_padded_and_decode_to_their_pixels():
    texture = smooth(8, 8, 3, seed=9)
    info = read_dds(encode_dds(texture, compression="bc7"))
    assert [len(level) for level in info.levels] == [64, 16, 16, 16]  # 2x2 and 1x1: 1 block
    one_pixel = decode(info.levels[3], "bc7", 1, 1)[0, 0, :3]  # linear data: the plain mean
    np.testing.assert_allclose(one_pixel, np.rint(texture.mean(axis=(0, 1)) * 255), atol=2)


def test_uncompressed_gray_fills_rgb_and_alpha_is_opaque():
    texture = np.linspace(0, 1, 16, dtype=np.float32).reshape(4, 4, 1)
    level = decode(read_dds(encode_dds(texture, compression="rgba8", mips=False)).levels[0],
                   "rgba8", 4, 4)
    expected = np.rint(texture[:, :, 0] * 255)
    for channel in range(3):
        assert np.array_equal(level[:, :, channel], expected)
    assert (level[:, :, 3] == 255).all()


def test_default_compression_and_no_mips():
    assert read_dds(encode_dds(smooth(8, 8, 1))).compression == "bc4"
    assert read_dds(encode_dds(smooth(8, 8, 3))).compression == "bc7"
    data = encode_dds(smooth(8, 8, 3), mips=False)
    flags = struct.unpack_from("<I", data, 8)[0]
    assert read_dds(data).mip_count == 1 and not flags & 0x20000


def test_bytes_are_deterministic():
    texture = smooth(16, 16, 4)
    assert encode_dds(texture, compression="bc7") == encode_dds(texture.copy(),
                                                                compression="bc7")


@pytest.mark.parametrize("options, message", [
    ({"compression": "bc2"}, "compression 'bc2'"),
    ({"compression": "bc5", "color_space": "srgb"}, "bc5' has no sRGB format"),
    ({"compression": "bc4", "color_space": "srgb"}, "bc4' has no sRGB format"),
    ({"color_space": "gamma"}, "color space 'gamma'"),
])
def test_bad_options_are_input_errors(options, message):
    with pytest.raises(InputError, match=message):
        encode_dds(np.zeros((4, 4, 3), np.float32), **options)


def test_read_dds_refuses_other_files():
    with pytest.raises(ValueError, match="not a DDS"):
        read_dds(b"\x89PNG" + bytes(200))
    with pytest.raises(ValueError, match="levels need"):
        read_dds(encode_dds(smooth(8, 8, 3))[:-1])


def test_opaque_bc7_decodes_to_opaque_alpha_and_alpha_is_kept_otherwise():
    info = read_dds(encode_dds(smooth(16, 16, 3), compression="bc7"))
    for k, data in enumerate(info.levels):
        size = 16 >> k
        assert (decode(data, "bc7", size, size)[:, :, 3] == 255).all()
    translucent = smooth(64, 64, 4)
    decoded = decode(read_dds(encode_dds(translucent, compression="bc7", mips=False)
                              ).levels[0], "bc7", 64, 64)
    assert np.abs(decoded[:, :, 3] - np.rint(translucent[:, :, 3] * 255)).mean() < 3


def test_partial_blocks_are_padded_by_wrapping_or_by_the_edge():
    ramp = np.linspace(0, 1, 6, dtype=np.float32)[None, :, None] * np.ones((6, 1, 1),
                                                                           np.float32)
    wrapped = read_dds(encode_dds(ramp, compression="bc4", mips=False))
    edged = read_dds(encode_dds(ramp, compression="bc4", mips=False, tileable=False))
    assert len(wrapped.levels[0]) == 4 * 8  # 6x6 -> 2x2 blocks
    assert wrapped.levels[0] != edged.levels[0]  # the pad differs, so the blocks do
    for info in (wrapped, edged):
        decoded = decode(info.levels[0], "bc4", 6, 6)[:, :, 0].astype(np.float32)
        assert np.abs(decoded - np.rint(ramp[:, :, 0] * 255)).max() <= 20
