"""The report card as files of the reference site: `_report-card/index.html` (tables and two SVG charts,
drawn here at build time, no script) and `_report-card/card.json` (the same data for tools and `report --card`).

The folder name starts with `_`, which no topic can, so it never collides with a topic page.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from engine import indented_json
from engine.bundle import Manifest
from engine.compile import Plan
from engine.assessment import assessment
from engine.knowledge import KnowledgeBase
from engine.report_card import BUDGET_BANDS, REVIEW_AGES, Card, facts_of, grade, limits_of
from renderers.reference import environment, topic_title

CHANNEL = "reference"  # the site the card is published in
FOLDER = "_report-card"
SHOWN_ROWS = 200  # the page lists the worst answers; card.json lists them all
COLOURS = ("#1b7f3b", "#5a8f00", "#a66a00", "#c2410c", "#b91c1c")  # good to bad, each ≥ 3:1 on white


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    x: float
    width: float
    colour: str


def _stacked(counts: Mapping[str, int], width: float) -> list[Bar]:
    total = sum(counts.values()) or 1
    bars, x = [], 0.0
    for (label, count), colour in zip(counts.items(), COLOURS):
        share = width * count / total
        bars.append(Bar(label, count, round(x, 1), round(share, 1), colour))
        x += share
    return bars


def page(card: Card, site_name: str, language: str) -> bytes:
    width = 480.0
    budget_rows = [{"channel": channel, "bars": _stacked(bands, width), "total": sum(bands.values())}
                   for channel, bands in card.budget_bands.items()]
    most = max(card.review_ages.values(), default=0) or 1
    age_bars = [Bar(label, count, 0, round(width * count / most, 1), colour)
                for (label, count), colour in zip(card.review_ages.items(), COLOURS[::1])]
    grades = sorted({g for counts in card.by_channel.values() for g in counts} | {"A", "B", "C", "D", "F"})
    html = environment().get_template("report-card.html").render(
        root="../", lang=language, site_name=site_name, title="Report card", card=card,
        rows=card.rows[:SHOWN_ROWS], hidden=max(len(card.rows) - SHOWN_ROWS, 0), grades=grades,
        budget_rows=budget_rows, budget_labels=[label for _, label in BUDGET_BANDS],
        age_bars=age_bars, age_labels=[label for _, label in REVIEW_AGES], width=width, colours=COLOURS,
        topic_title=topic_title)
    return html.encode("utf-8")


def files(manifest: Manifest, kb: KnowledgeBase, work: Plan) -> dict[str, bytes]:
    """The card's files, by path in the bundle, with the self-assessment against the organisation's own
    standards (engine/assessment.py) as its first section."""
    card = grade(manifest, facts_of(kb.answers), limits_of(work.channels), work.as_of)
    card.assessment = [line.strip() for line in assessment(kb, manifest, work.feedback, work.as_of).splitlines()
                       if line.strip() and not line.startswith("Self-assessment")]
    data = indented_json.dumps(card.data()) + "\n"  # json.dumps(indent=1, ensure_ascii=False, sort_keys=True)
    return {f"{CHANNEL}/{FOLDER}/index.html": page(card, work.site.name, work.site.language),
            f"{CHANNEL}/{FOLDER}/card.json": data.encode("utf-8")}
