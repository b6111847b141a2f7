"""Running an image2maps model: ``predict_maps`` on an image, and the
``neural.image_to_material`` node.

The model files are the StyleGAN's format (``texgen_neural.checkpoint``: safetensors +
JSON, no pickle) with format "texgen.image2maps". ``SHIPPED`` is the model in the package,
trained by the command in docs/maps.md.
"""

from __future__ import annotations

import contextlib
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch

from texgen.bands import row_bands
from texgen.nodes import NodeContext, param_error
from texgen_neural.checkpoint import CheckpointError, load_model
from texgen_neural.image2maps.config import FORMAT, NetConfig
from texgen_neural.image2maps.data import classical_maps, decode_normal, standardize
from texgen_neural.image2maps.model import UNet, refine, runs_in_bands
from texgen_neural.nodes import cached_generator
from texgen_neural.tiling import ChannelStack

#: The model shipped in the package (plugins/texgen_neural/models/image2maps).
SHIPPED = Path(__file__).resolve().parents[1] / "models" / "image2maps"


def load_unet(path: str | Path, *, device: str | torch.device = "cpu") -> UNet:
    """The image2maps U-Net in a model folder or its generator.safetensors, in eval mode;
    ``CheckpointError`` naming the file for a missing, pickled, corrupt or foreign file."""
    return load_model(path, format=FORMAT, config_from_dict=NetConfig.from_dict, build=UNet,
                      train_hint="texgen train image2maps", device=device)


def network_inputs(photo: np.ndarray, classical: dict[str, np.ndarray]) -> ChannelStack:
    """The network's input (1, 7, H, W) float32: the photo (H, W, 3) in [0, 1], the
    classical height standardised and the classical normal as unit vectors (OpenGL).

    A ``ChannelStack`` of the photo seen channel-first (a view: no copy of it) and one
    (1, 4, H, W) tensor of the height and normal, filled a band of rows at a time
    (``texgen.bands``) so that besides it only a band's temporaries are held, and
    channel-first in memory, as the network reads it (a transposed view would be copied
    whole by the first convolution)."""
    height, width = photo.shape[:2]
    guides = np.empty((4, height, width), np.float32)
    guides[0] = standardize(classical["height"])[..., 0]
    for rows in row_bands(height, width):
        guides[1:, rows] = np.moveaxis(decode_normal(classical["normal"][rows]), -1, 0)
    with warnings.catch_warnings():  # a read-only photo: the network only reads it
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        colors = torch.from_numpy(photo[..., :3]).permute(2, 0, 1)[None]
    return ChannelStack(colors, torch.from_numpy(guides)[None])


def encode_normal(normal: np.ndarray, convention: str) -> np.ndarray:
    """Unit vectors (H, W, 3) in the OpenGL frame → a normal map ``0.5 + 0.5 n`` in
    ``convention`` ("opengl": green up; "directx": green down), float32."""
    n = np.array(normal, np.float32, order="C")  # the one full-size copy: the rest in place
    if convention == "directx":
        n[..., 1] *= -1.0
    n *= np.float32(0.5)
    n += np.float32(0.5)
    return n


def to_unit_range(height: np.ndarray) -> np.ndarray:
    """A height field rescaled from its min..max to [0, 1] (0.5 where it is flat)."""
    low, high = float(height.min()), float(height.max())
    if high - low < 1e-6:
        return np.full_like(height, 0.5, dtype=np.float32)
    return ((height - low) / (high - low)).astype(np.float32)


@contextlib.contextmanager
def set_aside(arrays: dict[str, np.ndarray]) -> Iterator[None]:
    """Move the ``arrays`` (a dict, emptied on entry and refilled on exit with the same
    bytes) out of memory into an anonymous temporary file for the duration of the block:
    ``np.save``/``np.load`` without pickles, the file gone when the block ends."""
    with tempfile.TemporaryFile(prefix="texgen-") as spill:
        names = list(arrays)
        for name in names:
            np.save(spill, arrays.pop(name), allow_pickle=False)
        try:
            yield
        finally:
            spill.seek(0)
            for name in names:
                arrays[name] = np.load(spill, allow_pickle=False)


def predict_maps(photo: np.ndarray, unet: UNet, *, tileable: bool = True,
                 convention: str = "opengl") -> dict[str, np.ndarray]:
    """Maps of a color photo (H, W, 3) float in [0, 1], any size, from ``unet``
    (``load_unet``).

    The classical estimate (``filters.image_to_material`` at its defaults, wrapping when
    ``tileable``) is computed, the network refines its normal and height and predicts a
    roughness. The network pads circularly whatever ``tileable`` says, so a photo that tiles
    gives maps that tile.

    Returns float32 arrays: ``normal`` (H, W, 3) encoded ``0.5 + 0.5 n`` in ``convention``,
    unit length; ``height`` (H, W, 1) in [0, 1]; ``roughness`` (H, W, 1) learned, in (0, 1);
    and the classical ``basecolor``, ``ao`` and ``classical_roughness``.
    """
    photo = np.asarray(photo, np.float32)[..., :3]
    if photo.min() < 0.0 or photo.max() > 1.0:  # else no full-size copy
        photo = np.clip(photo, 0.0, 1.0)
    classical = classical_maps(photo, tileable=tileable)
    device = next(unet.parameters()).device
    inputs = network_inputs(photo, classical).to(device)
    # only the inputs (which read the photo) stay in memory while the network runs: the
    # classical height and normal are in them, and above the size the network runs whole
    # the classical outputs wait in a temporary file (the same bytes come back)
    del photo, classical["height"], classical["normal"]
    banded = runs_in_bands(unet, *inputs.shape[-2:])
    with set_aside(classical) if banded else contextlib.nullcontext(), torch.no_grad():
        maps = refine(unet, inputs)[0].cpu().numpy().transpose(1, 2, 0)  # (H, W, 5)
    del inputs
    return {"normal": encode_normal(maps[..., :3], convention),
            "height": to_unit_range(maps[..., 3:4]),
            "roughness": np.ascontiguousarray(maps[..., 4:5]),
            "basecolor": classical["basecolor"], "ao": classical["ao"],
            "classical_roughness": classical["roughness"]}


def image_to_material(ctx: NodeContext, *, image: np.ndarray, model: Path | None,
                      convention: str, roughness: str) -> dict[str, np.ndarray]:
    """The ``neural.image_to_material`` node: ``predict_maps`` of ``image`` with the model
    at ``model`` (a folder or its generator.safetensors; the spec's default names the
    shipped one, and None, for a direct call, means ``SHIPPED`` too), loaded once per engine
    (``ctx.resources``). ``roughness`` "classical" outputs the classical estimate,
    "learned" the model's. Returns basecolor, height, normal, ao and roughness as
    ``filters.image_to_material`` does."""
    try:
        unet = cached_generator(ctx.resources, model or SHIPPED, "cpu", kind="neural.image2maps",
                                load=load_unet)
    except CheckpointError as exc:
        raise param_error(ctx.node_id, "model", str(exc)) from None
    maps = predict_maps(image, unet, tileable=ctx.tileable, convention=convention)
    return {"basecolor": maps["basecolor"], "height": maps["height"], "normal": maps["normal"],
            "ao": maps["ao"],
            "roughness": maps["roughness" if roughness == "learned" else "classical_roughness"]}
