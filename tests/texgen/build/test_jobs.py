"""Job expansion and the checks that need presets and targets (texgen.build.jobs)."""

import pytest

from texgen import Engine
from texgen.build.jobs import plan_jobs
from texgen.build.manifest import ManifestError, load_manifest


@pytest.fixture(scope="module")
def engine():
    return Engine()


def plan(project, text, engine):
    return plan_jobs(load_manifest(project.write(text)), engine)


def test_jobs_expand_materials_variants_sizes_seeds_targets(project, engine):
    jobs = plan(project, """
        texgen_build = 1
        name = "{material}_{variant}_{size}_{seed}_{target}_{map}"
        targets = ["png", "gltf"]
        [[material]]
        preset = "presets/checks.toml"
        sizes = [16, [32, 16]]
        seeds = [1, 2]
        [material.variants.a]
        [material.variants.b]
        gamma = 2.0
        """, engine)
    assert len(jobs) == 2 * 2 * 2 * 2
    assert jobs[0].id == "checks/a/16/1/png"
    assert "checks/b/32x16/2/gltf" in {job.id for job in jobs}
    job = next(job for job in jobs if job.id == "checks/b/32x16/2/gltf")
    assert job.size == (32, 16) and job.seed == 2 and job.overrides == {"gamma": 2.0}
    assert job.files["basecolor"] == project.output / "checks_b_32x16_2_gltf_basecolor.png"
    assert len({job.key for job in jobs}) == len(jobs)


def test_keys_are_stable_and_follow_what_shapes_the_bytes(project, engine):
    first = {job.id: job for job in plan(project, project.manifest, engine)}
    again = {job.id: job for job in plan(project, project.manifest, Engine())}
    assert {i: j.key for i, j in first.items()} == {i: j.key for i, j in again.items()}
    # a comment or a reordering in the preset file changes no key: the graph is hashed
    checks = project.root / "presets" / "checks.toml"
    checks.write_text("# edited\n" + checks.read_text())
    assert {job.id: job.key for job in plan(project, project.manifest, Engine())} == \
        {i: j.key for i, j in first.items()}
    # a new default in the preset changes the graph of the jobs that do not override it
    checks.write_text(checks.read_text().replace("count = 4", "count = 6"))
    changed = {job.id: job for job in plan(project, project.manifest, Engine())}
    assert changed["checks/default/32/1/png"].parts["graph"] != \
        first["checks/default/32/1/png"].parts["graph"]
    assert changed["Stone/default/32/1/png"].key == first["Stone/default/32/1/png"].key


def test_image_digests_are_inputs(project, engine):
    [job] = [job for job in plan(project, project.manifest, engine) if job.material == "Stone"]
    digest = job.inputs["files"]["presets/stone.png"]
    assert len(digest) == 64
    assert job.outputs == ("basecolor", "roughness")


@pytest.mark.parametrize("material, key, words", [
    ('preset = "nope"', "material[0].preset", "no preset file or preset named 'nope'"),
    ('preset = "presets/checks.toml"\n[material.variants.v]\ngama = 2',
     "material[0].variants.v.gama", "exposes no parameter 'gama'; did you mean 'gamma'"),
    ('preset = "presets/checks.toml"\n[material.variants.v]\ngamma = "high"',
     "material[0].variants.v.gamma", "override"),
    ('preset = "presets/checks.toml"\ntargets = ["unrael"]', "material[0].targets",
     "unknown target 'unrael'; did you mean 'unreal'"),
    ('preset = "presets/checks.toml"\nsizes = [64, [16384, 8192]]\nseeds = [1, 2]',
     "material[0].sizes[1]", "size 16384x8192 is 134,217,728 pixels; the limit is"),
])
def test_bad_input_names_the_manifest_and_key(project, engine, material, key, words):
    path = project.write(f"texgen_build = 1\n[[material]]\n{material}\n")
    with pytest.raises(ManifestError) as caught:
        plan_jobs(load_manifest(path), engine)
    [line] = str(caught.value).splitlines()
    assert line.startswith(f"{path.resolve()}: key '{key}': ")
    assert words in line


