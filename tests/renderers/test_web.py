"""The web channel: strict, accessible, script-free pages whose facts and JSON-LD match the canonical answer."""
from __future__ import annotations

import dataclasses
import json
import random
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element

import html5lib
import pytest
import xmlschema
from pydantic import ValidationError

import channels
from engine.facts import FactType, find_facts
from engine.model import FactMention, Paragraph, Scoped, Text, walk_inlines
from engine.select import View
from renderers import AnswerRef, IndexEntry, Rendered, Site, web
from tests.kb import answer_file, load_kb, one_view, sample, site_of, views_of, write_kb

CONFIG = web.Config.model_validate(channels.raw("web"))
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# The part of the sitemaps.org schema our sitemap uses: <urlset> of <url> with a <loc> and an optional <lastmod>.
SITEMAP_XSD = xmlschema.XMLSchema("""\
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
           targetNamespace="http://www.sitemaps.org/schemas/sitemap/0.9" elementFormDefault="qualified">
  <xs:element name="urlset"><xs:complexType><xs:sequence>
    <xs:element name="url" maxOccurs="50000"><xs:complexType><xs:sequence>
      <xs:element name="loc" type="xs:anyURI"/>
      <xs:element name="lastmod" type="xs:date" minOccurs="0"/>
    </xs:sequence></xs:complexType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>
""")


# ------------------------------------------------------------------------------------------------ helpers


def parse(data: bytes) -> Element:
    """Parse like a browser, but fail on any HTML parse error."""
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def text_of(element: Element) -> str:
    """The words a reader gets from an element: its text, image alt text in place."""
    parts = [element.get("alt", "") if element.tag == "img" else (element.text or "")]
    for child in element:
        parts.append(text_of(child))
        parts.append(child.tail or "")
    return "".join(parts)


def words(text: str) -> str:
    return " ".join(text.split())


def one(root: Element, path: str) -> Element:
    found = root.findall(path)
    assert len(found) == 1, (path, len(found))
    return found[0]


def site_for(*views: View) -> Site:
    refs = {v.id: AnswerRef(v.id, v.answer.question, v.answer.topic, v.answer.hash) for v in views}
    return Site("Riverton Public Utilities", "en-US", "https://riverton.gov/help", refs)


def page(view: View, site: Site | None = None) -> tuple[Rendered, Element]:
    rendered = web.render(view, CONFIG, site or site_for(view))
    return rendered, parse(rendered.files[rendered.primary])


def entries_of(views: list[View], site: Site) -> list[IndexEntry]:
    return [IndexEntry(site.answers[v.id], f"{v.id}/index.html", web.index_entry(v, CONFIG, site)) for v in views]


@lru_cache(maxsize=1)
def sample_pages() -> tuple[tuple[View, Rendered], ...]:
    kb = sample()
    site = site_of(kb)
    return tuple((v, web.render(v, CONFIG, site)) for v in views_of(kb, "web"))


@lru_cache(maxsize=1)
def sample_index() -> dict[str, bytes]:
    kb = sample()
    site = site_of(kb)
    return web.render_index(entries_of(views_of(kb, "web"), site), CONFIG, site)


def all_sample_html() -> list[tuple[str, bytes]]:
    pages = [(path, data) for _, r in sample_pages() for path, data in r.files.items()]
    return pages + [(path, data) for path, data in sample_index().items() if path.endswith(".html")]


def assert_accessible_page(path: str, root: Element) -> None:
    assert root.get("lang") == ("es-US" if "-es/" in path else "en-US"), path  # a translation's own language
    assert len(root.findall(".//h1")) == 1, path
    levels = [int(e.tag[1]) for e in root.iter() if e.tag in HEADINGS]
    assert levels[0] == 1, (path, levels)
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, (path, levels)
    body = one(root, "body")
    for landmark in ("header", "nav", "main", "footer"):
        assert body.findall(f"./{landmark}"), (path, landmark)
    main = one(body, "main")
    skip = next(body.iter("a"))
    assert skip.get("class") == "skip-link" and skip.get("href") == f"#{main.get('id')}", path
    one(main, ".//h1")
    stylesheet = one(root, "head/link[@rel='stylesheet']").get("href", "")
    assert stylesheet.endswith("assets/site.css"), path


