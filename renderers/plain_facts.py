"""The house style: one written form per fact type and locale, used by every channel.

Web pages, cards, chat, text messages and the IVR transcript all write a fact through these functions, so the
same fee is `$45` everywhere and the same phone number is `800-555-0100` everywhere. A channel adds markup
around the words (a `tel:` link, a `<time>` element) or a spoken alias beside them, never its own words. The
one per-channel form is `compact` (text messages): shorter days, months, clock times, hours and ranges.
Every form reads back, through `engine.facts.find_facts` in the same locale, as the same canonical value.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Callable

import phonenumbers

from renderers import fact_forms
from engine.facts import DAY_NAMES, Duration, FactType, FactValue, Hours, Locale, Money, find_facts, is_short_code

# "$" means the locale's own dollar to a reader (and to the recogniser); these symbols mean one currency anywhere.
DOLLARS = frozenset({"USD", "CAD", "AUD", "NZD"})
CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
SHORT_MONTHS = tuple(month[:3] for month in MONTHS)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EVERY_DAY, WEEKENDS = (0, 6), (5, 6)


@dataclass(frozen=True)
class Style:
    """How a channel writes facts: the knowledge base's locale, and whether it needs the compact forms."""

    locale: Locale = Locale()
    compact: bool = False
    url: Callable[[str], str] | None = None  # a canonical URL as the channel shows it (default: `short_url`)

    @property
    def months(self) -> tuple[str, ...]:
        return SHORT_MONTHS if self.compact else MONTHS

    @property
    def days(self) -> tuple[str, ...]:
        return DAY_NAMES if self.compact else DAYS


Presenter = Callable[[FactValue], str]


def number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def clock(value: time, style: Style = Style()) -> str:
    """"9 am", "7:30 pm", "noon", "midnight"; compact "9am", "7:30pm", "12pm". Another language: its CLDR form
    (renderers/fact_forms.py: "9:00 a.m.", "19:30")."""
    where = fact_forms.babel_locale(style.locale.language)
    if where is not None:
        return fact_forms.clock(value, where)
    if not style.compact and value in (time(12, 0), time(0, 0)):
        return "noon" if value.hour == 12 else "midnight"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{value.hour % 12 or 12}{minutes}{'' if style.compact else ' '}{'am' if value.hour < 12 else 'pm'}"


def closing(hours: Hours, style: Style = Style()) -> str:
    return "midnight" if hours.until_midnight else clock(hours.closes, style)


def day_span(first: int, last: int, style: Style = Style()) -> str:
    """"Monday to Friday", "every day", "weekends"; compact "Mon-Fri", "daily"."""
    if (first, last) == EVERY_DAY:
        return "daily" if style.compact else "every day"
    if (first, last) == WEEKENDS and not style.compact:
        return "weekends"
    if first == last:
        return style.days[first]
    return f"{style.days[first]}{'-' if style.compact else ' to '}{style.days[last]}"


def is_always_open(hours: Hours) -> bool:
    return (hours.first_day, hours.last_day) == EVERY_DAY and hours.opens == time(0, 0) and hours.until_midnight


def phone(fact: FactValue, style: Style = Style()) -> str:
    """Short codes as dialled; a number of the locale's country in national form (North American numbers as
    `800-555-0100`), any other in international form; an extension as "ext. 12"."""
    if is_short_code(fact):
        return fact.canonical
    e164, _, extension = fact.canonical.partition(";ext=")
    parsed = phonenumbers.parse(e164, None)
    digits = phonenumbers.national_significant_number(parsed)
    if parsed.country_code != phonenumbers.country_code_for_region(style.locale.region):
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    elif parsed.country_code == 1 and len(digits) == 10:
        shown = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    else:
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f"{shown} ext. {extension}" if extension else shown


def amount(value: Decimal) -> str:
    """Whole amounts without cents ("1,200"), others with two decimals ("2.50")."""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def money(fact: FactValue, style: Style = Style()) -> str:
    """A symbol where it cannot be misread ("$" is the locale's own dollar), else the currency code."""
    value = fact.value
    assert isinstance(value, Money)
    where = fact_forms.babel_locale(style.locale.language)
    if where is not None:  # "2,50 US$" (es), "$2.50" (es-US), "USD2.50" (es-MX): renderers/fact_forms.py
        return fact_forms.money(value, where)
    if value.currency in CURRENCY_SYMBOLS:
        return CURRENCY_SYMBOLS[value.currency] + amount(value.amount)
    if value.currency == style.locale.currency and value.currency in DOLLARS:
        return f"${amount(value.amount)}"
    return f"{value.currency} {amount(value.amount)}"


def day(fact: FactValue, style: Style = Style()) -> str:
    assert isinstance(fact.value, date)
    return date_words(fact.value, style)


