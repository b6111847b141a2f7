"""How well a CycleGAN translates: distance to the target state, structure kept, cycle.

``translation_report`` pairs the i-th image of one set with the i-th of the other. When the
sets are renders of one preset in two states at the same seeds (``data.load_set``), the
pair is a ground truth: the B render is what the A render should become.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from texgen import metrics
from texgen_neural.cyclegan.model import CycleGAN, translate_array


def edge_magnitude(image: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude (H, W) of the luminance (channel mean) of (H, W, C),
    wrapping around the edges."""
    lum = np.asarray(image, np.float64).mean(axis=-1)

    def shift(dy, dx):
        return np.roll(lum, (dy, dx), axis=(0, 1))

    gx = (shift(-1, -1) + 2 * shift(0, -1) + shift(1, -1)
          - shift(-1, 1) - 2 * shift(0, 1) - shift(1, 1))
    gy = (shift(-1, -1) + 2 * shift(-1, 0) + shift(-1, 1)
          - shift(1, -1) - 2 * shift(1, 0) - shift(1, 1))
    return np.hypot(gx, gy)


def edge_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two same-sized images' ``edge_magnitude``: 1 when their
    luminance edges lie in the same places with proportional strengths, about 0 when
    unrelated."""
    x, y = edge_magnitude(a).ravel(), edge_magnitude(b).ravel()
    x, y = x - x.mean(), y - y.mean()
    return float((x @ y) / max(np.sqrt((x @ x) * (y @ y)), 1e-12))


def direction_report(model: CycleGAN, sources: Sequence[np.ndarray],
                     targets: Sequence[np.ndarray], *, direction: str) -> dict[str, float]:
    """Means over the pairs (source, target) of images (H, W, 3) in [0, 1]:

    - ``patch_swd``: of the translation to the target; ``input_patch_swd``: of the source
      to the target (the translation should be much closer);
    - ``edge_correlation``: of the translation's edges with the source's;
    - ``cycle_l1`` and ``cycle_patch_swd``: of the round trip to the source.
    """
    back = "b_to_a" if direction == "a_to_b" else "a_to_b"
    rows = []
    for source, target in zip(sources, targets):
        out = translate_array(model, source, direction=direction)
        cycle = translate_array(model, out, direction=back)
        rows.append({"patch_swd": metrics.patch_swd(out, target),
                     "input_patch_swd": metrics.patch_swd(source, target),
                     "edge_correlation": edge_correlation(out, source),
                     "cycle_l1": float(np.abs(cycle - source).mean()),
                     "cycle_patch_swd": metrics.patch_swd(cycle, source)})
    return {key: float(np.mean([row[key] for row in rows])) for key in rows[0]} if rows else {}


def translation_report(model: CycleGAN, a: Sequence[np.ndarray], b: Sequence[np.ndarray], *,
                       pairs: int = 4) -> dict[str, dict[str, float]]:
    """``direction_report`` both ways on the first ``pairs`` images of each set."""
    a, b = list(a)[:pairs], list(b)[:pairs]
    return {"a_to_b": direction_report(model, a, b, direction="a_to_b"),
            "b_to_a": direction_report(model, b, a, direction="b_to_a")}
