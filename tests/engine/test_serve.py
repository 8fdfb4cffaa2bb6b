"""`build.py serve`: builds when there is no bundle yet, prints its URLs, serves the bundle, stops on Ctrl-C."""
from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.kb import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small_kb"


def _lines_until(process: subprocess.Popen[str], last: str, seconds: float = 90) -> list[str]:
    """stdout lines up to the one starting with `last` (read by a thread, so a silent server cannot hang us)."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in stdout], daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            continue
        if seen[-1].startswith(last):
            return seen
    raise AssertionError(f"serve did not start: {seen}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_serve_builds_then_serves_both_sites_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1795392000"}  # 2026-11-23
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--kb", str(SMALL), "--out", str(out),
                                "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        lines = _lines_until(process, "Serving until")
        urls = dict(line.split(": ", 1) for line in lines if line.startswith(("Reference site: ", "Web pages: ")))
        assert set(urls) == {"Reference site", "Web pages"}
        assert (out / "manifest.json").is_file()  # there was no bundle: it built one first
        with urllib.request.urlopen(urls["Reference site"] + "billing/pay-by-phone/") as response:
            page = response.read()
            assert response.status == 200 and response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert page == (out / "reference" / "billing" / "pay-by-phone" / "index.html").read_bytes()
        with urllib.request.urlopen(urls["Web pages"]) as response:
            assert response.read() == (out / "web" / "index.html").read_bytes()
        root = urls["Web pages"].removesuffix("web/")
        try:
            urllib.request.build_opener(_NoRedirect).open(root)
            raise AssertionError("/ should redirect")
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302 and redirect.headers["Location"] == "/reference/"
        try:
            urllib.request.urlopen(root + "reference/no/such/page/")
            raise AssertionError("a missing page should be a 404")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    assert code == 0


def test_serve_refuses_a_bad_port_before_building(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--kb", str(SMALL), "--out",
                             str(tmp_path / "dist"), "--port", "70000"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "not a port number" in result.stderr
    assert not (tmp_path / "dist").exists()
