"""Contact sheets: one labelled row per preset, one thumbnail per output."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

LABEL_HEIGHT = 18
GAP = 6
BACKGROUND = 0.13


def contact_sheet(rows: Sequence[tuple[str, Mapping[str, np.ndarray]]], *,
                  thumb: int = 192) -> np.ndarray:
    """A float32 (H, W, 3) sheet: per row, the preset's outputs side by side, labelled.

    ``rows`` holds ``(preset name, {output name: texture})``; textures of any size are
    resampled (nearest) to ``thumb`` x ``thumb``; gray is shown as gray, alpha is dropped.
    """
    from PIL import Image, ImageDraw  # Pillow comes with imageio

    columns = max(len(outputs) for _, outputs in rows)
    cell = thumb + GAP
    width = GAP + columns * cell
    height = GAP + len(rows) * (cell + LABEL_HEIGHT)
    sheet = np.full((height, width, 3), BACKGROUND, np.float32)
    labels = []
    for r, (preset_name, outputs) in enumerate(rows):
        top = GAP + r * (cell + LABEL_HEIGHT)
        for c, (output_name, texture) in enumerate(outputs.items()):
            left = GAP + c * cell
            sheet[top + LABEL_HEIGHT:top + LABEL_HEIGHT + thumb, left:left + thumb] = \
                _thumbnail(texture, thumb)
            labels.append(((left, top + 3), f"{preset_name} / {output_name}"))
    image = Image.fromarray(np.rint(np.clip(sheet, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for position, text in labels:
        draw.text(position, text, fill=(230, 230, 230))
    return np.asarray(image, np.float32) / np.float32(255)


def _thumbnail(texture: np.ndarray, size: int) -> np.ndarray:
    height, width = texture.shape[:2]
    rows = (np.arange(size) * height // size)[:, None]
    cols = (np.arange(size) * width // size)[None, :]
    picked = texture[rows, cols, :3]
    return np.repeat(picked, 3, axis=2) if picked.shape[2] == 1 else picked
