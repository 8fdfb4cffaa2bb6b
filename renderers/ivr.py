"""The IVR channel: one answer as SSML 1.1 for a phone tree's TTS engine, plus a plain transcript for CSRs."""
from __future__ import annotations

import re
from decimal import Decimal
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from datetime import date, time
from typing import Callable, Literal, Union

from pydantic import ConfigDict, Field

from channels import ChannelSpec
from engine.scripts import script
from engine.facts import SPACELESS
from engine.facts import (
    FactType, FactValue, Hours, Money, find_facts, normalize_url, says_short_code,
)
from engine.model import (
    Block, Code, CodeBlock, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, ListItem,
    Paragraph, Quote, Rule, Scoped, Strike, Strong, Table, Text, inline_text,
)
from engine.select import View, lead_in_list
from renderers import Note, Rendered, Site, fact_forms, phrases, plain_facts
from renderers.ssml_text import clean as _clean
from renderers.written_names import same_site, speakable, written_name

CHANNEL = "ivr"
SSML_NS = "http://www.w3.org/2001/10/synthesis"


class Config(ChannelSpec):
    """channels/ivr.yaml: the engine profile, the speaking rate and the time budget."""

    model_config = ConfigDict(extra="forbid")

    profile: Literal["generic", "polly", "google"] = Field(
        "generic", description="The TTS engine the SSML is for: only tags it accepts are written")
    words_per_minute: int = Field(150, ge=60, le=400, description="Speaking rate used to time the speech")
    budget_seconds: float = Field(45, gt=0, description="Longest allowed speech per answer, in seconds")
    headings: Literal["speak", "pause"] = Field(
        "speak", description="Speak sub-headings as sentences, or replace them with a pause")
    pause_ms: int = Field(500, ge=0, le=5000, description="Length of the pause for a skipped heading or a rule")
    detail: Literal["fit", "all", "none"] = Field(
        "fit", description="Detail after the short answer and the steps: `fit` speaks detail blocks in order while "
                           "the answer stays within the budget, `all` speaks every one (over budget is then an "
                           "error), `none` speaks none. Detail left out is a warning, and the caller is told "
                           "where the full answer is (`handoff`)")
    handoff: str = Field("The full answer is on our website at", min_length=1, max_length=200,
                         description="Said after the spoken part when detail is left out, before the site's address "
                                     "(its host and first path segment, from the web channel's base_url)")
    handoff_list: str = Field("The full list is on our website at", min_length=1, max_length=200,
                              description="Said instead of `handoff` when the list a short answer ending in \":\" "
                                          "introduces is what was left out, so the lead-in does not dangle")


# ----------------------------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """What one TTS engine accepts: the SSML elements and the say-as `interpret-as` values we may write."""

    elements: frozenset[str]
    say_as: frozenset[str]
    date_format: str  # the say-as `format` for a date written in ISO form


# Conservative on purpose: a tag an engine rejects fails the whole prompt, a missing one only costs prosody.
# Polly reads say-as "time" as a duration (1'21"), not a time of day, so Polly gets times as plain text.
PROFILES: dict[str, Profile] = {
    "generic": Profile(frozenset({"p", "s", "break", "sub", "say-as"}),
                       frozenset({"telephone", "date", "time"}), "ymd"),
    "polly": Profile(frozenset({"p", "s", "break", "sub", "say-as", "prosody"}),
                     frozenset({"telephone", "date"}), "ymd"),
    "google": Profile(frozenset({"p", "s", "break", "sub", "say-as"}),
                      frozenset({"telephone", "date", "time"}), "yyyymmdd"),
}

# ------------------------------------------------------------------------------------- speech, in pieces


@dataclass(frozen=True)
class Words:
    """Text spoken as written."""

    text: str


@dataclass(frozen=True)
class Sub:
    """A written form (what the transcript shows) spoken as `alias`."""

    written: str
    alias: str


@dataclass(frozen=True)
class SayAs:
    """A value the engine interprets; `written` is the element content, `display` the transcript form."""

    written: str
    display: str
    interpret_as: str
    format: str | None
    words: int


