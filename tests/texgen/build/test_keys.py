"""Job key parts (texgen.build.keys)."""

import hashlib

from texgen.build.keys import KEY_PARTS, changed_parts, content_digest, job_key
from texgen.resources import sha256_file


def test_content_digests_of_files_and_model_folders(tmp_path):
    file = tmp_path / "a.bin"
    file.write_bytes(b"abc")
    assert content_digest(file, sha256_file) == hashlib.sha256(b"abc").hexdigest()
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "weights").write_bytes(b"1")
    (folder / "config.json").write_bytes(b"{}")
    before = content_digest(folder, sha256_file)
    assert before == content_digest(folder, sha256_file)
    (folder / "sub" / "weights").write_bytes(b"2")
    assert content_digest(folder, sha256_file) != before


def test_changed_parts_in_order_and_the_key_covers_every_part():
    parts = {name: name * 2 for name in KEY_PARTS}
    assert changed_parts(parts, {**parts, "graph": "x", "parameters": "y"}) == \
        ["parameters", "graph"]
    keys = {job_key({**parts, name: "changed"}) for name in KEY_PARTS}
    assert len(keys) == len(KEY_PARTS) and job_key(parts) not in keys
