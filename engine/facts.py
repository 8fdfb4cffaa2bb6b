"""Typed facts: one normaliser per type, and the recogniser that finds literal facts in prose.

Every place that compares facts (the parser, the validator, later the channel readers) goes through
`parse_value` and `find_facts`, so "(800) 555-0100" and "800.555.0100" are the same fact everywhere.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import idna
import phonenumbers
from phonenumbers import shortnumberinfo
from publicsuffixlist import PublicSuffixList

from engine.scripts import mixed, script


class FactType(str, Enum):
    PHONE = "phone"
    MONEY = "money"
    DATE = "date"
    TIME = "time"
    HOURS = "hours"
    DURATION = "duration"
    URL = "url"
    EMAIL = "email"
    PERCENT = "percent"
    TEXT = "text"


@dataclass(frozen=True)
class Locale:
    """How the organisation writes numbers: the phone region, the default currency, the language."""

    region: str = "US"
    currency: str = "USD"
    language: str = "en-US"


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Hours:
    first_day: int | None  # 0 = Monday; None when only a time range is given
    last_day: int | None
    opens: time
    closes: time  # time(0, 0) with `until_midnight` means 24:00
    until_midnight: bool = False


@dataclass(frozen=True)
class Duration:
    low: Decimal
    high: Decimal | None
    unit: str  # second, minute, hour, day, week, month, year
    business: bool


@dataclass(frozen=True)
class FactValue:
    """A normalised fact: `canonical` is the one form two values are compared by."""

    type: FactType
    canonical: str
    value: object


class FactError(ValueError):
    """A value that looks like a fact of its type but is not a valid one (with a message for authors)."""

    code: str | None = None  # a diagnostic code more precise than the caller's own, when there is one


class LookAlikeHost(FactError):
    """A host name whose letters mix scripts, as `pаypal.com` (Cyrillic `а`) does to pass for another."""

    code = "mixed-script-host"


# ---------------------------------------------------------------------------------------------------------
# Grammar shared by the normalisers and the recogniser.

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2, "thu": 3,
    "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6,
    "sunday": 6,
    # Spanish (translations' opening hours, renderers/fact_forms.py): "de lunes a viernes"
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4, "sábado": 5, "sabado": 5,
    "domingo": 6,
}
_MONTH = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
    # Spanish (translations, engine/locales.py): "1 de enero de 2027", "15 sep 2027"
    "enero": 1, "ene": 1, "febrero": 2, "marzo": 3, "abril": 4, "abr": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "ago": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12, "dic": 12,
}
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty-five": 45, "sixty": 60, "ninety": 90,
}
_CURRENCY_SYMBOLS = {"$": None, "€": "EUR", "£": "GBP", "US$": "USD"}  # None: the locale's currency
_CURRENCY_CODES = ("USD", "EUR", "GBP", "CAD", "AUD")
_UNITS = ("second", "minute", "hour", "day", "week", "month", "year")
# Spanish unit words (translations, engine/locales.py), singular and plural, as the English unit they name.
_UNITS_ES = {"segundo": "second", "minuto": "minute", "hora": "hour", "día": "day", "dia": "day",
             "semana": "week", "mes": "month", "año": "year"}
_UNITS_ES_PATTERN = r"segundos?|minutos?|horas?|d[íi]as?|semanas?|mes(?:es)?|años?"
# Endings on the Public Suffix List that are also file extensions ("readme.md", "setup.py", "photos.zip") or short
# words a missing space glues to a full stop ("done.It", "fees.In") or that name fields in dotted keys
# ("group.name", "user.id", "fees.new"): a bare name ending in one is a web address only when written with `www.`
# (or a scheme, as every ending may be).
WORDLIKE_ENDINGS = frozenset({
    "ai", "am", "as", "at", "be", "by", "call", "cc", "ch", "data", "day", "do", "email", "help", "here", "how",
    "id", "in", "is", "it", "life", "link", "live", "me", "md", "mk", "mobile", "mov", "name", "new", "no", "now",
    "one", "page", "phone", "pl", "ps", "py", "rs", "sh", "so", "to", "top", "zip",
})
MAX_MONEY = Decimal("1000000000000")
_SPANISH_DAYS = frozenset(list(_DAY)[list(_DAY).index("lunes"):])

_day_word = (r"(?:(?:" + "|".join(sorted((d for d in _DAY if d.endswith("day") or d in _SPANISH_DAYS), key=len,
                                          reverse=True))
             + r")\b|(?:" + "|".join(sorted((d for d in _DAY if not d.endswith("day") and d not in _SPANISH_DAYS),
                                           key=len, reverse=True))
             + r")\b\.?)")
_month_word = r"(?:" + "|".join(sorted(_MONTH, key=len, reverse=True)) + r")\.?"
_num_word = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"
_amount = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_time = (
    r"(?:(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b|a\.m\b|p\.m\b)"
    r"|(?:[01]?\d|2[0-4]):[0-5]\d\b|noon\b|midnight\b|medianoche\b|mediod[íi]a\b)"
)
_days = (
    rf"(?:(?:every\s+day|daily|weekdays|weekends|seven\s+days\s+a\s+week|todos\s+los\s+d[íi]as)"
    rf"|{_day_word}(?:(?:\s*(?:to|through|thru|-|–|—)\s*|\s+a\s+){_day_word})?)"
)
_range_sep = r"(?:\s*(?:to|until|till|through|-|–|—)\s*|\s+a\s+)"  # "a": Spanish ("de 9:00 a 17:00")

PATTERNS: dict[FactType, re.Pattern[str]] = {
    FactType.HOURS: re.compile(
        rf"(?<![\w/])(?:24/7\b|24\s+hours\s+a\s+day(?:,?\s+(?:7|seven)\s+days\s+a\s+week)?"
        rf"|24\s+horas\s+al\s+d[íi]a(?:,?\s+(?:los\s+)?(?:7|siete)\s+d[íi]as\s+(?:a|de)\s+la\s+semana)?"
        rf"|(?:de\s+)?(?P<days>{_days}),?\s+(?:from\s+|de\s+)?(?P<t1>{_time}){_range_sep}(?P<t2>{_time})"
        rf"|(?:from\s+|de\s+)?(?P<t3>{_time}){_range_sep}(?P<t4>{_time}),?\s+(?P<days2>{_days})"
        rf"|(?:from\s+|de\s+)?(?P<t5>{_time}){_range_sep}(?P<t6>{_time}))",
        re.IGNORECASE,
    ),
    FactType.DATE: re.compile(
        rf"(?<![\w/-])(?:(?P<iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})(?![\w-])"
        rf"|(?P<mdy_m>{_month_word})\s+(?P<mdy_d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<mdy_y>\d{{4}})\b"
        rf"|(?P<dmy_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:de\s+)?(?P<dmy_m>{_month_word})\s+(?:de\s+|del\s+)?(?P<dmy_y>\d{{4}})\b"
        rf"|(?P<slash>\d{{1,2}}/\d{{1,2}}/\d{{4}})(?![\w/]))",
        re.IGNORECASE,
    ),
    FactType.MONEY: re.compile(
        rf"(?<![\w.,])(?:(?P<sym>US\$|[$€£])\s?(?P<n1>{_amount})"
        rf"|(?P<code>{'|'.join(_CURRENCY_CODES)})\s?(?P<n2>{_amount})"
        rf"|(?P<n3>{_amount})\s?(?P<code2>{'|'.join(_CURRENCY_CODES)}|dollars?|cents?)\b)"
        rf"(?:\s?(?P<scale>million|thousand)\b|(?P<k>k)\b)?",  # "$5k", but "$5 K" is $5 and a letter
        re.IGNORECASE,
    ),
    FactType.PERCENT: re.compile(rf"(?<![\w.,])(?P<n>{_amount})\s?(?:%|percent\b|per\s+cent\b)", re.IGNORECASE),
    FactType.DURATION: re.compile(
        rf"(?<![\w.,$€£-])(?P<lo>{_num_word})(?:{_range_sep}(?P<hi>{_num_word}))?"
        rf"\s+(?:(?P<kind>business|working|calendar)\s+)?(?:(?P<unit>{'|'.join(_UNITS)})s?|(?P<unit_es>{_UNITS_ES_PATTERN}))"
        rf"\b(?:\s+(?P<kind_es>h[áa]biles|laborables|naturales)\b)?",
        re.IGNORECASE,
    ),
    FactType.TIME: re.compile(rf"(?<![\w:.])(?P<t>{_time})", re.IGNORECASE),
    FactType.EMAIL: re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    # Where a URL ends is decided after the match, by `url_length`: these only find where one may start.
    FactType.URL: re.compile(
        r"(?<![A-Za-z0-9_@./-])(?:https?://[^\s<>\[\]{}\"'`]+"
        r"|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9_@])(?:/[^\s<>\[\]{}\"'`]*)?)",
        re.IGNORECASE,
    ),
}
_DIGIT = re.compile(r"\d")
_TRAILING_PUNCTUATION = ".,;:!?'\""
_CLOSERS = {")": "("}
# Scripts written without spaces between words: a letter of one glued to an address is the sentence going on.
SPACELESS = frozenset({"HAN", "HIRAGANA", "KATAKANA", "BOPOMOFO", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"})
# Longest match wins; on a tie the earlier type in this list does.
_PRIORITY = (
    FactType.HOURS, FactType.DATE, FactType.PHONE, FactType.MONEY, FactType.EMAIL, FactType.URL,
    FactType.DURATION, FactType.PERCENT, FactType.TIME,
)


# ---------------------------------------------------------------------------------------------------------
# Normalisers: from the parts a pattern matched to one canonical value.


def _number(raw: str) -> Decimal:
    word = raw.lower()
    if word in _WORD_NUMBERS:
        return Decimal(_WORD_NUMBERS[word])
    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation as error:  # the patterns only let digits through; kept for safety
        raise FactError(f"`{raw}` is not a number") from error


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def _money(amount: Decimal, currency: str) -> FactValue:
    if amount >= MAX_MONEY:
        raise FactError(f"{currency} {amount:,} is not a plausible amount")
    amount = amount.quantize(Decimal("0.01"))
    return FactValue(FactType.MONEY, f"{currency} {amount}", Money(amount, currency))


def _money_from(m: re.Match[str], locale: Locale) -> FactValue:
    if m["sym"]:
        currency = _CURRENCY_SYMBOLS[m["sym"].upper()] or locale.currency
        amount = _number(m["n1"])
    elif m["code"]:
        currency, amount = m["code"].upper(), _number(m["n2"])
    else:
        word = m["code2"].lower()
        amount = _number(m["n3"])
        if word.startswith("cent"):
            currency, amount = locale.currency, amount / 100
        elif word.startswith("dollar"):
            currency = locale.currency if locale.currency in ("USD", "CAD", "AUD") else "USD"
        else:
            currency = word.upper()
    scale = (m["scale"] or m["k"] or "").lower()
    amount *= {"million": Decimal(1_000_000), "thousand": Decimal(1000), "k": Decimal(1000)}.get(scale, Decimal(1))
    return _money(amount, currency)


def _date(year: int, month: int, day: int) -> FactValue:
    try:
        value = date(year, month, day)
    except ValueError as error:
        raise FactError(f"{year:04d}-{month:02d}-{day:02d} is not a date on the calendar ({error})") from error
    return FactValue(FactType.DATE, value.isoformat(), value)


def _date_from(m: re.Match[str], locale: Locale) -> FactValue:
    if m["iso"]:
        y, mo, d = (int(part) for part in m["iso"].split("-"))
        return _date(y, mo, d)
    if m["mdy_m"]:
        return _date(int(m["mdy_y"]), _MONTH[m["mdy_m"].rstrip(".").lower()], int(m["mdy_d"]))
    if m["dmy_m"]:
        return _date(int(m["dmy_y"]), _MONTH[m["dmy_m"].rstrip(".").lower()], int(m["dmy_d"]))
    first, second, year = (int(part) for part in m["slash"].split("/"))
    if locale.region in ("US", "PH", "CA"):
        return _date(year, first, second)
    return _date(year, second, first)


def _clock(raw: str) -> tuple[time, bool]:
    """A time of day from its written form; the flag is True for 24:00 (end of day)."""
    text = raw.lower().replace(" ", "")
    if text in ("noon", "mediodía", "mediodia"):
        return time(12, 0), False
    if text in ("midnight", "medianoche"):
        return time(0, 0), False
    meridiem = None
    for suffix, tag in (("a.m.", "am"), ("p.m.", "pm"), ("a.m", "am"), ("p.m", "pm"), ("am", "am"), ("pm", "pm")):
        if text.endswith(suffix):
            meridiem, text = tag, text[: -len(suffix)]
            break
    hour_text, _, minute_text = text.partition(":")
    hour, minute = int(hour_text), int(minute_text or 0)
    if meridiem == "am" and hour == 12:
        hour = 0
    elif meridiem == "pm" and hour != 12:
        hour += 12
    if hour == 24 and minute == 0:
        return time(0, 0), True
    if hour > 23:
        raise FactError(f"`{raw}` is not a time of day")
    return time(hour, minute), False


def _time_from(m: re.Match[str], locale: Locale) -> FactValue:
    value, _ = _clock(m["t"])
    return FactValue(FactType.TIME, value.strftime("%H:%M"), value)


def _day_range(raw: str) -> tuple[int, int]:
    text = " ".join(raw.lower().split())
    if text in ("every day", "daily", "seven days a week", "todos los días", "todos los dias"):
        return 0, 6
    if text == "weekdays":
        return 0, 4
    if text == "weekends":
        return 5, 6
    parts = [p.rstrip(".") for p in re.split(r"\s*(?:to|through|thru|-|–|—)\s*|\s+a\s+", text) if p]
    first = _DAY[parts[0]]
    return first, _DAY[parts[-1]] if len(parts) > 1 else first


def hours_canonical(h: Hours) -> str:
    days = ""
    if h.first_day is not None and h.last_day is not None:
        days = DAY_NAMES[h.first_day] + ("" if h.first_day == h.last_day else "-" + DAY_NAMES[h.last_day]) + " "
    closes = "24:00" if h.until_midnight else h.closes.strftime("%H:%M")
    return f"{days}{h.opens.strftime('%H:%M')}-{closes}"


def _hours_from(m: re.Match[str], locale: Locale) -> FactValue:
    if m["t1"] or m["t3"] or m["t5"]:
        t_open, t_close = (m["t1"], m["t2"]) if m["t1"] else (m["t3"], m["t4"]) if m["t3"] else (m["t5"], m["t6"])
        days_raw = m["days"] or m["days2"]
        first, last = _day_range(days_raw) if days_raw else (None, None)
        opens, _ = _clock(t_open)
        closes, until_midnight = _clock(t_close)
        if closes == time(0, 0) and t_close.lower().strip() in ("midnight", "medianoche"):
            until_midnight = True
        value = Hours(first, last, opens, closes, until_midnight)
    else:
        value = Hours(0, 6, time(0, 0), time(0, 0), True)
    return FactValue(FactType.HOURS, hours_canonical(value), value)


def _duration_from(m: re.Match[str], locale: Locale) -> FactValue:
    low = _number(m["lo"])
    high = _number(m["hi"]) if m["hi"] else None
    business = (m["kind"] or m["kind_es"] or "").lower() in ("business", "working", "hábiles", "habiles", "laborables")
    spanish = (m["unit_es"] or "").lower()
    unit = m["unit"].lower() if m["unit"] else _UNITS_ES["mes" if spanish.startswith("mes") else spanish.removesuffix("s")]
    value = Duration(low, high, unit, business)
    span = _plain(low) + (f"-{_plain(high)}" if high is not None else "")
    return FactValue(FactType.DURATION, f"{span} {'business-' if business else ''}{unit}", value)


def _percent_from(m: re.Match[str], locale: Locale) -> FactValue:
    number = _number(m["n"])
    return FactValue(FactType.PERCENT, f"{_plain(number)}%", number)


INSECURE = "what customers send and receive there can be read and changed on the way"


def ascii_host(host: str) -> str:
    """`host` in its one ASCII form: an international name as IDNA 2008 A-labels, so `bücher.example`,
    `BÜCHER.example` and `xn--bcher-kva.example` are one host. Raises FactError for a name IDNA refuses, and
    LookAlikeHost for a label that mixes scripts."""
    if host.isascii() and "xn--" not in host:
        return host
    try:
        written = ".".join(label[4:].encode("ascii").decode("punycode") if label.startswith("xn--") else label
                           for label in host.split("."))
        encoded = idna.encode(written, uts46=True).decode("ascii")
        shown = idna.decode(encoded)
    except UnicodeError as error:  # idna.IDNAError is one
        raise FactError(f"`{host}` is not a valid international host name ({error})") from error
    for label in shown.split("."):
        if mixed(label):
            first = next(s for char in label if (s := script(char)) is not None)
            odd = next(char for char in label if script(char) not in (None, first))
            raise LookAlikeHost(
                f"the host `{shown}` mixes {first.title()} and {str(script(odd)).title()} letters in `{label}` "
                f"(`{odd}` is U+{ord(odd):04X} {unicodedata.name(odd, '')}): a look-alike of another address")
    return encoded


def normalize_url(raw: str) -> str:
    text = raw.strip()
    if not re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE):
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    host = ascii_host((parts.hostname or "").lower())
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path if parts.path not in ("", "/") else ""
    return urlunsplit((scheme, netloc, path.rstrip("/") if path.endswith("/") else path, parts.query, ""))


def _url_value(raw: str) -> FactValue:
    canonical = normalize_url(raw)
    return FactValue(FactType.URL, canonical, canonical)


def _url_from(m: re.Match[str], locale: Locale) -> FactValue:
    if url_length(m.group(0)) != len(m.group(0)):
        raise FactError(f"`{m.group(0)}` is not a whole web address{_EXAMPLES[FactType.URL]}")
    return _url_value(m.group(0))


def _email_from(m: re.Match[str], locale: Locale) -> FactValue:
    canonical = m.group(0).lower()
    return FactValue(FactType.EMAIL, canonical, canonical)


def _phone(number: phonenumbers.PhoneNumber) -> FactValue:
    canonical = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        canonical += f";ext={number.extension}"
    return FactValue(FactType.PHONE, canonical, canonical)


_FROM_MATCH = {
    FactType.HOURS: _hours_from,
    FactType.DATE: _date_from,
    FactType.MONEY: _money_from,
    FactType.PERCENT: _percent_from,
    FactType.DURATION: _duration_from,
    FactType.TIME: _time_from,
    FactType.EMAIL: _email_from,
    FactType.URL: _url_from,
}


# ---------------------------------------------------------------------------------------------------------
# Recognition in prose.


@dataclass(frozen=True)
class Found:
    """A literal fact found in text: its span, and its value or why it is not a valid one."""

    start: int
    end: int
    raw: str
    type: FactType
    value: FactValue | None
    error: str | None = None
    code: str | None = None  # the error's own diagnostic code, when it has one


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList(only_icann=True)  # the list bundled with the library: no download, ever


def real_domain(host: str) -> bool:
    """Is `host` a name under a real public suffix (`army.mil`, `nato.int`, `gov.uk`'s `www.gov.uk`), as a name
    written without a scheme must be to be read as an address? Not `form.pdf`, `e.g` or `v1.2`."""
    labels = host.split(".")
    ending = labels[-1]
    if len(labels) < 2 or (ending[0].isupper() and ending[1:].islower()):  # "done.It": a sentence, not a domain
        return False
    name = host.lower()
    if ending.lower() in WORDLIKE_ENDINGS and not name.startswith("www."):
        return False
    return _suffixes().privatesuffix(name, accept_unknown=False) is not None


def _ends_address(text: str, index: int, in_host: bool) -> bool:
    """Does the character at `index` end the address it follows? Only non-ASCII characters are asked: a
    dash, a typographic quote or any other mark that is not a letter or digit ends it, and so does a letter of a
    script written without spaces, glued to the address (in a host: right after an ASCII letter or digit)."""
    char = text[index]
    if not unicodedata.category(char).startswith(("L", "M", "N")):
        return True
    if script(char) not in SPACELESS:
        return False
    return not in_host or text[index - 1].isascii() and text[index - 1].isalnum()


def url_length(raw: str) -> int:
    """How much of `raw` (a match of the URL pattern) a reader takes for the address: it ends before trailing
    punctuation, a closing bracket it did not open, a quote, a dash or text in a script written without spaces
    (a non-ASCII path or query followed by such text needs percent-encoding); a host ends before a `-word`
    glued to its ending, and a name without a scheme must be a real domain. 0 when no address is left."""
    start = raw.find("://") + 3 if "://" in raw else 0
    host_end = next((i for i in range(start, len(raw)) if raw[i] in "/?#"), len(raw))
    host = raw[start:host_end].split(":")[0]
    dot = host.rfind(".")
    dash = host.find("-", dot + 1)
    if dot > 0 and dash > 0 and not host[dot + 1:].lower().startswith("xn--"):
        raw = raw[:start + dash]  # "example.gov-certified": no domain ending has a dash (but an IDNA one)
        host_end = len(raw)
    end = next((i for i in range(start, len(raw))
                if not raw[i].isascii() and _ends_address(raw, i, i < host_end)), len(raw))
    while True:
        trimmed = raw[:end].rstrip(_TRAILING_PUNCTUATION)
        last = trimmed[-1:] if trimmed else ""
        if last in _CLOSERS and trimmed.count(last) > trimmed.count(_CLOSERS[last]):
            trimmed = trimmed[:-1]
        if len(trimmed) == end:
            break
        end = len(trimmed)
    if start:
        return end if end > start else 0
    host_end = min(host_end, end)
    labels = raw[:host_end].split(".")
    while len(labels) >= 2 and not real_domain(".".join(labels)):
        labels.pop()  # "riverton.gov.Then": the name ends where the real domain does
        end = len(".".join(labels))
    return end if len(labels) >= 2 else 0


_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_WORD_NUMBERS) + r"|noon|midnight|medianoche|mediod[íi]a)\b",
                          re.IGNORECASE)


_URL_HINT = re.compile(r"://|[A-Za-z0-9]\.[A-Za-z]{2}")


_HINTS = {
    # a code may touch its amount ("USD2.50": es-MX's CLDR form)
    FactType.MONEY: re.compile(r"[$€£]|\b(?:" + "|".join(_CURRENCY_CODES) + r")|\b(?:dollars?|cents?)\b", re.IGNORECASE),
    FactType.PERCENT: re.compile(r"%|\bper\s*cent\b", re.IGNORECASE),
    FactType.TIME: re.compile(r"\d:[0-5]\d|\d\s?[ap]\.?m\b|\bnoon\b|\bmidnight\b|\bmedianoche\b|\bmediod[íi]a\b",
                              re.IGNORECASE),
    FactType.HOURS: re.compile(r"\d:[0-5]\d|\d\s?[ap]\.?m\b|\bnoon\b|\bmidnight\b|\bmedianoche\b|\bmediod[íi]a\b"
                               r"|24/7|24\s+hours|24\s+horas", re.IGNORECASE),
    FactType.DURATION: re.compile(r"\b(?:(?:" + "|".join(_UNITS) + r")s?|" + _UNITS_ES_PATTERN + r")\b", re.IGNORECASE),
    FactType.DATE: re.compile(r"\d{4}|\d/\d", re.IGNORECASE),
}
# A run of digits and separators long enough to be a phone number: only such spans go to the (slow) matcher.
_PHONE_HINT = re.compile(r"[+(]?\d[\d \t().\-–]{5,}\d")


def _worth_trying(text: str) -> set[FactType]:
    """The types whose pattern could match at all: regexes are the hot path, and most text gives each type
    away by a cheap sign (a currency mark, a unit word, an am/pm) long before the full pattern runs."""
    kinds: set[FactType] = set()
    if "@" in text:
        kinds.add(FactType.EMAIL)
    if _URL_HINT.search(text):
        kinds.add(FactType.URL)
    if _DIGIT.search(text):
        kinds |= {kind for kind, hint in _HINTS.items() if hint.search(text)}
    elif _NUMBER_WORD.search(text):
        kinds |= {kind for kind in (FactType.DURATION, FactType.TIME, FactType.HOURS) if _HINTS[kind].search(text)}
    return kinds


def _phones(text: str, locale: Locale) -> list[Found]:
    """Phone numbers, by running libphonenumber's matcher only on the spans that look like one."""
    found: list[Found] = []
    for hint in _PHONE_HINT.finditer(text):
        start = max(0, hint.start() - 4)
        window = text[start:hint.end() + 16]
        matcher = phonenumbers.PhoneNumberMatcher(window, locale.region, leniency=phonenumbers.Leniency.STRICT_GROUPING)
        for match in matcher:
            begin = start + match.start
            if begin < hint.start() - 4 or any(f.start == begin for f in found):
                continue
            found.append(Found(begin, begin + len(match.raw_string), match.raw_string, FactType.PHONE,
                               _phone(match.number)))
    return found


@dataclass(frozen=True)
class _DecimalComma:
    """How a language that writes a decimal comma writes money and percentages (CLDR, through Babel):
    "2,50 US$", "1.200 €", "3,5 %" in `es`. None of these reads as the same value under the English grammar."""

    money: re.Pattern[str]
    percent: re.Pattern[str]
    symbols: dict[str, str | None]  # symbol or code as written -> currency (None: the locale's own)
    group: str
    hint: re.Pattern[str]

    def number(self, raw: str) -> Decimal:
        return Decimal(raw.replace(self.group, "").replace(",", "."))


@lru_cache(maxsize=64)
def decimal_comma(language: str) -> _DecimalComma | None:
    """The decimal-comma grammar of `language` (a BCP 47 tag), or None when it writes a decimal point (English,
    `es-US`, `es-MX`: the shared grammar reads those)."""
    try:
        from babel import Locale as BabelLocale
        from babel.numbers import get_currency_symbol, get_decimal_symbol, get_group_symbol
        where = BabelLocale.parse((language or "en").replace("-", "_"))
    except (ImportError, ValueError, LookupError):
        return None
    if where.language == "en" or get_decimal_symbol(where) != ",":
        return None
    group = get_group_symbol(where).translate(_NUMBER_SPACES)
    symbols: dict[str, str | None] = {"$": None, "€": "EUR", "£": "GBP"}
    for code in _CURRENCY_CODES:
        symbols[code] = code
        symbols[get_currency_symbol(code, where)] = code
    written = "|".join(re.escape(symbol) for symbol in sorted(symbols, key=len, reverse=True))
    number = rf"(?P<n>\d{{1,3}}(?:{re.escape(group)}\d{{3}})+|\d+)(?P<f>,\d+)?"
    prefix = where.currency_formats["standard"].pattern.lstrip("-").startswith("¤")
    money = (rf"(?<![\w.,])(?P<cur>{written})\s?{number}(?![\d,])" if prefix
             else rf"(?<![\w.,$€£]){number}\s?(?P<cur>{written})(?![\w$])")
    return _DecimalComma(re.compile(money), re.compile(rf"(?<![\w.,]){number}\s?%"), symbols, group,
                         re.compile(rf"%|{written}"))


def _comma_candidates(text: str, locale: Locale, grammar: _DecimalComma) -> list[Found]:
    """Money and percentages in a decimal-comma language's own forms (listed first: on a tie with the shared
    grammar's reading of the same span, the locale's reading wins)."""
    found: list[Found] = []
    if not grammar.hint.search(text):
        return found
    for m in grammar.money.finditer(text):
        amount = grammar.number(m["n"] + (m["f"] or ""))
        currency = grammar.symbols[m["cur"]] or locale.currency
        try:
            found.append(Found(m.start(), m.end(), m.group(0), FactType.MONEY, _money(amount, currency)))
        except FactError as error:
            found.append(Found(m.start(), m.end(), m.group(0), FactType.MONEY, None, str(error)))
    for m in grammar.percent.finditer(text):
        number = grammar.number(m["n"] + (m["f"] or ""))
        found.append(Found(m.start(), m.end(), m.group(0), FactType.PERCENT,
                           FactValue(FactType.PERCENT, f"{_plain(number)}%", number)))
    return found


def _candidates(text: str, locale: Locale) -> list[Found]:
    found: list[Found] = []
    grammar = decimal_comma(locale.language) if _DIGIT.search(text) else None
    if grammar is not None:
        found.extend(_comma_candidates(text, locale, grammar))
    worth = _worth_trying(text)
    for kind, pattern in PATTERNS.items():
        if kind not in worth:
            continue
        for m in pattern.finditer(text):
            raw = m.group(0)[:url_length(m.group(0))] if kind is FactType.URL else m.group(0)
            if not raw.strip():
                continue
            try:
                value = _url_value(raw) if kind is FactType.URL else _FROM_MATCH[kind](m, locale)
                found.append(Found(m.start(), m.start() + len(raw), raw, kind, value))
            except FactError as error:
                found.append(Found(m.start(), m.start() + len(raw), raw, kind, None, str(error), error.code))
    if _DIGIT.search(text):
        found.extend(_phones(text, locale))
    return found


def find_facts(text: str, locale: Locale = Locale()) -> list[Found]:
    """Every literal fact in `text`, left to right, non-overlapping (the longest match wins). A fact never
    spans a line break: lines are separate blocks (a card's fact list, a page's paragraphs)."""
    if "\n" not in text:
        return list(_find_cached(text, locale))
    found: list[Found] = []
    offset = 0
    for line in text.split("\n"):
        for item in _find_cached(line, locale):
            found.append(replace(item, start=item.start + offset, end=item.end + offset))
        offset += len(line) + 1
    return found


# Spaces that keep a number on one line ("800\u00a0555\u00a00100", "1\u202f000"): read as the space they are,
# one character for one, so every span still points into the text as written.
_NUMBER_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u2009\u202f", " "))


@lru_cache(maxsize=4096)
def _find_cached(text: str, locale: Locale) -> tuple[Found, ...]:
    spaced = text.translate(_NUMBER_SPACES)
    candidates = _candidates(spaced, locale)
    if spaced != text:
        candidates = [replace(found, raw=text[found.start:found.end]) for found in candidates]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start), _PRIORITY.index(f.type)))
    chosen: list[Found] = []
    for item in sorted(candidates, key=lambda f: (-(f.end - f.start), _PRIORITY.index(f.type), f.start)):
        if all(item.end <= c.start or item.start >= c.end for c in chosen):
            chosen.append(item)
    return tuple(sorted(chosen, key=lambda f: f.start))


