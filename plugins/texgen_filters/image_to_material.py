"""Photo to PBR maps, the classical way: delighting, multi-band height, normal, AO, roughness.

This is the baseline that Materialize- and CrazyBump-style tools use: every map is a
filtered function of the photo's luminance, so it is an estimate, not measured geometry.
Dark is read as deep and bright as high, which holds for mortar joints, cracks and pores
and fails for dark raised features (a dark stone on light sand) and for painted patterns.

Every length is a fraction of the texture width (as in ``spatial``), so the maps do not
depend on the resolution. When ``ctx.tileable`` every filter wraps around the edges, so a
tiling photo gives tiling maps and a rolled photo gives rolled maps; otherwise the edges
mirror and a plane fitted to the log-luminance is removed first (see ``delight``).
"""

from __future__ import annotations

import numpy as np

from texgen.nodes import NodeContext

from ._texture import as_texture
from .material import LUMA, ambient_occlusion, normal_map
from .spatial import gaussian_blur, gaussian_blurs

#: Luminance floor before the logarithm: keeps black pixels finite (1/255, one 8-bit step).
_FLOOR = np.float32(1.0 / 255.0)
#: Below this log-luminance range the photo counts as flat: height 0.5, flat normal.
_FLAT_RANGE = 1e-4


def log_luminance(color: np.ndarray) -> np.ndarray:
    """``log(max(luma, 1/255))`` of a (H, W, 3) color texture, as (H, W, 1) float32.

    Lighting multiplies the albedo, so in log space it adds: a wide blur of this is the
    lighting estimate and what is left is the surface (``delight``).
    """
    return as_texture(np.log(np.maximum(color[..., :3] @ LUMA, _FLOOR))[..., None])


def _plane(field: np.ndarray) -> np.ndarray:
    """The least-squares plane ``b u + c v`` (zero mean) through a (H, W, 1) field."""
    rows, columns = field.shape[:2]
    v = (np.arange(rows, dtype=np.float64) - (rows - 1) / 2.0)[:, None]
    u = (np.arange(columns, dtype=np.float64) - (columns - 1) / 2.0)[None, :]
    values = field[..., 0].astype(np.float64)
    b = (values * u).sum() / max((u * u).sum() * rows, 1e-12)
    c = (values * v).sum() / max((v * v).sum() * columns, 1e-12)
    return (b * u + c * v)[..., None].astype(np.float32)


def lighting(log_lum: np.ndarray, *, radius: float, wrap: bool) -> np.ndarray:
    """Large-scale lighting in log space, zero mean: a (H, W, 1) float32 offset.

    ``blur_r(log_lum) - mean(log_lum)`` with ``r = radius`` pixels: a high-pass keeps the
    detail and removes anything wider than about ``r``. Without ``wrap`` a least-squares
    plane is taken out before the blur and added back, because a mirrored edge bends a
    lighting ramp and the blur alone would leave it near the borders; a tiling photo has
    no ramp (a ramp does not tile), so with ``wrap`` nothing is fitted and the result
    rolls with the photo.
    """
    plane = np.zeros_like(log_lum) if wrap else _plane(log_lum - log_lum.mean())
    blurred = gaussian_blur(log_lum - plane, radius, wrap=wrap) + plane
    return as_texture(blurred - np.float32(log_lum.mean()))


def band_height(log_lum: np.ndarray, *, radius: float, bands: int, detail: float,
                width: int, wrap: bool) -> np.ndarray:
    """Height from luminance as a weighted sum of band-passes, normalised to [0, 1].

    With scales ``r_k = radius / 2^k`` (widths), k = 0..bands-1, and ``r_bands = 0``::

        band_k = blur_{r_{k+1}}(l) - blur_{r_k}(l)     # features about r_k wide
        h      = sum_k detail^k band_k                 # k = 0 the coarsest band

    so ``detail`` 1 is a plain high-pass at ``radius`` and smaller values favour the broad
    shapes over the fine grain. ``h`` is rescaled from its min..max to [0, 1] in float32
    (no 8-bit steps); a flat photo gives 0.5 everywhere.

    Args:
        log_lum: (H, W, 1) float32 log-luminance (``log_luminance``, delit).
        radius: coarsest scale in fractions of the width, > 0.
        bands: number of octaves, >= 1.
        detail: weight ratio between consecutive finer bands, 0..1.
        width: texture width in pixels (lengths become pixels).
        wrap: wrap around the edges (tiling) or mirror them.

    Returns:
        (H, W, 1) float32 in [0, 1].
    """
    blurs = list(gaussian_blurs(log_lum, [radius / 2 ** k * width for k in range(bands)],
                                wrap=wrap))
    blurs.append(np.asarray(log_lum, np.float32))
    height = np.zeros_like(blurs[0])
    for k in range(bands):
        height += np.float32(detail ** k) * (blurs[k + 1] - blurs[k])
    low, high = float(height.min()), float(height.max())
    if high - low < _FLAT_RANGE:
        return np.full_like(height, 0.5)
    return as_texture((height - np.float32(low)) / np.float32(high - low))


