"""`serve --watch` as editors run it: builds, serves, rebuilds on each save through `build`'s own command, keeps
the last good bundle served when a build fails and says why in the pages; and `serve`'s build arguments are
`build`'s own."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import cli
from tests.engine.test_serve import _lines_until
from tests.kb import ROOT

SMALL = ROOT / "tests" / "fixtures" / "small_kb"
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1795392000"}  # 2026-11-23


class Watching:
    def __init__(self, process: subprocess.Popen[str], urls: dict[str, str]) -> None:
        self.process = process
        self.base = urls["Editor preview"].removesuffix("_preview/")

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=30) as response:
            return response.read()

    def status(self) -> dict:
        return json.loads(self.get("/_preview/status.json"))

    def after(self, generation: int, seconds: float = 90) -> dict:
        """The status once a build after `generation` finished (polls; the deadline only stops a hung test)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status = self.status()
            if status["generation"] > generation:
                return status
            time.sleep(0.05)
        raise AssertionError(f"no build after {generation}")


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[tuple[Watching, Path]]:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--watch", "--kb", str(kb), "--out",
                                str(tmp_path / "dist"), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=ENV)
    try:
        lines = _lines_until(process, "Serving and watching")
        urls = dict(line.split(": ", 1) for line in lines if ": http" in line)
        assert set(urls) == {"Reference site", "Web pages", "Editor preview"}
        yield Watching(process, urls), kb
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        assert code == 0


def test_a_failed_build_keeps_the_last_good_bundle_and_shows_why(watching: tuple[Watching, Path]) -> None:
    serving, kb = watching
    first = serving.status()
    assert first["ok"] is True and first["generation"] == 1
    page = "/web/billing/pay-by-phone/"
    before = serving.get(page)
    answer = kb / "billing" / "pay-by-phone.md"
    good = answer.read_text()
    line = next(n for n, text in enumerate(good.splitlines(), 1) if text.startswith("Call {{ phone.main }}"))
    answer.write_text(good.replace("Call {{ phone.main }} any time", "Call {{ phone.mian }} any time"))
    failed = serving.after(first["generation"])
    assert failed["ok"] is False
    where = [d["location"] for d in failed["diagnostics"] if d["code"] == "unknown-fact"]
    assert where and where[0].endswith(f"billing/pay-by-phone.md:{line}:6"), failed
    assert serving.get(page).replace(b'data-generation="2"', b'data-generation="1"') == before
    shown = serving.get("/_preview/").decode()
    assert "Build failed: showing the last good bundle" in shown and f"pay-by-phone.md:{line}:6" in shown
    answer.write_text(good.replace("any time", "at any hour"))
    fixed = serving.after(failed["generation"])
    assert fixed["ok"] is True and b"at any hour" in serving.get(page)


def test_serve_without_a_knowledge_base_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "serve", "--watch", "--kb", str(tmp_path / "none"),
                           "--out", str(tmp_path / "dist"), "--port", "0"], capture_output=True, text=True, env=ENV,
                          timeout=60)
    assert done.returncode == 2 and "is not a folder" in done.stderr and "Traceback" not in done.stderr


def test_serve_builds_with_the_build_commands_own_defaults(tmp_path: Path) -> None:
    serve = cli._parser().parse_args(["serve", "--kb", "-odd kb", "--out", str(tmp_path / "dist")])
    made = cli._build_args(serve)
    expected = cli._parser().parse_args(["build", "--kb=-odd kb", f"--out={tmp_path / 'dist'}"])
    assert vars(made) == vars(expected)
    assert made.kb == Path("-odd kb") and made.release is False and made.cache is None
    (tmp_path / "dist" / "releases").mkdir(parents=True)
    (tmp_path / "dist" / "current").symlink_to("releases")
    assert cli._build_args(serve).release is True  # a release layout is built as a new release
    quiet = cli._build_args(argparse.Namespace(kb=Path("k"), out=Path("o"), quiet=True), "--format=json")
    assert quiet.quiet is True and quiet.format == "json"
