"""SSML reader: what a caller hears, written back in forms the fact recogniser reads ("2 dollars and 50 cents"
heard becomes "$2.50"), one line per paragraph or sentence.

What is heard is what counts: a `<sub>` is heard as its alias, never its written content, so an alias that
says another amount than the content is caught. `<say-as>` dates are rewritten as ISO dates using their
`format`; telephone and time content is kept. `<desc>`, `<metadata>`, `<lexicon>`, comments and `<break>`
add no words; any other element (emphasis, prosody, voice, lang, mark, audio fallback text...) is heard as its
content. A document type declaration is refused (no entity expansion), and SSML has no links.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from engine.facts import Locale, decimal_comma
from engine.readers import Reading
from engine.readers.text import reading

_LINES = frozenset({"p", "s", "paragraph", "sentence"})
_SILENT = frozenset({"desc", "metadata", "lexicon", "break"})


class _NoDoctype(ET.TreeBuilder):
    """A tree builder that refuses any document type declaration (and with it every entity definition)."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise ValueError("ssml reader: a document type declaration is not allowed in SSML output")


def parse(data: bytes) -> ET.Element:
    if re.search(rb"<!DOCTYPE", data, re.IGNORECASE):
        raise ValueError("ssml reader: a document type declaration is not allowed in SSML output")
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        return parser.close()  # type: ignore[no-any-return]
    except ET.ParseError as error:  # a SyntaxError: every reader refuses what it cannot read with ValueError
        raise ValueError(f"ssml reader: not well-formed XML ({error})") from error


# ------------------------------------------------------------------------------------- heard -> written

_CURRENCY_WORDS = {
    "dollar": None, "canadian dollar": "CAD", "australian dollar": "AUD", "euro": "EUR", "pound": "GBP",
    "dólar": None, "dolar": None,  # Spanish, as a translation's phone line says amounts (renderers/phrases.py)
}
_SMALL_WORDS = {"cent": None, "penny": "GBP", "pence": "GBP", "centavo": None, "céntimo": "EUR"}
_DOLLAR_CURRENCIES = ("USD", "CAD", "AUD")
_SYMBOLS = {"EUR": "€", "GBP": "£"}
_AMOUNT = r"\d{1,3}(?:,\d{3})+|\d+"
_UNIT = r"(?:canadian\s+|australian\s+)?dollars?|d[óo]lar(?:es)?|euros?|pounds?|(?-i:USD|EUR|GBP|CAD|AUD)"
_MONEY = re.compile(
    rf"(?:(?P<whole>{_AMOUNT})\s+(?P<unit>{_UNIT}))?"
    rf"(?:(?(whole)\s+(?:and\s+|con\s+)?)(?P<small>\d+)\s+(?P<small_unit>cents?|pence|penny|centavos?|céntimos?))?",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"(?P<n>(?:{_AMOUNT})(?:[.,]\d+)?)\s*(?:percent|per\s+cent|por\s+ciento)", re.IGNORECASE)
_DIGIT_GROUPS = re.compile(r"\d(?: \d)*(?:, \d(?: \d)*)+")
_EXTENSION = re.compile(r"extension((?: \d)+)", re.IGNORECASE)
_MARKS = {
    "dot": ".", "slash": "/", "dash": "-", "underscore": "_", "colon": ":", "question mark": "?", "equals": "=",
    "and": "&", "hash": "#", "plus": "+", "tilde": "~", "percent": "%", "at": "@", "colon slash slash": "://",
}
# Marks no address spells as a word of its own; the others ("at", "and", "dash"...) may be words too.
_ONLY_MARKS = frozenset({"slash", "underscore", "colon", "question mark", "equals", "tilde", "colon slash slash",
                         "barra", "guion bajo", "dos puntos", "arroba"})
# Spanish mark words, as a translation's phone line spells an address (renderers/phrases.py).
_MARKS_ES = {"punto": ".", "barra": "/", "guion": "-", "guion bajo": "_", "dos puntos": ":", "arroba": "@",
             "por ciento": "%", "más": "+"}