def date_words(value: date, style: Style = Style()) -> str:
    if not style.locale.language.lower().startswith("en"):
        return localized_date(value, style.locale.language, style.compact)
    return f"{style.months[value.month - 1]} {value.day}, {value.year}"


def localized_date(value: date, language: str, compact: bool = False) -> str:
    """A date in another language, in CLDR's long form through Babel ("1 de enero de 2027"; compact: "1 ene
    2027"); the reader recognises these forms (engine/facts.py)."""
    from babel.dates import format_date
    where = fact_forms.babel_locale(language) or fact_forms.babel_locale("en-US", english=True)
    return format_date(value, "medium" if compact else "long", locale=where)


def time_of_day(fact: FactValue, style: Style = Style()) -> str:
    assert isinstance(fact.value, time)
    return clock(fact.value, style)


def hours(fact: FactValue, style: Style = Style()) -> str:
    value = fact.value
    assert isinstance(value, Hours)
    where = fact_forms.babel_locale(style.locale.language)
    if where is not None:  # "de lunes a viernes, de 9:00 a.m. a 5:00 p.m." (renderers/fact_forms.py)
        return fact_forms.hours(value, where, style.compact)
    if is_always_open(value):
        return "24/7" if style.compact else "24 hours a day, 7 days a week"
    span = f"{clock(value.opens, style)}{'-' if style.compact else ' to '}{closing(value, style)}"
    if value.first_day is None or value.last_day is None:
        return span
    return f"{day_span(value.first_day, value.last_day, style)}{' ' if style.compact else ', '}{span}"


def duration(fact: FactValue, style: Style = Style()) -> str:
    span = fact.value
    assert isinstance(span, Duration)
    if not style.locale.language.lower().startswith("en"):
        return localized_duration(span, style.locale.language)
    to = "-" if style.compact else " to "
    low = number(span.low) + (f"{to}{number(span.high)}" if span.high is not None else "")
    plural = span.high is not None or span.low != 1
    return f"{low} {'business ' if span.business else ''}{span.unit}{'s' if plural else ''}"


def localized_duration(span: Duration, language: str) -> str:
    """A duration in another language, its unit words from CLDR through Babel ("15 minutos", "3-5 días"); a
    business span adds that language's word ("10 días hábiles"). The reader recognises these forms
    (engine/facts.py)."""
    from babel.units import format_unit
    where = fact_forms.babel_locale(language) or fact_forms.babel_locale("en-US", english=True)
    amount = span.high if span.high is not None else span.low
    words = format_unit(amount, f"duration-{span.unit}", locale=where, length="long")
    if span.high is not None:  # "3-5 días": the range in figures, the unit in the form for the higher end
        words = f"{number(span.low)}-{number(span.high)} {words.partition(' ')[2]}"
    return f"{words} {BUSINESS.get(where.language, 'business')}" if span.business else words


BUSINESS = {"es": "hábiles"}  # the word after a unit for working days, per language (CLDR has none)


def percent(fact: FactValue, style: Style = Style()) -> str:
    assert isinstance(fact.value, Decimal)
    where = fact_forms.babel_locale(style.locale.language)
    if where is not None:  # "3,5 %" (es): renderers/fact_forms.py
        return fact_forms.percent(fact.value, where)
    return f"{number(fact.value)}%"


def short_url(canonical: str) -> str:
    """A canonical URL without `https://` when the short form still reads back as the same address (a host whose
    domain the recogniser does not take for one, `example.test` or `readme.md`, keeps it)."""
    short = canonical.removeprefix("https://")
    found = find_facts(short)
    if short != canonical and len(found) == 1 and found[0].raw == short and found[0].value is not None \
            and found[0].value.canonical == canonical:
        return short
    return canonical


def url(fact: FactValue, style: Style = Style()) -> str:
    return (style.url or short_url)(fact.canonical)


def as_is(fact: FactValue, style: Style = Style()) -> str:
    return fact.canonical


_BY_TYPE: dict[FactType, Callable[[FactValue, Style], str]] = {
    FactType.PHONE: phone, FactType.MONEY: money, FactType.DATE: day, FactType.TIME: time_of_day,
    FactType.HOURS: hours, FactType.DURATION: duration, FactType.URL: url, FactType.EMAIL: as_is,
    FactType.PERCENT: percent, FactType.TEXT: as_is,
}


def written(fact: FactValue, style: Style = Style()) -> str:
    """`fact` in the house style."""
    return _BY_TYPE[fact.type](fact, style)


def presenters(style: Style) -> dict[FactType, Presenter]:
    """One presentation function per fact type, in `style`."""
    return {kind: (lambda fact, present=present: present(fact, style)) for kind, present in _BY_TYPE.items()}
