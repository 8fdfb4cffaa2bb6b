"""`summary:` gives the short answer of an article that opens with a heading, a list or a table: it loads,
and every customer channel leads with the summary (the consistency gate checks it)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.diagnostics import Report
from engine.publish import build
from tests.kb import AS_OF

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
HEADING_FIRST = """---
question: What fees can I be charged?
owner: billing-team
reviewed: 2026-10-01
summary: "A card payment costs {{ fees.card }}; the other fees are listed on this page."
---
## Fees

- Card payment: {{ fees.card }}
- Reconnection: {{ fees.reconnect }}
"""


def kb_with(tmp_path: Path, name: str, text: str) -> Path:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    (kb / "billing" / name).write_text(text)
    return kb


def test_a_heading_first_article_with_a_summary_leads_every_channel_with_it(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "fees.md", HEADING_FIRST)
    report = Report()
    out = tmp_path / "dist"
    assert build(kb, out, report, as_of=AS_OF).published, [d.text() for d in report.errors]
    channels = json.loads((out / "manifest.json").read_text())["answers"]["billing/fees"]["channels"]
    for channel in ("sms", "chat", "ivr"):
        text = (out / channels[channel]["path"]).read_text()
        if channel == "ivr":
            text = (out / channels[channel]["path"]).with_suffix(".txt").read_text()
        assert text.lstrip().startswith("A card payment costs $2.50"), (channel, text[:80])
    web = (out / channels["web"]["path"]).read_text()
    assert web.index("A card payment costs") < web.index("Reconnection")


def test_without_a_summary_a_heading_first_article_is_refused_with_the_way_out(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "fees.md", HEADING_FIRST.replace('summary: "A card payment costs {{ fees.card }}; '
                                                            'the other fees are listed on this page."\n', ""))
    report = Report()
    assert not build(kb, tmp_path / "dist", report, as_of=AS_OF).published
    (error,) = [d for d in report.errors if d.code == "empty-short-answer"]
    assert "summary:" in (error.hint or "")


def test_an_empty_summary_is_an_error_at_its_line(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "fees.md", HEADING_FIRST.replace(
        '"A card payment costs {{ fees.card }}; the other fees are listed on this page."', '"   "'))
    report = Report()
    assert not build(kb, tmp_path / "dist", report, as_of=AS_OF).published
    (error,) = report.errors  # one error, at the summary: not a second one about the heading the body opens with
    assert error.line == 5 and error.code in ("invalid-value", "empty-short-answer")
