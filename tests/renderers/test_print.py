"""The print channel: a standalone handout an HTML5 parser accepts, with paged-media rules (the phone and the page
counter in every page's margin boxes), read back by the gate through the existing HTML reader; and a handout per
topic. The PDF Chromium prints from it is checked in tests/browser/test_print.py."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib
import pytest

import channels
from engine.consistency import InternalIndex, check_output
from engine.facts import Locale
from engine.readers import read
from engine.select import View
from renderers import AnswerRef, IndexEntry, Rendered, Site
from renderers import print as handout
from tests.kb import load_kb, one_view, sample, site_of, views_of, write_kb, answer_file

CONFIG = handout.Config.model_validate(channels.raw("print"))
BODY = ("Call {{ phone.main }} to pay by card. The fee is {{ fees.card }}.\n\n"
        "1. Have your account number ready.\n2. Pay online at {{ urls.pay }}.\n\n## More\n\nDetail here, "
        "before {{ times.cutoff }}.\n")


def site_for(tmp_path: Path) -> Site:
    return site_of(load_kb(tmp_path / "kb"))


def rendered(view: View, site: Site) -> Rendered:
    return handout.render(view, CONFIG, site)


def parsed(data: bytes) -> ET.Element:
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def gate(view: View, data: bytes, site: Site) -> list[str]:
    reading = read("a.html", data, Locale(), "html")
    return [f"{p.code}: {p.message}" for p in check_output(view, reading, site.base_url, InternalIndex(), Locale())]


def style_of(root: ET.Element) -> str:
    styles = root.findall(".//style")
    assert len(styles) == 1 and styles[0] in list(root.find("head"))  # type: ignore[arg-type]
    return styles[0].text or ""


def test_a_handout_is_one_standalone_html5_page_in_the_answers_order(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY, "print")
    out = rendered(view, site_for(tmp_path))
    assert out.primary == "billing/pay.html" and list(out.files) == ["billing/pay.html"]
    root = parsed(out.files[out.primary])
    tags = {e.tag for e in root.iter() if isinstance(e.tag, str)}
    assert not tags & {"script", "link", "img", "iframe", "object"}  # nothing to fetch: the file stands alone
    assert root.find(".//h1") is not None and text(root.find(".//h1")) == "How do I pay my bill?"  # type: ignore[arg-type]
    region = next(e for e in root.iter() if e.get("id") == "answer")
    kids = [e for e in region]
    assert kids[0].get("class") == "short-answer"
    assert text(kids[0]) == "Call 800-555-0100 to pay by card. The fee is $2.50."
    assert kids[1].get("class") == "key-facts"
    facts = {text(row.find("th")): text(row.find("td")) for row in kids[1].iter("tr")}  # type: ignore[arg-type]
    assert facts == {"Customer service": "800-555-0100", "Card fee": "$2.50", "Pay online": "riverton.gov/pay",
                     "Same-day cutoff": "5 pm"}
    assert kids[2].tag == "ol" and kids[2].get("class") == "steps"
    assert [e.tag for e in kids[3:5]] == ["h2", "p"] and "Detail here" in text(kids[4])
    footer = kids[-1]
    assert footer.tag == "footer" and "Questions? Call 800-555-0100" in text(footer)
    assert "https://riverton.gov/help/billing/pay/" in text(footer)
    assert out.metrics["phone_in_footer"] is True and out.metrics["key_facts"] == 4


def test_the_paged_media_rules_put_the_phone_and_the_page_counter_in_every_page_margin(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY, "print")
    css = style_of(parsed(rendered(view, site_for(tmp_path)).files["billing/pay.html"]))
    assert "@page { size: Letter;" in css
    assert re.search(r'@bottom-right \{ content: "Page " counter\(page\) " of " counter\(pages\); \}', css)
    assert re.search(r'@page a1 \{ @bottom-left \{ content: "Questions\? Call 800-555-0100"; \} \}', css)
    assert ".a1 { page: a1; }" in css and "body { page: a1; }" in css


def test_every_sample_handout_passes_the_gate_and_is_deterministic() -> None:
    kb = sample()
    site = site_of(kb)
    views = views_of(kb, "print")
    assert len(views) > 50 and all(v.answer.audience == "public" for v in views)
    for view in views:
        out = rendered(view, site)
        data = out.files[out.primary]
        assert data == rendered(view, site).files[out.primary]
        assert gate(view, data, site) == [], view.id


def test_the_gate_catches_a_fee_changed_in_the_handout(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY, "print")
    site = site_for(tmp_path)
    data = rendered(view, site).files["billing/pay.html"]
    assert data.count(b"$2.50") == 2  # the text and the key-facts box
    problems = gate(view, data.replace(b"$2.50", b"$3.50", 1), site)
    assert any(p.startswith("invented-fact: print states $3.50") for p in problems), problems


def test_hostile_text_stays_text_and_cannot_break_out_of_the_stylesheet(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script> "><img src=x onerror=alert(1)> </style>'
    view = one_view(tmp_path, f"Call {{{{ phone.main }}}} about {hostile.replace('<', '&lt;')}.\n", "print",
                    question='"Why </style><script>x()</script>?"')
    site = site_for(tmp_path)
    out = rendered(view, site)
    root = parsed(out.files[out.primary])
    assert not [e for e in root.iter() if e.tag in ("script", "img")]
    assert "<script>alert(1)</script>" in text(next(e for e in root.iter() if e.get("id") == "answer"))
    assert text(root.find(".//h1")) == "Why </style><script>x()</script>?"  # type: ignore[arg-type]
    assert gate(view, out.files[out.primary], site) == []
    weird = Site('Riverton "Utilities" </style>\\ \n', "en-US", site.base_url, site.answers)
    css = style_of(parsed(rendered(view, weird).files[out.primary]))
    assert "</style>" not in css and '"Utilities"' not in css and "@top-left { content: \"Riverton \\22 " in css


def test_internal_notes_and_internal_answers_never_reach_paper(tmp_path: Path) -> None:
    body = BODY + "\n::: internal\nStaff only: waive the fee for Mrs Quibble on request.\n:::\n"
    view = one_view(tmp_path, body, "print")
    data = rendered(view, site_for(tmp_path)).files["billing/pay.html"]
    assert b"Quibble" not in data and b"Internal note" not in data
    assert not channels.spec("print").internal and "print" in channels.customer_channels()
    kb = load_kb(write_kb(tmp_path / "kb2", {"billing/staff": answer_file("Staff only text.\n", audience="internal")}))
    assert views_of(kb, "print") == []  # never published on print
    from engine.select import view as view_of
    internal = view_of(kb.answers[0], "print", False, frozenset())
    with pytest.raises(ValueError, match="internal answer"):
        rendered(internal, site_of(kb))


def test_an_image_is_printed_as_its_description_and_reported(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY + "\n![The meter dial, top left](https://riverton.gov/meter.png)\n", "print")
    out = rendered(view, site_for(tmp_path))
    root = parsed(out.files[out.primary])
    assert root.find(".//img") is None and b"meter.png\"" not in out.files[out.primary]
    assert "[Image: The meter dial, top left]" in text(root)
    assert [(n.code, n.severity) for n in out.notes] == [("image", "warning")]
    assert "The meter dial, top left" in out.notes[0].message and out.notes[0].message.startswith("print: ")
    assert out.metrics["images_described"] == 1


def test_an_answer_without_a_phone_prints_its_address_in_the_margin_instead(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Pay online at {{ urls.pay }} any time.\n", "print")
    out = rendered(view, site_for(tmp_path))
    root = parsed(out.files[out.primary])
    assert out.metrics["phone_in_footer"] is False
    assert "Questions? Call" not in text(root)
    assert '@bottom-left { content: "Full answer online: https://riverton.gov/help/billing/pay/"; }' in style_of(root)


def test_a_translation_gets_its_languages_words(tmp_path: Path) -> None:
    view = one_view(tmp_path, "Llame al {{ phone.main }} para pagar.\n", "print", language="es-US")
    root = parsed(rendered(view, site_for(tmp_path)).files["billing/pay.html"])
    assert root.get("lang") == "es-US" and "¿Preguntas? Llame al 800-555-0100" in text(root)
    assert '"P\\e1 gina " counter(page) " de " counter(pages)' in style_of(root)
    assert "Datos clave" in text(root)


def test_a_topic_handout_holds_every_public_answer_of_the_topic_a_page_each() -> None:
    kb = sample()
    site = site_of(kb)
    entries = [IndexEntry(AnswerRef(v.id, v.answer.question, v.answer.topic, v.answer.hash), f"{v.id}.html",
                          handout.index_entry(v, CONFIG, site)) for v in views_of(kb, "print")]
    files = handout.render_index(entries, CONFIG, site)
    billing = sorted(v.id for v in views_of(kb, "print") if v.answer.topic == "billing" and not v.answer.language)
    root = parsed(files["billing/index.html"])
    articles = [e for e in root.iter("article")]
    assert [text(a.find("h1")) for a in articles] == [kb_question(kb, i) for i in billing]  # type: ignore[arg-type]
    assert [a.get("class") for a in articles] == [f"handout a{n}" for n in range(1, len(billing) + 1)]
    assert not [e for e in root.iter() if e.get("id") == "answer"]  # ids stay unique: only an answer's own handout
    css = style_of(root)
    for n in range(1, len(billing) + 1):  # each answer on its own named page, with its own margin words
        assert f"@page a{n} {{ @bottom-left {{ content: " in css and f".a{n} {{ page: a{n}; }}" in css
    assert ".handout + .handout { break-before: page; }" in css
    data = files["billing/index.html"]
    internal = [a.question for a in kb.answers if a.topic == "billing" and a.audience == "internal"]
    assert internal and not any(q.encode() in data for q in internal)  # internal answers are not on paper
    assert "billing/index.es-US.html" in files  # a translation's topic handout is its own document
    assert b'href="billing/pay-by-phone.html"' in files["index.html"]


def kb_question(kb, answer_id: str) -> str:  # type: ignore[no-untyped-def]
    return " ".join(next(a.question for a in kb.answers if a.id == answer_id).split())
