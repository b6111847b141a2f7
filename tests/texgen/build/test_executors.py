"""Executors: serial, process pool and Dask write the same bytes; workers refuse other
versions; a killed build leaves no partial file and the next one finishes the rest."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import texgen
from texgen import Engine
from texgen.build.executors import JobTask, WorkerEngine, core_share, version_mismatch
from texgen.build.keys import versions
from texgen.io import decode_png


def files_of(folder):
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*.png"))}


def test_serial_pool_and_dask_write_identical_files(project, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv("TEXGEN_NUMBA_CACHE_DIR", str(project.root / "numba"))
    runs = {"serial": {"jobs": 1}, "pool": {"jobs": 2}, "dask": {"jobs": 2, "dask": "local"}}
    written, locks = {}, {}
    for name, options in runs.items():
        path = project.write(project.manifest.replace('output = "build"',
                                                      f'output = "{name}"'))
        report = texgen.build(path, force=True, **options)
        assert (report.rendered, report.failed) == (5, 0), report.as_dict()
        written[name] = files_of(project.root / name)
        locks[name] = project.lock.read_text().replace(f'"{name}/', '"OUT/')
        if name != "serial":
            assert {job.worker for job in report.jobs} != {""}
    assert len(written["serial"]) == 10
    assert written["serial"] == written["pool"] == written["dask"]
    assert locks["serial"] == locks["pool"] == locks["dask"]
    # each Dask worker compiled into a Numba cache folder of its own
    assert len(list((project.root / "numba").iterdir())) == 2


def test_threads_sets_each_job_s_numba_threads_and_serial_restores_them(project):
    """``threads`` reaches every job, serial or pooled; without it a pool worker gets its
    share of the cores; a serial build leaves the caller's thread count as it was."""
    import numba

    path = project.write(project.manifest)
    before = numba.get_num_threads()
    runs = [({"jobs": 1}, before), ({"jobs": 1, "threads": 1}, 1),
            ({"jobs": 2}, core_share(2)), ({"jobs": 2, "threads": 1}, 1)]
    for options, expected in runs:
        report = texgen.build(path, force=True, **options)
        assert report.rendered == 5
        assert {job.threads for job in report.jobs} == {expected}, options
        assert numba.get_num_threads() == before


def test_workers_refuse_other_versions(project):
    engine = Engine()
    mine = versions(engine)
    assert version_mismatch(mine, dict(mine)) is None
    other = {**mine, "plugins": {**mine["plugins"], "noise": "9.9"}}
    message = version_mismatch(mine, other)
    assert "plugin noise" in message and "9.9 on the client" in message
    task = JobTask("a/b/32/1/png", str(project.root / "presets" / "checks.toml"), {}, (32, 32),
                   1, None, ("height",), {}, str(project.root), other)
    result = WorkerEngine().run(task)
    assert result.error == version_mismatch(versions(Engine()), other)
    assert not project.output.exists()


def test_a_killed_build_leaves_no_partial_file_and_the_next_finishes_it(project):
    path = project.write("""
        texgen_build = 1
        name = "{seed}_{map}"
        [[material]]
        preset = "presets/checks.toml"
        sizes = [1536]
        seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
        """)
    command = [sys.executable, "-m", "texgen.cli", "build", str(path), "-j", "1", "-q"]
    process = subprocess.Popen(command, cwd=project.root)
    deadline = time.monotonic() + 120
    while not project.lock.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = json.loads(project.lock.read_text())["jobs"] if project.lock.exists() else {}
    assert 0 < len(done) < 16, "the build was not killed midway"
    for file in project.output.glob("*.png"):  # whatever has its final name is whole
        decode_png(file.read_bytes())
    report = texgen.build(path, jobs=1)
    assert (report.up_to_date, report.rendered, report.failed) == (len(done), 16 - len(done), 0)
    assert not list(project.root.rglob("*.part"))
    assert len(json.loads(project.lock.read_text())["jobs"]) == 16

