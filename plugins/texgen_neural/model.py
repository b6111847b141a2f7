"""A StyleGAN2-style texture generator and a patch discriminator, with circular padding.

The generator is StyleGAN2 [Karras et al. 2020] adapted to textures:

- the 4x4 learned constant is replaced by a **spatial noise input** at 1/cell of the output
  size, so one model makes textures of any size (any multiple of ``cell`` pixels);
- every convolution pads **circularly** and upsampling wraps around the edges, so every
  output tiles exactly (the image is periodic with the period of its own size);
- styles may vary across the image: each level's style is a per-pixel blend of two ``w``
  when a mask is given (spatially varying style);
- optionally (``config.periodic``), PSGAN's periodic channels [Bergmann et al. 2017] join the
  spatial input: sinusoids whose wave vectors an MLP derives from the coarsest style,
  rounded to whole cycles per output so the output still tiles (``PeriodicInput``).

Shapes: B batch, C channels, H x W the output, h x w = H / cell x W / cell the spatial input,
level l works at (h * 2**l) x (w * 2**l); the last level works at H x W.

Everything here is plain PyTorch; checkpoint I/O lives in ``checkpoint.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from texgen.bands import row_bands
from texgen_neural.config import ModelConfig

_LRELU_GAIN = math.sqrt(2.0)  # keeps activations at unit variance after a leaky ReLU


class Inputs(NamedTuple):
    """The random inputs of one generator call, all float32.

    ``z`` (B, z_dim); ``spatial`` (B, input_channels, h, w); ``noises``: per styled layer,
    (B, 1, h * 2**l, w * 2**l) for its level l, two per level, coarse to fine; ``phases``
    (B, periodic) in [0, 2 pi), the periodic channels' phases, None for a model without.
    """

    z: torch.Tensor
    spatial: torch.Tensor
    noises: list[torch.Tensor]
    phases: torch.Tensor | None = None


def input_grid(config: ModelConfig, height: int, width: int) -> tuple[int, int]:
    """The spatial input's (h, w) for (height, width) outputs: ``ValueError`` unless both
    are positive multiples of ``config.cell``."""
    cell = config.cell
    if height % cell or width % cell or height < 1 or width < 1:
        raise ValueError(f"output size {width}x{height} must be a positive multiple of "
                         f"the model's cell, {cell} pixels")
    return height // cell, width // cell


# --- building blocks ----------------------------------------------------------------------------

class EqualLinear(nn.Module):
    """Linear layer with equalized learning rate: weights stored as N(0, 1/lr_mul^2), scaled
    at run time by lr_mul / sqrt(fan_in), so Adam's steps are equal across layers."""

    def __init__(self, in_features: int, out_features: int, *, lr_mul: float = 1.0,
                 bias_init: float = 0.0, activate: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init) / lr_mul))
        self.scale = lr_mul / math.sqrt(in_features)
        self.lr_mul = lr_mul
        self.activate = activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (..., in) -> (..., out)
        x = F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)
        return F.leaky_relu(x, 0.2) * _LRELU_GAIN if self.activate else x


def _normalize(x: torch.Tensor, dim: int = 1) -> torch.Tensor:
    """Scale to unit mean square along ``dim`` (StyleGAN's pixel norm)."""
    return x * torch.rsqrt(x.square().mean(dim=dim, keepdim=True) + 1e-8)


