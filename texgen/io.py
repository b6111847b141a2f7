"""Image files: PNG 8/16-bit and float32 TIFF, atomic writes, safe output paths.

PNG is encoded here (NumPy + zlib) rather than through Pillow, which cannot write 16-bit
color PNGs: the bytes then depend only on this code and zlib, which keeps renders
byte-identical from run to run. Textures are float32 (H, W, C), C in {1, 3, 4}.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np

from texgen.errors import InputError, RenderError
from texgen.hookspecs import hookimpl
from texgen.roles import role_of

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG color type
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Exporter:
    """An output file format: ``write(path, texture)`` writes a float32 (H, W, C) texture.

    ``clips`` says the format stores only [0, 1] (8/16-bit integers) and clips the rest:
    the engine then reports values out of that range, and rescales outputs marked
    ``normalize``, before writing. Float formats leave it False and keep the values.

    ``options`` names the keyword options ``write`` also takes, from ``EXPORT_OPTIONS``
    (``write(path, texture, color_space="srgb", mips=True)``); each has a default, so
    ``write(path, texture)`` always works. A format that ignores an option does not list it.
    """

    format: str
    extension: str
    write: Callable[..., None]
    doc: str = ""
    clips: bool = False
    options: frozenset[str] = frozenset()


#: The options an exporter may take (``Exporter.options``), and what each means.
EXPORT_OPTIONS = {
    "color_space": '"srgb" for sRGB-encoded color values (basecolor), "linear" for data '
                   "(roughness, normal, masks); default linear",
    "compression": "the format's codec (dds: bc1, bc3, bc4, bc5, bc7, rgba8; exr: zip, none; "
                   "png: fast, small); default: the format's own",
    "mips": "write a full mip chain down to 1x1",
    "normal_map": "the texture is a normal map encoded (n + 1) / 2: mips are renormalised",
    "tileable": "the texture tiles: padding and filtering continue it by wrapping around "
                "(default true)",
}


class ClippedValuesWarning(UserWarning):
    """Values outside [0, 1] were clipped when a texture was written (``Engine.save``)."""


@dataclass(frozen=True)
class OutOfRange:
    """How much of a texture lies outside [0, 1]: the fractions of pixels with a channel
    below 0 and above 1, and the lowest and highest values."""

    below: float
    above: float
    low: float
    high: float

    def describe(self) -> str:
        """``"46.2% of pixels above 1 (max 1.83)"``, with the part below 0 if any."""
        parts = [f"{_percent(fraction)} of pixels {side} (max {self.high:.4g})"
                 if side == "above 1"
                 else f"{_percent(fraction)} of pixels {side} (min {self.low:.4g})"
                 for fraction, side in ((self.above, "above 1"), (self.below, "below 0"))
                 if fraction > 0]
        return " and ".join(parts)


def _percent(fraction: float) -> str:
    """"46.2%", or two significant digits below 0.1% ("0.004%") so a few pixels never
    read as 0.0%."""
    return f"{fraction:.1%}" if fraction >= 0.001 else f"{fraction * 100:.2g}%"


#: Values this close outside [0, 1] (half a 16-bit step) are written exactly as their
#: clipped value: float rounding (1.0000001), not clipping worth a word.
CLIP_TOLERANCE = 0.5 / 65535


def out_of_range(texture: np.ndarray) -> OutOfRange | None:
    """What of a float (H, W, C) texture a clipping format would clip (beyond
    ``CLIP_TOLERANCE``); None if nothing."""
    low, high = float(texture.min()), float(texture.max())
    if low >= -CLIP_TOLERANCE and high <= 1.0 + CLIP_TOLERANCE:
        return None
    pixels = texture.shape[0] * texture.shape[1]
    below = np.count_nonzero((texture < -CLIP_TOLERANCE).any(axis=2)) / pixels
    above = np.count_nonzero((texture > 1.0 + CLIP_TOLERANCE).any(axis=2)) / pixels
    return OutOfRange(below, above, low, high) if below or above else None


def normalized(texture: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """The texture rescaled from its own min..max to 0..1, with that (min, max).

    All color channels share one scale (hues keep their balance); alpha is left as it is.
    A flat texture (min == max) is returned unchanged.
    """
    colors = texture[:, :, :3] if texture.shape[2] == 4 else texture
    low, high = float(colors.min()), float(colors.max())
    if high <= low:
        return texture, (low, high)
    result = np.array(texture, np.float32)
    result[:, :, :colors.shape[2]] = (colors - np.float32(low)) / np.float32(high - low)
    return result, (low, high)


# --- PNG ---------------------------------------------------------------------------------

#: PNG deflate settings by ``compression`` name: "fast" deflates the Paeth residuals
#: run-length only (as fpng does: several times faster than zlib's default search, files a
#: few percent larger on textures), "small" searches hardest (pictures people download).
PNG_COMPRESSIONS = {"fast": (6, zlib.Z_RLE), "small": (9, zlib.Z_DEFAULT_STRATEGY)}


def encode_png(texture: np.ndarray, *, bits: int = 8, compression: str | None = None) -> bytes:
    """PNG bytes for a float32 (H, W, C) texture, values clipped to [0, 1].

    ``bits`` is 8 or 16. Gray (C=1) is a grayscale PNG, C=2 gray+alpha, C=3 RGB, C=4 RGBA.
    ``compression`` is a ``PNG_COMPRESSIONS`` name; None means "fast". The pixels are the
    same either way.
    """
    level, strategy = PNG_COMPRESSIONS[compression or "fast"]
    height, width, channels = texture.shape
    scale, dtype = (255, ">u1") if bits == 8 else (65535, ">u2")
    samples = np.empty((height, width, channels), dtype)
    band = max(1, (1 << 18) // width)  # rows at a time: float temporaries of a few MB
    for top in range(0, height, band):
        samples[top:top + band] = np.rint(np.clip(texture[top:top + band], 0.0, 1.0) * scale)
    raw = samples.reshape(height, width * channels).view(np.uint8)
    header = struct.pack(">IIBBBBB", width, height, bits, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    rows = _paeth_filter(raw, bytes_per_pixel=channels * bits // 8)
    del samples, raw
    idat = _deflate(memoryview(rows.reshape(-1)), level=level, strategy=strategy)
    return (_PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


#: Largest image, in pixels, that texgen renders or reads unless told otherwise.
DEFAULT_MAX_PIXELS = 8192 * 8192


def pixel_limit() -> int:
    """The pixel limit: env ``TEXGEN_MAX_PIXELS``, else ``DEFAULT_MAX_PIXELS``."""
    return int(os.environ.get("TEXGEN_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def check_pixels(width: int, height: int, limit: int) -> None:
    """ValueError unless a ``width`` x ``height`` image is within ``limit`` pixels: checked
    from a file's header, before its pixels are unpacked (a small compressed file can
    declare a huge image)."""
    if width * height > limit:
        raise ValueError(f"{width}x{height} is {width * height:,} pixels; the limit is "
                         f"{limit:,} (raise it with TEXGEN_MAX_PIXELS)")


class UnsupportedPNG(ValueError):
    """A well-formed PNG that ``decode_png`` does not decode (palette, interlaced, 1-4 bit):
    readers fall back to imageio for it."""


def decode_png(data: bytes, *, limit: int | None = None) -> np.ndarray:
    """Decode a non-interlaced 8/16-bit gray, gray+alpha, RGB or RGBA PNG.

    Returns float32 (H, W, C) in [0, 1]. Raises ``UnsupportedPNG`` for other PNG variants
    and ``ValueError`` for a damaged file or one over ``limit`` pixels (default
    ``pixel_limit()``). Never unpacks more than the header's size: image data that inflates
    beyond it is refused unread.
    """
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    pos, header, idat = len(_PNG_SIGNATURE), None, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise ValueError("truncated PNG chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise ValueError("PNG without IHDR or IDAT")
    width, height, bits, color_type, _, _, interlace = header
    channels = {v: k for k, v in _PNG_COLOR_TYPES.items()}.get(color_type)
    if channels is None or bits not in (8, 16) or interlace:
        raise UnsupportedPNG(f"unsupported PNG (bit depth {bits}, color type {color_type}, "
                         f"interlace {interlace})")
    check_pixels(width, height, pixel_limit() if limit is None else limit)
    stride = width * channels * bits // 8
    expected = height * (stride + 1)
    inflate = zlib.decompressobj()
    filtered = np.frombuffer(inflate.decompress(b"".join(idat), expected + 1), np.uint8)
    if filtered.size != expected:
        raise ValueError("PNG pixel data has the wrong length")
    raw = _unfilter(filtered.reshape(height, stride + 1), channels * bits // 8)
    samples = raw.view(">u1" if bits == 8 else ">u2").reshape(height, width, channels)
    return (samples.astype(np.float32) / (255.0 if bits == 8 else 65535.0)).astype(np.float32)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _paeth_filter(raw: np.ndarray, *, bytes_per_pixel: int) -> np.ndarray:
    """Every row Paeth-filtered (PNG filter type 4): smooth textures compress best with it.
    ``raw`` is (H, row bytes) uint8; the result has each row's filter byte in front (a
    compiled loop: NumPy's whole-array form took as long as the deflate)."""
    return _paeth_rows(raw, bytes_per_pixel)


