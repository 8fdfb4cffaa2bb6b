"""The editor's preview behind `serve` (engine/preview.py, engine/preview_pages.py, engine/audio.py): every channel
of an answer side by side with its budget meters, the IVR as a WAV spoken by espeak-ng and cached by content,
server-sent build notices, and the last build's diagnostics in the pages. Served by the real server."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import socket
import stat
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest

import channels
from engine.audio import Speaker
from engine.diagnostics import Diagnostic, Report, Severity
from engine.preview import Preview
from engine.publish import build
from engine.serve import PreviewServer, make_server
from tests.kb import AS_OF, ROOT, answer_file, write_kb

SMALL = ROOT / "tests" / "fixtures" / "small_kb"
ESPEAK = shutil.which("espeak-ng")


@dataclass
class Running:
    server: PreviewServer
    preview: Preview
    out: Path

    def get(self, target: str, host: str | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        port = self.server.server_address[1]
        head = f"{method} {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nConnection: close\r\n\r\n"
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(head.encode())
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
        top, _, body = received.partition(b"\r\n\r\n")
        status_line, *lines = top.decode("latin-1").split("\r\n")
        return int(status_line.split()[1]), dict(line.split(": ", 1) for line in lines), body


def _serve(kb: Path, out: Path, speaker: Speaker | None = None, watching: bool = False) -> Iterator[Running]:
    report = Report()
    assert build(kb, out, report, as_of=AS_OF, jobs=1).published, [d.text() for d in report.errors]
    preview = Preview(kb, out, watching=watching, speaker=speaker)
    server = make_server(out, port=0, preview=preview)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield Running(server, preview, out)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    yield from _serve(SMALL, tmp_path_factory.mktemp("preview") / "dist")


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())


def _panel(page: str, channel: str) -> str:
    match = re.search(rf'<section class="panel" id="channel-{channel}".*?</section>', page, re.S)
    assert match, f"no {channel} panel"
    return match[0]


def test_the_answer_page_shows_every_channel_with_its_metrics_and_budgets(running: Running) -> None:
    status, fields, body = running.get("/_preview/answer/billing/pay-by-phone/")
    assert status == 200 and fields["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode()
    entry = _manifest(running.out)["answers"]["billing/pay-by-phone"]
    assert set(re.findall(r'id="channel-([a-z]+)"', page)) == set(entry["channels"])
    budgets = {name: channels.raw(name) for name in ("ivr", "chat", "sms")}
    for channel, metric in (("ivr", "seconds"), ("chat", "characters"), ("sms", "segments")):
        value, budget = entry["channels"][channel]["metrics"][metric], budgets[channel][f"budget_{metric}"]
        meter = re.search(r"<meter [^>]*>", _panel(page, channel))
        assert meter, channel
        assert f'max="{float(budget)}"' in meter[0] and f'value="{float(value)}"' in meter[0], (channel, meter[0])
    sms = _panel(page, "sms")
    text = (running.out / entry["channels"]["sms"]["path"]).read_text()
    assert html.escape(text.rstrip("\n"), quote=False) in sms
    metrics = entry["channels"]["sms"]["metrics"]
    assert f"<dd>{metrics['encoding']}</dd>" in sms and "hand-written" in sms  # the answer's sms: override
    card = json.loads((running.out / entry["channels"]["mobile"]["path"]).read_text())
    assert 'class="ac-card"' in _panel(page, "mobile") and card["body"]
    assert '<iframe class="page-frame" src="/web/billing/pay-by-phone/"' in _panel(page, "web")
    transcript = (running.out / "ivr/billing/pay-by-phone.txt").read_text().split("\n")[0]
    assert html.escape(transcript, quote=False) in _panel(page, "ivr")


def test_a_budget_the_knowledge_base_sets_is_the_one_the_meter_shows(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(SMALL, kb)
    with (kb / "_settings.yaml").open("a") as settings:
        settings.write("  sms:\n    budget_segments: 3\n  ivr:\n    budget_seconds: 60\n")
    for serving in _serve(kb, tmp_path / "dist"):
        page = serving.get("/_preview/answer/billing/late-fees/")[2].decode()
        assert 'max="3.0"' in _panel(page, "sms") and 'max="60.0"' in _panel(page, "ivr")


def test_the_index_lists_every_answer_and_an_unknown_answer_is_404(running: Running) -> None:
    page = running.get("/_preview/")[2].decode()
    for answer_id in _manifest(running.out)["answers"]:
        assert f'href="/_preview/answer/{answer_id}/"' in page
    assert running.get("/_preview/answer/billing/no-such-answer/")[0] == 404
    assert running.get("/_preview/nothing-here")[0] == 404
    assert running.get("/_preview/assets/../../engine/cli.py")[0] == 404


def test_editor_text_is_escaped_in_the_preview(tmp_path: Path) -> None:
    payload = "<img src=x onerror=alert(1)>"
    kb = write_kb(tmp_path / "kb", {"billing/odd": answer_file(
        "Call {{ phone.main }} and quote the code \\" + payload.replace(">", "\\>") + ".",
        question="What is 'the code'?")})
    for serving in _serve(kb, tmp_path / "dist"):
        page = serving.get("/_preview/answer/billing/odd/")[2].decode()
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def _wav(data: bytes) -> tuple[int, int]:
    with wave.open(BytesIO(data)) as sound:
        return sound.getnframes(), sound.getframerate()


@pytest.mark.skipif(ESPEAK is None, reason="espeak-ng is not installed (apt-get install espeak-ng); CI installs it")
def test_the_audio_endpoint_speaks_the_ivr_once_per_content(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "espeak-counting"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {ESPEAK} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    for serving in _serve(SMALL, tmp_path / "dist", speaker=Speaker(str(wrapper))):
        status, fields, body = serving.get("/_preview/audio/billing/pay-by-phone.wav")
        assert status == 200 and fields["Content-Type"] == "audio/wav"
        frames, rate = _wav(body)
        seconds = _manifest(serving.out)["answers"]["billing/pay-by-phone"]["channels"]["ivr"]["metrics"]["seconds"]
        assert frames / rate > seconds / 3  # real speech of this answer, not a beep
        assert int(fields["Content-Length"]) == len(body)
        assert serving.get("/_preview/audio/billing/pay-by-phone.wav")[2] == body
        assert len(log.read_text().splitlines()) == 1  # the second request came from the cache
        other = serving.get("/_preview/audio/billing/late-fees.wav")
        assert other[0] == 200 and other[2] != body and len(log.read_text().splitlines()) == 2
        assert " -v en-us " in f" {log.read_text().splitlines()[0]} "  # the settings' language
        page = serving.get("/_preview/answer/billing/pay-by-phone/")[2].decode()
        assert '<audio class="player" controls preload="none" src="/_preview/audio/billing/pay-by-phone.wav">' in page
        assert serving.get("/_preview/audio/billing/no-such.wav")[0] == 404


def test_without_espeak_the_page_and_the_endpoint_say_so(tmp_path: Path) -> None:
    missing = Speaker("espeak-ng-that-is-not-installed")
    for serving in _serve(SMALL, tmp_path / "dist", speaker=missing):
        status, _, body = serving.get("/_preview/audio/billing/pay-by-phone.wav")
        assert status == 503 and b"is not installed" in body and b"apt-get install espeak-ng" in body
        page = serving.get("/_preview/answer/billing/pay-by-phone/")[2].decode()
        ivr = _panel(page, "ivr")
        assert "<audio" not in ivr and "No audio: espeak-ng-that-is-not-installed is not installed here" in ivr


def test_events_name_the_current_build_then_each_new_one(tmp_path: Path) -> None:
    for serving in _serve(SMALL, tmp_path / "dist", watching=True):
        port = serving.server.server_address[1]
        first = serving.preview.status.generation
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            connection.sendall(f"GET /_preview/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            received = b""

            def builds(count: int) -> list[str]:
                nonlocal received
                while len(seen := re.findall(r"^data: (\d+)$", received.decode(), re.M)) < count:
                    chunk = connection.recv(4096)
                    assert chunk, f"the stream ended after {seen}"
                    received += chunk
                return seen

            assert builds(1) == [str(first)]
            serving.preview.record(True, ())
            assert builds(2) == [str(first), str(first + 1)]
        assert received.startswith(b"HTTP/1.0 200") and b"Content-Type: text/event-stream" in received


def test_a_failed_build_is_shown_and_the_last_good_bundle_still_served(tmp_path: Path) -> None:
    for serving in _serve(SMALL, tmp_path / "dist", watching=True):
        before = serving.get("/web/billing/pay-by-phone/")[2]
        problem = Diagnostic("kb/billing/pay-by-phone.md", 12, 7, Severity.ERROR, "unknown-fact",
                             "`{{ phone.mian }}` is not a fact <b>here</b>")
        serving.preview.record(False, (problem,), "not published: 1 error; dist is unchanged")
        index = serving.get("/_preview/")[2].decode()
        assert "Build failed: showing the last good bundle" in index
        assert "kb/billing/pay-by-phone.md:12:7" in index and "&lt;b&gt;here&lt;/b&gt;" in index
        status = json.loads(serving.get("/_preview/status.json")[2])
        assert status["ok"] is False and status["diagnostics"][0]["location"] == "kb/billing/pay-by-phone.md:12:7"
        page = serving.get("/web/billing/pay-by-phone/")[2]
        script = b'<script src="/_preview/assets/live.js" data-generation="1" defer></script>'
        assert page.replace(script, b"") == before.replace(script.replace(b'"1"', b'"0"'), b"")
        assert page.count(script) == 1 and page.index(script) < page.rindex(b"</body>")


def test_pages_are_served_unchanged_when_not_watching(running: Running) -> None:
    assert running.get("/web/")[2] == (running.out / "web" / "index.html").read_bytes()
    assert b"live.js" not in running.get("/_preview/")[2]


@pytest.mark.parametrize("target", ["/_preview/", "/_preview/events", "/_preview/audio/billing/pay-by-phone.wav"])
def test_preview_pages_keep_the_server_hardening(running: Running, target: str) -> None:
    assert running.get(target, host="evil.example")[0] == 421
    assert running.get(target, method="POST")[0] == 405
