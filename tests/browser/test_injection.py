"""Issue 6, safe pages: script payloads in every field an editor controls never run on a web or reference page.

Payloads the engine refuses (raw HTML, `javascript:` and `data:` links) are refused with a located diagnostic and
nothing is published; the rest are built and every page is loaded in Chromium: `window.__pwned` stays unset, no
dialog opens, no CSP violation happens but the one the policy is there for (an editor's image on another host,
blocked before any request), and each payload shows as the text it is.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.diagnostics import Report
from engine.publish import build
from tests.browser.conftest import Site, Watch, serve_built
from tests.kb import AS_OF, answer_file, write_kb

SCRIPT = "<script>window.__pwned=1</script>"
ATTRIBUTE = '"><img src=x onerror="window.__pwned=1">'
TITLE = "</title><script>window.__pwned=1</script>"
URL = "javascript:window.__pwned=1"
TEMPLATES = "{{ 7*7 }} ${7*7}"
ELSEWHERE = "https://elsewhere.example/pixel.png"
Opener = Callable[..., tuple[Any, Watch]]


def quoted(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def literal(text: str) -> str:
    """Markdown that shows `text` literally: every `<` and `>` backslash-escaped."""
    return text.replace("<", "\\<").replace(">", "\\>")


FACTS = f"""\
phone:
  main: {{type: phone, value: (800) 555-0100, label: {quoted(SCRIPT)}}}
places:
  office: {{type: text, value: {quoted(ATTRIBUTE + " " + TITLE)}, label: {quoted(TITLE)}}}
  note: {{type: text, value: {quoted(TEMPLATES)}, label: {quoted(URL)}}}
"""

PAY = answer_file(
    f"Call {{{{ phone.main }}}} about {literal(SCRIPT)} and `{ATTRIBUTE}` and ${{7*7}}.\n\n"
    f"1. Type {literal(TITLE)} when asked.\n"
    f"2. Open [{literal(SCRIPT)} the form](https://riverton.gov/form) and {literal(ATTRIBUTE)}.\n\n"
    f"Detail: `{TITLE}`, {URL} as words, {{{{ places.office }}}} and {{{{ places.note }}}}.\n\n"
    f"![{literal(ATTRIBUTE)}]({ELSEWHERE})\n\n"
    f"::: internal\nStaff: {literal(SCRIPT)} `{ATTRIBUTE}`.\n:::\n",
    question=quoted(f"{SCRIPT} {ATTRIBUTE}"), owner=quoted(ATTRIBUTE), tags=f"[{quoted(SCRIPT)}]",
    asked_as=f"[{quoted(TITLE)}, {quoted(TEMPLATES)}]", related="[billing/other]",
    sms=quoted(f"Call {{{{ phone.main }}}}. {literal(SCRIPT)}"),
    chat=quoted(f"Call {{{{ phone.main }}}}. {literal(ATTRIBUTE)}"),
    ivr=quoted(f"Call {{{{ phone.main }}}}. {literal('</speak>' + SCRIPT)}"),
)
OTHER = answer_file(f"Other words {literal(TITLE)}.\n", question=quoted(TITLE), owner=quoted(SCRIPT))
STAFF = answer_file(f"Staff only {literal(ATTRIBUTE)}.\n", question=quoted(ATTRIBUTE + " staff"), audience="internal")


def hostile_kb(root: Path) -> Path:
    kb = write_kb(root, {"billing/pay": PAY, "billing/other": OTHER, "billing/staff": STAFF}, FACTS)
    (kb / "_settings.yaml").write_text(f"name: {quoted('Riverton ' + SCRIPT + ATTRIBUTE)}\n", encoding="utf-8")
    return kb


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("hostile")
    yield from serve_built(hostile_kb(root / "kb"), root / "dist")


@pytest.mark.parametrize(("body", "front", "code", "where"), [
    (f"Pay {SCRIPT} now.\n", {}, "raw-html", "6:5"),
    (f"Pay {ATTRIBUTE} now.\n", {}, "raw-html", "6:7"),
    ("Pay now.\n\n<style>body{display:none}</style>\n", {}, "raw-html", "8:1"),
    (f"Pay [here]({URL}) now.\n", {}, "unsafe-link", "6:12"),
    ("Pay [here](data:text/html,x) now.\n", {}, "unsafe-link", "6:12"),
    ("Pay now.\n", {"sms": quoted(f"Pay {SCRIPT}")}, "raw-html", "5:11"),
    ("Pay now.\n", {"chat": quoted(f"Pay [here]({URL})")}, "unsafe-link", "5:19"),
])
def test_payloads_the_engine_refuses_are_diagnosed_and_nothing_is_published(
        tmp_path: Path, body: str, front: dict[str, str], code: str, where: str) -> None:
    kb = write_kb(tmp_path / "kb", {"billing/pay": answer_file(body, **front)})
    report = Report()
    assert not build(kb, tmp_path / "dist", report, as_of=AS_OF, jobs=1).published
    assert [(d.code, f"{d.line}:{d.col}") for d in report.errors] == [(code, where)]
    assert report.errors[0].path.endswith("billing/pay.md")
    assert not (tmp_path / "dist").exists()


def _blocked_image_only(watch: Watch) -> list[str]:
    """Problems other than the policy refusing the editor's off-host image (the refusal is the point)."""
    def refused(problem: str) -> bool:
        return problem == f"failed {ELSEWHERE}: csp" or (
            problem.startswith("console error:") and ELSEWHERE in problem and "Content Security Policy" in problem)
    return [p for p in watch.problems() if not refused(p)]