@numba.njit(cache=True)
def _paeth_rows(raw, bytes_per_pixel):
    # Serial on purpose: a parallel loop would start Numba's OpenMP pool from whatever
    # thread writes a PNG, and that runtime is shared with PyTorch's in a training process.
    height, width = raw.shape
    rows = np.empty((height, width + 1), np.uint8)
    for y in range(height):
        rows[y, 0] = 4
        for x in range(width):
            a = np.int16(raw[y, x - bytes_per_pixel]) if x >= bytes_per_pixel else np.int16(0)
            b = np.int16(raw[y - 1, x]) if y > 0 else np.int16(0)
            c = (np.int16(raw[y - 1, x - bytes_per_pixel])
                 if y > 0 and x >= bytes_per_pixel else np.int16(0))
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            rows[y, x + 1] = np.uint8((np.int16(raw[y, x]) - predictor) & 0xFF)
    return rows


#: Filtered bytes per independently deflated piece of a "fast" PNG. A fixed size, never the
#: machine's core count, so every machine writes the same bytes.
_DEFLATE_PIECE = 1 << 19


def _deflate(data: bytes | memoryview, *, level: int, strategy: int) -> bytes:
    """A zlib stream of ``data``. Run-length deflate ("fast") matches only the previous
    byte, so pieces compressed separately (each ended by a sync flush, the last by the
    final block, as pigz does) lose nothing; they are compressed on threads, one per core
    (zlib releases the GIL). Other strategies keep one stream (their matches reach back).
    A memoryview's pieces are views, not copies."""
    pieces = [data[i:i + _DEFLATE_PIECE] for i in range(0, len(data), _DEFLATE_PIECE)]
    if strategy != zlib.Z_RLE or len(pieces) < 2:
        deflate = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
        return deflate.compress(data) + deflate.flush()

    def piece(index: int) -> bytes:
        deflate = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
        last = index == len(pieces) - 1
        return deflate.compress(pieces[index]) + deflate.flush(
            zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)

    with ThreadPoolExecutor(max_workers=min(len(pieces), os.cpu_count() or 1)) as pool:
        body = b"".join(pool.map(piece, range(len(pieces))))
    return b"\x78\x9c" + body + struct.pack(">I", zlib.adler32(data))


