"""Helpers shared by the stats nodes: exemplar loading, single-threaded BLAS."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from texgen.errors import InputError
from texgen.io import read_image
from texgen.nodes import param_error


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one BLAS thread, where ``threadpoolctl`` is installed.

    The EM fit and the sampler make thousands of small matrix products; OpenBLAS threads
    stall on them when the cores are busy with other work (a 256² fit on a loaded 2-core
    machine took many times longer with two threads than with one). Without threadpoolctl this does
    nothing: set ``OPENBLAS_NUM_THREADS=1`` (or ``OMP_NUM_THREADS=1``) before starting
    Python instead.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def read_exemplar(path: Path, *, node_id: str, param: str) -> np.ndarray:
    """The image at ``path`` as float32 (h, w, 3) color in [0, 1].

    Gray is repeated in r, g, b; alpha is dropped. Raises ``ValueError`` naming the node,
    the parameter and the file when it is unset, unreadable or not 1 to 4 channels.
    """
    return as_color(read_exemplar_image(path, node_id=node_id, param=param))


def read_exemplar_image(path: Path | None, *, node_id: str, param: str,
                        resources=None) -> np.ndarray:
    """The image at ``path`` as the file has it: float32 (h, w, C), C in 1..4. Read
    through ``resources`` (a ``texgen.resources.ResourceCache``) when given. Raises
    ``ValueError`` naming the node, the parameter and the file when it is unset, missing,
    unreadable or not 1 to 4 channels."""
    if path is None:
        raise param_error(node_id, param, "no file given: set it to an exemplar image "
                          "(relative to the preset's folder)")
    try:
        image = (read_image(path) if resources is None
                 else resources.get("stats.exemplar", path, read_image))
    except InputError as exc:
        raise param_error(node_id, param, str(exc)) from None
    except OSError as exc:  # the resource cache reads the file to digest it
        raise param_error(node_id, param, f"{path}: cannot read image: "
                          f"{exc.strerror or exc}") from None
    if image.ndim != 3 or not 1 <= image.shape[2] <= 4:
        raise param_error(node_id, param, f"{path}: expected 1 to 4 channels, got shape "
                          f"{image.shape}")
    return image


def as_color(image: np.ndarray) -> np.ndarray:
    """An (h, w, C) image, C in 1..4, as float32 (h, w, 3) color clipped to [0, 1]: gray
    (with or without alpha) repeated in r, g, b, alpha dropped."""
    color = np.repeat(image[..., :1], 3, axis=2) if image.shape[2] <= 2 else image[..., :3]
    return np.ascontiguousarray(np.clip(color, 0.0, 1.0), np.float32)