@dataclass(frozen=True)
class Pause:
    ms: int


Piece = Union[Words, Sub, SayAs]
Line = tuple[Piece, ...]  # one sentence-like unit: a paragraph, a step, a list item


@dataclass(frozen=True)
class Para:
    lines: tuple[Line, ...]


Section = Union[Para, Pause]


@dataclass
class _Context:
    """What the walkers need besides the node: the engine profile, the config, and the notes collected."""

    view: View
    config: Config
    profile: Profile
    site: Site
    notes: list[Note]
    proper_nouns: frozenset[str]


# ------------------------------------------------------------------------------------------------ counting

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)*")


def _group_words(group: int) -> int:
    hundreds, rest = divmod(group, 100)
    count = 2 if hundreds else 0
    if rest:
        count += 1 if rest < 20 or rest % 10 == 0 else 2
    return count


def number_words(number: int) -> int:
    """How many words it takes to say a whole number ("2000" -> "two thousand" -> 2)."""
    if number == 0:
        return 1
    count, scale = 0, 0
    while number:
        number, group = divmod(number, 1000)
        if group:
            count += _group_words(group) + (1 if scale else 0)
        scale += 1
    return count


def _token_words(token: str) -> int:
    if not token[0].isdecimal():  # a letter, or a digit-like sign such as `²` that int() cannot read
        return 1
    whole, _, decimals = token.replace(",", "").partition(".")
    if len(whole) > 18:  # past the quintillions a voice reads the digits one by one (and int() has a limit)
        return len(whole) + (1 + len(decimals) if decimals else 0)
    return number_words(int(whole)) + (1 + len(decimals) if decimals else 0)


def spoken_words(text: str) -> int:
    """The words a TTS engine says for `text` (numbers counted as they are read out)."""
    return sum(_token_words(token) for token in _TOKEN.findall(text))


def _piece_words(piece: Piece) -> int:
    if isinstance(piece, Words):
        return spoken_words(piece.text)
    if isinstance(piece, Sub):
        return spoken_words(piece.alias)
    return piece.words


# ------------------------------------------------------------------------------------------ presenting facts

_CURRENCY_WORDS = {
    "USD": ("dollar", "dollars", "cent", "cents"), "CAD": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "AUD": ("Australian dollar", "Australian dollars", "cent", "cents"), "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
}
_SPOKEN_MARKS = {".": "dot", "/": "slash", "-": "dash", "_": "underscore", ":": "colon", "?": "question mark",
                 "=": "equals", "&": "and", "#": "hash", "+": "plus", "~": "tilde", "%": "percent", "@": "at"}


def _can_say(profile: Profile, interpret_as: str) -> bool:
    return "say-as" in profile.elements and interpret_as in profile.say_as


def _sub(profile: Profile, written: str, alias: str) -> Piece:
    return Sub(written, alias) if "sub" in profile.elements else Words(written)


def _spell_address(text: str, marks: dict[str, str] = _SPOKEN_MARKS) -> str:
    """A URL or email as it is read out: "riverton.gov/pay" -> "riverton dot gov slash pay"."""
    parts = re.split(r"([^\w]|_)", text)
    words = [marks.get(part, part) for part in parts if part and not part.isspace()]
    return " ".join(word for word in words if word.strip())


def _marks(ctx: _Context) -> dict[str, str]:
    """How this answer's language says the marks of an address (renderers/phrases.py for a translation)."""
    words = phrases.for_view(ctx.view, ctx.site.language)
    return {**_SPOKEN_MARKS, **dict(words.marks)} if words is not None else _SPOKEN_MARKS


