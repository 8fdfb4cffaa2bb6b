"""The email channel: a MIME reply the standard library's parser and an HTML5 parser accept, which the gate reads
back in both bodies, so drift in either is caught."""
from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import html5lib

import channels
from engine.consistency import InternalIndex, check_output
from engine.facts import Locale
from engine.readers import email as email_reader
from engine.readers import read_parts
from engine.select import View
from renderers import Rendered, Site, email
from tests.kb import one_view, sample, site_of, views_of

EMAIL = email.Config.model_validate(channels.raw("email"))
BODY = ("Call {{ phone.main }} to pay by card. The fee is {{ fees.card }}.\n\n"
        "1. Have your account number ready.\n2. Pay online at {{ urls.pay }}.\n\n## More\n\nDetail here.\n")


def rendered(view: View, site: Site) -> Rendered:
    return email.render(view, EMAIL, site)


def parsed(out: Rendered):  # type: ignore[no-untyped-def]
    return BytesParser(policy=policy.default).parsebytes(out.files[out.primary])


def gate(view: View, data: bytes, site: Site) -> list[str]:
    return [f"{part}: {p.code}: {p.message}" for part, reading in read_parts("a.eml", data, Locale(), "email")
            for p in check_output(view, reading, site.base_url, InternalIndex(), Locale())]


def test_a_reply_is_multipart_alternative_with_a_plain_and_an_html_body(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY, "email")
    out = rendered(view, site_of_view(tmp_path, view))
    message = parsed(out)
    assert out.primary == "billing/pay.eml" and not message.defects
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "How do I pay my bill?"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # SMTP line endings
    assert plain.startswith("Call 800-555-0100 to pay by card. The fee is $2.50.\n\n1. Have your account number")
    assert "Key facts:\n• Customer service: 800-555-0100\n• Card fee: $2.50\n• Pay online: riverton.gov/pay" in plain
    assert plain.rstrip().endswith("Full answer: https://riverton.gov/help/billing/pay/")
    assert "Detail here" not in plain


def site_of_view(tmp_path: Path, view: View) -> Site:
    from tests.kb import load_kb
    return site_of(load_kb(tmp_path / "kb"))


def test_the_html_body_is_valid_html5_with_inline_styles_and_nothing_remote(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY + "\n![The meter](https://evil.example/track.png)\n", "email")
    html = parsed(rendered(view, site_of_view(tmp_path, view))).get_body(("html",)).get_content()
    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), strict=True, namespaceHTMLElements=False)
    root = parser.parse(html)
    tags = {element.tag for element in root.iter() if isinstance(element.tag, str)}
    assert not tags & {"script", "style", "link", "img", "iframe", "object"}
    assert "evil.example" not in html
    for element in root.iter():
        if element.tag in ("p", "ol", "li", "a", "h2", "table", "th", "td"):
            assert element.get("style"), element.tag
        assert not any(name.startswith("on") for name in element.attrib)
    assert root.find(".//body").get("style", "").startswith("margin:0")


def test_hostile_text_stays_text_in_both_bodies(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
    view = one_view(tmp_path, f"Call {{{{ phone.main }}}} about {hostile.replace('<', '&lt;')}.\n", "email")
    out = rendered(view, site_of_view(tmp_path, view))
    html = parsed(out).get_body(("html",)).get_content()
    root = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    assert not [e for e in root.iter() if e.tag in ("script", "img")]
    assert gate(view, out.files[out.primary], site_of_view(tmp_path, view)) == []


def test_every_sample_reply_passes_the_gate_in_both_bodies_and_is_deterministic() -> None:
    kb = sample()
    site = site_of(kb)
    views = views_of(kb, "email")
    assert len(views) > 50
    for view in views:
        out = rendered(view, site)
        data = out.files[out.primary]
        assert data == rendered(view, site).files[out.primary]
        assert [part for part, _ in email_reader.parts(data)] == ["text/plain", "HTML"]
        assert gate(view, data, site) == [], view.id


def _edit_body(data: bytes, subtype: str, old: str, new: str) -> bytes:
    message = BytesParser(policy=policy.default).parsebytes(data)
    part = message.get_body((subtype,))
    text = part.get_content()
    assert old in text
    part.set_content(text.replace(old, new), subtype=subtype, cte="quoted-printable")
    return message.as_bytes()


def test_a_fee_changed_in_the_html_body_alone_is_caught_naming_the_part(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY, "email")
    site = site_of_view(tmp_path, view)
    data = rendered(view, site).files["billing/pay.eml"]
    drifted = _edit_body(data, "html", "$2.50", "$3.50")
    problems = gate(view, drifted, site)
    assert any(p.startswith("HTML: invented-fact: email states $3.50, but the answer says $2.50") for p in problems)
    assert not any(p.startswith("text/plain") for p in problems)


def test_a_phone_dropped_from_the_plain_body_alone_is_caught(tmp_path: Path) -> None:
    view = one_view(tmp_path, BODY, "email")
    site = site_of_view(tmp_path, view)
    data = rendered(view, site).files["billing/pay.eml"]
    drifted = _edit_body(data, "plain", "800-555-0100", "our office")
    problems = gate(view, drifted, site)
    assert any(re.match(r"text/plain: missing-fact: email does not state .*555-0100", p) for p in problems), problems


def test_an_internal_note_never_reaches_the_reply(tmp_path: Path) -> None:
    body = BODY + "\n::: internal\nStaff only: waive the fee for Mrs Quibble on request.\n:::\n"
    view = one_view(tmp_path, body, "email")
    data = rendered(view, site_of_view(tmp_path, view)).files["billing/pay.eml"]
    assert b"Quibble" not in data


def test_a_long_subject_in_another_script_keeps_every_space(tmp_path: Path) -> None:
    """Folded at 78 characters, the Subject became two encoded words and the standard library lost the space
    between them ("el depósito" read back as "eldepósito"); the property tests found it."""
    question = "más reciente ñandú? ¿Cuánto cuesta el depósito año"  # folded at 78, "el depósito" came back joined
    view = one_view(tmp_path, BODY, "email", question=question)
    message = parsed(rendered(view, site_of_view(tmp_path, view)))
    assert message["Subject"] == question