_HEARD_MARKS = {**_MARKS, **_MARKS_ES}


def _unit_currency(word: str, locale: Locale) -> str:
    base = re.sub(r"(?<=r)es$|s$", "", " ".join(word.lower().split()))  # dollars, dólares -> dollar, dólar
    if base in _CURRENCY_WORDS:
        return _CURRENCY_WORDS[base] or (locale.currency if locale.currency in _DOLLAR_CURRENCIES else "USD")
    return word.upper()  # a currency code spoken as is


def _written_money(amount: Decimal, currency: str, locale: Locale) -> str:
    shown = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    if currency == locale.currency and currency in _DOLLAR_CURRENCIES:
        return f"${shown}"
    if currency in _SYMBOLS:
        return f"{_SYMBOLS[currency]}{shown}"
    return f"{currency} {amount:.2f}"


def _money(alias: str, locale: Locale) -> str | None:
    m = _MONEY.fullmatch(alias)
    if m is None or not (m["whole"] or m["small"]):
        return None
    amount = Decimal(m["whole"].replace(",", "")) if m["whole"] else Decimal(0)
    if m["small"]:
        amount += Decimal(m["small"]) / 100
    if m["unit"]:
        currency = _unit_currency(m["unit"], locale)
    else:
        currency = _SMALL_WORDS[m["small_unit"].lower().removesuffix("s")] or locale.currency
    return _written_money(amount, currency, locale)


def _percent(alias: str, locale: Locale) -> str | None:
    """"3.5 percent" -> "3.5%"; in a decimal-comma language the phone line says "3,5 por ciento", 3.5 too."""
    m = _PERCENT.fullmatch(alias)
    if m is None:
        return None
    number = m["n"]
    if decimal_comma(locale.language) is not None and re.fullmatch(r"\d+,\d+", number):
        number = number.replace(",", ".")
    return f"{number}%"


def _phone_digits(alias: str, locale: Locale) -> str | None:
    if _DIGIT_GROUPS.fullmatch(alias):
        return " ".join(group.replace(" ", "") for group in alias.split(", "))
    m = _EXTENSION.fullmatch(alias)
    return f"ext. {m[1].replace(' ', '')}" if m else None


def _address_tokens(alias: str) -> list[str]:
    text = " ".join(alias.split())
    for phrase in ("colon slash slash", "question mark", "guion bajo", "dos puntos", "por ciento"):  # one token each
        text = re.sub(rf"\b{phrase}\b", phrase.replace(" ", "_"), text)
    return [token.replace("_", " ") if token.replace("_", " ") in _HEARD_MARKS else token for token in text.split(" ")]


def _spelled(tokens: list[str]) -> list[str] | None:
    """Tokens as address characters, or None if they are not a spelled address. A spelled address never has
    two words side by side, so a mark word right after a word is its mark; elsewhere it is read as a word
    when the rest still parses ("slash at dash home" is "/at-home")."""
    # tails[i][w]: tokens[i:] written out, given whether token i - 1 was a word (w); None when impossible
    tails: list[list[list[str] | None]] = [[None, None] for _ in tokens] + [[[], []]]
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        for after_word in (0, 1):
            as_word, as_mark = tails[i + 1][1], tails[i + 1][0]
            if not after_word and token not in _ONLY_MARKS and as_word is not None:
                tails[i][after_word] = [token, *as_word]
            elif token in _HEARD_MARKS and as_mark is not None:
                tails[i][after_word] = [_HEARD_MARKS[token], *as_mark]
    return tails[0][0]


def _address(alias: str, locale: Locale) -> str | None:
    tokens = _address_tokens(alias)
    parts = _spelled(tokens)
    if parts is None or parts == tokens:
        return None
    return "".join(parts)