def test_colliding_file_names_name_both_jobs_once(project, engine):
    path = project.write("""
        texgen_build = 1
        name = "{material}_{map}"
        [[material]]
        preset = "presets/checks.toml"
        sizes = [16, 32]
        """)
    with pytest.raises(ManifestError) as caught:
        plan_jobs(load_manifest(path), engine)
    [line] = str(caught.value).splitlines()
    assert "key 'name'" in line
    assert "jobs 'checks/default/16/1/png' (map basecolor) and 'checks/default/32/1/png' " \
           "(map basecolor) would both write checks_basecolor.png" in line
    assert "add {variant}" not in line and "add {size} to the template" in line


def test_names_may_make_subfolders_but_not_leave_the_output(project, engine):
    jobs = plan(project, 'texgen_build = 1\nname = "{material}/{map}"\n[[material]]\n'
                'preset = "presets/checks.toml"', engine)
    assert jobs[0].files["height"] == project.output / "checks" / "height.png"
    path = project.write('texgen_build = 1\nname = "../{material}_{map}"\n[[material]]\n'
                         'preset = "presets/checks.toml"')
    with pytest.raises(ManifestError, match="key 'name'.*not a file name inside"):
        plan_jobs(load_manifest(path), engine)


def test_workers_find_plugin_presets_by_name_and_files_by_path(project, engine):
    jobs = plan(project, 'texgen_build = 1\n[[material]]\npreset = "marble"\nsizes = [16]\n'
                '[[material]]\npreset = "presets/checks.toml"', engine)
    assert [job.preset for job in jobs] == [
        "marble", str((project.root / "presets" / "checks.toml").resolve())]


def test_two_materials_may_not_share_a_name(project, engine):
    path = project.write('texgen_build = 1\n[[material]]\npreset = "presets/checks.toml"\n'
                         '[[material]]\npreset = "presets/photo.toml"\nname = "checks"\n')
    with pytest.raises(ManifestError) as caught:
        plan_jobs(load_manifest(path), engine)
    [line] = str(caught.value).splitlines()
    assert "key 'material[1].name': material name 'checks' is also material[0]'s" in line


def test_every_problem_of_a_bad_preset_is_a_line_naming_the_manifest_key(project, engine):
    (project.root / "presets" / "broken.toml").write_text(
        'texgen = 1\nsize = 0\nseed = -1\n[nodes.a]\ntype = "patterns.checker"\n'
        '[outputs]\nheight = "a"\n')
    path = project.write('texgen_build = 1\n[[material]]\npreset = "presets/broken.toml"\n')
    with pytest.raises(ManifestError) as caught:
        plan_jobs(load_manifest(path), engine)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path.resolve()}: key 'material[0].preset': ")
               for line in lines)


class StudioTargets:
    """A studio's plugin adding a target through the register_targets hook."""

    @staticmethod
    def register_targets(register):
        from texgen.build.targets import ChannelSource, Target, TargetMap

        register(Target("studio", (
            TargetMap("albedo", (ChannelSource("basecolor"),), "png8", "srgb"),)))


def test_a_plugin_target_is_usable_in_a_manifest(project):
    from texgen import hookimpl

    plugin = StudioTargets()
    plugin.register_targets = hookimpl(StudioTargets.register_targets)
    studio_engine = Engine(plugins={"studio": plugin})
    assert studio_engine.targets["studio"].maps[0].map == "albedo"
    assert {"png", "unreal", "unity", "gltf"} <= set(studio_engine.targets)
    text = MANIFEST_ONE_TARGET.format(target="studio")
    (job,) = plan(project, text, studio_engine)
    assert set(job.files) == {"albedo"}
    with pytest.raises(ManifestError, match=r"unknown target 'studio'"):
        plan(project, text, Engine())


def test_a_manifest_target_may_not_take_a_registered_name(project, engine):
    with pytest.raises(ManifestError, match=r"key 'target.gltf'.*'gltf' is a registered "
                                            r"target \(plugin formats\)"):
        plan(project, MANIFEST_ONE_TARGET.format(target="gltf") + """
        [target.gltf.maps.basecolor]
        source = "basecolor"
        format = "png8"
        """, engine)


