import os

import pytest

import texgen
from texgen.resources import ResourceCache


def counting_loader(calls):
    def load(path):
        calls.append(path.name)
        return path.read_bytes()

    return load


def test_same_content_is_loaded_once_and_an_edit_reloads(tmp_path):
    calls = []
    load = counting_loader(calls)
    first, copy = tmp_path / "a.bin", tmp_path / "b.bin"
    first.write_bytes(b"weights")
    copy.write_bytes(b"weights")
    cache = ResourceCache()
    assert cache.get("model", first, load) == b"weights"
    assert cache.get("model", first, load) == b"weights"
    assert cache.get("model", copy, load) == b"weights"  # keyed by content, not name
    assert calls == ["a.bin"]
    first.write_bytes(b"retrained")
    os.utime(first, ns=(1, 1))  # a new mtime even on a coarse clock
    assert cache.get("model", first, load) == b"retrained"
    assert calls == ["a.bin", "a.bin"]


def test_kind_and_key_keep_separate_entries(tmp_path):
    calls = []
    path = tmp_path / "m.bin"
    path.write_bytes(b"x")
    cache = ResourceCache()
    cache.get("model", path, counting_loader(calls))
    cache.get("factors", path, counting_loader(calls))
    cache.get("model", path, counting_loader(calls), key="cuda")
    assert len(calls) == 3 and len(cache) == 3


def test_least_recently_used_entry_is_evicted(tmp_path):
    calls = []
    load = counting_loader(calls)
    paths = []
    for name in "abc":
        paths.append(tmp_path / name)
        paths[-1].write_bytes(name.encode())
    cache = ResourceCache(max_entries=2)
    cache.get("k", paths[0], load)
    cache.get("k", paths[1], load)
    cache.get("k", paths[0], load)  # a is now the most recent
    cache.get("k", paths[2], load)  # evicts b
    cache.get("k", paths[0], load)
    assert calls == ["a", "b", "c"]
    cache.get("k", paths[1], load)
    assert calls == ["a", "b", "c", "b"]


def test_a_failing_loader_caches_nothing_and_a_missing_file_raises(tmp_path):
    path = tmp_path / "m.bin"
    path.write_bytes(b"x")
    cache = ResourceCache()

    def broken(found):
        raise ValueError("corrupt")

    with pytest.raises(ValueError, match="corrupt"):
        cache.get("model", path, broken)
    assert len(cache) == 0
    with pytest.raises(FileNotFoundError):
        cache.get("model", tmp_path / "missing.bin", broken)


def test_each_engine_has_its_own_resources():
    first, second = texgen.Engine(entry_points=False), texgen.Engine(entry_points=False)
    assert first.resources is not second.resources
