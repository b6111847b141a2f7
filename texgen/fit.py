"""Photo → preset: choose a preset and fit its exposed parameters so its render looks like
a photo (inverse procedural modelling), then write the result as an ordinary preset.

``fit`` works on any preset through its exposed parameters and ``texgen.metrics``:

1. The photo is read (``texgen.io.read_image``), its alpha dropped, the largest centred
   square cropped. Frequencies in presets are per texture width, and the crop shows
   ``scale`` texture widths across (1 by default): it is area-resized to ``scale`` times
   ``size`` pixels (fewer when the photo holds fewer: ``load_photo``), so that renders at
   ``size`` compare with it at the same pixels per texture width.
2. First pass: every candidate preset renders at its defaults and at ``samples`` random
   points of its search space (``first_pass_samples``: numbers from a Latin hypercube over
   their ranges, colors taken from random pixels of the photo), each scored by the loss
   (with ``scale="auto"``, at each of ``AUTO_SCALES``); a candidate's score is its best
   point. Color and feature size are what the search varies, so a preset whose defaults
   have another color or scale than the photo must not lose to one whose defaults happen
   to be near: the samples estimate what each preset can reach. The ``shortlist`` best
   go on.
3. Search: CMA-ES (the ``cmaes`` package, ``pip install texgen[fit]``) over the exposed
   int and float parameters that have both ``min`` and ``max``, each normalised to [0, 1],
   and the exposed colors in CIELAB (L / 100, (a + 128) / 256, (b + 128) / 256), starting
   from the candidate's best first-pass point, in rounds (``_Search``): a coordinate sweep
   (each parameter in turn across its range: ints evenly spread, floats by strata, colors
   among the photo's dominant colors), then CMA-ES from the best point until it stalls,
   then again with twice the population (IPOP restarts). Other parameters (bool, enum,
   unbounded numbers, gradients, derived ones) keep their defaults.
4. The loss of a set of values is ``LOSS_WEIGHTS``-weighted multi-scale patch sliced
   Wasserstein distance + radially averaged log power spectrum distance (what pins feature
   scale) + color histogram distance, each between the compared output (``basecolor`` if
   the preset has one, else its first output) and the photo, averaged over ``seeds`` render
   seeds so that the fit does not chase one seed's layout.

Deterministic for a given ``seed`` when the evaluation budget, not the ``minutes`` clock,
ends the search (the clock depends on the machine). ``write_fitted_preset`` writes a
preset that instances the chosen one with a ``"preset"`` node, so every node stays
editable, and a JSON report next to it.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from texgen import metrics
from texgen.errors import InputError, TexgenError
from texgen.io import StagedFiles, atomic_write, check_writable, read_image
from texgen.preset import Preset
from texgen.resample import area_resize

__all__ = ["fit", "FitResult", "FitEvent", "write_fitted_preset", "fit_sheet", "load_photo",
           "instance_text", "write_instance", "first_pass_samples", "MIN_PHOTO_SIDE",
           "AUTO_SCALES", "LOSS_WEIGHTS"]

MIN_PHOTO_SIDE = 32
"""Pixels a photo needs on each side, and per texture width at the fit's scale: fewer are
refused (too little texture to fit; the loss's patch statistics need 28)."""

AUTO_SCALES = (1.0, 2.0, 3.0, 4.0)
"""The scales ``scale="auto"`` tries (see ``fit``)."""

LOSS_WEIGHTS = {"patch_swd": 1.0, "spectrum": 0.3, "histogram": 1.0}
"""Weights of the three distances in the loss. The spectrum distance is in decades of power
(a factor 2 in feature size moves it by tenths), the other two in value units (hundredths
for close textures). At 0.3 the spectrum term leads while the colors are still far off, so
the search moves feature sizes from the start (at 0.1 it left a leather target's grain
at 42 where the truth was 12.5: the colors decided the early generations, and the grain
drifted onto a plateau where small features alias)."""

SAMPLING_TIME_SHARE = 0.5
"""Share of the ``minutes`` bound after which the first pass stops drawing samples (every
candidate then has the same number: they are drawn in rounds over all candidates), so
the search keeps at least the rest."""

GAMUT_PENALTY = 1.0
"""Weight of a searched color's distance outside the sRGB gamut (linear RGB units) in what
CMA-ES is told: about the loss of a clearly wrong color, so the search stays in gamut."""

SWEEP_POINTS = {"int": 17, "float": 5, "color": 6}
"""Values a coordinate sweep of the search tries per parameter (see ``_Search``): ints
evenly spread over their range, float strata centres, the target's dominant colors."""

HARMONICS = (1 / 3, 1 / 2, 2, 3)
"""Multiples of a number's best value that a sweep tries (see ``_Search.sweep_values``)."""

JOINT_COLOR_SWEEP = 36
"""A sweep tries every assignment of its colors to a preset's color parameters at once
when there are at most this many (6 colors, 2 parameters), else one parameter at a time."""

STALL_GENERATIONS, STALL_IMPROVEMENT = 20, 0.002
"""A CMA-ES run of the search ends (and the search restarts) after this many generations
that did not lower the run's best loss by this share."""

FIRST_ROUND_EVALUATIONS = 200
"""Evaluations each shortlisted search gets before successive halving may stop it (at most
two thirds of the budget in all, see ``_successive_halving``): a preset's first sweep and a
few CMA-ES generations, so that a right preset that starts behind (clouds, ranked 4th by
its defaults and samples) can pass an imitator before it is dropped."""

_INSTANCE = "fitted"
"""Id of the ``"preset"`` node in a written fitted preset."""


@dataclass(frozen=True)
class FitEvent:
    """One evaluation, for a progress display. ``stage`` is "first pass" (a candidate at
    its defaults) or "search"; ``index`` counts evaluations from 1 in that stage, out of
    ``total`` (the budget; the clock may end a search earlier); ``best`` is the lowest loss
    so far over every candidate."""

    stage: str
    preset: str
    index: int
    total: int
    loss: float
    best: float
    seconds: float


@dataclass
class FitResult:
    """What ``fit`` found.

    - ``preset``: name of the chosen preset; ``source``: its file (None for a dict).
    - ``values``: the searched exposed parameters by name (float, int, or RGBA color tuple
      in [0, 1]): the lowest-loss point of the chosen preset's first pass and search (its
      defaults when nothing beat them).
    - ``loss``: the loss of those values (lower is better, 0 only for a copy);
      ``defaults_loss``: the chosen preset's loss at its defaults.
    - ``candidates``: the first-pass score of every candidate by name: the lowest loss of
      its defaults and its first-pass samples (None: it failed to render, the reason in
      ``skipped``).
    - ``history``: ``{"preset", "loss"}`` per search evaluation, in order; ``samples``:
      the random points the first pass scored per candidate (fewer than asked when the
      clock stopped it).
    - ``seconds``: wall-clock time of the whole fit; ``output``: the output compared with
      the photo; ``size``, ``seed``, ``render_seeds``: as used.
    - ``scale``: how many texture widths the photo's square crop was taken to show across
      for the chosen preset; ``candidate_scales``: the same per rendered candidate (they
      differ only with ``scale="auto"``).
    - ``found_as``: the name the engine's preset folders (``Engine.find_presets``) know the
      chosen preset's file by, so a fitted preset can instance it by name; None for a file
      outside them (or shadowed there by another of its name) and for a dict.
    """

    preset: str
    source: str | None
    values: dict[str, Any]
    loss: float
    defaults_loss: float
    candidates: dict[str, float | None]
    history: list[dict[str, Any]]
    seconds: float
    output: str
    size: int
    seed: int
    render_seeds: list[int]
    scale: float = 1.0
    samples: int = 0
    candidate_scales: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    found_as: str | None = None
    preset_object: Preset | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: colors as lists, without the ``Preset`` object."""
        data = asdict(self)
        data.pop("preset_object")
        data["values"] = {name: list(value) if isinstance(value, tuple) else value
                          for name, value in self.values.items()}
        return data


# --- the photo ---------------------------------------------------------------------------

def _square(photo: str | os.PathLike | np.ndarray) -> np.ndarray:
    """The photo's largest centred square: float32 (side, side, C) in [0, 1], C = 1 or 3.
    Raises ``InputError`` naming the file (see ``load_photo``)."""
    label = "photo" if isinstance(photo, np.ndarray) else str(photo)
    image = np.asarray(photo if isinstance(photo, np.ndarray) else read_image(photo),
                       dtype=np.float32)
    if image.ndim == 2:
        image = image[:, :, None]
    if image.ndim != 3 or not 1 <= image.shape[2] <= 4:
        raise InputError(f"{label}: expected an image (H, W) or (H, W, 1..4), got shape "
                         f"{image.shape}")
    height, width = image.shape[:2]
    if min(height, width) < MIN_PHOTO_SIDE:
        raise InputError(f"{label}: {width}x{height} is too small to fit: each side needs "
                         f"at least {MIN_PHOTO_SIDE} pixels")
    if image.shape[2] in (2, 4):
        image = image[:, :, :-1]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return np.clip(image[top:top + side, left:left + side], 0.0, 1.0)


def _texture_width(photo_side: int, *, size: int, scale: float) -> int:
    """Pixels per texture width at which renders and photo are compared: ``size``, or what
    the photo holds when one texture width of it (photo_side / scale) is smaller."""
    return min(size, int(photo_side / scale))


def _target(square: np.ndarray, *, size: int, scale: float, label: str = "photo"):
    """(target, texture width): the square resized so that one texture width is
    ``_texture_width`` pixels, i.e. to ``scale`` times that; see ``load_photo``."""
    width = _texture_width(square.shape[0], size=size, scale=scale)
    if width < MIN_PHOTO_SIDE:
        raise InputError(f"{label}: at scale {scale:g} one texture width is {width} pixels "
                         f"of the photo; it needs at least {MIN_PHOTO_SIDE}: use a smaller "
                         "scale or a larger photo")
    side = max(1, round(width * scale))
    return area_resize(square, side, side), width


def load_photo(photo: str | os.PathLike | np.ndarray, *, size: int,
               scale: float = 1.0) -> np.ndarray:
    """The fit's target: float32 (n, n, C) in [0, 1], C = 1 or 3 (alpha dropped).

    ``photo`` is an image file or a float array (H, W) or (H, W, C) in [0, 1]. Its largest
    centred square shows ``scale`` texture widths across; it is area-resized so that one
    texture width is ``min(size, square side / scale)`` pixels, so n = that times
    ``scale`` (``size`` x ``size`` at scale 1 when the photo has ``size`` pixels or more).
    Renders at ``size`` are compared with it at that pixel scale (``fit`` area-resizes them
    when the photo holds fewer pixels per texture width: the photo is never enlarged).
    Raises ``InputError`` naming the file for a missing or unreadable file, one smaller than
    ``MIN_PHOTO_SIDE``, or one with fewer than ``MIN_PHOTO_SIDE`` pixels per texture
    width at ``scale``.
    """
    label = "photo" if isinstance(photo, np.ndarray) else str(photo)
    return _target(_square(photo), size=size, scale=_check_scale(scale), label=label)[0]


# --- colors in CIELAB ----------------------------------------------------------------------

_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])  # D65
_DELTA = 6.0 / 29.0


def rgb_to_unit_lab(rgb) -> np.ndarray:
    """sRGB in [0, 1] (3,) → CIELAB scaled to [0, 1]: (L / 100, (a + 128) / 256, (b + 128)
    / 256), clipped."""
    c = np.clip(np.asarray(rgb, np.float64), 0.0, 1.0)
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    t = _RGB_TO_XYZ @ linear / _WHITE
    f = np.where(t > _DELTA ** 3, np.cbrt(t), t / (3 * _DELTA ** 2) + 4.0 / 29.0)
    lab = np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])
    return np.clip((lab + [0.0, 128.0, 128.0]) / [100.0, 256.0, 256.0], 0.0, 1.0)


def _unit_lab_to_linear(unit) -> np.ndarray:
    """Unit CIELAB (see ``rgb_to_unit_lab``) → linear RGB, outside [0, 1] out of gamut."""
    lab = np.asarray(unit, np.float64) * [100.0, 256.0, 256.0] - [0.0, 128.0, 128.0]
    fy = (lab[0] + 16) / 116
    f = np.array([fy + lab[1] / 500, fy, fy - lab[2] / 200])
    t = np.where(f > _DELTA, f ** 3, 3 * _DELTA ** 2 * (f - 4.0 / 29.0))
    return np.linalg.solve(_RGB_TO_XYZ, t * _WHITE)


def unit_lab_to_rgb(unit) -> np.ndarray:
    """The inverse of ``rgb_to_unit_lab``; colors outside the sRGB gamut are clipped."""
    linear = np.clip(_unit_lab_to_linear(unit), 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear,
                    1.055 * linear ** (1 / 2.4) - 0.055)


def _gamut_excess(unit) -> float:
    """How far a unit CIELAB color lies outside the sRGB gamut: the summed distance of its
    linear RGB from [0, 1] (0 inside)."""
    linear = _unit_lab_to_linear(unit)
    return float(np.sum(np.maximum(linear - 1.0, 0.0) + np.maximum(-linear, 0.0)))


# --- the search space ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Dimension:
    """One searched parameter: ``width`` coordinates of the [0, 1] search vector."""

    name: str
    type: str
    width: int
    low: float = 0.0
    high: float = 1.0

    def encode(self, value) -> list[float]:
        if self.type == "color":
            return list(rgb_to_unit_lab(value[:3]))
        return [(float(value) - self.low) / (self.high - self.low)]

    def decode(self, coords, default):
        if self.type == "color":
            rgb = unit_lab_to_rgb(coords)
            alpha = default[3] if len(default) > 3 else 1.0
            return tuple(round(float(v), 6) for v in (*rgb, alpha))
        value = self.low + float(np.clip(coords[0], 0, 1)) * (self.high - self.low)
        if self.type == "int":
            return int(np.clip(round(value), self.low, self.high))
        return round(value, 6)


def searched_dimensions(preset: Preset) -> list[_Dimension]:
    """The parameters the search varies, in the preset's order (see the module doc)."""
    found = []
    for name, param in preset.parameters.items():
        if name in preset.derived:
            continue
        if param.type in ("int", "float") and param.min is not None \
                and param.max is not None and param.max > param.min:
            found.append(_Dimension(name, param.type, 1, float(param.min), float(param.max)))
        elif param.type == "color":
            found.append(_Dimension(name, "color", 3))
    return found


def first_pass_samples(preset: Preset, count: int, colors: np.ndarray,
                       rng: np.random.Generator) -> list[dict[str, Any]]:
    """``count`` random points of ``preset``'s search space, as values by parameter name.

    The numbers (``searched_dimensions``' ints and floats) form a Latin hypercube over their
    ranges: each parameter's range is cut into ``count`` equal strata and every stratum is
    used once, so a few samples already span each range. Each color parameter takes the
    color of a random row of ``colors`` (N, C) in [0, 1] (the photo's pixels; C = 1 is
    gray, repeated to RGB), its default's alpha kept: a color the photo shows is a better
    first guess than a uniform one, and the search refines it. Deterministic for ``rng``;
    none for a preset with nothing to search.
    """
    dims = searched_dimensions(preset)
    if not dims:
        return []
    numbers = [d for d in dims if d.type != "color"]
    strata = np.stack([rng.permutation(count) for _ in numbers], axis=1) if numbers \
        else np.zeros((count, 0))
    cube = (strata + rng.uniform(size=strata.shape)) / max(count, 1)   # (count, numbers)
    picks = rng.integers(0, len(colors), (count, len(dims) - len(numbers)))
    samples = []
    for row, pick in zip(cube, picks):
        values, coords, chosen = {}, iter(row), iter(pick)
        for d in dims:
            default = preset.parameters[d.name].default
            if d.type == "color":
                pixel = colors[next(chosen)]
                rgb = np.repeat(pixel, 3) if len(pixel) == 1 else pixel[:3]
                alpha = default[3] if len(default) > 3 else 1.0
                values[d.name] = tuple(round(float(v), 6) for v in (*rgb, alpha))
            else:
                values[d.name] = d.decode([next(coords)], default)
        samples.append(values)
    return samples


def dominant_colors(pixels: np.ndarray, count: int) -> np.ndarray:
    """``count`` colors that summarise ``pixels`` (N, C) in [0, 1] (C = 1: gray, repeated to
    RGB; else the first three channels): k-means (10 Lloyd iterations) from the mean
    colors of ``count`` equal luminance-ordered bins, over at most ``2**14`` evenly picked
    pixels. (count, 3) float64 sRGB; deterministic without a random generator; a cluster
    left empty keeps its start."""
    rgb = np.repeat(pixels, 3, axis=1) if pixels.shape[1] == 1 else pixels[:, :3]
    rgb = rgb[::max(1, len(rgb) // 2**14)].astype(np.float64)
    order = np.argsort(rgb @ np.array([0.2126, 0.7152, 0.0722]), kind="stable")
    centres = np.stack([rgb[part].mean(axis=0) for part in np.array_split(order, count)])
    for _ in range(10):
        nearest = np.argmin(((rgb[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        for cluster in range(count):
            members = rgb[nearest == cluster]
            if len(members):
                centres[cluster] = members.mean(axis=0)
    return centres


# --- the loss ------------------------------------------------------------------------------

def compared_output(preset: Preset) -> str:
    """The output a fit compares with the photo: basecolor, else the preset's first."""
    return "basecolor" if "basecolor" in preset.outputs else next(iter(preset.outputs))


class _Loss:
    """The fit's loss of a render against one target (H, W, C) float in [0, 1]:
    ``LOSS_WEIGHTS`` of patch-SWD (seeded by ``seed``), spectrum and histogram distances,
    after ``metrics.match_channels``. The target's side of the patch-SWD is made once per
    channel count the renders come in (what ``match_channels`` makes of the target depends
    only on it), not at every evaluation."""

    def __init__(self, target: np.ndarray, seed: int):
        self.target, self.seed = target, seed
        self._references: dict[int, metrics.PatchSWDReference] = {}

    def __call__(self, render: np.ndarray) -> float:
        a, b, _ = metrics.match_channels(render, self.target)
        a = np.clip(a, 0.0, 1.0)
        channels = render.shape[2] if render.ndim == 3 else 1
        if channels not in self._references:
            self._references[channels] = metrics.PatchSWDReference(b, seed=self.seed,
                                                                   patches=2048)
        return (LOSS_WEIGHTS["patch_swd"] * self._references[channels](a)
                + LOSS_WEIGHTS["spectrum"] * metrics.spectrum_distance(a, b)
                + LOSS_WEIGHTS["histogram"] * metrics.histogram_distance(a, b))


def _resolve_presets(engine, presets) -> tuple[dict[str, Preset], bool, dict[str, str]]:
    """Candidates by name, whether the caller named them (then a failure is an error), and
    the default candidates left out, by name, with why: those that failed to load (the first
    line of the error) and those that read a file (a ``path`` parameter: an image input
    would let the fit copy the photo instead of finding a procedural look)."""
    named = presets is not None
    listed = ([(None, source) for source in presets] if named
              else list(engine.find_presets().items()))
    if not listed:
        raise InputError("no presets to fit: name some, or see 'texgen presets'")
    found: dict[str, Preset] = {}
    failed: dict[str, str] = {}
    for listed_as, source in listed:
        try:
            preset = engine.load_preset(source)
        except TexgenError as exc:
            if named:
                raise
            failed[listed_as] = str(exc).splitlines()[0]
            continue
        reads = [name for name, param in preset.parameters.items() if param.type == "path"]
        if reads and not named:
            failed[listed_as] = (f"reads a file (parameter '{reads[0]}'): not a procedural "
                                 "candidate; name it to fit it")
            continue
        name = preset.name
        if name in found:
            name = f"{name} ({preset.source})"
        found[name] = preset
    return found, named, failed


def found_as(engine, preset: Preset) -> str | None:
    """The name ``engine.find_presets`` gives ``preset``'s file, if it gives it one."""
    if preset.path is None:
        return None
    path = preset.path.resolve()
    return next((name for name, found in engine.find_presets().items()
                 if found.resolve() == path), None)


def _check_scale(scale) -> float:
    """``scale`` as a float; ``InputError`` unless it is a finite number > 0."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) \
            or not math.isfinite(scale) or scale <= 0:
        raise InputError(f"fit: scale must be a number > 0 or 'auto', got {scale!r}")
    return float(scale)


def fit(photo: str | os.PathLike | np.ndarray, *,
        presets: Iterable[str | os.PathLike | Mapping | Preset] | None = None,
        engine=None, minutes: float = 2.0, seed: int = 0, size: int = 256, seeds: int = 2,
        samples: int = 16, shortlist: int = 4, evaluations: int = 1200,
        scale: float | str = 1.0, progress: Callable[[FitEvent], None] | None = None) -> FitResult:
    """Choose the preset and exposed parameter values whose render looks most like a photo.

    Args:
        photo: an image file, or a float array (H, W) or (H, W, C) in [0, 1]; at least
            ``MIN_PHOTO_SIDE`` pixels a side. Its centred square crop shows ``scale``
            texture widths across.
        presets: candidates (names, paths, dicts or ``Preset``); default: every preset found
            in the engine's preset folders but those that read a file (a ``path``
            parameter, such as an image input); those that fail to load or render are
            skipped and listed in ``FitResult.skipped`` (a named one that fails is an error).
        engine: the ``texgen.Engine`` to render with (default: a new one).
        minutes: wall-clock bound of the whole fit, first pass included.
        seed: seeds the render seeds, the patch sampling of the loss and CMA-ES.
        size: side of the square renders, in pixels (>= 32); also the pixels per texture
            width the photo is compared at, unless it holds fewer (``load_photo``).
        seeds: render seeds each loss is averaged over (>= 1).
        samples: random points of each candidate's search space the first pass scores
            besides its defaults (>= 0; ``first_pass_samples``, drawn from ``seed``); it
            stops drawing them at ``SAMPLING_TIME_SHARE`` of ``minutes``.
        shortlist: how many of the first pass's best candidates are searched (>= 1); each
            search starts from its candidate's best first-pass point.
        evaluations: search evaluations in all, shared by the shortlisted presets by
            successive halving (``_successive_halving``).
        scale: how many texture widths the photo's square crop shows across (> 0; 1: the
            crop is one texture). ``"auto"``: the first pass scores every candidate against
            the photo at each of ``AUTO_SCALES`` (those leaving ``MIN_PHOTO_SIDE`` pixels
            per texture width) with the same renders, and each candidate keeps the scale at
            which its defaults score best. Scale and a preset's own frequency parameters
            trade against each other, so this finds the scale that suits the preset's
            defaults, not a true one.
        progress: called with a ``FitEvent`` after every evaluation.

    Returns:
        a ``FitResult``. Raises ``InputError`` for a bad photo, an unknown preset or bad
        options, and ``texgen.errors`` errors of a named preset that fails to render.
    """
    start = time.perf_counter()
    deadline = start + 60.0 * minutes
    for name, value, low in (("size", size, 32), ("seeds", seeds, 1), ("samples", samples, 0),
                             ("shortlist", shortlist, 1), ("evaluations", evaluations, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InputError(f"fit: {name} must be an integer >= {low}, got {value!r}")
    if not minutes > 0:
        raise InputError(f"fit: minutes must be > 0, got {minutes!r}")
    auto = isinstance(scale, str) and scale == "auto"
    scales = AUTO_SCALES if auto else (_check_scale(scale),)
    if evaluations:
        _cma_class()  # missing cmaes: fail before the first pass, not after it
    if engine is None:
        from texgen.engine import Engine

        engine = Engine()
    square = _square(photo)
    label = "photo" if isinstance(photo, np.ndarray) else str(photo)
    targets = {s: _target(square, size=size, scale=s, label=label) for s in scales
               if not auto or _texture_width(len(square), size=size, scale=s) >= MIN_PHOTO_SIDE}
    candidates, named, unloadable = _resolve_presets(engine, presets)
    render_seeds = [int(s) for s in np.random.default_rng([seed, 7]).integers(0, 2**31, seeds)]
    state = {"best": float("inf"), "stage": "first pass", "index": 0, "total": 0}

    def renders(preset: Preset, values: Mapping[str, Any]) -> list[np.ndarray]:
        output = compared_output(preset)
        return [engine.render(preset, size=size, seed=render_seed, overrides=values,
                              outputs=[output])[output] for render_seed in render_seeds]

    losses = {s: _Loss(target, seed) for s, (target, _) in targets.items()}

    def loss_against(images: list[np.ndarray], at_scale: float) -> float:
        width = targets[at_scale][1]
        return float(np.mean([
            losses[at_scale](image if width == size else area_resize(image, width, width))
            for image in images]))

    def record(name: str, loss: float) -> float:
        state["best"] = min(state["best"], loss)
        state["index"] += 1
        if progress is not None:
            progress(FitEvent(state["stage"], name, state["index"], state["total"], loss,
                              state["best"], time.perf_counter() - start))
        return loss

    scores: dict[str, float | None] = {}
    defaults_scores: dict[str, float] = {}
    starts: dict[str, dict[str, Any]] = {}
    candidate_scales: dict[str, float] = {}
    skipped: dict[str, str] = dict(unloadable)
    scores.update(dict.fromkeys(unloadable))
    state["total"] = sum(1 + (samples if searched_dimensions(preset) else 0)
                         for preset in candidates.values())

    def first_pass(name: str, preset: Preset, values: dict[str, Any]) -> float:
        """Score one first-pass point; keep it (and its scale) when it is the candidate's
        best so far."""
        images = renders(preset, values)
        losses = {at_scale: loss_against(images, at_scale) for at_scale in targets}
        best_scale = min(losses, key=lambda at_scale: (losses[at_scale], at_scale))
        loss = record(name, losses[best_scale])
        if scores.get(name) is None or loss < scores[name]:
            scores[name], starts[name], candidate_scales[name] = loss, values, best_scale
        return loss

    for name, preset in candidates.items():
        try:
            defaults_scores[name] = first_pass(name, preset, {})
        except TexgenError as exc:
            if named:
                raise
            scores[name], skipped[name] = None, str(exc).splitlines()[0]
    colors = next(iter(targets.values()))[0].reshape(-1, square.shape[2])
    sample_rng = np.random.default_rng([seed, 11])
    plans = {name: first_pass_samples(candidates[name], samples, colors, sample_rng)
             for name in defaults_scores}
    sampling_ends = start + SAMPLING_TIME_SHARE * (deadline - start)
    drawn = 0
    for index in range(samples):
        if time.perf_counter() > sampling_ends:
            break
        drawn += 1
        for name in defaults_scores:
            if index < len(plans[name]):
                first_pass(name, candidates[name], plans[name][index])
    ranked = sorted((name for name in scores if scores[name] is not None),
                    key=lambda name: (scores[name], name))
    if not ranked:
        raise InputError("fit: no candidate preset rendered: "
                         + "; ".join(f"{n}: {e}" for n, e in skipped.items()))
    chosen = ranked[:shortlist]

    def loss_of(name: str, preset: Preset, values: Mapping[str, Any]) -> float:
        return record(name, loss_against(renders(preset, values), candidate_scales[name]))

    history: list[dict[str, Any]] = []
    state.update(stage="search", index=0, total=evaluations)
    sweep_colors = dominant_colors(colors, SWEEP_POINTS["color"])
    searches = [_Search(name, candidates[name], seed=seed, start=starts[name],
                        start_loss=scores[name], loss_of=loss_of, history=history,
                        colors=sweep_colors)
                for name in chosen]
    _successive_halving(searches, evaluations, deadline)
    winner = min(searches, key=lambda search: search.best_loss)
    best = (winner.best_loss, winner.name, winner.best_values)
    loss, name, values = best
    preset = candidates[name]
    return FitResult(preset=preset.name, source=str(preset.path) if preset.path else None,
                     values=values, loss=float(loss),
                     defaults_loss=float(defaults_scores[name]),
                     candidates=scores, history=history,
                     seconds=round(time.perf_counter() - start, 3),
                     output=compared_output(preset), size=size, seed=seed,
                     render_seeds=render_seeds, scale=candidate_scales[name], samples=drawn,
                     candidate_scales=candidate_scales, skipped=skipped,
                     found_as=found_as(engine, preset), preset_object=preset)


def _cma_class():
    """``cmaes.CMA``, imported on first use: the search is the only part that needs it."""
    try:
        from cmaes import CMA
    except ImportError:
        raise InputError("texgen fit needs the 'cmaes' package: pip install 'texgen[fit]'") \
            from None
    return CMA


class _Search:
    """One preset's search over its searched parameters, from ``start`` (values by name;
    those missing keep their defaults), resumable: ``run`` continues where the last call
    stopped. ``best_loss`` / ``best_values`` / ``best_x``: the lowest loss so far, its values
    and its search vector; ``start`` counts as evaluated, at ``start_loss``.

    The points come from ``proposals``, in rounds: a coordinate sweep (``sweep``) from the
    best point, then CMA-ES from the best point until it stalls, then again with CMA-ES's
    population doubled (IPOP restarts). CMA-ES alone, from one start, rounds ints and
    settles on the first basin it finds (bricks' mortar in the brick color, made thin); the
    sweeps move one parameter at a time across its whole range, to the target's dominant
    colors and to the int values CMA-ES's rounding keeps it from stepping to, and each
    restart searches again around what they found, wider as its population grows.
    ``colors``: the sweep's color candidates, (K, 3) sRGB in [0, 1] (``dominant_colors``).
    """

    def __init__(self, name: str, preset: Preset, *, seed: int, start: Mapping[str, Any],
                 start_loss: float, loss_of: Callable[[str, Preset, Mapping[str, Any]], float],
                 history: list[dict[str, Any]], colors: np.ndarray):
        self.name, self.preset, self.loss_of, self.history = name, preset, loss_of, history
        self.seed = seed
        self.dims = searched_dimensions(preset)
        self.defaults = {d.name: preset.parameters[d.name].default for d in self.dims}
        self.best_loss, self.best_values = start_loss, {**self.defaults, **start}
        self.best_x = np.concatenate([d.encode(self.best_values[d.name]) for d in self.dims]) \
            if self.dims else np.zeros(0)
        if len(self.best_x) == 1:  # cmaes needs two dimensions or more: an unused second one
            self.best_x = np.append(self.best_x, 0.5)
        self.colors = colors
        self.proposals = self.propose() if self.dims else None
        self.next_x = None

    def decode(self, x) -> dict[str, Any]:
        values, offset = {}, 0
        for d in self.dims:
            values[d.name] = d.decode(x[offset:offset + d.width], self.defaults[d.name])
            offset += d.width
        return values

    def gamut_penalty(self, x) -> float:
        """Added to what CMA-ES is told (not to the loss): the colors' distance outside the
        sRGB gamut. Out of gamut, clipping makes the loss flat, and the search would drift
        there; the penalty leads it back to where the loss can guide it."""
        penalty, offset = 0.0, 0
        for d in self.dims:
            if d.type == "color":
                penalty += _gamut_excess(x[offset:offset + d.width])
            offset += d.width
        return penalty

    def sweep_values(self, dim: _Dimension) -> list[np.ndarray]:
        """The coordinates a sweep tries for ``dim``: a color takes each sweep color; a
        number the centres of ``SWEEP_POINTS["float"]`` equal strata of its range (an int:
        ``SWEEP_POINTS["int"]`` values evenly spread, every one when the range holds
        fewer, and the best point's value +- 1, the step CMA-ES's rounding rarely takes),
        and the best point's value times each of ``HARMONICS`` (when it is > 0): counts
        and frequencies have harmonic traps, such as twice the true stripe count, that
        share most of the truth's spectrum and that no small step leaves."""
        if dim.type == "color":
            return [rgb_to_unit_lab(color) for color in self.colors]
        best = float(self.best_values[dim.name])
        harmonics = [best * factor for factor in HARMONICS] if best > 0 else []
        if dim.type == "int":
            count = min(SWEEP_POINTS["int"], int(dim.high - dim.low) + 1)
            values = np.round([*np.linspace(dim.low, dim.high, count), best - 1, best + 1,
                               *harmonics])
        else:
            count = SWEEP_POINTS["float"]
            values = [dim.low + (index + 0.5) / count * (dim.high - dim.low)
                      for index in range(count)] + harmonics
        return [np.array(dim.encode(value))
                for value in np.unique(np.clip(values, dim.low, dim.high))]

    def sweep(self):
        """Coordinate sweep from the best point so far (which moves as soon as a point is
        better): first the colors, every assignment of the sweep colors to the color
        parameters at once when there are at most ``JOINT_COLOR_SWEEP`` (one at a time
        otherwise: a brick and a mortar color swapped is a basin that single moves do not
        leave), then each number in turn across its ``sweep_values``. Points that decode
        to the best point's values are skipped. Yields points, is sent their losses."""
        offsets = np.cumsum([0] + [d.width for d in self.dims])
        colors = [(d, offset) for d, offset in zip(self.dims, offsets) if d.type == "color"]
        numbers = [((d, offset),) for d, offset in zip(self.dims, offsets)
                   if d.type != "color"]
        joint = len(self.colors) ** len(colors) <= JOINT_COLOR_SWEEP
        groups = ([tuple(colors)] if joint and colors else [(c,) for c in colors]) + numbers
        for group in groups:
            for choice in itertools.product(*(self.sweep_values(d) for d, _ in group)):
                x = self.best_x.copy()
                for (d, offset), coords in zip(group, choice):
                    x[offset:offset + d.width] = np.clip(coords, 1e-6, 1 - 1e-6)
                if self.decode(x) != self.decode(self.best_x):
                    yield x

    def cma(self, population: int | None, restart: int):
        """CMA-ES from the best point (sigma 0.25 of the unit ranges) with ``population``
        points a generation (None: cmaes' default), until its own stop test or
        ``STALL_GENERATIONS`` generations without lowering its best by
        ``STALL_IMPROVEMENT`` (relative). Yields points, is sent their losses; returns
        the population it used."""
        optimizer = _cma_class()(mean=np.clip(self.best_x, 1e-6, 1 - 1e-6), sigma=0.25,
                                 bounds=np.array([[0.0, 1.0]] * len(self.best_x)),
                                 seed=self.seed + restart, population_size=population)
        best, stalled = math.inf, 0
        while True:
            told = []
            for _ in range(optimizer.population_size):
                x = optimizer.ask()
                loss = yield x
                told.append((x, loss + GAMUT_PENALTY * self.gamut_penalty(x)))
            optimizer.tell(told)
            generation_best = min(loss for _, loss in told)
            if generation_best < best * (1 - STALL_IMPROVEMENT):
                best, stalled = generation_best, 0
            else:
                stalled += 1
            if stalled >= STALL_GENERATIONS or optimizer.should_stop():
                return optimizer.population_size

    def propose(self):
        """Every point the search evaluates, forever: sweep, CMA-ES, then sweep and CMA-ES
        with twice the last population, and so on."""
        population, restart = None, 0
        while True:
            yield from self.sweep()
            population = 2 * (yield from self.cma(population, restart))
            restart += 1

    def run(self, budget: int, until: float) -> None:
        """Up to ``budget`` more evaluations, stopping at the clock time ``until``."""
        if self.proposals is None:
            return
        if self.next_x is None:
            self.next_x = next(self.proposals)
        spent = 0
        while spent < budget and time.perf_counter() < until:
            x = self.next_x
            values = self.decode(x)
            loss = self.loss_of(self.name, self.preset, values)
            spent += 1
            self.history.append({"preset": self.name, "loss": loss})
            if loss < self.best_loss:
                self.best_loss, self.best_values, self.best_x = loss, values, x.copy()
            self.next_x = self.proposals.send(loss)


def _successive_halving(searches: list[_Search], evaluations: int, deadline: float) -> None:
    """Share ``evaluations`` among the searches in rounds: every round splits its budget
    equally among the searches still running, then the worse half of them (by best loss so
    far) stops, until one is left, which gets the last round. The first round gives each
    search ``FIRST_ROUND_EVALUATIONS`` (at most two thirds of the budget in all), the later
    rounds equal shares of the rest. A preset clearly behind after its first sweep and a few
    generations stops spending the budget, and the leader gets most of it. The clock
    (``deadline``) is shared in proportion."""
    running = list(searches)
    rounds = math.ceil(math.log2(len(running))) + 1
    unspent = evaluations
    for round_index in range(rounds):
        round_budget = unspent // (rounds - round_index)
        count = len(running)
        if round_index == 0 and count > 1:
            first_share = min(FIRST_ROUND_EVALUATIONS, 2 * evaluations // (3 * count))
            round_budget = max(round_budget, first_share * count)
        for position, search in enumerate(running):
            share = round_budget // count + (position < round_budget % count)
            now = time.perf_counter()
            until = now + max(0.0, deadline - now) * share / max(1, unspent)
            unspent -= share
            search.run(share, until)
        running = sorted(running, key=lambda search: search.best_loss)[:math.ceil(count / 2)]


# --- writing -------------------------------------------------------------------------------

def _tiled(render: np.ndarray, scale: float, side: int) -> np.ndarray:
    """A tileable render repeated to cover ``scale`` texture widths, area-resized to
    ``side``: what a photo showing ``scale`` widths of it would look like."""
    reps = math.ceil(scale)
    covered = max(1, round(scale * render.shape[0]))
    return area_resize(np.tile(render, (reps, reps, 1))[:covered, :covered], side, side)


def fit_sheet(result: FitResult, photo: str | os.PathLike | np.ndarray, *, engine=None,
              gap: int = 4) -> np.ndarray:
    """target | fitted render | the chosen preset at its defaults, side by side.

    Float32 (size, 3 * size + 2 * gap, 3) in [0, 1], white gaps: the photo's centred square,
    then the compared output at the fitted values and at the defaults, both at the fit's
    first render seed (so the two renders differ only by the parameters) and tiled to the
    fit's ``scale`` texture widths, so all three show the same area. Everything is
    area-resized to the fit's ``size``; gray images are repeated to three channels.
    """
    if engine is None:
        from texgen.engine import Engine

        engine = Engine()
    preset = result.preset_object
    if preset is None:
        raise InputError(f"fit: no preset object in the result for '{result.preset}'")
    tiles = [area_resize(_square(photo), result.size, result.size)]
    for values in (result.values, {}):
        render = engine.render(preset, size=result.size, seed=result.render_seeds[0],
                               overrides=values, outputs=[result.output])[result.output]
        tiles.append(_tiled(render, result.scale, result.size))
    rgb = [np.clip(np.repeat(t, 3, axis=2) if t.shape[2] == 1 else t[:, :, :3], 0, 1)
           for t in tiles]
    space = np.ones((result.size, gap, 3))
    return np.concatenate([rgb[0], space, rgb[1], space, rgb[2]], axis=1).astype(np.float32)


def _toml_value(value) -> str:
    """A TOML literal for a str, bool, int, float or a sequence of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return repr(value.item() if isinstance(value, np.generic) else value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string: the same escapes
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "a").replace("-", "a").isalnum() and key.isascii() \
        else json.dumps(key)


def _reference(preset: Preset, found_as: str | None, path: Path) -> str:
    """How the preset written at ``path`` names the ``preset`` it instances: by name when
    the preset folders found it (``found_as``, e.g. ``FitResult.found_as``: short, and it
    survives moving the written file) unless a file of that name in ``path``'s folder would
    be found first (a ``"preset"`` node looks in its own file's folder before the preset
    folders; ``path`` itself counts: it would instance itself); else by a path relative to
    ``path``'s folder."""
    from texgen.engine import PRESET_SUFFIXES

    chosen, folder = preset.path.resolve(), path.resolve().parent
    if path.resolve() == chosen:
        raise InputError(f"{path}: is the chosen preset '{preset.name}' itself; write the "
                         "new preset to another file")
    if found_as is not None:
        local = [folder / found_as,
                 *(folder / f"{found_as}{suffix}" for suffix in PRESET_SUFFIXES)]
        first = next((p for p in local if p == path.resolve() or p.is_file()), None)
        if first is None or first.resolve() == chosen:
            return found_as
    return Path(os.path.relpath(chosen, folder)).as_posix()


def instance_text(preset: Preset, values: Mapping[str, Any], path: str | os.PathLike, *,
                  found_as: str | None, comments: Iterable[str] = (),
                  description: str = "", node: str = _INSTANCE) -> str:
    """The TOML text of a preset, to be written at ``path``, that instances ``preset``
    (which has a file) with ``values``: those parameters exposed again with the values as
    defaults (and ``preset``'s types, ranges and docs), one ``"preset"`` node instancing
    it (named as ``_reference`` says) with the id ``node``, its outputs (formats kept), its
    size, seed and tiling; ``comments`` head the file as ``#`` lines. Shared by
    ``texgen fit`` and ``texgen describe``."""
    reference = _reference(preset, found_as, Path(path))
    lines = [f"# {line}" for line in comments]
    lines += ["texgen = 1", f"name = {_toml_value(Path(path).stem)}",
              f"description = {_toml_value(description)}",
              f"size = {_toml_value(list(preset.size))}", f"seed = {preset.seed}",
              f"tileable = {_toml_value(preset.tileable)}", ""]
    for name, value in values.items():
        param = preset.parameters[name]
        lines.append(f"[parameters.{_toml_key(name)}]")
        lines.append(f"type = {_toml_value(param.type)}")
        lines.append(f"default = {_toml_value(value)}")
        for key in ("min", "max"):
            if getattr(param, key) is not None:
                lines.append(f"{key} = {_toml_value(getattr(param, key))}")
        if param.doc:
            lines.append(f"doc = {_toml_value(param.doc)}")
        lines.append("")
    lines += [f"[nodes.{node}]", 'type = "preset"', f"preset = {_toml_value(reference)}"]
    lines += [f"{_toml_key(name)} = {_toml_value('$' + name)}" for name in values]
    lines += ["", "[outputs]"]
    for name, entry in preset.outputs.items():
        if entry.view:
            continue
        fields = [f"node = {_toml_value(f'{node}.{name}')}"]
        if entry.format:
            fields.append(f"format = {_toml_value(entry.format)}")
        if entry.normalize:
            fields.append("normalize = true")
        lines.append(f"{_toml_key(name)} = {{ {', '.join(fields)} }}")
    return "\n".join(lines) + "\n"


def write_instance(preset: Preset, values: Mapping[str, Any], path: str | os.PathLike, *,
                   found_as: str | None, comments: Iterable[str] = (),
                   description: str = "", node: str = _INSTANCE) -> Path:
    """Write ``instance_text`` (see there) to ``path`` atomically; return ``path``."""
    path = Path(path)
    text = instance_text(preset, values, path, found_as=found_as, comments=comments,
                         description=description, node=node)
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
    return path


def fitted_preset_text(result: FitResult, path: str | os.PathLike) -> str:
    """The TOML text ``write_fitted_preset`` writes to ``path`` (see there)."""
    preset = result.preset_object
    if preset is None or preset.path is None:
        raise InputError(f"fit: the chosen preset '{result.preset}' has no file, so a "
                         "fitted preset cannot instance it: fit presets given by name or path")
    comments = ["Written by texgen fit: the chosen preset, instanced with the fitted values.",
                f"Fit scale {result.scale:g}: the photo's square crop showed {result.scale:g} "
                "texture widths across; one render of this preset is one of them."]
    description = (f"{result.preset} fitted to a photo showing {result.scale:g} texture "
                   f"widths across (loss {result.loss:.4g}).")
    return instance_text(preset, result.values, path, found_as=result.found_as,
                         comments=comments, description=description)


def write_fitted_preset(result: FitResult, path: str | os.PathLike) -> Path:
    """Write the fit as a preset and its report; return the report's path.

    ``path`` (a ``.toml`` file) gets an ordinary preset: the fitted parameters exposed with
    their fitted values as defaults (and the chosen preset's ranges and docs), a ``"preset"``
    node instancing the chosen preset (by its name when the preset folders found it, else by
    a path relative to ``path``'s folder: see ``_reference``), and the chosen preset's
    outputs (formats kept). ``{stem}.fit.json`` next to it gets ``FitResult.as_dict()``.
    Both are written together (``StagedFiles``: neither changes when one fails). Raises
    ``InputError`` when ``path`` is the chosen preset's own file or cannot be written.
    """
    path, report = fitted_paths(path)
    text = fitted_preset_text(result, path)
    body = json.dumps(result.as_dict(), indent=2) + "\n"
    with StagedFiles() as staged:  # both files or neither
        staged.stage(path).write_text(text, encoding="utf-8")
        staged.stage(report).write_text(body, encoding="utf-8")
        staged.commit()
    return report


def fitted_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """(the preset, its ``{stem}.fit.json`` report) ``write_fitted_preset`` writes for
    ``path``; ``InputError`` when either cannot be written (``check_writable``): the CLI
    checks before fitting, so minutes of search are not lost to a bad ``-o``."""
    path = Path(path)
    report = path.with_name(f"{path.stem}.fit.json")
    for each in (path, report):
        check_writable(each)
    return path, report
