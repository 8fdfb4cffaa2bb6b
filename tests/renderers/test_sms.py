"""The SMS renderer: message shape, compact fact forms, encoding, segment budget, overrides, fact round trip."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import channels
from engine.facts import FactType, FactValue, find_facts, parse_value
from engine.model import FactMention, ListBlock, ListItem, Paragraph, Scoped, Text, walk_inlines
from engine.select import View
from renderers import AnswerRef, Rendered, Site, gsm, sms
from tests.kb import one_view, sample, site_of, views_of

CONFIG = sms.Config.model_validate(channels.raw("sms"))


def site_for(view: View) -> Site:
    ref = AnswerRef(view.id, view.answer.question, view.answer.topic, view.answer.hash)
    return Site("Riverton Public Utilities", "en-US", "https://riverton.gov/help", {view.id: ref})


def render(view: View, config: sms.Config = CONFIG) -> Rendered:
    return sms.render(view, config, site_for(view))


def text_of(rendered: Rendered) -> str:
    return rendered.files[rendered.primary].decode("utf-8")


def errors(rendered: Rendered) -> list[str]:
    return [note.message for note in rendered.notes if note.severity == "error"]


def expected_facts(view: View) -> list[FactValue]:
    """The facts the message must carry: the override's when there is one, else the short answer's and steps'."""
    if view.override is not None:
        nodes = walk_inlines((Paragraph(view.override.inlines, view.override.line),))
    else:
        nodes = walk_inlines((view.short_answer, *((view.steps,) if view.steps else ())))
    return [node.fact for node in nodes if isinstance(node, FactMention)]


def assert_facts_read_back(view: View, text: str) -> None:
    found = {(f.type, f.value.canonical) for f in find_facts(text) if f.value is not None}
    for fact in expected_facts(view):
        if fact.type is FactType.TEXT:
            assert gsm.normalise(fact.canonical) in text, (view.id, fact)
        else:
            assert (fact.type, fact.canonical) in found, (view.id, fact, text)


# ------------------------------------------------------------------------------------------ fixture cases


def test_short_answer_then_new_step_facts_then_the_link(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} to pay. A card payment costs {{ fees.card }}.\n\n"
                              "1. Have your bill ready.\n2. Call {{ phone.main }} and press 2.\n"
                              "3. Email {{ emails.billing }} for a receipt.\n", "sms")
    rendered = render(view)
    assert rendered.primary == "billing/pay.txt" and set(rendered.files) == {"billing/pay.txt"}
    assert text_of(rendered) == ("Call 800-555-0100 to pay. A card payment costs $2.50. "
                                 "Email billing@riverton.gov for a receipt. More: riverton.gov/help/billing/pay")
    assert rendered.metrics == {"encoding": "GSM-7", "segments": 1, "characters": 131, "override": False}
    assert rendered.notes == ()


def test_contact_facts_shrink_to_call_and_visit_when_the_whole_steps_do_not_fit(tmp_path: Path) -> None:
    filler = "We are here to help you with your account and your bill every day of the year. " * 2
    view = one_view(tmp_path, f"{filler}Ask us anything.\n\n"
                              "1. Pick up the phone, then call {{ phone.outage }} and wait for the tone to ask.\n"
                              "2. Or read the long guide that explains everything at {{ urls.pay }} today.\n", "sms")
    text = text_of(render(view))
    assert text.endswith("Ask us anything. Call 800-555-0199. Visit riverton.gov/pay. More: riverton.gov/help/billing/pay")
    assert render(view).metrics["segments"] == 2


def test_typography_is_normalised_and_the_message_stays_gsm7(tmp_path: Path) -> None:
    view = one_view(tmp_path, "It\u2019s \u201cfree\u201d \u2014 call\u00a0{{ phone.main }}\u2026\n", "sms")
    rendered = render(view)
    assert text_of(rendered).startswith("It's \"free\" - call 800-555-0100... More:")
    assert rendered.metrics["encoding"] == "GSM-7" and "ucs2_because" not in rendered.metrics


@pytest.mark.parametrize(("lead", "sent"), [
    ("Say \"Stop.\"", "Say \"Stop.\""), ("We are open", "We are open."), ("Really?", "Really?"),
    ("Wait\u2026", "Wait..."),
])
def test_the_short_answer_ends_as_a_sentence_before_the_link(tmp_path: Path, lead: str, sent: str) -> None:
    assert text_of(render(one_view(tmp_path, lead + "\n", "sms"))) == f"{sent} More: riverton.gov/help/billing/pay"


