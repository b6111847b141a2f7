"""Frames over a range (``frame_range=(start, end)``, ``--frame-param NAME=START:END``):
the animated parameter goes from start at the first frame to end at the last, both
included, where the default frames loop over [0, 1)."""

import json

import numpy as np
import pytest
from conftest import make_preset

from texgen.cli import main
from texgen.errors import InputError, PresetError
from texgen.io import read_image


def wear_preset(factor="$wear"):
    """``scaled = base * factor``, with an exposed float ``wear`` (0..1) and ``phase``."""
    preset = make_preset(parameters={
        "wear": {"type": "float", "default": 0.5, "min": 0.0, "max": 1.0},
        "phase": {"type": "float", "default": 0.0, "min": 0.0, "max": 1.0}},
        outputs={"base": {"node": "base", "format": "tiff"},
                 "scaled": {"node": "scaled", "format": "tiff"}})
    preset["nodes"]["scaled"]["factor"] = factor
    return preset


def ratios(directory, frames):
    """``scaled / base`` of each frame written in ``directory``."""
    base = read_image(directory / "demo_base_0000.tiff")
    return [float(np.median(read_image(directory / f"demo_scaled_{i:04d}.tiff") / base))
            for i in range(frames)]


def test_a_range_includes_both_ends(engine, tmp_path):
    report = engine.save_frames(wear_preset(), tmp_path, frames=5, frame_param="wear",
                                frame_range=(0.2, 0.75))
    assert ratios(tmp_path, 5) == pytest.approx([0.2, 0.3375, 0.475, 0.6125, 0.75], rel=1e-5)
    assert len(report.files) == 10
    graphs = [engine.validate(wear_preset(), overrides={"wear": v}) for v in (0.2, 0.75)]
    assert [g.nodes["scaled"].params["factor"] for g in graphs] == [0.2, 0.75]


def test_a_range_may_go_down_and_one_frame_is_its_start(engine, tmp_path):
    engine.save_frames(wear_preset(), tmp_path / "down", frames=3, frame_param="wear",
                       frame_range=(1.0, 0.0))
    assert ratios(tmp_path / "down", 3) == pytest.approx([1.0, 0.5, 0.0], abs=1e-6)
    engine.save_frames(wear_preset(), tmp_path / "one", frames=1, frame_param="wear",
                       frame_range=(0.3, 0.9))
    assert ratios(tmp_path / "one", 1) == pytest.approx([0.3], rel=1e-5)


def test_without_a_range_frames_still_loop_over_0_to_1(engine, tmp_path):
    engine.save_frames(wear_preset(), tmp_path, frames=4, frame_param="wear")
    assert ratios(tmp_path, 4) == pytest.approx([0.0, 0.25, 0.5, 0.75], abs=1e-6)


def test_an_expression_over_phase_maps_the_loop(engine, tmp_path):
    engine.save_frames(wear_preset("= lerp(0.2, 0.75, $phase)"), tmp_path, frames=4)
    assert ratios(tmp_path, 4) == pytest.approx([0.2, 0.3375, 0.475, 0.6125], rel=1e-5)


@pytest.mark.parametrize("options, error, message", [
    ({"frame_range": (0.2,)}, InputError,
     "frame_range: expected (start, end), two numbers, got (0.2,)"),
    ({"frame_range": (0.0, float("nan"))}, InputError, "two numbers, got (0.0, nan)"),
    ({"frame_range": ("0", 1)}, InputError, "two numbers, got ('0', 1)"),
    ({"frame_range": (0.5, 1.5)}, PresetError,
     "key 'wear': override: expected a value <= 1.0, got 1.5"),
    ({"frame_range": (0.2, 0.8), "overrides": {"wear": 0.1}}, InputError,
     "parameter 'wear' is set by each frame (0.2 to 0.8); it cannot also be overridden"),
])
def test_a_bad_range_is_refused_before_rendering(engine, counting, tmp_path, options, error,
                                                 message):
    with pytest.raises(error) as caught:
        engine.save_frames(wear_preset(), tmp_path / "out", frames=3, frame_param="wear",
                           **options)
    assert message in str(caught.value)
    assert not counting.calls and not (tmp_path / "out").exists()


@pytest.fixture
def wear_file(tmp_path, install):
    install("t", "from conftest import CountingPlugin\nplugin = CountingPlugin()\n",
            attr="plugin")
    path = tmp_path / "wear.json"
    path.write_text(json.dumps(wear_preset()))
    return path


def test_cli_frame_param_range(wear_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(wear_file), "-o", str(out), "-q", "--frames", "3",
                 "--frame-param", "wear=0.25:0.75"]) == 0
    assert ratios(out, 3) == pytest.approx([0.25, 0.5, 0.75], rel=1e-5)
    assert main(["render", str(wear_file), "-o", str(tmp_path / "loop"), "-q", "--frames",
                 "2", "--frame-param", "wear"]) == 0
    assert ratios(tmp_path / "loop", 2) == pytest.approx([0.0, 0.5], abs=1e-6)


@pytest.mark.parametrize("value", ["wear=0.2", "wear=a:b", "=0.2:0.7", "wear=0.2:"])
def test_cli_bad_frame_param_exits_2(wear_file, tmp_path, capsys, value):
    code = main(["render", str(wear_file), "-o", str(tmp_path / "out"), "--frames", "3",
                 "--frame-param", value])
    assert code == 2
    assert "use NAME or NAME=START:END, e.g. wear=0.2:0.75" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
