"""The Dask executor (texgen.build.cluster) on LocalClusters: workers with other versions
refuse jobs; a lost worker loses no job."""

import os
import signal
import threading
import time

import pytest

import texgen
from texgen import Engine
from texgen.build.executors import JobTask
from texgen.build.keys import versions


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


def test_threads_on_host_counts_the_dask_threads_of_that_host_only():
    pytest.importorskip("distributed")
    from texgen.build.cluster import threads_on_host

    identity = {"workers": {"tcp://a:1": {"host": "a", "nthreads": 2},
                            "tcp://a:2": {"host": "a", "nthreads": 1},
                            "tcp://b:1": {"host": "b", "nthreads": 8}}}
    assert threads_on_host(identity, "a") == 3
    assert threads_on_host(identity, "b") == 8
    assert threads_on_host(identity, "c") == 0


def _job_threads(dask_worker):
    from texgen.build.cluster import PLUGIN_NAME

    return dask_worker.plugins[PLUGIN_NAME].job_threads


@pytest.mark.parametrize("override", [None, "3"])
def test_each_dask_job_gets_its_worker_s_share_of_the_cores(project, monkeypatch, override):
    """Two one-thread workers on this machine: each job's Numba loops get half the cores
    (at least one); TEXGEN_JOB_THREADS overrides the share."""
    distributed = pytest.importorskip("distributed")
    import numba

    from texgen.build.cluster import PLUGIN_NAME, BuildWorkerPlugin, use_job_threads

    monkeypatch.setenv("TEXGEN_NUMBA_CACHE_DIR", str(project.root / "numba"))
    if override:
        monkeypatch.setenv("TEXGEN_JOB_THREADS", override)
    expected = int(override) if override else max(1, len(os.sched_getaffinity(0)) // 2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.register_plugin(BuildWorkerPlugin(versions(Engine()), ()), name=PLUGIN_NAME)
        shares = client.run(_job_threads)
        used = client.gather([client.submit(use_job_threads, pure=False, workers=[address])
                              for address in shares])
    assert list(shares.values()) == [expected, expected]
    assert used == [min(expected, numba.config.NUMBA_NUM_THREADS)] * 2
