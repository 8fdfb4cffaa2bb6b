"""Regressions from the real corpora (tests/fixtures/corpus_*): each class of failure there, as a minimal
excerpt of the text that showed it. Every channel is rendered and gated as `build` does."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import channels as channel_registry
from engine.compile import load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.knowledge import load
from tests.kb import write_kb

AS_OF = date(2026, 12, 5)
SETTINGS = "name: Example Agency\nregion: US\ncurrency: USD\nlanguage: {language}\n" \
           "channels:\n  web:\n    base_url: https://www.example.gov\n"


def _answer(question: str, body: str) -> str:
    return f"---\nquestion: {question}\nowner: web-team\nreviewed: 2026-12-01\n---\n{body}\n"


def outputs(tmp_path: Path, body: str, language: str = "en-US") -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """One answer rendered on every channel: its texts (SSML for the IVR) and every (severity, code, message)
    that a renderer noted or the gate found."""
    root = write_kb(tmp_path / "kb", {"topic/answer": _answer("What to do?", body)}, facts="{}\n")
    (root / "_settings.yaml").write_text(SETTINGS.format(language=language), encoding="utf-8")
    report = Report()
    names = channel_registry.names()
    kb = load(root, report, as_of=AS_OF, channels=names)
    assert not report.has_errors(), [d.text() for d in report.errors]
    work = plan(kb, load_channels(names, report, settings=kb.settings), AS_OF)
    done = render_answer(kb.answers[0], work)
    texts = {name: rendered.files[rendered.primary].decode("utf-8") for name, rendered in done.outputs}
    texts["ivr.txt"] = next(r.files[p].decode() for n, r in done.outputs if n == "ivr" for p in r.files
                            if p.endswith(".txt"))
    found = [(note.severity, note.code, note.message) for _, r in done.outputs for note in r.notes]
    found += [(problem.severity, problem.code, problem.message) for problem in done.problems]
    return texts, found


def errors(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [item for item in found if item[0] == "error"]


def codes(found: list[tuple[str, str, str]]) -> set[str]:
    return {code for _, code, _ in found}


# ------------------------------------------------------------ a site's name written in prose, not a link


def test_a_site_name_in_prose_is_kept_as_written_on_every_channel(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "IdentityTheft.gov is the government’s site for reporting identity theft. "
                                     "Visit USA.gov’s help pages to learn more.")
    assert not errors(found)
    for channel in ("web", "chat", "sms", "ivr.txt", "mobile"):
        assert "IdentityTheft.gov" in texts[channel], channel
        assert "identitytheft.gov" not in texts[channel], channel
        assert "USA.gov’s" in texts[channel] or "USA.gov's" in texts[channel], channel
    assert 'href="https://identitytheft.gov' not in texts["web"]  # no link without a scheme
    assert 'alias="IdentityTheft dot gov"' in texts["ivr"]


def test_a_link_whose_text_is_its_site_is_not_said_twice(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "Report identity theft online at "
                                     "[IdentityTheft.gov](https://www.identitytheft.gov) or by phone.")
    assert not errors(found)
    assert texts["ivr.txt"].count("dentity") == 2  # "identity theft" and the site, not the site twice
    assert "www.identitytheft.gov" not in texts["ivr.txt"]


# --------------------------------------------------------------------- web addresses the IVR speaks


def test_a_link_with_a_long_path_is_spoken_as_its_text(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "Check with the [Department of State for travel advisories]"
                                     "(https://travel.state.gov/content/travel/en/traveladvisories.html) "
                                     "before you go.")
    assert not errors(found)
    assert "slash" not in texts["ivr"]
    assert "travel.state.gov" not in texts["ivr.txt"]
    assert "Department of State for travel advisories" in texts["ivr.txt"]
    assert "travel.state.gov/content" in texts["web"]  # the other channels keep the link


def test_a_short_address_is_still_spoken(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "Use the [Where's My Refund tool](https://www.irs.gov/refunds) to check.")
    assert not errors(found)
    assert "irs dot gov slash refunds" in texts["ivr"]


# ---------------------------------------------------------------------- long answers degrade, in steps


LONG_LEAD = ("Ticket selling scams happen when a scammer uses tickets as bait to steal your money. The scammer "
             "usually sells fake tickets, or you pay for a ticket, but never receive it. They are common when "
             "tickets for popular concerts, plays, and sporting events sell out, and at the [big games]"
             "(https://www.example.gov/games) of the season.")


def test_an_sms_cuts_a_long_short_answer_at_a_sentence_and_warns(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, LONG_LEAD)
    assert not errors(found)
    assert "short-answer-cut" in codes(found)
    assert texts["sms"].startswith("Ticket selling scams happen")
    assert "They are common" not in texts["sms"]
    assert "More: www.example.gov/topic/answer" in texts["sms"]


def test_a_chinese_short_answer_is_cut_at_a_chinese_full_stop_and_counted_as_ucs2(tmp_path: Path) -> None:
    body = ("當您登記投票時，您將收到一張選民登記卡。此卡確認您已登記並準備好投票。您的選民登記卡通常包括您的姓名、"
            "家庭住址以及您將投票的投票站地址。您可以使用您所在州的選民登記線上查詢工具來查詢您的選民登記。"
            "如果您的姓名或地址發生改變，您將需要更新您的選民登記。")
    texts, found = outputs(tmp_path, body, language="zh-TW")
    assert not errors(found)
    assert "short-answer-cut" in codes(found) and "ucs2" in codes(found)
    assert texts["sms"].startswith("當您登記投票時，您將收到一張選民登記卡。")
    assert "您可以使用" not in texts["sms"]


def test_an_address_glued_to_chinese_text_ends_where_the_chinese_starts(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "請拜訪https://vote.gov/zh以便登記投票。", language="zh-TW")
    assert not errors(found), found
    assert "vote.gov/zh以便" in texts["sms"] or "vote.gov/zh 以便" in texts["sms"]
    assert 'href="https://vote.gov/zh"' in texts["web"]


STEPS = """To check the status of your refund:

