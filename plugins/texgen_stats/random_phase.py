"""``stats.random_phase``: random-phase noise (RPN) from an exemplar.

Galerne, Gousseau & Morel, "Random phase textures: theory and synthesis" (IEEE TIP 2011),
with Moisan's periodic + smooth decomposition ("Periodic plus smooth image decomposition",
JMIV 2011): the exemplar's periodic component has its Fourier amplitude without the bright
cross that the jumps at the exemplar's borders would add, and its phase is replaced by a
uniform random phase, the same one for every channel (so colors stay correlated as in the
exemplar). The result lives on the output torus, so it tiles exactly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgen.nodes import NodeContext
from texgen_stats._common import read_exemplar


def periodic_component(image: np.ndarray) -> np.ndarray:
    """Moisan's periodic component p of image u (h, w, C): u = p + s, s smooth.

    s solves the Poisson equation whose right-hand side is the jump across the image's
    wrap-around borders, so p has (nearly) no edge there. p keeps the mean of u.
    Returns float64 (h, w, C).
    """
    u = np.asarray(image, np.float64)
    height, width = u.shape[:2]
    jumps = np.zeros_like(u)
    jumps[0] += u[-1] - u[0]
    jumps[-1] += u[0] - u[-1]
    jumps[:, 0] += u[:, -1] - u[:, 0]
    jumps[:, -1] += u[:, 0] - u[:, -1]
    q = np.arange(height)[:, None]
    r = np.arange(width)[None, :]
    laplacian = 2 * np.cos(2 * np.pi * q / height) + 2 * np.cos(2 * np.pi * r / width) - 4
    laplacian[0, 0] = 1.0  # s has mean 0: its zero frequency is set below
    smooth_hat = np.fft.fft2(jumps, axes=(0, 1)) / laplacian[:, :, None]
    smooth_hat[0, 0] = 0.0
    return u - np.fft.ifft2(smooth_hat, axes=(0, 1)).real


def texton(periodic: np.ndarray, height: int, width: int) -> np.ndarray:
    """The RPN spot for a (height, width) output: float64 (height, width, C), zero mean.

    The exemplar's periodic component (h, w, C), minus its mean, cropped to the output where
    the output is smaller and zero-padded where it is larger, then scaled so that the
    random-phase texture has the exemplar's per-pixel variance. At the exemplar's own size
    this is the periodic component minus its mean, unscaled: the output keeps its exact
    Fourier amplitude.
    """
    crop = periodic[:height, :width]
    crop = crop - crop.mean(axis=(0, 1))
    spot = np.zeros((height, width, periodic.shape[2]))
    spot[:crop.shape[0], :crop.shape[1]] = crop
    # The RPN's per-pixel variance is the spot's energy / (height * width).
    energy = (spot ** 2).sum(axis=(0, 1))
    target = periodic.var(axis=(0, 1)) * height * width
    scale = np.sqrt(np.divide(target, energy, out=np.zeros_like(energy), where=energy > 0))
    return spot * scale


def random_phase_texture(exemplar: np.ndarray, height: int, width: int, *,
                         seed: int) -> np.ndarray:
    """Random-phase texture from exemplar (h, w, C) float in [0, 1]: float64 (height, width, C).

    Unclipped: Gaussian-like values may leave [0, 1] slightly. Exactly periodic with period
    (height, width); the mean is the exemplar's. Deterministic for a given ``seed``.
    """
    periodic = periodic_component(exemplar)
    spot_hat = np.fft.fft2(texton(periodic, height, width), axes=(0, 1))
    # The phase of white noise's transform: uniform and Hermitian, so the result is real.
    noise = np.random.Generator(np.random.PCG64(seed)).standard_normal((height, width))
    noise_hat = np.fft.fft2(noise)
    phase = noise_hat / np.maximum(np.abs(noise_hat), 1e-300)
    phase[0, 0] = 1.0
    out = np.fft.ifft2(spot_hat * phase[:, :, None], axes=(0, 1)).real
    return out + periodic.mean(axis=(0, 1))


def random_phase(ctx: NodeContext, *, exemplar: Path) -> np.ndarray:
    """The ``stats.random_phase`` node.

    Args:
        ctx: node context; ``seed`` picks the random phase. The output is periodic whatever
            ``tileable`` says.
        exemplar: image file (gray, color or rgba; alpha is ignored).

    Returns:
        float32 (H, W, 3) color, clipped to [0, 1], C-contiguous.

    Raises:
        ValueError: naming the node and the parameter when the exemplar is unset or unreadable.
    """
    image = read_exemplar(exemplar, node_id=ctx.node_id, param="exemplar")
    out = random_phase_texture(image, ctx.height, ctx.width, seed=ctx.seed)
    return np.ascontiguousarray(np.clip(out, 0.0, 1.0), np.float32)
