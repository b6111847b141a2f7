"""Contact sheets: one labelled row per preset, one thumbnail per output.

``render_sheet`` renders presets into a sheet (``texgen sheet``); ``contact_sheet`` lays out
textures already rendered. A preset that failed shows as one error tile carrying its message.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from texgen.engine import BatchFailure, Engine, PresetSource, raise_failures
from texgen.errors import InputError, TexgenError
from texgen.evaluate import NodeEvent

LABEL_HEIGHT = 18
GAP = 6
BACKGROUND = 0.13
ERROR_TILE = (0.45, 0.08, 0.08)
_CHAR_WIDTH, _LINE_HEIGHT = 6, 11  # Pillow's default bitmap font


def contact_sheet(rows: Sequence[tuple[str, Mapping[str, np.ndarray] | str]], *,
                  thumb: int = 192, columns: int | None = None) -> np.ndarray:
    """A float32 (H, W, 3) sheet: per row, the preset's outputs side by side, labelled.

    ``rows`` holds ``(preset name, {output name: texture})``, or ``(preset name, message)``
    for a preset that failed: one dark red tile with the message. Textures of any size are
    resampled (nearest) to ``thumb`` x ``thumb``; gray is shown as gray, alpha is dropped.
    ``columns`` (default: all on one line) is the most thumbnails per line: a preset with
    more wraps onto further lines, so the sheet stays that wide.
    """
    from PIL import Image, ImageDraw  # Pillow comes with imageio

    if columns is not None and columns < 1:
        raise InputError(f"columns: expected at least 1, got {columns}")
    tiles = [{"failed": item} if isinstance(item, str) else dict(item) for _, item in rows]
    per_line = columns or max(len(t) for t in tiles)
    per_line = min(per_line, max(len(t) for t in tiles))
    cell = thumb + GAP
    line = cell + LABEL_HEIGHT
    lines = [math.ceil(len(t) / per_line) or 1 for t in tiles]
    sheet = np.full((GAP + sum(lines) * line, GAP + per_line * cell, 3), BACKGROUND,
                    np.float32)
    labels, top = [], GAP
    for (preset_name, item), outputs, count in zip(rows, tiles, lines):
        for index, (output_name, texture) in enumerate(outputs.items()):
            left = GAP + index % per_line * cell
            tile_top = top + index // per_line * line + LABEL_HEIGHT
            if isinstance(item, str):
                sheet[tile_top:tile_top + thumb, left:left + thumb] = ERROR_TILE
                wrapped = textwrap.wrap(item, max(8, (thumb - 8) // _CHAR_WIDTH))
                fits = max(1, (thumb - 8) // _LINE_HEIGHT)
                labels.append(((left + 4, tile_top + 4), "\n".join(wrapped[:fits])))
            else:
                sheet[tile_top:tile_top + thumb, left:left + thumb] = \
                    _thumbnail(texture, thumb)
            labels.append(((left, tile_top - LABEL_HEIGHT + 3),
                           f"{preset_name} / {output_name}"))
        top += count * line
    image = Image.fromarray(np.rint(np.clip(sheet, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for position, text in labels:
        draw.multiline_text(position, text, fill=(230, 230, 230), spacing=0)
    return np.asarray(image, np.float32) / np.float32(255)


#: Render size of each preset on a sheet (thumbnails are smaller): ``texgen sheet``'s too.
SHEET_SIZE = 256


def render_sheet(engine: Engine, presets: Iterable[PresetSource], *,
                 size: int | tuple[int, int] | None = SHEET_SIZE, seed: int | None = None,
                 outputs: Iterable[str] | None = None, nodes: Iterable[str] | None = None,
                 keep_going: bool = False, thumb: int = 192, columns: int | None = None,
                 progress: Callable[[NodeEvent], None] | None = None,
                 on_preset: Callable[[PresetSource], None] | None = None,
                 ) -> tuple[np.ndarray, list[BatchFailure]]:
    """Render ``presets`` into one contact sheet; return it and the presets that failed.

    Each preset renders at ``size`` (default ``SHEET_SIZE``; None: the preset's own) and is
    shown as thumbnails of ``thumb`` pixels.

    ``outputs`` and ``nodes`` choose the thumbnails as in ``Engine.render``. Every preset
    is checked first: without ``keep_going`` a bad one raises before anything renders
    (as ``Engine.save_batch``) and a failed render raises; with it, each failed preset is
    a row with an error tile and the rest are rendered. ``on_preset(preset)`` is called
    before each preset renders, ``progress`` per node.
    """
    options: dict[str, Any] = dict(size=size, seed=seed, nodes=None if nodes is None
                                   else list(nodes),
                                   outputs=None if outputs is None else list(outputs))
    checked: list[tuple[PresetSource, str | BatchFailure]] = []
    for preset in presets:
        try:
            checked.append((preset, engine.validate(preset, **options).preset.name))
        except InputError as exc:
            checked.append((preset, BatchFailure(str(preset), exc)))
    failures = [item for _, item in checked if isinstance(item, BatchFailure)]
    if failures and not keep_going:
        raise_failures(failures)
    rows: list[tuple[str, Mapping[str, np.ndarray] | str]] = []
    for preset, item in checked:
        if isinstance(item, str):
            if on_preset:
                on_preset(preset)
            try:
                rows.append((item, engine.render(preset, progress=progress, **options)))
                continue
            except TexgenError as exc:
                if not keep_going:
                    raise
                failures.append(BatchFailure(str(preset), exc))
                item = failures[-1]
        rows.append((str(preset), str(item.error)))
    return contact_sheet(rows, thumb=thumb, columns=columns), failures


def _thumbnail(texture: np.ndarray, size: int) -> np.ndarray:
    height, width = texture.shape[:2]
    rows = (np.arange(size) * height // size)[:, None]
    cols = (np.arange(size) * width // size)[None, :]
    picked = texture[rows, cols, :3]
    return np.repeat(picked, 3, axis=2) if picked.shape[2] == 1 else picked