def test_a_second_target_of_one_name_is_a_plugin_error():
    from texgen import hookimpl
    from texgen.build.targets import BUILTIN_TARGETS

    class Again:
        @hookimpl
        def register_targets(self, register):
            register(BUILTIN_TARGETS["gltf"])

    engine = Engine(plugins={"again": Again()})
    (info,) = [p for p in engine.plugins if p.name == "again"]
    assert info.errors == ["duplicate target 'gltf'"] and info.targets == []


MANIFEST_ONE_TARGET = """
    texgen_build = 1
    name = "{{material}}_{{map}}"
    targets = ["{target}"]
    [[material]]
    preset = "presets/checks.toml"
    """


def test_a_variant_path_is_read_from_the_manifest_folder_wherever_the_build_runs(
        project, engine, tmp_path_factory, monkeypatch):
    photo = project.root / "presets" / "photo.toml"
    photo.write_text(photo.read_text().replace('path = "stone.png"', 'path = "$photo"')
                     + '[parameters.photo]\ntype = "path"\ndefault = "stone.png"\n')
    (project.root / "images").mkdir()
    (project.root / "images" / "moss.png").write_bytes((project.root / "presets" /
                                                        "stone.png").read_bytes())
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    [job] = plan(project, 'texgen_build = 1\n[[material]]\npreset = "presets/photo.toml"\n'
                 '[material.variants.moss]\nphoto = "images/moss.png"\n', engine)
    # the worker gets the file's absolute path; the lock keeps the value as written
    assert job.overrides == {"photo": str(project.root / "images" / "moss.png")}
    assert job.inputs["parameters"] == {"photo": "images/moss.png"}
    assert list(job.inputs["files"]) == ["images/moss.png"]


def test_a_job_may_not_write_over_a_file_a_job_reads(project, engine):
    path = project.write('texgen_build = 1\noutput = "presets"\nname = "stone"\n'
                         'targets = ["gltf_color"]\n[[material]]\n'
                         'preset = "presets/photo.toml"\n[target.gltf_color.maps.color]\n'
                         'source = "basecolor"\nformat = "png8"\n')
    before = (project.root / "presets" / "stone.png").read_bytes()
    with pytest.raises(ManifestError) as caught:
        plan_jobs(load_manifest(path), engine)
    [line] = str(caught.value).splitlines()
    assert "key 'name': job 'photo/default/32/1/gltf_color' (map color) would write over " \
           "presets/stone.png, which job 'photo/default/32/1/gltf_color' reads" in line
    assert (project.root / "presets" / "stone.png").read_bytes() == before


def test_a_file_name_too_long_to_write_is_refused_before_rendering(project, engine):
    path = project.write(f'texgen_build = 1\nname = "{{material}}_{"x" * 230}_{{map}}"\n'
                         '[[material]]\npreset = "presets/checks.toml"\n')
    with pytest.raises(ManifestError, match=r"key 'name': 'checks_x+_basecolor.png' .* is "
                                            r"251 bytes long; a file or folder name may "
                                            r"have at most 236"):
        plan_jobs(load_manifest(path), engine)


def test_the_png_target_key_follows_the_preset_output_formats(project, engine):
    text = ('texgen_build = 1\nname = "{target}_{map}"\ntargets = ["png", "gltf"]\n'
            '[[material]]\npreset = "presets/checks.toml"\n')
    before = {job.target_name: job for job in plan(project, text, engine)}
    checks = project.root / "presets" / "checks.toml"
    for edit in ('height = { node = "shaded", format = "png8" }',
                 'height = { node = "shaded", normalize = true }'):
        checks.write_text(checks.read_text().replace('height = "shaded"', edit))
        after = {job.target_name: job for job in plan(project, text, Engine())}
        # same file name, other bytes: only the key can tell the png jobs apart
        assert after["png"].files == before["png"].files
        assert after["png"].parts["target"] != before["png"].parts["target"]
        assert after["gltf"].key == before["gltf"].key  # gltf sets its own formats
        checks.write_text(checks.read_text().replace(edit, 'height = "shaded"'))
