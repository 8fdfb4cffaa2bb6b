"""The report card: each penalty moves the grade it should, worst answers come first with what to fix, and the
build publishes the card in the reference site (listed in the manifest, verified, two SVG charts, no script)."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import html5lib
import pytest

from engine.bundle import AnswerEntry, ChannelEntry, Manifest
from engine.cli import main
from engine.report_card import AnswerFacts, grade, letter

TODAY = date(2026, 12, 1)
LIMITS = {"sms": {"segments": 2.0}, "ivr": {"seconds": 45.0}, "chat": {"characters": 640.0}}
ROOT = Path(__file__).resolve().parents[2]


def _manifest(**channels: dict[str, ChannelEntry]) -> Manifest:
    return Manifest(inputs="x", answers={answer_id: AnswerEntry(source=f"knowledge/{answer_id}.md", hash="h",
                                                                audience="public", channels=entries)
                                         for answer_id, entries in channels.items()})


def _entry(channel: str, left_out: list[str] | None = None, **metrics: object) -> ChannelEntry:
    return ChannelEntry(path=f"{channel}/x", metrics={"override": False, **metrics}, left_out=left_out)


def _facts(reviewed: date = date(2026, 11, 1), wps: float = 12.0) -> AnswerFacts:
    return AnswerFacts("billing", reviewed, 180, wps)


def test_a_clean_answer_gets_an_a_on_every_channel() -> None:
    manifest = _manifest(**{"billing/ok": {"sms": _entry("sms", characters=120, encoding="GSM-7", segments=1),
                                           "ivr": _entry("ivr", seconds=20.0)}})
    card = grade(manifest, {"billing/ok": _facts()}, LIMITS, TODAY)
    row = card.rows[0]
    assert row.grade == "A" and row.fixes == [] and {c.grade for c in row.cells.values()} == {"A"}
    assert row.cells["sms"].budget_use == pytest.approx(120 / 306, abs=1e-3)  # characters of 2 GSM-7 segments


@pytest.mark.parametrize(("entry", "facts", "score", "fix"), [
    (_entry("ivr", seconds=44.0), _facts(), 85, "ivr: uses 98% of its budget"),
    (_entry("sms", characters=130, encoding="UCS-2", segments=2), _facts(), 85, "sms: uses 97% of its budget"),
    (_entry("ivr", ["detail-left-out: 2 detail blocks are not spoken"], seconds=30.0), _facts(), 75,
     "ivr: left out: detail-left-out: 2 detail blocks are not spoken"),
    (ChannelEntry(path="chat/x", metrics={"override": True, "characters": 100}), _facts(), 95,
     "chat: hand-written text"),
    (_entry("ivr", seconds=10.0), _facts(reviewed=date(2026, 1, 1)), 70, "review overdue by 154 days"),
    (_entry("ivr", seconds=10.0), _facts(wps=22.5), 95, "sentences average 22.5 words"),
    (_entry("ivr", seconds=10.0), _facts(wps=31.0), 85, "sentences average 31 words"),
])
def test_each_penalty_costs_its_points_and_says_what_to_fix(entry: ChannelEntry, facts: AnswerFacts, score: int,
                                                             fix: str) -> None:
    channel = entry.path.split("/")[0]
    card = grade(_manifest(**{"billing/one": {channel: entry}}), {"billing/one": facts}, LIMITS, TODAY)
    row = card.rows[0]
    assert row.score == score and row.grade == letter(score)
    assert any(item.startswith(fix) for item in row.fixes), row.fixes


def test_accepted_findings_cost_ten_points_each_up_to_twenty() -> None:
    manifest = _manifest(**{"billing/a": {"web": _entry("web", words=100)}})
    manifest.answers["billing/a"].accepted = ["x: one (accepted: fine)", "y: two (accepted: fine)", "z: three"]
    assert grade(manifest, {"billing/a": _facts()}, LIMITS, TODAY).rows[0].score == 80


def test_the_worst_answers_come_first_and_totals_add_up() -> None:
    manifest = _manifest(**{
        "billing/good": {"ivr": _entry("ivr", seconds=10.0), "web": _entry("web", words=50)},
        "billing/bad": {"ivr": _entry("ivr", ["detail-left-out: x"], seconds=44.0), "web": _entry("web", words=50)},
        "billing/stale": {"ivr": _entry("ivr", seconds=10.0), "web": _entry("web", words=50)},
    })
    facts = {"billing/good": _facts(), "billing/bad": _facts(), "billing/stale": _facts(reviewed=date(2025, 1, 1))}
    card = grade(manifest, facts, LIMITS, TODAY)
    assert [(row.id, row.score) for row in card.rows] == [("billing/bad", 60), ("billing/stale", 70),
                                                          ("billing/good", 100)]
    assert card.rows[0].fixes[0].startswith("ivr: uses 98%")  # the worst cell's fixes first
    assert sum(card.by_channel["ivr"].values()) == 3 and sum(card.by_topic["billing"].values()) == 3
    assert card.review_ages["over a year"] == 1 and sum(card.review_ages.values()) == 3
    assert card.budget_bands["ivr"]["90–100%"] == 1 and sum(card.budget_bands["ivr"].values()) == 3


def test_card_data_is_what_asdict_gives() -> None:
    manifest = _manifest(**{
        "billing/good": {"ivr": _entry("ivr", seconds=10.0), "web": _entry("web", words=50)},
        "billing/bad": {"ivr": _entry("ivr", ["detail-left-out: x"], seconds=44.0), "web": _entry("web", words=50)},
    })
    card = grade(manifest, {"billing/good": _facts(), "billing/bad": _facts(wps=30.0)}, LIMITS, TODAY)
    card.assessment = ["one line"]
    assert card.data() == dataclasses.asdict(card)


def test_the_build_publishes_the_card_in_the_reference_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert main(["build", "--kb", str(ROOT / "knowledge"), "--out", str(out), "--cache", str(tmp_path / "c"),
                 "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"reference/_report-card/index.html", "reference/_report-card/card.json"} <= set(manifest["indexes"])
    assert main(["verify", str(out)]) == 0
    card = json.loads((out / "reference/_report-card/card.json").read_text())
    assert {row["id"] for row in card["rows"]} == set(manifest["answers"])
    published = {(a, c) for a, e in manifest["answers"].items() for c in e["channels"]}
    assert {(row["id"], c) for row in card["rows"] for c in row["cells"]} == published
    left_out = {(a, c) for a, e in manifest["answers"].items() for c, o in e["channels"].items() if o.get("left_out")}
    assert left_out and all(card_row["cells"][c]["left_out"] for card_row in card["rows"] for c in card_row["cells"]
                            if (card_row["id"], c) in left_out)
    standards = [line for line in card["assessment"] if line.startswith("standard ")]
    assert standards and all(line.split(": ")[-1].startswith(("met", "NOT MET")) or "met;" in line for line in standards)
    assert any(line.startswith("answers reviewed on time:") for line in card["assessment"])
    page = (out / "reference/_report-card/index.html").read_text()
    assert "Self-assessment" in page and standards[0] in page
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(page)
    svgs = tree.findall(".//{http://www.w3.org/2000/svg}svg")
    assert len(svgs) == 2 and all(svg.find("{http://www.w3.org/2000/svg}title") is not None for svg in svgs)
    assert [s.get("src") for s in tree.iter("script")] == ["../assets/site.js", "../assets/search.js"]
    worst = card["rows"][0]
    assert f'href="../{worst["id"]}/"' in page  # the worst answer links to its reference page
    capsys.readouterr()
    assert main(["report", "--out", str(out), "--card"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"report card as of {card['as_of']}: {len(card['rows'])} answers")
    assert f"{worst['grade']} {worst['score']:>3}  {worst['id']}" in text
    assert main(["report", "--out", str(out)]) == 0
    assert "left out by a channel" in capsys.readouterr().out