def test_no_payload_runs_on_any_page(hostile_site: Site, open_page: Opener) -> None:
    page, watch = open_page()
    pages = hostile_site.pages("reference") + hostile_site.pages("web")
    assert "reference/billing/pay/index.html" in pages and "web/billing/pay/index.html" in pages
    for path in pages:
        page.goto(hostile_site.url(path))
        tabs = page.get_by_role("tab")
        for index in range(tabs.count()):  # show every channel view, every <details>
            tabs.nth(index).click()
            page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        violations = page.evaluate("window.__csp")
        assert all(v["directive"] == "img-src" and v["blocked"] == ELSEWHERE for v in violations), (path, violations)
    assert watch.off_host == [] and watch.dialogs == []
    assert _blocked_image_only(watch) == []


@pytest.mark.parametrize("channel", ["reference", "web"])
def test_payloads_show_as_text(hostile_site: Site, open_page: Opener, channel: str) -> None:
    page, watch = open_page(java_script_enabled=False)  # every channel view at once, as written
    page.goto(hostile_site.url(f"{channel}/billing/pay/"))
    assert page.locator("h1").inner_text() == f"{SCRIPT} {ATTRIBUTE}"
    assert page.title().startswith(f"{SCRIPT} {ATTRIBUTE} | Riverton {SCRIPT}{ATTRIBUTE}")
    shown = page.locator("main").inner_text()
    for text in (SCRIPT, ATTRIBUTE, TITLE, URL, "${7*7}", TEMPLATES, f"{SCRIPT} the form"):
        assert text in shown, (channel, text)
    assert "49" not in shown
    if channel == "reference":
        for text in (f"Staff: {SCRIPT}", f"Call 800-555-0100. {SCRIPT}", f"Call 800-555-0100. {ATTRIBUTE}",
                     f"</speak>{SCRIPT}", f"Owner\n{ATTRIBUTE}"):
            assert text in shown, text
        placeholder = page.locator(".web-view .image-placeholder").inner_text()  # described, never loaded
        assert placeholder.startswith("[Image: ") and 'img src=x onerror="window.__pwned=1"' in placeholder
    page.goto(hostile_site.url(f"{channel}/"))
    assert f"Riverton {SCRIPT}{ATTRIBUTE}" in page.locator("header").inner_text()
    assert watch.off_host == [] and watch.dialogs == []
    assert _blocked_image_only(watch) == []
