"""How close maps are to the rendered ones: normal angular error, height correlation,
roughness error, for the learned model, the classical estimate and trivial references.

Arrays are channels first, as in ``data.Dataset``: normals (3, H, W) unit vectors, heights
and roughness (1, H, W).
"""

from __future__ import annotations

import numpy as np
import torch

from texgen_neural.image2maps.data import Dataset
from texgen_neural.image2maps.model import UNet, refine

#: The flat normal, (3, 1, 1).
FLAT = np.array([0.0, 0.0, 1.0], np.float32)[:, None, None]


def normal_error(normal: np.ndarray, target: np.ndarray) -> float:
    """Mean angle in degrees between two (3, H, W) fields of unit vectors."""
    cosine = np.clip((np.asarray(normal, np.float64) * target).sum(axis=0), -1.0, 1.0)
    return float(np.degrees(np.arccos(cosine)).mean())


def height_correlation(height: np.ndarray, target: np.ndarray) -> float:
    """Pearson correlation of two height fields (1 the same shape at any scale and offset;
    0 for a constant field)."""
    a = np.asarray(height, np.float64).ravel()
    b = np.asarray(target, np.float64).ravel()
    a, b = a - a.mean(), b - b.mean()
    norm = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / norm) if norm > 0 else 0.0


def slope_gain(dataset: Dataset) -> float:
    """The least-squares gain g of the classical normal's slope over ``dataset``: with the
    classical slope s = n_xy / n_z and the rendered one t = m_xy / max(m_z, 0.001) at every
    pixel, g = sum(s . t) / sum(s . s) (1 when the classical slopes are all zero). The
    classical relief depth is one fixed guess; this is the best single correction of it."""
    numerator = denominator = 0.0
    for given, target in zip(dataset.inputs, dataset.targets):
        slope = given[4:6].astype(np.float64) / given[6:7].astype(np.float64)
        wanted = target[:2].astype(np.float64) / np.maximum(target[2:3], 1e-3)
        numerator += float((slope * wanted).sum())
        denominator += float((slope * slope).sum())
    return numerator / denominator if denominator > 0 else 1.0


def with_slope_gain(normal: np.ndarray, gain: float) -> np.ndarray:
    """Unit normals (3, H, W) with their slope scaled by ``gain``: normalize(g n_x, g n_y,
    n_z)."""
    scaled = np.concatenate([normal[:2] * gain, normal[2:3]], axis=0)
    return scaled / np.linalg.norm(scaled, axis=0, keepdims=True)


def predict_dataset(unet: UNet, dataset: Dataset, *, device: torch.device | str = "cpu",
                    batch: int = 8) -> np.ndarray:
    """The model's maps (N, 5, S, S) float32 for every sample of ``dataset``."""
    out = []
    with torch.no_grad():
        for start in range(0, len(dataset), batch):
            inputs = torch.from_numpy(dataset.inputs[start:start + batch]).to(device).float()
            out.append(refine(unet, inputs).cpu().numpy())
    return np.concatenate(out)


def evaluate(unet: UNet, dataset: Dataset, *, device: torch.device | str = "cpu",
             roughness_constant: float | None = None,
             gain: float | None = None) -> dict[str, float]:
    """Means over ``dataset``'s samples of:

    - ``normal_error_{learned,classical,flat}``: degrees to the rendered normal, and
      ``normal_error_gain`` when ``gain`` is given: the classical normal with its slope
      scaled by ``gain`` (``with_slope_gain``; e.g. the training set's ``slope_gain``);
    - ``height_correlation_{learned,classical}``: with the rendered height;
    - ``roughness_error_{learned,classical,constant}``: mean absolute difference to the
      rendered roughness; the constant is ``roughness_constant`` (default: the mean
      rendered roughness of ``dataset`` itself, the best constant in hindsight).
    """
    maps = predict_dataset(unet, dataset, device=device)
    inputs = dataset.inputs.astype(np.float32)
    targets = dataset.targets.astype(np.float32)
    classical_roughness = dataset.classical_roughness.astype(np.float32)
    if roughness_constant is None:
        roughness_constant = float(targets[:, 4].mean())
    rows = []
    for learned, given, target, rough in zip(maps, inputs, targets, classical_roughness):
        rows.append({
            "normal_error_learned": normal_error(learned[:3], target[:3]),
            "normal_error_classical": normal_error(given[4:7], target[:3]),
            "normal_error_flat": normal_error(np.broadcast_to(FLAT, target[:3].shape),
                                              target[:3]),
            "height_correlation_learned": height_correlation(learned[3], target[3]),
            "height_correlation_classical": height_correlation(given[3], target[3]),
            "roughness_error_learned": float(np.abs(learned[4] - target[4]).mean()),
            "roughness_error_classical": float(np.abs(rough[0] - target[4]).mean()),
            "roughness_error_constant": float(np.abs(roughness_constant - target[4]).mean()),
        })
        if gain is not None:
            rows[-1]["normal_error_gain"] = normal_error(with_slope_gain(given[4:7], gain),
                                                         target[:3])
    return {key: round(float(np.mean([row[key] for row in rows])), 4) for key in rows[0]}
