"""texgen's batch layer: ``texgen build`` renders a manifest of materials × variants × sizes
× seeds × targets, incrementally, serially, on a process pool or on a Dask cluster
(docs/build.md).

``texgen.build(manifest, ...)`` returns a ``BuildReport``: this package is callable (it
calls ``texgen.build.builder.build``), so that ``texgen.build`` stays the package its
modules are imported from (``import texgen.build.targets as targets`` works) and is the
API call at once. The modules: ``manifest`` (the file), ``jobs`` (expansion and checks),
``keys`` (what a job's key hashes), ``lock`` (``texgen.lock.json``), ``executors``
(serial, pool), ``cluster`` (Dask), ``targets`` (engine targets and their exports),
``builder`` (``build`` and its report), ``cli`` (the command).
"""

import sys
import types

from texgen.build.builder import BuildLocked, BuildReport, JobReport, build
from texgen.build.manifest import ManifestError

__all__ = ["BuildLocked", "BuildReport", "JobReport", "ManifestError", "build"]


class _CallablePackage(types.ModuleType):
    """``texgen.build(...)`` is ``texgen.build.build(...)``."""

    def __call__(self, manifest, **options):
        return build(manifest, **options)


sys.modules[__name__].__class__ = _CallablePackage
