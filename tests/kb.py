"""Test helpers: load the sample knowledge base, or a small one written on the fly, and make channel views."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import channels
from engine.diagnostics import Report
from engine.knowledge import KnowledgeBase, load
from engine.select import View, publishes, view
from renderers import AnswerRef, Site

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "knowledge"
AS_OF = date(2026, 11, 23)
FACTS = """\
phone:
  main: {type: phone, value: (800) 555-0100, label: Customer service}
  outage: {type: phone, value: (800) 555-0199, label: Outage line}
fees:
  card: {type: money, value: $2.50, label: Card fee}
dates:
  change: {type: date, value: 2027-01-01, label: Rate change}
times:
  cutoff: {type: time, value: 5 pm, label: Same-day cutoff}
hours:
  office: {type: hours, value: "Monday to Friday, 8 am to 5 pm", label: Office hours}
durations:
  refund: {type: duration, value: 10 business days, label: Refund time}
urls:
  pay: {type: url, value: https://riverton.gov/pay, label: Pay online}
emails:
  billing: {type: email, value: billing@riverton.gov, label: Billing email}
rates:
  late: {type: percent, value: 1.5%, label: Late fee rate}
places:
  office: {type: text, value: "100 Main Street, Riverton", label: Main office}
"""


@lru_cache(maxsize=1)
def sample() -> KnowledgeBase:
    report = Report()
    kb = load(SAMPLE, report, as_of=AS_OF)
    assert not report.has_errors(), [d.text() for d in report.errors]
    return kb


def write_kb(root: Path, answers: dict[str, str], facts: str = FACTS) -> Path:
    """Write answers ({"topic/slug": full file text}) and a fact table into `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_facts.yaml").write_text(facts, encoding="utf-8")
    for answer_id, text in answers.items():
        path = root / f"{answer_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def answer_file(body: str, **front: str) -> str:
    """A valid answer file with `body`; keyword arguments add or replace front matter lines."""
    fields = {"question": "How do I pay my bill?", "owner": "billing-team", "reviewed": "2026-10-01", **front}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n" + body


def load_kb(root: Path) -> KnowledgeBase:
    report = Report()
    kb = load(root, report, as_of=AS_OF)
    assert not report.has_errors(), [d.text() for d in report.errors]
    return kb


def site_of(kb: KnowledgeBase, base_url: str = "https://riverton.gov/help") -> Site:
    refs = {a.id: AnswerRef(a.id, a.question, a.topic, a.hash) for a in kb.answers}
    return Site(kb.settings.name or "Riverton Public Utilities", kb.settings.language, base_url, refs)


def views_of(kb: KnowledgeBase, channel: str) -> list[View]:
    """Every answer published on `channel` as of AS_OF, as that channel sees it."""
    internal = channels.spec(channel).internal
    live = [a for a in kb.answers if publishes(a, channel, internal, AS_OF)]
    published = frozenset(a.id for a in live)
    return [view(a, channel, internal, published) for a in live]


def one_view(tmp_path: Path, body: str, channel: str, **front: str) -> View:
    """The view of a single answer `billing/pay` written with `body` (and the test fact table)."""
    kb = load_kb(write_kb(tmp_path / "kb", {"billing/pay": answer_file(body, **front)}))
    return views_of(kb, channel)[0]
