"""Manifest parsing: the checks that need no preset, each naming the file and the key."""

import json

import pytest

from texgen.build.manifest import (
    DEFAULT_NAME,
    ManifestError,
    find_manifest,
    load_manifest,
    lock_name,
)
from texgen.errors import InputError


def test_a_full_manifest_parses(project):
    path = project.write("""
        texgen_build = 1
        output = "out/textures"
        name = "T_{material}_{variant}_{map}"
        targets = ["unreal", "gltf"]

        [[material]]
        preset = "presets/checks.toml"
        name = "Checks"
        sizes = [64, [128, 64], 64]
        seeds = [3]

        [material.variants.dark]
        gamma = 0.5
        """)
    manifest = load_manifest(project.root)  # a folder finds texgen.build.toml
    assert manifest.path == path.resolve()
    assert manifest.output == (project.root / "out" / "textures").resolve()
    assert manifest.targets == ("unreal", "gltf")
    [material] = manifest.materials
    assert material.sizes == ((64, 64), (128, 64))  # duplicates dropped, order kept
    assert material.seeds == (3,)
    assert material.variants == {"dark": {"gamma": 0.5}}
    assert manifest.lock_path == project.root / "texgen.lock.json"


@pytest.mark.parametrize(("manifest", "lock"), [
    ("texgen.build.toml", "texgen.lock.json"), ("props.build.toml", "props.lock.json"),
    ("props.toml", "props.lock.json"), ("props.json", "props.lock.json"),
    ("assets.v2.toml", "assets.v2.lock.json")])
def test_each_manifest_names_its_own_lock(manifest, lock):
    assert lock_name(manifest) == lock


def test_defaults(project):
    project.write("""
        texgen_build = 1
        [[material]]
        preset = "checks"
        """)
    manifest = load_manifest(project.root / "texgen.build.toml")
    assert manifest.name == DEFAULT_NAME
    assert manifest.targets == ("png",)
    assert manifest.output == (project.root / "build").resolve()
    [material] = manifest.materials
    assert (material.name, material.sizes, material.seeds) == (None, None, None)
    assert material.variants == {"default": {}}


def test_json_manifests_are_accepted(tmp_path):
    path = tmp_path / "build.json"
    path.write_text(json.dumps({"texgen_build": 1, "material": [{"preset": "marble"}]}))
    assert load_manifest(path).materials[0].preset == "marble"


@pytest.mark.parametrize("text, key, words", [
    ('texgen_build = 1\nouput = "x"\n[[material]]\npreset = "a"', "ouput",
     "did you mean 'output'"),
    ('texgen_build = 2\n[[material]]\npreset = "a"', "texgen_build", "texgen_build = 1"),
    ('texgen_build = 1\nname = "{material}_{mapp}"\n[[material]]\npreset = "a"', "name",
     "unknown template field {mapp}; did you mean 'map'"),
    ('texgen_build = 1\n[[material]]\npreset = "a"\nsizes = [0]', "material[0].sizes[0]",
     "expected pixels"),
    ('texgen_build = 1\n[[material]]\npreset = "a"\nseeds = [-1]', "material[0].seeds[0]",
     "integer seed"),
    ('texgen_build = 1\n[[material]]\npreset = "a"\nname = "../up"', "material[0].name",
     "cannot be used in a file name"),
    ('texgen_build = 1\n[[material]]\npreset = "a"\ncolour = 1', "material[0].colour",
     "unknown key"),
    ('texgen_build = 1\n[[material]]\npreset = "a"\n[material.variants.x]\n'
     '[material.variants."a b"]', "material[0].variants.a b", "variant name"),
    ("texgen_build = 1", "material", "one or more [[material]]"),
    ('texgen_build = 1\ntargets = []\n[[material]]\npreset = "a"', "targets", "non-empty"),
    ('texgen_build = 1\nname = "{material}_{seed:x>900000000}"\n[[material]]\npreset = "a"',
     "name", "template field {seed:x>900000000}: format specs are not allowed"),
    ('texgen_build = 1\noutput = "texgen.build.toml"\n[[material]]\npreset = "a"', "output",
     "cannot be the output folder: it is a file"),
    ('texgen_build = 1\noutput = "/tmp/textures"\n[[material]]\npreset = "a"', "output",
     "expected a folder inside the manifest's folder, got '/tmp/textures'"),
    ('texgen_build = 1\noutput = "build/../../textures"\n[[material]]\npreset = "a"',
     "output", "expected a folder inside the manifest's folder"),
])
def test_bad_manifests_name_the_file_and_key(project, text, key, words):
    path = project.write(text)
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    line = next(line for line in str(caught.value).splitlines() if f"key '{key}'" in line)
    assert line.startswith(f"{path.resolve()}: key '{key}': ")
    assert words in line


@pytest.mark.parametrize("output, inside", [(".", ""), ("build/../textures", "textures"),
                                            ("./build", "build")])
def test_an_output_inside_the_manifest_folder_may_be_spelt_any_way(project, output, inside):
    path = project.write(f'texgen_build = 1\noutput = "{output}"\n[[material]]\npreset = "a"')
    assert load_manifest(path).output == (project.root / inside).resolve()


def test_every_problem_is_listed_at_once(project):
    path = project.write('texgen_build = 3\nbogus = 1\n[[material]]\nsizes = "big"')
    message = str(pytest.raises(ManifestError, load_manifest, path).value)
    assert [line.split("key '")[1].split("'")[0] for line in message.splitlines()] == \
        ["bogus", "texgen_build", "material[0].preset", "material[0].sizes"]


def test_missing_and_unparsable_manifests(tmp_path):
    with pytest.raises(InputError, match="no such manifest file"):
        find_manifest(tmp_path)
    (tmp_path / "texgen.build.toml").write_text("texgen_build = ")
    with pytest.raises(InputError, match="not valid TOML"):
        load_manifest(tmp_path)
