"""``texgen build``: exit codes, messages, --json, --dry-run, --check, -v."""

import json

from texgen.cli import main


def test_build_then_nothing_to_do(project, capsys):
    path = project.write(project.manifest)
    assert main(["build", str(path), "-j", "1"]) == 0  # stderr is no terminal: job lines
    err = capsys.readouterr().err
    assert "rendered: Stone/default/32/1/png (new job) in " in err
    assert err.rstrip().splitlines()[-1].startswith("texgen build: 5 rendered, 0 up to date (")
    assert main(["build", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["rendered"], report["up_to_date"], report["failed"]) == (0, 5, 0)
    assert err == ""
    stone = next(job for job in report["jobs"] if job["id"] == "Stone/default/32/1/png")
    assert stone["status"] == "up_to_date"
    assert stone["files"] == {
        "basecolor": str(project.output / "Stone_default_1_basecolor.png"),
        "roughness": str(project.output / "Stone_default_1_roughness.png")}


def test_dry_run_and_check(project, capsys):
    path = project.write(project.manifest)
    assert main(["build", str(path), "--dry-run", "--only", "Stone/*"]) == 0
    err = capsys.readouterr().err
    assert "would render: Stone/default/32/1/png (new job)" in err
    assert "checks/" not in err
    assert main(["build", str(path), "--check", "-q"]) == 1
    assert capsys.readouterr().err == ""
    assert not project.output.exists()
    assert main(["build", str(path), "-q", "-j", "1"]) == 0
    assert main(["build", str(path), "--check"]) == 0


def test_bad_manifest_exits_2_with_one_line_naming_file_and_key(project, capsys):
    path = project.write('texgen_build = 1\n[[material]]\npreset = "presets/checks.toml"\n'
                         '[material.variants.v]\nbrightness = 2\n')
    assert main(["build", str(project.root)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"texgen: error: {path.resolve()}: key "
                           f"'material[0].variants.v.brightness': preset 'checks' exposes no "
                           f"parameter 'brightness'")
    assert not project.output.exists() and not project.lock.exists()


def test_a_corrupt_lock_exits_2_naming_it(project, capsys):
    path = project.write(project.manifest)
    project.lock.write_text("garbage")
    assert main(["build", str(path)]) == 2
    assert f"{project.lock}: corrupt lock file" in capsys.readouterr().err
    assert main(["build", str(path), "--force", "-q", "-j", "1"]) == 0


def test_a_failed_job_exits_nonzero_and_is_listed(project, capsys):
    path = project.write(project.manifest)
    (project.root / "presets" / "stone.png").write_bytes(b"not a png")
    assert main(["build", str(path), "-j", "1", "--threads", "1", "--keep-going",
                 "--json"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["rendered"], report["failed"]) == (4, 1)
    assert {job["threads"] for job in report["jobs"]} == {1}
    [line] = [line for line in err.splitlines() if line.startswith("texgen: error: ")]
    assert line.startswith("texgen: error: Stone/default/32/1/png: ") and "stone.png" in line


def test_no_wait_refuses_a_folder_another_build_holds(project, capsys):
    from texgen.build.builder import _folder_lock

    path = project.write(project.manifest)
    with _folder_lock(project.output, True, None):
        assert main(["build", str(path), "--no-wait", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert f"texgen: error: another build is writing {project.output}" in err
    assert not project.lock.exists()
