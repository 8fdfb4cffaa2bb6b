"""Plain-text reader (SMS, transcripts), and the one place every reader turns words and link targets into facts."""
from __future__ import annotations

from urllib.parse import unquote

from engine.facts import FactError, FactType, Locale, dialled, find_facts, normalize_url, parse_value
from engine.readers import Reading, Seen, seen


def decode(data: bytes) -> str:
    """UTF-8 text with every line ending as "\\n" (a byte that is not UTF-8 raises UnicodeDecodeError)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _phone(target: str, locale: Locale) -> list[Seen]:
    try:
        value = dialled(unquote(target), locale)
    except FactError:
        return []
    return [Seen(FactType.PHONE, value.canonical, target)]


def _emails(target: str, locale: Locale) -> list[Seen]:
    addresses = unquote(target.partition("?")[0]).split(",")
    out: list[Seen] = []
    for address in addresses:
        try:
            value = parse_value(FactType.EMAIL, address.strip(), locale)
        except FactError:
            continue
        out.append(Seen(FactType.EMAIL, value.canonical, address.strip()))
    return out


def _url(target: str) -> list[Seen]:
    try:
        canonical = normalize_url(target)
    except ValueError:  # a malformed host or port: not an address anyone can open
        return []
    return [Seen(FactType.URL, canonical, target)]


def target_facts(href: str, locale: Locale) -> list[Seen]:
    """The facts a link or action target carries: tel: a phone, mailto: emails, http(s): a URL."""
    target = href.strip()
    scheme, colon, rest = target.partition(":")
    if not colon:
        return []
    scheme = scheme.lower()
    if scheme == "tel":
        return _phone(rest, locale)
    if scheme == "mailto":
        return _emails(rest, locale)
    if scheme in ("http", "https") and rest.startswith("//"):
        return _url(target)
    return []


def reading(title: str, text: str, links: tuple[str, ...], locale: Locale) -> Reading:
    """A Reading whose facts are those found in `text`, then those carried by `links`, in order."""
    facts = seen(find_facts(text, locale))
    for href in links:
        facts.extend(target_facts(href, locale))
    return Reading(title, text, tuple(facts), links)


def read(data: bytes, locale: Locale = Locale()) -> Reading:
    """Plain text as it is shown: every word is text, and a URL written in it is a fact but not a link."""
    return reading("", decode(data), (), locale)
