"""Random procedural materials: image2maps training samples that belong to no preset.

Fourteen presets are few materials: a network trained on them alone learns each preset's
relief depth and color-to-height habits, which do not carry over to a preset it has not
seen. ``random_material_preset`` draws a small random graph of texgen's own nodes instead
(a dict shaped like a preset file, rendered by ``Engine.render`` like any preset):

- height: one of eight shape generators (fBm or ridged noise, Voronoi distances, bricks,
  hexagons, a cell mosaic, scattered bumps, waves) at a random feature size, with a random
  share of fBm detail mixed in;
- basecolor: a random gradient map of the height, of an independent noise, or of the two
  blended, so that brightness follows the height in some materials and not in others (the
  network has to read relief from the shading, not from the albedo);
- normal: ``filters.normal_map`` of the height at a relief depth log-uniform over the
  presets' range (0.2-6); AO from the same height and depth; roughness an
  independent noise through random levels.

Every choice comes from the ``numpy`` generator passed in, so a sample is deterministic.
"""

from __future__ import annotations

import numpy as np

#: Height generators: node type, parameters as functions of the generator, output port.
_SHAPES = (
    ("noise.simplex", lambda r: {"frequency": r.uniform(2, 12), "octaves": int(r.integers(3, 8)),
                                 "gain": r.uniform(0.35, 0.65)}, "out"),
    ("noise.perlin", lambda r: {"frequency": r.uniform(2, 10), "fractal": "ridged",
                                "octaves": int(r.integers(2, 6)), "gain": r.uniform(0.4, 0.7)},
     "out"),
    ("noise.cellular", lambda r: {"frequency": r.uniform(3, 16),
                                  "return_type": str(r.choice(["f1", "f2_minus_f1", "f2"])),
                                  "jitter": r.uniform(0.5, 1.0)}, "out"),
    ("patterns.bricks", lambda r: {"rows": int(r.integers(3, 16)), "columns": int(r.integers(2, 8)),
                                   "mortar": r.uniform(0.03, 0.2), "bevel": r.uniform(0.0, 0.3),
                                   "height_variation": r.uniform(0.0, 0.5)}, "height"),
    ("patterns.hexagons", lambda r: {"count": int(r.integers(3, 14)), "gap": r.uniform(0.02, 0.15),
                                     "bevel": r.uniform(0.02, 0.4),
                                     "height_variation": r.uniform(0.0, 0.5)}, "height"),
    ("patterns.voronoi_mosaic", lambda r: {"frequency": r.uniform(3, 14),
                                           "gap": r.uniform(0.02, 0.2),
                                           "bevel": r.uniform(0.05, 0.45),
                                           "height_variation": r.uniform(0.0, 0.6)}, "height"),
    ("patterns.scatter", lambda r: {"count": int(r.integers(10, 200)),
                                    "size": r.uniform(0.04, 0.25),
                                    "softness": r.uniform(0.3, 1.0),
                                    "value_variation": r.uniform(0.0, 0.6)}, "out"),
    ("patterns.waves", lambda r: {"count": int(r.integers(2, 14)), "angle": r.uniform(0, 180),
                                  "amplitude": r.uniform(0.0, 0.1),
                                  "frequency": float(r.integers(0, 6))}, "out"),
)


def _color(rng: np.random.Generator, light: tuple[float, float]) -> str:
    """A random ``#rrggbb``: a gray level drawn in ``light``, each channel varied by up to
    35 % of it (a muted random hue)."""
    base = rng.uniform(*light)
    rgb = np.clip(base * (1.0 + rng.uniform(-0.35, 0.35, 3)), 0.0, 1.0)
    return "#" + "".join(f"{int(round(c * 255)):02x}" for c in rgb)


def _gradient(rng: np.random.Generator) -> list:
    """A random dark-to-light (or light-to-dark) three-stop gradient."""
    stops = [[0.0, _color(rng, (0.03, 0.35))], [float(rng.uniform(0.3, 0.7)),
             _color(rng, (0.2, 0.6))], [1.0, _color(rng, (0.45, 0.95))]]
    if rng.random() < 0.3:  # brightness against the height: dark tops, bright pits
        stops = [[1.0 - position, color] for position, color in reversed(stops)]
    return stops


def random_material_preset(rng: np.random.Generator) -> dict:
    """A random material graph as a preset dict with outputs basecolor, normal, height, ao
    and roughness (see the module doc)."""
    shape_type, shape_params, port = _SHAPES[int(rng.integers(len(_SHAPES)))]
    depth = float(np.exp(rng.uniform(np.log(0.2), np.log(6.0))))
    nodes = {
        "shape": {"type": shape_type, **shape_params(rng)},
        "detail": {"type": "noise.simplex", "frequency": float(rng.uniform(8, 40)),
                   "octaves": int(rng.integers(2, 6))},
        "height": {"type": "filters.blend", "background": f"shape.{port}",
                   "foreground": "detail", "mode": str(rng.choice(["overlay", "multiply", "add"])),
                   "opacity": float(rng.uniform(0.0, 0.4))},
        "stain": {"type": "noise.simplex", "frequency": float(rng.uniform(2, 16)),
                  "octaves": int(rng.integers(2, 7))},
        "height_color": {"type": "filters.gradient_map", "input": "height",
                         "gradient": _gradient(rng)},
        "stain_color": {"type": "filters.gradient_map", "input": "stain",
                        "gradient": _gradient(rng)},
        # 0: color from the height alone, 1: from the independent noise alone
        "basecolor": {"type": "filters.blend", "background": "height_color",
                      "foreground": "stain_color",
                      "opacity": float(rng.choice([0.0, 1.0, rng.uniform(0.2, 0.8)]))},
        "normal": {"type": "filters.normal_map", "height": "height", "strength": depth},
        "ao": {"type": "filters.ambient_occlusion", "height": "height",
               "radius": float(rng.uniform(0.01, 0.05)), "strength": depth * 5.0},
        "rough_noise": {"type": "noise.simplex", "frequency": float(rng.uniform(2, 20))},
        "roughness": {"type": "filters.levels", "input": "rough_noise",
                      "out_low": float(rng.uniform(0.2, 0.9)),
                      "out_high": float(rng.uniform(0.2, 0.9))},
    }
    return {"texgen": 1, "name": "procedural", "size": 128, "seed": 0, "nodes": nodes,
            "outputs": {name: name for name in ("basecolor", "normal", "height", "ao",
                                                "roughness")}}
