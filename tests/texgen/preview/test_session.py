"""PreviewSession: renders through one engine's cache, errors as data, file watching."""

import json

import numpy as np
import pytest

from texgen.errors import InputError
from texgen.io import decode_png
from texgen.preview.session import PreviewSession, preset_file, shrink

from .conftest import PART, image_bytes, preview_preset, rewrite


def url(node, port, kind, token):
    return f"{node}.{port}.{kind}.{token}"


@pytest.fixture
def session(engine, folder):
    return PreviewSession(folder / "demo.json", engine=engine, size=None)


ALL_NODES = {"base", "scaled", "tinted", "other", "mixed", "photo", "photo_mix", "part/wave",
             "part/boost", "part_mix"}


def test_first_render_computes_every_node_and_reports_it(session, counting):
    assert session.error is None
    assert set(session.stats.computed) == ALL_NODES
    assert session.stats.cached == []
    assert counting.calls["wave"] == 3  # base, other, part/wave
    state = session.state(image_url=url)
    assert {node["id"] for node in state["graph"]["nodes"]} == ALL_NODES
    assert state["error"] is None and state["version"] == 1


def test_a_parameter_change_recomputes_only_the_nodes_downstream(session, counting):
    counting.calls.clear()
    before = session.state(image_url=url)
    session.render(overrides={"gain": 1.5})
    assert set(session.stats.computed) == {"scaled", "tinted", "photo_mix"}
    assert set(session.stats.cached) == ALL_NODES - {"scaled", "tinted", "photo_mix"}
    assert counting.calls == {"scale": 1, "colorize": 1, "mix": 1}
    assert session.stats.changed == ["photo_mix", "scaled", "tinted"]
    after = session.state(image_url=url)
    tokens = {state["version"]: {node["id"]: node["outputs"][0]["token"]
                                 for node in state["graph"]["nodes"]}
              for state in (before, after)}
    # the page reloads exactly the images of the nodes that changed
    assert {node for node in ALL_NODES if tokens[1][node] != tokens[2][node]} == \
        {"scaled", "tinted", "photo_mix"}
    gain = next(p for p in after["parameters"] if p["name"] == "gain")
    assert gain == {"name": "gain", "type": "float", "doc": "", "value": 1.5, "default": 0.5,
                    "min": 0.0, "max": 2.0, "choices": [], "derived": None}


def test_back_to_an_earlier_value_comes_from_the_cache_with_a_new_token(session, counting):
    first = session.image("scaled", "out", "full")
    session.render(overrides={"gain": 1.5})
    counting.calls.clear()
    session.render(overrides={})
    assert counting.calls == {}, "every result was still in the engine's cache"
    assert "scaled" in session.stats.changed
    assert session.image("scaled", "out", "full") == first


def test_an_invalid_override_is_error_data_and_the_last_good_render_stays(session):
    good = session.image("tinted", "out", "full")
    session.render(overrides={"gain": 9.0})
    state = session.state(image_url=url)
    assert state["error"]["problems"] == [
        {"file": str(session.path), "node": None, "key": "gain",
         "message": "override: expected a value <= 2.0, got 9.0"}]
    assert state["graph"] is not None and session.image("tinted", "out", "full") == good
    session.render(overrides={"gain": 1.0})
    assert session.error is None


def test_an_invalid_edit_is_located_and_keeps_the_last_good_outputs(session, folder):
    good = {port: session.image(node, port, "full") for node, port in
            [("tinted", "out"), ("mixed", "out")]}
    broken = preview_preset()
    broken["nodes"]["scaled"]["factor"] = "$gian"
    rewrite(folder / "demo.json", json.dumps(broken))
    assert session.poll() is True
    error = session.state(image_url=url)["error"]
    assert error["kind"] == "PresetError"
    assert error["problems"][0] | {"message": ""} == {
        "file": str(folder / "demo.json"), "node": "scaled", "key": "factor", "message": ""}
    assert "did you mean 'gain'" in error["problems"][0]["message"]
    assert {port: session.image(node, port, "full") for node, port in
            [("tinted", "out"), ("mixed", "out")]} == good
    rewrite(folder / "demo.json", json.dumps(preview_preset()))
    assert session.poll() is True and session.error is None


def test_a_file_that_is_not_even_toml_or_json_is_located_too(session, folder):
    rewrite(folder / "demo.json", "{ not json")
    session.poll()
    (problem,) = session.state(image_url=url)["error"]["problems"]
    assert problem["file"] == str(folder / "demo.json") and "not valid JSON" in problem["message"]


