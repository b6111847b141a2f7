"""GMM patch models: fitting one to an exemplar's patches, and the .npz model file.

A patch is a (patch, patch, channels) window flattened in (row, column, channel) order, so
a model of 7x7 color patches is a mixture over D = 147 dimensions. A multi-scale model
(``levels`` > 1) appends to each patch its 3 x 3 x channels parent values (``scales``):
D = 147 + 27 for 7x7 color patches, and its ``coarser`` model, of the exemplar averaged
down 2x2, has ``levels`` - 1 levels itself.

The file is an uncompressed NumPy .npz archive of plain arrays, loaded with
``allow_pickle=False`` (nothing in it is ever unpickled):

- ``weights`` float64 (K,), ``means`` float64 (K, D), ``covariances`` float64 (K, D, D);
- for a multi-scale model, the same three for each coarser level n = 1 .. levels - 1,
  named ``weights_n``, ``means_n`` and ``covariances_n`` (D without parents at the
  coarsest level);
- ``metadata``: a (1,) unicode array holding a JSON object: ``format`` ("texgen-gmm"),
  ``version`` (1), ``patch_size``, ``channels``, ``components``, ``levels`` (1 when
  absent), ``exemplar`` (file name), ``exemplar_size`` ([height, width]), ``fit``
  (samples, reg, seed, iterations, converged, seconds and the log-likelihood per
  iteration) and ``coarser_fits`` (the same for each coarser level; empty when absent).
"""

from __future__ import annotations

import json
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from texgen.errors import InputError
from texgen.io import atomic_write
from texgen_stats._common import single_threaded_blas
from texgen_stats.mixture import Mixture, fit_mixture
from texgen_stats.scales import PARENT_GRID, coarse_size, downsample, parent_offsets, upsample

FORMAT = "texgen-gmm"
VERSION = 1
#: Defaults of ``texgen train gmm`` and ``fit_patch_model``.
DEFAULTS = {"patch_size": 5, "components": 32, "iterations": 30, "samples": 10000,
            "reg": 1e-4, "tol": 1e-3, "seed": 0, "levels": 1}
#: Most levels of a multi-scale model (each halves the exemplar).
MAX_LEVELS = 4
_MIXTURE_ARRAYS = ("weights", "means", "covariances")
_ZIP_MAGIC = b"PK\x03\x04"


class ModelFileError(InputError):
    """A GMM model file is missing, corrupt, of another version or inconsistent."""


@dataclass(frozen=True)
class PatchModel:
    """A mixture over flattened (patch_size, patch_size, channels) patches, with metadata.

    With a ``coarser`` model (of the texture averaged down 2x2), each of the mixture's
    vectors is a patch followed by its parents: the upsampled coarse texture at the
    (3, 3) grid ``scales.parent_offsets`` of the patch, flattened (row, column, channel).
    """

    mixture: Mixture
    patch_size: int
    channels: int
    metadata: dict[str, Any]
    coarser: PatchModel | None = None

    @property
    def patch_dims(self) -> int:
        """Dimensions of the patch itself: the first ``patch_dims`` of the mixture's."""
        return self.patch_size ** 2 * self.channels

    @property
    def levels(self) -> int:
        return 1 + (self.coarser.levels if self.coarser is not None else 0)

    def transposed(self) -> PatchModel:
        """The model of the transposed patches (rows and columns swapped, parents too), at
        every level: it samples the transposes of this model's textures."""
        def swapped(side: int, start: int) -> np.ndarray:
            grid = np.arange(side * side * self.channels).reshape(side, side, self.channels)
            return start + grid.transpose(1, 0, 2).ravel()

        order = swapped(self.patch_size, 0)
        if self.coarser is not None:
            order = np.concatenate([order, swapped(PARENT_GRID, self.patch_dims)])
        mixture = self.mixture
        return PatchModel(Mixture(mixture.weights, mixture.means[:, order],
                                  mixture.covariances[:, order][:, :, order]),
                          self.patch_size, self.channels, self.metadata,
                          None if self.coarser is None else self.coarser.transposed())


