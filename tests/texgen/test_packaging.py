"""The wheel carries what a user of `pip install texgen` needs: the demo presets, found by
name from any folder, and the files they read (shipped models, through ``pkg:`` paths)."""

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from texgen.preview.server import STATIC_FILES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory) -> Path:
    """The project's wheel, built from this checkout (no network) and unzipped."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(out), str(ROOT)], check=True,
                   capture_output=True)
    (wheel,) = out.glob("texgen-*.whl")
    unpacked = out / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    return unpacked


def test_the_wheel_ships_every_demo_preset_and_registers_their_folder(unpacked_wheel):
    shipped = {p.name for p in (unpacked_wheel / "texgen_presets").glob("*.toml")}
    assert shipped == {p.name for p in (ROOT / "presets").glob("*.toml")}
    (entry_points,) = unpacked_wheel.glob("texgen-*.dist-info/entry_points.txt")
    assert "presets = texgen_presets" in entry_points.read_text()


def test_every_pkg_path_a_demo_preset_names_is_in_the_wheel(unpacked_wheel):
    referenced = []
    for preset in (ROOT / "presets").glob("*.toml"):
        for node in tomllib.loads(preset.read_text()).get("nodes", {}).values():
            referenced += [v[len("pkg:"):] for v in node.values()
                           if isinstance(v, str) and v.startswith("pkg:")]
    assert referenced  # neural_lava's model
    for reference in referenced:
        assert any((unpacked_wheel / reference).iterdir()), reference


def test_the_installed_wheel_renders_a_demo_preset_by_name_from_any_folder(unpacked_wheel,
                                                                         tmp_path):
    # The wheel's copy comes first on sys.path, so its packages and entry points are the
    # ones loaded (not this checkout's); the working folder has no presets/ of its own.
    program = ("import sys; sys.path.insert(0, sys.argv[1]); import texgen_presets; "
               "assert texgen_presets.__file__.startswith(sys.argv[1]), texgen_presets.__file__;"
               " from texgen.cli import main; sys.argv[1:] = ['render', 'marble', "
               "'neural_lava', '-o', 'out', '--size', '32', '-q']; main()")
    env = {**os.environ, "PYTHONPATH": ""}
    run = subprocess.run([sys.executable, "-c", program, str(unpacked_wheel)], cwd=tmp_path,
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "marble_basecolor.png").is_file()
    assert (tmp_path / "out" / "neural_lava_basecolor.png").is_file()


def test_the_wheel_ships_the_describe_vocabulary(unpacked_wheel):
    for name in ("words.toml", "xkcd_colors.json"):
        assert (unpacked_wheel / "texgen" / "data" / name).is_file(), name
    assert (unpacked_wheel / "texgen" / "describe" / "describer.py").is_file()


def test_the_wheel_ships_the_preview_page(unpacked_wheel):
    for name in STATIC_FILES:
        assert (unpacked_wheel / "texgen" / "preview" / "static" / name).is_file(), name
