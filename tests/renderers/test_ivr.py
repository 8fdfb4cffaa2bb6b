"""The IVR renderer: valid SSML 1.1 a real engine speaks, spoken facts, profiles, budgets and escaping."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

import channels
from engine.facts import FactType, find_facts
from engine.model import FactMention, Paragraph, Scoped, Text, walk_inlines
from engine.select import View
from renderers import Rendered, Site, ivr
from tests.kb import one_view, sample, site_of, views_of

SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "schemas" / "ssml11" / "synthesis.xsd"
NS = "{http://www.w3.org/2001/10/synthesis}"
SITE = Site("Riverton Public Utilities", "en-US", "https://riverton.gov/help", {})
ALL_FACTS = (
    "Call {{ phone.main }}. The fee is {{ fees.card }}. Rates change on {{ dates.change }}. Pay by "
    "{{ times.cutoff }}. We are open {{ hours.office }}. Refunds take {{ durations.refund }}. Pay at "
    "{{ urls.pay }} or write to {{ emails.billing }}. The late rate is {{ rates.late }}. Visit us at "
    "{{ places.office }}.\n"
)


def config(**changes: Any) -> ivr.Config:
    return ivr.Config.model_validate({**channels.raw("ivr"), **changes})


@lru_cache(maxsize=None)
def sample_outputs(profile: str = "generic") -> tuple[tuple[View, Rendered], ...]:
    kb = sample()
    site = site_of(kb)
    return tuple((view, ivr.render(view, config(profile=profile), site)) for view in views_of(kb, "ivr"))


def ssml_of(rendered: Rendered) -> bytes:
    return rendered.files[rendered.primary]


def transcript_of(rendered: Rendered) -> str:
    return rendered.files[rendered.primary.removesuffix(".ssml") + ".txt"].decode("utf-8")


def written_text(ssml: bytes) -> str:
    """The SSML's text content: plain text plus the written forms inside `sub` and `say-as`."""
    return "".join(ET.fromstring(ssml).itertext())


def tags(ssml: bytes) -> list[ET.Element]:
    return list(ET.fromstring(ssml).iter())


@pytest.fixture(scope="module")
def schema() -> Any:
    xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is needed to validate SSML")
    if not SCHEMA.exists():
        pytest.skip(f"the W3C SSML 1.1 schema is not at {SCHEMA} (the `shared` folder beside the repository)")
    return xmlschema.XMLSchema(str(SCHEMA))


# ------------------------------------------------------------------------------------------------ config


def test_the_channel_file_validates_with_the_config_model() -> None:
    cfg = ivr.Config.model_validate(channels.raw("ivr"))
    assert cfg.internal is False and cfg.description
    assert cfg.profile in ivr.PROFILES
    with pytest.raises(ValueError):
        ivr.Config.model_validate({**channels.raw("ivr"), "profile": "espeak"})
    with pytest.raises(ValueError):
        ivr.Config.model_validate({**channels.raw("ivr"), "budget": 30})


# -------------------------------------------------------------------------------------------- hand-worked


def test_a_small_answer_renders_exactly(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} to pay {{ fees.card }}.\n\n1. Have your bill.\n2. Call us.\n",
                    "ivr")
    rendered = ivr.render(view, config(), SITE)
    assert rendered.primary == "billing/pay.ssml"
    assert set(rendered.files) == {"billing/pay.ssml", "billing/pay.txt"}
    assert ssml_of(rendered).decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!-- ivr billing/pay {view.answer.hash} -->\n"
        '<speak version="1.1" xmlns="http://www.w3.org/2001/10/synthesis" xml:lang="en-US">\n'
        '<p>Call <say-as interpret-as="telephone">800-555-0100</say-as> to pay '
        '<sub alias="2 dollars and 50 cents">$2.50</sub>.</p>\n'
        "<p>\n<s>First, have your bill.</s>\n<s>Finally, call us.</s>\n</p>\n"
        "</speak>\n"
    )
    assert transcript_of(rendered) == (
        "Call 800-555-0100 to pay $2.50.\n\nFirst, have your bill.\nFinally, call us.\n")
    # 1 + 10 phone digits + 2 + 5 alias words, then 4 and 3: 25 words at 150 a minute
    assert rendered.metrics == {"seconds": 10.0, "words": 25}
    assert rendered.notes == ()


