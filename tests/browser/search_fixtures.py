"""Fixtures for the search browser tests: real headless Chromium (Debian's /usr/bin/chromium) driven by Python
playwright, and the sample knowledge base (and a small one in several scripts) built once and served from a
local thread.

Kept out of conftest.py on purpose (the site's browser tests own that file). Tests skip with a reason when
playwright or Chromium is absent; the axe-core check also skips without axe.min.js (`npm install --no-save
--prefix .cache/npm axe-core@4`, or point AXE_CORE_JS at it). axe is served from the same origin, so it runs
under the pages' own Content-Security-Policy."""
from __future__ import annotations

import functools
import os
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from engine.diagnostics import Report
from engine.publish import build
from tests.kb import AS_OF, ROOT, SAMPLE, answer_file, write_kb

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
AXE_URL = "/__axe__/axe.min.js"


def axe_script() -> Path | None:
    for candidate in (os.environ.get("AXE_CORE_JS"), ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Served:
    root: Path
    base: str  # http://127.0.0.1:PORT (no trailing slash)

    @property
    def home(self) -> str:
        return f"{self.base}/reference/index.html"


@dataclass
class Watch:
    """What a page did that it should not: console errors, script errors, failed or off-host requests."""

    problems: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def search_browser(browser: Any) -> Any:
    """The session's one Chromium (tests/browser/conftest.py: playwright's sync API allows one instance)."""
    return browser


def _serve(kb: Path, out: Path) -> Iterator[Served]:
    report = Report()
    result = build(kb, out, report, as_of=AS_OF, only=("reference",))
    assert result.published, [d.text() for d in report.errors]
    axe = axe_script()
    if axe is not None:
        (out / "__axe__").mkdir()
        shutil.copyfile(axe, out / "__axe__" / "axe.min.js")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Served(out, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def search_site(search_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _serve(SAMPLE, tmp_path_factory.mktemp("search") / "dist")


# Answers in Greek, Russian, Chinese and Japanese beside English ones that share their subject, so a query in
# one script must find its own answer first, not merely some answer.
SCRIPTS_KB = {
    "billing/pay-bill": answer_file("Pay online, by phone or at the office.\n", question="How do I pay my bill?"),
    "outages/report": answer_file("Call the outage line.\n", question="How do I report a power outage?"),
    "billing/greek-bill": answer_file("Πληρώστε τον λογαριασμό σας online ή στο γραφείο.\n",
                                      question="Πώς πληρώνω τον λογαριασμό ρεύματος;"),
    "billing/russian-water": answer_file("Оплатите счёт онлайн или в офисе.\n", question="Как оплатить счёт за воду?"),
    "billing/chinese-bill": answer_file("您可以在网上或在营业厅支付电费账单。\n", question="如何支付电费账单？"),
    "outages/chinese-outage": answer_file("请拨打停电热线报告停电。\n", question="如何报告停电？"),
    "billing/japanese-water": answer_file("水道料金はオンラインで支払えます。\n", question="水道料金の支払い方法"),
}


@pytest.fixture(scope="session")
def scripts_site(search_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A small knowledge base with answers in several scripts (SCRIPTS_KB), built and served."""
    root = tmp_path_factory.mktemp("scripts")
    yield from _serve(write_kb(root / "kb", SCRIPTS_KB), root / "dist")


# Form numbers and an amount, each written one way in its answer, to be found as a CSR types them.
NUMBERS_KB = {
    "billing/tax-forms": answer_file("We do not send a W-2; ask your employer.\n", question="Do you send tax forms?"),
    "service/veteran-discount": answer_file("Send a copy of your DD-214 to the office.\n",
                                            question="Is there a discount for veterans?"),
    "service/new-residents": answer_file("An I-485 receipt notice is proof of identity for a new account.\n",
                                         question="What proof of identity do new residents need?"),
    "billing/returned-check": answer_file("A returned check costs $45.00, added to your next bill.\n",
                                          question="What happens when a check bounces?"),
}


@pytest.fixture(scope="session")
def numbers_site(search_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A small knowledge base of form numbers and an amount (NUMBERS_KB), built and served."""
    root = tmp_path_factory.mktemp("numbers")
    yield from _serve(write_kb(root / "kb", NUMBERS_KB), root / "dist")


# Answers whose dates move: one that expires soon after the build day, one not reviewed for a while.
DATES_KB = {
    "billing/winter-rates": answer_file("Winter rates apply until mid December.\n", question="What are the winter rates?",
                                        effective_until="2026-12-15", reviewed="2026-11-01", review_every="365"),
    "billing/old-policy": answer_file("Bills are due in 21 days.\n", question="When is my bill due?",
                                      reviewed="2026-01-01", review_every="360"),
}


@pytest.fixture(scope="session")
def dates_site(search_browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A small knowledge base whose badges depend on the day (DATES_KB), built and served."""
    root = tmp_path_factory.mktemp("dates")
    yield from _serve(write_kb(root / "kb", DATES_KB), root / "dist")


SHARD_BYTES = 12000  # low, so a few hundred generated answers split some shards as 100,000 would


@pytest.fixture(scope="session")
def generated_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated knowledge base of 300 answers (benchmarks/generate.py)."""
    from benchmarks.generate import generate
    root = tmp_path_factory.mktemp("generated") / "kb"
    generate(root, 300)
    return root


@pytest.fixture(scope="session")
def whole_site(search_browser: Any, generated_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The generated knowledge base with the default shard threshold: nothing is split at this size."""
    yield from _serve(generated_kb, tmp_path_factory.mktemp("whole") / "dist")


@pytest.fixture(scope="session")
def sharded_site(search_browser: Any, generated_kb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The same knowledge base with a shard threshold low enough to split, as 100,000 answers would."""
    root = tmp_path_factory.mktemp("sharded")
    kb = root / "kb"
    shutil.copytree(generated_kb, kb)
    settings = kb / "_settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"channels:\n  reference:\n    shard_bytes: {SHARD_BYTES}\n",
                        encoding="utf-8")
    yield from _serve(kb, root / "dist")


def customer_text(kb: Path, answer_id: str, channel: str) -> str:
    """What a customer got on `channel` for one answer: the channel's real output, rendered by the engine (a
    plain-text channel's primary file, or its `.txt` beside it)."""
    import channels
    from engine.compile import load_channels, plan, render_answer
    from engine.knowledge import load
    report = Report()
    loaded = load(kb, report, as_of=AS_OF)
    work = plan(loaded, load_channels(channels.names(), report), AS_OF)
    answer = next(a for a in loaded.answers if a.id == answer_id)
    rendered = dict(render_answer(answer, work).outputs)[channel]
    text = rendered.files.get(rendered.primary.rsplit(".", 1)[0] + ".txt", rendered.files[rendered.primary])
    return text.decode("utf-8")


@pytest.fixture
def watched(search_browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A fresh page whose every request, console error and script error is watched; off-host requests are
    refused and reported. The test ends by checking nothing went wrong."""
    context = search_browser.new_context()
    watch = Watch()

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            watch.problems.append(f"off-host request {url}")
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: watch.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: watch.problems.append(f"failed request {r.url}: {r.failure}"))
    page.on("response", lambda r: watch.problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    yield page, watch
    context.close()
    assert watch.problems == []
