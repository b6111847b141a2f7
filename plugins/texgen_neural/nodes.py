"""The ``neural.stylegan`` node (sample a trained texture StyleGAN at the render's size),
the ``neural.translate`` node (a CycleGAN's translation of a texture) and the
``neural.vae`` node (a material VAE's sample, reconstruction or morph)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from texgen.bands import row_bands
from texgen.nodes import NodeContext, param_error
from texgen.resources import ResourceCache
from texgen_neural.checkpoint import WEIGHTS, CheckpointError, load_generator, weights_file
from texgen_neural.model import resample_wrap, to_image


def cached_generator(resources: ResourceCache, path: Path, device: str, *,
                     kind: str = "neural.generator",
                     load: Callable[..., torch.nn.Module] | None = None) -> torch.nn.Module:
    """The network at ``path`` (folder or file) on ``device``, loaded by ``load(file,
    device=...)`` (default: ``load_generator``, a StyleGAN) once per file content into the
    engine's ``resources`` under ``kind``; raises ``CheckpointError`` naming the file."""
    load = load or load_generator
    file = weights_file(Path(path))
    try:
        return resources.get(kind, file, lambda found: load(found, device=device), key=device)
    except OSError as exc:
        raise CheckpointError(f"{file}: no such model file (give a model folder or its "
                              f"{WEIGHTS}): {exc.strerror or exc}") from None


def _device(backend: str) -> str:
    return "cuda" if backend == "cuda" and torch.cuda.is_available() else "cpu"


