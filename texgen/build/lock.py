"""``texgen.lock.json``: what the last build made of each job, so the next one renders only
what changed.

The file is JSON with sorted keys, one entry per job id::

    {"jobs": {"Bricks/mossy/1024/1/unreal": {
        "inputs": {"preset": ..., "parameters": ..., "seed": ..., "size": ..., "target": ...,
                   "files": {"images/moss.png": "<sha256>"}},
        "key": "<sha256>", "parts": {"graph": "<sha256>", ...},
        "outputs": {"basecolor": {"path": "build/T_Bricks_mossy_basecolor.dds",
                                  "sha256": "<sha256>"}}}},
     "texgen_lock": 1}

Paths are relative to the manifest's folder (POSIX separators) where they are inside it,
``pkg:PACKAGE/path`` inside an installed package, else absolute.
The same build gives the same bytes, whichever executor ran it; a build that changes
nothing leaves the file untouched.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from texgen.build.keys import changed_parts
from texgen.errors import InputError
from texgen.io import atomic_write
from texgen.nodes import package_reference
from texgen.resources import sha256_file

LOCK_VERSION = 1


def display_path(path: Path, base: Path) -> str:
    """A path as the lock file records it: relative to ``base`` (the manifest's folder,
    POSIX separators) when inside it, ``pkg:PACKAGE/path`` when inside an installed package
    (a plugin's model, a shipped preset), else absolute."""
    if path.is_relative_to(base):
        return path.relative_to(base).as_posix()
    return package_reference(path) or str(path)


def read_lock(path: Path) -> dict[str, dict[str, Any]]:
    """The job entries of the lock file at ``path`` (empty when there is none).

    Raises ``InputError`` naming the file when it is not a lock file this version reads
    (``--force`` ignores it and writes a new one)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise _corrupt(path, str(exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _corrupt(path, f"not JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("texgen_lock") != LOCK_VERSION \
            or not isinstance(data.get("jobs"), dict):
        raise _corrupt(path, f"expected {{\"texgen_lock\": {LOCK_VERSION}, \"jobs\": {{...}}}}")
    for job_id, entry in data["jobs"].items():
        outputs = entry.get("outputs") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) \
                or not isinstance(entry.get("parts", {}), dict) \
                or not isinstance(entry.get("inputs", {}), dict) \
                or not isinstance(outputs, dict) or not all(
                    isinstance(o, dict) and isinstance(o.get("path"), str)
                    and isinstance(o.get("sha256"), str) for o in outputs.values()):
            raise _corrupt(path, f"job '{job_id}': expected key, parts, inputs and outputs "
                                 f"(path, sha256)")
    return data["jobs"]


def _corrupt(path: Path, why: str) -> InputError:
    return InputError(f"{path}: corrupt lock file: {why}; delete it or build with --force")


def lock_bytes(jobs: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The lock file's bytes for these job entries: sorted keys, one space indents."""
    text = json.dumps({"texgen_lock": LOCK_VERSION, "jobs": jobs}, sort_keys=True, indent=1,
                      ensure_ascii=False)
    return (text + "\n").encode()


def write_lock(path: Path, jobs: Mapping[str, Mapping[str, Any]]) -> bool:
    """Write the lock atomically unless it already holds exactly these bytes; return
    whether it was written."""
    data = lock_bytes(jobs)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, lambda temporary: temporary.write_bytes(data))
    return True


def entry(job, outputs: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The lock entry of a job (``texgen.build.jobs.Job``) whose files were written:
    ``outputs`` maps each map to ``{"path": ..., "sha256": ...}``."""
    return {"key": job.key, "parts": dict(job.parts), "inputs": dict(job.inputs),
            "outputs": {name: dict(output) for name, output in outputs.items()}}


def stale_reasons(job, recorded: Mapping[str, Any] | None, base: Path) -> list[str]:
    """Why ``job`` must render, given its lock entry (None: not in the lock): empty when it
    is up to date. The reasons name the key parts that changed (``texgen.build.keys``) and
    the output files that are missing or were edited since."""
    if recorded is None:
        return ["new job"]
    if recorded["key"] != job.key:
        parts = changed_parts(recorded.get("parts") or {}, job.parts)
        return [f"{part} changed" for part in parts] or ["key changed"]
    reasons = []
    for map_name, path in job.files.items():
        output = recorded["outputs"].get(map_name)
        shown = display_path(path, base)
        if output is None or output["path"] != shown:
            reasons.append(f"{shown} not built")
        elif not path.is_file():
            reasons.append(f"{shown} missing")
        elif sha256_file(path) != output["sha256"]:
            reasons.append(f"{shown} edited")
    return reasons
