"""Browser fixtures: real headless Chromium (Debian's /usr/bin/chromium) driven by Python playwright, and built
knowledge bases served by `engine.serve` from a local thread.

Tests that need the browser skip with a reason when playwright or Chromium is absent; the axe-core checks also
skip when axe.min.js is absent (`.ci/run` installs it with npm into .cache/npm, git-ignored; or point
AXE_CORE_JS at it). axe is copied into the served folder and loaded as a same-origin script, so it runs under
the pages' real Content-Security-Policy (script-src 'self'): nothing is bypassed for it.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from engine.diagnostics import Report
from engine.publish import build
from engine.serve import make_server
from tests.kb import AS_OF, ROOT, SAMPLE

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
AXE_PATH = "/__axe__/axe.min.js"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Recorded from the first script that runs on every page, before the page's own: CSP violations and dialogs.
WATCH_SCRIPT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample});
});
"""


def axe_script() -> Path | None:
    for candidate in (os.environ.get("AXE_CORE_JS"), ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Python playwright is not installed (pip install -e '.[test,browser]')")
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package `chromium`; .ci/run installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@dataclass
class Site:
    """A built bundle served on 127.0.0.1, and its manifest's page paths."""

    root: Path
    base: str

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")

    def pages(self, channel: str) -> list[str]:
        return sorted(p.relative_to(self.root).as_posix() for p in (self.root / channel).rglob("*.html"))


def serve_built(kb: Path, out: Path) -> Iterator[Site]:
    report = Report()
    result = build(kb, out, report, as_of=AS_OF, jobs=1)
    assert result.published, [d.text() for d in report.errors]
    axe = axe_script()
    if axe is not None:
        (out / "__axe__").mkdir()
        shutil.copyfile(axe, out / "__axe__" / "axe.min.js")
    server = make_server(out, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(out, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve_built(SAMPLE, tmp_path_factory.mktemp("sample") / "dist")


@dataclass
class Watch:
    """Everything a page did that it should not: console errors, script errors, failed or off-host requests,
    dialogs. `problems()` lists them."""

    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    off_host: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.console, *self.errors, *self.failed, *(f"off-host {u}" for u in self.off_host),
                *(f"dialog {d}" for d in self.dialogs)]


def _route(watch: Watch) -> Callable[[Any], None]:
    def handle(route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            watch.off_host.append(url)
            route.abort()
    return handle


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., tuple[Any, Watch]]]:
    """open_page(**context_options) -> (page, watch): a fresh context whose every request is checked."""
    contexts: list[Any] = []

    def make(**options: Any) -> tuple[Any, Watch]:
        context = browser.new_context(**options)
        contexts.append(context)
        watch = Watch()
        context.route("**/*", _route(watch))
        context.add_init_script(WATCH_SCRIPT)
        page = context.new_page()
        page.on("console", lambda m: watch.console.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(f"script error: {e}"))
        page.on("requestfailed", lambda r: watch.failed.append(f"failed {r.url}: {r.failure}"))
        page.on("response", lambda r: watch.failed.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)

        def dialog(d: Any) -> None:
            watch.dialogs.append(d.message)
            d.dismiss()
        page.on("dialog", dialog)
        return page, watch

    yield make
    for context in contexts:
        context.close()
