"""Email reader: a MIME message as its recipient meets it, parsed by the standard library's `email` parser.

The title is the Subject. `parts` gives each body a mail client may show, the text/plain one and the HTML one
(read as a browser parses it, through the HTML reader), so the gate checks both: a fact changed in one body
only is still caught. `read` gives the first: the text/plain body, else the HTML one.
"""
from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from engine.facts import Locale
from engine.readers import Reading
from engine.readers import html as html_reader
from engine.readers.text import reading


def parse(data: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    return message


def _subject(message: EmailMessage) -> str:
    return " ".join(str(message.get("Subject", "")).split())


def parts(data: bytes, locale: Locale = Locale()) -> list[tuple[str, Reading]]:
    """(part name, Reading) for the text/plain body and the HTML body, in that order, those the message has."""
    message = parse(data)
    title = _subject(message)
    out: list[tuple[str, Reading]] = []
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        text = plain.get_content().replace("\r\n", "\n")  # type: ignore[attr-defined]
        out.append(("text/plain", reading(title, text.strip("\n"), (), locale)))
    html = message.get_body(preferencelist=("html",))
    if html is not None:
        page = html_reader.read(html.get_content().encode("utf-8"), locale)  # type: ignore[attr-defined]
        out.append(("HTML", Reading(title, page.text, page.facts, page.links)))
    if not out:
        out.append(("", reading(title, "", (), locale)))
    return out


def read(data: bytes, locale: Locale = Locale()) -> Reading:
    return parts(data, locale)[0][1]
