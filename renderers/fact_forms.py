"""Facts in a language's own CLDR forms, through Babel: times of day, opening hours, money and percentages.

The knowledge base's own language (English) keeps the house style of `renderers/plain_facts.py` ("9 am",
"$2.50", "3.5%"); an answer in another language (a translation, engine/locales.py) writes these facts as CLDR
says that locale writes them:

| locale | time | money | percent |
| --- | --- | --- | --- |
| `es` | `9:00`, `19:30` | `2,50 US$`, `1.200 €` | `3,5 %` |
| `es-US` | `9:00 a.m.` | `$2.50` | `3.5%` |
| `es-MX` | `9:00 a.m.` | `USD2.50` | `3.5%` |

Opening hours put these times after the language's day names ("de lunes a viernes, de 9:00 a.m. a 5:00 p.m.").
CLDR's narrow and no-break spaces become plain spaces, so a text message is not forced into UCS-2 by a space.
Every form reads back through `engine.facts.find_facts` under the same locale (its recogniser knows the
locale's decimal comma, its currency symbols, Spanish day names and "medianoche") as the same canonical value;
`tests/properties/test_locale_forms.py` proves it through every channel's reader.
"""
from __future__ import annotations

from datetime import time
from decimal import Decimal
from functools import lru_cache

from babel import Locale as BabelLocale, UnknownLocaleError
from babel.dates import format_time
from babel.numbers import format_currency, format_decimal, format_percent

from engine.facts import Hours, Money

# Spaces CLDR puts inside a form ("9:00\u202fa.m.", "2,50\u00a0US$"), written as the plain space.
_SPACES = str.maketrans(dict.fromkeys("\u00a0\u202f\u2007\u2009", " "))


@lru_cache(maxsize=64)
def babel_locale(language: str, english: bool = False) -> BabelLocale | None:
    """The CLDR locale of a language tag when it is not English (None: the house style applies, or Babel does
    not know the tag); `english=True` also gives English's."""
    tag = (language or "en").replace("_", "-")
    if tag.lower().split("-")[0] == "en" and not english:
        return None
    try:
        return BabelLocale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _plain(text: str) -> str:
    return text.translate(_SPACES)


# Words CLDR has no short form for, per language: a closing time at the end of the day.
MIDNIGHT = {"es": "medianoche"}
ALWAYS_OPEN = {"es": ("24 horas al día, 7 días a la semana", "24/7")}
EVERY_DAY = {"es": "todos los días"}
FROM_TO = {"es": ("de ", " a ")}  # "de lunes a viernes", "de 9:00 a 17:00"


def clock(value: time, where: BabelLocale) -> str:
    """A time of day in CLDR's short form: "9:00 a.m." (es-US, es-MX), "19:30" (es)."""
    return _plain(format_time(value, "short", locale=where))


def closing(value: Hours, where: BabelLocale) -> str:
    """The closing time; the end of the day is "medianoche" (12:00 a.m. would read as the start of it)."""
    return MIDNIGHT.get(where.language, "24:00") if value.until_midnight else clock(value.closes, where)


def day_words(value: Hours, where: BabelLocale) -> str:
    """The days of opening hours in the language ("de lunes a viernes", "sábado", "todos los días"), or ""."""
    if value.first_day is None or value.last_day is None:
        return ""
    start, to = FROM_TO.get(where.language, ("", " - "))
    names = where.days["format"]["wide"]
    if (value.first_day, value.last_day) == (0, 6):
        return EVERY_DAY.get(where.language, f"{names[0]}{to}{names[6]}")
    if value.first_day == value.last_day:
        return names[value.first_day]
    return f"{start}{names[value.first_day]}{to}{names[value.last_day]}"


def hours(value: Hours, where: BabelLocale, compact: bool = False) -> str:
    """Opening hours: "de lunes a viernes, de 9:00 a.m. a 5:00 p.m."; every hour of every day: "24 horas al
    día, 7 días a la semana" (compact "24/7")."""
    if (value.first_day, value.last_day) == (0, 6) and value.opens == time(0, 0) and value.until_midnight:
        long, short = ALWAYS_OPEN.get(where.language, ("24/7", "24/7"))
        return short if compact else long
    start, to = FROM_TO.get(where.language, ("", " - "))
    span = f"{start}{clock(value.opens, where)}{to}{closing(value, where)}"
    days = day_words(value, where)
    return f"{days}, {span}" if days else span


def money(value: Money, where: BabelLocale) -> str:
    """An amount in the locale's currency pattern; a whole amount without cents ("45 US$", "$45")."""
    pattern = where.currency_formats["standard"].pattern
    if value.amount == value.amount.to_integral_value():
        pattern = pattern.replace(".00", "")
        return _plain(format_currency(value.amount, value.currency, format=pattern, locale=where,
                                      currency_digits=False))
    return _plain(format_currency(value.amount, value.currency, locale=where))


def percent(value: Decimal, where: BabelLocale) -> str:
    """A percentage in the locale's pattern, every decimal kept: "3,5 %" (es), "3.5%" (es-US)."""
    return _plain(format_percent(value / 100, locale=where, decimal_quantization=False))


def spoken_number(value: Decimal, where: BabelLocale) -> str:
    """A number as the phone line says it in the locale: its decimal mark, no grouping ("1200,5")."""
    return _plain(format_decimal(value, format="0.##########", locale=where, decimal_quantization=False))