def test_poll_renders_only_when_a_watched_file_changed(session, folder, counting):
    assert session.poll() is False
    assert set(session.watched_files()) == {(folder / name).resolve()
                                            for name in ("demo.json", "pic.png", "part.json")}
    counting.calls.clear()
    edited = preview_preset()
    edited["nodes"]["other"]["frequency"] = 5
    rewrite(folder / "demo.json", json.dumps(edited))
    version = session.version
    assert session.poll() is True and session.version == version + 1
    assert set(session.stats.computed) == {"other", "mixed"}
    assert session.poll() is False


def test_poll_picks_up_an_edited_image_and_recomputes_what_reads_it(session, folder, counting):
    before = decode_png(session.image("photo", "out", "full"))
    rewrite(folder / "pic.png", image_bytes(0.25))
    assert session.poll() is True
    assert set(session.stats.computed) == {"photo", "photo_mix"}
    after = decode_png(session.image("photo", "out", "full"))
    assert np.allclose(after, before + 0.25, atol=1 / 255)


def test_poll_picks_up_an_edited_instanced_preset(session, folder):
    rewrite(folder / "part.json", json.dumps(PART | {"parameters": {"level": {
        "type": "float", "default": 3.0, "min": 0, "max": 10}}}))
    assert session.poll() is True
    assert set(session.stats.computed) == {"part/boost", "part_mix"}
    state = session.state(image_url=url)
    assert state["graph"]["groups"] == [{"id": "part", "parent": None, "preset": "part.json"}]


def test_an_error_in_an_instanced_preset_is_watched_until_it_is_fixed(session, folder):
    rewrite(folder / "part.json", json.dumps(PART | {"nodes": {"wave": {"type": "t.wave",
                                                                        "frequency": 0}}}))
    session.poll()
    assert session.error.problems[0].file == str(folder / "part.json")
    rewrite(folder / "part.json", json.dumps(PART))
    assert session.poll() is True and session.error is None


def test_images_thumbnails_and_unknown_ports(engine, folder):
    session = PreviewSession(folder / "demo.json", engine=engine, size=64, thumb=16)
    full = decode_png(session.image("tinted", "out", "full"))
    assert full.shape == (64, 64, 3)
    assert decode_png(session.image("tinted", "out", "thumb")).shape == (16, 16, 3)
    assert session.image("tinted", "nope", "full") is None
    assert session.image("nope", "out", "full") is None
    assert session.image("tinted", "out", "huge") is None


def test_a_preset_that_never_validated_has_no_graph_but_its_error(engine, tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps(preview_preset(outputs={})))
    session = PreviewSession(tmp_path / "bad.json", engine=engine)
    state = session.state(image_url=url)
    assert state["graph"] is None and state["error"]["problems"]
    assert session.image("base", "out", "full") is None


def test_shrink_averages_blocks_and_keeps_the_aspect():
    texture = np.arange(16, dtype=np.float32).reshape(4, 4, 1)
    assert shrink(texture, 2)[:, :, 0].tolist() == [[2.5, 4.5], [10.5, 12.5]]
    assert shrink(texture, 4) is texture
    assert shrink(np.zeros((300, 600, 3), np.float32), 200).shape == (100, 200, 3)


def test_preset_file_takes_files_and_names(engine, folder, monkeypatch):
    assert preset_file(engine, folder / "demo.json") == folder / "demo.json"
    monkeypatch.chdir(folder)
    (folder / "presets").mkdir()
    (folder / "presets" / "named.json").write_text("{}")
    assert preset_file(engine, "named").resolve() == folder / "presets" / "named.json"
    with pytest.raises(InputError, match="did you mean 'named'"):
        preset_file(engine, "name")


def test_a_node_that_fails_is_error_data_naming_it(session, folder):
    broken = preview_preset()
    broken["nodes"]["doomed"] = {"type": "t.fail", "input": "base"}
    rewrite(folder / "demo.json", json.dumps(broken))
    session.poll()
    error = session.state(image_url=url)["error"]
    assert error["kind"] == "RenderError" and error["problems"] == []
    assert "node 'doomed' (t.fail): RuntimeError: kaboom" in error["message"]
    assert session.graph.nodes.keys() == ALL_NODES, "the last good render stays"


def test_an_unexpected_exception_is_error_data_too(session, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(session.engine, "render_graph", broken)
    session.render()
    assert str(session.error) == f"{session.path}: internal error: ZeroDivisionError: oops"


def test_a_chosen_seed_stays_until_reset_to_the_files(session, folder):
    session.render(seed=11)
    assert session.state(image_url=url)["seed"] == 11
    session.render(overrides={"gain": 1.0})
    assert session.state(image_url=url)["seed"] == 11, "kept when not given"
    session.render(seed=None)
    assert session.state(image_url=url)["seed"] == 5, "the file's (tests/conftest.py)"
    rewrite(folder / "demo.json", json.dumps(preview_preset(seed=8)))
    session.poll()
    assert session.state(image_url=url)["seed"] == 8, "a file edit shows when not chosen"