def test_a_character_outside_gsm_forces_ucs2_and_is_named(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call us \u260e at {{ phone.main }}, we\u2019re happy to help.\n", "sms")
    rendered = render(view)
    assert rendered.metrics["encoding"] == "UCS-2"
    assert rendered.metrics["ucs2_because"] == "\u260e U+260E"
    assert rendered.metrics["characters"] == len(text_of(rendered))
    warnings = [n for n in rendered.notes if n.code == "ucs2"]
    assert len(warnings) == 1 and warnings[0].severity == "warning" and "U+260E" in warnings[0].message


def test_an_emoji_counts_two_code_units(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Good news \U0001F600 we fixed it.\n", "sms")
    rendered = render(view)
    assert rendered.metrics["characters"] == len(text_of(rendered)) + 1
    assert rendered.metrics["ucs2_because"] == "\U0001F600 U+1F600"


def test_over_budget_is_an_error_with_the_numbers_and_a_hint(tmp_path: Path) -> None:
    # one long sentence: a message may cut the short answer after a sentence, not inside one
    body = "Our office is open for you, " * 12 + "call {{ phone.main }}.\n"
    rendered = render(one_view(tmp_path, body, "sms"))
    assert rendered.metrics["segments"] == 3
    [message] = errors(rendered)
    units = rendered.metrics["characters"]
    assert "sms" in message and "billing/pay" in message
    assert "3 segments" in message and f"{units} septets" in message
    assert "budget is 2 segments (306 septets)" in message and f"{units - 306} septets over" in message
    link = "More: riverton.gov/help/billing/pay"
    assert f"write an `sms:` override of at most 306 characters ({306 - len(link) - 1} to keep the link)" in message


def test_an_override_replaces_the_derived_text_and_gets_the_link_when_it_fits(tmp_path: Path) -> None:
    body = "Our office is open for you. " * 12 + "Call {{ phone.main }}.\n"
    view = one_view(tmp_path, body, "sms", sms='"Pay at {{ urls.pay }} or call {{ phone.main }}"')
    rendered = render(view)
    assert text_of(rendered) == "Pay at riverton.gov/pay or call 800-555-0100. More: riverton.gov/help/billing/pay"
    assert rendered.metrics["override"] is True and rendered.notes == ()


def test_the_link_is_left_off_an_override_it_would_push_over_budget(tmp_path: Path) -> None:
    override = "x" * 290
    view = one_view(tmp_path, "Short.\n", "sms", sms=f'"{override}"')
    rendered = render(view)
    assert text_of(rendered) == override + "."
    assert rendered.metrics["segments"] == 2 and errors(rendered) == []


def test_the_link_after_an_override_can_be_turned_off(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "sms", sms='"Hand written."')
    config = CONFIG.model_copy(update={"override_link": False})
    assert text_of(render(view, config)) == "Hand written."


def test_an_override_over_budget_is_an_error_too(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "sms", sms=f'"{"y" * 400}"')
    rendered = render(view)
    [message] = errors(rendered)
    assert "`sms:` override takes 3 segments" in message and "shorten the `sms:` override to at most 306" in message
    assert [n.line for n in rendered.notes] == [view.override.line]


def test_a_one_segment_budget(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} to pay. A card payment costs {{ fees.card }}.\n", "sms")
    config = CONFIG.model_copy(update={"budget_segments": 1})
    assert errors(render(view, config)) == []
    long_view = one_view(tmp_path / "b", "Call {{ phone.main }} to pay, " * 5 + "\n", "sms")
    [message] = errors(render(long_view, config))
    assert "budget is 1 segment (160 septets)" in message


def test_what_sms_cannot_carry_is_reported_not_dropped(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Pay ~~by cheque~~ online. ![Card logo](https://riverton.gov/card.png)\n", "sms")
    rendered = render(view)
    assert text_of(rendered).startswith("Pay by cheque online. Card logo.")
    assert {n.code for n in rendered.notes} == {"strikethrough", "image"}
    assert all(n.severity == "warning" and n.line == view.short_answer.line for n in rendered.notes)


def test_a_link_keeps_its_address(tmp_path: Path) -> None:
    view = one_view(tmp_path, "You can [pay online](https://riverton.gov/pay) or by phone.\n", "sms")
    assert text_of(render(view)).startswith("You can pay online (riverton.gov/pay) or by phone.")


def test_scoped_blocks_are_a_bug_and_unknown_nodes_an_error(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short {{ phone.main }}.\n\n1. Step {{ emails.billing }}.\n", "sms")
    scoped = Scoped("internal", frozenset(), (Paragraph((Text("x"),), 9),), 9)
    steps = ListBlock(True, 1, (ListItem((Paragraph((Text("Email "), *view.steps.items[0].blocks[0].inlines), 8),
                                          scoped), 8),), 8)
    with pytest.raises(ValueError, match="reached the renderer"):
        render(dataclasses.replace(view, steps=steps))
    strange = Paragraph((Text("a"), object()), 7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        render(dataclasses.replace(view, short_answer=strange))


def test_config_file_validates_and_unknown_keys_are_refused() -> None:
    assert CONFIG.budget_segments == 2 and CONFIG.description
    with pytest.raises(ValueError):
        sms.Config.model_validate({**channels.raw("sms"), "budget": 3})


# ------------------------------------------------------------------------------ the sample knowledge base


@pytest.fixture(scope="module")
def rendered_sample() -> list[tuple[View, Rendered]]:
    kb = sample()
    site = site_of(kb)
    return [(view, sms.render(view, CONFIG, site)) for view in views_of(kb, "sms")]


def test_every_sample_answer_fits_the_budget_with_no_error(rendered_sample: list[tuple[View, Rendered]]) -> None:
    assert len(rendered_sample) > 50
    for view, rendered in rendered_sample:
        assert errors(rendered) == [], view.id
        assert 1 <= rendered.metrics["segments"] <= CONFIG.budget_segments, view.id
        encoding, units, segments, _ = gsm.encode_info(text_of(rendered))
        assert (rendered.metrics["encoding"], rendered.metrics["characters"]) == (encoding, units)
        assert rendered.metrics["segments"] == segments


def test_sample_overrides_are_used(rendered_sample: list[tuple[View, Rendered]]) -> None:
    with_override = [(v, r) for v, r in rendered_sample if v.override is not None]
    assert len(with_override) >= 10
    for view, rendered in with_override:
        assert rendered.metrics["override"] is True
    by_id = {view.id: rendered for view, rendered in rendered_sample}
    assert text_of(by_id["billing/pay-by-phone"]) == (
        "Pay by phone any time at 800-555-0142. Card fee $2.50, bank account free. Have your account number "
        "ready. More: riverton.gov/help/billing/pay-by-phone")


def test_sample_facts_read_back_from_the_message(rendered_sample: list[tuple[View, Rendered]]) -> None:
    for view, rendered in rendered_sample:
        assert_facts_read_back(view, text_of(rendered))


def test_rendering_is_deterministic(rendered_sample: list[tuple[View, Rendered]]) -> None:
    site = site_of(sample())
    for view, rendered in rendered_sample:
        assert sms.render(view, CONFIG, site) == rendered


def test_a_step_sent_from_a_conditional_procedure_says_what_it_is_for(tmp_path: Path) -> None:
    body = ("It depends on whether you can still sign in.\n\n## If you can still sign in\n\n"
            "1. Sign in at {{ urls.pay }}.\n2. Choose a new password.\n")
    text = text_of(render(one_view(tmp_path, body, "sms")))
    assert text.startswith("It depends on whether you can still sign in. If you can still sign in: Sign in at "
                           "riverton.gov/pay.")


def test_a_short_answer_too_long_for_the_budget_is_cut_after_a_sentence(tmp_path: Path) -> None:
    body = "Our office is open for you. " * 12 + "Call {{ phone.main }}.\n"
    rendered = render(one_view(tmp_path, body, "sms"))
    assert errors(rendered) == [] and rendered.metrics["segments"] <= 2
    assert text_of(rendered).endswith("Our office is open for you. More: riverton.gov/help/billing/pay")
    [cut] = [n for n in rendered.notes if n.code == "short-answer-cut"]
    assert cut.severity == "warning" and "13 sentences" in cut.message
