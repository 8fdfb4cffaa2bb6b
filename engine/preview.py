"""The editor's live preview behind `serve`: pages under /_preview/, the build status, and reload notices.

`Preview` holds what the server shows besides the bundle's own files: the last build's status (its
diagnostics, kept while the last good bundle is still served), a generation number that grows with each
build and that pages wait on (server-sent events, see engine/serve.py), the IVR audio, and the small script
that reloads a page when a build finishes. `respond` answers a /_preview/ request; it never raises for a
request, whatever the bundle holds.
"""
from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from markupsafe import Markup

from engine.audio import Speaker, Unavailable
from engine.preview_pages import TEMPLATES, Budgets, Status, environment, panels, read_inside

PREFIX = "_preview"
ASSETS = {"preview.css": "text/css", "live.js": "text/javascript", "live.css": "text/css"}
LIVE_SCRIPT = '<script src="/_preview/assets/live.js" data-generation="{}" defer></script>'
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Response:
    status: HTTPStatus
    content_type: str
    body: bytes


class Preview:
    """The preview of the bundle at `bundle` (a folder or a link to one), built from the knowledge base `kb`."""

    def __init__(self, kb: Path, bundle: Path, *, watching: bool, speaker: Speaker | None = None) -> None:
        self.kb = kb
        self.bundle = bundle
        self.watching = watching
        self.speaker = speaker or Speaker()
        self.status = Status()
        self.budgets = Budgets.of(kb) or Budgets()
        self._changed = threading.Condition()
        self._closed = False
        self._manifest: tuple[tuple[int, int, str], dict[str, Any]] | None = None
        self._pages = environment()

    # --- builds and the pages that wait for them ---

    def record(self, ok: bool, diagnostics: tuple[Any, ...], note: str = "") -> Status:
        """A build finished: `ok` when it published (or found the bundle up to date)."""
        if ok:
            self.budgets = Budgets.of(self.kb) or self.budgets
        with self._changed:
            self.status = Status(self.status.generation + 1, ok, tuple(diagnostics), note)
            self._changed.notify_all()
            return self.status

    def wait(self, after: int, timeout: float) -> int | None:
        """The generation once it is past `after` (or at once if it is), the same after `timeout` seconds
        without a build, None once the preview is closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self.status.generation != after, timeout)
            return None if self._closed else self.status.generation

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    # --- pages ---

    def inject(self, page: bytes) -> bytes:
        """A bundle page with the live-reload script added, when watching (it shows build errors, too)."""
        if not self.watching:
            return page
        tag = LIVE_SCRIPT.format(self.status.generation).encode()
        found = None
        for found in _BODY_END.finditer(page):
            pass
        return page[:found.start()] + tag + page[found.start():] if found else page + tag

    def respond(self, parts: list[str]) -> Response:
        """The answer to GET /_preview/<parts...>."""
        try:
            return self._respond(parts)
        except (OSError, ValueError, KeyError, TypeError) as error:  # a bundle half-written by hand, say
            return _text(HTTPStatus.INTERNAL_SERVER_ERROR, f"the preview could not read the bundle: {error}")

    def _respond(self, parts: list[str]) -> Response:
        if not parts:
            return self._index()
        head, rest = parts[0], parts[1:]
        if head == "status.json" and not rest:
            return Response(HTTPStatus.OK, "application/json", json.dumps(self.status.as_json()).encode())
        if head == "assets" and len(rest) == 1 and rest[0] in ASSETS:
            return Response(HTTPStatus.OK, ASSETS[rest[0]], (TEMPLATES / rest[0]).read_bytes())
        if head == "answer" and rest:
            return self._answer("/".join(rest))
        if head == "audio" and rest and rest[-1].endswith(".wav"):
            return self._audio("/".join(rest).removesuffix(".wav"))
        return _text(HTTPStatus.NOT_FOUND, "no such preview page")

    def manifest(self) -> dict[str, Any] | None:
        """The served bundle's manifest, read again only when its file changed; None when there is none."""
        path = os.path.join(os.path.realpath(self.bundle), "manifest.json")
        try:
            stat = os.stat(path)
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size, path)
        if self._manifest is None or self._manifest[0] != key:
            data = json.loads(Path(path).read_bytes())
            self._manifest = (key, data if isinstance(data, dict) else {})
        return self._manifest[1]

    def _titles(self) -> dict[str, str]:
        data = read_inside(self.bundle, "mobile/index.json")
        try:
            items = json.loads(data) if data else []
        except ValueError:
            items = []
        return {str(i["id"]): str(i["title"]) for i in items if isinstance(i, dict) and "id" in i and "title" in i}

    def _page(self, template: str, **values: Any) -> Response:
        html = self._pages.get_template(template).render(status=self.status, watching=self.watching,
                                                         live=Markup(LIVE_SCRIPT).format(self.status.generation),
                                                         **values)
        return Response(HTTPStatus.OK, "text/html; charset=utf-8", html.encode())

    def _index(self) -> Response:
        manifest = self.manifest()
        answers: Mapping[str, Any] = manifest.get("answers", {}) if manifest else {}
        titles = self._titles()
        topics: dict[str, list[tuple[str, str, str]]] = {}
        for answer_id, entry in sorted(answers.items()):
            topic = answer_id.split("/", 1)[0]
            topics.setdefault(topic, []).append((answer_id, titles.get(answer_id, answer_id),
                                                 str(entry.get("audience", ""))))
        return self._page("index.html", topics=topics, bundle=manifest is not None)

    def _answer(self, answer_id: str) -> Response:
        manifest = self.manifest()
        entry = (manifest or {}).get("answers", {}).get(answer_id.strip("/"))
        if not isinstance(entry, dict):
            return _text(HTTPStatus.NOT_FOUND, f"no answer {answer_id.strip('/')!r} in the bundle")
        answer_id = answer_id.strip("/")
        audio = None if self.speaker.available() else f"{self.speaker.program} is not installed here"
        return self._page("answer.html", answer_id=answer_id, title=self._titles().get(answer_id, answer_id),
                          entry=entry, panels=panels(self.bundle, answer_id, entry, self.budgets, audio))

    def _audio(self, answer_id: str) -> Response:
        manifest = self.manifest()
        entry = (manifest or {}).get("answers", {}).get(answer_id)
        ivr = entry.get("channels", {}).get("ivr") if isinstance(entry, dict) else None
        ssml = read_inside(self.bundle, str(ivr.get("path", ""))) if isinstance(ivr, dict) else None
        if ssml is None:
            return _text(HTTPStatus.NOT_FOUND, f"answer {answer_id!r} has no phone-line output in the bundle")
        try:
            return Response(HTTPStatus.OK, "audio/wav", self.speaker.wav(ssml, self.budgets.voice))
        except Unavailable as error:
            return _text(HTTPStatus.SERVICE_UNAVAILABLE, str(error))


def _text(status: HTTPStatus, message: str) -> Response:
    return Response(status, "text/plain; charset=utf-8", f"{status.value} {status.phrase}: {message}\n".encode())