def test_every_fact_type_is_spoken_unambiguously_and_written_for_the_csr(tmp_path: Path) -> None:
    rendered = ivr.render(one_view(tmp_path, ALL_FACTS, "ivr"), config(), SITE)
    ssml = ssml_of(rendered).decode()
    for fragment in (
        '<say-as interpret-as="telephone">800-555-0100</say-as>',
        '<sub alias="2 dollars and 50 cents">$2.50</sub>',
        '<say-as interpret-as="date" format="ymd">2027-01-01</say-as>',
        '<say-as interpret-as="time" format="hms12">5 pm</say-as>',
        'Monday to Friday, <say-as interpret-as="time" format="hms12">8 am</say-as> to '
        '<say-as interpret-as="time" format="hms12">5 pm</say-as>',
        "10 business days",
        '<sub alias="riverton dot gov slash pay">riverton.gov/pay</sub>',
        '<sub alias="billing at riverton dot gov">billing@riverton.gov</sub>',
        '<sub alias="1.5 percent">1.5%</sub>',
        "100 Main Street, Riverton",
    ):
        assert fragment in ssml
    assert transcript_of(rendered) == (
        "Call 800-555-0100. The fee is $2.50. Rates change on January 1, 2027. Pay by 5 pm. We are open "
        "Monday to Friday, 8 am to 5 pm. Refunds take 10 business days. Pay at riverton.gov/pay or write to "
        "billing@riverton.gov. The late rate is 1.5%. Visit us at 100 Main Street, Riverton.\n")


@pytest.mark.parametrize(("steps", "expected"), [
    (["Sign in."], ["Sign in."]),
    (["Sign in.", "Pay."], ["First, sign in.", "Finally, pay."]),
    (["Sign in.", "Choose Pay.", "Confirm."], ["First, sign in.", "Next, choose Pay.", "Finally, confirm."]),
    (["Sign in", "Open Profile", "Edit it", "Save"],
     ["First, sign in.", "Next, open Profile.", "Next, edit it.", "Finally, save."]),
])
def test_steps_read_first_next_finally(tmp_path: Path, steps: list[str], expected: list[str]) -> None:
    body = "Update your details online.\n\n" + "".join(f"{n}. {text}\n" for n, text in enumerate(steps, 1))
    rendered = ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE)
    assert transcript_of(rendered) == "Update your details online.\n\n" + "\n".join(expected) + "\n"
    spoken = [s.text for s in ET.fromstring(ssml_of(rendered)).iter(f"{NS}s")]
    assert spoken == (expected if len(expected) > 1 else [])


def test_names_keep_their_capital_after_first(tmp_path: Path) -> None:
    body = ("Ask Riverton Community Action for help.\n\n1. Riverton Community Action checks your income.\n"
            "2. Send the form.\n")
    text = transcript_of(ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE))
    assert "First, Riverton Community Action checks your income." in text
    assert "Finally, send the form." in text


def test_short_answer_comes_first_then_steps_then_detail(tmp_path: Path) -> None:
    body = "Detail-free short answer.\n\n1. Do this.\n2. Then that.\n\nA later paragraph.\n\n- A bullet\n"
    text = transcript_of(ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE))
    assert text == ("Detail-free short answer.\n\nFirst, do this.\nFinally, then that.\n\nA later paragraph.\n\n"
                    "A bullet.\n")


def test_a_numbered_list_nothing_introduces_stays_where_it_is(tmp_path: Path) -> None:
    body = "Detail-free short answer.\n\nA later paragraph.\n\n1. Do this.\n2. Then that.\n\n- A bullet\n"
    text = transcript_of(ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE))
    assert text == ("Detail-free short answer.\n\nA later paragraph.\n\nFirst, do this.\nFinally, then that.\n\n"
                    "A bullet.\n")


