"""How good a material VAE is: reconstruction against the random-phase baseline, morphs,
and whether its maps agree with each other.

Distances are patch-SWD (``texgen.metrics.patch_swd``) per map (basecolor, height,
roughness, normal: each (H, W, C) in [0, 1]), averaged over the four maps. The
random-phase baseline of a stack (``random_phase_stack``) keeps its whole spectrum and
cross-channel correlations and draws new phases: a reconstruction that is closer than it
kept more than the stack's statistics. Consistency compares a stack's normal with the
normal ``filters.normal_map`` derives from its height (``normal_error``), at the relief
strength that fits the reference stack best (``fitted_strength``): presets derive their
normals from their heights, so a decoder that keeps the maps consistent scores near the
inputs' own figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from texgen import metrics
from texgen.nodes import NodeContext
from texgen_filters.material import normal_map
from texgen_neural.vae.config import MAPS
from texgen_neural.vae.model import MaterialVAE, run_mode_arrays
from texgen_stats.random_phase import random_phase_texture

#: Relief strengths (percent of the width per unit of height) ``fitted_strength`` tries.
STRENGTHS = np.geomspace(0.25, 200.0, 145)


def maps_of(stack: np.ndarray) -> dict[str, np.ndarray]:
    """A stack (H, W, 8) -> {map name: float32 (H, W, C)} in ``MAPS`` order."""
    maps, start = {}, 0
    for name, channels in MAPS:
        maps[name] = np.ascontiguousarray(stack[..., start:start + channels], np.float32)
        start += channels
    return maps


def map_distances(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, float]:
    """{map name: patch-SWD of a's map to b's} for the four maps (maps by name, (H, W, C)
    in [0, 1])."""
    return {name: metrics.patch_swd(a[name], b[name]) for name, _ in MAPS}


def stack_distance(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Mean over the four maps of their patch-SWD (``map_distances``)."""
    return float(np.mean(list(map_distances(a, b).values())))


def random_phase_stack(stack: np.ndarray, *, seed: int = 0) -> dict[str, np.ndarray]:
    """The random-phase texture of a stack (H, W, 8), every channel with the same random
    phases (so the maps stay correlated as in the stack), clipped to [0, 1], as maps."""
    texture = random_phase_texture(stack, stack.shape[0], stack.shape[1], seed=seed)
    return maps_of(texture.clip(0.0, 1.0).astype(np.float32))


def normal_error(maps: dict[str, np.ndarray], strength: float) -> float:
    """Mean angle in degrees between ``maps``' normal and ``filters.normal_map`` of its
    height at ``strength`` (OpenGL, wrapping)."""
    height = maps["height"]
    ctx = NodeContext("consistency", height.shape[1], height.shape[0], seed=0, tileable=True)
    derived = normal_map(ctx, height=height, strength=strength, convention="opengl") * 2 - 1
    given = maps["normal"] * 2.0 - 1.0
    cosine = (derived * given).sum(-1) / np.maximum(
        np.linalg.norm(derived, axis=-1) * np.linalg.norm(given, axis=-1), 1e-6)
    return float(np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0))).mean())


def fitted_strength(maps: dict[str, np.ndarray]) -> float:
    """The ``STRENGTHS`` value whose derived normal agrees best with ``maps``' normal."""
    return float(min(STRENGTHS, key=lambda strength: normal_error(maps, strength)))


def reconstruction_report(model: MaterialVAE, stacks: Sequence[np.ndarray], *,
                          levels: str = "input") -> dict[str, float]:
    """Means over ``stacks`` ((H, W, 8) in [0, 1]) of (reconstructions with ``levels``, as
    the ``neural.vae`` node's parameter):

    - ``patch_swd``: of each reconstruction to its stack; ``random_phase_patch_swd``: of
      the stack's random-phase texture to it (the bar: reconstructions closer); the same
      per map as ``patch_swd_{map}`` and ``random_phase_patch_swd_{map}``;
    - ``l1``: mean absolute difference of reconstruction and stack;
    - ``normal_error``: of the reconstruction (degrees, ``normal_error`` at the stack's
      fitted strength); ``input_normal_error``: the stack's own.
    """
    rows = []
    for index, stack in enumerate(stacks):
        maps = maps_of(stack)
        out = run_mode_arrays(model, "reconstruct", height=stack.shape[0],
                              width=stack.shape[1], a=maps, levels=levels)
        strength = fitted_strength(maps)
        own = map_distances(out, maps)
        shuffled = map_distances(random_phase_stack(stack, seed=index), maps)
        rows.append({
            "patch_swd": float(np.mean(list(own.values()))),
            "random_phase_patch_swd": float(np.mean(list(shuffled.values()))),
            **{f"patch_swd_{name}": value for name, value in own.items()},
            **{f"random_phase_patch_swd_{name}": value for name, value in shuffled.items()},
            "l1": float(np.mean([np.abs(out[name] - maps[name]).mean() for name, _ in MAPS])),
            "normal_error": normal_error(out, strength),
            "input_normal_error": normal_error(maps, strength)})
    return {key: float(np.mean([row[key] for row in rows])) for key in rows[0]} if rows else {}


def morph_report(model: MaterialVAE, pairs: Sequence[tuple[np.ndarray, np.ndarray]], *,
                 midpoint: Callable[[dict, dict], dict] | None = None,
                 levels: str = "input") -> dict[str, float]:
    """Means over pairs of stacks (a, b) of the t = 0.5 morph m's (``midpoint(maps_a,
    maps_b)`` -> maps when given, to compare morph rules; else the ``neural.vae`` node's
    interpolate mode with ``levels``):

    - ``mid_to_a``, ``mid_to_b``: ``stack_distance`` of m to a and to b; ``a_to_b``: of a
      to b (the bar: both of m's below it); ``closer_fraction``: the share of pairs where
      both are;
    - ``normal_error``: m's (degrees, at the strength fitted on a and b together: their
      mean); ``input_normal_error``: the mean of a's and b's own at that strength.
    """
    rows = []
    for a, b in pairs:
        maps_a, maps_b = maps_of(a), maps_of(b)
        mid = midpoint(maps_a, maps_b) if midpoint else run_mode_arrays(
            model, "interpolate", height=a.shape[0], width=a.shape[1], a=maps_a, b=maps_b,
            t=0.5, levels=levels)
        strength = 0.5 * (fitted_strength(maps_a) + fitted_strength(maps_b))
        row = {"mid_to_a": stack_distance(mid, maps_a), "mid_to_b": stack_distance(mid, maps_b),
               "a_to_b": stack_distance(maps_a, maps_b),
               "normal_error": normal_error(mid, strength),
               "input_normal_error": 0.5 * (normal_error(maps_a, strength)
                                            + normal_error(maps_b, strength))}
        row["closer_fraction"] = float(max(row["mid_to_a"], row["mid_to_b"]) < row["a_to_b"])
        rows.append(row)
    return {key: float(np.mean([row[key] for row in rows])) for key in rows[0]} if rows else {}


def model_report(model: MaterialVAE, stacks: Sequence[np.ndarray]) -> dict[str, dict]:
    """``reconstruction_report`` of ``stacks`` and ``morph_report`` of consecutive pairs
    (stack i with stack i + n/2, so stacks listed preset by preset pair across presets)."""
    stacks = list(stacks)
    half = len(stacks) // 2
    return {"reconstruction": reconstruction_report(model, stacks),
            "morph": morph_report(model, list(zip(stacks[:half], stacks[half:2 * half])))}
