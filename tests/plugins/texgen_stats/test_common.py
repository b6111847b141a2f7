"""texgen_stats._common: exemplar colors, single-threaded BLAS."""

import sys
import types
from contextlib import contextmanager

import numpy as np

from texgen_stats._common import as_color, single_threaded_blas


def test_single_threaded_blas_limits_blas_through_threadpoolctl(monkeypatch):
    calls = []

    @contextmanager
    def threadpool_limits(**kwargs):
        calls.append(("enter", kwargs))
        yield
        calls.append(("exit", kwargs))

    monkeypatch.setitem(sys.modules, "threadpoolctl",
                        types.SimpleNamespace(threadpool_limits=threadpool_limits))
    with single_threaded_blas():
        calls.append(("body", None))
    limits = {"limits": 1, "user_api": "blas"}
    assert calls == [("enter", limits), ("body", None), ("exit", limits)]


def test_without_threadpoolctl_it_runs_the_block_as_it_is(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import raises ImportError
    ran = []
    with single_threaded_blas():
        ran.append(True)
    assert ran == [True]


def test_as_color_repeats_gray_and_drops_alpha():
    gray_alpha = np.stack([np.full((2, 2), 0.4), np.ones((2, 2))], axis=-1)
    np.testing.assert_array_equal(as_color(gray_alpha), np.full((2, 2, 3), 0.4, np.float32))
    rgba = np.random.default_rng(0).random((2, 3, 4))
    np.testing.assert_allclose(as_color(rgba), rgba[..., :3], rtol=1e-6)
