"""`serve`: the built dist/ over local HTTP (stdlib http.server), for editors previewing every channel.

The reference site is at /reference/, the web pages at /web/, every other channel's files under their own
folder. Each request resolves the path afresh, so a rebuild (an atomic swap of the folder) shows at once.
"""
from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import Any

SITES = (("Reference site", "reference/"), ("Web pages", "web/"))


class Handler(http.server.SimpleHTTPRequestHandler):
    """Static files from the bundle; `/` goes to the reference site; quiet unless a request fails."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".ssml": "application/ssml+xml",
                      ".md": "text/markdown; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                      ".json": "application/json", ".js": "text/javascript", ".css": "text/css",
                      ".html": "text/html; charset=utf-8"}

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path in ("", "/"):
            return self._empty(302, Location="/reference/")
        if path == "/favicon.ico" and not (Path(self.directory) / "favicon.ico").is_file():
            return self._empty(204)  # browsers ask every host for one; the pages' real host has its own
        return super().send_head()

    def _empty(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if len(args) > 1 and str(args[1])[:1] in ("4", "5"):
            super().log_message(format, *args)


def make_server(root: Path, bind: str = "127.0.0.1", port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server of the folder `root` (not yet serving: call serve_forever); port 0 picks a free port."""
    handler = functools.partial(Handler, directory=str(root))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    server.daemon_threads = True
    return server


def urls(server: http.server.ThreadingHTTPServer) -> list[tuple[str, str]]:
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return [(label, f"http://{shown}:{port}/{path}") for label, path in SITES]
