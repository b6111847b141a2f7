"""`texgen preview`: serves until Ctrl-C, prints its address; --static writes pages."""

import json
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from texgen.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_preview_serves_prints_its_address_and_stops_cleanly_on_ctrl_c(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "texgen.cli", "preview", str(ROOT / "presets" / "marble.toml"),
         "--port", "0", "--size", "32", "--set", "vein_scale=5"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = process.stdout.readline()
        assert line.startswith("texgen preview: serving "), process.stderr.read()
        url = line.split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/state", timeout=30) as response:
            state = json.load(response)
        assert state["preset"] == "marble" and state["size"] == [32, 32]
        assert next(p for p in state["parameters"] if p["name"] == "vein_scale")["value"] == 5
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "texgen preview: stopped" in stderr and "Traceback" not in stderr


def test_static_writes_a_page_per_preset(tmp_path, capsys):
    code = main(["preview", "--static", str(tmp_path / "site"), "--size", "16",
                 str(ROOT / "presets" / "marble.toml")])
    assert code == 0
    page = tmp_path / "site" / "marble" / "index.html"
    assert capsys.readouterr().out.strip() == str(page)
    assert (page.parent / "data.js").read_text().startswith("window.TEXGEN_DATA = ")


def test_static_without_size_renders_at_export_statics_default(tmp_path, capsys,
                                                              monkeypatch):
    """docs/preview.md: 512 served, 256 static, from the Python functions' defaults."""
    import inspect

    import texgen.preview as preview

    assert inspect.signature(preview.export_static).parameters["size"].default == 256
    assert inspect.signature(preview.serve).parameters["size"].default == 512
    calls = []
    monkeypatch.setattr(preview, "export_static",
                        lambda presets, folder, **options: calls.append(options) or [])
    assert main(["preview", "--static", str(tmp_path / "site"), "marble"]) == 0
    assert main(["preview", "--static", str(tmp_path / "site"), "--size", "64", "marble"]) == 0
    assert "size" not in calls[0] and calls[1]["size"] == 64


def test_serving_several_presets_is_a_usage_error(tmp_path, capsys):
    assert main(["preview", "a.toml", "b.toml"]) == 2
    assert "several go with --static" in capsys.readouterr().err


def test_a_missing_preset_is_bad_input(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["preview", "no_such_preset_here", "--port", "0"]) == 2
    assert "no_such_preset_here" in capsys.readouterr().err


def test_a_busy_port_is_bad_input_naming_it(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["preview", str(ROOT / "presets" / "marble.toml"), "--size", "16",
                     "--port", str(port)]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
