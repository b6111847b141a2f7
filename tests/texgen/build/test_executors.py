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
from texgen.build.executors import JobTask, WorkerEngine, version_mismatch
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
        sizes = [768]
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


def test_dask_workers_with_other_versions_refuse_every_job(project, monkeypatch):
    pytest.importorskip("distributed")
    from texgen.build.cluster import run_dask

    monkeypatch.setenv("TEXGEN_NUMBA_CACHE_DIR", str(project.root / "numba"))
    mine = versions(Engine())
    client = {**mine, "texgen": "0.0.1"}
    task = JobTask("checks/default/32/1/png", str(project.root / "presets" / "checks.toml"),
                   {}, (32, 32), 1, None, ("height",), {}, str(project.root), client)
    [result] = run_dask([task], "local", workers=1, client_versions=client, warm=())
    assert result.error.startswith("worker ") and "refused the job" in result.error
    assert f"texgen {mine['texgen']} here, 0.0.1 on the client" in result.error
    assert not project.output.exists()


def test_a_lost_dask_worker_s_job_runs_again(project, monkeypatch):
    """Kill a worker process while the build runs on a cluster given by address: every job
    still finishes (the scheduler reruns what the lost worker held)."""
    distributed = pytest.importorskip("distributed")
    import threading

    monkeypatch.setenv("TEXGEN_NUMBA_CACHE_DIR", str(project.root / "numba"))
    path = project.write("""
        texgen_build = 1
        name = "{seed}_{map}"
        [[material]]
        preset = "presets/checks.toml"
        sizes = [1024]
        seeds = [1, 2, 3, 4, 5, 6]
        """)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        killed = []

        def kill_a_worker():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not killed:
                busy = [address for address, tasks in client.processing().items() if tasks]
                if busy:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.01)

        killer = threading.Thread(target=kill_a_worker)
        killer.start()
        report = texgen.build(path, dask=cluster.scheduler_address)
        killer.join()
    assert killed, "no worker was busy"
    assert (report.rendered, report.failed) == (6, 0)
    assert len(list(project.output.glob("*.png"))) == 12