class MappingNetwork(nn.Module):
    """z (B, z_dim) [+ label (B,) int64] -> w (B, w_dim); an MLP on the normalized latent,
    with the one-hot label embedded and concatenated for a conditional model."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.num_classes = config.num_classes
        in_dim = config.z_dim
        if config.num_classes:
            self.embed = EqualLinear(config.num_classes, config.z_dim)
            in_dim += config.z_dim
        dims = [in_dim] + [config.w_dim] * config.mapping_layers
        self.layers = nn.Sequential(*(
            EqualLinear(a, b, lr_mul=config.mapping_lr_mul, activate=True)
            for a, b in zip(dims[:-1], dims[1:])))

    def forward(self, z: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        x = _normalize(z)                                            # (B, z_dim)
        if self.num_classes:
            one_hot = F.one_hot(label, self.num_classes).to(z.dtype)  # (B, classes)
            x = torch.cat([x, _normalize(self.embed(one_hot))], 1)    # (B, 2 z_dim)
        return self.layers(x)                                        # (B, w_dim)


def upsample_wrap(x: torch.Tensor) -> torch.Tensor:
    """x2 upsampling of a periodic image by band-limited (sinc) interpolation.

    (B, C, H, W) -> (B, C, 2H, 2W): the spectrum is zero-padded (an even size's Nyquist
    row and column split between the two frequencies they stand for), so the result
    passes through the input samples, wraps around the edges, and shifting the input by
    one pixel shifts the output by exactly two. Unlike bilinear interpolation it treats
    every output pixel alike: bilinear makes the steps between pixels 2i and 2i + 1 four
    times weaker than those between 2i + 1 and 2i + 2, a lattice of the model's cell
    that the wrap-around border, a cell boundary, shows as a seam.
    """
    h, w = x.shape[-2:]
    spectrum = torch.fft.rfft2(x)                                    # (B, C, H, W // 2 + 1)
    padded = spectrum.new_zeros(*x.shape[:-2], 2 * h, w + 1)         # (B, C, 2H, W + 1)
    positive = h - h // 2  # rows 0 .. positive - 1 are non-negative frequencies
    padded[..., :positive, :w // 2 + 1] = spectrum[..., :positive, :]
    padded[..., 2 * h - h // 2:, :w // 2 + 1] = spectrum[..., positive:, :]
    if h % 2 == 0:
        padded[..., h // 2, :] = padded[..., 2 * h - h // 2, :] = \
            padded[..., 2 * h - h // 2, :] * 0.5
    if w % 2 == 0:
        padded[..., w // 2] *= 0.5
    return torch.fft.irfft2(padded, s=(2 * h, 2 * w)) * 4.0


def resample_wrap(x: torch.Tensor, height: int, width: int, *,
                  rows: tuple[int, int] | None = None) -> torch.Tensor:
    """Resampling of a periodic image to any size, wrapping around the edges.

    (B, C, H, W) -> (B, C, height, width). An axis that grows is interpolated bilinearly,
    output pixel centres sampling the input at the same fractions of its size (wrapping);
    an axis that shrinks is area-averaged (``_shrink_axis``), so detail does not alias. A
    tileable input stays tileable. ``rows`` (start, stop) computes only those rows of the
    result, (B, C, stop - start, width), with the same values as the whole result's rows:
    a large result can be made a band at a time.
    """
    for axis, size in ((2, height), (3, width)):
        n = x.shape[axis]
        start, stop = rows if axis == 2 and rows is not None else (0, size)
        if size < n:
            x = _shrink_axis(x, axis, size, start, stop)
        elif size > n:
            position = (torch.arange(start, stop, device=x.device, dtype=x.dtype) + 0.5) \
                * n / size
            lower = torch.floor(position - 0.5)
            frac = _along(position - 0.5 - lower, axis, x.ndim)
            lower = lower.long() % n
            upper = (lower + 1) % n
            x = x.index_select(axis, lower) * (1 - frac) + x.index_select(axis, upper) * frac
        elif (start, stop) != (0, size):
            x = x.narrow(axis, start, stop - start)
    return x


def resample_by_columns(columns: Callable[[slice], torch.Tensor], size: tuple[int, int],
                        height: int, width: int) -> torch.Tensor:
    """``resample_wrap(image, height, width)`` of an image (B, C, H, W), ``size`` = (H, W),
    read a band of columns at a time: ``columns(slice)`` returns (B, C, H, band) for those
    columns. The rows are resampled per band (each column on its own), then the columns of
    the (B, C, height, W) result, so the values are the whole call's and no full-size image
    exists when the size changes (``tiling.bands``: about 256 K pixels per band)."""
    full_height, full_width = size
    parts = [resample_wrap(columns(band), height, band.stop - band.start)
             for band in row_bands(full_width, full_height)]
    return resample_wrap(torch.cat(parts, dim=3), height, width)


def _along(values: torch.Tensor, axis: int, ndim: int) -> torch.Tensor:
    """A 1-D tensor shaped to broadcast along ``axis`` of an ``ndim``-D tensor."""
    shape = [1] * ndim
    shape[axis] = values.numel()
    return values.view(shape)


def _shrink_axis(x: torch.Tensor, axis: int, size: int, start: int = 0,
                 stop: int | None = None) -> torch.Tensor:
    """``x`` shrunk along ``axis`` to ``size`` samples by area averaging, samples
    ``start`` to ``stop`` (default: all): sample j is the mean of the input over
    [j n / size, (j + 1) n / size), each pixel weighted by the part it covers. The intervals
    tile the input exactly, so a periodic image stays periodic."""
    n = x.shape[axis]
    stop = size if stop is None else stop
    # integral(t) = sum of the input over [0, t): prefix sums plus the partial pixel.
    prefix = F.pad(x.cumsum(axis), (0, 0) * (x.ndim - 1 - axis) + (1, 0))
    edges = torch.arange(start, stop + 1, device=x.device, dtype=x.dtype) * (n / size)
    whole = edges.floor().long().clamp(max=n - 1)
    integral = (prefix.index_select(axis, whole)
                + _along(edges - whole, axis, x.ndim) * x.index_select(axis, whole))
    count = stop - start
    return (integral.narrow(axis, 1, count) - integral.narrow(axis, 0, count)) * (size / n)


def _level_style(ws: torch.Tensor, ws_b: torch.Tensor | None, mask: torch.Tensor | None,
                 level: int, size: tuple[int, int]) -> torch.Tensor:
    """The style of one level: (B, w_dim, 1, 1), or (B, w_dim, h, w) per pixel when a mask
    (B, 1, H, W) in [0, 1] blends ``ws`` (0) with ``ws_b`` (1), resampled to ``size``."""
    w = ws[:, level, :, None, None]
    if mask is None:
        return w
    m = resample_wrap(mask, *size) if mask.shape[-2:] != size else mask
    return torch.lerp(w, ws_b[:, level, :, None, None], m)


class ModulatedConv(nn.Module):
    """k x k convolution whose input channels are scaled by a style, then demodulated.

    x (B, C_in, H, W), w (B, w_dim, 1 | H, 1 | W) -> (B, C_out, H, W). The style
    s = affine(w) scales the input per channel (per pixel for a spatial w); demodulation
    divides each output by the norm its weights would have under that style, so
    activations keep unit variance whatever the style. Applying the style to activations
    (not to weights) lets it vary across the image; padding is circular.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int, w_dim: int, *,
                 demodulate: bool = True):
        super().__init__()
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.scale = 1.0 / math.sqrt(in_channels * kernel * kernel)
        self.demodulate = demodulate
        self.pad = kernel // 2

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        s = self.affine(w.movedim(1, -1)).movedim(-1, 1)             # (B, C_in, 1|H, 1|W)
        weight = self.weight * self.scale                            # (C_out, C_in, k, k)
        x = x * s
        if self.pad:
            x = F.pad(x, (self.pad,) * 4, mode="circular")
        x = F.conv2d(x, weight)                                      # (B, C_out, H, W)
        if self.demodulate:
            # sum_i s_i^2 * sum_k W_oik^2, as a 1x1 conv of s^2: works for per-pixel styles
            energy = weight.square().sum(dim=(2, 3))[:, :, None, None]   # (C_out, C_in, 1, 1)
            x = x * torch.rsqrt(F.conv2d(s.square(), energy) + 1e-8)
        return x


