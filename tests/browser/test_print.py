"""The printed handout as Chromium prints it: `page.pdf()` of real handouts, read back with a PDF text extractor.
Every page must carry the phone number and "Page N of M" in its margin (CSS @page margin boxes), and a topic
handout must start each answer on a new page with that answer's own phone.

Skips with a reason when playwright, Chromium (tests/browser/conftest.py) or pypdf is absent."""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Callable

import pytest

import channels
from renderers import print as handout
from tests.browser.conftest import Site, Watch
from tests.kb import answer_file, load_kb, site_of, views_of, write_kb

pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[test]'): no PDF text extractor")

PAGE = re.compile(r"Page (\d+) of (\d+)")


def pdf_pages(page: Any) -> list[str]:
    """The text of each page Chromium prints, with the handout's own @page size and margins."""
    data = page.pdf(prefer_css_page_size=True)
    assert data.startswith(b"%PDF-")
    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def counters(pages: list[str]) -> list[tuple[int, int]]:
    found = []
    for text in pages:
        match = PAGE.search(text)
        assert match is not None, f"no page counter on a page: {text[-200:]!r}"
        found.append((int(match.group(1)), int(match.group(2))))
    return found


def test_a_long_handout_prints_the_phone_and_the_page_counter_on_every_page(browser: Any, tmp_path: Path) -> None:
    detail = "\n\n".join(f"## Part {n}\n\nPart {n} of the detail says what happens next, in enough words to fill "
                         "a line or two of a printed page, and then some more words to be sure." for n in range(1, 60))
    body = (f"Call {{{{ phone.main }}}} to pay by card. The fee is {{{{ fees.card }}}}.\n\n"
            f"1. Have your account number ready.\n2. Pay online at {{{{ urls.pay }}}}.\n\n{detail}\n")
    kb = load_kb(write_kb(tmp_path / "kb", {"billing/pay": answer_file(body)}))
    view = views_of(kb, "print")[0]
    out = handout.render(view, handout.Config.model_validate(channels.raw("print")), site_of(kb))
    page = browser.new_page()
    try:
        page.set_content(out.files[out.primary].decode("utf-8"))
        pages = pdf_pages(page)
    finally:
        page.close()
    assert len(pages) > 1
    assert counters(pages) == [(n, len(pages)) for n in range(1, len(pages) + 1)]
    for number, text in enumerate(pages, start=1):
        assert "Questions? Call 800-555-0100" in text, f"page {number} has no phone: {text[-200:]!r}"


def test_the_billing_topic_handout_prints_each_answer_on_its_own_pages_with_its_phone(
        sample_site: Site, open_page: Callable[..., tuple[Any, Watch]]) -> None:
    page, watch = open_page()
    page.goto(sample_site.url("print/billing/index.html"))
    pages = pdf_pages(page)
    assert watch.problems() == []  # nothing fetched, nothing failed: the file stands alone
    assert len(pages) > 1
    assert counters(pages) == [(n, len(pages)) for n in range(1, len(pages) + 1)]
    margins = []
    for text in pages:
        call = re.search(r"Questions\? Call (\d{3}-\d{3}-\d{4})", text)
        margins.append(call.group(1) if call else None)
        if call is None:  # an answer that states no phone: its full answer's address instead (renderers/print.py)
            assert "Full answer online: https://riverton.gov/help/billing/" in text
    assert "800-555-0142" in margins  # pay-by-phone's own payments line, on its own page
    assert sum(m is not None for m in margins) >= len(pages) // 2
    first_lines = [text for text in pages if "How do I pay my bill by phone?" in text]
    assert len(first_lines) == 1 and "Questions? Call 800-555-0142" in first_lines[0]
