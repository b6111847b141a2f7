"""``build``: render a manifest's out-of-date jobs and keep ``texgen.lock.json`` current.

A build plans every job first (``plan_jobs``: bad input stops it before anything is
written), compares each job's key and output files with the lock file, and renders only
the jobs whose key changed or whose files are missing or were edited. Rendering builds
hold a lock on the output folder (``filelock``), so two builds on one folder run one
after the other. The lock file is rewritten as jobs finish (at most once a second, and at
the end), so a build that is killed keeps what it finished; its files are written
atomically, so it leaves no partial file, and the next build removes the temporary files
a killed writer left and renders only what is missing.
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from texgen.build.executors import (
    JobResult,
    JobTask,
    default_workers,
    run_pool,
    run_serial,
)
from texgen.build.jobs import Job, plan_jobs
from texgen.build.keys import versions
from texgen.build.lock import entry, read_lock, stale_reasons, write_lock
from texgen.build.manifest import Manifest, load_manifest
from texgen.errors import InputError, TexgenError

#: The lock ``build`` holds on the output folder while it renders.
FOLDER_LOCK = ".texgen-build.lock"
#: How often, at most, the lock file is rewritten while jobs finish.
LOCK_INTERVAL = 1.0


class BuildLocked(TexgenError):
    """Another build holds the output folder and ``wait`` was False (exit 1)."""


@dataclass
class JobReport:
    """One job of a build. ``status``: "rendered", "up_to_date", "failed", "out_of_date"
    (dry run or check), or "skipped" (not run: an earlier job failed without
    ``keep_going``). ``reasons`` says why it was (or would be) rendered; ``files`` maps
    each map to its file (absolute path); ``worker`` and ``threads`` where it ran and
    with how many Numba threads; ``error`` (one or more lines, without the job id) why it
    failed."""

    id: str
    status: str
    files: dict[str, str]
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    worker: str = ""
    threads: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {"id": self.id, "status": self.status, "files": self.files,
                "reasons": self.reasons, "notes": self.notes,
                "seconds": round(self.seconds, 4)}
        if self.worker:
            data["worker"], data["threads"] = self.worker, self.threads
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass
class BuildReport:
    """What ``build`` did (or, for a dry run or check, would do), job by job in manifest
    order. ``exit_code``: 1 if a job failed (bad input a job finds while it renders, such
    as an unreadable image, included: the manifest was valid) or a check found jobs out of
    date, else 0."""

    manifest: str
    output: str
    jobs: list[JobReport]
    seconds: float = 0.0
    check: bool = False

    def count(self, status: str) -> int:
        return sum(job.status == status for job in self.jobs)

    @property
    def rendered(self) -> int:
        return self.count("rendered")

    @property
    def up_to_date(self) -> int:
        return self.count("up_to_date")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def out_of_date(self) -> int:
        return self.count("out_of_date")

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or (self.check and self.out_of_date) else 0

    def as_dict(self) -> dict[str, Any]:
        return {"manifest": self.manifest, "output": self.output, "rendered": self.rendered,
                "up_to_date": self.up_to_date, "failed": self.failed,
                "out_of_date": self.out_of_date, "skipped": self.count("skipped"),
                "seconds": round(self.seconds, 4), "exit_code": self.exit_code,
                "jobs": [job.as_dict() for job in self.jobs]}


def build(manifest: str | os.PathLike, *, engine=None, jobs: int | None = None,
          threads: int | None = None, dask: str | None = None, dry_run: bool = False,
          check: bool = False, force: bool = False, only: Iterable[str] = (),
          keep_going: bool = False, wait: bool = True,
          on_start: Callable[[int], None] | None = None,
          on_job: Callable[[JobReport], None] | None = None,
          on_wait: Callable[[str], None] | None = None) -> BuildReport:
    """Build the manifest at ``manifest`` (a ``texgen.build.toml``/JSON file, or a folder
    holding ``texgen.build.toml``); return a ``BuildReport``.

    Keyword-only options: ``engine`` finds presets and nodes, and renders serial builds
    (default: a new ``Engine()``); ``jobs`` worker processes (default: the machine's cores;
    1 renders in this process); ``threads`` the Numba threads each job's parallel loops use
    (default: the cores over the jobs at once, at least 1); ``dask`` "local" or a scheduler
    address runs the jobs on Dask instead (``texgen.build.cluster``); ``dry_run`` and
    ``check`` only compare (nothing is written; with ``check`` the exit code is 1 when a job
    is out of date); ``force`` renders every selected job and ignores a corrupt lock file;
    ``only`` globs on job ids (``material/variant/size/seed/target``) select jobs;
    ``keep_going`` runs the other jobs after one fails (otherwise nothing new starts);
    ``wait`` waits for another build on the same output folder to finish (otherwise
    ``BuildLocked``). Callbacks: ``on_start(n)`` before ``n`` jobs render,
    ``on_job(report)`` as each finishes, ``on_wait(message)`` when another build holds the
    folder.

    Raises ``InputError`` (a ``ManifestError`` for the manifest) before anything is
    written; a job that fails is reported in the result. A script calling ``build`` with
    a process pool keeps the call under ``if __name__ == "__main__":`` (the workers import
    the main module again, as with multiprocessing's spawn).
    """
    started = time.perf_counter()
    if dask:
        _check_dask()
    loaded = load_manifest(manifest)
    if engine is None:
        from texgen.engine import Engine

        engine = Engine()
    planned = plan_jobs(loaded, engine)
    selected = _select(loaded, planned, list(only))
    base = loaded.path.parent
    recorded = _recorded(loaded, force)
    reasons = {job.id: ["forced"] if force else stale_reasons(job, recorded.get(job.id), base)
               for job in selected}
    reports = {job.id: JobReport(job.id, "out_of_date" if reasons[job.id] else "up_to_date",
                                 {name: str(path) for name, path in job.files.items()},
                                 reasons[job.id]) for job in selected}

    def finish() -> BuildReport:
        return BuildReport(str(loaded.path), str(loaded.output), list(reports.values()),
                           time.perf_counter() - started, check=check)

    if dry_run or check:
        return finish()
    manifest_ids = {job.id for job in planned}
    entries = {job_id: e for job_id, e in recorded.items() if job_id in manifest_ids}
    to_render = [job for job in selected if reasons[job.id]]
    if not to_render:
        if entries != recorded:  # jobs left the manifest
            with _folder_lock(loaded.output, wait, on_wait):
                write_lock(loaded.lock_path, entries)
        return finish()
    with _folder_lock(loaded.output, wait, on_wait):
        # another build on this folder may have written the lock while this one waited
        recorded = _recorded(loaded, force)
        entries = {job_id: e for job_id, e in recorded.items() if job_id in manifest_ids}
        if not force:
            for job in to_render:
                reasons[job.id] = stale_reasons(job, recorded.get(job.id), base)
                if not reasons[job.id]:
                    reports[job.id].status, reports[job.id].reasons = "up_to_date", []
            to_render = [job for job in to_render if reasons[job.id]]
        if not to_render:
            write_lock(loaded.lock_path, entries)
            return finish()
        _remove_partial_files(loaded, to_render)
        _run(to_render, reports, entries, loaded, engine, jobs=jobs, threads=threads,
             dask=dask, keep_going=keep_going, on_start=on_start, on_job=on_job)
    return finish()


def _check_dask() -> None:
    """``InputError`` when dask.distributed, the ``dist`` extra, is not installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError("--dask needs dask.distributed: pip install 'texgen[dist]'") from None


def _select(manifest: Manifest, planned: list[Job], only: list[str]) -> list[Job]:
    """The jobs whose id matches one of the ``only`` globs (all without globs); a glob
    that matches nothing is an ``InputError``."""
    if not only:
        return planned
    for pattern in only:
        if not any(fnmatch.fnmatchcase(job.id, pattern) for job in planned):
            examples = ", ".join(job.id for job in planned[:3])
            raise InputError(f"{manifest.source}: --only {pattern!r} matches no job (job ids "
                             f"are material/variant/size/seed/target, e.g. {examples})")
    return [job for job in planned
            if any(fnmatch.fnmatchcase(job.id, pattern) for pattern in only)]


def _recorded(manifest: Manifest, force: bool) -> dict[str, dict[str, Any]]:
    """The lock file's entries; with ``force`` a corrupt lock counts as empty."""
    try:
        return read_lock(manifest.lock_path)
    except InputError:
        if force:
            return {}
        raise


class _folder_lock:
    """Hold ``output/.texgen-build.lock`` (the folder is created): wait for another build
    holding it (telling ``on_wait``), or raise ``BuildLocked`` when ``wait`` is False."""

    def __init__(self, output: Path, wait: bool, on_wait):
        from filelock import FileLock

        output.mkdir(parents=True, exist_ok=True)
        self.path = output / FOLDER_LOCK
        self.lock = FileLock(self.path)
        self.wait, self.on_wait = wait, on_wait

    def __enter__(self):
        from filelock import Timeout

        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            message = f"another build is writing {self.path.parent} (it holds {self.path})"
            if not self.wait:
                raise BuildLocked(f"{message}; try again when it has finished") from None
            if self.on_wait:
                self.on_wait(f"{message}; waiting for it to finish")
            self.lock.acquire()
        return self

    def __exit__(self, *exc_info):
        self.lock.release()


def _remove_partial_files(manifest: Manifest, jobs: list[Job]) -> None:
    """Delete the temporary files (``.NAME.*.part``, ``texgen.io.atomic_write``) that a
    killed build left beside the files these jobs write and beside the lock file."""
    targets = [path for job in jobs for path in job.files.values()] + [manifest.lock_path]
    for path in targets:
        if path.parent.is_dir():
            for leftover in path.parent.glob(f".{glob_escape(path.name)}.*.part"):
                leftover.unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _run(to_render: list[Job], reports: dict[str, JobReport], entries: dict[str, Any],
         manifest: Manifest, engine, *, jobs: int | None, threads: int | None,
         dask: str | None,
         keep_going: bool, on_start, on_job) -> None:
    """Render the jobs on the chosen executor, updating their reports and lock entries;
    write the lock file as they finish."""
    by_id = {job.id: job for job in to_render}
    client_versions = versions(engine)
    tasks = [JobTask(job.id, job.preset, dict(job.overrides), job.size, job.seed, job.target,
                     job.outputs, {name: str(path) for name, path in job.files.items()},
                     str(manifest.path.parent), client_versions) for job in to_render]
    workers = jobs or default_workers()
    if on_start:
        on_start(len(tasks))
    if dask:
        from texgen.build.cluster import run_dask

        results = run_dask(tasks, dask, workers=workers, threads=threads,
                           client_versions=client_versions,
                           warm=tuple(sorted({job.preset for job in to_render})))
    elif workers <= 1 or len(tasks) == 1:
        results = run_serial(tasks, engine, threads=threads)
    else:
        results = run_pool(tasks, min(workers, len(tasks)), threads=threads)
    last_write = time.monotonic()
    try:
        for result in results:
            failed = _record(result, by_id[result.id], reports[result.id], entries)
            if time.monotonic() - last_write >= LOCK_INTERVAL:
                write_lock(manifest.lock_path, entries)
                last_write = time.monotonic()
            if on_job:
                on_job(reports[result.id])
            if failed and not keep_going:
                break
    finally:
        results.close()
        for report in reports.values():
            if report.status == "out_of_date":
                report.status = "skipped"
        write_lock(manifest.lock_path, entries)


def _record(result: JobResult, job: Job, report: JobReport, entries: dict[str, Any]) -> bool:
    """Fill in a job's report and lock entry from its result; return whether it failed.
    A failed job leaves the lock (its files may be half new), so it renders next time."""
    report.seconds, report.worker, report.notes = result.seconds, result.worker, result.notes
    report.threads = result.threads
    if result.error is not None:
        report.status, report.error = "failed", result.error
        entries.pop(job.id, None)
        return True
    report.status = "rendered"
    entries[job.id] = entry(job, result.outputs)
    return False
