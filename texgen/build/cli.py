"""``texgen build``: the command-line form of ``texgen.build.build`` (docs/build.md).

Exit codes: 0 built (or, with ``--check``, up to date); 1 a job failed, ``--check`` found
jobs out of date, or another build holds the output folder (``--no-wait``); 2 bad input
(the manifest, a preset, a target), before anything is written.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack

import click

from texgen.build.builder import JobReport, build


@click.command("build")
@click.argument("manifest", default="texgen.build.toml", type=click.Path())
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: the machine's cores; 1 renders in this "
                   "process).")
@click.option("--threads", type=click.IntRange(min=1), metavar="N",
              help="Numba threads per job (default: the cores over the jobs at once, at "
                   "least 1).")
@click.option("--dask", metavar="local|ADDRESS", help="Run the jobs on Dask: 'local' starts a "
              "cluster of --jobs processes here; an address (tcp://host:8786) joins a running "
              "scheduler. Needs texgen[dist].")
@click.option("--dry-run", is_flag=True, help="List the jobs that would render and why; "
              "write nothing.")
@click.option("--check", is_flag=True, help="Like --dry-run, and exit 1 if any job is out of "
              "date (for CI).")
@click.option("--force", is_flag=True, help="Render every selected job, even up-to-date ones; "
              "a corrupt lock file is replaced.")
@click.option("--only", multiple=True, metavar="GLOB", help="Only the jobs whose id "
              "(material/variant/size/seed/target) matches; repeatable, e.g. 'Bricks/*'.")
@click.option("--keep-going", is_flag=True, help="When a job fails, run the others, then "
              "list the failures.")
@click.option("--no-wait", is_flag=True, help="Fail (exit 1) instead of waiting when another "
              "build is writing the same output folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("-v", "--verbose", is_flag=True, help="A line per job on stderr (what a "
              "non-terminal stderr, a CI log, gets anyway) instead of the progress bar.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or summary on stderr.")
@click.pass_obj
def build_command(engine, manifest, jobs, threads, dask, dry_run, check, force, only, keep_going,
                  no_wait, as_json, verbose, quiet):
    """Render the jobs of MANIFEST (default ./texgen.build.toml, or a folder holding one)
    that are out of date: materials x variants x sizes x seeds x targets, checked first,
    then rendered on a process pool or Dask, with its lock file beside the manifest
    (texgen.lock.json for texgen.build.toml)."""
    silent = quiet or as_json
    # a bar on a terminal; elsewhere (a CI log) a line per job, as -v gives
    verbose = verbose or not sys.stderr.isatty()
    with ExitStack() as stack:
        progress = None if silent or verbose else stack.enter_context(_progress_bar())

        def on_start(count: int) -> None:
            if progress is not None:
                progress.add_task("texgen build", total=count)

        def on_job(job: JobReport) -> None:
            if progress is not None:
                progress.advance(progress.task_ids[0])
            if verbose and not silent:
                click.echo(_job_line(job), err=True)

        report = build(manifest, engine=engine, jobs=jobs, threads=threads, dask=dask,
                       dry_run=dry_run, check=check, force=force, only=only,
                       keep_going=keep_going, wait=not no_wait, on_start=on_start, on_job=on_job,
                       on_wait=None if silent else lambda line: click.echo(f"texgen: {line}",
                                                                           err=True))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    for job in report.jobs:
        if job.status == "failed":
            for line in (job.error or "").splitlines():
                click.echo(f"texgen: error: {job.id}: {line}", err=True)
        elif job.status == "out_of_date" and not silent:
            click.echo(f"{'out of date' if check else 'would render'}: {job.id} "
                       f"({', '.join(job.reasons)})", err=True)
    if not silent:
        click.echo(_summary(report), err=True)
    if report.exit_code:
        raise click.exceptions.Exit(report.exit_code)


def _progress_bar():
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=True)


def _job_line(job: JobReport) -> str:
    if job.status == "failed":
        return f"failed: {job.id} ({(job.error or '').splitlines()[0]})"
    worker = f" on {job.worker}" if job.worker else ""
    notes = "".join(f"\n  note: {note}" for note in job.notes)
    return f"rendered: {job.id} ({', '.join(job.reasons)}) in {job.seconds:.2f}s{worker}{notes}"


def _summary(report) -> str:
    counts = [f"{report.rendered} rendered", f"{report.up_to_date} up to date"]
    if report.out_of_date:
        counts.append(f"{report.out_of_date} out of date")
    if report.failed:
        counts.append(f"{report.failed} failed")
    if report.count("skipped"):
        counts.append(f"{report.count('skipped')} not run")
    return f"texgen build: {', '.join(counts)} ({report.seconds:.2f}s)"
