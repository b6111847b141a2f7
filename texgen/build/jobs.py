"""Build jobs: a manifest expanded into materials × variants × sizes × seeds × targets, each
checked against its preset and target, named by the file name template, and keyed.

``plan_jobs`` is everything a build checks before it renders: an unknown preset, a
parameter the preset does not expose, an unknown target or map, a template that gives two
jobs the same file, a name that would leave the output folder. Every problem is reported
at once, each naming the manifest file and its key (``ManifestError``, exit 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from texgen.build.keys import (
    KEY_PARTS,
    content_digest,
    digest_json,
    graph_digest,
    job_key,
    versions,
)
from texgen.build.lock import display_path
from texgen.build.manifest import Manifest, ManifestError, template_fields
from texgen.errors import InputError, PresetError, Problem, did_you_mean
from texgen.io import MAX_FILE_NAME
from texgen.nodes import PACKAGE_PATH_PREFIX


@dataclass(frozen=True)
class Job:
    """One build job: a material's variant at one size and seed, exported to one target.

    ``id`` is ``material/variant/size/seed/target`` (``--only`` globs match it); ``preset``
    the preset file; ``overrides`` the variant's exposed parameter values as written;
    ``outputs`` the preset outputs the target reads; ``files`` maps each of the target's
    maps to the file it writes (absolute, inside the output folder); ``parts`` the key's
    parts (``texgen.build.keys``) and ``key`` their hash; ``inputs`` what the lock file
    records of the job's inputs; ``reads`` the files (or model folders) its graph reads,
    absolute."""

    id: str
    material: str
    variant: str
    size: tuple[int, int]
    seed: int
    target_name: str
    target: Any  # texgen.build.targets.Target
    preset: str
    overrides: Mapping[str, Any]
    outputs: tuple[str, ...]
    files: Mapping[str, Path]
    parts: Mapping[str, str]
    key: str
    inputs: Mapping[str, Any]
    tileable: bool = True
    reads: tuple[Path, ...] = ()


def size_text(size: tuple[int, int]) -> str:
    """``"1024"`` for a square size, ``"1024x512"`` (width x height) otherwise."""
    return str(size[0]) if size[0] == size[1] else f"{size[0]}x{size[1]}"


def plan_jobs(manifest: Manifest, engine) -> list[Job]:
    """Every job of ``manifest``, in manifest order, checked and keyed with ``engine``
    (which finds presets, nodes and formats). Raises ``ManifestError``."""
    from texgen.build.targets import TargetError, parse_target

    problems: list[Problem] = []

    def problem(message: str, key: str | None) -> None:
        problems.append(Problem(message, file=manifest.source, key=key))

    targets = dict(engine.targets)
    for name, table in manifest.target_tables.items():
        if name in engine.targets:
            problem(f"'{name}' is a registered target (plugin "
                    f"{_registered_by(engine, name)}); give yours another name",
                    f"target.{name}")
            continue
        try:
            targets[name] = parse_target(name, table, where=manifest.source,
                                         formats=engine.exporters)
        except TargetError as exc:
            problems.append(Problem(str(exc)))
    if problems:
        raise ManifestError(problems)
    version_info = versions(engine)
    jobs: list[Job] = []
    named: dict[str, str] = {}  # material name: the key of the material that has it
    for material in manifest.materials:
        made = _material_jobs(manifest, material, engine, targets, version_info, problem)
        name = made[0].material if made else None
        if name in named:
            problem(f"material name '{name}' is also {named[name]}'s: their jobs would have "
                    f"the same ids and files; give one another name", f"{material.key}.name")
        elif name is not None:
            named[name] = material.key
        jobs += made
    if not problems:
        _check_collisions(manifest, jobs, problem)
        _check_overwrites(manifest, jobs, problem)
    if problems:
        raise ManifestError(problems)
    return jobs


def _registered_by(engine, target_name: str) -> str:
    return next(info.name for info in engine.plugins if target_name in info.targets)


def _material_jobs(manifest: Manifest, material, engine, targets, version_info,
                   problem) -> list[Job]:
    from texgen.build.targets import TargetError, required_outputs

    try:
        preset = engine.load_preset(material.preset, base=manifest.path.parent)
    except InputError as exc:
        for line in str(exc).splitlines():  # one line per problem of the preset
            problem(line, f"{material.key}.preset")
        return []
    name = material.name or preset.name
    target_names = material.targets or manifest.targets
    target_key = f"{material.key}.targets" if material.targets else "targets"
    for target_name in target_names:
        if target_name not in targets:
            problem(f"unknown target '{target_name}'{did_you_mean(target_name, targets)} "
                    f"(targets: {', '.join(targets)})", target_key)
    jobs = []
    for variant, values in material.variants.items():
        where = f"{material.key}.variants.{variant}"
        overrides = _manifest_paths(preset, values, manifest.path.parent)
        varied = _with_variant(preset, overrides, where, problem)
        if varied is None:
            continue
        for index, size in enumerate(material.sizes or (preset.size,)):
            size_key = f"{material.key}.sizes[{index}]" if material.sizes \
                else f"{material.key}.preset"
            for seed in material.seeds or (preset.seed,):
                try:
                    graph = engine.validate(varied, size=size, seed=seed)
                except InputError as exc:
                    for line in str(exc).splitlines():
                        problem(line, f"{material.key}.preset")
                    continue
                try:
                    engine.check_size(graph)
                except InputError as exc:
                    problem(str(exc), size_key)
                    break  # every seed of this size alike
                for target_name in target_names:
                    if target_name not in targets:
                        continue
                    target = targets[target_name]
                    try:
                        outputs = sorted(required_outputs(target, set(graph.outputs)))
                    except TargetError as exc:
                        for line in str(exc).splitlines():
                            problem(line, target_key)
                        continue
                    jobs.append(_job(manifest, engine, graph, target, outputs, version_info,
                                     material=name, variant=variant, values=values,
                                     overrides=overrides, target_name=target_name,
                                     reference=material.preset))
    return jobs


def _manifest_paths(preset, values: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """A variant's values with each relative path given to a ``path`` parameter made
    absolute against the manifest's folder ``base``, as the manifest's other paths are:
    otherwise it would be read from the working directory, and which file a job reads
    would depend on where the build (or the worker rendering it) runs."""
    return {name: str(base / value)
            if (param := preset.parameters.get(name)) is not None and param.type == "path"
            and isinstance(value, str) and value.strip()
            and not value.startswith(PACKAGE_PATH_PREFIX) else value
            for name, value in values.items()}


def _with_variant(preset, values: Mapping[str, Any], where: str, problem):
    """The preset with a variant's parameter values, or None (problems recorded against
    the variant's keys)."""
    bad = False
    for name in values:
        if name not in preset.parameters:
            known = ", ".join(sorted(preset.parameters)) or "none"
            problem(f"preset '{preset.name}' exposes no parameter '{name}'"
                    f"{did_you_mean(name, preset.parameters)} (exposed: {known})",
                    f"{where}.{name}")
            bad = True
    if bad:
        return None
    try:
        return preset.with_overrides(overrides=values)
    except PresetError as exc:
        for found in exc.problems:
            problem(found.message, f"{where}.{found.key}" if found.key else where)
        return None


