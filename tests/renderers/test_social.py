"""The social channel: opt-in per answer, at most 280 characters as the platform counts them (a link is 23),
degrading with a note that names what it left out, and checked by the gate."""
from __future__ import annotations

from pathlib import Path

import pytest

import channels
from engine.compile import load_channels, plan, render_answer
from engine.consistency import InternalIndex, check_output
from engine.contract import read_output
from engine.diagnostics import Report
from engine.facts import Locale
from engine.schema import answer_schema
from engine.select import View
from renderers import Rendered, social
from renderers.social import weighted_length
from tests.kb import AS_OF, answer_file, load_kb, one_view, site_of, write_kb

SOCIAL = social.Config.model_validate(channels.raw("social"))
BODY = "Call {{ phone.main }} to pay by card. The fee is {{ fees.card }}.\n\n1. Have your account number.\n" \
       "2. Pay online at {{ urls.pay }}.\n"


@pytest.mark.parametrize(("text", "length"), [
    ("abc", 3),
    ("https://riverton.gov/help/billing/late-fees/", 23),  # any link is 23, however long
    ("riverton.gov/pay", 23),  # a bare address is linked, and counted, too
    ("Pay at https://riverton.gov/pay today.", 7 + 23 + 7),
    ("cafe\u0301", 4),  # composed before counting: é is one character
    ("日本", 4),  # CJK counts two
    ("😀", 2),  # so does an emoji
    ("a — b “c”", 9),  # general punctuation counts one
])
def test_length_is_counted_as_the_platform_counts(text: str, length: int) -> None:
    assert weighted_length(text) == length


def post(tmp_path: Path, body: str, **front: str) -> tuple[View, Rendered]:
    view = one_view(tmp_path, body, "social", **front)
    return view, social.render(view, SOCIAL, site_of(load_kb(tmp_path / "kb")))


def gate(view: View, out: Rendered, data: bytes | None = None) -> list[str]:
    reading = read_output("social", out.primary, data if data is not None else out.files[out.primary])
    return [p.code for p in check_output(view, reading, "https://riverton.gov/help", InternalIndex(), Locale(),
                                         with_steps=False)]


def published_on_social(tmp_path: Path, **front: str) -> bool:
    root = write_kb(tmp_path / "kb", {"billing/pay": answer_file(BODY, **front)})
    report = Report()
    kb = load_kb(root)
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    return "social" in dict(render_answer(kb.answers[0], work).outputs)


@pytest.mark.parametrize(("front", "posted"), [
    ({}, False),
    ({"social": "true"}, True),
    ({"social": "false"}, False),
    ({"social": '"Card payments cost {{ fees.card }}."'}, True),
    ({"channels": "[web, social]"}, True),
])
def test_only_answers_that_ask_for_it_are_posted(tmp_path: Path, front: dict[str, str], posted: bool) -> None:
    assert published_on_social(tmp_path, **front) is posted


def test_the_schema_takes_true_or_a_text_for_an_opt_in_channel() -> None:
    field = answer_schema(channels.names())["properties"]["social"]
    assert {"type": "boolean"} in field["anyOf"] and answer_schema(channels.names())["properties"]["sms"]["type"] == "string"


def test_a_post_that_fits_says_the_short_answer_the_steps_facts_and_the_link(tmp_path: Path) -> None:
    view, out = post(tmp_path, BODY, social="true")
    text = out.files["billing/pay.txt"].decode()
    assert text == ("Call 800-555-0100 to pay by card. The fee is $2.50. Pay online at riverton.gov/pay. "
                    "https://riverton.gov/help/billing/pay/\n")
    assert out.metrics["characters"] == weighted_length(text.strip()) <= 280 and out.notes == ()
    assert gate(view, out) == []


def test_a_long_answer_degrades_with_a_note_naming_what_it_left_out(tmp_path: Path) -> None:
    facts = ("phone.outage", "fees.card", "dates.change", "times.cutoff", "hours.office", "durations.refund",
             "emails.billing", "rates.late")
    steps = "".join(f"{i}. Step number {i} of a long procedure with a great many words in it: {{{{ {fact} }}}}.\n"
                    for i, fact in enumerate(facts, start=1))
    view, out = post(tmp_path, "Call {{ phone.main }} to pay by card.\n\n" + steps, social="true")
    text = out.files["billing/pay.txt"].decode().strip()
    assert weighted_length(text) <= 280 and text.endswith("https://riverton.gov/help/billing/pay/")
    [note] = out.notes
    assert note.code == "social-left-out" and note.severity == "warning"
    assert "leaves out" in note.message and "the steps from line 9" in note.message  # by line
    assert gate(view, out) == []


def test_a_short_answer_too_long_keeps_its_first_sentences_and_names_the_rest(tmp_path: Path) -> None:
    long = " ".join(["Our customer service team answers every question about bills and payments."] * 4)
    view, out = post(tmp_path, f"Call {{{{ phone.main }}}} to pay. {long}\n", social="true")
    text = out.files["billing/pay.txt"].decode().strip()
    assert text.startswith("Call 800-555-0100 to pay.") and weighted_length(text) <= 280
    assert [n.code for n in out.notes] == ["social-left-out"] and "Our customer service team" in out.notes[0].message


def test_a_changed_fee_in_a_post_is_caught(tmp_path: Path) -> None:
    view, out = post(tmp_path, BODY, social="true")
    drifted = out.files["billing/pay.txt"].replace(b"$2.50", b"$3.50")
    assert "invented-fact" in gate(view, out, drifted)
    dropped = out.files["billing/pay.txt"].replace(b"800-555-0100", b"us")
    assert "missing-fact" in gate(view, out, dropped)


def test_an_override_too_long_is_an_error_naming_the_overrun(tmp_path: Path) -> None:
    words = "Card payments cost {{ fees.card }}. " + "More words here. " * 20
    _, out = post(tmp_path, BODY, social=f'"{words.strip()}"')
    assert [n.code for n in out.notes] == ["social-left-out", "over-budget"]
    assert "the link" in out.notes[0].message and "over" in out.notes[1].message
