"""The reference site shows the sample's standards, its notice (on a day it is active) and its feedback:
in a real browser, readable without JavaScript, and clean under axe-core."""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import date
from typing import Any, Callable

import pytest

from engine.diagnostics import Report
from engine.publish import build
from engine.serve import make_server
from tests.browser.conftest import Site, Watch, axe_script
from tests.browser.test_site import axe_violations
from tests.kb import SAMPLE

Opener = Callable[..., tuple[Any, Watch]]
NOTICE_DAY = date(2027, 1, 12)  # inside the sample's upcoming notice (knowledge/_notices.yaml)
CALLS = "standards/call-answer-times"


@pytest.fixture(scope="module")
def notice_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    out = tmp_path_factory.mktemp("notice") / "dist"
    report = Report()
    assert build(SAMPLE, out, report, as_of=NOTICE_DAY, jobs=1).published, [d.text() for d in report.errors]
    axe = axe_script()
    if axe is not None:
        (out / "__axe__").mkdir()
        shutil.copyfile(axe, out / "__axe__" / "axe.min.js")
    server = make_server(out, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Site(out, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


def test_the_reference_page_shows_feedback_per_channel(notice_site: Site, open_page: Opener) -> None:
    page, watch = open_page(java_script_enabled=False)
    page.goto(notice_site.url(f"reference/{CALLS}/"))
    section = page.get_by_role("region", name="Customer feedback")
    assert section.is_visible()
    assert "IVR callers transfer to an agent" in section.locator(".feedback-headline").inner_text()
    ivr = section.locator('tr[data-channel="ivr"]')
    cells = ivr.locator("td").all_inner_texts()
    assert cells[0] == "20" and cells[1] == "40%" and "for older ones" in cells[3]
    assert watch.problems() == []


def test_the_notice_leads_the_answer_on_the_reference_and_web_pages(notice_site: Site, open_page: Opener) -> None:
    page, watch = open_page()
    for path in (f"reference/{CALLS}/", f"web/{CALLS}/", "reference/standards/service-standards/"):
        page.goto(notice_site.url(path))
        first = page.locator("#answer > *").first
        assert first.get_attribute("class") == "notice" and "call waits may be longer" in first.inner_text(), path
        assert page.locator("#answer").get_by_role("note", name="Notice").is_visible()
    page.goto(notice_site.url("web/billing/pay-by-phone/"))
    assert page.locator(".notice").count() == 0
    assert watch.problems() == []


@pytest.mark.parametrize("path", [f"reference/{CALLS}/", f"web/{CALLS}/", "reference/standards/service-standards/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_is_clean_on_the_new_parts(notice_site: Site, open_page: Opener, path: str, scheme: str) -> None:
    if axe_script() is None:
        pytest.skip("axe-core is not installed (npm install --no-save --prefix .cache/npm axe-core@4; .ci/run does)")
    page, watch = open_page(color_scheme=scheme)
    page.goto(notice_site.url(path))
    assert axe_violations(page) == []
    assert watch.problems() == []
