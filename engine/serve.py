"""`serve`: the built dist/ over local HTTP (stdlib http.server), for editors previewing every channel.

The reference site is at /reference/, the web pages at /web/, every other channel's files under their own
folder. Each request resolves the path afresh, so a rebuild (an atomic swap of the folder) shows at once.
With a `Preview` (engine/preview.py) the editor's pages are under /_preview/, and /_preview/events is a
stream of server-sent events naming each finished build, which the preview's script reloads on.

A preview, not a web server: the reference site carries internal notes, so it answers only requests
addressed to a name it listens as (a page elsewhere that rebinds its own name to 127.0.0.1 is refused),
serves files and nothing else (GET and HEAD, no listings, no links out of the bundle), gives a client a few
seconds to ask, and answers every malformed request with a status, never a traceback.
"""
from __future__ import annotations

import errno
import http.server
import io
import ipaddress
import mimetypes
import os
import re
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from engine.preview import PREFIX, Preview

SITES = (("Reference site", "reference/"), ("Web pages", "web/"))
PREVIEW_SITE = ("Editor preview", f"{PREFIX}/")
EVENT_SECONDS = 15.0  # a comment line this often keeps an idle event stream open through proxies and timeouts
HEAD_SECONDS = 5.0  # time a client gets to send its request line and headers, and for each write after
MAX_TARGET = 4096  # characters in a request target; the bundle's paths are far shorter
ACCEPT_PAUSE = 0.2  # seconds between accepts while out of descriptors: the waiting connection keeps the
#                     listening socket readable, so an immediate retry would spin a core
OUT_OF_DESCRIPTORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
TYPES = {".ssml": "application/ssml+xml", ".md": "text/markdown; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".json": "application/json", ".js": "text/javascript",
         ".css": "text/css", ".html": "text/html; charset=utf-8"}

_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^\[\]:@]+)(?::(\d{1,5}))?")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_UNSAFE_TARGET = re.compile(r"[^\x21-\x7e]")


def _shown(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


@dataclass(frozen=True)
class HostNames:
    """The Host header values a server answers to: its names on its port (the port may be left out)."""

    names: frozenset[str]
    port: int
    any_ip: bool  # listening on every address: any address literal is ours, a name other than localhost is not

    @classmethod
    def listening(cls, bind: str, address: str, port: int) -> HostNames:
        """For a server asked to listen on `bind` that is listening on `address`."""
        names = {_shown(name.lower()) for name in (bind, address) if name}
        ip = _ip(address)
        wildcard = ip is not None and ip.is_unspecified
        if ip is not None and (ip.is_loopback or wildcard):
            names |= LOOPBACK_NAMES
        return cls(frozenset(names), port, wildcard)

    def accept(self, host: str) -> bool:
        match = _HOST.fullmatch(host.lower())
        if match is None or (match[2] is not None and int(match[2]) != self.port):
            return False
        return match[1] in self.names or (self.any_ip and _ip(match[1]) is not None)


class _Deadline(io.RawIOBase):
    """A socket's reading side that gives up at a fixed time, however slowly the bytes trickle in."""

    def __init__(self, connection: socket.socket, seconds: float) -> None:
        self._connection = connection
        self._end = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._connection.settimeout(left)
        return self._connection.recv_into(buffer)


class _Events(io.RawIOBase):
    """The event stream's body: each read waits for the next build (or a keep-alive), ends when the server closes."""

    def __init__(self, preview: Preview) -> None:
        self._preview = preview
        self._seen: int | None = -1  # the first read names the current build at once

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._seen is None:
            return 0
        if self._seen == -1:
            generation: int | None = self._preview.status.generation
            data = b"retry: 1000\n"
        else:
            generation = self._preview.wait(self._seen, EVENT_SECONDS)
            data = b""
        if generation is None:
            self._seen = None
            return 0
        data += f"event: build\ndata: {generation}\n\n".encode() if generation != self._seen else b": idle\n\n"
        self._seen = generation
        buffer[:len(data)] = data
        return len(data)


class Handler(http.server.BaseHTTPRequestHandler):
    """Files from the bundle for GET and HEAD; `/` goes to the reference site; quiet unless a request fails."""

    server: PreviewServer
    default_request_version = "HTTP/1.0"  # every answer, even to a garbled line, starts with a status line

    def setup(self) -> None:
        self.timeout = self.server.head_seconds
        super().setup()
        self.rfile.close()
        self.rfile = io.BufferedReader(_Deadline(self.connection, self.timeout))

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        self.connection.settimeout(self.timeout)  # the head is in; from here the limit is per write
        hosts = self.headers.get_all("Host") or []
        if self.command not in ("GET", "HEAD"):
            self._reply(HTTPStatus.METHOD_NOT_ALLOWED, Allow="GET, HEAD")
        elif len(self.requestline.split()) != 3 or len(hosts) != 1:
            self._reply(HTTPStatus.BAD_REQUEST)  # HTTP/0.9, or no single Host to check
        elif not self.server.hosts.accept(hosts[0]):
            self._reply(HTTPStatus.MISDIRECTED_REQUEST)
        else:
            return True
        return False

    def do_GET(self) -> None:
        body = self._open()
        if body is not None:
            with body:
                self.copyfile(body)

    def do_HEAD(self) -> None:
        body = self._open()
        if body is not None:
            body.close()

    def _open(self) -> BinaryIO | None:
        """Send the status and headers for the request's file; its contents still to be sent (None: no body)."""
        target, query = self.path.partition("?")[0::2]
        if len(self.path) > MAX_TARGET:
            return self._reply(HTTPStatus.REQUEST_URI_TOO_LONG)
        if not target.startswith("/") or _UNSAFE_TARGET.search(self.path) or _BAD_ESCAPE.search(target):
            return self._reply(HTTPStatus.BAD_REQUEST)
        try:
            parts = [urllib.parse.unquote(part, errors="strict") for part in target.split("/") if part]
        except UnicodeDecodeError:
            return self._reply(HTTPStatus.BAD_REQUEST)
        if any("\x00" in part for part in parts):
            return self._reply(HTTPStatus.BAD_REQUEST)
        if not parts:
            return self._reply(HTTPStatus.FOUND, Location="/reference/")
        preview = self.server.preview
        if preview is not None and parts[0] == PREFIX:
            return self._preview(preview, parts[1:])
        if any(part in (".", "..") or "/" in part for part in parts):
            return self._reply(HTTPStatus.NOT_FOUND)  # browsers resolve dot segments before they ask
        root = Path(os.path.realpath(self.server.root))
        path = _inside(root, root.joinpath(*parts))
        if path is not None and os.path.isdir(path):
            index = _inside(root, path / "index.html")
            if index is not None and os.path.isfile(index) and not target.endswith("/"):
                slashed = urllib.parse.quote("/" + "/".join(parts) + "/") + ("?" + query if query else "")
                return self._reply(HTTPStatus.MOVED_PERMANENTLY, Location=slashed)
            path = index
        if path is None or not os.path.isfile(path):
            if parts == ["favicon.ico"]:
                return self._reply(HTTPStatus.NO_CONTENT)  # browsers ask every host; the pages' real one has it
            return self._reply(HTTPStatus.NOT_FOUND)
        try:
            body = path.open("rb")
        except OSError as error:
            unavailable = error.errno in OUT_OF_DESCRIPTORS
            return self._reply(HTTPStatus.SERVICE_UNAVAILABLE if unavailable else HTTPStatus.NOT_FOUND)
        content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if preview is not None and preview.watching and path.suffix == ".html":
            with body:
                page = preview.inject(body.read())
            return self._send(HTTPStatus.OK, content_type, page)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(os.fstat(body.fileno()).st_size))
        self.end_headers()
        return body

    def _send(self, status: HTTPStatus, content_type: str, data: bytes) -> BinaryIO:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def _preview(self, preview: Preview, parts: list[str]) -> BinaryIO | None:
        if parts == ["events"]:
            self.close_connection = True
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            return _Events(preview)  # type: ignore[return-value]  # read-only, closable: all copyfile needs
        answer = preview.respond(parts)
        if answer.status >= 400:
            self.close_connection = True
        return self._send(answer.status, answer.content_type, answer.body)

    def copyfile(self, source: BinaryIO) -> None:
        while chunk := source.read(64 * 1024):
            self.wfile.write(chunk)
            if isinstance(source, _Events):
                self.wfile.flush()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self._reply(HTTPStatus(code))

    def _reply(self, status: HTTPStatus, **headers: str) -> None:
        """Any answer but a file: the status in a short line of text, and the connection closed after it."""
        body = b"" if status < 200 or status in (204, 304) else f"{status.value} {status.phrase}\n".encode()
        self.close_connection = True
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if len(args) > 1 and str(args[1])[:1] in ("4", "5"):
            print(f"{self.address_string()} - - [{self.log_date_time_string()}] {format % args}", file=self.server.log)