class StyledLayer(nn.Module):
    """Modulated 3x3 conv + per-pixel noise (learned per-channel strength, starting at
    ``noise_init``) + bias + lrelu.

    x (B, C_in, H, W), w (B, w_dim, 1|H, 1|W), noise (B, 1, H, W) -> (B, C_out, H, W).
    """

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, *,
                 noise_init: float = 0.0):
        super().__init__()
        self.conv = ModulatedConv(in_channels, out_channels, 3, w_dim)
        self.noise_strength = nn.Parameter(torch.full((out_channels,), float(noise_init)))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor) -> torch.Tensor:
        x = self.conv(x, w) + self.noise_strength[None, :, None, None] * noise
        return F.leaky_relu(x + self.bias[None, :, None, None], 0.2) * _LRELU_GAIN


class ToRGB(nn.Module):
    """Modulated 1x1 conv to color, not demodulated: (B, C, H, W) -> (B, 3, H, W)."""

    def __init__(self, in_channels: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv(in_channels, 3, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(3))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(x, w) + self.bias[None, :, None, None]


class SynthesisLevel(nn.Module):
    """One level: [wrapped x2 upsampling] -> two styled layers -> toRGB skip.

    x (B, C_in, h, w) -> features (B, C_out, h', w') and rgb (B, 3, h', w'), with
    h' = 2h for every level but the first (h' = h). The level's rgb is added to the
    upsampled rgb of the levels before it (StyleGAN2's skip generator).
    """

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, *, upsample: bool,
                 noise_init: float = 0.0):
        super().__init__()
        self.upsample = upsample
        self.layer1 = StyledLayer(in_channels, out_channels, w_dim, noise_init=noise_init)
        self.layer2 = StyledLayer(out_channels, out_channels, w_dim, noise_init=noise_init)
        self.to_rgb = ToRGB(out_channels, w_dim)

    def forward(self, x, w, noises, rgb):
        if self.upsample:
            x = upsample_wrap(x)
        x = self.layer1(x, w, noises[0])
        x = self.layer2(x, w, noises[1])
        skip = self.to_rgb(x, w)
        return x, skip if rgb is None else upsample_wrap(rgb) + skip


