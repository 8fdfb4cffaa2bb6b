"""A long article on the phone: the IVR speaks the short answer and the steps, then detail only while it fits
the time budget, and hands the rest to the website (site and one path segment), saying so in a warning."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.diagnostics import Report
from engine.publish import build
from renderers.ivr import handoff_address
from tests.kb import AS_OF

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
PARAGRAPH = ("Eligibility depends on your household size, your income in the last twelve months, and whether anyone "
             "in the household already receives help from another program. We look at each of these when we review "
             "your application, and we may ask for papers that show your income or your address. ")
ARTICLE = f"""---
question: Who can get help paying a utility bill?
owner: benefits-team
reviewed: 2026-10-01
---
Households with a low income can get help paying their bill; call {{{{ phone.main }}}} to apply.

1. Gather proof of income for everyone in the household.
2. Call {{{{ phone.main }}}} and ask for the assistance program.

We answer most applications within ten days.

## Who is eligible

{PARAGRAPH * 3}

## What you need

{PARAGRAPH * 3}
"""


def publish(tmp_path: Path, ivr: str = "") -> tuple[Report, Path, dict[str, object]]:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    (kb / "billing" / "bill-help.md").write_text(ARTICLE)
    if ivr:
        settings = kb / "_settings.yaml"
        settings.write_text(settings.read_text() + f"  ivr: {ivr}\n")
    report = Report()
    out = tmp_path / "dist"
    result = build(kb, out, report, as_of=AS_OF)
    entry = json.loads((out / "manifest.json").read_text())["answers"]["billing/bill-help"]["channels"]["ivr"] \
        if result.published else {}
    return report, out, entry


def test_a_long_article_keeps_to_the_budget_and_hands_over_to_the_website(tmp_path: Path) -> None:
    report, out, entry = publish(tmp_path)
    assert not report.errors, [d.text() for d in report.errors]
    assert entry["metrics"]["seconds"] <= 45 and "detail-left-out" in entry["metrics"]["fallbacks"]
    said = (out / "ivr" / "billing" / "bill-help.txt").read_text()
    assert said.startswith("Households with a low income") and "proof of income" in said
    assert "within 10 days" in said  # the detail that fits is spoken, in order
    assert "Who is eligible" not in said and "Eligibility depends" not in said
    assert said.rstrip().endswith("The full answer is on our website at riverton.gov/help.")
    (warning,) = [d for d in report.items if d.code == "detail-left-out"]
    assert warning.line == 13 and "4 detail blocks from line 13" in warning.message and "45 s budget" in warning.message


def test_detail_all_keeps_the_old_rule_over_budget_is_an_error(tmp_path: Path) -> None:
    report, _, _ = publish(tmp_path, "{detail: all}")
    assert any(d.code == "over-budget" and "ivr" in d.message for d in report.errors)


def test_detail_none_speaks_no_detail_even_when_it_would_fit(tmp_path: Path) -> None:
    report, out, _ = publish(tmp_path, "{detail: none, budget_seconds: 600}")
    said = (out / "ivr" / "billing" / "bill-help.txt").read_text()
    assert "within 10 days" not in said and "on our website" in said
    assert any(d.code == "detail-left-out" and "`detail: none`" in d.message for d in report.items)


def test_an_answer_within_budget_is_spoken_whole_without_a_handoff(tmp_path: Path) -> None:
    report, out, _ = publish(tmp_path, "{budget_seconds: 600}")
    said = (out / "ivr" / "billing" / "bill-help.txt").read_text()
    assert "Eligibility depends" in said and "on our website" not in said
    assert not any(d.code == "detail-left-out" for d in report.items)


@pytest.mark.parametrize("base_url,spoken", [
    ("https://riverton.gov/help", "riverton.gov/help"),
    ("https://www.example.gov/services/help/answers?lang=en", "www.example.gov/services"),
    ("https://example.gov", "example.gov"),
    ("https://example.gov/", "example.gov"),
])
def test_the_handoff_address_is_the_site_and_one_segment_at_most(base_url: str, spoken: str) -> None:
    assert handoff_address(base_url) == spoken


def test_a_lead_in_whose_list_is_left_out_hands_over_the_list(tmp_path: Path) -> None:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    items = "".join(f"- {PARAGRAPH}\n" for _ in range(4))
    (kb / "billing" / "bill-help.md").write_text(ARTICLE.split("---\n")[0] + "---\n" + ARTICLE.split("---\n")[1]
                                                 + "---\nMany things change your bill, including:\n\n" + items)
    report = Report()
    assert build(kb, tmp_path / "dist", report, as_of=AS_OF).published, [d.text() for d in report.errors]
    said = (tmp_path / "dist" / "ivr" / "billing" / "bill-help.txt").read_text()
    assert said == "Many things change your bill, including.\n\nThe full list is on our website at riverton.gov/help.\n"
