"""Training pairs for image2maps, rendered by texgen from its own presets, cached on disk.

One sample (``render_sample``) is a "photo" with the maps that made it:

1. a first material: a preset rendered at random values of its exposed parameters (the
   ones ``texgen.fit`` searches, drawn uniformly in their ranges / in CIELAB) and a random
   seed, outputs basecolor, normal, height, ao, roughness;
2. with probability ``mix`` a second material (another preset) blended in under a smooth
   random tileable mask (``tileable_mask``): colors, AO and roughness are lerped, normals
   lerped and renormalised, heights standardised each and lerped;
3. shading: ``photo = albedo x shading x AO`` with Lambert shading under a random light
   (``shade``): that is what a photo of the material shows;
4. the classical estimate (``classical_maps``, ``filters.image_to_material`` at its
   defaults, wrapping) of the photo, which the network reads alongside it.

``DataSettings.procedural`` adds samples made alike from random procedural materials
(``procedural.random_material_preset``) instead of presets.

Normals are unit vectors in the OpenGL convention (x right, y up); heights are standardised
per sample (zero mean, unit standard deviation): only their shape is learned, the depth
being the normal's business. Arrays are channels first, float16, written as ``.npy`` files
(no pickle) under ``CACHE/image2maps-DIGEST/``, DIGEST naming the settings and the preset
files' contents, so repeated trainings (and the leave-one-out folds) reuse one rendering.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from texgen.fit import searched_dimensions
from texgen.nodes import NodeContext
from texgen_filters.image_to_material import image_to_material
from texgen_filters.specs_photo import IMAGE_TO_MATERIAL
from texgen_neural.image2maps.config import DataSettings
from texgen_neural.image2maps.procedural import random_material_preset

#: Bumped when the rendering below changes, so old caches are not reused.
DATA_VERSION = 1
#: The preset outputs a material needs.
MATERIAL_OUTPUTS = ("basecolor", "normal", "height", "ao", "roughness")
#: The classical normal's relief depth in what the networks read (image2maps, and the VAE's
#: photo stacks): fixed, so that the node's default ``strength`` can change without
#: changing what trained models were trained on. Scaling the slope by g is exactly a
#: strength of g x INPUT_STRENGTH (``metrics.with_slope_gain``).
INPUT_STRENGTH = 2.0
#: The ``Dataset.materials`` entry of a random procedural material (no preset).
PROCEDURAL = -2
#: Default cache folder (relative to the working directory; gitignored).
DEFAULT_CACHE = Path(".texgen-cache")
_ARRAYS = ("inputs", "targets", "classical_roughness", "materials")


@dataclass
class Dataset:
    """Rendered samples, channels first, float16 (``materials`` int16).

    - ``inputs`` (N, 7, S, S): photo RGB in [0, 1], classical height (standardised),
      classical normal (unit vector): what the network reads;
    - ``targets`` (N, 5, S, S): normal (unit vector), height (standardised), roughness in
      [0, 1]: what it should output;
    - ``classical_roughness`` (N, 1, S, S): the classical roughness estimate;
    - ``materials`` (N, 2): index into ``presets`` of each sample's first and second
      material (-1: none; ``PROCEDURAL``: a random procedural material);
    - ``presets``: the presets' names.
    """

    inputs: np.ndarray
    targets: np.ndarray
    classical_roughness: np.ndarray
    materials: np.ndarray
    presets: list[str]

    def __len__(self) -> int:
        return len(self.inputs)

    def involving(self, name: str) -> np.ndarray:
        """Boolean (N,): the samples one of whose materials is preset ``name``."""
        index = self.presets.index(name)
        return (self.materials == index).any(axis=1)

    def subset(self, keep: np.ndarray) -> Dataset:
        """The samples where ``keep`` (boolean (N,) or indices) holds."""
        return Dataset(self.inputs[keep], self.targets[keep], self.classical_roughness[keep],
                       self.materials[keep], self.presets)


# --- maps and shading ----------------------------------------------------------------------

def decode_normal(encoded: np.ndarray) -> np.ndarray:
    """An encoded normal map (H, W, 3) ``0.5 + 0.5 n`` → unit vectors (H, W, 3) float32."""
    n = np.asarray(encoded, np.float32) * 2.0 - 1.0
    return n / np.maximum(np.linalg.norm(n, axis=-1, keepdims=True), 1e-6)


def standardize(height: np.ndarray) -> np.ndarray:
    """``(h - mean) / std`` over the whole array, float32; a flat array gives zeros."""
    h = np.asarray(height, np.float32)
    std = float(h.std())
    return (h - np.float32(h.mean())) / np.float32(std if std > 1e-6 else 1.0)


def classical_maps(photo: np.ndarray, *, tileable: bool = True,
                   convention: str = "opengl") -> dict[str, np.ndarray]:
    """``filters.image_to_material`` of a (H, W, 3) photo in [0, 1] at its parameters'
    defaults (``convention`` apart) but ``strength``, which is ``INPUT_STRENGTH``: the
    classical estimate the network refines. Its outputs as that node returns them (height
    in [0, 1], normal encoded)."""
    params = {param.name: param.default for param in IMAGE_TO_MATERIAL.params}
    params["convention"] = convention
    params["strength"] = INPUT_STRENGTH
    ctx = NodeContext("classical", photo.shape[1], photo.shape[0], seed=0, tileable=tileable)
    return image_to_material(ctx, input=np.asarray(photo, np.float32)[..., :3], **params)


def tileable_mask(rng: np.random.Generator, size: int, *, cycles: float = 3.0,
                  softness: float = 0.15) -> np.ndarray:
    """A smooth random tileable mask (size, size, 1) float32 in [0, 1], about half 1.

    Gaussian-filtered white noise (about ``cycles`` blobs per width, filtered in the Fourier
    domain so it wraps), standardised, through a logistic step ``softness`` standard
    deviations wide.
    """
    noise = rng.standard_normal((size, size))
    f = np.fft.fftfreq(size) * size
    radius2 = f[:, None] ** 2 + f[None, :] ** 2
    field = np.fft.ifft2(np.fft.fft2(noise) * np.exp(-radius2 / (2 * cycles ** 2))).real
    field = standardize(field)
    return (1.0 / (1.0 + np.exp(-field / softness))).astype(np.float32)[..., None]


def shade(albedo: np.ndarray, normal: np.ndarray, ao: np.ndarray, *, light: np.ndarray,
          ambient: float) -> np.ndarray:
    """A "photo" of a material: ``clip(albedo x shading x ao, 0, 1)``, (H, W, 3) float32.

    ``shading = (ambient + (1 - ambient) max(n . light, 0)) / (ambient + (1 - ambient)
    light_z)``: Lambert under a directional ``light`` (unit (3,), OpenGL frame) plus an
    ambient share, scaled so a flat surface keeps its albedo. ``normal`` are unit vectors.
    """
    lambert = np.maximum(normal @ light.astype(np.float32), 0.0)[..., None]
    shading = (ambient + (1 - ambient) * lambert) / (ambient + (1 - ambient) * light[2])
    return np.clip(albedo * shading * ao, 0.0, 1.0).astype(np.float32)


def random_light(rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """(unit light direction (3,): azimuth uniform, elevation 25..75 degrees; ambient share
    0.1..0.4)."""
    azimuth = rng.uniform(0, 2 * np.pi)
    elevation = np.radians(rng.uniform(25, 75))
    light = np.array([np.cos(azimuth) * np.cos(elevation),
                      np.sin(azimuth) * np.cos(elevation), np.sin(elevation)])
    return light, float(rng.uniform(0.1, 0.4))


# --- rendering -----------------------------------------------------------------------------

def default_presets(engine) -> list[str]:
    """Every preset the engine finds that uses no neural node (those need trained models
    and are another model's output), sorted by name."""
    return sorted(name for name, path in engine.find_presets().items()
                  if not any(node.type.startswith("neural.")
                             for node in engine.load_preset(path).nodes.values()))


def random_values(preset, rng: np.random.Generator) -> dict:
    """Random values of the exposed parameters ``texgen.fit`` searches: each coordinate of
    its normalised search space uniform in [0, 1] (ranges for numbers, CIELAB for colors)."""
    return {dim.name: dim.decode(rng.uniform(0.0, 1.0, dim.width),
                                 preset.parameters[dim.name].default)
            for dim in searched_dimensions(preset)}


def render_material(engine, preset, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
    """A preset's ``MATERIAL_OUTPUTS`` at random values and seed, size x size: basecolor
    (H, W, 3), normal as unit vectors (H, W, 3), height standardised, ao and roughness
    (H, W, 1), float32."""
    return material_maps(engine.render(preset, size=size, seed=int(rng.integers(0, 2**31)),
                                       overrides=random_values(preset, rng),
                                       outputs=MATERIAL_OUTPUTS))


def material_maps(maps: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A render's ``MATERIAL_OUTPUTS`` as a material: basecolor (H, W, 3), normal as unit
    vectors (H, W, 3), height standardised, ao and roughness (H, W, 1), float32."""
    return {"basecolor": maps["basecolor"][..., :3], "normal": decode_normal(maps["normal"]),
            "height": standardize(maps["height"][..., :1]), "ao": maps["ao"][..., :1],
            "roughness": maps["roughness"][..., :1]}


def mix_materials(a: dict[str, np.ndarray], b: dict[str, np.ndarray],
                  mask: np.ndarray) -> dict[str, np.ndarray]:
    """``a`` where ``mask`` is 0, ``b`` where it is 1: lerped maps, normals renormalised,
    heights standardised again."""
    mixed = {key: a[key] + (b[key] - a[key]) * mask for key in a}
    mixed["normal"] = decode_normal(mixed["normal"] * 0.5 + 0.5)
    mixed["height"] = standardize(mixed["height"])
    return mixed


def render_sample(engine, presets: list, first: int, rng: np.random.Generator, *, size: int,
                  mix: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """One sample with ``presets[first]`` as its first material (see the module doc).

    Returns (inputs (7, S, S), targets (5, S, S), classical roughness (1, S, S), float32;
    (first, second material index or -1)).
    """
    material = render_material(engine, presets[first], rng, size)
    second = -1
    if len(presets) > 1 and rng.random() < mix:
        second = int(rng.choice([i for i in range(len(presets)) if i != first]))
        material = mix_materials(material, render_material(engine, presets[second], rng, size),
                                 tileable_mask(rng, size))
    return (*photo_sample(material, rng), (first, second))


def render_procedural_sample(engine, rng: np.random.Generator, *, size: int, mix: float
                             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """One sample of a random procedural material, with probability ``mix`` mixed with a
    second one; returned as ``render_sample``'s, the materials ``PROCEDURAL`` (or -1)."""
    def material() -> dict[str, np.ndarray]:
        return material_maps(engine.render(random_material_preset(rng), size=size,
                                           seed=int(rng.integers(0, 2**31)),
                                           outputs=MATERIAL_OUTPUTS))

    first, second = material(), -1
    if rng.random() < mix:
        first, second = mix_materials(first, material(), tileable_mask(rng, size)), PROCEDURAL
    return (*photo_sample(first, rng), (PROCEDURAL, second))


def photo_sample(material: dict[str, np.ndarray], rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(inputs (7, S, S), targets (5, S, S), classical roughness (1, S, S)) of a material
    shaded under a random light (steps 3 and 4 of the module doc)."""
    light, ambient = random_light(rng)
    photo = shade(material["basecolor"], material["normal"], material["ao"], light=light,
                  ambient=ambient)
    classical = classical_maps(photo)
    inputs = np.concatenate([photo, standardize(classical["height"]),
                             decode_normal(classical["normal"])], axis=-1)
    targets = np.concatenate([material["normal"], material["height"], material["roughness"]],
                             axis=-1)
    return (inputs.transpose(2, 0, 1), targets.transpose(2, 0, 1),
            classical["roughness"].transpose(2, 0, 1))


def dataset_folder(settings, engine, cache: str | os.PathLike, *, kind: str = "image2maps",
                   version: int = DATA_VERSION) -> Path:
    """``cache/KIND-DIGEST``: DIGEST of the settings (a dataclass with ``presets``), the
    data ``version`` and the bytes of every preset file used (a changed preset renders a
    new dataset). The VAE's stacks are cached alike (``kind`` "vae")."""
    fingerprint = hashlib.sha256()
    fingerprint.update(json.dumps({**dataclasses.asdict(settings), "version": version},
                                  sort_keys=True).encode())
    for name in settings.presets:
        preset = engine.load_preset(name)
        if preset.path is not None:
            fingerprint.update(preset.path.read_bytes())
    return Path(cache) / f"{kind}-{fingerprint.hexdigest()[:16]}"


def load_dataset(settings: DataSettings, *, engine=None, cache: str | os.PathLike = DEFAULT_CACHE,
                 progress: Callable[[int, int], None] | None = None) -> Dataset:
    """The dataset of ``settings``: read from its cache folder, else rendered and cached.

    ``settings.samples`` samples per preset, in preset order, then ``settings.procedural``
    procedural ones; ``progress(done, total)`` is
    called after each rendered sample. The folder is written under a temporary name and
    renamed when complete, so an interrupted rendering leaves no half-written dataset.
    Deterministic: one ``numpy`` generator seeded by (``settings.seed``, sample index).
    """
    if engine is None:
        from texgen.engine import Engine

        engine = Engine()
    if not settings.presets:
        raise ValueError("image2maps data: no presets given")
    folder = dataset_folder(settings, engine, cache)
    if (folder / "settings.json").is_file():
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
        return Dataset(**arrays, presets=list(settings.presets))
    presets = [engine.load_preset(name) for name in settings.presets]
    from_presets = settings.samples * len(presets)
    total = from_presets + settings.procedural
    rows: dict[str, list] = {name: [] for name in _ARRAYS}
    for index in range(total):
        rng = np.random.default_rng([settings.seed, index])
        if index < from_presets:
            *arrays, materials = render_sample(engine, presets, index // settings.samples, rng,
                                               size=settings.size, mix=settings.mix)
        else:
            *arrays, materials = render_procedural_sample(engine, rng, size=settings.size,
                                                          mix=settings.mix)
        for name, value in zip(_ARRAYS, (*arrays, materials)):
            rows[name].append(value)
        if progress:
            progress(index + 1, total)
    dataset = Dataset(*(np.asarray(rows[name], np.int16 if name == "materials" else np.float16)
                        for name in _ARRAYS), presets=list(settings.presets))
    partial = folder.with_name(folder.name + f".partial-{os.getpid()}")
    partial.mkdir(parents=True, exist_ok=True)
    for name in _ARRAYS:
        np.save(partial / f"{name}.npy", getattr(dataset, name), allow_pickle=False)
    (partial / "settings.json").write_text(json.dumps(dataclasses.asdict(settings), indent=2))
    try:
        partial.rename(folder)
    except OSError:  # another process cached it first: theirs is the same data
        shutil.rmtree(partial, ignore_errors=True)
    return dataset