_ALIASES = (_money, _percent, _phone_digits, _address)
_MARK_WORDS = {mark: word for word, mark in _MARKS.items() if len(mark) == 1}


def spoken_address(written: str) -> str:
    """An address read out mark by mark ("a_b.gov" -> "a underscore b dot gov")."""
    parts = re.split(r"([^\w]|_)", written)
    return " ".join(_MARK_WORDS.get(part, part) for part in parts if part and not part.isspace())


def written_alias(alias: str, locale: Locale = Locale(), shown: str = "") -> str:
    """What a caller hears for a `<sub alias>`, written the way the recogniser reads it (else the alias).
    When the alias is exactly the shown address read out mark by mark, the address is what was heard, even
    where a part of it is itself a mark's name ("0@colon.gov")."""
    heard = " ".join(alias.split())
    if shown and re.search(r"[@./]", shown) and heard.casefold() == spoken_address(shown).casefold():
        return shown
    for convert in _ALIASES:
        written = convert(heard, locale)
        if written is not None:
            return written
    return heard


_DATE_WIDTHS = {"y": 4, "m": 2, "d": 2}


def _date_order(format_: str) -> str:
    order = ""
    for letter in format_.lower():
        if letter in "ymd" and letter not in order:
            order += letter
    return order


def written_date(content: str, format_: str | None) -> str:
    """A say-as date as an ISO date, read in the order its `format` gives; content the format does not
    describe in full (no format, a partial date, month names) stays as it is."""
    order = _date_order(format_ or "")
    groups = re.findall(r"\d+", content)
    if len(order) != 3 or re.search(r"[^\W\d_]", content):
        return content
    if len(groups) == 1 and len(groups[0]) == 8:
        digits, groups = groups[0], []
        for letter in order:
            groups.append(digits[: _DATE_WIDTHS[letter]])
            digits = digits[_DATE_WIDTHS[letter]:]
    if len(groups) != 3:
        return content
    parts = dict(zip(order, groups))
    try:
        year, month, day = (int(parts[letter]) for letter in "ymd")
    except (KeyError, InvalidOperation, ValueError):
        return content
    return f"{year:04d}-{month:02d}-{day:02d}"


def written_time(content: str) -> str:
    """A say-as time; seconds are dropped ("17:00:00" -> "17:00"), the recogniser reads the rest."""
    return re.sub(r"\b(\d{1,2}:\d{2}):\d{2}\b", r"\1", content)


# ------------------------------------------------------------------------------------------------ walking


@dataclass
class _Voice:
    """What the caller hears, line by line."""

    lines: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)

    def say(self, text: str | None) -> None:
        if text:
            self.current.append(text)

    def end_line(self) -> None:
        words = " ".join("".join(self.current).split())
        if words:
            self.lines.append(words)
        self.current = []


def _name(element: ET.Element) -> str:
    return str(element.tag).rpartition("}")[2].lower()


def _say_as(element: ET.Element) -> str:
    content = "".join(element.itertext())
    kind = element.get("interpret-as", "").lower()
    if kind == "date":
        return written_date(content.strip(), element.get("format"))
    if kind == "time":
        return written_time(content)
    return content


def _walk(element: ET.Element, voice: _Voice, locale: Locale) -> None:
    name = _name(element)
    if name in _SILENT:
        return
    if name in _LINES:
        voice.end_line()
    if name == "sub":
        alias = element.get("alias")
        shown = "".join(element.itertext())
        voice.say(written_alias(alias, locale, shown) if alias is not None else shown)
    elif name == "say-as":
        voice.say(_say_as(element))
    else:
        voice.say(element.text)
        for child in element:
            _walk(child, voice, locale)
            voice.say(child.tail)
    if name in _LINES:
        voice.end_line()


def read(data: bytes, locale: Locale = Locale()) -> Reading:
    voice = _Voice()
    _walk(parse(data), voice, locale)
    voice.end_line()
    return reading("", "\n".join(voice.lines), (), locale)