def assert_inert(root: Element) -> None:
    """No element or attribute an editor's text could have smuggled in."""
    scripts = list(root.iter("script"))
    assert all(s.get("type") == "application/ld+json" for s in scripts)
    assert len(scripts) <= 1
    for element in root.iter():
        assert element.tag in KNOWN_TAGS, element.tag
        assert not [name for name in element.attrib if name.lower().startswith("on")], element.attrib
        for name in ("href", "src"):
            assert not element.get(name, "").lower().lstrip().startswith(("javascript:", "data:")), element.attrib


KNOWN_TAGS = {
    "html", "head", "meta", "title", "link", "script", "body", "a", "header", "nav", "main", "footer", "article",
    "section", "aside", "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "ul", "li", "span", "time", "table",
    "thead", "tbody", "tr", "th", "td", "em", "strong", "s", "code", "pre", "blockquote", "hr", "br", "img",
}


def json_ld(root: Element) -> dict:
    return json.loads(one(root, "head/script[@type='application/ld+json']").text or "")


def visible_answer(root: Element) -> str:
    main = one(root, "body/main")
    shown = [one(main, ".//p[@class='short-answer']")] + main.findall(".//ol[@class='steps']")
    return words(" ".join(text_of(e) for e in shown))


# ------------------------------------------------------------------------------------------------- config


def test_config_validates_the_channel_file() -> None:
    assert CONFIG.base_url == "https://riverton.gov/help"
    assert CONFIG.internal is False and CONFIG.description
    assert set(CONFIG.topics) == {p.name for p in (Path(channels.HERE).parent / "knowledge").iterdir()
                                  if p.is_dir() and not p.name.startswith("_")}  # `_feedback/` is no topic


@pytest.mark.parametrize("change", [{"base_url": "https://riverton.gov/help/"}, {"base_url": "riverton.gov"},
                                    {"colour": "blue"}])
