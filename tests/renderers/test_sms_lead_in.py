"""A short answer that ends in ":" never dangles in a text message ("…such as:."): the list it introduces
travels with it when the message still fits, or the colon leads to the full answer's address."""
from __future__ import annotations

import shutil
from pathlib import Path

from engine.diagnostics import Report
from engine.publish import build
from tests.kb import AS_OF

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
HEAD = "---\nquestion: {q}\nowner: billing-team\nreviewed: 2026-10-01\n---\n"


def sms_of(tmp_path: Path, body: str) -> str:
    kb = tmp_path / "knowledge"
    shutil.copytree(SMALL, kb)
    (kb / "billing" / "lead-in.md").write_text(HEAD.format(q="What changes my bill?") + body)
    report = Report()
    out = tmp_path / "dist"
    assert build(kb, out, report, as_of=AS_OF).published, [d.text() for d in report.errors]
    return (out / "sms" / "billing" / "lead-in.txt").read_text()


def test_a_short_list_travels_with_its_lead_in(tmp_path: Path) -> None:
    text = sms_of(tmp_path, "Your bill depends on several factors such as:\n\n- the size of your meter\n"
                            "- how much water you use\n\nWe read meters every month.\n")
    assert text.startswith("Your bill depends on several factors such as: the size of your meter; how much water "
                           "you use. More: riverton.gov/help/billing/lead-in")
    assert ":." not in text


def test_a_long_list_is_replaced_by_the_address_the_colon_leads_to(tmp_path: Path) -> None:
    items = "".join(f"- factor number {n} that changes what you pay, explained at length for everyone\n"
                    for n in range(1, 9))
    text = sms_of(tmp_path, f"Many things change your bill, including:\n\n{items}")
    assert text == "Many things change your bill, including: riverton.gov/help/billing/lead-in"


def test_numbered_steps_after_a_lead_in_keep_their_facts(tmp_path: Path) -> None:
    text = sms_of(tmp_path, "To pay by phone:\n\n1. Call {{ phone.main }}.\n2. Have your account number ready.\n")
    assert text.startswith("To pay by phone: Call ") and ":." not in text