class PeriodicInput(nn.Module):
    """PSGAN's periodic channels: ``periodic`` sinusoids over the spatial input grid.

    w (B, w_dim), phases (B, P), grid (h, w) -> (B, P, h, w) in [-1, 1]: channel p is
    sin(2 pi (k_y y / h + k_x x / w) + phase_p) at grid pixel (y, x), its wave vector
    (k_y, k_x) in cycles per grid an MLP derives from w: up to half a cycle per grid pixel
    (the grid's Nyquist limit, whose band-limited upsampling then reproduces the sinusoid
    exactly), times the grid's size. With ``whole_cycles`` the cycles are rounded to
    integers (gradients pass through the rounding unchanged), so every channel, and so the
    output, is periodic with the output's own size: the texture tiles. A feature's period in
    pixels is then the nearest one that fits the output a whole number of times.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.mlp = nn.Sequential(EqualLinear(config.w_dim, config.w_dim, activate=True),
                                 EqualLinear(config.w_dim, 2 * config.periodic))

    def cycles(self, w: torch.Tensor, height: int, width: int, *,
               whole_cycles: bool = True) -> torch.Tensor:
        """(B, P, 2) cycles per grid of each wave along (y, x); integers when
        ``whole_cycles``."""
        per_pixel = 0.5 * torch.tanh(self.mlp(w)).view(w.shape[0], -1, 2)
        cycles = per_pixel * torch.tensor([height, width], dtype=w.dtype, device=w.device)
        if whole_cycles:  # straight-through: the value rounded, the gradient as if not
            cycles = cycles + (torch.round(cycles) - cycles).detach()
        return cycles

    def forward(self, w: torch.Tensor, phases: torch.Tensor, height: int, width: int, *,
                whole_cycles: bool = True) -> torch.Tensor:
        cycles = self.cycles(w, height, width, whole_cycles=whole_cycles)     # (B, P, 2)
        y = torch.arange(height, dtype=w.dtype, device=w.device) / height
        x = torch.arange(width, dtype=w.dtype, device=w.device) / width
        angle = (cycles[..., 0, None, None] * y[:, None] + cycles[..., 1, None, None] * x)
        return torch.sin(2 * math.pi * angle + phases[..., None, None])   # (B, P, h, w)


# --- generator and discriminator ----------------------------------------------------------------

class Generator(nn.Module):
    """Mapping network + spatial input + a ladder of synthesis levels.

    Call ``make_inputs`` for the random inputs, ``mapping`` for the styles, then ``forward``:
    the output is (B, 3, H, W) float32, about [-1, 1] (``to_image`` maps it to [0, 1]).
    ``w_avg`` (classes or 1, w_dim) tracks the mean style per label for truncation.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.mapping_net = MappingNetwork(config)
        # 1x1 conv lifting the spatial noise and periodic channels
        # (B, input_channels + periodic, h, w) -> (B, channels[0], h, w)
        self.input = nn.Conv2d(config.input_channels + config.periodic, config.channels[0], 1)
        ins = (config.channels[0], *config.channels[:-1])
        self.levels = nn.ModuleList(
            SynthesisLevel(a, b, config.w_dim, upsample=i > 0, noise_init=config.noise_init)
            for i, (a, b) in enumerate(zip(ins, config.channels)))
        self.periodic = PeriodicInput(config) if config.periodic else None
        self.register_buffer("w_avg", torch.zeros(max(1, config.num_classes), config.w_dim))

    def make_inputs(self, batch: int, height: int, width: int, *,
                    generator: torch.Generator | None = None,
                    device: torch.device | str = "cpu") -> Inputs:
        """Random inputs for (B, 3, height, width) outputs; height and width must be
        multiples of ``config.cell``. Drawn on the CPU from ``generator`` (the global RNG by
        default) in a fixed order, then moved to ``device``: the same seed gives the same
        inputs on every device."""
        h, w = input_grid(self.config, height, width)

        def normal(*shape):
            return torch.randn(*shape, generator=generator).to(device)

        z = normal(batch, self.config.z_dim)
        spatial = normal(batch, self.config.input_channels, h, w)
        noises = [normal(batch, 1, h << level, w << level)
                  for level in range(self.config.levels) for _ in range(2)]
        phases = None
        if self.config.periodic:  # drawn last: models without keep their inputs per seed
            phases = (torch.rand(batch, self.config.periodic, generator=generator)
                      * (2 * math.pi)).to(device)
        return Inputs(z, spatial, noises, phases)

    def mapping(self, z: torch.Tensor, label: torch.Tensor | None = None, *,
                truncation: float = 1.0) -> torch.Tensor:
        """z (B, z_dim), label (B,) int64 or None -> w (B, w_dim), pulled towards the label's
        mean style by ``truncation`` (1: none; 0: the mean style)."""
        if self.config.num_classes and label is None:
            raise ValueError("this model is conditional: give a label")
        w = self.mapping_net(z, label)
        if truncation != 1.0:
            w_avg = self.w_avg[label] if self.config.num_classes else self.w_avg[:1]
            w = torch.lerp(w_avg, w, truncation)
        return w

    def forward(self, ws: torch.Tensor, spatial: torch.Tensor, noises: list[torch.Tensor], *,
                ws_b: torch.Tensor | None = None, mask: torch.Tensor | None = None,
                phases: torch.Tensor | None = None, whole_cycles: bool = True) -> torch.Tensor:
        """ws (B, levels, w_dim): one style per level (style mixing: different rows);
        spatial, noises and phases as from ``make_inputs`` (phases only for a model with
        periodic channels); optional ws_b (B, levels, w_dim) and mask (B, 1, H, W) in
        [0, 1] blend per pixel from ws (0) to ws_b (1). The periodic channels' wave vectors
        come from the coarsest style ``ws[:, 0]``, rounded to whole cycles per output unless
        ``whole_cycles`` is False (training: a crop is a window, not a tile).
        Returns (B, 3, H, W), H = cell * spatial height."""
        if self.periodic is not None:
            if phases is None:
                raise ValueError("this model has periodic channels: give their phases")
            waves = self.periodic(ws[:, 0], phases, *spatial.shape[2:],
                                  whole_cycles=whole_cycles)
            spatial = torch.cat([spatial, waves], 1)                 # (B, in + periodic, h, w)
        x = self.input(spatial)                                      # (B, C0, h, w)
        rgb = None
        for level, block in enumerate(self.levels):
            size = (spatial.shape[2] << level, spatial.shape[3] << level)
            w = _level_style(ws, ws_b, mask, level, size)
            x, rgb = block(x, w, noises[2 * level:2 * level + 2], rgb)
        return rgb

    def generate(self, inputs: Inputs, label: torch.Tensor | None = None, *,
                 truncation: float = 1.0) -> torch.Tensor:
        """The plain path: one style for every level. Returns (B, 3, H, W)."""
        w = self.mapping(inputs.z, label, truncation=truncation)
        ws = w[:, None].expand(-1, self.config.levels, -1)
        return self(ws, inputs.spatial, inputs.noises, phases=inputs.phases)

    @torch.no_grad()
    def update_w_avg(self, w: torch.Tensor, label: torch.Tensor | None, *,
                     beta: float = 0.995) -> None:
        """Move the tracked mean style towards the batch's w (B, w_dim) (per label)."""
        if self.config.num_classes:
            for c in label.unique():
                self.w_avg[c] = torch.lerp(w[label == c].mean(0), self.w_avg[c], beta)
        else:
            self.w_avg[0] = torch.lerp(w.mean(0), self.w_avg[0], beta)