def test_config_refuses_bad_values(change: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        web.Config.model_validate({**channels.raw("web"), **change})


# ---------------------------------------------------------------------------------------------- the sample


def test_every_sample_page_parses_strictly_and_is_accessible() -> None:
    pages = all_sample_html()
    assert len(pages) == len(sample_pages()) + 1 + len({v.answer.topic for v, _ in sample_pages()})
    for path, data in pages:
        root = parse(data)
        assert_accessible_page(path, root)
        assert_inert(root)


def test_every_sample_answer_renders_without_notes() -> None:
    for view, rendered in sample_pages():
        assert rendered.primary == f"{view.id}/index.html"
        assert list(rendered.files) == [rendered.primary]
        assert rendered.notes == ()
        assert 0 < int(rendered.metrics["words"]) < 1000


def test_sample_pages_carry_id_hash_canonical_and_review_date() -> None:
    for view, rendered in sample_pages():
        root = parse(rendered.files[rendered.primary])
        head = one(root, "head")
        assert one(head, "meta[@name='answer-id']").get("content") == view.id
        assert one(head, "meta[@name='answer-hash']").get("content") == view.answer.hash
        assert one(head, "link[@rel='canonical']").get("href") == f"https://riverton.gov/help/{view.id}/"
        reviewed = one(root, ".//p[@class='reviewed']/time")
        assert reviewed.get("datetime") == view.answer.reviewed.isoformat()


def test_no_internal_answer_or_note_reaches_the_sample_site() -> None:
    kb = sample()
    internal_ids = {a.id for a in kb.answers if a.audience == "internal"}
    assert internal_ids
    published = b"".join(data for _, data in all_sample_html()) + sample_index()["sitemap.xml"]
    for answer_id in internal_ids:
        assert f"/{answer_id}/".encode() not in published
    assert b"internal-note" not in published and b"Internal note" not in published


def test_json_ld_matches_the_visible_answer() -> None:
    for view, rendered in sample_pages():
        root = parse(rendered.files[rendered.primary])
        data = json_ld(root)
        assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
        question = data["mainEntity"][0]
        assert question["@type"] == "Question"
        assert question["name"] == text_of(one(root, ".//h1")) == view.answer.question
        assert words(question["acceptedAnswer"]["text"]) == visible_answer(root), view.id
        assert data["url"] == f"https://riverton.gov/help/{view.id}/"


def test_facts_read_back_from_every_sample_page() -> None:
    checked = 0
    for view, rendered in sample_pages():
        main_text = words(text_of(one(parse(rendered.files[rendered.primary]), "body/main")))
        found = {(f.type, f.value.canonical) for f in find_facts(main_text) if f.value is not None}
        shown = (view.short_answer,) + ((view.steps,) if view.steps is not None else ())
        for node in walk_inlines(shown):
            if not isinstance(node, FactMention):
                continue
            checked += 1
            if node.fact.type is FactType.TEXT:
                assert node.fact.canonical in main_text, (view.id, node.raw)
            else:
                assert (node.fact.type, node.fact.canonical) in found, (view.id, node.raw, main_text)
    assert checked > 50


def test_sitemap_lists_home_topics_and_public_answers() -> None:
    views = [v for v, _ in sample_pages()]
    root = ET.fromstring(sample_index()["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    SITEMAP_XSD.validate(sample_index()["sitemap.xml"].decode())
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    topics = {v.answer.topic for v in views}
    assert len(root.findall(f"{SITEMAP}url")) == len(urls) == len(views) + len(topics) + 1
    assert "https://riverton.gov/help/" in urls
    for topic in topics:
        assert f"https://riverton.gov/help/{topic}/" in urls
    for view in views:
        assert urls[f"https://riverton.gov/help/{view.id}/"] == view.answer.reviewed.isoformat()


def test_a_sitemap_over_the_url_limit_becomes_an_index_of_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = ET.fromstring(sample_index()["sitemap.xml"])
    expected = [(u.findtext(f"{SITEMAP}loc"), u.findtext(f"{SITEMAP}lastmod")) for u in whole.findall(f"{SITEMAP}url")]
    monkeypatch.setattr(web, "SITEMAP_URLS", 4)
    kb = sample()
    site = site_of(kb)
    files = web.render_index(entries_of(views_of(kb, "web"), site), CONFIG, site)
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [(s.findtext(f"{SITEMAP}loc"), s.findtext(f"{SITEMAP}lastmod")) for s in index.findall(f"{SITEMAP}sitemap")]
    assert len(parts) == -(-len(expected) // 4) > 1
    found = []
    for number, (loc, lastmod) in enumerate(parts, start=1):
        assert loc == f"https://riverton.gov/help/sitemap-{number}.xml"
        data = files[f"sitemap-{number}.xml"]
        SITEMAP_XSD.validate(data.decode())
        urls = [(u.findtext(f"{SITEMAP}loc"), u.findtext(f"{SITEMAP}lastmod"))
                for u in ET.fromstring(data).findall(f"{SITEMAP}url")]
        assert 0 < len(urls) <= 4 and lastmod == max(m for _, m in urls)
        found += urls
    assert found == expected  # every page once, in the same order as the single sitemap


def test_index_pages_link_every_answer_under_its_topic() -> None:
    index = sample_index()
    home = parse(index["index.html"])
    home_links = {a.get("href") for a in one(home, "body/main").iter("a")}
    for view, _ in sample_pages():
        assert f"{view.id}/" in home_links
        topic = parse(index[f"{view.answer.topic}/index.html"])
        assert f"../{view.id}/" in {a.get("href") for a in topic.iter("a")}
    assert b"@media print" in index["assets/site.css"]


def test_an_empty_site_still_has_a_valid_home_and_sitemap() -> None:
    site = Site("Riverton Public Utilities", "en-US", "https://riverton.gov/help", {})
    index = web.render_index([], CONFIG, site)
    assert sorted(index) == ["assets/site.css", "index.html", "sitemap.xml"]
    assert_accessible_page("index.html", parse(index["index.html"]))
    SITEMAP_XSD.validate(index["sitemap.xml"].decode())
    assert [u.findtext(f"{SITEMAP}loc") for u in ET.fromstring(index["sitemap.xml"])] == ["https://riverton.gov/help/"]


def test_rendering_is_deterministic() -> None:
    kb = sample()
    site = site_of(kb)
    views = views_of(kb, "web")
    for view, rendered in sample_pages()[:10]:
        assert web.render(view, CONFIG, site).files == rendered.files
    shuffled = entries_of(views, site)
    random.Random(7).shuffle(shuffled)
    assert web.render_index(shuffled, CONFIG, site) == sample_index()


# ------------------------------------------------------------------------------------------- fixture cases

FACTS_BODY = (
    "Call {{ phone.main }} or write to {{ emails.billing }} by {{ times.cutoff }} on {{ dates.change }}. "
    "We are open {{ hours.office }}. The fee is {{ fees.card }} and the rate {{ rates.late }}; refunds take "
    "{{ durations.refund }}. Pay at {{ urls.pay }} or visit {{ places.office }}.\n"
)


def test_facts_take_their_web_form(tmp_path: Path) -> None:
    view = one_view(tmp_path, FACTS_BODY, "web")
    _, root = page(view)
    short = one(root, ".//p[@class='short-answer']")
    assert ET.tostring(short, encoding="unicode", method="html").strip() == (
        '<p class="short-answer">Call <a href="tel:+18005550100">800-555-0100</a> or write to '
        '<a href="mailto:billing@riverton.gov">billing@riverton.gov</a> by <time datetime="17:00">5 pm</time> on '
        '<time datetime="2027-01-01">January 1, 2027</time>. We are open Monday to Friday, '
        '<time datetime="08:00">8 am</time> to <time datetime="17:00">5 pm</time>. The fee is $2.50 and the '
        'rate 1.5%; refunds take 10 business days. Pay at <a href="https://riverton.gov/pay" rel="noopener">'
        "riverton.gov/pay</a> or visit 100 Main Street, Riverton.</p>"
    )


def test_literal_facts_take_the_same_web_form(tmp_path: Path) -> None:
    _, root = page(one_view(tmp_path, "Call 800.555.0100 before 03/05/2027 or email Help@Riverton.gov.\n", "web"))
    short = one(root, ".//p[@class='short-answer']")
    assert words(text_of(short)) == "Call 800-555-0100 before March 5, 2027 or email help@riverton.gov."
    assert [a.get("href") for a in short.iter("a")] == ["tel:+18005550100", "mailto:help@riverton.gov"]
    assert [t.get("datetime") for t in short.iter("time")] == ["2027-03-05"]


def test_hand_written_links_keep_their_text_and_never_nest(tmp_path: Path) -> None:
    body = ("Read [our help pages](https://riverton.gov/help/billing/pay/) or [call {{ phone.main }}](tel:800-555-0100)"
            " or [email us](mailto:Billing@Riverton.gov).\n")
    _, root = page(one_view(tmp_path, body, "web"))
    links = {a.get("href"): (a.get("rel"), text_of(a)) for a in one(root, ".//div[@id='answer']").iter("a")}
    assert links == {
        "https://riverton.gov/help/billing/pay/": (None, "our help pages"),
        "tel:+18005550100": (None, "call 800-555-0100"),
        "mailto:billing@riverton.gov": (None, "email us"),
    }


def test_headings_shift_under_the_title_and_never_skip(tmp_path: Path) -> None:
    body = "Short answer.\n\n# Top\n\nText.\n\n#### Deep\n\nText.\n\n## Middle\n\n### Lower\n"
    _, root = page(one_view(tmp_path, body, "web"))
    answer = one(root, ".//div[@id='answer']")
    assert [(e.tag, text_of(e)) for e in answer.iter() if e.tag in HEADINGS] == [
        ("h2", "Top"), ("h3", "Deep"), ("h3", "Middle"), ("h4", "Lower")]


def test_steps_detail_table_and_words(tmp_path: Path) -> None:
    body = ("Pay your bill on time.\n\n1. Log in.\n2. Pay **now**.\n\n"
            "| Way | Cost |\n| :-- | --: |\n| Card | {{ fees.card }} |\n\n> Keep your receipt.\n")
    rendered, root = page(one_view(tmp_path, body, "web"))
    answer = one(root, ".//div[@id='answer']")
    assert [text_of(li) for li in one(answer, "ol[@class='steps']")] == ["Log in.", "Pay now."]
    assert [(th.get("scope"), th.get("class"), text_of(th)) for th in answer.iter("th")] == [
        ("col", "align-left", "Way"), ("col", "align-right", "Cost")]
    assert [text_of(td) for td in answer.iter("td")] == ["Card", "$2.50"]
    assert one(answer, "div[@class='table-scroll']").get("aria-label") == "Table: Way, Cost"
    assert text_of(one(answer, "blockquote")).strip() == "Keep your receipt."
    # Pay your bill on time (5) + Log in (2) + Pay now (2) + Way Cost Card $2.50 (4) + Keep your receipt (3)
    assert rendered.metrics == {"words": 16}
    assert words(json_ld(root)["mainEntity"][0]["acceptedAnswer"]["text"]) == "Pay your bill on time. Log in. Pay now."


def test_hostile_text_never_becomes_markup(tmp_path: Path) -> None:
    hostile = "</script><script>alert(1)</script> \" onerror=\"alert(2)\" & AT&T <b>"
    kb = load_kb(write_kb(tmp_path / "kb", {
        "billing/pay": answer_file(
            "Hello \\</script>\\<script>alert(1)\\</script> \" onerror=\"alert(2)\" & AT&T.\n\n"
            "1. Type `</script><img src=x onerror=alert(3)>` then \\<b>.\n\n"
            "| \\<th onclick=x> | \" onmouseover=\"y |\n| --- | --- |\n"
            "| </ & > | [x\" onclick=\"z](https://a.gov/\"onx) |\n",
            question=f"'{hostile}'", asked_as="['</script><img src=x onerror=alert(4)>', 'a \" onfocus=\"b']",
            related="[billing/other]"),
        "billing/other": answer_file("Other.\n", question=f"'{hostile} other'"),
    }))
    site = site_of(kb)
    views = views_of(kb, "web")
    for view in views:
        rendered, root = page(view, site)
        assert_inert(root)
        assert len(list(root.iter("script"))) == 1
        assert text_of(one(root, ".//h1")) == view.answer.question
        assert json_ld(root)["mainEntity"][0]["name"] == view.answer.question
        assert b"<script>alert" not in rendered.files[rendered.primary]
    pay, root = page(next(v for v in views if v.id == "billing/pay"), site)
    assert text_of(one(root, ".//div[@id='answer']/p")).startswith("Hello </script><script>alert(1)</script> \"")
    assert one(root, "head/meta[@name='keywords']").get("content") == (
        "</script><img src=x onerror=alert(4)>, a \" onfocus=\"b")
    assert text_of(one(root, ".//section[@class='related']//a")) == f"{hostile} other"
    index = web.render_index(entries_of(views, site), CONFIG, site)
    for path, data in index.items():
        if path.endswith(".html"):
            assert_inert(parse(data))


def test_control_characters_cannot_break_the_page(tmp_path: Path) -> None:
    # The loader refuses control characters (tests/hostile); the page must survive them anyway: put them in the model.
    view = one_view(tmp_path, "Bell and form feed here.\n", "web")
    short = Paragraph((Text("Bell \x07 and form feed \x0c here."),), view.short_answer.line)
    _, root = page(dataclasses.replace(view, short_answer=short, blocks=(short, *view.blocks[1:])))
    assert "\ufffd" in text_of(one(root, ".//p[@class='short-answer']"))


def test_internal_answers_and_notes_are_refused(tmp_path: Path) -> None:
    body = "Public words.\n\n::: internal\nSecret *words* for staff.\n:::\n"
    reference = one_view(tmp_path / "a", body, "reference")
    with pytest.raises(ValueError, match="internal"):
        web.render(reference, CONFIG, site_for(reference))
    internal = one_view(tmp_path / "b", "Staff only.\n", "reference", audience="internal")
    with pytest.raises(ValueError, match="internal"):
        web.render(internal, CONFIG, site_for(internal))
    public = one_view(tmp_path / "c", body, "web")
    assert b"Secret" not in page(public)[0].files["billing/pay/index.html"]


def test_blocks_html_sets_internal_notes_apart(tmp_path: Path) -> None:
    body = "Public words.\n\n## Detail\n\nMore.\n\n::: internal\nSecret *words* for staff.\n:::\n"
    view = one_view(tmp_path, body, "reference")
    html = web.blocks_html(view.blocks, site_for(view), short_answer=view.short_answer)
    assert html.startswith('<p class="short-answer">Public words.</p>\n<h2>Detail</h2>')
    assert html.endswith('<aside class="internal-note">\n<h3>Internal note</h3>\n'
                         "<p>Secret <em>words</em> for staff.</p>\n</aside>")


def test_unknown_and_unresolved_nodes_raise(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Words.\n", "web")
    with pytest.raises(TypeError, match="unknown block"):
        web.blocks_html([object()], site_for(view))  # type: ignore[list-item]
    with pytest.raises(ValueError, match="unresolved"):
        web.blocks_html([Scoped("only", frozenset({"web"}), (view.short_answer,), 3)], site_for(view))


def test_an_image_without_alt_text_is_reported(tmp_path: Path) -> None:
    body = "See the meter.\n\n![](https://riverton.gov/meter.png)\n\n![The meter dial](https://riverton.gov/dial.png)\n"
    rendered, root = page(one_view(tmp_path, body, "web"))
    assert [(n.code, n.severity, n.line) for n in rendered.notes] == [("image-without-alt", "warning", 8)]
    assert [(i.get("src"), i.get("alt")) for i in root.iter("img")] == [
        ("https://riverton.gov/meter.png", ""), ("https://riverton.gov/dial.png", "The meter dial")]


@pytest.mark.parametrize(("value", "shown"), [
    ("Saturday, 8 am to noon", "Saturday, 8 am to noon"),
    ("weekends, 9:30 am to 1 pm", "weekends, 9:30 am to 1 pm"),
    ("every day, 7 am to midnight", "every day, 7 am to midnight"),
    ("24/7", "24 hours a day, 7 days a week"),
])
def test_hours_read_back_as_the_same_fact(tmp_path: Path, value: str, shown: str) -> None:
    view = one_view(tmp_path, f"Open {value} for you.\n", "web")
    _, root = page(view)
    text = words(text_of(one(root, ".//p[@class='short-answer']")))
    assert text == f"Open {shown} for you."
    mention = next(n for n in walk_inlines(view.blocks) if isinstance(n, FactMention))
    assert [(f.type, f.value and f.value.canonical) for f in find_facts(text)] == [
        (FactType.HOURS, mention.fact.canonical)]