@numba.njit(cache=True)
def _unfilter(rows, bytes_per_pixel):
    height, stride = rows.shape[0], rows.shape[1] - 1
    out = np.zeros((height, stride), np.uint8)
    for y in range(height):
        kind = rows[y, 0]
        for x in range(stride):
            a = np.int32(out[y, x - bytes_per_pixel]) if x >= bytes_per_pixel else 0
            b = np.int32(out[y - 1, x]) if y > 0 else 0
            c = np.int32(out[y - 1, x - bytes_per_pixel]) if y > 0 and x >= bytes_per_pixel else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out[y, x] = (np.int32(rows[y, x + 1]) + pred) & 0xFF
    return out


# --- reading and writing files -------------------------------------------------------------

def read_image(path: str | os.PathLike, *, limit: int | None = None) -> np.ndarray:
    """Read PNG/JPEG/TIFF/... as float32 (H, W, C) in [0, 1] (floats as stored for TIFF).

    ``InputError`` naming the file when it is missing, not an image, or over ``limit``
    pixels (default ``pixel_limit()``; checked from the header, before decoding)."""
    path = Path(path)
    limit = pixel_limit() if limit is None else limit
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read image: {exc.strerror or exc}") from None
    try:
        if data.startswith(_PNG_SIGNATURE):
            try:
                return decode_png(data, limit=limit)
            except UnsupportedPNG:
                pass
        import imageio.v3 as iio  # palette/interlaced PNGs, JPEG, TIFF, ...

        shape = iio.improps(data, extension=path.suffix or None).shape
        if len(shape) >= 2:  # (H, W, ...); a stack (N, H, W, ...) counts its first image
            height, width = shape[-3:-1] if len(shape) > 2 and shape[-1] <= 4 else shape[-2:]
            check_pixels(int(width), int(height), limit)
        image = iio.imread(data, extension=path.suffix or None)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a bad file
        raise InputError(f"{path}: not a readable image: {exc}") from None
    return _to_texture(image)


