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

import dataclasses
import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from texgen.io import atomic_write
from texgen_neural.config import ModelConfig
from texgen_neural.dcgan import DCGANGenerator
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


def build_generator(config: ModelConfig) -> Generator | DCGANGenerator:
    """The freshly initialised generator ``config.arch`` names: a StyleGAN ``Generator`` or
    a ``DCGANGenerator``."""
    return DCGANGenerator(config) if config.arch == "dcgan" else Generator(config)


def save_generator(generator: Generator | DCGANGenerator, folder: str | Path,
                   **extra) -> Path:
    """Write a StyleGAN or DCGAN ``generator`` to ``folder`` (``save_model``; the config
    records the arch); return the folder."""
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
    of another format or version, or when its tensors do not match its config. The config
    is checked against the tensors on PyTorch's meta device (shapes, no memory) before the
    network is built, so a small file whose config asks for a huge network allocates
    nothing.
    """
    path = weights_file(Path(path))
    tensors, metadata = read_safetensors(path)
    try:
        record = json.loads(metadata[_META_KEY])
    except (KeyError, json.JSONDecodeError):
        raise CheckpointError(f"{path}: not a texgen {format} model (no '{_META_KEY}' "
                              f"metadata); train one with '{train_hint}'") from None
    if not isinstance(record, dict):
        raise CheckpointError(f"{path}: its '{_META_KEY}' metadata is a JSON "
                              f"{type(record).__name__}, not an object")
    if record.get("format") != format or record.get("version") != FORMAT_VERSION:
        raise CheckpointError(f"{path}: format {record.get('format')!r} version "
                              f"{record.get('version')!r}; expected {format!r} "
                              f"version {FORMAT_VERSION} (train one with '{train_hint}')")
    try:
        config = config_from_dict(record["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: bad model config: {exc}") from None
    with torch.device("meta"):  # shapes only: a config can ask for any size of network
        expected = build(config).state_dict()
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
    network = build(config)  # its size is now the file's
    network.load_state_dict(tensors)
    for name, tensor in network.state_dict().items():
        if not torch.isfinite(tensor).all():
            raise CheckpointError(f"{path}: tensor {name!r} holds NaN or infinite values")
    return network.eval().requires_grad_(False).to(device)


def load_generator(path: str | Path, *, device: str | torch.device = "cpu"
                   ) -> Generator | DCGANGenerator:
    """The generator (StyleGAN or DCGAN, as its config's arch says; a config without one is
    a StyleGAN) in a model folder or ``generator.safetensors`` file, in eval mode
    (``load_model``); ``CheckpointError`` naming the file for any problem."""
    return load_model(path, format=FORMAT, config_from_dict=ModelConfig.from_dict,
                      build=build_generator, train_hint="texgen train stylegan",
                      device=device)


# --- training states ------------------------------------------------------------------------

_TRAINING_KEY = "texgen_training"


class TrainingNetworks:
    """Checkpointing for a training run's networks (a mixin for their dataclass).

    ``state_tensors`` gathers the weights of the (prefix, module) pairs ``_parts()`` names,
    the Adam moments of ``opt_g`` and ``opt_d`` and the global RNG as CPU tensors;
    ``load_state_tensors`` restores them, so a resumed run continues bit for bit.
    """

    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer

    def _parts(self) -> tuple[tuple[str, torch.nn.Module], ...]:
        raise NotImplementedError

    def state_tensors(self) -> dict[str, torch.Tensor]:
        tensors = {f"{prefix}.{key}": value.detach().cpu().contiguous()
                   for prefix, module in self._parts()
                   for key, value in module.state_dict().items()}
        tensors.update(_flatten_optimizer("opt_g", self.opt_g))
        tensors.update(_flatten_optimizer("opt_d", self.opt_d))
        tensors["rng"] = torch.get_rng_state()
        return tensors

    def load_state_tensors(self, tensors: dict[str, torch.Tensor]) -> None:
        for prefix, module in self._parts():
            device = next(module.parameters()).device
            module.load_state_dict({key[len(prefix) + 1:]: value.to(device)
                                    for key, value in tensors.items()
                                    if key.startswith(prefix + ".")})
        _restore_optimizer("opt_g", self.opt_g, tensors)
        _restore_optimizer("opt_d", self.opt_d, tensors)
        torch.set_rng_state(tensors["rng"].to(torch.uint8))


def _flatten_optimizer(prefix: str, optimizer: torch.optim.Optimizer) -> dict:
    return {f"{prefix}.{index}.{name}": value.detach().cpu().reshape(-1).float()
            for index, state in optimizer.state_dict()["state"].items()
            for name, value in state.items()}


def _restore_optimizer(prefix: str, optimizer: torch.optim.Optimizer, tensors: dict) -> None:
    """Load the Adam moments that ``_flatten_optimizer`` stored (state indices count the
    parameters in group order)."""
    state_dict = optimizer.state_dict()
    params = [p for group in optimizer.param_groups for p in group["params"]]
    for index, param in enumerate(params):
        key = f"{prefix}.{index}."
        if key + "exp_avg" in tensors:
            state_dict["state"][index] = {
                "step": tensors[key + "step"].reshape(()),
                "exp_avg": tensors[key + "exp_avg"].reshape(param.shape).to(param.device),
                "exp_avg_sq": tensors[key + "exp_avg_sq"].reshape(param.shape).to(param.device)}
    optimizer.load_state_dict(state_dict)


def save_training_state(path: Path, tensors: dict[str, torch.Tensor], *, config, options,
                        step: int, seconds: float) -> None:
    """Write a resumable training state atomically: ``tensors`` (``state_tensors``) with the
    config, the options (a dataclass), the step and the training seconds as JSON metadata."""
    from safetensors.torch import save_file

    meta = {_TRAINING_KEY: json.dumps({
        "config": config.to_dict(), "options": dataclasses.asdict(options), "step": step,
        "seconds": seconds})}
    atomic_write(Path(path), lambda temporary: save_file(tensors, str(temporary),
                                                         metadata=meta))


def load_training_state(path: Path, *, config_from_dict: Callable[[dict], Any],
                        options_from_dict: Callable[[dict], Any], what: str,
                        steps: int | None = None) -> tuple[Any, Any, dict, int, float]:
    """(config, options, tensors, step, seconds) of a state ``save_training_state`` wrote;
    the saved options win except ``steps`` when given. ``CheckpointError`` naming the file
    and ``what`` (the model family) when it is not such a state."""
    tensors, meta = read_safetensors(path)
    try:
        saved = json.loads(meta[_TRAINING_KEY])
        options = options_from_dict({**saved["options"],
                                     **({"steps": steps} if steps is not None else {})})
        return config_from_dict(saved["config"]), options, tensors, saved["step"], \
            saved["seconds"]
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a texgen {what} training state: {exc}") from None
