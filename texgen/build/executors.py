"""Where build jobs run: in this process (serial), on a local process pool, or on a Dask
cluster (``texgen.build.cluster``).

Every executor runs the same ``run_task``: a worker renders one job, writes its files into
the output folder itself (atomically, ``texgen.io.atomic_write``) and hands back a small
``JobResult`` (paths, digests, timings), never arrays. So serial, pool and Dask builds
write byte-identical files. Each executor is a generator of results, in the order jobs
finish; closing it early cancels the jobs not yet started.

Pool and Dask workers build their own ``Engine()`` from the installed plugins and the
environment (TEXGEN_PLUGINS, ...), once per worker process, and refuse a job whose
client runs other versions of texgen, its plugins, NumPy or Numba.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from texgen.build.keys import versions
from texgen.build.lock import display_path
from texgen.errors import RenderError, TexgenError
from texgen.resources import sha256_file


@dataclass(frozen=True)
class JobTask:
    """What a worker needs to render and write one job (picklable, small): the preset
    file, the variant's ``overrides``, size, seed, the target, the preset ``outputs`` it
    reads, the file of each map (absolute paths), the folder lock paths are relative to,
    and the client's ``versions`` (``texgen.build.keys.versions``)."""

    id: str
    preset: str
    overrides: Mapping[str, Any]
    size: tuple[int, int]
    seed: int
    target: Any
    outputs: tuple[str, ...]
    files: Mapping[str, str]
    base: str
    versions: Mapping[str, Any]


@dataclass
class JobResult:
    """What a worker hands back: per map the file written (``path`` as the lock records
    it, ``sha256``), the target's notes (defaults it used), seconds, the worker's name, the
    Numba threads the job ran with; or ``error`` (one or more lines)."""

    id: str
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worker: str = ""
    threads: int = 0
    error: str | None = None


def run_task(task: JobTask, engine) -> JobResult:
    """Render one job with ``engine`` and write its files; never raises for a job that
    fails (the result carries the error)."""
    import numba

    from texgen.build.targets import export_target

    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    threads = numba.get_num_threads()
    try:
        graph = engine.validate(task.preset, size=task.size, seed=task.seed,
                                overrides=task.overrides, outputs=list(task.outputs))
        textures = engine.render(graph.preset, outputs=list(task.outputs))
        planned = {name: Path(path) for name, path in task.files.items()}

        def path_for(map_name: str, extension: str) -> Path:
            path = planned[map_name]
            if path.suffix != f".{extension}":
                raise RenderError(f"map '{map_name}' was planned as {path.name} but its "
                                  f"exporter writes .{extension}")
            path.parent.mkdir(parents=True, exist_ok=True)
            return path

        exported = export_target(task.target, textures, path_for, engine=engine, graph=graph,
                                 tileable=graph.preset.tileable)
        base = Path(task.base)
        outputs = {name: {"path": display_path(Path(path), base),
                          "sha256": sha256_file(Path(path))}
                   for name, path in sorted(exported.files.items())}
        return JobResult(task.id, outputs, list(exported.notes),
                         time.perf_counter() - started, worker, threads)
    except TexgenError as exc:
        return JobResult(task.id, seconds=time.perf_counter() - started, worker=worker,
                         threads=threads, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one job's bug must not stop the others
        return JobResult(task.id, seconds=time.perf_counter() - started, worker=worker,
                         threads=threads, error=f"internal error: {type(exc).__name__}: {exc}")


def version_mismatch(mine: Mapping[str, Any], client: Mapping[str, Any]) -> str | None:
    """Why a worker with versions ``mine`` may not run the client's jobs, or None."""
    def flat(info: Mapping[str, Any]) -> dict[str, str]:
        plugins = info.get("plugins", {})
        return {**{k: str(v) for k, v in info.items() if k != "plugins"},
                **{f"plugin {k}": str(v) for k, v in plugins.items()}}

    here, there = flat(mine), flat(client)
    differences = [f"{name} {here.get(name, 'missing')} here, {there.get(name, 'missing')} "
                   f"on the client" for name in sorted(set(here) | set(there))
                   if here.get(name) != there.get(name)]
    if not differences:
        return None
    return (f"worker {socket.gethostname()} refused the job: its versions differ from the "
            f"client's ({'; '.join(differences)}); install the same texgen and plugins on "
            f"every worker")


class WorkerEngine:
    """The one ``Engine`` of a worker process, made on first use, with its versions."""

    def __init__(self):
        self._engine = None
        self.versions: dict[str, Any] | None = None

    def get(self):
        if self._engine is None:
            from texgen.engine import Engine

            self._engine = Engine()
            self.versions = versions(self._engine)
        return self._engine

    def run(self, task: JobTask) -> JobResult:
        """``run_task`` with this process's engine, after the version check."""
        engine = self.get()
        refused = version_mismatch(self.versions, task.versions)
        if refused:
            return JobResult(task.id, worker=socket.gethostname(), error=refused)
        return run_task(task, engine)


#: This process's engine when it is a pool worker (a pool worker lives for one build).
_POOL_WORKER = WorkerEngine()


def _pool_run(task: JobTask) -> JobResult:
    return _POOL_WORKER.run(task)


def run_serial(tasks: list[JobTask], engine, *, threads: int | None = None
               ) -> Iterator[JobResult]:
    """Run each job in this process with the caller's engine, in order; with ``threads``,
    Numba's parallel loops use that many threads for these jobs (restored after)."""
    import numba

    previous = numba.get_num_threads()
    if threads is not None:
        set_job_threads(threads)
    try:
        for task in tasks:
            yield run_task(task, engine)
    finally:
        numba.set_num_threads(previous)


def set_job_threads(threads: int) -> int:
    """Give the calling thread ``threads`` Numba threads for its parallel loops (Numba
    counts them per calling thread), at most the pool Numba started with; return that."""
    import numba

    threads = min(threads, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    return threads


def core_share(jobs_at_once: int, cores: int | None = None) -> int:
    """Numba threads for one job when ``jobs_at_once`` jobs share this machine's ``cores``
    (default: ``default_workers()``): at least 1, so N jobs run about one thread per core
    rather than N per core, which contend and spin."""
    return max(1, (cores or default_workers()) // max(1, jobs_at_once))


def _prepare_worker(threads: int) -> None:
    """Pool worker initializer: this worker's share of the cores for Numba's parallel
    loops (Numba's thread count is per thread; pool jobs run on the thread that set it),
    and the malloc settings the ``texgen`` command uses (``evaluate.steady_heap``)."""
    from texgen.evaluate import steady_heap

    set_job_threads(threads)
    steady_heap()


def run_pool(tasks: list[JobTask], workers: int, *, threads: int | None = None
             ) -> Iterator[JobResult]:
    """Run the jobs on ``workers`` processes (forked from a server process that imported
    texgen, so no worker inherits the caller's threads), each with ``threads`` Numba
    threads (default: its share of the cores, ``core_share``). A worker process that dies
    fails the build with a ``RenderError``."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["texgen.build.executors"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_prepare_worker,
                               initargs=(threads or core_share(workers),))
    pending = {pool.submit(_pool_run, task): task for task in tasks}
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    raise RenderError(f"{task.id}: a worker process died (killed, or out of "
                                      f"memory); the jobs that finished are kept") from None
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """The machine's cores (those this process may use)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
