"""The preview's local HTTP server (the standard library's ``ThreadingHTTPServer``).

Routes (everything else is 404; nothing is read from disk but the page's own files,
which are served by exact name, so no request can reach another path):

- ``GET /`` the page; ``GET /static/NAME`` its scripts and style (``texgen/preview/static``);
  ``GET /data.js`` the baked data of a static export, here a script saying the page is live;
- ``GET /api/state`` the session's state (``PreviewSession.state``) as JSON;
- ``GET /api/image?node=ID&port=PORT&kind=thumb|full&v=TOKEN`` a node port's PNG;
- ``POST /api/render`` with ``{"overrides": {...}, "seed": N}``: render again through the
  engine's cache and answer the new state (an error is data in it); the overrides replace
  the previous ones (absent: kept), the seed too (null: the file's; absent: kept);
- ``GET /api/events`` Server-Sent Events: a ``state`` event with the version after every
  render (a parameter change or a watched file saved), a comment line as keep-alive.

A watcher thread polls the session's files (``PreviewSession.poll``). Bound to a loopback
address (the default), the server also refuses requests whose ``Host`` is not a loopback
name, so a web page elsewhere cannot reach it through DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from texgen.engine import Engine
from texgen.preview.session import KEEP, PreviewSession, preset_file

#: The page's files, served by exact name (``/static/NAME``) and copied by the export.
STATIC_FILES = ("index.html", "app.js", "viewer.js", "style.css")
_CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                  ".css": "text/css; charset=utf-8", ".json": "application/json",
                  ".png": "image/png"}
_LIVE_DATA = b"// texgen preview: live; the page reads /api/state\n"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_MAX_BODY = 1 << 20


def static_file(name: str) -> bytes:
    """One of the page's files (``STATIC_FILES``), as shipped in the package."""
    return resources.files("texgen.preview").joinpath("static", name).read_bytes()


def content_type(name: str) -> str:
    return _CONTENT_TYPES.get(name[name.rfind("."):], "application/octet-stream")


def image_url(node: str, port: str, kind: str, token: int) -> str:
    """The live server's URL of a node port's image (``PreviewSession.state``)."""
    return (f"/api/image?node={quote(node, safe='')}&port={quote(port, safe='')}"
            f"&kind={kind}&v={token}")


class PreviewServer(ThreadingHTTPServer):
    """Serves a ``PreviewSession`` at ``url``; ``poll_seconds`` between file checks.

    ``serve_forever`` serves (and watches files) until ``shutdown``; ``close`` stops the
    watcher and event streams and releases the socket. As a context manager it closes on
    exit.
    """

    daemon_threads = True

    def __init__(self, session: PreviewSession, *, host: str = "127.0.0.1", port: int = 0,
                 poll_seconds: float = 0.25):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, port), _Handler)
        self.session, self.poll_seconds = session, poll_seconds
        self.stopping = threading.Event()
        self.loopback = _is_loopback(host)
        self._watcher = threading.Thread(target=self._watch, name="texgen-preview-watch",
                                         daemon=True)
        self._watcher.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def _watch(self) -> None:
        while not self.stopping.wait(self.poll_seconds):
            self.session.poll()

    def close(self) -> None:
        """Stop watching, end the event streams, release the socket."""
        self.stopping.set()
        self._watcher.join()
        self.server_close()

    def __exit__(self, *exc_info) -> None:
        self.close()


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the address and errors, not every request."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        if not self._host_allowed():
            return
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        session = self.server.session
        if url.path == "/":
            self._send(static_file("index.html"), content_type(".html"))
        elif url.path.startswith("/static/") and url.path[8:] in STATIC_FILES:
            self._send(static_file(url.path[8:]), content_type(url.path))
        elif url.path == "/data.js":
            self._send(_LIVE_DATA, content_type(".js"))
        elif url.path == "/api/state":
            self._send_json(session.state(image_url=image_url))
        elif url.path == "/api/image":
            node, port = query.get("node", ""), query.get("port", "")
            png = session.image(node, port, query.get("kind", "full"))
            if png is None:
                self._send_error(HTTPStatus.NOT_FOUND, "no such image")
            elif query.get("v") == str(session.token(node, port)):
                # the URL carries the image's token: a new image has a new URL
                self._send(png, content_type(".png"), cache="max-age=31536000, immutable")
            else:  # a page a render behind: the image now, not to be kept under this URL
                self._send(png, content_type(".png"))
        elif url.path == "/api/events":
            self._stream_events()
        else:
            self._send_error(HTTPStatus.NOT_FOUND, f"no such page: {url.path}")

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_allowed():
            return
        if urlsplit(self.path).path != "/api/render":
            self._send_error(HTTPStatus.NOT_FOUND, "no such endpoint")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if not 0 <= length <= _MAX_BODY:
                raise ValueError(f"a body of {length} bytes")
            body = json.loads(self.rfile.read(length) or b"{}")
            overrides, seed = body.get("overrides"), body.get("seed", KEEP)
            if overrides is not None and not isinstance(overrides, dict) or \
                    seed not in (KEEP, None) and (isinstance(seed, bool)
                                                  or not isinstance(seed, int)):
                raise ValueError('expected {"overrides": {name: value}, "seed": integer}')
        except (ValueError, AttributeError) as exc:
            self._send_error(HTTPStatus.BAD_REQUEST, f"bad render request: {exc}")
            return
        self.server.session.render(overrides=overrides, seed=seed)
        self._send_json(self.server.session.state(image_url=image_url))

    def _stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        session, version = self.server.session, -1
        try:
            while not self.server.stopping.is_set():
                current = session.wait(version, timeout=1.0)
                if current != version:
                    version = current
                    self.wfile.write(f"event: state\ndata: {current}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page went away

    def _host_allowed(self) -> bool:
        host = urlsplit(f"//{self.headers.get('Host', '')}").hostname or ""
        if not self.server.loopback or host in _LOOPBACK_NAMES:
            return True
        self._send_error(HTTPStatus.FORBIDDEN, f"host {host!r} is not this computer")
        return False

    def _send_json(self, data: Any) -> None:
        self._send(json.dumps(data).encode(), content_type(".json"))

    def _send_error(self, status: HTTPStatus, message: str) -> None:
        self._send(json.dumps({"error": message}).encode(), content_type(".json"),
                   status=status)

    def _send(self, body: bytes, kind: str, *, status: HTTPStatus = HTTPStatus.OK,
              cache: str = "no-store") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.end_headers()
        self.wfile.write(body)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(preset: str | os.PathLike, *, host: str = "127.0.0.1", port: int = 0,
          size: int | tuple[int, int] | None = 512, seed: int | None = None,
          overrides: dict[str, Any] | None = None, engine: Engine | None = None,
          poll_seconds: float = 0.25) -> PreviewServer:
    """A ``PreviewServer`` for ``preset`` (a file, or a preset name: ``preset_file``),
    rendered once already (an invalid preset is the session's ``error``, not an exception), bound
    and ready: call ``serve_forever()`` on it (Ctrl-C: ``KeyboardInterrupt``), and ``close()``
    when done. ``port`` 0 picks a free one; ``url`` says which."""
    engine = engine or Engine()
    session = PreviewSession(preset_file(engine, preset), engine=engine, size=size,
                             seed=seed, overrides=overrides)
    return PreviewServer(session, host=host, port=port, poll_seconds=poll_seconds)
