"""texgen.lock.json: reading, refusing what is not a lock, deterministic bytes."""

import json

import pytest

from texgen.build.lock import LOCK_VERSION, lock_bytes, read_lock, write_lock
from texgen.errors import InputError

ENTRY = {"key": "k", "parts": {}, "inputs": {},
         "outputs": {"basecolor": {"path": "build/a.png", "sha256": "0" * 64}}}


def test_lock_bytes_are_sorted_and_written_only_when_they_change(tmp_path):
    path = tmp_path / "texgen.lock.json"
    jobs = {"b/x": ENTRY, "a/x": ENTRY}
    assert lock_bytes(jobs) == lock_bytes(dict(reversed(jobs.items())))
    text = lock_bytes(jobs).decode()
    assert text.index('"a/x"') < text.index('"b/x"') < text.index('"texgen_lock"')
    assert write_lock(path, jobs) is True
    stamp = path.stat().st_mtime_ns
    assert write_lock(path, dict(jobs)) is False and path.stat().st_mtime_ns == stamp
    assert read_lock(path) == jobs
    assert read_lock(tmp_path / "missing.json") == {}


@pytest.mark.parametrize("content, words", [
    ("{", "not JSON"),
    (json.dumps({"texgen_lock": LOCK_VERSION + 1, "jobs": {}}), "expected"),
    (json.dumps({"texgen_lock": LOCK_VERSION, "jobs": {"a": {"key": "k"}}}), "job 'a'"),
    (json.dumps({"texgen_lock": LOCK_VERSION, "jobs": {"a": {
        **ENTRY, "outputs": {"m": {"path": "x"}}}}}), "job 'a'"),
    (json.dumps({"texgen_lock": LOCK_VERSION, "jobs": {"a": {**ENTRY, "parts": 5}}}),
     "job 'a'"),
    (json.dumps({"texgen_lock": LOCK_VERSION, "jobs": {"a": {**ENTRY, "inputs": []}}}),
     "job 'a'"),
])
def test_what_is_not_a_lock_is_an_error_naming_the_file(tmp_path, content, words):
    path = tmp_path / "texgen.lock.json"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_lock(path)
    assert str(caught.value).startswith(f"{path}: corrupt lock file: ")
    assert words in str(caught.value) and "--force" in str(caught.value)


def test_recorded_paths_are_relative_to_the_manifest_or_name_the_package(tmp_path):
    from pathlib import Path

    from texgen.build.lock import display_path
    from texgen.nodes import package_path

    base = tmp_path / "project"
    shipped = package_path("texgen_presets/marble.toml")
    assert display_path(base / "images" / "moss.png", base) == "images/moss.png"
    assert display_path(shipped, base) == "pkg:texgen_presets/marble.toml"
    assert package_path(display_path(shipped, base).removeprefix("pkg:")) == shipped
    assert display_path(tmp_path / "elsewhere.png", base) == str(tmp_path / "elsewhere.png")
    assert display_path(Path("/nonexistent/texgen_presets/x.toml"), base) \
        == "/nonexistent/texgen_presets/x.toml"