def extract_patches(image: np.ndarray, patch_size: int, *, samples: int,
                    rng: np.random.Generator) -> np.ndarray:
    """float32 (N, patch_size**2 * C): patches of image (H, W, C) at random positions.

    Positions are drawn without replacement among the windows that fit inside the image
    (an exemplar photo does not wrap around); N = min(samples, number of windows).
    """
    windows = np.lib.stride_tricks.sliding_window_view(
        image, (patch_size, patch_size), axis=(0, 1))  # (h', w', C, p, p)
    rows, cols = windows.shape[:2]
    picked = rng.choice(rows * cols, size=min(samples, rows * cols), replace=False)
    chosen = windows[picked // cols, picked % cols]  # (N, C, p, p)
    return np.ascontiguousarray(chosen.transpose(0, 2, 3, 1).reshape(len(picked), -1),
                                np.float32)


def fit_patch_model(image: np.ndarray, *, patch_size: int = DEFAULTS["patch_size"],
                    components: int = DEFAULTS["components"],
                    iterations: int = DEFAULTS["iterations"], samples: int = DEFAULTS["samples"],
                    reg: float = DEFAULTS["reg"], tol: float = DEFAULTS["tol"],
                    seed: int = DEFAULTS["seed"], levels: int = DEFAULTS["levels"],
                    exemplar_name: str = "",
                    progress: Callable[[int, int, float], None] | None = None) -> PatchModel:
    """Fit a GMM to random patches of ``image`` (H, W, C) float32 in [0, 1].

    See ``mixture.fit_mixture`` for ``components``, ``iterations``, ``reg``, ``tol`` and
    ``seed``; ``samples`` patches are drawn (seeded by ``seed`` too). ``levels`` (1 ..
    ``MAX_LEVELS``, default 1) > 1 fits a multi-scale model: first, recursively, one of
    ``levels`` - 1 levels to the image averaged down 2x2 (the ``coarser`` model), then this
    level's mixture over each patch joined with its parents (``PatchModel``); the image
    must then be at least patch_size * 2 ** (levels - 1) pixels on each side.
    ``progress(level, iteration, log_likelihood)`` is called after every EM iteration,
    level 1 the finest. BLAS runs single-threaded where threadpoolctl is installed
    (``_common.single_threaded_blas``).
    """
    height, width, channels = image.shape
    if not 1 <= levels <= MAX_LEVELS:
        raise ValueError(f"levels must be 1..{MAX_LEVELS}, got {levels}")
    smallest = patch_size * 2 ** (levels - 1)
    if min(height, width) < smallest:
        raise ValueError(f"the exemplar is {width}x{height} pixels, smaller than the "
                         f"{patch_size}x{patch_size} patch" + (
                             f" at each of {levels} levels (it needs {smallest}x{smallest})"
                             if levels > 1 else ""))
    for level in range(levels):  # each level fits its components to its own patches
        h, w = coarse_size(height, level), coarse_size(width, level)
        count = (h - patch_size + 1) * (w - patch_size + 1)
        if count < components:
            where = (f", averaged down to {w}x{h} at level {level + 1} of {levels},"
                     if level else "")
            raise ValueError(
                f"the exemplar is {width}x{height} pixels{where} with only {count} "
                f"{patch_size}x{patch_size} patches, fewer than the {components} components: "
                f"use fewer components{' or levels' if levels > 1 else ''}, or a larger "
                f"exemplar")
    coarser = None
    if levels > 1:
        coarser = fit_patch_model(
            downsample(image), patch_size=patch_size, components=components,
            iterations=iterations, samples=samples, reg=reg, tol=tol, seed=seed,
            levels=levels - 1, exemplar_name=exemplar_name,
            progress=None if progress is None else (
                lambda level, i, ll: progress(level + 1, i, ll)))
    started = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64(seed))
    patches = extract_patches(image if coarser is None else _with_parents(image), patch_size,
                              samples=samples, rng=rng)
    if coarser is not None:
        patches = _split_parents(patches, patch_size, channels)
    with single_threaded_blas():
        mixture, stats = fit_mixture(
            patches, components=components, iterations=iterations, reg=reg, tol=tol,
            seed=seed, progress=None if progress is None else (
                lambda i, ll: progress(1, i, ll)))
    fit = {"samples": len(patches), "reg": reg, "tol": tol, "seed": seed,
           "iterations": stats.iterations, "converged": stats.converged,
           "seconds": round(time.perf_counter() - started, 3),
           "log_likelihood": stats.log_likelihood}
    metadata = {
        "format": FORMAT, "version": VERSION, "patch_size": patch_size, "channels": channels,
        "components": components, "levels": levels, "exemplar": exemplar_name,
        "exemplar_size": [height, width],
        "fit": fit, "coarser_fits": [] if coarser is None else [
            coarser.metadata["fit"], *coarser.metadata["coarser_fits"]],
    }
    return PatchModel(mixture, patch_size, channels, metadata, coarser)