class PreviewServer(http.server.ThreadingHTTPServer):
    """A thread per connection, each short-lived; out of descriptors it waits instead of spinning."""

    daemon_threads = True
    head_seconds = HEAD_SECONDS

    def __init__(self, root: Path, bind: str, port: int, preview: Preview | None = None) -> None:
        self.root = root
        self.preview = preview
        self.log: TextIO = sys.stderr  # kept: a rebuild may redirect sys.stderr while requests are answered
        self.address_family = socket.getaddrinfo(bind or None, port, type=socket.SOCK_STREAM,
                                                 flags=socket.AI_PASSIVE)[0][0]
        super().__init__((bind, port), Handler)
        self.hosts = HostNames.listening(bind, str(self.server_address[0]), int(self.server_address[1]))
        self._starved = False

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            accepted = super().get_request()
        except OSError as error:
            if error.errno in OUT_OF_DESCRIPTORS:
                if not self._starved:
                    print("build.py serve: out of file descriptors; new connections wait until others close",
                          file=self.log)
                self._starved = True
                time.sleep(ACCEPT_PAUSE)
            raise
        self._starved = False
        return accepted

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):  # a client that left or stalled is no news
            print(f"build.py serve: answering {client_address[0]} failed: {type(error).__name__}: {error}",
                  file=self.log)

    def server_close(self) -> None:
        if self.preview is not None:
            self.preview.close()  # ends every event stream
        super().server_close()


def _inside(root: Path, path: Path) -> Path | None:
    """`path` with every link resolved, if that is still inside `root` (itself resolved)."""
    real = Path(os.path.realpath(path))
    return real if real == root or real.is_relative_to(root) else None


def make_server(root: Path, bind: str = "127.0.0.1", port: int = 8000, preview: Preview | None = None) -> PreviewServer:
    """A server of the folder `root` (not yet serving: call serve_forever); port 0 picks a free port; with a
    `preview`, the editor's pages too."""
    return PreviewServer(root, bind, port, preview)


def urls(server: http.server.ThreadingHTTPServer) -> list[tuple[str, str]]:
    host, port = server.server_address[:2]
    sites = SITES + ((PREVIEW_SITE,) if getattr(server, "preview", None) is not None else ())
    return [(label, f"http://{_shown(str(host))}:{port}/{path}") for label, path in sites]