# ---------------------------------------------------------------------------------------------------------
# Values written in _facts.yaml.


def parse_value(kind: FactType, raw: object, locale: Locale = Locale(), currency: str | None = None) -> FactValue:
    """Normalise a value as an editor wrote it for a fact of type `kind`; raise FactError if it is not one."""
    if kind is FactType.DATE and isinstance(raw, date):
        return FactValue(FactType.DATE, raw.isoformat(), raw)
    if kind in (FactType.MONEY, FactType.PERCENT) and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = Decimal(str(raw))
        if kind is FactType.PERCENT:
            return FactValue(FactType.PERCENT, f"{_plain(number)}%", number)
        return _money(number, currency or locale.currency)
    if not isinstance(raw, str):
        raise FactError(f"a {kind.value} fact needs a text value, not {type(raw).__name__}")
    text = " ".join(raw.split())
    if not text:
        raise FactError(f"a {kind.value} fact needs a value")
    if kind is FactType.TEXT:
        return FactValue(FactType.TEXT, text, text)
    if kind is FactType.PHONE:
        try:
            number = phonenumbers.parse(text, locale.region)
        except phonenumbers.NumberParseException as error:
            raise FactError(f"`{text}` is not a phone number ({error})") from error
        if not phonenumbers.is_valid_number(number):
            raise FactError(f"`{text}` is not a valid phone number for region {locale.region}")
        return _phone(number)
    if kind is FactType.MONEY and currency and re.fullmatch(_amount, text):
        return _money(_number(text), currency.upper())
    if kind is FactType.PERCENT and re.fullmatch(_amount, text):
        return FactValue(FactType.PERCENT, f"{_plain(_number(text))}%", _number(text))
    match = PATTERNS[kind].fullmatch(text)
    if match is None:
        raise FactError(f"`{text}` is not a {kind.value} this engine can read{_EXAMPLES.get(kind, '')}")
    value = _FROM_MATCH[kind](match, locale)
    if kind is FactType.MONEY and currency and isinstance(value.value, Money) and value.value.currency != currency.upper():
        raise FactError(f"`{text}` is in {value.value.currency}, but the fact says currency {currency.upper()}")
    return value


