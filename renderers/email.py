"""The email channel: per answer, a reply a CSR or an auto-responder sends, as one MIME message (`.eml`).

The message is multipart/alternative (RFC 2046): a text/plain body and an HTML body saying the same thing, built
with the standard library's `email` package. Both open with the short answer, then the list it introduces,
the steps (after their condition), the key facts (every fact the answer's public text states, with its
fact-book label) and the link to the full answer. The subject is the question.

The HTML is written for mail clients, which drop <style> blocks and block remote content: every style is
inline, there is no script, no remote image (an image is replaced by its description) and no external CSS.
The gate reads both bodies back (engine/readers/email.py) and checks each.
"""
from __future__ import annotations

import re
from email.message import EmailMessage
from email.policy import SMTP

from markupsafe import Markup, escape
from pydantic import ConfigDict, Field

from channels import ChannelSpec
from engine.facts import FactValue
from engine.model import Block, FactMention, Image, Link, walk_inlines
from engine.select import View, lead_in_list
from renderers import Metric, Note, Rendered, Site, plain_facts
from renderers import chat, phrases, web

CHANNEL = "email"
READER = "email"

# Inline styles by tag: mail clients keep `style` attributes and drop <style> elements.
STYLES = {
    "p": "margin:0 0 12px 0;",
    "ol": "margin:0 0 12px 0;padding-left:24px;",
    "ul": "margin:0 0 12px 0;padding-left:24px;",
    "li": "margin:0 0 6px 0;",
    "h2": "margin:16px 0 8px 0;font-size:18px;",
    "h3": "margin:16px 0 8px 0;font-size:16px;",
    "h4": "margin:12px 0 6px 0;font-size:16px;",
    "a": "color:#0b57d0;text-decoration:underline;",
    "table": "border-collapse:collapse;margin:0 0 12px 0;",
    "th": "text-align:left;padding:4px 12px 4px 0;vertical-align:top;",
    "td": "padding:4px 12px 4px 0;vertical-align:top;",
    "blockquote": "margin:0 0 12px 0;padding-left:12px;border-left:3px solid #cccccc;",
    "code": "font-family:Consolas,Menlo,monospace;",
    "pre": "font-family:Consolas,Menlo,monospace;white-space:pre-wrap;",
}
BODY_STYLE = "margin:0;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;" \
             "color:#1a1a1a;background-color:#ffffff;"
# Headers are written on lines up to SMTP's limit (998): folded at 78, a long Subject becomes two encoded words
# and the standard library loses the space between them (the property tests found it). The bodies are encoded
# when they are set, with the usual 76-character quoted-printable lines.
HEADERS = SMTP.clone(max_line_length=998)
_OPENING = re.compile(r"<(" + "|".join(STYLES) + r")(?=[ >])")
_IMAGE = re.compile(r'<img [^>]*?alt="([^"]*)"[^>]*>')


class Config(ChannelSpec):
    model_config = ConfigDict(extra="forbid")

    link_label: str = Field("Full answer", min_length=1, description="The words before the link to the full answer.")
    facts_heading: str = Field("Key facts", min_length=1, description="The heading of the key-facts list.")
    subject_prefix: str = Field("", description="Words before the question in the subject (e.g. \"Re: \").")


# ------------------------------------------------------------------------------------------- content


def head_blocks(view: View) -> list[Block]:
    """What the reply says before its key facts: the short answer, the list it introduces, the steps after
    their condition (the same selection as the chat snippet at full length)."""
    blocks: list[Block] = [view.short_answer]
    listed = lead_in_list(view)
    if listed is not None and listed is not view.steps:
        blocks.append(listed)
    if view.steps is not None:
        blocks.extend(view.condition)
        blocks.append(view.steps)
    return blocks


def key_facts(view: View) -> list[tuple[str, FactValue]]:
    """Every fact the answer's text (as this channel sees it) states, once, in order, with its fact-book label
    (a literal fact gets its type's name)."""
    found: dict[tuple[str, str], tuple[str, FactValue]] = {}
    for node in walk_inlines((view.short_answer, *view.blocks)):
        if isinstance(node, FactMention):
            fact, label = node.fact, node.label
        elif isinstance(node, Link) and node.fact is not None:
            fact, label = node.fact, None
        else:
            continue
        key = (fact.type.value, fact.canonical)
        if key not in found:
            found[key] = ((label or fact.type.value.capitalize()).strip(), fact)
    return list(found.values())