def image_size(path: str | os.PathLike, *, what: str) -> tuple[int, int]:
    """(width, height) of an image file; ``InputError`` naming ``what`` (the option or key
    that gave it) and the file when it is missing, unreadable or not an image."""
    try:
        image = read_image(path)
    except InputError as exc:
        raise InputError(f"{what}: {exc}") from None
    return image.shape[1], image.shape[0]


def _to_texture(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        image = image[:, :, None]
    if image.dtype == np.uint8:
        image = image / np.float32(255)
    elif image.dtype == np.uint16:
        image = image / np.float32(65535)
    return np.ascontiguousarray(image, dtype=np.float32)


def write_png8(path: Path, texture: np.ndarray, *, compression: str | None = None) -> None:
    Path(path).write_bytes(encode_png(texture, bits=8, compression=compression))


def write_png16(path: Path, texture: np.ndarray, *, compression: str | None = None) -> None:
    Path(path).write_bytes(encode_png(texture, bits=16, compression=compression))


#: Quality of the "jpeg" format (Pillow's scale, 1-95).
JPEG_QUALITY = 90


def write_jpeg(path: Path, texture: np.ndarray) -> None:
    """8-bit JPEG at ``JPEG_QUALITY``, values clipped to [0, 1]: gray for C=1 and 2, RGB for
    C=3 and 4 (JPEG has no alpha: it is dropped). Lossy, for contact sheets and previews
    (a tenth of a PNG's size), not for maps a build ships. The same pixels give the same
    bytes with the same Pillow."""
    from PIL import Image

    colors = 1 if texture.shape[2] <= 2 else 3
    samples = np.rint(np.clip(texture[:, :, :colors], 0.0, 1.0) * 255).astype(np.uint8)
    Image.fromarray(samples[:, :, 0] if colors == 1 else samples).save(
        path, format="JPEG", quality=JPEG_QUALITY, optimize=True)


def write_tiff(path: Path, texture: np.ndarray) -> None:
    import tifffile

    # No date or software tags: the bytes depend only on the pixels.
    tifffile.imwrite(path, np.ascontiguousarray(texture, np.float32), photometric=(
        "minisblack" if texture.shape[2] == 1 else "rgb"), software=None, datetime=None,
        metadata=None)


PNG8 = Exporter("png8", "png", write_png8, "8-bit PNG, values clipped to [0, 1]", clips=True,
                options=frozenset({"compression"}))
JPEG = Exporter("jpeg", "jpg", write_jpeg, "8-bit JPEG (lossy, no alpha), values clipped to "
                "[0, 1]: for sheets and previews", clips=True)


@hookimpl
def register_exporters(register):
    register(PNG8)
    register(Exporter("png16", "png", write_png16, "16-bit PNG, values clipped to [0, 1]",
                      clips=True, options=frozenset({"compression"})))
    register(Exporter("tiff", "tiff", write_tiff, "32-bit float TIFF, values as computed"))
    register(JPEG)


def check_writable(path: Path) -> None:
    """``InputError`` naming ``path`` when a file cannot be written there: it is a folder,
    or its folder is missing or is a file. Checked before any work that would be lost."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    if not path.parent.is_dir():
        what = "is a file" if path.parent.exists() else "does not exist"
        raise InputError(f"{path}: cannot write: its folder {path.parent} {what}")


def check_output_folder(directory: Path) -> None:
    """``InputError`` naming ``directory`` when it, or the nearest existing path above it,
    is a file (so the folder cannot be made); checked before rendering into it."""
    directory = Path(directory)
    existing = next((p for p in (directory, *directory.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        where = "is a file" if existing == directory else f"is under the file {existing}"
        raise InputError(f"{directory}: cannot be the output folder: it {where}")


#: Random bytes in a temporary file's name (``_create_unique``), written as hex digits.
_TEMPORARY_TOKEN_BYTES = 6
#: The longest file name, in bytes, that ``atomic_write`` can write: its temporary file
#: beside it, ``.NAME.<hex digits>.part``, must fit the 255 bytes file systems allow a name.
MAX_FILE_NAME = 255 - len("..") - 2 * _TEMPORARY_TOKEN_BYTES - len(".part")


def _temporary_beside(path: Path) -> Path:
    """A new empty temporary file beside ``path`` (``check_writable`` first); an
    ``OSError`` becomes a ``RenderError`` naming ``path``, not the temporary name."""
    check_writable(path)
    try:
        return _create_unique(path.parent, f".{path.name}.", ".part")
    except OSError as exc:
        raise RenderError(f"{path}: cannot write: {exc.strerror or exc}") from None


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` and rename the result onto ``path``.

    An interrupted or failing writer leaves ``path`` as it was and no temporary file. The
    temporary file is created with mode 0o666 so the kernel applies the process umask, as
    for any new file (the umask is never read or changed, which would race with threads).
    A path that cannot be written is an ``InputError`` (``check_writable``) before
    ``write`` runs; a failed rename a ``RenderError`` naming ``path``.
    """
    path = Path(path)
    temporary = _temporary_beside(path)
    try:
        write(temporary)
        _rename(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _rename(temporary: Path, path: Path) -> None:
    try:
        os.replace(temporary, path)
    except OSError as exc:
        raise RenderError(f"{path}: cannot write: {exc.strerror or exc}") from None


class StagedFiles:
    """Files written one at a time under temporary names beside their paths, then renamed
    onto them together by ``commit``: each is written as soon as it is ready, yet a failure
    before the commit leaves every path as it was. ``discard``, or leaving a ``with`` block
    by an exception, removes the temporary files.
    """

    def __init__(self):
        self._staged: list[tuple[Path, Path]] = []

    def stage(self, path: Path) -> Path:
        """A new empty temporary file beside ``path``, to write ``path``'s content into;
        ``InputError`` at once when ``path`` cannot be written (``check_writable``)."""
        path = Path(path)
        temporary = _temporary_beside(path)
        self._staged.append((temporary, path))
        return temporary

    def commit(self) -> None:
        """Rename every staged file onto its path, after checking that each path can still
        be written (so that a path turned into a folder meanwhile replaces nothing)."""
        for _, path in self._staged:
            check_writable(path)
        for temporary, path in self._staged:
            _rename(temporary, path)
        self._staged.clear()

    def discard(self) -> None:
        for temporary, _ in self._staged:
            temporary.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, kind, value, trace) -> None:
        if kind is not None:
            self.discard()


def _create_unique(folder: Path, prefix: str, suffix: str) -> Path:
    """Create a new empty file with a random name in ``folder`` (mode 0o666 less umask)."""
    for _ in range(100):
        candidate = folder / f"{prefix}{secrets.token_hex(_TEMPORARY_TOKEN_BYTES)}{suffix}"
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"{folder}: no free temporary name for {prefix}*{suffix}")


