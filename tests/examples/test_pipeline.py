"""examples/pipeline and the manifest of docs/build.md plan as written: every demo preset,
the variants' parameters exposed, no file written twice."""

import re
from pathlib import Path

from texgen import Engine
from texgen.build.jobs import plan_jobs
from texgen.build.manifest import load_manifest

ROOT = Path(__file__).parents[2]
#: The 16 demo presets of issue #23 (the example predates presets added since).
DEMO_PRESETS = {"camouflage", "clouds", "cobblestone", "desert_dunes", "grass_ground", "lava",
                "leather", "marble", "neural_lava", "red_bricks", "rock", "rusted_metal",
                "scifi_panels", "terrain", "water_caustics", "wood_planks"}


def test_the_pipeline_example_builds_every_demo_preset_for_unreal_and_gltf():
    jobs = plan_jobs(load_manifest(ROOT / "examples" / "pipeline"), Engine())
    assert {Path(job.preset).stem for job in jobs} == DEMO_PRESETS
    assert {job.target_name for job in jobs} == {"unreal", "gltf"}
    assert len({job.variant for job in jobs if job.material == "Marble"}) == 2
    assert len(jobs) == 60


def test_the_manifest_of_docs_build_md_plans(tmp_path):
    text = (ROOT / "docs" / "build.md").read_text()
    manifest = next(block for block in re.findall(r"^```toml\n(.*?)^```", text, re.S | re.M)
                    if "texgen_build = 1" in block)
    (tmp_path / "presets").symlink_to(ROOT / "presets")
    (tmp_path / "texgen.build.toml").write_text(manifest)
    jobs = plan_jobs(load_manifest(tmp_path), Engine())
    assert len(jobs) == 2 * 3 * 2 * 2  # variants x sizes x seeds x targets
    assert {job.id for job in jobs} >= {"Bricks/worn/1024/1/unreal",
                                        "Bricks/clean/2048x1024/2/gltf"}
