"""The Dask executor: build jobs on a ``distributed`` cluster (the ``dist`` extra,
``pip install 'texgen[dist]'``; this module is imported only by ``--dask``).

``--dask local`` starts a ``LocalCluster`` of worker processes with one thread each;
``--dask ADDRESS`` joins a running scheduler (``dask scheduler`` / ``dask worker``), so
many machines share one build. Workers write into the output folder themselves: it must
be the same path on every machine (shared storage).

``BuildWorkerPlugin`` prepares each worker before it takes a job: its own Numba cache
folder (``NUMBA_CACHE_DIR``, set before it compiles anything; workers that share one
cache folder, on one machine or over a network file system, crash on each other's
writes), its ``Engine``, and warm kernels (the build's presets rendered once at 16²).
Each job's Numba loops get the worker's share of its machine's cores: the cores over
the Dask threads of all the workers on that host when the worker starts (or
``TEXGEN_JOB_THREADS``), so eight one-thread workers on an 8-core machine run one Numba
thread each rather than eight. A worker whose texgen, plugin, NumPy or Numba versions
differ from the client's refuses every job with an error saying which. A job whose worker
is lost runs again elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from distributed.comm import get_address_host

from texgen.build.executors import (
    JobResult,
    JobTask,
    WorkerEngine,
    core_share,
    set_job_threads,
    version_mismatch,
)
from texgen.errors import InputError

PLUGIN_NAME = "texgen-build"
#: Root of the per-worker Numba cache folders (default: ~/.cache/texgen/numba).
CACHE_ENV = "TEXGEN_NUMBA_CACHE_DIR"
#: Numba threads per job on a worker, overriding the share of its host's cores.
THREADS_ENV = "TEXGEN_JOB_THREADS"
#: How many times a job whose worker was lost is tried again.
RETRIES = 2
WARM_SIZE = 16


def numba_cache_folder(worker_name: str) -> Path:
    """The Numba cache folder of one worker: ``{root}/{host}-{worker name}``. A worker with
    a stable name (LocalCluster's 0, 1, ...; ``dask worker --name``) finds its compiled
    kernels again after a restart."""
    root = os.environ.get(CACHE_ENV) or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "texgen" / "numba"
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{socket.gethostname()}-{worker_name}")
    return Path(root) / safe


def threads_on_host(scheduler_identity: Mapping[str, Any], host: str) -> int:
    """The Dask threads of the workers on ``host``, from ``Scheduler.identity()``."""
    return sum(info.get("nthreads", 1) for info in scheduler_identity["workers"].values()
               if info.get("host") == host)


class BuildWorkerPlugin(WorkerPlugin):
    """Per worker: a Numba cache folder of its own, an ``Engine``, the client's versions
    checked, kernels warmed by rendering ``warm`` (preset files) at 16², and
    ``job_threads``, the Numba threads each of its jobs may use: the client's choice
    (``--threads``), else the worker's ``TEXGEN_JOB_THREADS``, else its share of its
    host's cores."""

    def __init__(self, client_versions: Mapping[str, Any], warm: tuple[str, ...], *,
                 job_threads: int | None = None):
        self.client_versions = dict(client_versions)
        self.warm = tuple(warm)
        self.engine = WorkerEngine()
        self.job_threads = job_threads  # None until setup: the worker's own default

    async def setup(self, worker) -> None:
        if self.job_threads is None:
            self.job_threads = await self._default_job_threads(worker)
        await asyncio.get_running_loop().run_in_executor(
            None, self._prepare, str(worker.name), Path(worker.local_directory))

    @staticmethod
    async def _default_job_threads(worker) -> int:
        if os.environ.get(THREADS_ENV, "").strip().isdigit():
            return max(1, int(os.environ[THREADS_ENV]))
        host = get_address_host(worker.address)
        on_host = threads_on_host(await worker.scheduler.identity(), host)
        return core_share(max(worker.state.nthreads, on_host))

    def _prepare(self, worker_name: str, local_directory: Path) -> None:
        import numba.core.config

        from texgen.evaluate import steady_heap

        steady_heap()  # the worker renders as the texgen command does

        folder = numba_cache_folder(worker_name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # no writable cache root: the worker's own scratch folder
            folder = local_directory / "numba-cache"
            folder.mkdir(parents=True, exist_ok=True)
        os.environ["NUMBA_CACHE_DIR"] = str(folder)
        numba.core.config.reload_config()
        engine = self.engine.get()
        if version_mismatch(self.engine.versions, self.client_versions):
            return  # every job is refused with the reason (WorkerEngine.run)
        for preset in self.warm:
            try:
                engine.render(preset, size=WARM_SIZE)
            except Exception:  # noqa: BLE001, S112 - a job reports a preset that fails
                continue


def use_job_threads() -> int:
    """Give the calling task thread its worker's ``job_threads`` for Numba's parallel
    loops (Numba counts threads per calling thread) and return that number."""
    return set_job_threads(get_worker().plugins[PLUGIN_NAME].job_threads)


def _dask_run(task: JobTask) -> JobResult:
    use_job_threads()
    return get_worker().plugins[PLUGIN_NAME].engine.run(task)


def run_dask(tasks: list[JobTask], address: str, *, workers: int, threads: int | None = None,
             client_versions: Mapping[str, Any], warm: tuple[str, ...]) -> Iterator[JobResult]:
    """Run the jobs on Dask: ``address`` "local" (a LocalCluster of ``workers`` processes,
    one thread each) or a scheduler address; ``threads`` Numba threads per job (default:
    each worker's share of its host's cores). Yields results as jobs finish."""
    cluster = None
    try:
        if address == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout="30s")
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise InputError(f"--dask {address}: cannot reach the scheduler: {exc}") from None
    futures = []
    try:
        client.register_plugin(BuildWorkerPlugin(client_versions, warm, job_threads=threads),
                               name=PLUGIN_NAME)
        futures = [client.submit(_dask_run, task, key=f"texgen-build-{index}-{task.id}",
                                 retries=RETRIES, pure=False)
                   for index, task in enumerate(tasks)]
        for future in as_completed(futures):
            yield future.result()
    finally:
        if futures:
            client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()
