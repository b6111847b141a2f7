"""Model files: safetensors weights + JSON config, no pickle anywhere.

A model is a folder holding

- ``generator.safetensors``: the (EMA) generator's tensors, float32, with the JSON config
  also stored in the file's metadata under ``"texgen_model"`` so the file alone is enough;
- ``model.json``: the same config, human readable, with the training record (command,
  steps, duration, metrics).

``load_generator`` accepts the folder or the ``.safetensors`` file. It reads only the
safetensors format (an 8-byte header length, a JSON header, raw tensor bytes), so loading a
model named by an untrusted preset cannot execute code; ``torch.load`` is never used. Every
problem raises ``CheckpointError`` naming the file.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from texgen.io import atomic_write
from texgen_neural.config import ModelConfig
from texgen_neural.model import Generator

FORMAT = "texgen.stylegan"
FORMAT_VERSION = 1
WEIGHTS = "generator.safetensors"
CONFIG = "model.json"
_META_KEY = "texgen_model"
#: Magic bytes of formats that unpickle on load: a raw pickle, torch.save's zip archive.
_PICKLE_MAGIC = (b"\x80", b"PK\x03\x04")
#: File suffixes of pickled models, named in the error for a folder holding only those.
_PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")


class CheckpointError(ValueError):
    """A model file that cannot be used; the message names the file."""


def model_record(config, *, format: str = FORMAT, **extra) -> dict:
    """The JSON record of a model: format, version, ``config.to_dict()``, and ``extra``
    (training info)."""
    return {"format": format, "version": FORMAT_VERSION, "config": config.to_dict(), **extra}


def save_model(module: torch.nn.Module, config, folder: str | Path, *, format: str,
               **extra) -> Path:
    """Write ``module``'s tensors to ``folder``/generator.safetensors and its record
    (``format``, ``FORMAT_VERSION``, ``config.to_dict()``) to model.json; return the
    folder. ``extra`` (JSON-serialisable) is added to model.json's record, e.g. training
    metrics. Each file is written to a temporary name and renamed
    (``texgen.io.atomic_write``), so an interrupted save leaves the old file and no
    temporary one. Every model family (StyleGAN, image2maps) saves through this."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    record = model_record(config, format=format, **extra)
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous()
               for k, v in module.state_dict().items()}
    atomic_write(folder / WEIGHTS, lambda p: save_file(
        tensors, str(p), metadata={_META_KEY: json.dumps(model_record(config, format=format))}))
    atomic_write(folder / CONFIG, lambda p: p.write_text(json.dumps(record, indent=2) + "\n"))
    return folder


def save_generator(generator: Generator, folder: str | Path, **extra) -> Path:
    """Write a StyleGAN ``generator`` to ``folder`` (``save_model``); return the folder."""
    return save_model(generator, generator.config, folder, format=FORMAT, **extra)


def weights_file(path: Path) -> Path:
    """The weights file of a model folder (its ``generator.safetensors``) or ``path`` itself;
    ``CheckpointError`` naming it when missing, or naming the pickle files of a folder that
    holds only those."""
    if path.is_dir():
        pickled = sorted(p.name for p in path.iterdir() if p.suffix in _PICKLE_SUFFIXES)
        path = path / WEIGHTS
        if pickled and not path.is_file():
            raise CheckpointError(f"{path.parent}: holds {', '.join(pickled)} but no "
                                  f"{WEIGHTS}; texgen refuses pickle / torch.save files "
                                  f"(unpickling can run code): convert them to safetensors")
    if not path.is_file():
        raise CheckpointError(f"{path}: no such model file (give a model folder or its "
                              f"{WEIGHTS})")
    return path


def read_safetensors(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """(tensors on the CPU, metadata) of a safetensors file; ``CheckpointError`` naming the
    file for a pickle, a truncated or a corrupt file."""
    from safetensors import safe_open

    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(9)
            size = f.seek(0, 2)
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head.startswith(_PICKLE_MAGIC):
        raise CheckpointError(f"{path}: is a pickle / torch.save file; texgen refuses to load "
                              f"it (unpickling can run code): convert it to safetensors")
    if len(head) < 9:
        raise CheckpointError(f"{path}: truncated ({size} bytes): not a safetensors file")
    (header_len,) = struct.unpack("<Q", head[:8])
    if head[8:9] != b"{" or 8 + header_len > size:
        raise CheckpointError(f"{path}: truncated or corrupt safetensors header (header of "
                              f"{header_len} bytes, file of {size} bytes)")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            metadata = f.metadata() or {}
            tensors = {key: f.get_tensor(key) for key in f.keys()}
    except Exception as exc:  # safetensors raises its own error types for bad files
        raise CheckpointError(f"{path}: corrupt or truncated safetensors file: {exc}") from None
    return tensors, metadata


def load_model(path: str | Path, *, format: str, config_from_dict: Callable[[dict], Any],
               build: Callable[[Any], torch.nn.Module], train_hint: str,
               device: str | torch.device = "cpu") -> torch.nn.Module:
    """The network in a model folder or its ``generator.safetensors`` file, in eval mode.

    ``format`` is the record's expected format; ``config_from_dict`` parses its config
    (raising ``KeyError``/``TypeError``/``ValueError`` when bad) and ``build(config)`` makes
    the empty network the tensors are loaded into. ``train_hint`` (e.g. "texgen train
    stylegan") is named in the error for a file of no texgen format. Raises
    ``CheckpointError`` naming the file when it is missing, a pickle, truncated, corrupt,
    of another format or version, or when its tensors do not match its config.
    """
    path = weights_file(Path(path))
    tensors, metadata = read_safetensors(path)
    try:
        record = json.loads(metadata[_META_KEY])
    except (KeyError, json.JSONDecodeError):
        raise CheckpointError(f"{path}: not a texgen {format} model (no '{_META_KEY}' "
                              f"metadata); train one with '{train_hint}'") from None
    if record.get("format") != format or record.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: format {record.get('format')!r} version "
                              f"{record.get('version')!r}; expected {format!r} "
                              f"version {FORMAT_VERSION} (train one with '{train_hint}')")
    try:
        config = config_from_dict(record["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: bad model config: {exc}") from None
    network = build(config)
    expected = network.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    wrong = sorted(k for k in set(expected) & set(tensors)
                   if tensors[k].shape != expected[k].shape)
    if missing or unexpected or wrong:
        parts = [f"{what}: {', '.join(keys[:4])}{' ...' if len(keys) > 4 else ''}"
                 for what, keys in (("missing", missing), ("unexpected", unexpected),
                                    ("wrong shape", wrong)) if keys]
        raise CheckpointError(f"{path}: tensors do not match the model config "
                              f"({'; '.join(parts)})")
    network.load_state_dict(tensors)
    for name, tensor in network.state_dict().items():
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{path}: tensor {name!r} holds NaN or infinite values")
    return network.eval().requires_grad_(False).to(device)


def load_generator(path: str | Path, *, device: str | torch.device = "cpu") -> Generator:
    """The StyleGAN generator in a model folder or ``generator.safetensors`` file, in eval
    mode (``load_model``); ``CheckpointError`` naming the file for any problem."""
    return load_model(path, format=FORMAT, config_from_dict=ModelConfig.from_dict,
                      build=Generator, train_hint="texgen train stylegan", device=device)