1. Contact the agency that sent the notice and ask which office handles the debt that was taken from your refund this year.
2. Gather the letters, notices and statements you received about the debt, and the tax return the refund came from.
3. Ask the office to send you a written statement of the amount it received and of what you still owe, if anything.
4. If the office cannot help, write to the program's central office, giving your name, address and the notice number.
5. Keep copies of everything you send and receive, and a note of every call: whom you spoke to, when, and what was said.
6. If nothing is resolved within sixty days, contact your state's consumer protection office for more help with the matter.
"""


def test_steps_that_do_not_fit_are_left_to_the_full_answer_with_a_warning(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "If money was taken from your tax refund to pay a debt, you can find out why "
                                     "and get help.\n\n" + STEPS)
    assert not errors(found), errors(found)
    assert "steps-left-out" in codes(found)
    assert "sixty days" not in texts["ivr.txt"]
    assert "www.example.gov" in texts["ivr.txt"]  # the caller hears where the steps are


def test_a_lead_in_never_dangles_when_its_list_is_left_out(tmp_path: Path) -> None:
    body = ("Banking scams involve attempts to access your bank account.\n\n## Popular banking scams\n\n"
            "The most common banking scams include:\n\n"
            + "".join(f"- A long description of banking scam number {n} that takes a while to say aloud, and "
                      f"then some more words about it so that it does not fit.\n" for n in range(1, 9)))
    texts, found = outputs(tmp_path, body)
    assert not errors(found)
    assert "include." not in texts["ivr.txt"]


def test_a_chinese_sentence_is_spoken_with_one_chinese_full_stop(tmp_path: Path) -> None:
    texts, found = outputs(tmp_path, "除北達科他州外，所有州都要求您在選舉投票前進行登記。\n\n## 歷史\n\n"
                                     "Vote.gov 成立於 2016 年。", language="zh-TW")
    assert not errors(found)
    assert "。." not in texts["ivr.txt"]
    assert "歷史." not in texts["ivr.txt"]
    assert "Vote.gov" in texts["ivr.txt"]
    assert "。." not in texts["sms"]


def test_a_lead_in_short_answer_never_ends_an_sms_with_a_colon_and_a_stop(tmp_path: Path) -> None:
    body = ("Tax ID theft occurs when someone uses your Social Security number to file taxes and claim a tax "
            "refund. You may not know that your tax ID has been stolen until you:\n\n"
            "- E-file your tax return and find that another return has already been filed using your Social "
            "Security number, or\n- The agency sends a letter to the address on the federal tax return "
            "indicating that tax ID theft has occurred.\n\n" + STEPS)
    texts, found = outputs(tmp_path, body)
    assert not errors(found), errors(found)
    assert ":." not in texts["sms"]
    assert "until you: www.example.gov/topic/answer" in texts["sms"]
    assert "The full list is on our website" in texts["ivr.txt"]


def test_the_gate_still_sees_a_fact_dropped_from_the_part_an_sms_keeps(tmp_path: Path) -> None:
    from engine.consistency import check_output, line_tokens, InternalIndex
    from engine.readers import read
    from engine.select import view

    body = ("Call 800-555-0100 to report a ticket scam. " + LONG_LEAD)
    root = write_kb(tmp_path / "kb", {"topic/answer": _answer("What to do?", body)}, facts="{}\n")
    (root / "_settings.yaml").write_text(SETTINGS.format(language="en-US"), encoding="utf-8")
    report = Report()
    kb = load(root, report, as_of=AS_OF, channels=channel_registry.names())
    work = plan(kb, load_channels(channel_registry.names(), report, settings=kb.settings), AS_OF)
    answer = kb.answers[0]
    sms = dict(render_answer(answer, work).outputs)["sms"]
    text = sms.files[sms.primary].decode()
    assert "800-555-0100" in text and "short-answer-cut" in {n.code for n in sms.notes}
    sms_view = view(answer, "sms", False, work.published["sms"])

    def problems(message: str) -> set[str]:
        reading = read(sms.primary, message.encode(), work.site.locale)
        return {p.code for p in check_output(sms_view, reading, work.site.base_url, InternalIndex(),
                                             work.site.locale, line_tokens(reading, work.site.locale),
                                             {note.code for note in sms.notes})}

    assert problems(text) == set()
    assert "missing-fact" in problems(text.replace("800-555-0100", ""))
    # without the renderer's word that it cut the message, the facts it cut are missing
    assert "missing-fact" in {p.code for p in check_output(
        sms_view, read(sms.primary, text.encode(), work.site.locale), work.site.base_url, InternalIndex(),
        work.site.locale)}
