"""Hypothesis strategies: fact values and the many ways editors write each one."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 10: "ten", 12: "twelve", 30: "thirty"}
# Area codes libphonenumber accepts with the 555-01xx fictional exchange.
AREA_CODES = ["800", "888", "877", "866", "503", "541", "212", "415", "312", "617"]
# Words around a literal in prose: no digits, no fact-like words.
PROSE = st.sampled_from(["Call", "You can reach us at", "The answer is", "See", "Note:", "Remember", "It is"])
AFTER = st.sampled_from(["", ".", " today.", ", thanks.", " for help", "!", " and more."])


@dataclass(frozen=True)
class Written:
    """A fact value (`key` identifies it) and the forms editors write it in."""

    key: object
    forms: tuple[str, ...]


@st.composite
def phones(draw: st.DrawFn) -> Written:
    area = draw(st.sampled_from(AREA_CODES))
    line = draw(st.integers(100, 199))
    a, e, n = area, "555", f"{line:04d}"
    return Written((a, n), (f"({a}) {e}-{n}", f"{a}.{e}.{n}", f"+1 {a} {e} {n}", f"{a}-{e}-{n}",
                            f"1-{a}-{e}-{n}", f"+1 ({a}) {e}-{n}", f"{a} {e} {n}"))


@st.composite
def money(draw: st.DrawFn) -> Written:
    cents = draw(st.integers(0, 99_999_999))
    whole, part = divmod(cents, 100)
    grouped = f"{whole:,}"
    forms = [f"${grouped}.{part:02d}", f"${whole}.{part:02d}", f"USD {whole}.{part:02d}", f"USD {grouped}.{part:02d}",
             f"{whole}.{part:02d} USD"]
    if part == 0:
        forms += [f"${grouped}", f"${whole}", f"{grouped} dollars" if whole != 1 else "1 dollar"]
    if whole == 0 and part:
        forms.append(f"{part} cents")
    return Written(cents, tuple(forms))


@st.composite
def dates(draw: st.DrawFn) -> Written:
    day = draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
    month = MONTHS[day.month - 1]
    return Written(day, (day.isoformat(), f"{month} {day.day}, {day.year}", f"{month[:3]} {day.day}, {day.year}",
                         f"{day.day} {month} {day.year}", f"{day.month:02d}/{day.day:02d}/{day.year}",
                         f"{day.month}/{day.day}/{day.year}", f"{month} {day.day} {day.year}"))


def _twelve(hour: int, minute: int, style: int) -> str:
    suffix = ("am", "a.m.", "AM")[style] if hour < 12 else ("pm", "p.m.", "PM")[style]
    shown = hour % 12 or 12
    return f"{shown}:{minute:02d} {suffix}" if minute or style == 1 else f"{shown} {suffix}"


@st.composite
def times(draw: st.DrawFn) -> Written:
    hour = draw(st.integers(0, 23))
    minute = draw(st.sampled_from([0, 15, 30, 45, 5]))
    return Written((hour, minute), (f"{hour:02d}:{minute:02d}", _twelve(hour, minute, 0), _twelve(hour, minute, 1),
                                    _twelve(hour, minute, 2)))


@st.composite
def hours(draw: st.DrawFn) -> Written:
    first = draw(st.integers(0, 5))
    last = draw(st.integers(first + 1, 6))
    opens = draw(st.integers(5, 11))
    closes = draw(st.integers(opens + 2, 22))
    d1, d2 = DAYS[first], DAYS[last]
    o12, c12 = _twelve(opens, 0, 0), _twelve(closes, 0, 0)
    forms = (f"{d1} to {d2}, {o12} to {c12}", f"{d1[:3]}-{d2[:3]} {opens:02d}:00-{closes:02d}:00",
             f"{o12} to {c12}, {d1} to {d2}", f"{d1} through {d2} from {_twelve(opens, 0, 1)} to {_twelve(closes, 0, 1)}")
    return Written((first, last, opens, closes), forms)


@st.composite
def durations(draw: st.DrawFn) -> Written:
    amount = draw(st.integers(1, 400))
    unit = draw(st.sampled_from(["minute", "hour", "day", "week", "month", "year"]))
    business = unit == "day" and draw(st.booleans())
    plural = "" if amount == 1 else "s"
    kinds = ["business ", "working "] if business else [""]
    forms = [f"{amount} {kind}{unit}{plural}" for kind in kinds]
    if amount in NUMBER_WORDS:
        forms += [f"{NUMBER_WORDS[amount]} {kind}{unit}{plural}" for kind in kinds]
    return Written((amount, unit, business), tuple(forms))


LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10)


@st.composite
def urls(draw: st.DrawFn) -> Written:
    host = f"{draw(LABEL)}.{draw(st.sampled_from(['gov', 'com', 'org']))}"
    path = "/".join(draw(st.lists(LABEL, max_size=3)))
    suffix = f"/{path}" if path else ""
    forms = (f"https://{host}{suffix}", f"{host}{suffix}", f"HTTPS://{host.upper()}{suffix}", f"https://{host}{suffix}/")
    return Written((host, path), forms)


@st.composite
def emails(draw: st.DrawFn) -> Written:
    user = draw(LABEL)
    host = f"{draw(LABEL)}.gov"
    return Written((user, host), (f"{user}@{host}", f"{user.upper()}@{host}", f"{user}@{host.upper()}"))


@st.composite
def percents(draw: st.DrawFn) -> Written:
    hundredths = draw(st.integers(0, 10_000))
    value = Decimal(hundredths) / 100
    text = format(value.normalize(), "f")
    return Written(value, (f"{text}%", f"{text} %", f"{text} percent", f"{value:.2f}%"))


BY_TYPE = {
    "phone": phones(), "money": money(), "date": dates(), "time": times(), "hours": hours(),
    "duration": durations(), "url": urls(), "email": emails(), "percent": percents(),
}
