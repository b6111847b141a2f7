"""The preview's HTTP server, on a free port in a thread: routes, renders through the cache,
errors as data, live reload events, and no way out of the served files."""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from texgen.io import decode_png
from texgen.preview.server import serve

from .conftest import image_bytes, preview_preset, rewrite


def request(server, path, *, method="GET", body=None, headers=None):
    """(status, content type, body bytes) of one request."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


def get_json(server, path, **options):
    status, kind, body = request(server, path, **options)
    assert kind == "application/json"
    return status, json.loads(body)


def test_the_page_and_its_files(server):
    status, kind, body = request(server, "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert b'<script src="static/app.js">' in body and b'<script src="data.js">' in body
    for name, kind_wanted in [("app.js", "text/javascript; charset=utf-8"),
                              ("viewer.js", "text/javascript; charset=utf-8"),
                              ("style.css", "text/css; charset=utf-8")]:
        status, kind, body = request(server, f"/static/{name}")
        assert (status, kind) == (200, kind_wanted) and body
    status, _, body = request(server, "/data.js")
    assert status == 200 and b"TEXGEN_DATA" not in body  # live: no baked data


def test_state_and_images(server):
    status, state = get_json(server, "/api/state")
    assert status == 200 and state["preset"] == "demo" and state["size"] == [32, 32]
    tinted = next(node for node in state["graph"]["nodes"] if node["id"] == "tinted")
    (port,) = tinted["outputs"]
    status, kind, png = request(server, port["image"])
    assert (status, kind) == (200, "image/png")
    assert decode_png(png).shape == (32, 32, 3)
    assert decode_png(request(server, port["thumb"])[2]).shape == (8, 8, 3)
    wave = next(node for node in state["graph"]["nodes"] if node["id"] == "part/wave")
    assert "node=part%2Fwave" in wave["outputs"][0]["image"]
    assert request(server, wave["outputs"][0]["image"])[0] == 200
    assert request(server, "/api/image?node=tinted&port=nope")[0] == 404
    assert request(server, "/nowhere")[0] == 404


def test_render_recomputes_only_downstream_and_answers_the_new_state(server, counting):
    counting.calls.clear()
    status, state = get_json(server, "/api/render", method="POST",
                             body=json.dumps({"overrides": {"gain": 2.0}}))
    assert status == 200
    assert state["stats"]["computed"] == 3 and state["stats"]["cached"] == 7
    assert sorted(state["stats"]["computed_nodes"]) == ["photo_mix", "scaled", "tinted"]
    assert counting.calls == {"scale": 1, "colorize": 1, "mix": 1}
    assert next(p for p in state["parameters"] if p["name"] == "gain")["value"] == 2.0
    status, state = get_json(server, "/api/render", method="POST",
                             body=json.dumps({"overrides": {"gain": 2.0}, "seed": 11}))
    assert state["seed"] == 11 and state["stats"]["computed"] == 10, "a new seed: all new"
    _, state = get_json(server, "/api/render", method="POST", body='{"overrides": {}}')
    assert state["seed"] == 11, "no seed given: kept"
    _, state = get_json(server, "/api/render", method="POST", body='{"seed": null}')
    assert state["seed"] == 5, "null: the file's"


def test_a_refused_override_is_error_data(server):
    status, state = get_json(server, "/api/render", method="POST",
                             body=json.dumps({"overrides": {"gian": 1}}))
    assert status == 200 and state["graph"] is not None
    (problem,) = state["error"]["problems"]
    assert problem["key"] == "gian" and "did you mean 'gain'" in problem["message"]


@pytest.mark.parametrize("body", ["{not json", '{"overrides": [1]}', '{"seed": "x"}', "[]"])
def test_a_malformed_render_request_is_refused(server, body):
    status, answer = get_json(server, "/api/render", method="POST", body=body)
    assert status == 400 and answer["error"].startswith("bad render request")


@pytest.mark.parametrize("length", ["many", "-1", str(2 << 20)])
def test_a_render_request_of_a_bad_length_is_refused(server, length):
    status, answer = get_json(server, "/api/render", method="POST",
                              headers={"Content-Length": length})
    assert status == 400 and answer["error"].startswith("bad render request")


def test_an_invalid_edit_is_reported_and_the_last_good_outputs_stay(server, folder):
    _, state = get_json(server, "/api/state")
    image = next(n for n in state["graph"]["nodes"] if n["id"] == "tinted")["outputs"][0]
    good = request(server, image["image"])[2]
    broken = preview_preset()
    broken["nodes"]["tinted"]["mode"] = "sreen"
    rewrite(folder / "demo.json", json.dumps(broken))
    state = wait_for_state(server, lambda s: s["error"] is not None)
    (problem,) = state["error"]["problems"]
    assert (problem["file"], problem["node"], problem["key"]) == \
        (str(folder / "demo.json"), "tinted", "mode")
    assert "screen" in problem["message"]
    same = next(n for n in state["graph"]["nodes"] if n["id"] == "tinted")["outputs"][0]
    assert same["image"] == image["image"] and request(server, same["image"])[2] == good


def test_the_watcher_reloads_an_edited_preset_and_image(server, folder):
    edited = preview_preset()
    edited["nodes"]["other"]["frequency"] = 6
    rewrite(folder / "demo.json", json.dumps(edited))
    state = wait_for_state(server, lambda s: s["version"] >= 2)
    assert sorted(state["stats"]["computed_nodes"]) == ["mixed", "other"]
    rewrite(folder / "pic.png", image_bytes(0.5))
    state = wait_for_state(server, lambda s: s["version"] >= 3)
    assert sorted(state["stats"]["computed_nodes"]) == ["photo", "photo_mix"]


def test_events_announce_each_render(server, folder):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", "/api/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    assert read_event(response) == ("state", "1")
    request(server, "/api/render", method="POST", body='{"overrides": {"gain": 1.0}}')
    assert read_event(response) == ("state", "2")
    connection.close()


def read_event(response):
    """The next (event, data) of an event stream, skipping keep-alive comments."""
    fields = {}
    while True:
        line = response.fp.readline().decode().rstrip("\n")
        if not line and fields:
            return fields.get("event"), fields.get("data")
        if line and not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value


@pytest.mark.parametrize("path", [
    "/static/../server.py", "/static/..%2fserver.py", "/static/%2e%2e/server.py",
    "/../../../etc/passwd", "/static//etc/passwd", "/static/", "/static/session.py",
    "/static/app.js/../../server.py", "/api/image?node=../../../etc/passwd&port=out",
])
def test_nothing_outside_the_served_files_is_reachable(server, path):
    status, _, body = request(server, path)
    assert status == 404
    assert b"import" not in body and b"root:" not in body


def test_requests_naming_another_host_are_refused(server):
    status, answer = get_json(server, "/api/state", headers={"Host": "evil.example:80"})
    assert status == 403 and "not this computer" in answer["error"]
    assert request(server, "/", headers={"Host": "localhost:1"})[0] == 200


def test_serve_finds_a_preset_by_name_and_reports_its_url(engine, folder, monkeypatch):
    monkeypatch.chdir(folder)
    (folder / "presets").mkdir()
    (folder / "presets" / "named.json").write_text(json.dumps(preview_preset()))
    (folder / "presets" / "pic.png").write_bytes((folder / "pic.png").read_bytes())
    (folder / "presets" / "part.json").write_text((folder / "part.json").read_text())
    with serve("named", engine=engine, size=16) as server:
        host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
        assert (host, port) == ("127.0.0.1", server.server_address[1]) and port > 0
        assert server.session.error is None and server.session.path.name == "named.json"


def wait_for_state(server, condition, timeout=10.0):
    """The state once ``condition(state)`` holds (the watcher renders in its thread)."""
    deadline = time.monotonic() + timeout
    while True:
        state = get_json(server, "/api/state")[1]
        if condition(state) or time.monotonic() > deadline:
            assert condition(state), state["stats"]
            return state
        time.sleep(0.05)
