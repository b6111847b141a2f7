"""GMM patch models: fitting one to an exemplar's patches, and the .npz model file.

A patch is a (patch, patch, channels) window flattened in (row, column, channel) order, so
a model of 7x7 color patches is a mixture over D = 147 dimensions.

The file is an uncompressed NumPy .npz archive of plain arrays, loaded with
``allow_pickle=False`` (nothing in it is ever unpickled):

- ``weights`` float64 (K,), ``means`` float64 (K, D), ``covariances`` float64 (K, D, D);
- ``metadata``: a (1,) unicode array holding a JSON object: ``format`` ("texgen-gmm"),
  ``version`` (1), ``patch_size``, ``channels``, ``components``, ``exemplar`` (file name),
  ``exemplar_size`` ([height, width]) and ``fit`` (samples, reg, seed, iterations,
  converged, seconds and the log-likelihood per iteration).
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from texgen.errors import InputError
from texgen.io import atomic_write
from texgen_stats._common import single_threaded_blas
from texgen_stats.mixture import Mixture, fit_mixture

FORMAT = "texgen-gmm"
VERSION = 1
#: Defaults of ``texgen train gmm`` and ``fit_patch_model``: on 256² photos of brick, grass
#: and gravel, 5x5 patches with 32 components matched 7x7 with 24 in patch-SWD at about
#: two thirds of the fit time (benchmarks/quality.py).
DEFAULTS = {"patch_size": 5, "components": 32, "iterations": 30, "samples": 10000,
            "reg": 1e-4, "tol": 1e-3, "seed": 0}
_ARRAYS = ("weights", "means", "covariances", "metadata")
_ZIP_MAGIC = b"PK\x03\x04"


class ModelFileError(InputError):
    """A GMM model file is missing, corrupt, of another version or inconsistent."""


@dataclass(frozen=True)
class PatchModel:
    """A mixture over flattened (patch_size, patch_size, channels) patches, with metadata."""

    mixture: Mixture
    patch_size: int
    channels: int
    metadata: dict[str, Any]


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
                    seed: int = DEFAULTS["seed"], exemplar_name: str = "",
                    progress: Callable[[int, float], None] | None = None) -> PatchModel:
    """Fit a GMM to random patches of ``image`` (H, W, C) float32 in [0, 1].

    See ``mixture.fit_mixture`` for ``components``, ``iterations``, ``reg``, ``tol``,
    ``seed`` and ``progress``; ``samples`` patches are drawn (seeded by ``seed`` too). BLAS
    runs single-threaded where threadpoolctl is installed (``_common.single_threaded_blas``).
    """
    height, width, channels = image.shape
    if min(height, width) < patch_size:
        raise ValueError(f"the exemplar is {width}x{height} pixels, smaller than the "
                         f"{patch_size}x{patch_size} patch")
    started = time.perf_counter()
    rng = np.random.Generator(np.random.PCG64(seed))
    patches = extract_patches(image, patch_size, samples=samples, rng=rng)
    with single_threaded_blas():
        mixture, stats = fit_mixture(patches, components=components, iterations=iterations,
                                     reg=reg, tol=tol, seed=seed, progress=progress)
    metadata = {
        "format": FORMAT, "version": VERSION, "patch_size": patch_size, "channels": channels,
        "components": components, "exemplar": exemplar_name, "exemplar_size": [height, width],
        "fit": {"samples": len(patches), "reg": reg, "tol": tol, "seed": seed,
                "iterations": stats.iterations, "converged": stats.converged,
                "seconds": round(time.perf_counter() - started, 3),
                "log_likelihood": stats.log_likelihood},
    }
    return PatchModel(mixture, patch_size, channels, metadata)


def save_model(model: PatchModel, path: str | Path) -> None:
    """Write ``model`` to ``path`` as an .npz archive (atomically; the name is kept as is)."""
    def write(temporary: Path) -> None:
        with open(temporary, "wb") as file:  # a file object: np.savez would add ".npz"
            np.savez(file, weights=model.mixture.weights, means=model.mixture.means,
                     covariances=model.mixture.covariances,
                     metadata=np.array([json.dumps(model.metadata)]))

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
            missing = [name for name in _ARRAYS if name not in archive.files]
            if missing:
                raise fail(f"not a texgen GMM model: missing {', '.join(missing)}")
            arrays = {name: archive[name] for name in _ARRAYS}
    except ModelFileError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        # ValueError includes "Object arrays cannot be loaded when allow_pickle=False".
        raise fail(f"corrupt model file: {exc}") from None
    metadata = _read_metadata(arrays["metadata"], fail)
    mixture = _check_arrays(arrays, metadata, fail)
    return PatchModel(mixture, metadata["patch_size"], metadata["channels"], metadata)


def _read_metadata(array: np.ndarray, fail) -> dict[str, Any]:
    if array.dtype.kind != "U" or array.size != 1:
        raise fail(f"metadata must be one JSON string, got {array.dtype} {array.shape}")
    try:
        metadata = json.loads(array.item())
    except json.JSONDecodeError as exc:
        raise fail(f"metadata is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict):
        raise fail("metadata is not a JSON object")
    if metadata.get("format") != FORMAT:
        raise fail(f"not a texgen GMM model: format {metadata.get('format')!r}, expected "
                   f"{FORMAT!r}")
    if metadata.get("version") != VERSION:
        raise fail(f"model format version {metadata.get('version')!r} is not supported "
                   f"(this texgen reads version {VERSION}); retrain it with 'texgen train gmm'")
    for key in ("patch_size", "channels", "components"):
        value = metadata.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(f"metadata '{key}' must be a positive integer, got {value!r}")
    return metadata


def _check_arrays(arrays: dict[str, np.ndarray], metadata: dict[str, Any], fail) -> Mixture:
    k = metadata["components"]
    dim = metadata["patch_size"] ** 2 * metadata["channels"]
    expected = {"weights": (k,), "means": (k, dim), "covariances": (k, dim, dim)}
    for name, shape in expected.items():
        array = arrays[name]
        if array.dtype.kind != "f" or array.shape != shape:
            raise fail(f"'{name}' must be a float array of shape {shape} (from the metadata: "
                       f"{k} components, {metadata['patch_size']}x{metadata['patch_size']}x"
                       f"{metadata['channels']} patches), got {array.dtype} {array.shape}")
        if not np.isfinite(array).all():
            raise fail(f"'{name}' holds non-finite values")
    weights = arrays["weights"].astype(np.float64)
    if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
        raise fail("'weights' must be non-negative and sum to 1")
    covariances = arrays["covariances"].astype(np.float64)
    if not np.allclose(covariances, covariances.transpose(0, 2, 1), rtol=0, atol=1e-9):
        raise fail("'covariances' must be symmetric")
    try:
        np.linalg.cholesky(covariances)
    except np.linalg.LinAlgError:
        raise fail("'covariances' must be positive definite") from None
    return Mixture(weights, arrays["means"].astype(np.float64), covariances)