def roughness_estimate(log_lum: np.ndarray, *, radius: float, mean: float, variation: float,
                       wrap: bool) -> np.ndarray:
    """A heuristic roughness: rougher where the fine-scale contrast is higher.

    Local contrast ``c = sqrt(blur_r((l - blur_r(l))^2))`` (``radius`` in pixels) is
    compared with its mean ``m`` over the texture::

        t = (c - m) / (c + m)                 # in (-1, 1); 0 at average contrast
        roughness = clip(mean + variation * t, 0, 1)

    The premise (pitted, grainy surfaces scatter light, smooth ones are evenly shaded) is
    a rule of thumb, not a measurement: one photo does not show the specular lobe. A flat
    photo gives ``mean`` everywhere.

    Returns:
        (H, W, 1) float32 in [0, 1].
    """
    detail = log_lum - gaussian_blur(log_lum, radius, wrap=wrap)
    contrast = np.sqrt(np.maximum(gaussian_blur(detail * detail, radius, wrap=wrap), 0.0))
    average = np.float32(contrast.mean())
    t = (contrast - average) / (contrast + average + np.float32(1e-6))
    return as_texture(np.clip(mean + variation * t, 0.0, 1.0))


def image_to_material(ctx: NodeContext, *, input: np.ndarray, delight: float,
                      delight_radius: float, height_radius: float, height_bands: int,
                      detail: float, invert: bool, strength: float, convention: str,
                      ao_radius: float, ao_strength: float, roughness: float,
                      roughness_variation: float, roughness_radius: float) -> dict[str, np.ndarray]:
    """PBR maps from one color photo: basecolor, height, normal, AO and roughness.

    1. Delighting: ``L = log_luminance(input)``; the lighting ``g = lighting(L)`` (a blur
       of ``delight_radius`` widths, zero mean) is divided out,
       ``basecolor = clip(input * exp(-delight * g), 0, 1)``: large-scale shading and
       gradients go, the mean brightness and the colors stay.
    2. Height: ``band_height`` of the delit ``L - delight * g`` (``height_bands`` octaves
       below ``height_radius``, weights ``detail^k``; negated when ``invert``), float32
       in [0, 1].
    3. Normal: ``filters.normal_map`` of the height (``strength``, ``convention``).
    4. AO: ``filters.ambient_occlusion`` of the height (``ao_radius``, ``ao_strength``).
    5. Roughness: ``roughness_estimate`` of the delit ``L`` (a heuristic).

    Args:
        ctx: node context; ``ctx.tileable`` wraps every filter, else the edges mirror.
        input: (H, W, 3) float32 photo in [0, 1] (values as stored, no transfer function).
        delight: share of the lighting removed, 0..1.
        delight_radius: lighting scale in fractions of the width, > 0.
        height_radius, height_bands, detail: see ``band_height``.
        invert: read bright as deep (light grout) instead of high.
        strength, convention: see ``filters.normal_map``.
        ao_radius, ao_strength: see ``filters.ambient_occlusion``.
        roughness, roughness_variation: mean and spread, see ``roughness_estimate``.
        roughness_radius: scale of the contrast measured, fractions of the width.

    Returns:
        ``{"basecolor": (H, W, 3), "height": (H, W, 1) in [0, 1], "normal": (H, W, 3)
        encoded 0.5 + 0.5 n, "ao": (H, W, 1) in (0, 1], "roughness": (H, W, 1) in [0, 1]}``,
        float32.
    """
    wrap = ctx.tileable
    color = np.asarray(input, np.float32)[..., :3]
    log_lum = log_luminance(color)
    shading = lighting(log_lum, radius=delight_radius * ctx.width, wrap=wrap)
    shading *= np.float32(delight)
    basecolor = np.clip(color * np.exp(-shading), 0.0, 1.0)
    delit = log_lum - shading
    height = band_height(-delit if invert else delit, radius=height_radius,
                         bands=height_bands, detail=detail, width=ctx.width, wrap=wrap)
    return {
        "basecolor": as_texture(basecolor),
        "height": height,
        "normal": normal_map(ctx, height=height, strength=strength, convention=convention),
        "ao": ambient_occlusion(ctx, height=height, radius=ao_radius, strength=ao_strength),
        "roughness": roughness_estimate(delit, radius=roughness_radius * ctx.width,
                                        mean=roughness, variation=roughness_variation,
                                        wrap=wrap),
    }
