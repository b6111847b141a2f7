"""Incremental builds through texgen.build(...): what renders, what is kept, the lock file."""

import hashlib
import json

import pytest

import texgen
from texgen import Engine
from texgen.build import BuildLocked
from texgen.build.builder import FOLDER_LOCK, _folder_lock
from texgen.errors import InputError


@pytest.fixture(scope="module")
def engine():
    return Engine()


def stamps(folder):
    """Every file under ``folder`` with its bytes and mtime."""
    return {path: (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_second_build_renders_nothing_and_rewrites_nothing(project, engine):
    path = project.write(project.manifest)
    first = texgen.build(path, engine=engine, jobs=1)
    assert (first.rendered, first.up_to_date, first.failed, first.exit_code) == (5, 0, 0, 0)
    assert sorted(p.name for p in project.output.iterdir() if p.name != FOLDER_LOCK) == sorted(
        [f"checks_{v}_{s}_{m}.png" for v in ("default", "dark") for s in (1, 2)
         for m in ("basecolor", "height")]
        + ["Stone_default_1_basecolor.png", "Stone_default_1_roughness.png"])
    lock = project.lock.read_bytes()
    before = stamps(project.root)
    second = texgen.build(path, engine=Engine(), jobs=1)
    assert (second.rendered, second.up_to_date) == (0, 5)
    assert stamps(project.root) == before  # same bytes, same mtimes: nothing written
    assert project.lock.read_bytes() == lock


def test_the_lock_records_keys_inputs_and_output_digests(project, engine):
    path = project.write(project.manifest)
    report = texgen.build(path, engine=engine, jobs=1)
    data = json.loads(project.lock.read_text())
    assert project.lock.read_text() == json.dumps(data, sort_keys=True, indent=1,
                                                  ensure_ascii=False) + "\n"
    entry = data["jobs"]["Stone/default/32/1/png"]
    assert entry["inputs"]["files"] == {"presets/stone.png": entry["inputs"]["files"][
        "presets/stone.png"]}
    output = entry["outputs"]["roughness"]
    assert output["path"] == "build/Stone_default_1_roughness.png"
    assert output["sha256"] == hashlib.sha256(
        (project.root / output["path"]).read_bytes()).hexdigest()
    job = next(job for job in report.jobs if job.id == "Stone/default/32/1/png")
    assert job.files["roughness"] == str(project.output / "Stone_default_1_roughness.png")


def test_changing_one_variant_renders_that_variant_only(project, engine):
    path = project.write(project.manifest)
    texgen.build(path, engine=engine, jobs=1)
    project.write(project.manifest.replace("gamma = 0.5", "gamma = 0.25"))
    dry = texgen.build(path, engine=engine, dry_run=True)
    stale = {job.id: job.reasons for job in dry.jobs if job.status == "out_of_date"}
    assert stale == {f"checks/dark/32/{seed}/png": ["parameters changed", "graph changed"]
                     for seed in (1, 2)}
    report = texgen.build(path, engine=engine, jobs=1)
    assert sorted(job.id for job in report.jobs if job.status == "rendered") == sorted(stale)


def test_an_edited_image_rebuilds_the_jobs_that_read_it(project, engine):
    path = project.write(project.manifest)
    texgen.build(path, engine=engine, jobs=1)
    project.write_image(0.5)
    report = texgen.build(path, engine=Engine(), jobs=1)
    rendered = {job.id: job.reasons for job in report.jobs if job.status == "rendered"}
    assert rendered == {"Stone/default/32/1/png": ["files changed", "graph changed"]}


def test_deleted_or_edited_outputs_are_rebuilt(project, engine):
    path = project.write(project.manifest)
    texgen.build(path, engine=engine, jobs=1)
    deleted = project.output / "checks_dark_2_height.png"
    edited = project.output / "Stone_default_1_basecolor.png"
    original = edited.read_bytes()
    deleted.unlink()
    edited.write_bytes(original + b"x")
    report = texgen.build(path, engine=engine, jobs=1)
    rendered = {job.id: job.reasons for job in report.jobs if job.status == "rendered"}
    assert rendered == {"checks/dark/32/2/png": ["build/checks_dark_2_height.png missing"],
                        "Stone/default/32/1/png": [
                            "build/Stone_default_1_basecolor.png edited"]}
    assert deleted.is_file() and edited.read_bytes() == original


def test_check_dry_run_force_only(project, engine):
    path = project.write(project.manifest)
    check = texgen.build(path, engine=engine, check=True)
    assert (check.out_of_date, check.exit_code) == (5, 1)
    assert not project.output.exists() and not project.lock.exists()  # nothing written
    texgen.build(path, engine=engine, jobs=1, only=["Stone/*"])
    assert list(json.loads(project.lock.read_text())["jobs"]) == ["Stone/default/32/1/png"]
    assert texgen.build(path, engine=engine, check=True, only=["Stone/*"]).exit_code == 0
    report = texgen.build(path, engine=engine, jobs=1)
    assert (report.rendered, report.up_to_date) == (4, 1)
    forced = texgen.build(path, engine=engine, jobs=1, force=True, only=["*/dark/*"])
    assert [job.reasons for job in forced.jobs] == [["forced"], ["forced"]]
    with pytest.raises(InputError, match="--only 'nothing\\*' matches no job"):
        texgen.build(path, engine=engine, only=["nothing*"])


def test_a_corrupt_lock_file_is_named_and_force_replaces_it(project, engine):
    path = project.write(project.manifest)
    project.lock.write_text('{"texgen_lock": 1, "jobs": [')
    with pytest.raises(InputError, match=f"{project.lock}: corrupt lock file.*--force"):
        texgen.build(path, engine=engine, jobs=1)
    assert not project.output.exists()
    report = texgen.build(path, engine=engine, jobs=1, force=True)
    assert report.rendered == 5
    assert len(json.loads(project.lock.read_text())["jobs"]) == 5


def test_two_manifests_in_one_folder_keep_their_own_locks(project, engine):
    """texgen.build.toml locks into texgen.lock.json, props.toml into props.lock.json: a
    build of one neither drops the other's entries nor makes it render again."""
    path = project.write(project.manifest)
    props = project.root / "props.toml"
    props.write_text(project.manifest.replace('output = "build"', 'output = "props"'))
    assert texgen.build(path, engine=engine, jobs=1).rendered == 5
    assert texgen.build(props, engine=engine, jobs=1).rendered == 5
    own = json.loads(project.lock.read_text())["jobs"]
    other = json.loads((project.root / "props.lock.json").read_text())["jobs"]
    assert sorted(own) == sorted(other) and len(own) == 5
    assert all(entry["outputs"]["basecolor"]["path"].startswith("build/")
               for entry in own.values())
    assert all(entry["outputs"]["basecolor"]["path"].startswith("props/")
               for entry in other.values())
    assert (texgen.build(path, engine=engine, jobs=1).up_to_date,
            texgen.build(props, engine=engine, jobs=1).up_to_date) == (5, 5)


def test_jobs_that_leave_the_manifest_leave_the_lock(project, engine):
    path = project.write(project.manifest)
    texgen.build(path, engine=engine, jobs=1)
    project.write(project.manifest.replace("seeds = [1, 2]", "seeds = [1]"))
    report = texgen.build(path, engine=engine, jobs=1)
    assert (report.rendered, report.up_to_date) == (0, 3)
    assert sorted(json.loads(project.lock.read_text())["jobs"]) == [
        "Stone/default/32/1/png", "checks/dark/32/1/png", "checks/default/32/1/png"]


def test_a_failing_job_stops_the_build_unless_keep_going(project, engine):
    path = project.write(project.manifest)
    texgen.build(path, engine=engine, jobs=1)
    (project.root / "presets" / "stone.png").write_bytes(b"not a png")  # readable at plan
    project.write(project.manifest.replace("gamma = 0.5", "gamma = 0.3"))
    report = texgen.build(path, engine=Engine(), jobs=1, keep_going=True)
    statuses = {job.id: job.status for job in report.jobs}
    assert statuses["Stone/default/32/1/png"] == "failed"
    assert statuses["checks/dark/32/1/png"] == statuses["checks/dark/32/2/png"] == "rendered"
    assert report.exit_code == 1 and report.failed == 1
    assert "Stone/default/32/1/png" not in json.loads(project.lock.read_text())["jobs"]
    header, checks, stone = project.manifest.split("[[material]]")
    project.write("[[material]]".join([header, stone, checks]))  # the failing job first
    stopped = texgen.build(path, engine=Engine(), jobs=1, force=True)
    assert [job.status for job in stopped.jobs] == ["failed"] + ["skipped"] * 4
    assert "stone.png" in stopped.jobs[0].error and stopped.exit_code == 1


def test_a_second_build_on_the_same_folder_waits_or_is_refused(project, engine):
    path = project.write(project.manifest)
    with _folder_lock(project.output, True, None):
        with pytest.raises(BuildLocked, match="another build is writing"):
            texgen.build(path, engine=engine, jobs=1, wait=False)
    assert texgen.build(path, engine=engine, jobs=1, wait=False).rendered == 5


def test_partial_files_of_a_killed_writer_are_removed(project, engine):
    path = project.write(project.manifest)
    project.output.mkdir()
    leftover = project.output / ".checks_dark_1_height.png.0123456789ab.part"
    leftover.write_bytes(b"half")
    texgen.build(path, engine=engine, jobs=1)
    assert not leftover.exists()
    assert not [p for p in project.root.rglob("*.part")]


def test_a_waiting_build_checks_again_what_the_other_build_did(project, engine):
    import threading

    path = project.write(project.manifest)
    texgen.build(path, engine=engine, jobs=1)
    output = project.output / "checks_dark_1_height.png"
    original = output.read_bytes()
    output.unlink()
    waiting, result = threading.Event(), {}
    with _folder_lock(project.output, True, None):
        thread = threading.Thread(target=lambda: result.update(report=texgen.build(
            path, engine=Engine(), jobs=1, on_wait=lambda line: waiting.set())))
        thread.start()
        assert waiting.wait(60)
        output.write_bytes(original)  # "the other build" puts the file back
    thread.join(60)
    report = result["report"]
    assert (report.rendered, report.up_to_date) == (0, 5)
