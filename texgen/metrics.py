"""Texture quality metrics: no weights, no downloads, NumPy only (SSIM: scikit-image).

Every metric takes images as float arrays of shape (H, W, C) or (H, W) (one channel), values
nominally in [0, 1], float32 or float64; they are computed in float64 and return a Python
``float``. Unless a function says otherwise, the two images of a comparison may differ in size
but must have the same number of channels.

- ``mse`` and ``ssim`` compare pixel by pixel: they measure how close a synthesis is to being
  a *copy* of the exemplar, not whether it is a good texture (a perfect new sample of the same
  texture scores badly on both).
- ``spectrum_distance``, ``histogram_distance`` and ``patch_swd`` compare statistics, so two
  different samples of the same texture score near 0. ``patch_swd`` (multi-scale sliced
  Wasserstein distance between patch distributions) is the main texture-quality score.
- ``seam_score`` checks one texture's wrap-around border (``boundary_steps``: the step
  across every row or column boundary, to find a seam elsewhere); ``seam_outlier`` judges
  the border against the interior's own strongest lines, so a lattice line or tile joint
  that falls on the border is not called a seam (``SEAM_OUTLIER_LIMIT``: the verdict);
  ``diversity`` checks that several seeds give different textures.
- ``match_channels`` makes a synthesis and its exemplar comparable when their channel
  counts differ (gray against color, alpha against none); ``evaluate`` runs every metric
  that applies and returns them by name.

docs/metrics.md explains each one, its range and which direction is better.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Sequence

import numpy as np

__all__ = ["mse", "ssim", "spectrum_distance", "histogram_distance", "patch_swd",
           "PatchSWDReference",
           "seam_score", "boundary_steps", "seam_outlier", "SEAM_OUTLIER_LIMIT", "diversity",
           "match_channels", "evaluate"]

COPY_NOTE = "measures copying, not texture quality"
"""The caveat shown next to MSE and SSIM (``texgen eval`` prints it in its table)."""

_TINY = 1e-12

SEAM_OUTLIER_LIMIT = 1.5
"""``seam_outlier`` above this: the wrap-around border is a seam (docs/metrics.md: patterns
with a joint on the border score about 1 and tileable noise under 1.35; seams in noise
whose features span 20 pixels or more score 4 and up)."""

_FAINT_LINE = 1e-6
"""``seam_outlier``: interior peaks below this fraction of the strongest are not lines."""

_EQUAL_CHANNELS = 0.5 / 255
"""Color channels that differ by at most half an 8-bit step everywhere count as equal."""

_LUMA = np.array([0.2126, 0.7152, 0.0722])
"""Rec. 709 luma weights (those of ``filters.grayscale`` and ``filters.image_input``)."""


def _image(array, name: str = "image") -> np.ndarray:
    """``array`` as a float64 (H, W, C) array: (H, W) gains a channel axis; checks shape."""
    image = np.asarray(array, dtype=np.float64)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or 0 in image.shape:
        raise ValueError(f"{name}: expected an (H, W, C) or (H, W) array, got shape "
                         f"{np.shape(array)}")
    if not np.isfinite(image).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return image


def _pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    """Both images as float64 (H, W, C); they must have the same number of channels."""
    a, b = _image(a, "first image"), _image(b, "second image")
    if a.shape[2] != b.shape[2]:
        raise ValueError(f"the images have different numbers of channels: {a.shape[2]} and "
                         f"{b.shape[2]}")
    return a, b


def _same_shape(a, b, what: str) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pair(a, b)
    if a.shape != b.shape:
        raise ValueError(f"{what} needs two images of the same shape, got {a.shape} and "
                         f"{b.shape} (H, W, C)")
    return a, b


# --- copying metrics ---------------------------------------------------------------------------

def mse(a, b) -> float:
    """Mean squared error between two images of the same shape.

    Args:
        a, b: float arrays (H, W, C) or (H, W), values in [0, 1]; same shape required (a 2-D
            array counts as one channel).

    Returns:
        mean of (a - b)**2 over all pixels and channels, in [0, 1] for values in [0, 1];
        0 for identical images, lower is closer. Measures copying, not texture quality.

    Raises:
        ValueError: the shapes differ.
    """
    a, b = _same_shape(a, b, "mse")
    return float(np.mean((a - b) ** 2))


def ssim(a, b) -> float:
    """Structural similarity (scikit-image's ``structural_similarity``) of two images.

    Computed with ``data_range=1``, the default 7 x 7 window and channels averaged
    (``channel_axis=-1``). Needs scikit-image: ``pip install 'texgen[metrics]'``.

    Args:
        a, b: float arrays (H, W, C) or (H, W), values in [0, 1]; same shape required, at
            least 7 x 7 pixels.

    Returns:
        mean SSIM in [-1, 1]; 1 for identical images, higher is closer. Measures copying,
        not texture quality.

    Raises:
        ValueError: the shapes differ, or the images are smaller than 7 x 7.
        ImportError: scikit-image is not installed.
    """
    a, b = _same_shape(a, b, "ssim")
    if min(a.shape[:2]) < 7:
        raise ValueError(f"ssim needs images of at least 7 x 7 pixels, got {a.shape[1]} x "
                         f"{a.shape[0]}")
    try:
        from skimage.metrics import structural_similarity
    except ImportError as exc:
        raise ImportError("ssim needs scikit-image: pip install 'texgen[metrics]'") from exc
    return float(structural_similarity(a, b, channel_axis=-1, data_range=1.0))


# --- statistics of the whole image -------------------------------------------------------------

def _hann(n: int) -> np.ndarray:
    """Periodic Hann window of length ``n`` (all ones for n < 3)."""
    if n < 3:
        return np.ones(n)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def _ring_edges(nyquist: float, rings: int) -> np.ndarray:
    """Edges of ``rings`` rings of equal width from 0 to ``nyquist``, the last one closed on
    the right so that it holds the Nyquist frequency itself (``_radial_power``'s bins)."""
    edges = np.linspace(0.0, nyquist, rings + 1)
    edges[-1] = np.nextafter(nyquist, np.inf)
    return edges


def _radial_power(image: np.ndarray, frequency: str, edges: np.ndarray):
    """(mean power per ring and channel (rings, C), samples per ring (rings,)).

    Power of the mean-removed, Hann-windowed image, |FFT|**2 / sum(window**2); ring i holds
    the frequencies edges[i] <= r < edges[i + 1], in cycles per pixel or per image width;
    the DC term is left out. The half-plane FFT is used, each frequency weighted by how many
    times it and its mirror image appear in the full plane, so means are the full plane's.
    """
    height, width, channels = image.shape
    window = _hann(height)[:, None] * _hann(width)[None, :]
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    radius = np.sqrt(fx ** 2 + fy ** 2)  # cycles per pixel
    scale = 1.0 / np.sum(window ** 2)
    if frequency == "width":
        radius = radius * width          # cycles per image width
        scale /= height * width          # power per unit area: resolution-independent
    mirrored = np.full(fx.shape, 2.0)
    mirrored[:, 0] = 1.0
    if width % 2 == 0:
        mirrored[:, -1] = 1.0            # the Nyquist column is its own mirror image
    rings = np.digitize(radius, edges) - 1
    keep = (radius > 0) & (rings >= 0) & (rings < len(edges) - 1)
    rings, weights = rings[keep], np.broadcast_to(mirrored, radius.shape)[keep]
    counts = np.bincount(rings, weights=weights, minlength=len(edges) - 1)
    means = np.empty((len(edges) - 1, channels))
    for c in range(channels):  # one channel at a time: large images stay within memory
        centred = (image[:, :, c] - image[:, :, c].mean()) * window
        power = np.abs(np.fft.rfft2(centred)) ** 2 * scale
        means[:, c] = (np.bincount(rings, weights=power[keep] * weights,
                                   minlength=len(edges) - 1) / np.maximum(counts, 1))
    return means, counts


def spectrum_distance(a, b, *, frequency: str = "pixel", eps: float = 1e-10) -> float:
    """Distance between the radially averaged log power spectra of two images.

    Per channel: the mean is removed, a Hann window applied (so a non-tileable image's border
    does not add a spurious cross to its spectrum), the power |FFT|**2 / sum(window**2) taken
    and averaged over rings of equal radial frequency. The rings are ``min(H, W) // 2`` of the
    smaller image, equally wide from 0 to the Nyquist frequency the two images share; the DC
    term is left out. The distance is the root mean square over rings and channels of
    ``log10(P_a + eps) - log10(P_b + eps)``: in decades, so 0.3 means the two spectra differ
    by about a factor 2 on average.

    Args:
        a, b: float arrays (H, W, C) or (H, W), values in [0, 1]; sizes may differ, channel
            counts may not.
        frequency: how rings of two images of different sizes are matched. "pixel" (default):
            in cycles per pixel, for images at the same pixel scale (a synthesis of any size
            vs its exemplar). "width": in cycles per image width, with power per unit area,
            for the same content rendered at two resolutions (a preset at 256 and at 1024).
            The same for images of the same size.
        eps: added to the power before the logarithm: a floor for empty frequencies.

    Returns:
        distance >= 0, 0 for identical images; lower is better.
    """
    if frequency not in ("pixel", "width"):
        raise ValueError(f"frequency must be 'pixel' or 'width', got {frequency!r}")
    a, b = _pair(a, b)
    if frequency == "pixel":
        nyquist = 0.5
    else:
        nyquist = 0.5 * min(a.shape[1], b.shape[1])
    rings = max(1, min(*a.shape[:2], *b.shape[:2]) // 2)
    edges = _ring_edges(nyquist, rings)
    mean_a, count_a = _radial_power(a, frequency, edges)
    mean_b, count_b = _radial_power(b, frequency, edges)
    both = (count_a > 0) & (count_b > 0)
    if not both.any():
        raise ValueError("spectrum_distance needs images of at least 2 x 2 pixels")
    difference = np.log10(mean_a[both] + eps) - np.log10(mean_b[both] + eps)
    return float(np.sqrt(np.mean(difference ** 2)))


def band_power_ratio(a, b, *, bands: int = 8, eps: float = 1e-10) -> np.ndarray:
    """Where two spectra differ: log10 of ``a``'s power over ``b``'s in ``bands`` rings.

    The power is ``spectrum_distance``'s (mean removed, Hann window, |FFT|**2, per pixel
    frequency, DC left out), averaged over the channels and over ``bands`` rings of equal
    width from 0 to the Nyquist frequency, 0.5 cycles per pixel (ring i: i / (2 bands) <=
    radius < (i + 1) / (2 bands)). E.g. -1 in the last ring: ``a`` has a tenth of ``b``'s
    finest detail.

    Args:
        a, b: float arrays (H, W, C) or (H, W), values in [0, 1]; channel counts equal.
        bands: rings, fewer than half the smaller side (so that every ring holds a
            frequency of both images). Default 8.
        eps: added to the power before the logarithm.

    Returns:
        float64 array (bands,), 0 where the spectra agree.
    """
    a, b = _pair(a, b)
    most = min(*a.shape[:2], *b.shape[:2]) // 2 - 1  # the first ring must reach 1 / side
    if not 1 <= bands <= most:
        raise ValueError(f"band_power_ratio: bands must be in 1..{most} (below half the "
                         f"smaller side), got {bands}")
    edges = _ring_edges(0.5, bands)
    power_a, _ = _radial_power(a, "pixel", edges)
    power_b, _ = _radial_power(b, "pixel", edges)
    return np.log10(power_a.mean(axis=1) + eps) - np.log10(power_b.mean(axis=1) + eps)


def _wasserstein1(u: np.ndarray, v: np.ndarray) -> float:
    """Exact 1-D Wasserstein-1 distance between the empirical distributions of u and v:
    the integral of |CDF_u - CDF_v| (as ``scipy.stats.wasserstein_distance``)."""
    u, v = np.sort(u), np.sort(v)
    if u.size == v.size:  # the same integral, faster: matched quantiles
        return float(np.mean(np.abs(u - v)))
    # Merge the two sorted arrays (ties: u first), counting the u values up to each one.
    if u.size < v.size:
        from_u = np.zeros(u.size + v.size, bool)
        from_u[np.arange(u.size) + np.searchsorted(v, u, side="left")] = True
    else:  # the same, searching the smaller array in the larger
        from_u = np.ones(u.size + v.size, bool)
        from_u[np.arange(v.size) + np.searchsorted(u, v, side="right")] = False
    merged = np.empty(u.size + v.size)
    merged[from_u], merged[~from_u] = u, v
    count_u = np.cumsum(from_u)[:-1]
    count_v = np.arange(1, u.size + v.size) - count_u
    return float(np.sum(np.abs(count_u / u.size - count_v / v.size) * np.diff(merged)))


def histogram_distance(a, b) -> float:
    """Per-channel color histogram distance: the 1-D Wasserstein-1 distance (earth mover's
    distance) between the two images' value distributions, averaged over channels.

    Exact, with no binning: the integral over values of |CDF_a - CDF_b|, i.e. how far, on
    average, values must move to turn one histogram into the other. It ignores where pixels
    are (any shuffle of an image scores 0 against it).

    Args:
        a, b: float arrays (H, W, C) or (H, W), values in [0, 1]; sizes may differ, channel
            counts may not.

    Returns:
        distance in [0, 1] for values in [0, 1] (in value units), 0 for the same histogram;
        lower is better.
    """
    a, b = _pair(a, b)
    return float(np.mean([_wasserstein1(a[:, :, c].ravel(), b[:, :, c].ravel())
                          for c in range(a.shape[2])]))


# --- patch statistics ---------------------------------------------------------------------------

def _downsample(image: np.ndarray) -> np.ndarray:
    """Half the size by averaging 2 x 2 blocks (an odd last row or column is dropped)."""
    height, width = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    image = image[:height, :width]
    return 0.25 * (image[0::2, 0::2] + image[1::2, 0::2] + image[0::2, 1::2] + image[1::2, 1::2])


def _patches(image: np.ndarray, size: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """(count, size * size * C) patches at random positions inside the image (no wrap)."""
    height, width, channels = image.shape
    ys = rng.integers(0, height - size + 1, count)
    xs = rng.integers(0, width - size + 1, count)
    # a view of every patch (H', W', C, size, size): picking by corner gathers whole patches,
    # with no per-pixel index arrays; the transpose gives each patch's values row by row,
    # pixel by pixel, channel by channel
    windows = np.lib.stride_tricks.sliding_window_view(image, (size, size), axis=(0, 1))
    return windows[ys, xs].transpose(0, 2, 3, 1).reshape(count, size * size * channels)


def _patch_swd_min_side(*, patch_size: int = 7, scales: int = 3) -> int:
    """The smallest side ``patch_swd`` accepts: a whole patch at the coarsest scale."""
    return patch_size * 2 ** (scales - 1)


def patch_swd(a, b, *, patch_size: int = 7, scales: int = 3, projections: int = 64,
              patches: int = 4096, seed: int = 0) -> float:
    """Multi-scale sliced Wasserstein distance between the patch distributions of two images.

    At each of ``scales`` scales (scale 0: the images as given; each next one halves both
    images by averaging 2 x 2 blocks), ``patches`` patches of ``patch_size`` x ``patch_size``
    pixels are drawn at random positions from each image (with replacement, never across the
    border) and flattened to vectors of patch_size**2 * C values. They are projected on
    ``projections`` random unit directions; along each, the sliced Wasserstein-1 distance is
    the mean absolute difference of the two sorted projections. The result is the mean over
    directions and scales.

    Deterministic for a given seed; symmetric (swapping a and b gives the same value), and
    exactly 0 for identical images, because both images draw their positions from the same
    random stream. Two different samples of one texture score a small positive value (the
    sampling noise of ``patches`` draws); lower is better.

    Args:
        a, b: float arrays (H, W, C) or (H, W), values in [0, 1]; sizes may differ, channel
            counts may not. Each side must be at least ``patch_size * 2**(scales - 1)``
            pixels (28 with the defaults).
        patch_size: side of the square patches, in pixels (>= 1).
        scales: number of scales (>= 1).
        projections: number of random directions per scale (>= 1).
        patches: number of patches drawn from each image per scale (>= 1).
        seed: seed of the positions and directions.

    Returns:
        distance >= 0, in value units (a projection of a patch on a unit direction); lower is
        better.
    """
    return PatchSWDReference(b, patch_size=patch_size, scales=scales,
                              projections=projections, patches=patches, seed=seed)(a)


class PatchSWDReference:
    """``patch_swd(a, b)`` for many images ``a`` against one ``b``: ``b``'s sorted patch
    projections are made once, here, so each call does only ``a``'s half of the work (a fit
    compares hundreds of renders with one photo). ``PatchSWDReference(b, **options)(a)``
    equals ``patch_swd(a, b, **options)`` exactly (``patch_swd`` is written with it);
    options and errors as ``patch_swd``'s.
    """

    def __init__(self, b, *, patch_size: int = 7, scales: int = 3, projections: int = 64,
                 patches: int = 4096, seed: int = 0):
        for name, value in (("patch_size", patch_size), ("scales", scales),
                            ("projections", projections), ("patches", patches)):
            if int(value) != value or value < 1:
                raise ValueError(f"patch_swd: {name} must be an integer >= 1, got {value!r}")
        self.patch_size, self.scales, self.patches, self.seed = patch_size, scales, patches, seed
        self.smallest = _patch_swd_min_side(patch_size=patch_size, scales=scales)
        b = _image(b, "second image")
        self._check_side(b, "second")
        self.channels = b.shape[2]
        self.directions, self.sorted = [], []
        for scale in range(scales):
            if scale:
                b = _downsample(b)
            directions = np.random.default_rng([seed, scale, 0]).standard_normal(
                (patch_size * patch_size * self.channels, projections))
            directions /= np.linalg.norm(directions, axis=0, keepdims=True)
            self.directions.append(directions)
            self.sorted.append(self._sorted_projections(b, scale))

    def _check_side(self, image: np.ndarray, name: str) -> None:
        if min(image.shape[:2]) < self.smallest:
            raise ValueError(f"patch_swd: the {name} image ({image.shape[1]} x "
                             f"{image.shape[0]}) is too small for {self.scales} scales of "
                             f"{self.patch_size} x {self.patch_size} patches: each side needs "
                             f"at least {self.smallest} pixels")

    def _sorted_projections(self, image: np.ndarray, scale: int) -> np.ndarray:
        """(patches, projections): the image's patches at this scale's positions, projected
        on its directions and sorted along each direction."""
        positions = np.random.default_rng([self.seed, scale, 1])
        return np.sort(_patches(image, self.patch_size, self.patches, positions)
                       @ self.directions[scale], axis=0)

    def __call__(self, a) -> float:
        """The distance from ``a`` (H, W, C) or (H, W) to the reference; ``a`` must have the
        reference's channel count."""
        a = _image(a, "first image")
        if a.shape[2] != self.channels:
            raise ValueError(f"the images have different numbers of channels: {a.shape[2]} "
                             f"and {self.channels}")
        self._check_side(a, "first")
        distances = []
        for scale in range(self.scales):
            if scale:
                a = _downsample(a)
            distances.append(np.mean(np.abs(self._sorted_projections(a, scale)
                                            - self.sorted[scale])))
        return float(np.mean(distances))


# --- one texture, several textures ---------------------------------------------------------------

def seam_score(texture, *, reference: str = "mean", power: int = 2,
               axis: int | None = None) -> float:
    """How much stronger the step across the wrap-around border is than an interior step.

    Per axis: the mean of |step|**power from the last row to the first (axis 0; last column
    to the first: axis 1), divided by the mean (``reference="mean"``) or the largest
    (``"max"``) of the same quantity over the interior row (column) boundaries; the worse
    axis is returned unless ``axis`` picks one. With the defaults this is the energy of the
    border step over the mean interior step energy: about 1 for a texture that tiles, well
    above 1 for a visible seam; lower is better down to 1. It is one step measured against
    many, so one texture's score scatters around its expectation by about the coefficient of
    variation of its interior step energies (docs/metrics.md): average several seeds, per
    axis, to compare generators. Lattice noises (Perlin, value, ...) put a lattice line on
    the border, where their steps are not average, so they may score somewhat off 1 without
    any seam. 0 for a constant texture. ``texgen.testing.seam_ratio`` is
    ``reference="max", power=1``, a tolerant pass/fail yardstick.

    Args:
        texture: float array (H, W, C) or (H, W), at least 2 x 2 pixels.
        reference: "mean" or "max" of the interior steps.
        power: 2 (energy, default) or 1 (mean absolute step).
        axis: None (default): the worse of the two; 0: across the top/bottom border (steps
            between rows); 1: across the left/right border (steps between columns).

    Returns:
        ratio >= 0 (1 for a border step that is an average interior step).
    """
    if reference not in ("mean", "max"):
        raise ValueError(f"reference must be 'mean' or 'max', got {reference!r}")
    if axis not in (None, 0, 1):
        raise ValueError(f"axis must be None, 0 or 1, got {axis!r}")
    texture = _image(texture, "texture")
    ratios = []
    for along in (0, 1) if axis is None else (axis,):
        steps = boundary_steps(texture, axis=along, power=power)
        interior = steps[:-1].mean() if reference == "mean" else steps[:-1].max()
        ratios.append(steps[-1] / max(interior, _TINY))
    return float(max(ratios))


def boundary_steps(texture, *, axis: int, power: int = 2) -> np.ndarray:
    """The step across each row (axis 0) or column (axis 1) boundary of a tiling texture.

    Element k is the mean of |step| ** ``power`` (channels pooled) from row (column) k to
    k + 1; the last element is the wrap-around step, from the last row (column) to the
    first, so ``seam_score`` is the last element over the mean of the others. Averaged over
    seeds and divided by its mean, it shows a seam wherever it is: a generator that moved
    its seam away from the border has one boundary far above 1 inside.

    Args:
        texture: float array (H, W, C) or (H, W), at least 2 x 2 pixels.
        axis: 0 (the H boundaries between rows) or 1 (the W between columns).
        power: 2 (energy, default) or 1 (mean absolute step).

    Returns:
        float64 (H,) or (W,), >= 0.
    """
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 or 1, got {axis!r}")
    texture = _image(texture, "texture")
    if min(texture.shape[:2]) < 2:
        raise ValueError(f"the steps across a texture's rows and columns need at least 2 x 2 "
                         f"pixels, got {texture.shape[1]} x {texture.shape[0]}")
    wrapped = np.concatenate([texture, np.take(texture, [0], axis=axis)], axis=axis)
    other_axes = tuple(a for a in range(texture.ndim) if a != axis)
    return (np.abs(np.diff(wrapped, axis=axis)) ** power).mean(axis=other_axes)


def seam_outlier(texture, *, axis: int | None = None) -> float:
    """How far the wrap-around border stands out from the texture's own strongest lines.

    ``seam_score`` compares the border with the *mean* interior step, so a tiling pattern
    whose lattice line or tile joint falls on the border (a hexagon edge, a mortar edge)
    scores well above 1 without any seam. This asks instead whether the border is stronger
    than the lines the texture draws anyway:

    - the step energy at each row (column) k is the mean over the other axis and the
      channels of (x[k + 1] - x[k - 1])**2, the difference across two pixels, wrapping
      around: an anti-aliased edge gives the same peak whether it falls on a pixel boundary
      or on a pixel centre, so an edge rendered exactly on the border is not favoured;
    - the border's energy is the larger of the two that straddle it (rows N - 1 and 0);
    - the interior's lines are the local peaks of the energies of rows 1 .. N - 2 (peaks
      under a millionth of the strongest are a flat background, not lines), and the
      reference is the *second* strongest of them: a seam elsewhere in the texture (a
      shifted half also breaks in its middle) must not excuse the one on the border, while
      a pattern's lines recur. With a single line (a 2 x 2 checker: flat but for one joint
      inside and one on the border) the reference is that line.

    The ratio border / reference is the score, the worse axis unless ``axis`` picks one:
    at most about 1 for a texture that tiles (its border is one more of its lines or
    ordinary positions), above ``SEAM_OUTLIER_LIMIT`` (1.5) for a seam. It judges steps, not
    shapes: a pattern cut mid-cell, whose border step looks like its own edges, and a
    seam in a texture whose features are only a few pixels wide (no more visible than
    the texture's own pixel-to-pixel steps) are not found. 0 for a constant texture.
    ``seam_score`` is unchanged, so figures recorded with it stay reproducible.

    Args:
        texture: float array (H, W, C) or (H, W), at least 4 x 4 pixels.
        axis: None (default): the worse of the two; 0: across the top/bottom border;
            1: across the left/right border.

    Returns:
        ratio >= 0; at most about 1 when the border is like the texture's own lines.
    """
    if axis not in (None, 0, 1):
        raise ValueError(f"axis must be None, 0 or 1, got {axis!r}")
    texture = _image(texture, "texture")
    if min(texture.shape[:2]) < 4:
        raise ValueError(f"seam_outlier needs at least 4 x 4 pixels, got {texture.shape[1]} x "
                         f"{texture.shape[0]}")
    ratios = []
    for along in (0, 1) if axis is None else (axis,):
        across_two = np.roll(texture, -1, axis=along) - np.roll(texture, 1, axis=along)
        other_axes = tuple(a for a in range(3) if a != along)
        energy = (across_two ** 2).mean(axis=other_axes)
        border, interior = max(energy[0], energy[-1]), energy[1:-1]
        before = np.concatenate([[-np.inf], interior[:-1]])
        after = np.concatenate([interior[1:], [-np.inf]])
        lines = np.sort(interior[(interior >= before) & (interior > after)])[::-1]
        lines = lines[lines >= lines[0] * _FAINT_LINE]  # a flat background draws no lines
        reference = lines[1] if len(lines) > 1 else lines[0]
        ratios.append(border / max(reference, _TINY))
    return float(max(ratios))


def _max_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Largest normalised cross-correlation of a and b over all circular shifts, in [0, 1]."""
    a, b = a - a.mean(axis=(0, 1)), b - b.mean(axis=(0, 1))
    norm = np.sqrt(np.sum(a ** 2) * np.sum(b ** 2))
    if norm <= _TINY:
        return 1.0 if np.sum(a ** 2) <= _TINY and np.sum(b ** 2) <= _TINY else 0.0
    spectrum = np.sum(np.fft.rfft2(a, axes=(0, 1)) * np.conj(np.fft.rfft2(b, axes=(0, 1))),
                      axis=2)
    correlation = np.fft.irfft2(spectrum, s=a.shape[:2])
    return float(np.clip(correlation.max() / norm, 0.0, 1.0))


def diversity(textures: Sequence) -> float:
    """How different several syntheses (e.g. one generator at different seeds) are.

    ``1 - mean over pairs of the largest normalised cross-correlation over all circular
    shifts`` (per-image mean removed, channels pooled). A pair of copies, shifted or not,
    correlates 1 at some shift; two independent samples correlate only by chance. Pixels are
    compared, not statistics: ``patch_swd`` would call two good samples of one texture the
    same, which is what a diversity score must not do. Flat (constant) images correlate 1
    with each other and 0 with anything else.

    Args:
        textures: two or more float arrays (H, W, C) or (H, W), values in [0, 1], all of the
            same shape.

    Returns:
        diversity in [0, 1]: 0 when the textures are (shifted) copies of each other, near 1
        for independent noise; higher is more diverse. Smooth, large-featured textures
        correlate more by chance and so score lower than fine-grained ones.
    """
    images = [_image(t, f"texture {i}") for i, t in enumerate(textures)]
    if len(images) < 2:
        raise ValueError(f"diversity needs at least 2 textures, got {len(images)}")
    for i, image in enumerate(images[1:], 1):
        if image.shape != images[0].shape:
            raise ValueError(f"diversity needs textures of one shape: texture {i} is "
                             f"{image.shape}, texture 0 is {images[0].shape} (H, W, C)")
    return float(1.0 - np.mean([_max_correlation(x, y)
                                for x, y in itertools.combinations(images, 2)]))


def match_channels(synthesis, exemplar) -> tuple[np.ndarray, np.ndarray, str]:
    """The two images with one channel count, so that they can be compared, and how.

    A generator may write a gray exemplar's synthesis as color (texgen writes color outputs
    with three channels), or keep an alpha channel its exemplar lacks. The rules, applied
    only when the counts differ:

    - alpha (the last channel of a 2- or 4-channel image) is dropped when the other image
      has none; when both have one, it is kept and compared as a channel;
    - gray against color: when the color image's channels are equal (within half an 8-bit
      step everywhere) it *is* gray and is compared as gray, exactly; otherwise its Rec. 709
      luma (0.2126 r + 0.7152 g + 0.0722 b) is compared with the gray image, which compares
      structure and tone and leaves hue out (a gray exemplar has none to compare).

    Args:
        synthesis, exemplar: float arrays (H, W, C) or (H, W), 1 to 4 channels.

    Returns:
        (synthesis, exemplar, note): float64 (H, W, C) arrays with the same C, and one line
        saying what was converted ("" when the counts were already equal).
    """
    images = {"synthesis": _image(synthesis, "synthesis"),
              "exemplar": _image(exemplar, "exemplar")}
    for name, image in images.items():
        if not 1 <= image.shape[2] <= 4:
            raise ValueError(f"{name}: expected 1 to 4 channels, got {image.shape[2]}")
    if images["synthesis"].shape[2] == images["exemplar"].shape[2]:
        return images["synthesis"], images["exemplar"], ""
    notes = []
    alphas = {name: image[:, :, -1:] if image.shape[2] in (2, 4) else None
              for name, image in images.items()}
    colors = {name: image[:, :, :-1] if alphas[name] is not None else image
              for name, image in images.items()}
    if (alphas["synthesis"] is None) != (alphas["exemplar"] is None):
        with_alpha = "synthesis" if alphas["synthesis"] is not None else "exemplar"
        notes.append(f"the {with_alpha}'s alpha is ignored (the other image has none)")
        alphas = {name: None for name in alphas}
    if colors["synthesis"].shape[2] != colors["exemplar"].shape[2]:
        color = "synthesis" if colors["synthesis"].shape[2] == 3 else "exemplar"
        gray = "exemplar" if color == "synthesis" else "synthesis"
        rgb = colors[color]
        if np.ptp(rgb, axis=2).max() <= _EQUAL_CHANNELS:
            colors[color] = rgb.mean(axis=2, keepdims=True)
            notes.append(f"the {color}'s color channels are equal: compared as gray")
        else:
            colors[color] = rgb @ _LUMA[:, None]
            notes.append(f"the {color}'s Rec. 709 luma is compared with the gray {gray}")
    matched = [colors[name] if alphas[name] is None else
               np.concatenate([colors[name], alphas[name]], axis=2)
               for name in ("synthesis", "exemplar")]
    return matched[0], matched[1], "; ".join(notes)


def evaluate(synthesis, exemplar=None, *, others: Sequence = ()) -> dict[str, float]:
    """Every metric that applies to ``synthesis``, by name, in a fixed order.

    - always: ``seam_score``, and ``seam_outlier`` for images of at least 4 x 4 pixels;
    - with an ``exemplar``: ``mse`` and ``ssim`` (only when the shapes are equal; ``ssim``
      only when scikit-image is installed), ``spectrum_distance``, ``histogram_distance``
      and ``patch_swd`` (default options; only when both images are large enough, see
      ``patch_swd``), computed on the two images as ``match_channels`` makes them
      comparable;
    - with ``others`` (other syntheses of the same shape, e.g. other seeds): ``diversity``
      of ``[synthesis, *others]``.

    The seam and diversity scores look at the synthesis as given, whatever the exemplar.

    Args:
        synthesis: float array (H, W, C) or (H, W), values in [0, 1].
        exemplar: optional float array; sizes and channel counts may differ
            (``match_channels``).
        others: float arrays of the synthesis's shape.

    Returns:
        ``{"mse", "ssim", "spectrum_distance", "histogram_distance", "patch_swd",
        "seam_score", "seam_outlier", "diversity"}`` -> float, the keys that apply, in this
        order.
    """
    synthesis = _image(synthesis, "synthesis")
    results: dict[str, float] = {}
    if exemplar is not None:
        compared, exemplar, _ = match_channels(synthesis, exemplar)
        if compared.shape == exemplar.shape:
            results["mse"] = mse(compared, exemplar)
            if ssim_available() and min(compared.shape[:2]) >= 7:
                results["ssim"] = ssim(compared, exemplar)
        results["spectrum_distance"] = spectrum_distance(compared, exemplar)
        results["histogram_distance"] = histogram_distance(compared, exemplar)
        if min(*compared.shape[:2], *exemplar.shape[:2]) >= _patch_swd_min_side():
            results["patch_swd"] = patch_swd(compared, exemplar)
    results["seam_score"] = seam_score(synthesis)
    if min(synthesis.shape[:2]) >= 4:
        results["seam_outlier"] = seam_outlier(synthesis)
    if len(others):
        results["diversity"] = diversity([synthesis, *others])
    return results


def ssim_available() -> bool:
    """Whether scikit-image, which ``ssim`` needs, can be imported."""
    return importlib.util.find_spec("skimage") is not None
