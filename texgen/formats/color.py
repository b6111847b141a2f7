"""sRGB transfer functions: what a color map's stored values mean, and how to average them.

texgen's color values are the values a file stores: a hex color "#8c4130" is 0x8c / 255 in
the texture and in the PNG. For color maps (basecolor, emissive) these are sRGB-encoded, as
in every 8-bit color texture a game engine reads; data maps (roughness, normal, ...) are
linear. Filtering (mip maps) must average light, not encoded values: decode, average,
encode. The curves are IEC 61966-2-1's piecewise ones (not a 2.2 power), as GPUs decode.
"""

from __future__ import annotations

import numpy as np

from texgen.errors import InputError

COLOR_SPACES = ("srgb", "linear")


def srgb_to_linear(values: np.ndarray) -> np.ndarray:
    """sRGB-encoded values (float, nominally [0, 1]) to linear light, float32, same shape.

    Values below 0 are clipped to 0 (no light is negative); values above 1 follow the curve.
    """
    values = np.maximum(np.asarray(values, np.float32), np.float32(0))
    curve = np.power((values + np.float32(0.055)) / np.float32(1.055), np.float32(2.4))
    return np.where(values <= np.float32(0.04045), values / np.float32(12.92),
                    curve).astype(np.float32)


def linear_to_srgb(values: np.ndarray) -> np.ndarray:
    """Linear light (float, >= 0) to sRGB-encoded values, float32, same shape; the inverse
    of ``srgb_to_linear`` (within float32 rounding)."""
    values = np.maximum(np.asarray(values, np.float32), np.float32(0))
    curve = np.float32(1.055) * np.power(values, np.float32(1 / 2.4)) - np.float32(0.055)
    return np.where(values <= np.float32(0.0031308), values * np.float32(12.92),
                    curve).astype(np.float32)


def check_color_space(color_space: str) -> None:
    """Raise ``InputError`` unless ``color_space`` is one of ``COLOR_SPACES``."""
    if color_space not in COLOR_SPACES:
        raise InputError(f"color space {color_space!r}: expected one of "
                         f"{', '.join(COLOR_SPACES)}")