def _with_parents(image: np.ndarray) -> np.ndarray:
    """(H, W, 2 C): image beside its parents, the image averaged down 2x2 and upsampled
    back (edges clamped: the exemplar does not wrap around)."""
    height, width = image.shape[:2]
    parents = upsample(downsample(image), height, width, periodic=False)
    return np.concatenate([image, parents], axis=2)


def _split_parents(windows: np.ndarray, patch_size: int, channels: int) -> np.ndarray:
    """float32 (N, p * p * C + 9 C): windows (N, p * p * 2 C) of ``_with_parents``, as the
    patch followed by its parents at ``parent_offsets``."""
    windows = windows.reshape(len(windows), patch_size, patch_size, 2 * channels)
    at = parent_offsets(patch_size)
    parents = windows[:, at[:, None], at[None, :], channels:]
    return np.ascontiguousarray(np.concatenate(
        [windows[..., :channels].reshape(len(windows), -1),
         parents.reshape(len(windows), -1)], axis=1))


def save_model(model: PatchModel, path: str | Path) -> None:
    """Write ``model`` to ``path`` as an .npz archive (atomically; the name is kept as is)."""
    arrays = {}
    level, current = 0, model
    while current is not None:
        arrays.update({_array_name(name, level): getattr(current.mixture, name)
                       for name in _MIXTURE_ARRAYS})
        level, current = level + 1, current.coarser

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as file:  # a file object: np.savez would add ".npz"
            np.savez(file, **arrays, metadata=np.array([json.dumps(model.metadata)]))

    atomic_write(Path(path), write)


def load_model(path: str | Path) -> PatchModel:
    """Read and check a model file written by ``save_model``.

    Raises ``ModelFileError`` naming the file when it is missing, not an .npz archive,
    truncated, holds pickled objects, is of another format or version, or its arrays do
    not agree with its metadata (shapes, finite values, weights summing to 1, positive
    definite covariances).
    """
    path = Path(path)

    def fail(problem: str) -> ModelFileError:
        return ModelFileError(f"{path}: {problem}")

    try:
        with open(path, "rb") as file:
            magic = file.read(len(_ZIP_MAGIC))
    except OSError as exc:
        raise fail(f"cannot read model: {exc.strerror or exc}") from None
    if magic != _ZIP_MAGIC:
        # np.load would try other formats (even pickle) on a file that is not a zip archive.
        raise fail("not a texgen GMM model (not an .npz archive); train one with "
                   "'texgen train gmm'")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if "metadata" not in archive.files:
                raise fail("not a texgen GMM model: missing metadata")
            metadata = _read_metadata(_array(archive, "metadata", fail), fail)
            names = [_array_name(name, level)
                     for level in range(metadata["levels"]) for name in _MIXTURE_ARRAYS]
            missing = [name for name in names if name not in archive.files]
            if missing:
                raise fail(f"not a texgen GMM model: missing {', '.join(missing)}")
            arrays = {name: _array(archive, name, fail) for name in names}
    except ModelFileError:
        raise
    except (OSError, ValueError, EOFError, MemoryError, zipfile.BadZipFile,
            zlib.error) as exc:
        # ValueError includes "Object arrays cannot be loaded when allow_pickle=False";
        # MemoryError a header that declares a huge shape.
        raise fail(f"corrupt model file: {type(exc).__name__}: {exc}") from None
    model = None
    fits = [metadata["fit"], *metadata["coarser_fits"]]
    height, width = metadata["exemplar_size"]
    for level in reversed(range(metadata["levels"])):  # coarsest first
        mixture = _check_arrays(
            {name: arrays[_array_name(name, level)] for name in _MIXTURE_ARRAYS}, metadata,
            level, parents=model is not None, fail=fail)
        level_metadata = {**metadata, "levels": metadata["levels"] - level,
                          "exemplar_size": [coarse_size(height, level),
                                            coarse_size(width, level)],
                          "fit": fits[level], "coarser_fits": fits[level + 1:]}
        model = PatchModel(mixture, metadata["patch_size"], metadata["channels"],
                           level_metadata, model)
    return model


