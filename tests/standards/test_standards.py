"""Service standards as data (`_standards.yaml`): facts every channel states, the generated page, the errors."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import channels as channel_registry

from engine.diagnostics import Report
from engine.facts import FactType
from engine.knowledge import load
from engine.publish import build
from engine.contract import read_output
from tests.kb import AS_OF, SAMPLE, answer_file, write_kb

STANDARDS = """\
page:
  summary: "We answer calls within {{ standards.call_wait }}."
  owner: ops
  reviewed: 2026-10-01
missed_notice: "We are missing our {title} standard ({standard}) until {until}."
standards:
  call_wait:
    title: answering calls
    type: duration
    value: 2 minutes
    applies_to: phone
    answers: [billing/wait]
"""


# Every channel an answer is published on without asking; the opt-in ones (social) only when it asks.
EVERY_CHANNEL = {name for name in channel_registry.names() if not channel_registry.spec(name).opt_in}
OPT_IN = set(channel_registry.names()) - EVERY_CHANNEL


def _kb(root: Path, standards: str = STANDARDS) -> Path:
    write_kb(root, {"billing/wait": answer_file("We answer every call within {{ standards.call_wait }}.\n"),
                    "billing/other": answer_file("Pay by card at any time.\n", question="How do I pay?")})
    (root / "_standards.yaml").write_text(standards, encoding="utf-8")
    return root


def _outputs(out: Path, answer_id: str) -> dict[str, bytes]:
    manifest = json.loads((out / "manifest.json").read_text())
    return {channel: (out / entry["path"]).read_bytes()
            for channel, entry in manifest["answers"][answer_id]["channels"].items()}


def _durations(channel_outputs: dict[str, bytes], manifest_paths: dict[str, str]) -> dict[str, set[str]]:
    return {ch: {f.canonical for f in read_output(ch, manifest_paths[ch], data).facts if f.type is FactType.DURATION}
            for ch, data in channel_outputs.items()}


def test_a_changed_standard_reaches_every_channel_of_every_answer_stating_it(tmp_path: Path) -> None:
    kb = _kb(tmp_path / "kb")
    for value in ("2 minutes", "90 seconds"):
        (kb / "_standards.yaml").write_text(STANDARDS.replace("2 minutes", value), encoding="utf-8")
        out = tmp_path / f"out-{value[:2].strip()}"
        result = build(kb, out, report := Report(), as_of=AS_OF)
        assert result.published, [d.text() for d in report.errors]
        manifest = json.loads((out / "manifest.json").read_text())
        for answer_id in ("billing/wait", "standards/service-standards"):
            entry = manifest["answers"][answer_id]["channels"]
            assert set(entry) - OPT_IN == EVERY_CHANNEL
            seen = _durations(_outputs(out, answer_id), {ch: e["path"] for ch, e in entry.items()})
            expected = "2 minute" if value == "2 minutes" else "90 second"
            for channel, durations in seen.items():
                assert any(d.startswith(expected) for d in durations), (answer_id, channel, durations)
                assert not any(d.startswith("2 minute" if expected != "2 minute" else "90 second") for d in durations)
        assert "standards.call_wait" not in json.dumps(manifest["answers"]["billing/other"])


def test_the_standards_page_is_an_answer_on_every_channel(tmp_path: Path) -> None:
    report = Report()
    kb = load(_kb(tmp_path), report, as_of=AS_OF)
    assert not report.has_errors(), [d.text() for d in report.errors]
    page = next(a for a in kb.answers if a.id == "standards/service-standards")
    assert page.audience == "public" and page.related == ("billing/wait",)
    assert page.source.endswith("_standards.yaml")
    assert kb.facts.get("standards.call_wait") is not None


@pytest.mark.parametrize("text, where, code", [
    (STANDARDS.replace("type: duration", "type: minutes"), ":9:11:", "invalid-standards"),
    (STANDARDS.replace("applies_to: phone", "aplies_to: phone"), ":11:5:", "invalid-standards"),
    (STANDARDS.replace("value: 2 minutes", "value: soon"), ":10:12:", "invalid-standards"),
    (STANDARDS.replace("[billing/wait]", "[billing/wiat]"), ":7:3:", "unknown-standard-answer"),
    (STANDARDS.replace("{until}.", "{untill}."), ":5:16:", "invalid-standards"),
    ("standards: [1, 2]\n", ":1:12:", "invalid-standards"),
])
def test_bad_standards_are_reported_at_their_place(tmp_path: Path, text: str, where: str, code: str) -> None:
    report = Report()
    load(_kb(tmp_path, text), report, as_of=AS_OF)
    found = [d.text() for d in report.errors]
    assert any(where in line and code in line and "_standards.yaml" in line for line in found), found


def test_a_standards_group_in_facts_is_refused(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    facts = (kb / "_facts.yaml").read_text() + "standards:\n  x: {type: text, value: hi}\n"
    (kb / "_facts.yaml").write_text(facts)
    report = Report()
    load(kb, report, as_of=AS_OF)
    assert any(d.code == "standards-conflict" for d in report.errors)


def test_the_sample_converts_its_standards_topic_to_data() -> None:
    text = "".join(p.read_text() for p in (SAMPLE / "standards").glob("*.md"))
    assert "{{ standards.call_wait }}" in text and "durations.call_answer" not in text