def _job(manifest: Manifest, engine, graph, target, outputs: list[str], version_info,
         *, material: str, variant: str, values, overrides, target_name: str,
         reference: str) -> Job:
    """The job rendering ``graph`` for ``target``: ``values`` are the variant's values as
    written (keyed and recorded so, the same in any clone), ``overrides`` the same with
    paths resolved (``_manifest_paths``), which the worker renders."""
    from texgen.build.targets import export_settings, planned_files

    preset = graph.preset
    files = graph.files_read(outputs)
    digests = {path: content_digest(path, engine.resources.digest) for path in files}
    parts = {
        "parameters": digest_json(values),
        "seed": digest_json(preset.seed),
        "size": digest_json(list(preset.size)),
        "files": digest_json(sorted(digests.values())),
        "graph": graph_digest(graph, outputs, digests),
        "target": digest_json(export_settings(target, graph)),
        "versions": digest_json(version_info),
    }
    assert set(parts) == set(KEY_PARTS)
    fields = {"material": material, "variant": variant, "size": size_text(preset.size),
              "seed": preset.seed, "target": target_name}
    base = manifest.path.parent
    inputs = {"preset": reference, "parameters": dict(values), "seed": preset.seed,
              "size": list(preset.size), "target": target_name,
              "files": {display_path(path, base): digest for path, digest in digests.items()}}
    return Job(id="/".join(str(fields[f]) for f in ("material", "variant", "size", "seed",
                                                     "target")),
               material=material, variant=variant, size=preset.size, seed=preset.seed,
               target_name=target_name, target=target,
               preset=_worker_reference(engine, preset, reference),
               overrides=dict(overrides), outputs=tuple(outputs),
               files={name: _file(manifest, fields, name, extension) for name, extension
                      in planned_files(target, graph, engine=engine).items()},
               parts=parts, key=job_key(parts), inputs=inputs, tileable=preset.tileable,
               reads=tuple(files))