def present_phone(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    number_text, _, extension = fact.canonical.partition(";ext=")
    written = plain_facts.phone(FactValue(fact.type, number_text, fact.value), _style(ctx))
    digits = re.sub(r"\D", "", written)
    if _can_say(ctx.profile, "telephone"):
        pieces: list[Piece] = [SayAs(written, written, "telephone", None, len(digits))]
    else:
        groups = re.findall(r"\d+", written)
        pieces = [_sub(ctx.profile, written, ", ".join(" ".join(group) for group in groups))]
    if extension:
        pieces += [Words(" "), _sub(ctx.profile, f"ext. {extension}", f"extension {' '.join(extension)}")]
    return tuple(pieces)


def _style(ctx: _Context) -> plain_facts.Style:
    """The house style (renderers/plain_facts.py) gives every written form: the transcript shows what the other
    channels show; only what is spoken differs."""
    return plain_facts.Style(ctx.site.locale)


def present_money(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    money = fact.value
    assert isinstance(money, Money)
    written = plain_facts.money(fact, _style(ctx))
    words = phrases.for_view(ctx.view, ctx.site.language)  # a translation says amounts in its language
    table = {**_CURRENCY_WORDS, **dict(words.money)} if words is not None else _CURRENCY_WORDS
    one, many, cent, cents = table.get(money.currency, (money.currency, money.currency, "cent", "cents"))
    whole = int(money.amount)
    fraction = int((money.amount - whole) * 100)
    spoken = []
    grouped = f"{whole}" if fact_forms.babel_locale(ctx.site.locale.language) else f"{whole:,}"  # "1,200" is 1.2 in es
    # "0 euros and 1 cent": a cent alone is the locale's own currency to a listener (and to the reader)
    if whole or not fraction or money.currency != ctx.site.locale.currency:
        spoken.append(f"{grouped} {one if whole == 1 else many}")
    if fraction:
        spoken.append(f"{fraction} {cent if fraction == 1 else cents}")
    return (_sub(ctx.profile, written, f" {words.joiner if words is not None else 'and'} ".join(spoken)),)


def date_display(value: date) -> str:
    return plain_facts.date_words(value)


def present_date(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    value = fact.value
    assert isinstance(value, date)
    shown = plain_facts.date_words(value, _style(ctx))  # a translation's own language (renderers/plain_facts.py)
    if _can_say(ctx.profile, "date"):
        return (SayAs(value.isoformat(), shown, "date", ctx.profile.date_format, 4),)
    return (Words(shown),)


def time_display(value: time) -> str:
    return plain_facts.clock(value)


def _clock_piece(value: time, ctx: _Context) -> Piece:
    where = fact_forms.babel_locale(ctx.site.locale.language)
    if where is not None:  # another language's CLDR form: "9:00 a.m." (es-US), "19:30" (es)
        written = fact_forms.clock(value, where)
        if not _can_say(ctx.profile, "time"):
            return Words(written)
        twelve = not re.fullmatch(r"\d{1,2}:\d{2}", written)
        return SayAs(written, written, "time", "hms12" if twelve else "hms24", 2 + (value.minute > 0))
    written = time_display(value)
    if value in (time(12, 0), time(0, 0)) or not _can_say(ctx.profile, "time"):
        return Words(written)
    minute_words = 0 if not value.minute else (2 if value.minute < 10 else number_words(value.minute))
    return SayAs(written, written, "time", "hms12", 2 + minute_words)


def present_time(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    assert isinstance(fact.value, time)
    return (_clock_piece(fact.value, ctx),)


def _days_text(first: int, last: int) -> str:
    return plain_facts.day_span(first, last)


def present_hours(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    hours = fact.value
    assert isinstance(hours, Hours)
    where = fact_forms.babel_locale(ctx.site.locale.language)
    if where is not None:  # "de lunes a viernes, de 9:00 a.m. a 5:00 p.m.", said as written
        return (Words(fact_forms.hours(hours, where)),)
    whole_day = hours.opens == time(0, 0) and hours.until_midnight
    if whole_day and (hours.first_day, hours.last_day) == (0, 6):  # no days given: "midnight to midnight", as written
        return (Words("24 hours a day, 7 days a week"),)
    closes = Words("midnight") if hours.until_midnight else _clock_piece(hours.closes, ctx)
    days = [] if hours.first_day is None or hours.last_day is None else \
        [Words(_days_text(hours.first_day, hours.last_day) + ", ")]
    return (*days, _clock_piece(hours.opens, ctx), Words(" to "), closes)


def present_duration(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    return (Words(plain_facts.duration(fact, _style(ctx))),)


def url_display(canonical: str) -> str:
    return plain_facts.short_url(canonical)


def present_url(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    written = url_display(fact.canonical)
    return (_sub(ctx.profile, written, _spell_address(written, _marks(ctx))),)


def present_email(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    return (_sub(ctx.profile, fact.canonical, _spell_address(fact.canonical, _marks(ctx))),)


def present_percent(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    number = fact.canonical.removesuffix("%")
    words = phrases.for_view(ctx.view, ctx.site.language)
    written = plain_facts.percent(fact, _style(ctx))  # "3,5 %" in es (renderers/fact_forms.py)
    where = fact_forms.babel_locale(ctx.site.locale.language)
    if where is not None and isinstance(fact.value, Decimal):
        number = fact_forms.spoken_number(fact.value, where)  # "3,5 por ciento": the language's decimal mark
    return (_sub(ctx.profile, written, f"{number} {words.percent if words is not None else 'percent'}"),)


def present_text(fact: FactValue, ctx: _Context) -> tuple[Piece, ...]:
    return (Words(_clean(fact.canonical)),)


PRESENT: dict[FactType, Callable[[FactValue, _Context], tuple[Piece, ...]]] = {
    FactType.PHONE: present_phone,
    FactType.MONEY: present_money,
    FactType.DATE: present_date,
    FactType.TIME: present_time,
    FactType.HOURS: present_hours,
    FactType.DURATION: present_duration,
    FactType.URL: present_url,
    FactType.EMAIL: present_email,
    FactType.PERCENT: present_percent,
    FactType.TEXT: present_text,
}

# --------------------------------------------------------------------------------------------------- inlines


def _link_mentions(link: Link) -> bool:
    """Does the link's own text already say the fact its target is?"""
    assert link.fact is not None
    for node in link.children:
        if isinstance(node, FactMention) and (node.fact.canonical == link.fact.canonical or link.fact.type is
                                              FactType.URL and same_site(node.fact.canonical, link.fact.canonical)):
            return True
    text = inline_text(link.children)
    return says_short_code(link.fact, text) or any(
        f.value is not None and f.value.canonical == link.fact.canonical for f in find_facts(text))


def _inline(node: Inline, ctx: _Context, images: list[Image]) -> list[Piece]:
    if isinstance(node, Text):
        return [Words(_clean(node.text))]
    if isinstance(node, Code):
        return [Words(_clean(node.text))]
    if isinstance(node, FactMention):
        if (name := written_name(node)) is not None:
            return [_sub(ctx.profile, name, _spell_address(name))]
        return list(PRESENT[node.fact.type](node.fact, ctx))
    if isinstance(node, (Emphasis, Strong, Strike)):
        return _inlines(node.children, ctx, images)
    if isinstance(node, Link):
        pieces = _inlines(node.children, ctx, images)
        if node.fact is not None and not _link_mentions(node) and (
                node.fact.type is not FactType.URL or speakable(node.fact.canonical)):
            pieces += [Words(" at "), *PRESENT[node.fact.type](node.fact, ctx)]
        return pieces
    if isinstance(node, Image):
        images.append(node)
        return []
    if isinstance(node, LineBreak):
        return [Words(" ")]
    raise TypeError(f"ivr: unknown inline node {type(node).__name__}")


def _inlines(nodes: tuple[Inline, ...], ctx: _Context, images: list[Image]) -> list[Piece]:
    return [piece for node in nodes for piece in _inline(node, ctx, images)]


def _tidy(pieces: list[Piece]) -> Line:
    """Merge neighbouring words, collapse white space, trim the ends, and end on a full stop."""
    merged: list[Piece] = []
    for piece in pieces:
        if isinstance(piece, Words) and merged and isinstance(merged[-1], Words):
            merged[-1] = Words(merged[-1].text + piece.text)
        else:
            merged.append(piece)
    merged = [Words(re.sub(r"\s+", " ", p.text)) if isinstance(p, Words) else p for p in merged]
    if merged and isinstance(merged[0], Words):
        merged[0] = Words(merged[0].text.lstrip())
    if merged and isinstance(merged[-1], Words):
        merged[-1] = Words(merged[-1].text.rstrip().rstrip(",;:"))
    merged = [p for p in merged if not (isinstance(p, Words) and not p.text)]
    if not merged:
        return ()
    last = merged[-1]
    if not (isinstance(last, Words) and last.text.rstrip("\"'”’)]」").endswith((".", "!", "?", "。", "！", "？"))):
        merged.append(Words("。" if isinstance(last, Words) and last.text and script(last.text[-1]) in SPACELESS
                            else "."))  # a Chinese sentence ends on a Chinese full stop
    return tuple(merged)


def _pointer(kind: str, ctx: _Context, line: int, detail: str) -> Line:
    """The spoken stand-in for a block a voice cannot carry, and the note that says so."""
    ctx.notes.append(Note("unspeakable", f"ivr: {detail} cannot be spoken; the caller hears that {kind} is on "
                                         f"the web page instead", "warning", line))
    url = normalize_url(ctx.site.web_url(ctx.view.id))
    return _tidy([Words(f"{kind[0].upper()}{kind[1:]} is on our website at "),
                  *present_url(FactValue(FactType.URL, url, url), ctx)])


def _text_line(inlines: tuple[Inline, ...], ctx: _Context, line: int) -> list[Line]:
    images: list[Image] = []
    lines = [_tidy(_inlines(inlines, ctx, images))]
    if images:
        alts = ", ".join(f"`{image.alt}`" if image.alt else "without a description" for image in images)
        lines.append(_pointer("the picture", ctx, line, f"a picture ({alts})"))
    return [one for one in lines if one]


# ---------------------------------------------------------------------------------------------------- blocks

_LEADS = {1: ("",), 2: ("First, ", "Finally, ")}


def sequence_words(count: int, words: phrases.Phrases | None = None) -> tuple[str, ...]:
    """How steps are introduced aloud: one step needs none; then "First", "Next" ... "Finally"."""
    if words is not None:  # a translation: its language's connectives (renderers/phrases.py)
        return ("",) if count == 1 else (words.first, *(words.next,) * (count - 2), words.last)
    return _LEADS.get(count, ("First, ", *("Next, ",) * (count - 2), "Finally, "))


def _lowered(line: Line, proper_nouns: frozenset[str]) -> Line:
    """The line with its first word in lower case, when that word is an ordinary capitalised word."""
    if not line or not isinstance(line[0], Words):
        return line
    text = line[0].text
    match = re.match(r"[^\W\d_]+", text)
    if not match:
        return line
    word = match.group(0)
    if len(word) < 2 or not word[1:].islower() or word in proper_nouns or word == "I":
        return line
    return (Words(word[0].lower() + text[1:]), *line[1:])


def _led(line: Line, lead: str, ctx: _Context) -> Line:
    if not lead or not line:
        return line
    return _tidy([Words(lead), *_lowered(line, ctx.proper_nouns)])


def _item_lines(item: ListItem, ctx: _Context) -> list[Line]:
    return [line for block in item.blocks for line in _lines(block, ctx)]


def _list_lines(block: ListBlock, ctx: _Context) -> list[Line]:
    per_item = [_item_lines(item, ctx) for item in block.items]
    per_item = [lines for lines in per_item if lines]
    if not block.ordered:
        return [line for lines in per_item for line in lines]
    words = phrases.for_view(ctx.view, ctx.site.language)
    leads = sequence_words(len(per_item)) if words is None else sequence_words(len(per_item), words)
    out: list[Line] = []
    for lead, lines in zip(leads, per_item):
        out += [_led(lines[0], lead, ctx), *lines[1:]]
    return out


def _lines(block: Block, ctx: _Context) -> list[Line]:
    """A block as spoken lines (inside a list or a quote, where a pause would not help the listener)."""
    if isinstance(block, Paragraph):
        return _text_line(block.inlines, ctx, block.line)
    if isinstance(block, Heading):
        return _text_line(block.inlines, ctx, block.line) if ctx.config.headings == "speak" else []
    if isinstance(block, ListBlock):
        return _list_lines(block, ctx)
    if isinstance(block, Quote):
        return [line for child in block.blocks for line in _lines(child, ctx)]
    if isinstance(block, Table):
        return [_pointer("the full table", ctx, block.line, "a table")]
    if isinstance(block, CodeBlock):
        return [_pointer("the full example", ctx, block.line, "a code block")]
    if isinstance(block, Rule):
        return []
    if isinstance(block, Scoped):
        raise TypeError(f"ivr: a `::: {block.kind}` block (line {block.line}) reached a customer channel")
    raise TypeError(f"ivr: unknown block node {type(block).__name__}")


def _sections(block: Block, ctx: _Context) -> list[Section]:
    if (isinstance(block, Heading) and ctx.config.headings == "pause") or isinstance(block, Rule):
        return [Pause(ctx.config.pause_ms)]
    lines = _lines(block, ctx)
    return [Para(tuple(lines))] if lines else []


def _proper_nouns(view: View, site: Site) -> frozenset[str]:
    """Capitalised words seen in the middle of a sentence: names, which must keep their capital."""
    text = ". ".join(inline_text(b.inlines) for b in _paragraph_like(view.blocks))
    found = re.findall(r"(?<![.!?:]\s)(?<!^)(?<=\s)([A-Z][a-z]+)", text)
    return frozenset(found) | frozenset(re.findall(r"[A-Z][a-z]+", site.name))


def _paragraph_like(blocks: tuple[Block, ...]) -> list[Paragraph | Heading]:
    out: list[Paragraph | Heading] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            out.append(block)
        elif isinstance(block, ListBlock):
            for item in block.items:
                out += _paragraph_like(item.blocks)
        elif isinstance(block, Quote):
            out += _paragraph_like(block.blocks)
    return out


def speech(view: View, config: Config, site: Site) -> tuple[list[Section], list[Note]]:
    """The answer as spoken sections: the override if there is one, else short answer, the steps after what
    they are for (their condition), then detail."""
    ctx = _Context(view, config, PROFILES[config.profile], site, [], _proper_nouns(view, site))
    notice = _sections(view.notice, ctx) if view.notice is not None else []  # said first, within the budget
    if view.override is not None:
        lines = _text_line(view.override.inlines, ctx, view.override.line)
        return [*notice, Para(tuple(lines))], ctx.notes
    sections: list[Section] = [*notice, *_sections(view.short_answer, ctx)]
    steps: list[Section] = []
    if view.steps is not None:
        for block in view.condition:  # what the steps are for is said, whatever `headings` says
            steps += [Para(tuple(lines))] if (lines := _text_line(block.inlines, ctx, block.line)) else []
        steps += _sections(view.steps, ctx)
    listed = lead_in_list(view)
    early = listed if listed is not None and listed is not view.steps and steps else None
    detail = tuple(block for block in view.detail if block is not early)
    handoff = _handoff(config, ctx)
    left_out: list[Block] = []
    if early is not None:  # the list the short answer introduces comes before the steps, as in the answer
        noted = len(ctx.notes)
        spoken = _sections(early, ctx)
        fits = timing(sections + spoken + steps + handoff, config)[1] <= config.budget_seconds
        if config.detail == "all" or (config.detail == "fit" and fits):
            sections += spoken
        else:
            del ctx.notes[noted:]
            left_out.append(early)
    if steps and config.detail != "all" and view.steps is not None \
            and timing(sections + steps + handoff, config)[1] > config.budget_seconds \
            and timing(sections + handoff, config)[1] <= config.budget_seconds:
        ctx.notes.append(Note("steps-left-out", f"ivr: the steps from line {view.steps.line} do not fit the "
                              f"{config.budget_seconds:g} s budget; the caller hears the short answer and where the "
                              "full answer is", "warning", view.steps.line))
        closing = _handoff(config, ctx, config.handoff_list) if left_out else handoff  # the lead-in's list is there
        return sections + closing, ctx.notes
    sections += steps
    if config.detail == "all":
        for block in detail:
            sections += _sections(block, ctx)
        return sections, ctx.notes
    seconds = timing(sections + handoff, config)[1]  # speech time adds up section by section
    for group in _detail_groups(detail):
        noted = len(ctx.notes)
        spoken = [section for block in group for section in _sections(block, ctx)]
        more = timing(spoken, config)[1]
        if config.detail == "fit" and not left_out and seconds + more <= config.budget_seconds:
            sections += spoken
            seconds += more
        else:
            del ctx.notes[noted:]  # what a block left out would have said about itself does not apply
            left_out += group
    if left_out:
        sections += _handoff(config, ctx, config.handoff_list) if left_out[0] is lead_in_list(view) else handoff
        why = ("`detail: none` in the ivr settings" if config.detail == "none" else
               f"to stay within the {config.budget_seconds:g} s budget")
        count = len(left_out)
        ctx.notes.append(Note("detail-left-out",
                              f"ivr: {count} detail block{'s' * (count != 1)} from line {left_out[0].line} on "
                              f"{'are' if count != 1 else 'is'} not spoken, {why}; the caller hears where the full "
                              f"answer is", "warning", left_out[0].line))
    return sections, ctx.notes


def _introduces(block: Block) -> bool:
    """A heading, or a lead-in ending in ":": it is said only with the block after it, never alone."""
    if isinstance(block, Heading):
        return True
    return isinstance(block, Paragraph) and inline_text(block.inlines).rstrip().endswith((":", "\uff1a"))


def _detail_groups(blocks: tuple[Block, ...]) -> list[list[Block]]:
    """Detail blocks in the units kept or left out together: a heading or a lead-in ("include:") with the
    block it introduces."""
    groups: list[list[Block]] = []
    for block in blocks:
        if groups and _introduces(groups[-1][-1]):
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def handoff_address(base_url: str) -> str:
    """The site's address as a caller can take it down: its host and, where there is one, its first path
    segment ("riverton.gov/help"); never a query string or a long path."""
    written = plain_facts.short_url(base_url.rstrip("/"))
    scheme, _, rest = written.rpartition("://")
    host, _, path = rest.partition("/")
    first = path.split("/")[0].split("?")[0].split("#")[0]
    kept = f"{host}/{first}" if first else host
    return f"{scheme}://{kept}" if scheme else kept


def _handoff(config: Config, ctx: _Context, phrase: str | None = None) -> list[Section]:
    """The closing that hands the rest of the answer to the website."""
    said = phrase or config.handoff
    words = phrases.for_view(ctx.view, ctx.site.language)
    if words is not None:
        said = words.handoff_list if phrase is not None and phrase == config.handoff_list else words.handoff
    if not ctx.site.base_url:
        return [Para(((Words(said.rstrip(" :") + "."),),))]
    written = handoff_address(ctx.site.base_url)
    return [Para(((Words(said.rstrip() + " "), _sub(ctx.profile, written, _spell_address(written, _marks(ctx))),
                   Words(".")),))]


# ---------------------------------------------------------------------------------------------------- output


def _add_text(parent: ET.Element, text: str) -> None:
    """Append text after everything already in `parent` (mixed content)."""
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _child(parent: ET.Element, tag: str, profile: Profile, **attrs: str) -> ET.Element:
    """A new element, or the parent itself when the engine does not know the tag (its content stays)."""
    return ET.SubElement(parent, tag, attrs) if tag in profile.elements else parent


def _write_piece(parent: ET.Element, piece: Piece) -> None:
    if isinstance(piece, Words):
        _add_text(parent, piece.text)
    elif isinstance(piece, Sub):
        ET.SubElement(parent, "sub", {"alias": piece.alias}).text = piece.written
    else:
        attrs = {"interpret-as": piece.interpret_as, **({"format": piece.format} if piece.format else {})}
        ET.SubElement(parent, "say-as", attrs).text = piece.written


def _write_para(root: ET.Element, para: Para, profile: Profile) -> None:
    p = _child(root, "p", profile)
    several = len(para.lines) > 1
    if several:
        _add_text(p, "\n")
    for line in para.lines:
        target = _child(p, "s", profile) if several else p
        for piece in line:
            _write_piece(target, piece)
        if several:
            _add_text(p, "\n")
    _add_text(root, "\n")


def _language(site: Site) -> str:
    language = site.language.replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", language):
        raise ValueError(f"ivr: site language `{site.language}` is not a language tag like `en-US`")
    return language


def _comment(text: str) -> str:
    """`text` made safe inside an XML comment (no `--`, no trailing `-`)."""
    safe = _clean(text)
    while "--" in safe:
        safe = safe.replace("--", "- -")
    return f"<!-- {safe} -->"


def ssml(sections: list[Section], view: View, profile: Profile, site: Site) -> bytes:
    root = ET.Element("speak", {"version": "1.1", "xmlns": SSML_NS,
                                "xml:lang": _language(replace(site, language=phrases.language_of(view, site.language)))})
    root.text = "\n"
    for section in sections:
        if isinstance(section, Pause):
            if "break" in profile.elements:
                ET.SubElement(root, "break", {"time": f"{section.ms}ms"})
                _add_text(root, "\n")
        else:
            _write_para(root, section, profile)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' + _comment(f"ivr {view.id} {view.answer.hash}") + "\n"
    return (head + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def _display(piece: Piece) -> str:
    if isinstance(piece, Words):
        return piece.text
    return piece.written if isinstance(piece, Sub) else piece.display


def transcript(sections: list[Section]) -> bytes:
    """What the caller hears, in written forms a CSR can read: one paragraph per spoken paragraph."""
    paragraphs = ["\n".join("".join(_display(piece) for piece in line) for line in section.lines)
                  for section in sections if isinstance(section, Para)]
    return ("\n\n".join(paragraphs) + "\n").encode("utf-8")


def timing(sections: list[Section], config: Config) -> tuple[int, float]:
    """Spoken words, and seconds of speech at the configured rate (breaks included)."""
    words = sum(_piece_words(piece) for s in sections if isinstance(s, Para) for line in s.lines for piece in line)
    allows_break = "break" in PROFILES[config.profile].elements
    pauses = sum(s.ms for s in sections if isinstance(s, Pause)) if allows_break else 0
    return words, words * 60 / config.words_per_minute + pauses / 1000


def _budget_note(seconds: float, config: Config, view: View) -> Note | None:
    if seconds <= config.budget_seconds:
        return None
    over = seconds - config.budget_seconds
    fix = ("shorten the `ivr:` text in the front matter" if view.override is not None else
           "write a shorter `ivr:` text in the front matter, or wrap detail a caller does not need in "
           "`::: except ivr`" if config.detail == "all" else
           "the short answer and the steps alone take this long: shorten them, or write a shorter `ivr:` text in "
           "the front matter")
    return Note("over-budget",
                f"ivr: {seconds:.1f} s of speech is over the {config.budget_seconds:g} s budget by {over:.1f} s "
                f"(at {config.words_per_minute} words per minute): {fix}",
                "error", view.override.line if view.override is not None else None)


def render(view: View, config: Config, site: Site) -> Rendered:
    sections, notes = speech(view, config, site)
    words, seconds = timing(sections, config)
    budget = _budget_note(seconds, config, view)
    metrics: dict[str, int | float | str | bool] = {"seconds": round(seconds, 1), "words": words}
    if view.override is not None:
        metrics["override"] = True
    files = {f"{view.id}.ssml": ssml(sections, view, PROFILES[config.profile], site),
             f"{view.id}.txt": transcript(sections)}
    return Rendered(f"{view.id}.ssml", files, metrics, tuple(notes) + ((budget,) if budget else ()))
