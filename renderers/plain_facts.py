"""Typed facts as plain text, for the channels that write words only (chat, SMS): one function per fact type,
with a `Style` for how roomy or compact each form is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Callable

import phonenumbers

from engine.facts import Duration, FactType, FactValue, Hours, Money, find_facts, is_short_code

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Style:
    """How one channel writes facts. Every form must read back, through `engine.facts.find_facts`, as the
    same canonical value."""

    months: tuple[str, ...] = MONTHS
    days: tuple[str, ...] = DAYS
    compact: bool = False  # "8am-5pm", "Mon-Fri", "24/7", "800-555-0100" instead of the roomy forms
    url: Callable[[str], str] = str  # a canonical URL as the channel shows it


Presenter = Callable[[FactValue], str]


def number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def clock(value: time, style: Style) -> str:
    if not style.compact and value in (time(12, 0), time(0, 0)):
        return "noon" if value.hour == 12 else "midnight"
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{value.hour % 12 or 12}{minutes}{'' if style.compact else ' '}{'am' if value.hour < 12 else 'pm'}"


def phone(fact: FactValue, style: Style) -> str:
    if is_short_code(fact):
        return fact.canonical
    e164, _, extension = fact.canonical.partition(";ext=")
    parsed = phonenumbers.parse(e164, None)
    if parsed.country_code == 1 and style.compact:
        digits = phonenumbers.national_significant_number(parsed)
        shown = f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    else:
        shown = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == 1
                                           else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"{shown} ext. {extension}" if extension else shown


def money(fact: FactValue, style: Style) -> str:
    assert isinstance(fact.value, Money)
    amount = f"{fact.value.amount:,.2f}".removesuffix(".00")
    symbol = CURRENCY_SYMBOLS.get(fact.value.currency)
    return f"{symbol}{amount}" if symbol else f"{fact.value.currency} {amount}"


def day(fact: FactValue, style: Style) -> str:
    assert isinstance(fact.value, date)
    return f"{style.months[fact.value.month - 1]} {fact.value.day}, {fact.value.year}"


def time_of_day(fact: FactValue, style: Style) -> str:
    assert isinstance(fact.value, time)
    return clock(fact.value, style)


def hours(fact: FactValue, style: Style) -> str:
    value = fact.value
    assert isinstance(value, Hours)
    if (value.first_day, value.last_day) == (0, 6) and value.opens == time(0, 0) and value.until_midnight:
        return "24/7" if style.compact else "24 hours a day, 7 days a week"
    to = "-" if style.compact else " to "
    days = ""
    if value.first_day is not None and value.last_day is not None:
        days = style.days[value.first_day]
        days += "" if value.last_day == value.first_day else f"{to}{style.days[value.last_day]}"
        days += " " if style.compact else ", "
    closes = "midnight" if value.until_midnight else clock(value.closes, style)
    return f"{days}{clock(value.opens, style)}{to}{closes}"


def duration(fact: FactValue, style: Style) -> str:
    span = fact.value
    assert isinstance(span, Duration)
    amount = number(span.low) + (f"-{number(span.high)}" if span.high is not None else "")
    plural = span.high is not None or span.low != 1
    return f"{amount} {'business ' if span.business else ''}{span.unit}{'s' if plural else ''}"


def percent(fact: FactValue, style: Style) -> str:
    assert isinstance(fact.value, Decimal)
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


def url(fact: FactValue, style: Style) -> str:
    return style.url(fact.canonical)


def as_is(fact: FactValue, style: Style) -> str:
    return fact.canonical


_BY_TYPE: dict[FactType, Callable[[FactValue, Style], str]] = {
    FactType.PHONE: phone, FactType.MONEY: money, FactType.DATE: day, FactType.TIME: time_of_day,
    FactType.HOURS: hours, FactType.DURATION: duration, FactType.URL: url, FactType.EMAIL: as_is,
    FactType.PERCENT: percent, FactType.TEXT: as_is,
}


def presenters(style: Style) -> dict[FactType, Presenter]:
    """One presentation function per fact type, in `style`."""
    return {kind: (lambda fact, present=present: present(fact, style)) for kind, present in _BY_TYPE.items()}
