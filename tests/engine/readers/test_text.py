"""The plain-text reader and the link-target facts every reader shares; and the round trip over real outputs
(a small build, and the sample knowledge base) that every reader's tests reuse."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import channels
import renderers
from engine.diagnostics import Report
from engine.facts import FactType, FactValue, Locale
from engine.model import FactMention, Paragraph, walk_inlines
from engine.publish import build
from engine.readers import Reading, read as read_any
from engine.readers.text import read, reading, target_facts
from engine.select import View
from tests.kb import AS_OF, ROOT, load_kb, sample, site_of, views_of

SMALL_KB = ROOT / "tests" / "fixtures" / "small_kb"

# ------------------------------------------------------------------- round trip over real outputs (shared)


@dataclass(frozen=True)
class Output:
    """One answer's file on one channel, with the view it was made from."""

    view: View
    path: str
    data: bytes
    override: bool  # the channel showed the hand-written override instead of the derived text


def built_outputs(out: Path, channel: str, suffix: str | None = None) -> list[Output]:
    """Build the small fixture knowledge base for `channel` into `out`; every answer's primary file (or its
    file ending in `suffix`), read through the manifest."""
    report = Report()
    result = build(SMALL_KB, out, report, as_of=AS_OF, only=(channel,))
    assert result.published, [d.text() for d in report.errors]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    views = {v.id: v for v in views_of(load_kb(SMALL_KB), channel)}
    outputs: list[Output] = []
    for answer_id, entry in manifest["answers"].items():
        if channel not in entry["channels"]:
            continue
        found = entry["channels"][channel]
        path = found["path"] if suffix is None else next(p for p in found["files"] if p.endswith(suffix))
        outputs.append(Output(views[answer_id], path, (out / path).read_bytes(),
                              bool(found["metrics"].get("override"))))
    assert outputs, f"the small build published nothing on {channel}"
    return outputs


def sample_outputs(channel: str, suffix: str | None = None) -> list[Output]:
    """Every answer of the sample knowledge base rendered for `channel` (primary file, or the one ending in
    `suffix`)."""
    kb = sample()
    site = site_of(kb)
    module = renderers.get(channel)
    config = module.Config.model_validate(channels.raw(channel))
    outputs: list[Output] = []
    for view in views_of(kb, channel):
        rendered = module.render(view, config, site)
        path = rendered.primary if suffix is None else next(p for p in rendered.files if p.endswith(suffix))
        outputs.append(Output(view, path, rendered.files[path], bool(rendered.metrics.get("override"))))
    return outputs


def expected_facts(output: Output) -> list[FactValue]:
    """What the output must state: the override's facts when the channel used it, else the short answer's
    and the steps'."""
    view = output.view
    if output.override:
        assert view.override is not None
        nodes = walk_inlines((Paragraph(view.override.inlines, view.override.line),))
    else:
        nodes = walk_inlines((view.short_answer, *((view.steps,) if view.steps else ())))
    return [node.fact for node in nodes if isinstance(node, FactMention)]


def assert_reads_back(outputs: list[Output]) -> int:
    """Every expected fact is among the reading's facts (a text fact: among its words); the facts checked."""
    checked = 0
    for output in outputs:
        got = read_any(output.path, output.data)
        seen = {(f.type, f.canonical) for f in got.facts}
        words = " ".join(got.text.split())
        for fact in expected_facts(output):
            if fact.type is FactType.TEXT:
                assert fact.canonical in words, (output.path, fact.canonical, got.text)
            else:
                assert (fact.type, fact.canonical) in seen, (output.path, fact.canonical, sorted(seen))
            checked += 1
    return checked


def kinds(got: Reading) -> list[tuple[str, str]]:
    return [(f.type.value, f.canonical) for f in got.facts]


# ------------------------------------------------------------------------------------------ plain text


def test_text_is_decoded_with_one_kind_of_line_end() -> None:
    got = read("Call (800) 555-0100.\r\nFee: $2.50\rNew rates 2027-01-01\n".encode("utf-8"))
    assert got.text == "Call (800) 555-0100.\nFee: $2.50\nNew rates 2027-01-01\n"
    assert kinds(got) == [("phone", "+18005550100"), ("money", "USD 2.50"), ("date", "2027-01-01")]
    assert got.title == "" and got.links == ()


def test_a_url_in_text_is_a_fact_but_not_a_link() -> None:
    got = read(b"Pay at riverton.gov/pay or email billing@riverton.gov.")
    assert kinds(got) == [("url", "https://riverton.gov/pay"), ("email", "billing@riverton.gov")]
    assert got.links == ()


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(UnicodeDecodeError):
        read(b"Caf\xe9 open 8 am to 5 pm")


def test_a_region_reads_slashed_dates_its_own_way() -> None:
    assert kinds(read(b"Due 1/5/2027", Locale(region="GB"))) == [("date", "2027-05-01")]
    assert kinds(read(b"Due 1/5/2027")) == [("date", "2027-01-05")]


@pytest.mark.parametrize(("href", "expected"), [
    ("tel:+18005550100", [("phone", "+18005550100")]),
    ("TEL:+1-800-555-0100;ext=12", [("phone", "+18005550100;ext=12")]),
    ("tel:(800)%20555-0199", [("phone", "+18005550199")]),
    ("tel:12", []),
    ("mailto:Billing@Riverton.gov?subject=Bill", [("email", "billing@riverton.gov")]),
    ("mailto:a@riverton.gov,%20b@riverton.gov", [("email", "a@riverton.gov"), ("email", "b@riverton.gov")]),
    ("mailto:nobody", []),
    ("https://Riverton.gov/pay/", [("url", "https://riverton.gov/pay")]),
    ("http://riverton.gov:80/a?b=1#top", [("url", "http://riverton.gov/a?b=1")]),
    ("https://[broken/", []),
    ("../../billing/", []),
    ("#main", []),
    ("javascript:alert(1)", []),
    ("ftp://riverton.gov/file", []),
])
def test_link_targets_carry_facts(href: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.type.value, f.canonical) for f in target_facts(href, Locale())] == expected


def test_facts_of_the_words_come_before_those_of_the_targets() -> None:
    got = reading("Title", "Call (800) 555-0100", ("mailto:billing@riverton.gov", "tel:+18005550100"), Locale())
    assert kinds(got) == [("phone", "+18005550100"), ("email", "billing@riverton.gov"), ("phone", "+18005550100")]
    assert got.links == ("mailto:billing@riverton.gov", "tel:+18005550100") and got.title == "Title"


# ------------------------------------------------------------------------------------------ real outputs


def test_every_sms_of_a_small_build_reads_back(tmp_path: Path) -> None:
    outputs = built_outputs(tmp_path / "dist", "sms")
    assert any(o.override for o in outputs)  # pay-by-phone has an `sms:` override
    assert assert_reads_back(outputs) >= 5


def test_every_sms_of_the_sample_reads_back() -> None:
    outputs = sample_outputs("sms")
    assert len(outputs) > 40 and any(o.override for o in outputs)
    assert assert_reads_back(outputs) > 100


@pytest.mark.parametrize("channel", ["ivr", "chat"])
def test_every_transcript_and_plain_snippet_of_the_sample_reads_back(channel: str) -> None:
    assert assert_reads_back(sample_outputs(channel, suffix=".txt")) > 100