def _plain(view: View, config: Config, site: Site) -> tuple[str, list[Note]]:
    writer = chat._Writer(False, plain_facts.Style(site.locale))
    writer.notes = []
    if view.override is not None:
        sections = [writer.paragraph(writer.inlines(view.override.inlines, view.override.line))]
    else:
        sections = [writer.block(block) for block in head_blocks(view)]
    if view.notice is not None:  # an active notice (engine/notices.py) opens the reply
        sections.insert(0, writer.paragraph(writer.inlines(view.notice.inlines, view.notice.line)))
    facts = key_facts(view)
    if facts:
        sections.append([f"{config.facts_heading}:",
                         *(f"• {label}: {plain_facts.written(fact, writer.style)}" for label, fact in facts)])
    sections.append([f"{config.link_label}: {site.web_url(view.id)}"])
    notes = [Note(n.code, n.message.replace("chat:", f"{CHANNEL}:", 1), n.severity, n.line) for n in writer.notes]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n", notes


def styled(html: str) -> str:
    """Our own HTML (every text escaped) with inline styles on its tags and every image as its description."""
    html = _IMAGE.sub(r"\1", html)
    return _OPENING.sub(lambda m: f'<{m.group(1)} style="{STYLES[m.group(1)]}"', html)


def _html(view: View, config: Config, site: Site) -> tuple[str, list[Note]]:
    notes: list[Note] = []
    if view.override is not None:
        body = Markup("<p>{}</p>").format(web.inlines_html(view.override.inlines, site))
        images = [n for n in walk_inlines((view.override,)) if isinstance(n, Image)]
    else:
        blocks = head_blocks(view)
        body = web.blocks_html(blocks, site, top_level=1)
        images = [n for n in walk_inlines(tuple(blocks)) if isinstance(n, Image)]
    body = web.notice_html(view, site) + body
    for image in images:
        notes.append(Note("image", f"{CHANNEL}: mail clients block remote images; the description "
                                   f"`{image.alt}` is shown instead"))
    style = plain_facts.Style(site.locale)
    rows = Markup("\n").join(
        Markup("<tr><th>{}</th><td>{}</td></tr>").format(label, plain_facts.written(fact, style))
        for label, fact in key_facts(view))
    facts = Markup('<h2>{}</h2>\n<table role="presentation">\n{}\n</table>').format(config.facts_heading, rows) \
        if rows else Markup("")
    url = site.web_url(view.id)
    link = Markup('<p>{}: <a href="{}">{}</a></p>').format(config.link_label, url, url)
    page = Markup(
        '<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{title}</title>\n</head>\n'
        '<body style="{body_style}">\n<div id="answer">\n{body}\n{facts}\n{link}\n</div>\n</body>\n</html>\n'
    ).format(lang=phrases.language_of(view, site.language), title=view.answer.question, body_style=BODY_STYLE, body=body,
             facts=facts, link=link)
    return styled(str(page)), notes


# ------------------------------------------------------------------------------------------- message


def message(view: View, config: Config, site: Site) -> tuple[EmailMessage, list[Note]]:
    """The reply as a MIME message. The boundary comes from the answer's hash, so the same answer gives the
    same bytes (the library would draw a random one). A translation gets its language's labels."""
    words = phrases.for_view(view, site.language)
    if words is not None:
        config = config.model_copy(update={"link_label": words.full_answer, "facts_heading": words.key_facts})
    plain, plain_notes = _plain(view, config, site)
    html, html_notes = _html(view, config, site)
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = " ".join(f"{config.subject_prefix}{view.answer.question}".split())
    msg["X-Answer-Id"] = view.id
    msg.set_content(plain, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg.set_boundary(f"=_one-answer_{view.answer.hash[:24]}")
    msg["Content-Language"] = phrases.language_of(view, site.language)  # after: the library moves content headers into the parts
    return msg, list(dict.fromkeys([*plain_notes, *html_notes]))


def render(view: View, config: Config, site: Site) -> Rendered:
    msg, notes = message(view, config, site)
    data = msg.as_bytes(policy=HEADERS)
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    metrics: dict[str, Metric] = {
        "bytes": len(data),
        "text_characters": len(plain.get_content()) if plain is not None else 0,  # type: ignore[attr-defined]
        "html_bytes": len(html.get_content().encode("utf-8")) if html is not None else 0,  # type: ignore[attr-defined]
        "key_facts": len(key_facts(view)),
        "override": view.override is not None,
    }
    path = f"{view.id}.eml"
    preview = f"Subject: {msg['Subject']}\n\n{plain.get_content().replace(chr(13), '') if plain is not None else ''}"
    # the reply as a CSR pastes it (and the reference site shows it): the subject and the plain-text body
    return Rendered(path, {path: data, f"{view.id}.txt": preview.encode("utf-8")}, metrics, tuple(notes))