def dialled(target: str, locale: Locale = Locale()) -> FactValue:
    """The number a `tel:` link dials: a full number in any written form, with the region's own international
    prefix (`011 44 20 7946 0958` in the US) or the common `00`, or a short code that works in the region
    (`911`, `988`, `211`: libphonenumber's short-number data). A short code's canonical form is its digits
    alone, as dialled: `+1911` would be another number. Raises FactError for anything else."""
    text = " ".join(target.split())
    try:
        return parse_value(FactType.PHONE, text, locale)
    except FactError as error:
        digits = re.sub(r"[\s().\-]", "", text)
        if digits.startswith("00") and digits[2:].isdigit():
            try:
                return parse_value(FactType.PHONE, "+" + digits[2:], locale)
            except FactError:
                raise error from None
        if digits.isdigit() and _is_short_code(digits, locale.region):
            return FactValue(FactType.PHONE, digits, digits)
        raise


def _is_short_code(digits: str, region: str) -> bool:
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return False
    return (phonenumbers.national_significant_number(number) == digits
            and shortnumberinfo.is_valid_short_number_for_region(number, region))


def is_short_code(fact: FactValue) -> bool:
    """Is this phone fact a short code (`911`), which has no international form to present?"""
    return fact.type is FactType.PHONE and not fact.canonical.startswith("+")


def says_short_code(fact: FactValue, text: str) -> bool:
    """Does `text` write this short code as a number of its own ("call 911")? The recogniser cannot tell three
    digits from any other number, so this is how a short code is found in what a channel says."""
    return is_short_code(fact) and re.search(rf"(?<!\d){re.escape(fact.canonical)}(?!\d)", text) is not None


_EXAMPLES = {
    FactType.MONEY: " (write it like `$2.50` or `USD 2.50`)",
    FactType.DATE: " (write it like `2026-03-05`)",
    FactType.TIME: " (write it like `7 pm` or `19:00`)",
    FactType.HOURS: " (write it like `Monday to Friday, 7 am to 7 pm`)",
    FactType.DURATION: " (write it like `3 business days` or `48 hours`)",
    FactType.URL: " (write it like `https://riverton.gov/pay`)",
    FactType.EMAIL: " (write it like `billing@riverton.gov`)",
    FactType.PERCENT: " (write it like `5%`)",
}
