"""Spatial filters: blurs, sharpen, emboss, edges, distance fields and islands.

Textures are float32 (H, W, C) arrays, C in {1, 3, 4}. Every length is a fraction of the
texture width and becomes ``fraction * W`` pixels along both axes (pixels are square), so
a texture rendered at 256 and at 4096 gets the same filtering, only sharper. When
``ctx.tileable`` every neighbourhood wraps around the edges (a tiling input gives a tiling
output); otherwise the texture is mirrored past its edges (a constant stays constant).

The Gaussian blurs are convolutions done with FFTs: their cost does not grow with the
radius, and a circular convolution is exactly the wrapped one. Distance fields use
Felzenszwalb and Huttenlocher's exact two-pass Euclidean distance transform, islands a
union-find, and slope blur traces its paths pixel by pixel: those three are Numba loops,
compiled on first use and cached on disk.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import numba
import numpy as np

from texgen.nodes import NodeContext

from ._texture import as_texture, map_color_channels, row_bands
from .warp import direction

#: Gaussians are cut off this many standard deviations from their centre (weight < 3e-4).
_REACH = 4.0
#: Spacing in pixels of the samples that draw a directional blur's line kernel.
_LINE_STEP = 0.5
#: Slope (per texture width) below which slope_blur treats its slope input as flat.
_FLAT_SLOPE = 1e-3


# --- shared building blocks ----------------------------------------------------------------

def gaussian_blur(texture: np.ndarray, sigma: float, *, wrap: bool) -> np.ndarray:
    """``texture`` (H, W, C) blurred by a separable Gaussian of ``sigma`` pixels, >= 0.

    The kernel is the sampled Gaussian ``exp(-x^2 / (2 sigma^2))`` at integer offsets up to
    ``ceil(4 sigma)``, normalised to sum 1 on each axis, so a constant stays constant and
    the mean is preserved. ``wrap`` wraps around the edges, otherwise the edges mirror.
    Returns a new (H, W, C) float32 texture (a copy when ``sigma`` is 0).
    """
    return next(gaussian_blurs(texture, (sigma,), wrap=wrap))


def gaussian_blurs(texture: np.ndarray, sigmas: Iterable[float], *,
                   wrap: bool) -> Iterator[np.ndarray]:
    """``gaussian_blur(texture, sigma, wrap=wrap)`` for each of ``sigmas`` in turn, the same
    bytes. A one-channel texture is transformed once for every run of sigmas whose FFT grids
    are the same (all of them when ``wrap``), so each further blur costs its kernel's
    transform and one inverse instead of three transforms (ambient occlusion blurs one
    height at four radii). Holds that one spectrum (4 bytes per pixel) between blurs."""
    spectra: dict = {} if texture.shape[-1] == 1 else None
    for sigma in sigmas:
        reach = math.ceil(_REACH * sigma)
        if reach == 0:
            yield np.array(texture, np.float32)
            continue

        def kernel(rows, columns, sigma=sigma, reach=reach):
            down, across = (_folded_gaussian(sigma, reach, rows),
                            _folded_gaussian(sigma, reach, columns))
            return lambda band: np.outer(down[band], across).astype(np.float32)

        yield _convolve(texture, (reach, reach), kernel, wrap=wrap, spectra=spectra)


def _folded_gaussian(sigma: float, reach: int, size: int) -> np.ndarray:
    """A normalised 1-D Gaussian at offsets -reach..reach, wrapped onto ``size`` cells
    (offset 0 at index 0), as a circular convolution wants it."""
    offsets = np.arange(-reach, reach + 1)
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    return np.bincount(offsets % size, weights / weights.sum(), minlength=size)


def _convolve(texture: np.ndarray, reach: tuple[int, int],
              kernel: Callable[[int, int], Callable[[slice], np.ndarray]], *, wrap: bool,
              spectra: dict | None = None) -> np.ndarray:
    """``texture`` (H, W, C) convolved with a kernel of half-extent ``reach`` = (rows,
    columns) pixels. ``kernel(rows, columns)`` returns a function giving any band of rows
    of the kernel laid on a grid of that size, float32, its centre at [0, 0] (circular
    layout), folded onto the grid if it is larger.

    With ``wrap`` the FFT's circular convolution is the wrapped one. Otherwise the texture
    is mirrored past its edges: by ``reach`` on both sides when that is under half its
    size (so the circular convolution never reaches across), else by its whole size on
    one side, a mirrored copy whose circular repetition is exactly the endless mirror
    extension. Either way the FFT grid is at most twice the size along each axis.

    The transforms are ``np.fft.rfft2`` / ``irfft2`` (the same bytes) taken one axis and
    one band at a time (``_spectrum``): NumPy runs a float32 forward transform in float64
    on whole-array casts, four times the spectrum's bytes, and a band's casts take a few
    MB. Only the rows kept are transformed back. ``spectra``, a dict kept by the caller,
    holds the last channel spectrum by (channel, grid) for the next call to reuse.
    """
    height, width, channels = texture.shape
    if wrap:
        pads = ((0, 0), (0, 0))
    else:
        pads = tuple((r, r) if 2 * r < n else (0, n) for r, n in zip(reach, (height, width)))
    size = (height + sum(pads[0]), width + sum(pads[1]))
    top, left = pads[0][0], pads[1][0]
    kernel_spectrum = _spectrum(kernel(*size), size, ((0, 0), (0, 0)))
    out = np.empty((height, width, channels), np.float32)
    # One channel at a time: the spectra held are those of one channel whatever the count.
    for channel in range(channels):
        key = (channel, pads)
        if spectra is not None and key in spectra:
            spectrum = spectra[key].copy()
        else:
            plane = texture[..., channel]

            def padded_rows(band, plane=plane):
                return np.pad(plane[band], ((0, 0), pads[1]), mode="symmetric")

            spectrum = _spectrum(padded_rows, size, pads)
            if spectra is not None:
                spectra.clear()
                spectra[key] = spectrum.copy()
        spectrum *= kernel_spectrum
        np.fft.ifft(spectrum, axis=0, out=spectrum)  # float32 inverses: no casts
        for band in row_bands(height, size[1]):
            out[band, :, channel] = np.fft.irfft(spectrum[top:top + height][band], n=size[1],
                                                 axis=1)[:, left:left + width]
    return out


def _spectrum(rows: Callable[[slice], np.ndarray], size: tuple[int, int],
              pads: tuple) -> np.ndarray:
    """``np.fft.rfft2`` of a (size) grid, the same bytes: ``rows(band)`` gives a band of
    the grid's unmirrored rows (all of them when ``pads[0]`` is (0, 0)), each already
    ``size[1]`` wide; ``pads[0]`` mirrors them as ``np.pad``'s "symmetric" does. Rows are
    transformed a band at a time, mirrored as spectra (a mirrored row's transform is its
    original's), then the columns a band at a time in place."""
    spectrum = np.empty((size[0], size[1] // 2 + 1), np.complex64)
    top = pads[0][0]
    kept = size[0] - sum(pads[0])
    for band in row_bands(kept, size[1]):
        spectrum[top + band.start:top + band.stop] = np.fft.rfft(rows(band), axis=1)
    if pads[0] != (0, 0):
        source = top + np.pad(np.arange(kept), pads[0], mode="symmetric")
        mirrored = np.flatnonzero((np.arange(size[0]) < top) | (np.arange(size[0]) >= top + kept))
        for band in row_bands(len(mirrored), spectrum.shape[1]):
            spectrum[mirrored[band]] = spectrum[source[mirrored[band]]]
    for band in row_bands(spectrum.shape[1], size[0]):  # bands of columns
        np.fft.fft(spectrum[:, band], axis=0, out=spectrum[:, band])
    return spectrum


def slopes(field: np.ndarray, *, wrap: bool, scale: float = 1.0) -> tuple[np.ndarray, ...]:
    """Slopes ``(dh/du, dh/dv)`` of a (H, W) field per texture width, times ``scale``.

    Central differences times ``W / 2``; v grows downwards (rows) and is measured in
    widths too. ``wrap`` wraps around the edges; otherwise the field is extended linearly
    past them (odd reflection), which makes the border differences one-sided, so a ramp
    has the same slope everywhere. Returns two (H, W) float32 arrays.
    """
    padded = np.pad(field, 1, mode="wrap") if wrap else \
        np.pad(field, 1, mode="reflect", reflect_type="odd")
    factor = np.float32(scale * field.shape[1] / 2.0)
    return ((padded[1:-1, 2:] - padded[1:-1, :-2]) * factor,
            (padded[2:, 1:-1] - padded[:-2, 1:-1]) * factor)


# --- blurs ------------------------------------------------------------------------------------

def blur(ctx: NodeContext, *, input: np.ndarray, radius: float) -> np.ndarray:
    """Gaussian blur of standard deviation ``radius`` texture widths.

    Args:
        ctx: node context; ``ctx.tileable`` wraps around the edges, else they mirror.
        input: (H, W, C) float32, C in {1, 3, 4}; alpha is blurred like the colors.
        radius: the Gaussian's standard deviation in fractions of the width, 0..0.5.

    Returns:
        (H, W, C) float32; a constant stays the constant and the mean is preserved.
    """
    return gaussian_blur(input, radius * ctx.width, wrap=ctx.tileable)


def sharpen(ctx: NodeContext, *, input: np.ndarray, radius: float,
            amount: float) -> np.ndarray:
    """Unsharp mask: ``x + amount * (x - blur(x, radius))`` on the color channels.

    Args:
        ctx: node context (``width``, ``tileable``).
        input: (H, W, C) float32; an rgba alpha passes unchanged.
        radius: blur standard deviation in fractions of the width, 0..0.1.
        amount: how much of the detail is added back, 0..10.

    Returns:
        (H, W, C) float32, not clamped (sharpening overshoots at edges by design).
    """
    def unsharp(x):
        return x + np.float32(amount) * (x - gaussian_blur(x, radius * ctx.width,
                                                           wrap=ctx.tileable))

    return map_color_channels(input, unsharp)


def directional_blur(ctx: NodeContext, *, input: np.ndarray, angle: float,
                     length: float) -> np.ndarray:
    """Gaussian blur along one direction only (motion-blur streaks).

    The kernel is a line of Gaussian weights (standard deviation ``length`` widths) drawn
    every half pixel along ``angle`` and splatted bilinearly onto the pixel grid, so any
    angle gives a smooth, non-negative, normalised kernel.

    Args:
        ctx: node context; ``ctx.tileable`` wraps, else the edges mirror.
        input: (H, W, C) float32; alpha is blurred like the colors.
        angle: direction in degrees counter-clockwise from the +u axis (0 horizontal,
            90 vertical); the blur is symmetric, so 0 and 180 are the same.
        length: standard deviation along the direction, fractions of the width, 0..0.5.

    Returns:
        (H, W, C) float32; the mean is preserved.
    """
    sigma = length * ctx.width
    if sigma == 0:
        return np.array(input, np.float32)
    dx, dy = direction(angle)
    t = np.arange(-math.ceil(_REACH * sigma / _LINE_STEP),
                  math.ceil(_REACH * sigma / _LINE_STEP) + 1) * _LINE_STEP
    weights = np.exp(-0.5 * (t / sigma) ** 2)
    weights /= weights.sum()
    x, y = t * dx, t * dy
    fx, fy = x - np.floor(x), y - np.floor(y)
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)

    def kernel(rows, columns):
        grid = np.zeros((rows, columns))
        for oy, wy in ((0, 1 - fy), (1, fy)):
            for ox, wx in ((0, 1 - fx), (1, fx)):
                np.add.at(grid, ((y0 + oy) % rows, (x0 + ox) % columns), weights * wy * wx)
        return lambda band: grid[band].astype(np.float32)

    reach = (math.ceil(np.abs(y).max()) + 1, math.ceil(np.abs(x).max()) + 1)
    return _convolve(input, reach, kernel, wrap=ctx.tileable)


def slope_blur(ctx: NodeContext, *, input: np.ndarray, slope: np.ndarray, intensity: float,
               samples: int, mode: str) -> np.ndarray:
    """Blur ``input`` along the slope of ``slope``, following it (Substance's Slope Blur).

    From each pixel a path of ``samples`` steps of ``|intensity| / samples`` widths
    follows the slope input's gradient direction, re-read at every step (a streamline):
    uphill for a positive ``intensity``, downhill for a negative one. The input is read
    bilinearly at the start and at every step, and the values are averaged ("blur") or
    their minimum or maximum taken ("min", "max"). Where the slope input is flat (gradient
    below 0.001 per width) the path does not move.

    Args:
        ctx: node context; ``ctx.tileable`` wraps the slopes and samples, else they clamp.
        input: (H, W, C) float32; alpha is processed like the colors.
        slope: (H, W, 1) float32 field whose gradient steers the blur.
        intensity: signed path length in fractions of the width, -0.25..0.25.
        samples: number of steps along the path, 1..64.
        mode: "blur", "min" or "max".

    Returns:
        (H, W, C) float32, within the input's range.
    """
    du, dv = slopes(slope[..., 0], wrap=ctx.tileable)
    norm = np.sqrt(du * du + dv * dv + np.float32(_FLAT_SLOPE ** 2))
    steer = np.ascontiguousarray(np.stack([du / norm, dv / norm], axis=-1))
    # A writable copy: Numba compiles read-only arrays (the engine's inputs) separately.
    return _trace_paths(np.array(input, np.float32), steer,
                        np.float32(intensity * ctx.width / samples), samples,
                        ("blur", "min", "max").index(mode), ctx.tileable)


# Each pixel's path depends on the steps before it, so the whole image cannot be sampled
# at once per step cheaply: NumPy's sample_bilinear (two full-image gathers per step) was
# far too slow at 2048^2. The paths are traced here instead, with a scalar fetch that follows
# sample_bilinear's conventions (pixel centres at integers, wrap or clamp).
@numba.njit(cache=True)
def _trace_paths(texture, steer, step, samples, mode, wrap):
    """Combine ``texture`` (H, W, C) along streamlines of the unit field ``steer``
    (H, W, 2), ``samples`` steps of ``step`` pixels from each pixel; ``mode`` 0 mean,
    1 min, 2 max."""
    height, width, channels = texture.shape
    out = np.empty_like(texture)
    value = np.empty(channels, np.float32)
    heading = np.empty(2, np.float32)
    for r in range(height):
        for c in range(width):
            x, y = np.float32(c), np.float32(r)
            total = out[r, c]
            total[:] = texture[r, c]
            for _ in range(samples):
                _fetch(steer, x, y, wrap, heading)
                x += heading[0] * step
                y += heading[1] * step
                _fetch(texture, x, y, wrap, value)
                for k in range(channels):
                    if mode == 0:
                        total[k] += value[k]
                    elif mode == 1:
                        total[k] = min(total[k], value[k])
                    else:
                        total[k] = max(total[k], value[k])
    if mode == 0:
        out *= np.float32(1.0 / (samples + 1))
    return out


@numba.njit(inline="always")
def _fetch(texture, x, y, wrap, out):
    """``out`` (C,) = ``texture`` (H, W, C) at pixel coordinates (x, y), bilinearly."""
    height, width = texture.shape[0], texture.shape[1]
    x0f, y0f = np.floor(x), np.floor(y)
    fx, fy = x - x0f, y - y0f
    x0, y0 = int(x0f), int(y0f)
    if wrap:
        if not 0 <= x0 < width:  # the modulo is slow: skip it inside the texture
            x0 %= width
        if not 0 <= y0 < height:
            y0 %= height
        x1 = x0 + 1 if x0 + 1 < width else 0
        y1 = y0 + 1 if y0 + 1 < height else 0
    else:
        x1, y1 = min(max(x0 + 1, 0), width - 1), min(max(y0 + 1, 0), height - 1)
        x0, y0 = min(max(x0, 0), width - 1), min(max(y0, 0), height - 1)
        if x < 0 or x >= width - 1:
            fx = 0.0
        if y < 0 or y >= height - 1:
            fy = 0.0
    for k in range(texture.shape[2]):
        top = texture[y0, x0, k] * (1 - fx) + texture[y0, x1, k] * fx
        bottom = texture[y1, x0, k] * (1 - fx) + texture[y1, x1, k] * fx
        out[k] = top * (1 - fy) + bottom * fy


# --- relief and edges -----------------------------------------------------------------------

def emboss(ctx: NodeContext, *, input: np.ndarray, angle: float,
           strength: float) -> np.ndarray:
    """Shade each color channel as a relief lit from the horizon at ``angle``.

    With ``k = strength / 100`` and the channel's slopes ``du``, ``dv`` per width (as in
    normal_map), the surface normal is ``normalize(-k du, k dv, 1)`` (y up) and the output
    is ``0.5 + 0.5 * dot(normal, light)`` for the horizontal light direction
    ``(cos angle, sin angle, 0)``: flat is 0.5, slopes facing the light are brighter.

    Args:
        ctx: node context; ``ctx.tileable`` wraps, else the border slopes are one-sided.
        input: (H, W, C) float32; an rgba alpha passes unchanged.
        angle: where the light comes from, degrees counter-clockwise from +u (135: top
            left).
        strength: relief depth, percent of the width per unit of value, 0..100.

    Returns:
        (H, W, C) float32 in [0, 1].
    """
    light_x, light_y = direction(angle)  # pixel axes: y down

    def shade(texture):
        out = np.empty_like(texture, dtype=np.float32)
        for c in range(texture.shape[2]):
            du, dv = slopes(texture[..., c], wrap=ctx.tileable, scale=strength / 100.0)
            out[..., c] = 0.5 - 0.5 * (du * np.float32(light_x) + dv * np.float32(light_y)) \
                / np.sqrt(1.0 + du * du + dv * dv)
        return out

    return map_color_channels(input, shade)


def edge_detect(ctx: NodeContext, *, input: np.ndarray, width: float) -> np.ndarray:
    """Edge strength: Sobel gradient magnitude, after a Gaussian of ``width`` widths.

    The magnitude is the root mean square over the color channels (alpha ignored) and is
    scaled by ``max(2, sqrt(2 pi) sigma)`` (``sigma`` the blur in pixels), so a sharp step
    of 1 gives 1 at its edge at any ``width`` and resolution; the result is clamped.

    Args:
        ctx: node context; ``ctx.tileable`` wraps, else the edges clamp (no false edge).
        input: (H, W, C) float32.
        width: standard deviation of the pre-blur, fractions of the width, 0..0.05; wider
            edges respond to broader features.

    Returns:
        (H, W, 1) float32 in [0, 1].
    """
    sigma = width * ctx.width
    colors = input[..., :3] if input.shape[2] == 4 else input
    padded = np.pad(gaussian_blur(colors, sigma, wrap=ctx.tileable), ((1, 1), (1, 1), (0, 0)),
                    mode="wrap" if ctx.tileable else "edge")
    # Sobel: a [1, 2, 1] / 4 smoothing across the central difference [-1, 0, 1] / 2.
    across_x = padded[:-2] + 2 * padded[1:-1] + padded[2:]
    across_y = padded[:, :-2] + 2 * padded[:, 1:-1] + padded[:, 2:]
    gx = (across_x[:, 2:] - across_x[:, :-2]) * np.float32(1 / 8)
    gy = (across_y[2:] - across_y[:-2]) * np.float32(1 / 8)
    magnitude = np.sqrt(np.mean(gx * gx + gy * gy, axis=2, keepdims=True))
    # A blurred unit step's steepest slope is 1 / (sqrt(2 pi) sigma); a sharp one's is 1/2.
    scale = np.float32(max(2.0, math.sqrt(2 * math.pi) * sigma))
    return as_texture(np.minimum(magnitude * scale, 1.0))


# --- distance and islands ---------------------------------------------------------------------

def distance(ctx: NodeContext, *, mask: np.ndarray, max_distance: float,
             threshold: float) -> np.ndarray:
    """Distance from each pixel to the nearest mask pixel, as a fraction of ``max_distance``.

    Pixels with ``mask > threshold`` are the features (distance 0). Distances are exact
    Euclidean distances between pixel centres, divided by ``max_distance * W`` and clamped
    to 1; with no feature at all every pixel is 1. When ``ctx.tileable`` the features
    repeat around the edges (the field tiles); otherwise only the texture's own count.

    Args:
        ctx: node context (``width``, ``tileable``).
        mask: (H, W, 1) float32.
        max_distance: distance that maps to 1, fractions of the width, 0.001..1.
        threshold: mask value above which a pixel is a feature, 0..1.

    Returns:
        (H, W, 1) float32 in [0, 1]: 0 on the mask, rising linearly with the distance.
    """
    height, width = mask.shape[:2]
    reach = max_distance * width
    features = mask[..., 0] > threshold
    # Features further than the max distance do not change the clamped result, and a
    # periodic feature's nearest copy is at most half a period away along each axis, so
    # wrapping needs only that much of the neighbouring tiles.
    rows, columns = ((min(math.ceil(reach) + 1, n // 2 + 1) if ctx.tileable else 0)
                     for n in (height, width))
    squared = np.where(np.pad(features, ((rows, rows), (columns, columns)), mode="wrap"),
                       np.float32(0), np.float32(np.inf))
    _squared_distance_rows(squared)
    squared = np.ascontiguousarray(squared.T)  # one compiled layout for both passes
    _squared_distance_rows(squared)
    field = np.sqrt(squared.T[rows:rows + height, columns:columns + width]) / reach
    return as_texture(np.minimum(field, 1.0)[..., None])


@numba.njit(cache=True)
def _squared_distance_rows(grid):
    """In place, each row of ``grid`` (float32, 0 at features, inf elsewhere) becomes
    ``min_q (p - q)^2 + grid[q]``: Felzenszwalb and Huttenlocher's lower envelope of
    parabolas. Run along rows, then along columns, it gives the squared distance (exact
    below 4096 pixels, float32's integers; the envelope is computed in float64)."""
    n = grid.shape[1]
    vertex = np.empty(n, np.int64)
    bound = np.empty(n + 1)
    row = np.empty(n, np.float32)
    for r in range(grid.shape[0]):
        f = grid[r]
        k = -1
        for q in range(n):
            if f[q] == np.inf:
                continue
            if k < 0:
                k, vertex[0], bound[0], bound[1] = 0, q, -np.inf, np.inf
                continue
            while True:  # drop the parabolas the new one hides; bound[0] = -inf stops it
                p = vertex[k]
                s = ((f[q] + q * q) - (f[p] + p * p)) / (2.0 * (q - p))
                if s > bound[k]:
                    break
                k -= 1
            k += 1
            vertex[k], bound[k], bound[k + 1] = q, s, np.inf
        if k < 0:
            continue  # no feature on this row: it stays infinite
        k = 0
        for q in range(n):
            while bound[k + 1] < q:
                k += 1
            p = vertex[k]
            row[q] = (q - p) * (q - p) + f[p]
        f[:] = row


def flood_fill(ctx: NodeContext, *, mask: np.ndarray, threshold: float) -> dict[str, np.ndarray]:
    """A random gray value and a random color for each connected island of a mask.

    Islands are 4-connected groups of pixels with ``mask > threshold``; when
    ``ctx.tileable`` an island that crosses an edge continues on the other side. Islands
    are numbered in reading order of their first pixel and drawn from this node's seed:
    with ``n`` islands the values are ``(perm[i] + 0.25 + 0.5 u_i) / n`` for a random
    permutation ``perm`` and ``u_i`` in [0, 1), so every island gets a different value,
    spread evenly over (0, 1). Colors are uniform random RGB. The background is 0.

    Args:
        ctx: node context (``seed``, ``tileable``).
        mask: (H, W, 1) float32.
        threshold: mask value above which a pixel belongs to an island, 0..1.

    Returns:
        ``{"out": (H, W, 1), "color": (H, W, 3)}`` float32 in [0, 1].
    """
    labels, count = _label_islands(mask[..., 0] > threshold, ctx.tileable)
    rng = ctx.rng()
    values = (rng.permutation(count) + 0.25 + 0.5 * rng.random(count)) / max(count, 1)
    colors = rng.random((count, 3))
    # Index count is the background: value 0, black.
    values = np.append(values, 0.0).astype(np.float32)
    colors = np.vstack([colors, np.zeros((1, 3))]).astype(np.float32)
    index = np.where(labels < 0, count, labels)
    return {"out": as_texture(values[index][..., None]), "color": as_texture(colors[index])}


@numba.njit(cache=True)
def _label_islands(inside, wrap):
    """Label 4-connected islands of the (H, W) bool array ``inside`` 0, 1, ... in reading
    order of their first pixel (-1 outside), joining across the edges when ``wrap``.
    Returns (labels int64 (H, W), island count)."""
    height, width = inside.shape
    parent = np.arange(height * width)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving
            i = parent[i]
        return i

    def union(a, b):
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)

    for r in range(height):
        for c in range(width):
            if not inside[r, c]:
                continue
            i = r * width + c
            if c > 0 and inside[r, c - 1]:
                union(i, i - 1)
            if r > 0 and inside[r - 1, c]:
                union(i, i - width)
            if wrap and c == width - 1 and inside[r, 0]:
                union(i, r * width)
            if wrap and r == height - 1 and inside[0, c]:
                union(i, c)
    labels = np.full((height, width), -1, np.int64)
    label_of_root = np.full(height * width, -1, np.int64)
    count = 0
    for r in range(height):
        for c in range(width):
            if inside[r, c]:
                root = find(r * width + c)
                if label_of_root[root] < 0:
                    label_of_root[root] = count
                    count += 1
                labels[r, c] = label_of_root[root]
    return labels, count