def to_image(rgb: torch.Tensor) -> torch.Tensor:
    """Generator output (B, 3, H, W) about [-1, 1] -> float32 (B, H, W, 3) in [0, 1]."""
    return (rgb * 0.5 + 0.5).clamp(0.0, 1.0).permute(0, 2, 3, 1).contiguous()


class EqualConv2d(nn.Module):
    """k x k convolution with equalized learning rate and circular padding, optionally
    followed by a leaky ReLU: (B, C_in, H, W) -> (B, C_out, H, W).

    As in ``EqualLinear``, weights are stored as N(0, 1) and scaled by 1/sqrt(fan_in) at
    run time, so Adam moves every layer by the same relative amount. (With PyTorch's default
    initialisation the discriminator's small weights make Adam's steps of ``lr`` relatively
    large: it then chases the generator instead of learning the exemplar.)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel: int, *,
                 activate: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.scale = 1.0 / math.sqrt(in_channels * kernel * kernel)
        self.pad = kernel // 2
        self.activate = activate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.pad:
            x = F.pad(x, (self.pad,) * 4, mode="circular")
        x = F.conv2d(x, self.weight * self.scale, self.bias)
        return F.leaky_relu(x, 0.2) * _LRELU_GAIN if self.activate else x


class Discriminator(nn.Module):
    """Patch discriminator: (B, 3, H, W) [+ label (B,)] -> logits (B, 1, H / 2**n, W / 2**n).

    fromRGB, then per scale two circular 3x3 convs and a 2x2 average pool, all with
    equalized learning rate; each logit judges one patch (the receptive field), so the crop
    size only changes how many patches a batch holds. A conditional model adds a projection
    term <embed(label), features> per patch.
    """

    def __init__(self, config: ModelConfig):
        super().__init__()
        chans = config.d_channels
        self.from_rgb = EqualConv2d(3, chans[0], 1)
        blocks = []
        for a, b in zip(chans, (*chans[1:], chans[-1])):
            blocks += [EqualConv2d(a, a, 3), EqualConv2d(a, b, 3), nn.AvgPool2d(2)]
        self.blocks = nn.Sequential(*blocks)
        self.out = EqualConv2d(chans[-1], 1, 1, activate=False)
        self.embed = nn.Embedding(config.num_classes, chans[-1]) if config.num_classes else None

    def forward(self, image: torch.Tensor, label: torch.Tensor | None = None) -> torch.Tensor:
        x = self.blocks(self.from_rgb(image))                        # (B, C, H/2^n, W/2^n)
        logits = self.out(x)                                         # (B, 1, H/2^n, W/2^n)
        if self.embed is not None:  # projection, scaled like a 1x1 equalized conv
            projection = (x * self.embed(label)[:, :, None, None]).sum(1, keepdim=True)
            logits = logits + projection / math.sqrt(x.shape[1])
        return logits