def _worker_reference(engine, preset, reference: str) -> str:
    """How a worker finds the job's preset: its file's absolute path (on shared storage,
    like the manifest), or its name when the client found it in a plugin's preset folder,
    whose path may differ on another machine (workers run the same plugin versions)."""
    path = preset.path.resolve()
    if any(path.parent == Path(folder).resolve() for folder in engine.preset_dirs):
        return path.stem
    return str(path)


def _file(manifest: Manifest, fields: Mapping[str, Any], map_name: str,
          extension: str) -> Path:
    """The file a job writes for one map: the template filled in, the format's extension
    added, inside the output folder (``ManifestError`` otherwise)."""
    try:
        name = manifest.name.format(**fields, map=map_name)
    except (ValueError, KeyError) as exc:
        raise manifest.error(f"cannot fill in {manifest.name!r}: {exc}", "name") from None
    parts = name.split("/")
    if any(not part or part in (".", "..") for part in parts):
        raise manifest.error(f"{name!r} (from {manifest.name!r}) is not a file name inside "
                             f"the output folder", "name")
    too_long = next((part for part in [*parts[:-1], f"{parts[-1]}.{extension}"]
                     if len(part.encode()) > MAX_FILE_NAME), None)
    if too_long is not None:
        raise manifest.error(f"{too_long!r} (from {manifest.name!r}) is "
                             f"{len(too_long.encode())} bytes long; a file or folder name may "
                             f"have at most {MAX_FILE_NAME}", "name")
    path = (manifest.output / f"{name}.{extension}").resolve()
    if not path.is_relative_to(manifest.output):
        raise manifest.error(f"{name!r} would be written outside {manifest.output}", "name")
    return path


def _check_collisions(manifest: Manifest, jobs: list[Job], problem) -> None:
    """A problem for each pair of jobs (or maps of one job) that would write the same file,
    naming both, the first such file and the template fields that would tell them apart."""
    writers: dict[Path, tuple[Job, str]] = {}
    used = template_fields(manifest.name)
    reported: set[tuple[str, str]] = set()
    for job in jobs:
        for map_name, path in job.files.items():
            if path not in writers:
                writers[path] = (job, map_name)
                continue
            other, other_map = writers[path]
            if (other.id, job.id) in reported:
                continue  # one line per pair of jobs
            reported.add((other.id, job.id))
            values = {"material": (job.material, other.material),
                      "variant": (job.variant, other.variant), "map": (map_name, other_map),
                      "size": (job.size, other.size), "seed": (job.seed, other.seed),
                      "target": (job.target_name, other.target_name)}
            missing = [f"{{{field}}}" for field, (a, b) in values.items()
                       if a != b and field not in used]
            hint = f"; add {' or '.join(missing)} to the template" if missing else ""
            problem(f"jobs '{other.id}' (map {other_map}) and '{job.id}' (map {map_name}) "
                    f"would both write {path.relative_to(manifest.output).as_posix()}{hint}",
                    "name")


def _check_overwrites(manifest: Manifest, jobs: list[Job], problem) -> None:
    """A problem for each file a job would write over a file that a job reads (an image, a
    file in a model folder, an instanced preset): the build would destroy its own input,
    and be out of date again after every build."""
    readers = {path: job for job in jobs for path in job.reads}
    for job in jobs:
        for map_name, path in job.files.items():
            read = next((read for read in readers if path.is_relative_to(read)), None)
            if read is not None:
                problem(f"job '{job.id}' (map {map_name}) would write over "
                        f"{display_path(read, manifest.path.parent)}, which job "
                        f"'{readers[read].id}' reads; choose another output folder or name",
                        "name")