def stylegan(ctx: NodeContext, *, mix_mask, model: Path, truncation: float, label: int,
             mix_seed: int, mix_layer: int, resolution: int = 0, interpolation: float = 0.0):
    """Sample the model for a ctx.height x ctx.width texture; returns float32 (H, W, 3) in
    [0, 1].

    ``resolution`` 0 samples one model pixel per output pixel; N > 0 samples N x
    round(N * H / W) model pixels and resizes them to the output (``resample_wrap``), so
    the texture is the same at every render size. ``interpolation`` t in [0, 1] moves the
    seed's style towards mix_seed's (w = lerp(w_seed, w_mix, t), latent interpolation)
    before style mixing and the mask apply. A DCGAN model (arch "dcgan") has no styles: it
    takes only ``resolution`` and the seed, and the style parameters must keep their
    defaults. The latent, spatial input and per-layer noises come from ``ctx.seed`` (drawn
    on the CPU, so a seed gives the same inputs on every device). Sizes that are not a
    multiple of the model's cell are generated at the next multiple and resized with
    wrap-around, so they tile too; the resized output is written a band of rows at a time
    (no full-size temporaries beyond it). The synthesis itself runs whole: its band-limited
    upsampling looks at the whole image, so it cannot run in tiles. On the cuda backend the
    output stays on the GPU (a Numba device array).
    """
    if model is None:
        raise param_error(ctx.node_id, "model", "no model given: set it to a folder written "
                          "by 'texgen train stylegan' (relative to the preset's folder)")
    device = _device(ctx.backend)
    try:
        generator = cached_generator(ctx.resources, model, device)
    except CheckpointError as exc:
        raise param_error(ctx.node_id, "model", str(exc)) from None
    config = generator.config
    classes = max(1, config.num_classes)
    if label >= classes:
        raise param_error(ctx.node_id, "label", f"{label} is out of range: the model has "
                          f"{classes} label{'s' if classes > 1 else ''} (0..{classes - 1})")
    if mix_layer >= config.levels:
        raise param_error(ctx.node_id, "mix_layer", f"{mix_layer} is out of range: the model "
                          f"has {config.levels} style levels (mix_layer 1..{config.levels - 1}, "
                          f"0 for no mixing)")
    if config.arch == "dcgan":
        _check_no_styles(ctx, mix_mask=mix_mask, truncation=truncation,
                         interpolation=interpolation, mix_layer=mix_layer)
    cell = config.cell
    model_width = resolution or ctx.width
    model_height = max(1, round(resolution * ctx.height / ctx.width)) if resolution \
        else ctx.height
    height, width = -(-model_height // cell) * cell, -(-model_width // cell) * cell
    inputs = generator.make_inputs(1, height, width, device=device,
                                   generator=torch.Generator().manual_seed(ctx.seed))
    with torch.no_grad():
        if config.arch == "dcgan":
            rgb = generator.generate(inputs)
        else:
            rgb = _styled(ctx, generator, inputs, mix_mask=mix_mask, truncation=truncation,
                          label=label, mix_seed=mix_seed, mix_layer=mix_layer,
                          interpolation=interpolation)
        if (height, width) == (ctx.height, ctx.width):
            image = to_image(rgb)[0]                                 # (H, W, 3) in [0, 1]
        else:  # resize the image as it is shown, a band of rows at a time
            rgb = rgb.clamp(-1.0, 1.0)
            image = torch.empty((ctx.height, ctx.width, 3), device=rgb.device)
            for rows in row_bands(ctx.height, ctx.width):
                image[rows] = to_image(resample_wrap(rgb, ctx.height, ctx.width,
                                                     rows=(rows.start, rows.stop)))[0]
    if image.is_cuda:
        from numba import cuda

        return cuda.as_cuda_array(image)
    return np.ascontiguousarray(image.numpy(), dtype=np.float32)


def _check_no_styles(ctx: NodeContext, *, mix_mask, truncation: float, interpolation: float,
                     mix_layer: int) -> None:
    """``param_error`` naming the first style parameter set that a DCGAN model (no styles)
    cannot honour."""
    changed = {"mix_mask": mix_mask is not None, "truncation": truncation != 1.0,
               "interpolation": interpolation != 0.0, "mix_layer": mix_layer != 0}
    for key, is_set in changed.items():
        if is_set:
            raise param_error(ctx.node_id, key, "this model is a dcgan: it has no styles to "
                              f"truncate, mix or interpolate; leave {key} at its default")


def _styled(ctx: NodeContext, generator, inputs, *, mix_mask, truncation: float, label: int,
            mix_seed: int, mix_layer: int, interpolation: float) -> torch.Tensor:
    """A StyleGAN's output (1, 3, h, w) for ``inputs`` with the node's style parameters
    (see ``stylegan``): truncation, latent interpolation, style mixing, the mask."""
    config = generator.config
    device = inputs.z.device
    height, width = inputs.noises[-1].shape[-2:]  # the finest level's: the output's size
    labels = torch.tensor([label], device=device) if config.num_classes else None
    w = generator.mapping(inputs.z, labels, truncation=truncation)
    mixing = mix_layer or mix_mask is not None
    if interpolation or mixing:  # mix_seed's style
        z_b = torch.randn(1, config.z_dim, generator=torch.Generator().manual_seed(mix_seed))
        w_b = generator.mapping(z_b.to(device), labels, truncation=truncation)
    if interpolation:
        w = torch.lerp(w, w_b, interpolation)
    ws = w[:, None].repeat(1, config.levels, 1)
    ws_b = mask = None
    if mixing:
        ws_b = ws.clone()
        ws_b[:, mix_layer:] = w_b[:, None]
    if mix_mask is not None:
        mask = torch.as_tensor(mix_mask, device=device).reshape(1, 1, ctx.height, ctx.width)
        mask = resample_wrap(mask.float().clamp(0, 1), height, width)
    elif ws_b is not None:
        ws, ws_b = ws_b, None
    return generator(ws, inputs.spatial, inputs.noises, ws_b=ws_b, mask=mask,
                     phases=inputs.phases)


def translate(ctx: NodeContext, *, input, model: Path, direction: str, resolution: int = 0):
    """``input`` (H, W, 3) translated by the CycleGAN at ``model`` in ``direction``
    ("a_to_b" or "b_to_a"): float32 (H, W, 3) in [0, 1], any size; ``resolution`` as in
    ``cyclegan.model.translate_image``.
    The model is loaded once per engine (``ctx.resources``); on the cuda backend it runs on
    the GPU and the output stays there (a Numba device array)."""
    from texgen_neural.cyclegan.model import load_cyclegan, translate_image

    if model is None:
        raise param_error(ctx.node_id, "model", "no model given: set it to a folder written "
                          "by 'texgen train cyclegan' (relative to the preset's folder)")
    device = _device(ctx.backend)
    try:
        network = cached_generator(ctx.resources, model, device, kind="neural.cyclegan",
                                   load=load_cyclegan)
    except CheckpointError as exc:
        raise param_error(ctx.node_id, "model", str(exc)) from None
    image = translate_image(network, input, direction=direction,
                            resolution=resolution)                  # (H, W, 3)
    return node_array(image)


def node_array(image: torch.Tensor):
    """A node's output from a float32 (H, W, C) tensor: a Numba device array when it is on
    the GPU (no host copy), else a C-contiguous numpy array."""
    if image.is_cuda:
        from numba import cuda

        return cuda.as_cuda_array(image.contiguous())
    return np.ascontiguousarray(image.numpy(), dtype=np.float32)


def vae(ctx: NodeContext, *, model: Path, mode: str, t: float = 0.5, temperature: float = 1.0,
        resolution: int = 0, levels: str = "input", **stacks):
    """The ``neural.vae`` node: {basecolor (H, W, 3), height (H, W, 1), roughness (H, W, 1),
    normal (H, W, 3)} float32 in [0, 1] from the VAE at ``model`` (``vae.model.run_mode``:
    ``mode`` sample by ``ctx.seed``, reconstruct stack A, or interpolate A to B by ``t``;
    ``levels`` where the maps' means and contrasts come from).
    ``stacks`` are the input ports (basecolor, height, roughness, normal, and the same with
    "_b"); a mode's stacks must be connected, map by map (``param_error`` naming the first
    missing port). Loaded once per engine; on the cuda backend the outputs stay on the GPU.
    """
    from texgen_neural.vae.config import MAPS
    from texgen_neural.vae.model import load_vae, run_mode

    needed = {"sample": (), "reconstruct": ("",), "interpolate": ("", "_b")}[mode]
    inputs = []
    for suffix in needed:
        maps = {name: stacks[name + suffix] for name, _ in MAPS}
        missing = [name + suffix for name, value in maps.items() if value is None]
        if missing:
            raise param_error(ctx.node_id, missing[0], f"mode {mode!r} needs the inputs "
                              f"{', '.join(name + suffix for name, _ in MAPS)} connected; "
                              f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                              f"not")
        inputs.append(maps)
    device = _device(ctx.backend)
    try:
        network = cached_generator(ctx.resources, model, device, kind="neural.vae",
                                   load=load_vae)
    except CheckpointError as exc:
        raise param_error(ctx.node_id, "model", str(exc)) from None
    outputs = run_mode(network, mode, height=ctx.height, width=ctx.width, seed=ctx.seed,
                       a=inputs[0] if inputs else None, b=inputs[1] if len(inputs) > 1 else None,
                       t=t, temperature=temperature, resolution=resolution, levels=levels)
    return {name: node_array(value) for name, value in outputs.items()}
