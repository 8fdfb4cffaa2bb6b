"""The reference site: every answer with its notes and what the customer gets on each channel, read by the gate
once; home and topic pages; every page inert and strictly parsed."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import html5lib
import pytest

import channels
from engine.compile import load_channels, plan, render_answer
from engine.diagnostics import Report
from engine.readers import html as html_reader
from renderers import IndexEntry, Rendered, reference
from tests.kb import AS_OF, answer_file, load_kb, one_view, sample, site_of, views_of, write_kb

CONFIG = reference.Config.model_validate(channels.raw("reference"))
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'")


def parse(data: bytes) -> ET.Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def by_id(root: ET.Element, element_id: str) -> ET.Element:
    found = [e for e in root.iter() if e.get("id") == element_id]
    assert len(found) == 1, (element_id, len(found))
    return found[0]


def words(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def outputs_for(kb_root: Path, answer_id: str, as_of: date = AS_OF) -> dict[str, Rendered]:
    """Every channel's output of one answer, rendered through the engine's own seam."""
    kb = load_kb(kb_root)
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), as_of)
    assert not report.has_errors()
    answer = next(a for a in kb.answers if a.id == answer_id)
    return dict(render_answer(answer, work).outputs)


def page_of(outputs: dict[str, Rendered]) -> ET.Element:
    rendered = outputs["reference"]
    return parse(rendered.files[rendered.primary])


PAY = answer_file(
    "Call {{ phone.main }} to pay. A card payment costs {{ fees.card }}.\n\n"
    "1. Have your account number ready.\n2. Call {{ phone.main }} and press 2.\n\n"
    "## Detail\n\nPayments before {{ times.cutoff }} show the same day.\n\n"
    "::: internal\nCheck the payment log before a second payment.\n:::\n",
    related="[billing/late]", asked_as="[pay over the phone]", tags="[payments]")
LATE = answer_file("A late payment costs {{ rates.late }} a month.\n", question="What if I pay late?",
                   channels="[web, reference]", reviewed="2025-01-01")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kb(tmp_path_factory.mktemp("kb") / "kb", {"billing/pay": PAY, "billing/late": LATE})


def test_the_answer_page_shows_every_channel_view(small: Path) -> None:
    outputs = outputs_for(small, "billing/pay")
    root = page_of(outputs)
    panels = {e.get("id"): e for e in root.iter("section") if "channel-panel" in (e.get("class") or "")}
    shown = ["web", "mobile", "ivr", "chat", "sms"]  # channel_views, then every other channel the answer is on
    assert list(panels) == [f"channel-{name}" for name in shown + [c for c in outputs if c not in shown + ["reference"]]]
    assert "channel-email" in panels and "Subject: How do I pay" in words(panels["channel-email"])
    web = panels["channel-web"]
    assert re.search(r"Call \(?800\)?[ -]555-0100 to pay\.", words(web)) and not web.findall(".//h2")
    assert [e.tag for e in web.iter() if e.tag in ("h2", "h3", "h4")] == ["h3", "h4"]  # the web page's h2 moves down
    card = next(e for e in panels["channel-mobile"].iter("div") if e.get("class") == "ac-card")
    assert "Call 800-555-0100 to pay." in words(card) and not card.findall(".//pre")
    ssml = panels["channel-ivr"].find(".//details/pre/code")
    assert ssml is not None and "<speak" in "".join(ssml.itertext())
    sms_text = outputs["sms"].files[outputs["sms"].primary].decode()
    assert "".join(by_id(root, "sms-text").itertext()) == sms_text
    assert f"Encoding GSM-7 Segments {outputs['sms'].metrics['segments']}" in words(panels["channel-sms"])
    assert "".join(by_id(root, "chat-text").itertext()) == outputs["chat"].files["billing/pay.txt"].decode().rstrip("\n")
    copy = {b.get("data-copy-target") for b in root.iter("button")}
    assert copy == {"answer-id-text", "web-text", "mobile-text", "ivr-text", "chat-text", "sms-text", "email-text",
                    "print-text"}
    handout = words(panels["channel-print"])  # the handout's answer region, its key facts and its closing phone
    assert "Key facts" in handout and re.search(r"Questions\? Call \(?800\)?[ -]555-0100", handout)
    assert all(words(by_id(root, target)) for target in copy)  # every channel's text has a button
    assert all(b.get("hidden") is not None for b in root.iter("button"))  # shown by the script only


def test_the_gate_reads_the_answer_once_whatever_the_channel_views(small: Path) -> None:
    outputs = outputs_for(small, "billing/pay")
    kb = load_kb(small)
    view = next(v for v in views_of(kb, "reference") if v.id == "billing/pay")
    bare = reference.render(view, CONFIG, site_of(kb))
    with_views = html_reader.read(outputs["reference"].files["billing/pay/index.html"])
    without = html_reader.read(bare.files["billing/pay/index.html"])
    assert with_views.text == without.text and with_views.facts == without.facts
    assert "Check the payment log" in with_views.text and with_views.title == "How do I pay my bill?"


def test_answer_facts_id_notes_related_and_stale_badge(small: Path) -> None:
    root = page_of(outputs_for(small, "billing/pay"))
    assert words(by_id(root, "answer-id-text")) == "billing/pay"
    assert by_id(root, "answer-id").get("href") == "#answer-id"
    aside = by_id(root, "answer").find("aside")
    assert aside is not None and "internal-note" == aside.get("class")
    facts = words(root.find(".//dl[@class='answer-facts']"))
    assert "Owner billing-team" in facts and "Customers also ask pay over the phone" in facts and "payments" in facts
    assert not [e for e in root.iter() if "badge-stale" in (e.get("class") or "")]
    late = page_of(outputs_for(small, "billing/late"))
    stale = [words(e) for e in late.iter() if "badge-stale" in (e.get("class") or "")]
    assert stale == ["Review overdue"] and "review was due 2025-06-30" in words(late)
    related = root.find(".//section[@class='related']")
    assert related is not None and related.find(".//a").get("href") == "../../billing/late/"


def test_channels_the_answer_is_not_on_say_why(small: Path, tmp_path: Path) -> None:
    late = page_of(outputs_for(small, "billing/late"))
    assert "leaves sms out" in words(by_id(late, "channel-sms"))
    assert "Words" in words(by_id(late, "channel-web"))
    internal = write_kb(tmp_path / "kb", {"billing/staff": answer_file("Only staff see this.\n", audience="internal")})
    root = page_of(outputs_for(internal, "billing/staff"))
    assert not [e for e in root.iter("section") if "channel-panel" in (e.get("class") or "")]
    assert "Nothing: this is an internal answer" in words(root.find(".//section[@class='channel-views']"))
    view = one_view(tmp_path / "one", "Pay now.\n", "reference")
    alone = reference.render(view, CONFIG, site_of(load_kb(tmp_path / "one" / "kb")))
    assert "Not part of this build" in words(by_id(parse(alone.files["billing/pay/index.html"]), "channel-sms"))


def test_the_web_view_passes_only_what_the_web_writer_makes() -> None:
    page = (b'<!DOCTYPE html><html><body><main><div id="answer"><script>window.x=1</script>'
            b'<p onclick="x()" class="short-answer">Hi <img src="https://elsewhere.example/a.png" alt="A meter">'
            b'<a href="javascript:x()">bad</a> <a href="tel:+18005550100" rel="noopener">ok</a></p>'
            b'<h2>Detail</h2><iframe src="https://elsewhere.example/"></iframe><style>p{}</style>'
            b'<form action="/x"><input name="q"></form><p>&lt;b&gt; stays text</p></div></main></body></html>')
    html = str(reference.web_region(page))
    assert html == ('<p class="short-answer">Hi <span class="image-placeholder">[Image: A meter]</span><a>bad</a> '
                    '<a href="tel:+18005550100" rel="noopener">ok</a></p><h4>Detail</h4><p>&lt;b&gt; stays text</p>')
    assert reference.web_region(b"<p>no region</p>") == ""


def test_home_lists_recent_answers_and_topics_and_includes_search() -> None:
    kb = sample()
    site = site_of(kb)
    views = views_of(kb, "reference")
    entries = [IndexEntry(site.answers[v.id], f"{v.id}/index.html", reference.index_entry(v, CONFIG, site))
               for v in views]
    files = reference.render_index(entries, CONFIG, site)
    assert {"index.html", "assets/site.css", "assets/reference.css", "assets/site.js"} <= set(files)
    home = parse(files["index.html"])
    recent = by_id(home, "recent-heading")
    listed = [a.get("href") for a in home.iter("a") if a.get("href", "").count("/") == 2]
    newest = sorted(views, key=lambda v: (v.answer.reviewed, v.id), reverse=True)[: CONFIG.recent]
    assert listed[: CONFIG.recent] == [f"{v.id}/" for v in newest] and recent is not None
    topics = sorted({v.answer.topic for v in views})
    assert [p.removesuffix("/index.html") for p in files if p.count("/") == 1 and p.endswith("index.html")] == topics
    assert b'id="search-q"' in files["index.html"] and "assets/search.js" in files
    for path, data in files.items():
        if path.endswith(".html"):
            root = parse(data)
            assert not [e for e in root.iter() if e.get("style") is not None or e.tag == "style"], path
            scripts = [s.get("src") for s in root.iter("script")]
            own = ["assets/site.js", "assets/search.js"]  # search on every page
            assert len(by_id(root, "search-q").attrib) and sorted(scripts) == sorted(("../" * path.count("/")) + name for name in own), path


def test_every_sample_page_is_inert_and_carries_the_policy() -> None:
    kb = sample()
    report = Report()
    work = plan(kb, load_channels(channels.names(), report), AS_OF)
    for answer in kb.answers[::7]:
        item = dict(render_answer(answer, work).outputs)
        for name in ("reference", "web"):
            if name not in item:
                continue
            root = parse(item[name].files[item[name].primary])
            policy = [m.get("content") for m in root.iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
            assert policy == [CSP], (answer.id, name)
            assert not [e for e in root.iter() if e.get("style") is not None or e.tag == "style"], answer.id
            scripts = [s for s in root.iter("script") if s.get("type") != "application/ld+json"]
            assert all(s.get("src") and not (s.text or "").strip() for s in scripts), answer.id
            assert not [n for e in root.iter() for n in e.attrib if n.startswith("on")], answer.id


def test_render_answer_renders_customer_channels_first_and_keeps_channel_order(small: Path) -> None:
    outputs = outputs_for(small, "billing/pay")
    assert list(outputs) == sorted(outputs)  # channel order, as before the seam


# ------------------------------------------------------------------------------------------------ properties

from hypothesis import given, strategies as st  # noqa: E402

_TAGS = st.sampled_from(["p", "div", "a", "script", "style", "img", "h1", "h3", "iframe", "b", "table", "tr", "td",
                         "svg", "aside", "br", "template", "span", "pre", "textarea", "noscript"])
_ATTRS = st.sampled_from(['', ' id="answer"', ' onclick="x()"', ' href="javascript:x()"', ' href="tel:+1"',
                          ' class="c"', ' style="color:red"', ' src="https://elsewhere.example/x"', ' alt="a<b>"',
                          ' id=answer onmouseover=y'])
_PIECE = st.one_of(
    st.builds(lambda t, a: f"<{t}{a}>", _TAGS, _ATTRS), st.builds(lambda t: f"</{t}>", _TAGS),
    st.sampled_from(["text", "&lt;", "&amp;", "<", ">", "\"", "<!-- c -->", "<![CDATA[x]]>", "&#0;"]), st.text(max_size=6))


@given(st.lists(_PIECE, max_size=40).map("".join))
def test_the_web_view_never_lets_markup_through(html: str) -> None:
    page = f'<!DOCTYPE html><html><body><div id="answer">{html}</div></body></html>'.encode()
    shown = str(reference.web_region(page))
    root = html5lib.parse(f"<!DOCTYPE html><html><body>{shown}</body></html>", treebuilder="etree",
                          namespaceHTMLElements=False)  # as a browser would, however odd the input
    body = root.find("body")
    assert body is not None
    kept = {"p", "ul", "ol", "li", "a", "em", "strong", "s", "code", "pre", "blockquote", "table", "thead", "tbody",
            "tr", "th", "td", "div", "span", "time", "aside", "br", "hr", "h3", "h4", "h5", "h6", "body"}
    for element in body.iter():
        assert element.tag in kept, shown
        assert not [n for n in element.attrib if n.startswith("on") or n in ("style", "src", "id")], shown
        assert not (element.get("href") or "").lower().startswith("javascript"), shown


# ------------------------------------------------------------------------------------------------ for a call

NOTES_KB = {
    "outages/line": answer_file(
        "Stay 30 feet away and call {{ phone.outage }}.\n\n1. Keep others back.\n2. Call us.\n\n"
        "Treat every line as live.\n\n::: internal\nDispatch a crew at once: code DL1.\n:::\n",
        question="What do I do about a downed line?", effective_until="2026-12-15"),
    "billing/lead": answer_file("You can pay three ways:\n\n- online\n- by phone\n\nMore detail here.\n\n"
                                "::: internal\nNote for staff.\n:::\n", question="How can I pay?",
                                reviewed="2025-01-01"),
}


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_kb(tmp_path_factory.mktemp("notes") / "kb", NOTES_KB)


def _order(root: ET.Element, *markers: str) -> list[int]:
    text = words(root)
    return [text.index(marker) for marker in markers]


def test_the_answer_and_its_notes_come_first_then_channels_then_metadata(notes: Path) -> None:
    root = page_of(outputs_for(notes, "outages/line"))
    answer = words(by_id(root, "answer"))
    assert answer.index("Stay 30 feet away") < answer.index("Dispatch a crew") < answer.index("Keep others back")
    positions = _order(root, "Stay 30 feet away", "Dispatch a crew", "What the customer gets", "About this answer",
                       "Owner billing-team")
    assert positions == sorted(positions)


def test_notes_follow_the_list_a_short_answer_leads_into(notes: Path) -> None:
    answer = words(by_id(page_of(outputs_for(notes, "billing/lead")), "answer"))
    assert answer.index("by phone") < answer.index("Note for staff") < answer.index("More detail")


def test_date_badges_are_written_for_the_build_day_with_the_dates_for_the_browser(notes: Path) -> None:
    root = page_of(outputs_for(notes, "outages/line"))
    holder = next(e for e in root.iter("span") if e.get("class") == "date-badges")
    assert holder.get("data-until") == "2026-12-15" and holder.get("data-due")
    assert words(holder) == "Expires in 22 days"  # AS_OF is 2026-11-23
    lead = next(e for e in page_of(outputs_for(notes, "billing/lead")).iter("span") if e.get("class") == "date-badges")
    assert words(lead) == "Review overdue"


@pytest.mark.parametrize("today, until, start, due, expected", [
    ("2026-11-23", "2026-12-15", "", "2027-01-01", ["expires in 22 days"]),
    ("2026-12-14", "2026-12-15", "", "2027-01-01", ["expires in 1 day"]),
    ("2026-12-15", "2026-12-15", "", "2027-01-01", ["expires today"]),
    ("2026-12-16", "2026-12-15", "", "2027-01-01", ["expired"]),
    ("2026-09-01", "2026-12-15", "", "2027-01-01", []),  # more than 60 days ahead
    ("2026-11-23", "", "2026-12-01", "2027-01-01", ["not yet in effect"]),
    ("2027-01-02", "", "", "2027-01-01", ["review overdue"]),
    ("2027-01-01", "", "", "2027-01-01", []),  # due today is not overdue yet
])
def test_date_badges(today: str, until: str, start: str, due: str, expected: list[str]) -> None:
    from datetime import date as day
    found = reference.date_badges(reference.reference_search.Dates(due, start, until), day.fromisoformat(today))
    assert [b.text for b in found] == expected