def test_steps_under_a_heading_are_spoken_after_what_they_are_for(tmp_path: Path) -> None:
    body = ("You can reset it yourself.\n\n## If you can still sign in\n\n1. Open settings.\n2. Choose a new one.\n\n"
            "## If you cannot sign in\n\nCall us.\n")
    text = transcript_of(ivr.render(one_view(tmp_path, body, "ivr"), config(headings="pause"), SITE))
    assert text.startswith("You can reset it yourself.\n\nIf you can still sign in.\n\nFirst, open settings.\n"
                           "Finally, choose a new one.\n")


def test_links_speak_their_text_and_their_address_once(tmp_path: Path) -> None:
    body = ("You can [pay online](https://riverton.gov/pay) or [email us](mailto:billing@riverton.gov). "
            "See [riverton.gov/pay](https://riverton.gov/pay).\n")
    rendered = ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE)
    assert transcript_of(rendered) == ("You can pay online at riverton.gov/pay or email us at billing@riverton.gov. "
                                       "See riverton.gov/pay.\n")
    assert "[" not in ssml_of(rendered).decode() and "](" not in ssml_of(rendered).decode()


def test_headings_are_spoken_as_sentences_or_become_a_pause(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short answer.\n\n## While you wait\n\nKeep the fridge **closed**.\n", "ivr")
    spoken = ivr.render(view, config(), SITE)
    assert transcript_of(spoken) == "Short answer.\n\nWhile you wait.\n\nKeep the fridge closed.\n"
    paused = ivr.render(view, config(headings="pause", pause_ms=700), SITE)
    assert transcript_of(paused) == "Short answer.\n\nKeep the fridge closed.\n"
    breaks = [e.get("time") for e in tags(ssml_of(paused)) if e.tag == f"{NS}break"]
    assert breaks == ["700ms"]
    assert paused.metrics["seconds"] == pytest.approx(round(6 * 60 / 150 + 0.7, 1))


def test_unspeakable_blocks_point_to_the_web_page_with_a_note(tmp_path: Path, schema: Any) -> None:
    body = ("Short answer.\n\n| Fee | Amount |\n| --- | --- |\n| Card | {{ fees.card }} |\n\n"
            "```\nACCOUNT-123\n```\n\nSee the map ![outage map](https://riverton.gov/map.png) for details.\n")
    view = one_view(tmp_path, body, "ivr")
    rendered = ivr.render(view, config(), SITE)
    pointer = "is on our website at riverton.gov/help/billing/pay."
    assert transcript_of(rendered) == (f"Short answer.\n\nThe full table {pointer}\n\nThe full example {pointer}\n\n"
                                       f"See the map for details.\nThe picture {pointer}\n")
    assert '<sub alias="riverton dot gov slash help slash billing slash pay">' in ssml_of(rendered).decode()
    lines = sorted(block.line for block in view.detail)
    assert [(n.code, n.severity, n.line) for n in rendered.notes] == [("unspeakable", "warning", n) for n in lines]
    assert "ACCOUNT-123" not in ssml_of(rendered).decode() and "|" not in transcript_of(rendered)
    schema.validate(ssml_of(rendered).decode())


def test_a_scoped_block_or_an_unknown_node_is_a_bug(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short answer.\n\nMore.\n", "ivr")
    scoped = dataclasses.replace(view, detail=(Scoped("internal", frozenset(), (), 3),))
    with pytest.raises(TypeError, match="internal"):
        ivr.render(scoped, config(), SITE)

    @dataclasses.dataclass(frozen=True)
    class Alien:
        text: str

    alien = dataclasses.replace(view, short_answer=Paragraph((Alien("x"),), 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Alien"):
        ivr.render(alien, config(), SITE)


def test_the_override_replaces_the_derived_speech(tmp_path: Path) -> None:
    view = one_view(tmp_path, "A long derived answer.\n\n1. One.\n2. Two.\n", "ivr",
                    ivr='"Press 1 to pay {{ fees.card }} now"')
    rendered = ivr.render(view, config(), SITE)
    assert transcript_of(rendered) == "Press 1 to pay $2.50 now.\n"
    assert rendered.metrics["override"] is True
    assert "derived" not in ssml_of(rendered).decode()


# -------------------------------------------------------------------------------------------- escaping

HOSTILE = "Tom & Jerry's \"deal\" < 3 > 2 </speak> <break time='9s'/> ]]> -- <!-- x -->"


def test_hostile_text_stays_text(tmp_path: Path, schema: Any) -> None:
    view = one_view(tmp_path, "Short answer.\n\nMore.\n", "ivr")
    answer = dataclasses.replace(view.answer, id="billing/a--b-", hash="h--x-")
    hostile = dataclasses.replace(view, answer=answer, short_answer=Paragraph((Text(HOSTILE + "\x00\x1b"),), 1))
    rendered = ivr.render(hostile, config(), SITE)
    ssml = ssml_of(rendered)
    schema.validate(ssml.decode())
    root = ET.fromstring(ssml)
    assert [e.tag for e in root.iter()] == [f"{NS}speak", f"{NS}p", f"{NS}p"]
    assert HOSTILE in written_text(ssml)
    assert HOSTILE in transcript_of(rendered)
    head = ssml.decode().split("\n")[1]
    assert head.startswith("<!-- ") and head.endswith(" -->") and "--" not in head[4:-3]


def test_markdown_escapes_in_an_answer_file_reach_the_caller_as_text(tmp_path: Path, schema: Any) -> None:
    body = "AT&T users: type `</speak>` or \\<break/\\> and ]]> -- it's \"fine\".\n"
    rendered = ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE)
    schema.validate(ssml_of(rendered).decode())
    expected = "AT&T users: type </speak> or <break/> and ]]> -- it's \"fine\"."
    assert written_text(ssml_of(rendered)).strip() == expected
    assert transcript_of(rendered) == expected + "\n"


def test_our_own_words_never_say_click(tmp_path: Path) -> None:
    body = ("Short answer.\n\n1. Open [the form](https://riverton.gov/pay).\n2. Send it.\n\n| a |\n| - |\n| b |\n\n"
            "```\ncode\n```\n\n![map](https://riverton.gov/m.png)\n")
    rendered = ivr.render(one_view(tmp_path, body, "ivr"), config(), SITE)
    for data in rendered.files.values():
        assert "click" not in data.decode().lower() and "tap" not in data.decode().lower()
    for view, out in sample_outputs():
        override = (Paragraph(view.override.inlines, 0),) if view.override else ()
        source = " ".join(n.text for n in walk_inlines((*view.blocks, *override)) if isinstance(n, Text)).lower()
        for word in ("click", "tap"):
            assert word not in transcript_of(out).lower() or word in source


# ------------------------------------------------------------------------------------------- profiles


def _spoken_tags(ssml: bytes) -> tuple[set[str], set[str]]:
    elements = {e.tag.removeprefix(NS) for e in tags(ssml)} - {"speak"}
    interpret = {e.get("interpret-as", "") for e in tags(ssml) if e.tag == f"{NS}say-as"}
    return elements, interpret


@pytest.mark.parametrize("profile", sorted(ivr.PROFILES))
def test_each_profile_uses_only_what_its_engine_accepts(tmp_path: Path, schema: Any, profile: str) -> None:
    allowed = ivr.PROFILES[profile]
    outputs = [ssml_of(out) for _, out in sample_outputs(profile)]
    outputs.append(ssml_of(ivr.render(one_view(tmp_path, ALL_FACTS, "ivr"), config(profile=profile), SITE)))
    for ssml in outputs:
        elements, interpret = _spoken_tags(ssml)
        assert elements <= allowed.elements and interpret <= allowed.say_as
    schema.validate(outputs[-1].decode())


def test_polly_hears_times_as_plain_text(tmp_path: Path) -> None:
    rendered = ivr.render(one_view(tmp_path, ALL_FACTS, "ivr"), config(profile="polly"), SITE)
    assert "time" not in _spoken_tags(ssml_of(rendered))[1]
    assert "Pay by 5 pm." in written_text(ssml_of(rendered))


def test_google_dates_use_its_format(tmp_path: Path) -> None:
    rendered = ivr.render(one_view(tmp_path, ALL_FACTS, "ivr"), config(profile="google"), SITE)
    assert '<say-as interpret-as="date" format="yyyymmdd">2027-01-01</say-as>' in ssml_of(rendered).decode()


def test_a_profile_without_a_tag_falls_back_to_plain_text(tmp_path: Path, schema: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    view = one_view(tmp_path, ALL_FACTS, "ivr")
    monkeypatch.setitem(ivr.PROFILES, "generic", ivr.Profile(frozenset({"p", "s", "break", "sub", "say-as"}),
                                                             frozenset({"telephone", "time"}), "ymd"))
    no_date = ssml_of(ivr.render(view, config(), SITE))
    assert "date" not in _spoken_tags(no_date)[1]
    assert "Rates change on January 1, 2027." in written_text(no_date)
    monkeypatch.setitem(ivr.PROFILES, "generic", ivr.Profile(frozenset(), frozenset(), "ymd"))
    bare = ivr.render(view, config(), SITE)
    assert [e.tag for e in tags(ssml_of(bare))] == [f"{NS}speak"]
    schema.validate(ssml_of(bare).decode())
    assert written_text(ssml_of(bare)).strip() == transcript_of(bare).strip()


# -------------------------------------------------------------------------------------------- budgets


def test_a_long_answer_is_over_budget_with_the_overrun(tmp_path: Path) -> None:
    body = "Short answer.\n\n" + "".join(f"Paragraph {n} says a few more words about your bill.\n\n"
                                         for n in range(1, 21))
    rendered = ivr.render(one_view(tmp_path, body, "ivr"), config(detail="all"), SITE)  # every detail block spoken
    seconds = float(rendered.metrics["seconds"])
    assert seconds > 45
    [note] = [n for n in rendered.notes if n.severity == "error"]
    assert note.code == "over-budget"
    assert "ivr" in note.message and "45 s budget" in note.message
    assert f"{seconds:.1f} s" in note.message and f"by {seconds - 45:.1f} s" in note.message
    assert "`ivr:`" in note.message and "::: except ivr" in note.message
    assert not [n for n in ivr.render(one_view(tmp_path / "b", body, "ivr"), config(budget_seconds=120, detail="all"),
                                      SITE).notes if n.code == "over-budget"]
    fitted = ivr.render(one_view(tmp_path / "c", body, "ivr"), config(), SITE)  # the default: detail while it fits
    assert float(fitted.metrics["seconds"]) <= 45 and [n.code for n in fitted.notes] == ["detail-left-out"]


def test_an_override_is_checked_against_the_budget_too(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "ivr", ivr='"' + "Please listen to this message. " * 30 + '"')
    rendered = ivr.render(view, config(), SITE)
    [note] = rendered.notes
    assert note.code == "over-budget" and note.line is not None and "shorten the `ivr:` text" in note.message


def test_speech_is_timed_at_the_configured_rate(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} on {{ dates.change }} at 7:30 pm.\n", "ivr")
    # 1 + 10 digits + 1 + 4 for a date + 1 + 3 for "seven thirty pm"
    assert ivr.render(view, config(), SITE).metrics["words"] == 20
    assert ivr.render(view, config(words_per_minute=100), SITE).metrics["seconds"] == 12.0
    assert [ivr.number_words(n) for n in (0, 7, 15, 40, 25, 155, 2000, 2500)] == [1, 1, 1, 1, 2, 4, 2, 4]


# ------------------------------------------------------------------------------------ the sample KB


def test_every_sample_answer_is_valid_ssml(schema: Any) -> None:
    outputs = sample_outputs()
    assert len(outputs) > 40
    for view, rendered in outputs:
        schema.validate(ssml_of(rendered).decode())
        root = ET.fromstring(ssml_of(rendered))
        lang = view.answer.language or "en-US"  # a translation speaks its own language
        assert root.get("version") == "1.1" and root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        assert ssml_of(rendered).startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- ivr ' + view.id.encode())
        assert ssml_of(rendered).endswith(b"</speak>\n")


def test_the_validator_can_fail(schema: Any) -> None:
    good = ssml_of(sample_outputs()[0][1]).decode()
    assert schema.is_valid(good)
    assert not schema.is_valid(good.replace("<p>", "<paragraph>", 1).replace("</p>", "</paragraph>", 1))
    assert not schema.is_valid(good.replace(' version="1.1"', ""))


def test_every_sample_answer_is_within_budget_with_no_errors() -> None:
    for view, rendered in sample_outputs():
        assert 0 < float(rendered.metrics["seconds"]) <= 45, view.id
        assert not [n for n in rendered.notes if n.severity == "error"], view.id
        assert rendered.metrics["words"] > 0


def test_rendering_is_deterministic() -> None:
    kb = sample()
    site = site_of(kb)
    first = {view.id: dict(out.files) for view, out in sample_outputs()}
    again = {view.id: dict(ivr.render(view, config(), site).files) for view in views_of(kb, "ivr")}
    assert first == again


def _expected_facts(view: View) -> list[FactMention]:
    if view.override is not None:
        inlines = walk_inlines((Paragraph(view.override.inlines, view.override.line),))
    else:
        inlines = walk_inlines((view.short_answer, *((view.steps,) if view.steps else ())))
    return [node for node in inlines if isinstance(node, FactMention)]


def _recovers(text: str, mentions: list[FactMention]) -> list[str]:
    found = {(f.type, f.value.canonical) for f in find_facts(text) if f.value is not None}
    missing = []
    for mention in mentions:
        fact = mention.fact
        ok = fact.canonical in text if fact.type is FactType.TEXT else (fact.type, fact.canonical) in found
        if not ok:
            missing.append(f"{fact.type.value} {fact.canonical}")
    return missing


@pytest.mark.parametrize("profile", sorted(ivr.PROFILES))
def test_facts_come_back_from_the_transcript_and_the_ssml(profile: str) -> None:
    checked = 0
    for view, rendered in sample_outputs(profile):
        mentions = _expected_facts(view)
        checked += len(mentions)
        assert _recovers(transcript_of(rendered), mentions) == [], view.id
        assert _recovers(written_text(ssml_of(rendered)), mentions) == [], view.id
    assert checked > 50


def test_every_fact_type_comes_back(tmp_path: Path) -> None:
    view = one_view(tmp_path, ALL_FACTS, "ivr")
    mentions = _expected_facts(view)
    assert {m.fact.type for m in mentions} == set(FactType)
    for profile in ivr.PROFILES:
        rendered = ivr.render(view, config(profile=profile), SITE)
        assert _recovers(transcript_of(rendered), mentions) == []
        assert _recovers(written_text(ssml_of(rendered)), mentions) == []


def test_a_real_engine_speaks_every_sample_answer(tmp_path: Path) -> None:
    engine = shutil.which("espeak-ng")
    if engine is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng); CI installs it")
    jobs = []
    for n, (view, rendered) in enumerate(sample_outputs()):
        source, wav = tmp_path / f"{n}.ssml", tmp_path / f"{n}.wav"
        source.write_bytes(ssml_of(rendered))
        command = [engine, "-m", "-v", "en-us", "-w", str(wav), "-f", str(source)]
        jobs.append((view.id, wav, subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    for answer_id, wav, process in jobs:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, (answer_id, err)
        data = wav.read_bytes()
        assert data[:4] == b"RIFF" and len(data) > 10_000, answer_id
