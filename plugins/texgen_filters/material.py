"""Material nodes: maps derived from a height field (normal map, ambient occlusion,
curvature), height blending, make-tileable, channel packing and image input.

Textures are float32 (H, W, C) arrays, C in {1, 3, 4}. Lengths are fractions of the
texture width and relief depths ("strength") are percent of the width per unit of height,
as in normal_map, so results do not depend on the resolution.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgen.errors import InputError
from texgen.io import read_image
from texgen.nodes import NodeContext, ParamValueError, param_error
from texgen.quilting import PatchSearch, cut_mask, min_error_cut
from texgen.resample import area_resize

from ._texture import as_texture
from .blend import blend
from .spatial import gaussian_blur, gaussian_blurs, slopes
from .warp import sample_bilinear

#: Radii (as divisions of ``radius``) at which ambient_occlusion measures the horizon.
AO_SCALES = (1, 2, 4, 8)
#: Rec. 709 luma weights, applied to the values as stored (no transfer function).
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)
#: Channel packings: (input name, value when unconnected, stored as 1 - value) per channel.
PACKINGS = {
    "orm": (("ao", 1.0, False), ("roughness", 0.5, False), ("metallic", 0.0, False)),
    "unity_mask": (("metallic", 0.0, False), ("ao", 1.0, False), ("detail", 1.0, False),
                   ("roughness", 0.5, True)),
    "custom": (("red", 0.0, False), ("green", 0.0, False), ("blue", 0.0, False),
               ("alpha", 1.0, False)),
}


def normal_map(ctx: NodeContext, *, height: np.ndarray, strength: float,
               convention: str) -> np.ndarray:
    """A tangent-space normal map from a height field, encoded to [0, 1].

    Slopes are measured per texture width, so the same height field rendered at any
    resolution gives the same normals (up to sampling). With ``W`` the width in pixels
    and ``h[r, c]`` the height at row ``r`` (rows grow downwards), column ``c``::

        du = (h[r, c+1] - h[r, c-1]) / 2 * W      # dh/du, u to the right
        dv = (h[r+1, c] - h[r-1, c]) / 2 * W      # dh/dv, v downwards (pixels are square)
        k  = strength / 100
        n  = normalize(-k du, +k dv, 1)           # opengl: green is Y up
        n  = normalize(-k du, -k dv, 1)           # directx: green is Y down
        out = 0.5 + 0.5 n

    ``strength`` is the relief depth: a height change of 1.0 rises ``strength`` percent
    of the texture width. When ``ctx.tileable``, neighbours wrap around the edges, so
    the map tiles like its input; otherwise the border uses one-sided differences
    (the height is extended linearly past the edge).

    Args:
        ctx: the node context; ``ctx.tileable`` picks wrap-around or one-sided edges.
        height: (H, W, 1) float32 height field (any range).
        strength: relief depth in percent of the texture width per unit of height, >= 0.
        convention: "opengl" (Y+, green up) or "directx" (Y-, green down).

    Returns:
        (H, W, 3) float32 normal map in [0, 1]; a flat height gives (0.5, 0.5, 1).
    """
    du, ny = slopes(height[..., 0], wrap=ctx.tileable, scale=strength / 100.0)
    nx = np.negative(du, out=du)  # in place, here and below: few full-size temporaries
    if convention == "directx":
        np.negative(ny, out=ny)
    half_inverse_length = nx * nx
    half_inverse_length += ny * ny
    half_inverse_length += 1.0
    np.sqrt(half_inverse_length, out=half_inverse_length)
    np.divide(0.5, half_inverse_length, out=half_inverse_length)
    out = np.empty((*nx.shape, 3), np.float32)
    out[..., 0] = 0.5 + nx * half_inverse_length
    out[..., 1] = 0.5 + ny * half_inverse_length
    out[..., 2] = 0.5 + half_inverse_length
    return out


def ambient_occlusion(ctx: NodeContext, *, height: np.ndarray, radius: float,
                      strength: float) -> np.ndarray:
    """Ambient occlusion from a height field, by multi-radius horizon estimates.

    At each radius ``r`` in ``radius / (1, 2, 4, 8)`` the surroundings' mean height is a
    Gaussian blur of standard deviation ``r``; how far it rises above the pixel, over
    ``r``, is the tangent of the horizon's elevation::

        t_r = max(blur_r(h) - h, 0) * k / r       # k = strength / 100
        ao  = mean_r 1 / (1 + t_r^2)               # = cos^2 of the horizon angle

    ``cos^2`` is the cosine-weighted share of the sky left visible by a horizon at that
    elevation all around. Pits and creases darken, flats and peaks stay 1. Radii are in
    texture widths and depths in widths, so the result does not depend on the resolution.

    Args:
        ctx: node context; ``ctx.tileable`` wraps the blurs, else the edges mirror.
        height: (H, W, 1) float32 height field, any range.
        radius: largest radius, fractions of the width, 0.001..0.5.
        strength: relief depth, percent of the width per unit of height, 0..100.

    Returns:
        (H, W, 1) float32 in (0, 1], 1 unoccluded.
    """
    visible = np.zeros_like(height, dtype=np.float32)
    radii = [radius / division for division in AO_SCALES]
    # the height is transformed once for the four blurs (when they wrap); each radius works
    # in place on its blur: one temporary per radius, not six
    blurs = gaussian_blurs(height, [r * ctx.width for r in radii], wrap=ctx.tileable)
    for r, term in zip(radii, blurs):
        term -= height
        np.maximum(term, 0, out=term)  # the rise
        term *= np.float32(strength / 100.0 / r)  # the tangent
        np.multiply(term, term, out=term)
        term += 1.0
        np.divide(1.0, term, out=term)
        visible += term
    visible /= np.float32(len(AO_SCALES))
    return visible


def curvature(ctx: NodeContext, *, height: np.ndarray, radius: float,
              strength: float) -> dict[str, np.ndarray]:
    """Curvature of a height field at a scale: convex bright, concave dark.

    A Gaussian blur of standard deviation ``r = radius`` widths approximates
    ``blur(h) - h = r^2 / 2 * laplacian(h)``, so::

        c = 2 k (h - blur_r(h)) / r               # k = strength / 100
          = -k laplacian(h) * r                   # the relief's curvature, times r

    is dimensionless and resolution independent. ``out`` is ``clip(0.5 + 0.5 c, 0, 1)``;
    ``convex`` is ``clip(c, 0, 1)`` and ``concave`` is ``clip(-c, 0, 1)``, masks of ridges
    and of creases (edge wear and dirt).

    Args:
        ctx: node context; ``ctx.tileable`` wraps the blur, else the edges mirror.
        height: (H, W, 1) float32 height field, any range.
        radius: scale of the features measured, fractions of the width, 0.001..0.25.
        strength: relief depth, percent of the width per unit of height, 0..100.

    Returns:
        ``{"out", "convex", "concave"}``, each (H, W, 1) float32 in [0, 1].
    """
    blurred = gaussian_blur(height, radius * ctx.width, wrap=ctx.tileable)
    c = (height - blurred) * np.float32(2.0 * strength / 100.0 / radius)
    return {"out": as_texture(np.clip(0.5 + 0.5 * c, 0.0, 1.0)),
            "convex": as_texture(np.clip(c, 0.0, 1.0)),
            "concave": as_texture(np.clip(-c, 0.0, 1.0))}


def height_blend(ctx: NodeContext, *, color_a: np.ndarray, height_a: np.ndarray,
                 color_b: np.ndarray, height_b: np.ndarray, offset: float,
                 contrast: float) -> dict[str, np.ndarray]:
    """Blend two materials by height: the higher surface shows, with a soft transition.

    ::

        d      = (height_b + offset) - height_a
        w      = smoothstep(clip(0.5 + d / t, 0, 1))    # t = max(1 - contrast, 1e-6)
        color  = lerp(color_a, color_b, w)
        height = lerp(height_a, height_b + offset, w)

    so material b covers a where it stands higher, over a band of height difference ``t``
    (contrast 1: a hard edge and ``height = max``). ``mask`` is ``w``, to blend the other
    maps of the two materials (roughness, normals) with filters.blend.

    Args:
        ctx: node context (``node_id`` for errors).
        color_a, color_b: (H, W, C) float32; a gray one is promoted to the other's
            channel count, color and rgba do not mix; alpha blends like the colors.
        height_a, height_b: (H, W, 1) float32 heights, any range.
        offset: added to height_b (raises or sinks material b), -1..1.
        contrast: sharpness of the transition, 0..1.

    Returns:
        ``{"color": (H, W, C), "height": (H, W, 1), "mask": (H, W, 1) in [0, 1]}`` float32.

    Raises:
        ValueError: naming the node, when one color is color and the other rgba.
    """
    raised = height_b + np.float32(offset)
    t = np.clip(0.5 + (raised - height_a) / np.float32(max(1.0 - contrast, 1e-6)), 0.0, 1.0)
    weight = as_texture(t * t * (3.0 - 2.0 * t))
    try:
        color = blend(ctx, foreground=color_b, background=color_a, mask=weight, mode="normal",
                      opacity=1.0, alpha="channel")
    except ParamValueError as exc:
        raise param_error(ctx.node_id, "color_b", f"against color_a: {exc.problem}") from None
    return {"color": color, "height": as_texture(height_a + weight * (raised - height_a)),
            "mask": weight}


def make_tileable(ctx: NodeContext, *, input: np.ndarray, width: float,
                  preserve_contrast: bool, method: str = "crossfade") -> np.ndarray:
    """Make a texture that does not tile (a photo, a scan) tile.

    ``method`` "crossfade" (the default) blends; "quilt" re-synthesizes the edges from the
    texture's own patches (``quilt_tileable``), which keeps structures (bricks, tiles,
    planks) sharp where a blend would ghost them.

    Crossfade: two passes, first across u, then across v: the texture is cross-faded with a copy
    rolled by half its size along that axis, under a weight ``w`` that is 1 at the edges and
    falls to 0 (smoothstep) ``width`` of the way to the middle. At the edges the rolled
    copy shows the texture's middle, which continues across the wrap; the rolled copy's
    own seam, in the middle, gets weight 0. The result keeps the input in the middle
    ``1 - 2 width`` of each axis. Cross-fading two unrelated images lowers their contrast
    (two halves average out); ``preserve_contrast`` divides the blend's difference from
    the mean by ``sqrt((1 - w)^2 + w^2)``, which keeps the variance (Heitz and Neyret's
    histogram-preserving blending), then clamps to the input's range.

    Args:
        ctx: node context (``node_id`` for errors; the result always tiles).
        input: (H, W, C) float32; alpha is blended (or copied) like the colors.
        width: width of each cross-fade band, fraction of the texture's width (for the
            left and right edges) or height (top and bottom), 0.01..0.5; for "quilt", the
            width of the band re-synthesized around each seam and the patches' size.
        preserve_contrast: keep the variance in the bands (see above); crossfade only.
        method: "crossfade" or "quilt".

    Returns:
        (H, W, C) float32 that tiles.

    Raises:
        ValueError: naming the node and ``width`` when the texture is too small to quilt
            at this width.
    """
    if method == "quilt":
        try:
            return quilt_tileable(input, width=width)
        except ValueError as exc:
            raise param_error(ctx.node_id, "width", str(exc)) from None
    out = np.asarray(input, np.float32)
    mean = out.mean(axis=(0, 1), dtype=np.float64).astype(np.float32)
    for axis in (1, 0):
        size = out.shape[axis]
        position = (np.arange(size) + 0.5) / size
        t = np.clip(np.minimum(position, 1.0 - position) / width, 0.0, 1.0)
        w = (1.0 - t * t * (3.0 - 2.0 * t)).astype(np.float32)
        w = w[:, None, None] if axis == 0 else w[None, :, None]
        rolled = np.roll(out, size // 2, axis=axis)
        mixed = out + w * (rolled - out)
        if preserve_contrast:
            mixed = mean + (mixed - mean) / np.sqrt((1.0 - w) ** 2 + w * w)
        out = mixed
    if preserve_contrast:
        out = np.clip(out, input.min(axis=(0, 1)), input.max(axis=(0, 1)))
    return as_texture(out)


def quilt_tileable(image: np.ndarray, *, width: float) -> np.ndarray:
    """``image`` made to tile by re-synthesizing its edges from its own patches.

    The image is rolled by half its size, so that its wrap-around seams form a cross
    through the middle and its old middle continues across the new edges. A band of
    ``width`` times the size is then re-filled over each arm of the cross, first the
    vertical one, then the horizontal one (over the first): patches of about the band's
    width, taken from the image itself (windows lying inside it, so never across its own
    seams), one after another around the torus. Each is the window that best matches
    (least squared difference) what it overlaps: the image on both sides of the band, the
    previous patch, and for the last one the first. Each is joined along minimum-error cuts
    through its overlaps (``texgen.quilting``), so structures continue across the joins.
    Finally the image is rolled back: the result keeps the input's pixels everywhere but
    in bands along its edges (at most ``width / 2`` of the size plus a quarter of the band
    from each edge), and tiles. Deterministic: the best match is taken, without randomness.

    Args:
        image: (H, W, C) float, any channel count (alpha is copied with the colors).
        width: band width as a fraction of the width (vertical band) and of the height
            (horizontal band), 0.01..0.5.

    Returns:
        float32 (H, W, C) that tiles.

    Raises:
        ValueError: when the image is too small to quilt at this width (a band under 2
            pixels, or patches that do not fit in the image).
    """
    image = np.asarray(image, np.float32)
    height, width_px = image.shape[:2]
    search = PatchSearch(image)
    canvas = np.roll(image, (height // 2, width_px // 2), axis=(0, 1)).astype(np.float64)
    canvas = _fill_band(canvas, search, band=round(width * width_px))
    # The horizontal arm: the same fill on the transposed canvas, against the transposed
    # image (whose windows are the image's windows, transposed).
    transposed = PatchSearch(np.ascontiguousarray(image.transpose(1, 0, 2)))
    canvas = _fill_band(canvas.transpose(1, 0, 2), transposed,
                        band=round(width * height)).transpose(1, 0, 2)
    return as_texture(np.roll(canvas, (-(height // 2), -(width_px // 2)), axis=(0, 1)))


def _fill_band(canvas: np.ndarray, search: PatchSearch, *, band: int) -> np.ndarray:
    """``canvas`` (H, W, C) float64 with the columns ``band`` wide around W // 2 re-filled
    top to bottom, around the torus, with patches from ``search``'s source, each joined
    by minimum-error cuts to the canvas left and right of the band and to the patch above
    (the last one also to the first). Returns a new array."""
    height, width, _ = canvas.shape
    overlap = max(1, band // 4)
    window_width = band + 2 * overlap
    count = max(2, round(height / max(band, 1)))
    starts = [k * height // count for k in range(count + 1)]
    tallest = max(b - a for a, b in zip(starts, starts[1:])) + 2 * overlap
    if band < 2 or window_width > width or tallest > height:
        raise ValueError(f"too small to quilt a band of {band} pixels: its patches "
                         f"({window_width}x{tallest} with their overlaps) do not fit in the "
                         f"{width}x{height} texture; use a larger width or texture, or "
                         f"method 'crossfade'")
    canvas = canvas.copy()
    columns = np.arange(width // 2 - band // 2 - overlap, width // 2 - band // 2 - overlap
                        + window_width)
    for k in range(count):
        first, last = k == 0, k == count - 1
        top = starts[k] - (0 if first else overlap)
        bottom = starts[k + 1] + (overlap if last else 0)
        rows = np.arange(top, bottom) % height
        template = canvas[rows[:, None], columns]
        known = np.zeros(template.shape[:2])
        known[:, :overlap] = known[:, -overlap:] = 1.0
        if not first:
            known[:overlap] = 1.0
        if last:
            known[-overlap:] = 1.0
        row, col = search.best(template, known)
        patch = search.source[row:row + len(rows), col:col + window_width]
        error = ((patch - template) ** 2).sum(axis=2)
        take = np.ones(error.shape, bool)
        take[:, :overlap] &= cut_mask(min_error_cut(error[:, :overlap]), overlap)
        take[:, -overlap:] &= cut_mask(min_error_cut(error[:, :-overlap - 1:-1]),
                                       overlap)[:, ::-1]
        if not first:
            take[:overlap] &= cut_mask(min_error_cut(error[:overlap].T), overlap).T
        if last:
            take[-overlap:] &= cut_mask(min_error_cut(error[:-overlap - 1:-1].T),
                                        overlap).T[::-1]
        canvas[rows[:, None], columns] = np.where(take[..., None], patch, template)
    return canvas


def channel_pack(ctx: NodeContext, *, ao: np.ndarray | None, roughness: np.ndarray | None,
                 metallic: np.ndarray | None, detail: np.ndarray | None,
                 red: np.ndarray | None, green: np.ndarray | None, blue: np.ndarray | None,
                 alpha: np.ndarray | None, preset: str) -> np.ndarray:
    """Pack gray maps into the channels of one texture, for game engines.

    ===========  ====================================================  ========
    preset       R, G, B, A                                            channels
    ===========  ====================================================  ========
    orm          ao, roughness, metallic (Unreal)                      3
    unity_mask   metallic, ao, detail, 1 - roughness (smoothness)      4
    custom       red, green, blue, alpha (alpha only if connected)     3 or 4
    ===========  ====================================================  ========

    Unconnected inputs count as: ao 1, roughness 0.5, metallic 0, detail 1, red / green /
    blue 0, alpha 1. Inputs the preset does not list are ignored. Values are clamped to
    [0, 1], as the packed file will store them.

    Args:
        ctx: node context (``height``, ``width``).
        ao, roughness, metallic, detail, red, green, blue, alpha: optional (H, W, 1)
            float32 maps.
        preset: "orm", "unity_mask" or "custom".

    Returns:
        (H, W, 3) or (H, W, 4) float32 in [0, 1].
    """
    given = {"ao": ao, "roughness": roughness, "metallic": metallic, "detail": detail,
             "red": red, "green": green, "blue": blue, "alpha": alpha}
    layout = PACKINGS[preset]
    if preset == "custom" and alpha is None:
        layout = layout[:3]
    out = np.empty((ctx.height, ctx.width, len(layout)), np.float32)
    for channel, (name, default, inverted) in enumerate(layout):
        value = default if given[name] is None else given[name][..., 0]
        out[..., channel] = 1.0 - value if inverted else value
    return np.clip(out, 0.0, 1.0, out=out)


def image_input(ctx: NodeContext, *, path: Path | str) -> dict[str, np.ndarray]:
    """Load a PNG, JPEG or TIFF file and resize it to the render size.

    The engine resolves a relative ``path`` against the preset file's folder; exactly
    that file is read, nothing else. 8- and 16-bit files map to [0, 1]; float TIFFs keep
    their values. The image is stretched to the render size: averaged over each output
    pixel's footprint (area) along an axis that shrinks, bilinear along one that grows
    (wrapping around the edges when ``ctx.tileable``).

    Args:
        ctx: node context (``node_id``, size, ``tileable``).
        path: the image file.

    Returns:
        ``{"out": as the file has it: gray (H, W, 1), color (H, W, 3) or rgba (H, W, 4),
        gray + alpha becoming rgba; "color": (H, W, 3), gray repeated; "gray": (H, W, 1),
        Rec. 709 luma of the colors; "alpha": (H, W, 1), the file's alpha or 1}``, float32.

    Raises:
        ValueError: naming the node and the parameter, when the path is empty or the file
            is missing, unreadable or not an image of 1 to 4 channels.
    """
    image = _resize(read_texture_file(path, node_id=ctx.node_id, param="path"),
                    ctx.height, ctx.width, wrap=ctx.tileable)
    channels = image.shape[2]
    color = image[..., :3] if channels >= 3 else np.repeat(image, 3, axis=2)
    alpha = image[..., 3:] if channels == 4 else np.ones_like(image[..., :1])
    gray = image if channels == 1 else (color @ LUMA)[..., None]
    return {"out": as_texture(image), "color": as_texture(color), "gray": as_texture(gray),
            "alpha": as_texture(alpha)}


def read_texture_file(path: Path | None, *, node_id: str, param: str) -> np.ndarray:
    """The image file at ``path`` as a texture at its own size: float32 (h, w, C), C in
    {1, 3, 4}, as the file has it (gray with alpha becomes rgba, gray repeated).

    Raises ``ValueError`` naming the node, the parameter and the file when ``path`` is
    unset, or the file is missing, unreadable or not an image of 1 to 4 channels.
    """
    if path is None:
        raise param_error(node_id, param, "no file given: set it to an image file "
                          "(relative to the preset's folder)")
    try:
        image = read_image(path)
    except InputError as exc:
        raise param_error(node_id, param, str(exc)) from None
    if image.ndim != 3 or not 1 <= image.shape[2] <= 4:
        raise param_error(node_id, param, f"{path}: expected 1 to 4 channels, got shape "
                          f"{image.shape}")
    if image.shape[2] == 2:
        image = np.concatenate([np.repeat(image[..., :1], 3, axis=2), image[..., 1:]], axis=2)
    return as_texture(image)


def _resize(image: np.ndarray, height: int, width: int, *, wrap: bool) -> np.ndarray:
    """``image`` (h, w, C) resized to (height, width, C): area-averaged along an axis that
    shrinks, then bilinear (pixel centres aligned) along one that grows."""
    if image.shape[0] > height or image.shape[1] > width:
        image = area_resize(image, min(width, image.shape[1]), min(height, image.shape[0]))
    if image.shape[:2] == (height, width):
        return image
    x = (np.arange(width) + 0.5) * (image.shape[1] / width) - 0.5
    y = (np.arange(height) + 0.5) * (image.shape[0] / height) - 0.5
    return sample_bilinear(image, x[None, :], y[:, None], wrap=wrap)
