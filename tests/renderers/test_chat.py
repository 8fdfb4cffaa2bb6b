"""The chat renderer: snippet shape, Markdown escaping, budget, overrides, quick replies, fact round trip."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

import channels
from engine.facts import FactType, FactValue, find_facts, parse_value
from engine.model import (
    Code, Emphasis, FactMention, Link, ListBlock, ListItem, Paragraph, Scoped, Strong, Table, Text, walk_inlines,
)
from engine.select import View
from renderers import AnswerRef, Rendered, Site, chat
from tests.kb import one_view, sample, site_of, views_of

CONFIG = chat.Config.model_validate(channels.raw("chat"))
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    "*bold* **strong** _it_ __it__ ~~gone~~ `code` ``more``",
    "[click](https://evil.example) ![img](https://evil.example/x.png) <https://evil.example>",
    "<script>alert('x')</script> <b onclick=\"x\">hi</b> &lt;i&gt; &amp; &copy; &#60;",
    "| a | b |\\ back\\slash \\* {curly} (parens) a_b_c 2*3*4",
    "# heading",
    "- bullet",
    "+ plus",
    "> quote",
    "1. numbered",
    "2) numbered",
    "===",
    "---",
    "***",
    "    indented code",
    "```fence",
    "<!-- comment -->",
    "hard break\\",
]


def site_for(view: View, *others: tuple[str, str]) -> Site:
    refs = {view.id: AnswerRef(view.id, view.answer.question, view.answer.topic, view.answer.hash)}
    refs.update({rid: AnswerRef(rid, question, rid.split("/")[0], "0") for rid, question in others})
    return Site("Riverton Public Utilities", "en-US", "https://riverton.gov/help", refs)


def render(view: View, config: chat.Config = CONFIG) -> Rendered:
    return chat.render(view, config, site_for(view))


def files(rendered: Rendered, view_id: str = "billing/pay") -> tuple[str, str, dict[str, object]]:
    return (rendered.files[f"{view_id}.md"].decode(), rendered.files[f"{view_id}.txt"].decode(),
            json.loads(rendered.files[f"{view_id}.json"]))


def errors(rendered: Rendered) -> list[str]:
    return [note.message for note in rendered.notes if note.severity == "error"]


def all_tokens(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out.extend(all_tokens(token.children or []))
    return out


def paragraph_texts(markdown: str) -> list[str]:
    """The visible text of each paragraph (soft breaks as spaces)."""
    texts: list[str] = []
    for token in MD.parse(markdown):
        if token.type == "inline":
            texts.append("".join(" " if c.type == "softbreak" else c.content for c in token.children or []))
    return texts


def expected_facts(view: View) -> list[FactValue]:
    if view.override is not None:
        nodes = walk_inlines((Paragraph(view.override.inlines, view.override.line),))
    else:
        nodes = walk_inlines((view.short_answer, *((view.steps,) if view.steps else ())))
    return [node.fact for node in nodes if isinstance(node, FactMention)]


# ------------------------------------------------------------------------------------------ fixture cases


def test_short_answer_steps_and_link_in_markdown_plain_text_and_json(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Call {{ phone.main }} to pay. A card payment costs {{ fees.card }}.\n\n"
                              "1. Have your bill ready.\n2. Pay at {{ urls.pay }} by {{ times.cutoff }}.\n\n"
                              "More detail that chat leaves out.\n", "chat")
    rendered = render(view)
    markdown, plain, data = files(rendered)
    assert rendered.primary == "billing/pay.md"
    assert markdown == ("Call 800-555-0100 to pay. A card payment costs $2.50.\n\n"
                        "1. Have your bill ready.\n2. Pay at [riverton.gov/pay](https://riverton.gov/pay) by 5 pm.\n\n"
                        "[Full answer](https://riverton.gov/help/billing/pay/)\n")
    assert plain == ("Call 800-555-0100 to pay. A card payment costs $2.50.\n\n"
                     "1. Have your bill ready.\n2. Pay at riverton.gov/pay by 5 pm.\n\n"
                     "Full answer: https://riverton.gov/help/billing/pay/\n")
    assert data == {"id": "billing/pay", "text": plain.rstrip("\n"), "markdown": markdown.rstrip("\n"),
                    "url": "https://riverton.gov/help/billing/pay/", "quick_replies": [], "hash": view.answer.hash}
    assert list(data) == ["id", "text", "markdown", "url", "quick_replies", "hash"]
    assert rendered.metrics == {"characters": len(plain) - 1, "quick_replies": 0, "override": False}
    assert rendered.notes == ()


def hostile_view(tmp_path: Path) -> View:
    view = one_view(tmp_path, "Short.\n\n1. Step.\n", "chat")
    steps = ListBlock(True, 1, tuple(ListItem((Paragraph((Text(text),), 8 + i),), 8 + i)
                                     for i, text in enumerate(HOSTILE)), 8)
    lead = Paragraph((Text(HOSTILE[0] + " "), Text(HOSTILE[2])), 6)
    return dataclasses.replace(view, short_answer=lead, steps=steps)


def test_hostile_text_creates_no_markdown_structure(tmp_path: Path) -> None:
    # room for every hostile step: over budget, chat would leave the steps to the full answer (steps-left-out)
    markdown, plain, _ = files(render(hostile_view(tmp_path), CONFIG.model_copy(update={"budget_characters": 5000})))
    tokens = all_tokens(MD.parse(markdown))
    kinds = {token.type for token in tokens}
    assert kinds <= {"paragraph_open", "paragraph_close", "inline", "text", "ordered_list_open",
                     "ordered_list_close", "list_item_open", "list_item_close", "link_open", "link_close"}
    assert [t.attrs["href"] for t in tokens if t.type == "link_open"] == ["https://riverton.gov/help/billing/pay/"]
    ordered = [t for t in tokens if t.type == "ordered_list_open"]
    assert len(ordered) == 1 and len([t for t in tokens if t.type == "list_item_open"]) == len(HOSTILE)
    expected = [HOSTILE[0] + " " + HOSTILE[2], *(" ".join(text.split()) for text in HOSTILE), "Full answer"]
    assert paragraph_texts(markdown) == expected
    html = MD.render(markdown)
    assert "<script" not in html and "<b " not in html and "<em>" not in html and "<a href=\"https://evil" not in html
    assert plain.splitlines()[0] == HOSTILE[0] + " " + HOSTILE[2]


def test_hostile_text_written_in_an_answer_file_is_escaped_too(tmp_path: Path) -> None:
    body = "Use \\*this\\* and \\[that\\](evil) \\<b\\> a\\_b \\| c \\` &amp;lt;x&amp;gt;\n"
    markdown, plain, _ = files(render(one_view(tmp_path, body, "chat")))
    visible = "Use *this* and [that](evil) <b> a_b | c ` &lt;x&gt;"
    assert plain.splitlines()[0] == visible
    assert paragraph_texts(markdown)[0] == visible
    assert {t.type for t in all_tokens(MD.parse(markdown.split("\n\n")[0]))} <= {
        "paragraph_open", "paragraph_close", "inline", "text"}


def test_a_url_fact_is_an_autolink_to_exactly_its_address(tmp_path: Path) -> None:
    markdown, plain, _ = files(render(one_view(tmp_path, "See https://riverton.gov/pay_now\\*x\\* today.\n", "chat")))
    hrefs = [t.attrs["href"] for t in all_tokens(MD.parse(markdown)) if t.type == "link_open"]
    assert hrefs[0] == "https://riverton.gov/pay_now*x*"
    assert plain.splitlines()[0] == "See riverton.gov/pay_now*x* today."


def test_formatting_from_the_answer_survives_in_markdown_only(tmp_path: Path) -> None:
    body = "Pay *now* with **care**, `code_1`, ~~cash~~ or [online](https://riverton.gov/pay?a=1&b=(2)).\n"
    rendered = render(one_view(tmp_path, body, "chat"))
    markdown, plain, _ = files(rendered)
    kinds = [t.type for t in all_tokens(MD.parse(markdown))]
    for kind in ("em_open", "strong_open", "code_inline", "s_open", "link_open"):
        assert kind in kinds
    hrefs = [t.attrs["href"] for t in all_tokens(MD.parse(markdown)) if t.type == "link_open"]
    assert hrefs[0] == "https://riverton.gov/pay?a=1&b=%282%29"
    assert plain.splitlines()[0] == "Pay now with care, code_1, cash or online (riverton.gov/pay?a=1&b=(2))."
    assert [n.code for n in rendered.notes] == ["strikethrough"]


def test_quick_replies_come_from_related_answers(tmp_path: Path) -> None:
    view = dataclasses.replace(one_view(tmp_path, "Short.\n", "chat"), related=("billing/fees", "billing/arrange"))
    site = site_for(view, ("billing/fees", "What are the fees?"), ("billing/arrange", "Can I pay over time?"))
    rendered = chat.render(view, CONFIG, site)
    _, plain, data = files(rendered)
    assert data["quick_replies"] == [{"title": "What are the fees?", "id": "billing/fees"},
                                     {"title": "Can I pay over time?", "id": "billing/arrange"}]
    assert rendered.metrics["quick_replies"] == 2
    assert "fees" not in plain
    capped = chat.render(view, CONFIG.model_copy(update={"max_quick_replies": 1}), site)
    assert capped.metrics["quick_replies"] == 1 and [n.code for n in capped.notes] == ["quick-replies"]


def test_an_override_replaces_short_answer_and_steps_but_keeps_link_and_quick_replies(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Long short answer.\n\n1. A step.\n", "chat",
                    chat='"Hi! Call {{ phone.main }} and _say_ pay."')
    view = dataclasses.replace(view, related=("billing/fees",))
    rendered = chat.render(view, CONFIG, site_for(view, ("billing/fees", "What are the fees?")))
    markdown, plain, data = files(rendered)
    assert plain == "Hi! Call 800-555-0100 and say pay.\n\nFull answer: https://riverton.gov/help/billing/pay/\n"
    assert markdown.startswith("Hi! Call 800-555-0100 and *say* pay.\n\n[Full answer](")
    assert data["quick_replies"] == [{"title": "What are the fees?", "id": "billing/fees"}]
    assert rendered.metrics["override"] is True


def test_over_budget_is_an_error_with_the_numbers_and_a_hint(tmp_path: Path) -> None:
    view = one_view(tmp_path, "We are here to help with your bill. " * 20 + "\n", "chat")
    rendered = render(view)
    characters = rendered.metrics["characters"]
    assert characters > 640
    [message] = errors(rendered)
    assert f"chat: billing/pay: the snippet is {characters} characters; the budget is 640: {characters - 640} over" \
        in message
    link = "Full answer: https://riverton.gov/help/billing/pay/"
    assert f"write a `chat:` override of at most {640 - len(link) - 2} characters" in message
    fixed = one_view(tmp_path / "b", "We are here to help with your bill. " * 20 + "\n", "chat", chat='"Short."')
    assert errors(render(fixed)) == []


def test_an_override_over_budget_is_an_error_too(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "chat", chat=f'"{"word " * 150}"')
    [message] = errors(render(view))
    assert "shorten the `chat:` override" in message


def test_detail_goes_in_only_when_asked_and_only_while_it_fits(tmp_path: Path) -> None:
    body = ("Short.\n\n1. Step.\n\n## Fees\n\nA card costs {{ fees.card }}.\n\n- one\n- two\n\n"
            "| Fee | Amount |\n| --- | --- |\n| Card | {{ fees.card }} |\n\n" + "Filler sentence here. " * 30 + "\n")
    view = one_view(tmp_path, body, "chat")
    assert "Fees" not in files(render(view))[1]
    rendered = render(view, CONFIG.model_copy(update={"include_detail": True}))
    markdown, plain, _ = files(rendered)
    assert "**Fees**\n\nA card costs $2.50.\n\n- one\n- two\n\n- Fee: Card; Amount: $2.50\n\n[Full answer]" in markdown
    assert "Fees\n\nA card costs $2.50.\n\n• one\n• two\n\n• Fee: Card; Amount: $2.50\n\nFull answer" in plain
    assert "Filler" not in plain and errors(rendered) == []
    [table_note] = rendered.notes
    assert table_note.code == "table" and table_note.line == next(b.line for b in view.detail if isinstance(b, Table))


def test_a_heading_is_left_out_with_the_block_it_introduces(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n\n## Heading\n\n" + "Filler sentence here. " * 40 + "\n", "chat")
    plain = files(render(view, CONFIG.model_copy(update={"include_detail": True})))[1]
    assert "Heading" not in plain


def test_scoped_blocks_are_a_bug_and_unknown_nodes_an_error(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "chat")
    scoped = Scoped("only", frozenset({"chat"}), (Paragraph((Text("x"),), 9),), 9)
    with pytest.raises(ValueError, match="reached the renderer"):
        render(dataclasses.replace(view, steps=ListBlock(True, 1, (ListItem((scoped,), 9),), 9)))
    with pytest.raises(TypeError):
        render(dataclasses.replace(view, short_answer=Paragraph((object(),), 6)))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        render(dataclasses.replace(view, steps=object()))  # type: ignore[arg-type]


def test_model_nodes_render_in_both_forms(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Short.\n", "chat")
    lead = Paragraph((Emphasis((Text(" spaced "),)), Strong((Text("*x*"),)), Code("a ` b"), Code("`"),
                      Link("tel:+18005550100", (Text("call us"),), parse_value(FactType.PHONE, "8005550100"))), 6)
    markdown, plain, _ = files(render(dataclasses.replace(view, short_answer=lead)))
    assert plain.splitlines()[0] == " spaced *x*a ` b`call us (800-555-0100)".strip()
    inline = MD.parse(markdown)[1].children or []
    assert [t.content for t in inline if t.type == "code_inline"] == ["a ` b`"]
    assert paragraph_texts(markdown)[0] == "spaced *x*a ` b`call us"


def test_config_file_validates_and_unknown_keys_are_refused() -> None:
    assert CONFIG.budget_characters == 640 and CONFIG.include_detail is False and CONFIG.description
    with pytest.raises(ValueError):
        chat.Config.model_validate({**channels.raw("chat"), "budget": 3})


# ------------------------------------------------------------------------------ the sample knowledge base


@pytest.fixture(scope="module")
def rendered_sample() -> list[tuple[View, Rendered]]:
    kb = sample()
    site = site_of(kb)
    return [(view, chat.render(view, CONFIG, site)) for view in views_of(kb, "chat")]


def test_every_sample_answer_fits_the_budget_with_no_error(rendered_sample: list[tuple[View, Rendered]]) -> None:
    assert len(rendered_sample) > 50
    for view, rendered in rendered_sample:
        _, plain, data = files(rendered, view.id)
        assert errors(rendered) == [], view.id
        assert rendered.metrics["characters"] == len(plain) - 1 <= CONFIG.budget_characters, view.id
        assert data["url"] == f"https://riverton.gov/help/{view.id}/" and data["url"] in plain
        assert [r["id"] for r in data["quick_replies"]] == list(view.related)


def test_sample_markdown_has_no_html_and_only_expected_links(rendered_sample: list[tuple[View, Rendered]]) -> None:
    for view, rendered in rendered_sample:
        markdown = files(rendered, view.id)[0]
        tokens = all_tokens(MD.parse(markdown))
        assert not {t.type for t in tokens} & {"html_inline", "html_block", "image", "heading_open", "fence"}
        hrefs = {t.attrs["href"] for t in tokens if t.type == "link_open"}
        facts = {f.canonical for f in expected_facts(view) if f.type is FactType.URL}
        assert hrefs <= facts | {f"https://riverton.gov/help/{view.id}/"}, view.id


def test_sample_overrides_are_used(rendered_sample: list[tuple[View, Rendered]]) -> None:
    with_override = [(v, r) for v, r in rendered_sample if v.override is not None]
    assert with_override
    for view, rendered in with_override:
        plain = files(rendered, view.id)[1]
        assert rendered.metrics["override"] is True and "\n1. " not in plain
    outage = next(r for v, r in with_override if v.id == "outages/report-power-outage")
    assert files(outage, "outages/report-power-outage")[1].startswith("Sorry your power is out. Report it at ")


def test_sample_facts_read_back_from_the_plain_text(rendered_sample: list[tuple[View, Rendered]]) -> None:
    for view, rendered in rendered_sample:
        plain = files(rendered, view.id)[1]
        found = {(f.type, f.value.canonical) for f in find_facts(plain) if f.value is not None}
        for fact in expected_facts(view):
            if fact.type is FactType.TEXT:
                assert fact.canonical in plain, (view.id, fact)
            else:
                assert (fact.type, fact.canonical) in found, (view.id, fact)


def test_rendering_is_deterministic(rendered_sample: list[tuple[View, Rendered]]) -> None:
    site = site_of(sample())
    for view, rendered in rendered_sample:
        assert chat.render(view, CONFIG, site) == rendered


def test_steps_under_a_heading_come_after_it_and_other_procedures_stay_on_the_web(tmp_path: Path) -> None:
    body = ("It depends on whether you can still sign in.\n\n## If you can still sign in\n\n1. Open settings.\n"
            "2. Choose a new password.\n\n## If you cannot sign in\n\n1. Select forgot password.\n")
    markdown, plain, _ = files(render(one_view(tmp_path, body, "chat")))
    assert plain.split("\n\n")[:3] == ["It depends on whether you can still sign in.", "If you can still sign in",
                                       "1. Open settings.\n2. Choose a new password."]
    assert "forgot" not in plain and "**If you can still sign in**" in markdown


def test_a_lead_in_list_travels_with_the_short_answer_or_the_colon_leads_to_the_link(tmp_path: Path) -> None:
    body = "Bring these:\n\n- your bill\n- your ID\n\n## How to apply\n\n1. Fill in the form.\n"
    rendered = render(one_view(tmp_path, body, "chat"))
    assert files(rendered)[1].split("\n\n")[:3] == ["Bring these:", "• your bill\n• your ID", "How to apply"]
    long_items = "".join(f"- {'a long item of the list ' * 6}{i}\n" for i in range(5))
    rendered = render(one_view(tmp_path / "long", f"Bring these:\n\n{long_items}\n## How to apply\n\n1. Fill in.\n",
                               "chat"))
    assert files(rendered)[1].split("\n\n") == ["Bring these:", "Full answer: https://riverton.gov/help/billing/pay/\n"]
    assert [note.code for note in rendered.notes] == ["list-left-out"]