def file_name_problem(name: str, what: str) -> str | None:
    """Why ``name`` (a ``what``, e.g. "output name") cannot be part of a file name, or
    None: only letters, digits, '_', '-' and '.', not starting with a '.' or '-', no '..'."""
    if _SAFE_NAME.match(name) and ".." not in name:
        return None
    return (f"{what} {name!r} cannot be used in a file name: use letters, digits, '_', '-' "
            f"and '.'")


def output_path(directory: Path, preset_name: str, output_name: str, extension: str) -> Path:
    """``directory/{preset}_{output}.{ext}``, refusing names that could leave ``directory``."""
    for what, name in (("preset name", preset_name), ("output name", output_name)):
        if (problem := file_name_problem(name, what)) is not None:
            raise InputError(problem)
    directory = Path(directory).resolve()
    path = (directory / f"{preset_name}_{output_name}.{extension}").resolve()
    if path.parent != directory:
        raise InputError(f"output {output_name!r} would be written outside {directory}")
    return path


def role_options(output_name: str, exporter: Exporter) -> dict[str, Any]:
    """The options an output's role (``texgen.roles``) implies, for those ``exporter``
    takes: its ``color_space`` (sRGB for basecolor and emissive), and ``normal_map`` for
    a normal output. Empty for a name without a role."""
    role = role_of(output_name)
    implied = {} if role is None else {"color_space": role.color_space,
                                       "normal_map": role.name == "normal"}
    return {key: value for key, value in implied.items() if key in exporter.options}


