"""`serve --watch` in headless Chromium with the sample knowledge base: saving an answer file shows the new text
in the open editor page and in the open web page within 2 s; a save that breaks the build keeps the last good
pages and shows the diagnostic with its file:line, in the editor page and over the web page. No page of the
preview breaks its Content-Security-Policy or asks another host for anything."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Watch
from tests.engine.test_serve import _lines_until
from tests.kb import ROOT, SAMPLE

RELOAD_MS = 2000  # the bar for the sample's size: save to new text on screen
SHOWN_MS = 15000  # the new text must show at all; how fast is measured against RELOAD_MS
SAVES = ("around the clock", "at any hour")
ANSWER = Path("billing") / "pay-by-phone.md"
OLD = "any time, day or night"
Opener = Callable[..., tuple[Any, Watch]]


@pytest.fixture
def watching(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`serve --watch` over a copy of the sample: (its address, the copy's answer file)."""
    kb = tmp_path / "knowledge"
    shutil.copytree(SAMPLE, kb)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1795392000"}
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--watch", "--kb", str(kb), "--out",
                                str(tmp_path / "dist"), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        lines = _lines_until(process, "Serving and watching", seconds=180)
        preview = next(line.split(": ", 1)[1] for line in lines if line.startswith("Editor preview: "))
        yield preview.removesuffix("_preview/"), kb / ANSWER
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def _problems(*watches: Watch) -> list[str]:
    """What the pages did wrong; the event stream cut when its page reloads is how a reload goes."""
    return [p for w in watches for p in w.problems() if not p.endswith("/_preview/events: net::ERR_ABORTED")]


def _live(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-live=connected]", timeout=15000)


def _save(path: Path, text: str) -> float:
    path.write_text(text, encoding="utf-8")
    return time.monotonic()


def test_a_save_shows_in_the_open_pages_within_two_seconds(watching: tuple[str, Path], open_page: Opener) -> None:
    from playwright.sync_api import expect

    base, answer = watching
    editor, editor_watch = open_page()
    web, web_watch = open_page()
    _live(editor, base + "_preview/answer/billing/pay-by-phone/")
    _live(web, base + "web/billing/pay-by-phone/")
    text = answer.read_text(encoding="utf-8")
    assert OLD in text
    expect(editor.locator("#channel-chat")).to_contain_text(OLD)
    took: list[float] = []
    for attempt, words in enumerate(SAVES):  # a second save only when the first was slow: 2 cores are shared
        saved = _save(answer, text.replace(OLD, words))
        for page, region in ((editor, "#channel-chat"), (editor, "#channel-ivr"), (web, "main")):
            expect(page.locator(region)).to_contain_text(words, timeout=SHOWN_MS)
        took.append(time.monotonic() - saved)
        if took[-1] < RELOAD_MS / 1000:
            break
        print(f"save {attempt + 1} took {took[-1]:.2f} s to show")
    assert min(took) < RELOAD_MS / 1000, f"save to new text on screen: {', '.join(f'{t:.2f} s' for t in took)}"
    assert not _problems(editor_watch, web_watch)
    assert editor.evaluate("window.__csp") == [] and web.evaluate("window.__csp") == []


def test_a_broken_save_keeps_the_last_good_pages_and_shows_file_and_line(watching: tuple[str, Path],
                                                                        open_page: Opener) -> None:
    from playwright.sync_api import expect

    base, answer = watching
    editor, editor_watch = open_page()
    web, web_watch = open_page()
    _live(editor, base + "_preview/answer/billing/pay-by-phone/")
    _live(web, base + "web/billing/pay-by-phone/")
    text = answer.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if OLD in row)
    _save(answer, text.replace(OLD, "{{ phone.nowhere }} " + OLD.replace("any", "every")))
    where = f"billing/pay-by-phone.md:{line}:"
    expect(editor.locator("#diagnostics")).to_contain_text(where, timeout=15000)
    expect(editor.locator("#diagnostics")).to_contain_text("unknown-fact")
    expect(editor.locator("#build-state")).to_contain_text("Build failed: showing the last good bundle")
    expect(editor.locator("#channel-chat")).to_contain_text(OLD)  # the last good output
    expect(web.locator("#one-answer-live")).to_contain_text(where, timeout=15000)
    expect(web.locator("main")).to_contain_text(OLD)
    assert not _problems(editor_watch, web_watch)
    assert editor.evaluate("window.__csp") == [] and web.evaluate("window.__csp") == []
