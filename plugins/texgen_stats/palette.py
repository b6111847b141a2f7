"""``stats.gmm_palette``: recolor a gray texture with an exemplar's colors.

A Gaussian mixture is fitted to the exemplar's pixel colors. A gray value t picks a
brightness: the t-quantile of the exemplar's Rec. 709 luma under that mixture (0 darkest,
0.5 median, 1 brightest). The color is then drawn from the mixture conditioned on that
luma: the conditional mean blended, by ``variation``, with a sample (component drawn from
its posterior weight, then Gaussian color noise).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from texgen.nodes import NodeContext
from texgen_stats._common import read_exemplar
from texgen_stats.mixture import Mixture, condition, fit_mixture

LUMA = np.array([0.2126, 0.7152, 0.0722])
#: Gray levels the palette is tabulated at: finer than a 12-bit input.
LEVELS = 4096
#: Pixels of the exemplar the color mixture is fitted to (a random subset when larger).
FIT_PIXELS = 20000


def fit_palette(image: np.ndarray, *, components: int) -> Mixture:
    """A color mixture (D = 3) of image (h, w, 3)'s pixels; always seeded 0, so the palette
    depends on the exemplar only and the node's seed changes the draws alone."""
    pixels = image.reshape(-1, 3)
    rng = np.random.Generator(np.random.PCG64(0))
    if len(pixels) > FIT_PIXELS:
        pixels = pixels[rng.choice(len(pixels), FIT_PIXELS, replace=False)]
    components = min(components, len(pixels))
    mixture, _ = fit_mixture(pixels, components=components, iterations=100, reg=1e-5,
                             tol=1e-4, seed=0)
    return mixture


def luma_quantiles(mixture: Mixture, levels: int = LEVELS) -> np.ndarray:
    """float64 (levels,): the luma at quantiles (n + 0.5) / levels of ``mixture``.

    The luma of component k is Gaussian with mean w.mean_k and variance w' cov_k w; the
    mixture's CDF is integrated numerically on a fine grid and inverted by interpolation.
    """
    centres = mixture.means @ LUMA
    spreads = np.sqrt(np.einsum("i,kij,j->k", LUMA, mixture.covariances, LUMA))
    grid = np.linspace((centres - 6 * spreads).min(), (centres + 6 * spreads).max(), 8192)
    density = (mixture.weights / spreads * np.exp(
        -0.5 * ((grid[:, None] - centres) / spreads) ** 2)).sum(axis=1)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]))])
    return np.interp((np.arange(levels) + 0.5) / levels, cdf / cdf[-1], grid)


def recolor(gray: np.ndarray, mixture: Mixture, *, variation: float,
            rng: np.random.Generator) -> np.ndarray:
    """Colors for gray (H, W, 1) values in [0, 1] from a color ``mixture``: float32 (H, W, 3).

    ``variation`` in [0, 1] blends the conditional mean (0) with a full sample (1).
    """
    # The joint mixture of (r, g, b, luma): luma is a linear function of the color, so its
    # covariance is singular; a tiny jitter keeps the Cholesky factors defined.
    transform = np.vstack([np.eye(3), LUMA])
    joint = Mixture(mixture.weights, mixture.means @ transform.T,
                    transform @ mixture.covariances @ transform.T + 1e-9 * np.eye(4))
    given_luma = condition(joint, np.array([3]), np.array([0, 1, 2]))
    log_weights, means = given_luma.posterior(luma_quantiles(mixture)[:, None])
    weights = np.exp(log_weights)  # (LEVELS, K)
    expected = np.einsum("lk,lkc->lc", weights, means)
    level = np.rint(np.clip(gray[..., 0], 0.0, 1.0) * (LEVELS - 1)).astype(np.intp)
    out = expected[level]
    if variation > 0:
        uniforms = rng.random(level.shape)
        normals = rng.standard_normal((*level.shape, 3))
        cumulative = np.cumsum(weights, axis=1)[level]
        chosen = np.minimum((uniforms[..., None] >= cumulative).sum(axis=-1),
                            weights.shape[1] - 1)
        sample = means[level, chosen] + np.einsum("...ij,...j->...i",
                                                  given_luma.chols[chosen], normals)
        out = out + variation * (sample - out)
    return np.ascontiguousarray(np.clip(out, 0.0, 1.0), np.float32)


def gmm_palette(ctx: NodeContext, *, input: np.ndarray, exemplar: Path,  # noqa: A002
                components: int = 6, variation: float = 0.25) -> np.ndarray:
    """The ``stats.gmm_palette`` node.

    Args:
        ctx: node context; ``seed`` drives the color draws.
        input: gray (H, W, 1) float32; values are brightness quantiles, clipped to [0, 1].
        exemplar: image whose colors are used (gray, color or rgba; alpha is ignored).
        components: Gaussians in the color mixture. Default 6.
        variation: 0 gives the mean color for each gray level (smooth), 1 a full random
            draw per pixel. Default 0.25.

    Returns:
        float32 (H, W, 3) color in [0, 1], C-contiguous. Pixel by pixel, so it tiles when
        the input does.
    """
    image = read_exemplar(exemplar, node_id=ctx.node_id, param="exemplar")
    mixture = fit_palette(image, components=components)
    return recolor(input, mixture, variation=variation, rng=ctx.rng())