def _array_name(name: str, level: int) -> str:
    """The archive name of mixture array ``name`` ("weights", ...) of ``level`` (0 finest)."""
    return f"{name}_{level}" if level else name


def _array(archive, name: str, fail) -> np.ndarray:
    """Member ``name`` of an open .npz archive, which must be a .npy array (np.load hands
    other members over as bytes)."""
    value = archive[name]
    if not isinstance(value, np.ndarray):
        raise fail(f"'{name}' is not a NumPy array")
    return value


def _read_metadata(array: np.ndarray, fail) -> dict[str, Any]:
    if array.dtype.kind != "U" or array.size != 1:
        raise fail(f"metadata must be one JSON string, got {array.dtype} {array.shape}")
    try:
        metadata = json.loads(array.item())
    except (json.JSONDecodeError, RecursionError) as exc:
        raise fail(f"metadata is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise fail("metadata is not a JSON object")
    if metadata.get("format") != FORMAT:
        raise fail(f"not a texgen GMM model: format {metadata.get('format')!r}, expected "
                   f"{FORMAT!r}")
    if metadata.get("version") != VERSION:
        raise fail(f"model format version {metadata.get('version')!r} is not supported "
                   f"(this texgen reads version {VERSION}); retrain it with 'texgen train gmm'")
    metadata = {"levels": 1, **metadata}
    for key in ("patch_size", "channels", "components", "levels"):
        value = metadata.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(f"metadata '{key}' must be a positive integer, got {value!r}")
    if metadata["levels"] > MAX_LEVELS:
        raise fail(f"metadata 'levels' must be 1..{MAX_LEVELS}, got {metadata['levels']}")
    metadata.setdefault("coarser_fits", [])
    fits = metadata["coarser_fits"]
    if not isinstance(fits, list) or len(fits) != metadata["levels"] - 1:
        raise fail(f"metadata 'coarser_fits' must list the fit of each of the "
                   f"{metadata['levels'] - 1} coarser levels, got {fits!r:.80}")
    if not all(isinstance(fit, dict) for fit in [metadata.get("fit"), *fits]):
        raise fail("metadata 'fit' and each of 'coarser_fits' must be a JSON object")
    size = metadata.get("exemplar_size")
    if not (isinstance(size, list) and len(size) == 2 and all(
            isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in size)):
        raise fail(f"metadata 'exemplar_size' must be [height, width], got {size!r:.80}")
    return metadata


def _check_arrays(arrays: dict[str, np.ndarray], metadata: dict[str, Any], level: int, *,
                  parents: bool, fail) -> Mixture:
    """The mixture of ``level`` from its arrays (keyed by ``_MIXTURE_ARRAYS``), checked
    against the metadata; ``parents``: the level's patches carry parent values."""
    k, channels = metadata["components"], metadata["channels"]
    dim = (metadata["patch_size"] ** 2 + (PARENT_GRID ** 2 if parents else 0)) * channels
    expected = {"weights": (k,), "means": (k, dim), "covariances": (k, dim, dim)}
    for name, shape in expected.items():
        array, key = arrays[name], _array_name(name, level)
        if array.dtype.kind != "f" or array.shape != shape:
            raise fail(f"'{key}' must be a float array of shape {shape} (from the metadata: "
                       f"{k} components, {metadata['patch_size']}x{metadata['patch_size']}x"
                       f"{channels} patches{' with parents' if parents else ''}), got "
                       f"{array.dtype} {array.shape}")
        if not np.isfinite(array).all():
            raise fail(f"'{key}' holds non-finite values")
    weights = arrays["weights"].astype(np.float64)
    if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
        raise fail(f"'{_array_name('weights', level)}' must be non-negative and sum to 1")
    covariances = arrays["covariances"].astype(np.float64)
    if not np.allclose(covariances, covariances.transpose(0, 2, 1), rtol=0, atol=1e-9):
        raise fail(f"'{_array_name('covariances', level)}' must be symmetric")
    try:
        np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise fail(f"'{_array_name('covariances', level)}' must be positive "
                   f"definite") from None
    return Mixture(weights, arrays["means"].astype(np.float64), covariances)