def write_output(path: Path, texture: np.ndarray, exporter: Exporter, *,
                 normalize: bool = False, **options) -> dict[str, Any]:
    """Write a rendered texture as ``texgen render`` does (``write_texture``): a format that
    clips to [0, 1] rescales it first when ``normalize``, and otherwise measures what it
    clips. Returns ``{"normalized_from": [min, max]}``, ``{"out_of_range": {...}}``
    (``OutOfRange`` as a dict) or ``{}``, for the report's file entry."""
    facts: dict[str, Any] = {}
    if exporter.clips and normalize:
        texture, (low, high) = normalized(texture)
        facts["normalized_from"] = [low, high]
    elif exporter.clips and (clipped := out_of_range(texture)) is not None:
        facts["out_of_range"] = dataclasses.asdict(clipped)
    write_texture(path, texture, exporter, **options)
    return facts


def write_picture(path: str | os.PathLike, image: np.ndarray) -> None:
    """Write a picture for people to look at (a contact sheet, a fit sheet, a figure),
    float32 (H, W, C) in [0, 1]: JPEG when ``path`` ends in .jpg or .jpeg, else an 8-bit
    PNG compressed small; atomically, as ``write_texture``."""
    path = Path(path)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        write_texture(path, image, JPEG)
    else:
        write_texture(path, image, PNG8, compression="small")


def write_texture(path: Path, texture: np.ndarray, exporter: Exporter, **options) -> None:
    """Write atomically with ``exporter``, passing ``options`` (names from its
    ``Exporter.options``, else ``InputError``); any failure to write becomes a
    ``RenderError`` naming the file."""
    unknown = sorted(set(options) - exporter.options)
    if unknown:
        raise InputError(f"{path}: format '{exporter.format}' takes no option "
                         f"{', '.join(unknown)} (it takes: "
                         f"{', '.join(sorted(exporter.options)) or 'none'})")
    try:
        atomic_write(path, lambda temporary: exporter.write(temporary, texture, **options))
    except OSError as exc:
        raise RenderError(f"{path}: cannot write {exporter.format}: "
                          f"{exc.strerror or exc}") from exc
