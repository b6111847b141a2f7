"""A preset to preview: tests/conftest.py's graph (wave -> scale -> colorize, and a mix)
plus an image node that reads ``pic.png`` and an instanced preset (``part.json``), in a
folder of its own; and an engine with the counting test plugin and that image node."""

import contextlib
import json
import os
import threading

import numpy as np
import pytest
from conftest import CountingPlugin, make_preset

import texgen
from texgen import NodeSpec, Param, Port, hookimpl
from texgen.io import encode_png, read_image
from texgen.preview.server import PreviewServer
from texgen.preview.session import PreviewSession


class ImagePlugin:
    """``img.load``: an image file's first channel, resampled (nearest) to the size."""

    @hookimpl
    def register_nodes(self, register):
        register(NodeSpec("load", self.load, "Read a gray image.",
                          outputs=(Port("out", "gray"),),
                          params=(Param("file", "path", None, "the image"),)))

    def load(self, ctx, *, file):
        image = read_image(file)
        rows = np.arange(ctx.height) * image.shape[0] // ctx.height
        cols = np.arange(ctx.width) * image.shape[1] // ctx.width
        return np.ascontiguousarray(image[rows[:, None], cols[None, :], :1])


SIZE = 16


def image_bytes(value):
    """A SIZE² gray PNG: a ramp plus ``value``."""
    ramp = np.linspace(0, 0.5, SIZE * SIZE, dtype=np.float32).reshape(SIZE, SIZE, 1)
    return encode_png(np.clip(ramp + value, 0, 1))


def preview_preset(**changes):
    """The previewed preset as a dict (``changes`` replace its top-level keys)."""
    preset = make_preset(size=[SIZE, SIZE])
    preset["nodes"] |= {
        "photo": {"type": "img.load", "file": "pic.png"},
        "photo_mix": {"type": "t.mix", "a": "photo", "b": "scaled"},
        "part": {"type": "preset", "preset": "part.json"},
        "part_mix": {"type": "t.mix", "a": "part", "b": "base"},
    }
    preset["outputs"] = {"basecolor": "tinted", "height": {"node": "mixed", "format": "png16"},
                         "photo": "photo_mix", "part": "part_mix"}
    preset.update(changes)
    return preset


PART = {"texgen": 1, "name": "part", "size": 8, "seed": 1,
        "parameters": {"level": {"type": "float", "default": 2.0, "min": 0, "max": 10}},
        "nodes": {"wave": {"type": "t.wave", "frequency": 4},
                  "boost": {"type": "t.scale", "input": "wave", "factor": "$level"}},
        "outputs": {"out": "boost"}}


@pytest.fixture
def folder(tmp_path):
    """A folder with ``demo.json`` (``preview_preset()``), ``pic.png`` and ``part.json``."""
    (tmp_path / "pic.png").write_bytes(image_bytes(0.0))
    (tmp_path / "part.json").write_text(json.dumps(PART))
    (tmp_path / "demo.json").write_text(json.dumps(preview_preset()))
    return tmp_path


@pytest.fixture
def counting():
    return CountingPlugin()


@pytest.fixture
def engine(counting):
    """The core plugin, the counting plugin "t" and the image plugin "img"."""
    return texgen.Engine(entry_points=False, plugins={"t": counting, "img": ImagePlugin()})


def rewrite(path, data):
    """Replace a file's contents (text or bytes) so that a watcher sees it changed: its
    modification time moves on by at least 10 ms, even within a coarse file-system tick."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    stamp = max(path.stat().st_mtime_ns, before + 10_000_000)
    os.utime(path, ns=(stamp, stamp))


@contextlib.contextmanager
def serving(session):
    """A ``PreviewServer`` of ``session`` serving in a thread on a free port, watching its
    files every 50 ms; shut down and closed on exit."""
    server = PreviewServer(session, port=0, poll_seconds=0.05)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.close()
        thread.join(5)
    assert not thread.is_alive()


@pytest.fixture
def server(engine, folder):
    """``demo.json`` served at 32² (thumbnails 8²)."""
    with serving(PreviewSession(folder / "demo.json", engine=engine, size=32, thumb=8)) as server:
        yield server
