"""Notices (`_notices.yaml`): short, dated messages that lead every channel of the answers they target.

A notice targets one standard (the answers it concerns: engine/standards.py `concerned`), a topic, a list of
answers, or everything. It is active on the build day (`--as-of`, else SOURCE_DATE_EPOCH, else today) when
`effective_from <= day <= effective_until`; a time of day (`from_time`, `until_time`) is shown to staff and in
`one-answer notices`, but a bundle is built for a whole day, so a notice is active on every day its window
touches. While active, `View.notice` carries it (engine/select.py) and every renderer says it first; the gate
(`separate`) proves it opens each targeted output and appears in no other.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable, Mapping

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.consistency import Problem, inline_tokens, tokens
from engine.diagnostics import Report, did_you_mean
from engine.factbook import FactTable
from engine.facts import Locale
from engine.located import read_doc, validated
from engine.model import Answer, FactMention, Inline, Paragraph, Text, inline_text, walk_inlines
from engine.parse import parse_override
from engine.readers import Reading, Seen
from engine.select import View
from engine.standards import Standards, concerned

FILE = "_notices.yaml"
TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
BUDGETED = ("sms", "ivr")  # channels whose budget a notice counts against


class Target(BaseModel):
    """Exactly one of: a standard id, a topic, a list of answer ids, or `everything: true`."""

    model_config = ConfigDict(extra="forbid")

    standard: str | None = None
    topic: str | None = None
    answers: list[str] | None = Field(None, min_length=1)
    everything: bool = False

    @model_validator(mode="after")
    def _one(self) -> Target:
        given = [name for name in ("standard", "topic", "answers") if getattr(self, name) is not None]
        given += ["everything"] if self.everything else []
        if len(given) != 1:
            raise ValueError("give exactly one of `standard`, `topic`, `answers` or `everything: true`"
                             + (f" (found {', '.join(given)})" if given else ""))
        return self


class NoticeEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="A stable id: lowercase, digits and `-`.")
    message: str = Field(min_length=1, max_length=300, description="One or two sentences; may use facts.")
    effective_from: date
    effective_until: date
    from_time: str | None = Field(None, pattern=TIME, description="HH:MM on the first day (quote it in YAML).")
    until_time: str | None = Field(None, pattern=TIME, description="HH:MM on the last day (quote it in YAML).")
    target: Target
    standard_status: str | None = Field(None, description="Set by `status set`: the standard this notice reports "
                                                          "missed (`status clear` removes it).")

    @model_validator(mode="after")
    def _window(self) -> NoticeEntry:
        if self.effective_until < self.effective_from:
            raise ValueError(f"`effective_until` {self.effective_until} is before `effective_from` {self.effective_from}")
        return self


class NoticesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    notices: list[NoticeEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Notice:
    id: str
    message: Paragraph
    effective_from: date
    effective_until: date
    from_time: str | None
    until_time: str | None
    target: Target
    line: int
    targets: frozenset[str]  # the answer ids it leads

    def active(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_until

    def upcoming(self, day: date) -> bool:
        return day < self.effective_from

    @property
    def text(self) -> str:
        return " ".join(inline_text(self.message.inlines).split())

    def window(self) -> str:
        start = f"{self.effective_from}" + (f" {self.from_time}" if self.from_time else "")
        end = f"{self.effective_until}" + (f" {self.until_time}" if self.until_time else "")
        return f"{start} to {end}"


@dataclass(frozen=True)
class Notices:
    display: str = FILE
    items: tuple[Notice, ...] = ()

    def active(self, day: date) -> dict[str, Paragraph]:
        """Answer id -> the notice paragraph it leads with on `day` (several active notices: joined, by id)."""
        by_answer: dict[str, list[Notice]] = {}
        for notice in sorted(self.items, key=lambda n: n.id):
            if notice.active(day):
                for answer_id in notice.targets:
                    by_answer.setdefault(answer_id, []).append(notice)
        return {answer_id: joined(found) for answer_id, found in sorted(by_answer.items())}


def joined(found: list[Notice]) -> Paragraph:
    inlines: list[Inline] = []
    for index, notice in enumerate(found):
        if index:
            inlines.append(Text(" "))
        inlines.extend(notice.message.inlines)
    return Paragraph(tuple(inlines), found[0].line)


def load_notices(root: Path, display: str, answers: list[Answer], standards: Standards, facts: FactTable,
                 locale: Locale, channels: tuple[str, ...], report: Report) -> Notices:
    doc = read_doc(root, FILE, display, report)
    if doc is None:
        return Notices(display)
    if not isinstance(doc.data, dict):
        report.add(display, 1, 1, "invalid-notices", "`_notices.yaml` must be a mapping with `notices:`")
        return Notices(display)
    model = validated(NoticesFile, doc.data, doc, display, report, "invalid-notices")
    if model is None:
        return Notices(display)
    ids = {a.id for a in answers}
    topics = {a.topic for a in answers}
    lines = doc.text.split("\n")
    seen: set[str] = set()
    found: list[Notice] = []
    for index, entry in enumerate(model.notices):
        line, col = doc.where("notices", index)
        if entry.id in seen:
            report.add(display, *doc.where("notices", index, "id"), "invalid-notices",
                       f"notice id `{entry.id}` is used twice")
            continue
        seen.add(entry.id)
        targets = _targets(entry.target, answers, standards, ids, topics, display,
                           lambda *loc: doc.where("notices", index, "target", *loc), report)
        if targets is None:
            continue
        message_line, _ = doc.where("notices", index, "message")
        inlines = parse_override(entry.message, display, message_line, facts, locale, channels, report,
                                 (lines, doc.first_line))
        if not inline_text(inlines).strip():
            continue
        staff = [n.key for n in walk_inlines((Paragraph(inlines, message_line),))
                 if isinstance(n, FactMention) and n.key and (fact := facts.get(n.key)) and fact.audience == "internal"]
        if staff:
            report.add(display, *doc.where("notices", index, "message"), "internal-fact",
                       f"notice `{entry.id}` uses `{{{{ {staff[0]} }}}}`, which is for staff only: every customer "
                       "channel would show it", hint="use a public fact")
            continue
        found.append(Notice(entry.id, Paragraph(inlines, message_line), entry.effective_from, entry.effective_until,
                            entry.from_time, entry.until_time, entry.target, line, frozenset(targets)))
    return Notices(display, tuple(found))


def _targets(target: Target, answers: list[Answer], standards: Standards, ids: set[str], topics: set[str],
             display: str, where: object, report: Report) -> set[str] | None:
    locate = where  # (loc...) -> (line, col)
    public = {a.id for a in answers if a.audience == "public"}
    if target.everything:
        return set(ids)
    if target.standard is not None:
        if target.standard not in standards.items:
            report.add(display, *locate("standard"), "unknown-notice-target",  # type: ignore[operator]
                       f"no standard is called `{target.standard}` in _standards.yaml",
                       hint=did_you_mean(target.standard, standards.items))
            return None
        return concerned(standards, target.standard, answers)
    if target.topic is not None:
        if target.topic not in topics:
            report.add(display, *locate("topic"), "unknown-notice-target",  # type: ignore[operator]
                       f"no answer is in the topic `{target.topic}`", hint=did_you_mean(target.topic, topics))
            return None
        return {a.id for a in answers if a.topic == target.topic}
    unknown = [(i, a) for i, a in enumerate(target.answers or []) if a not in ids]
    for i, answer_id in unknown:
        report.add(display, *locate("answers", i), "unknown-notice-target",  # type: ignore[operator]
                   f"no answer has the id `{answer_id}`", hint=did_you_mean(answer_id, public or ids))
    return None if unknown else set(target.answers or [])


def digest(notice: Paragraph | None) -> str:
    """What an answer's outputs depend on of its notice (for incremental builds)."""
    return hashlib.sha256(inline_text(notice.inlines).encode()).hexdigest() if notice is not None else "none"


# ----------------------------------------------------------------------------------------------- the gate


def _cut(text: str, wanted: list[str], locale: Locale) -> int:
    """The offset in `text` just after the words `wanted` (which open it), cutting only between words."""
    for offset in range(1, len(text) + 1):
        if offset < len(text) and text[offset].isalnum():
            continue
        if tokens(text[:offset], locale) == wanted:
            return offset
    return len(text)


def _run_at(haystack: list[str], needle: list[str]) -> int | None:
    size = len(needle)
    return next((i for i in range(len(haystack) - size + 1) if haystack[i:i + size] == needle), None) if size else None


def separate(view: View, reading: Reading, every: Iterable[Notice], locale: Locale) -> tuple[Reading, list[Problem]]:
    """The output without its notice (so the usual checks see the answer alone), and the notice problems: a
    targeted output that does not open with its notice, or any output holding another notice's words."""
    problems: list[Problem] = []
    text = reading.text
    facts = list(reading.facts)
    rest: list[str] | None = None  # the tokens of the output without its notice
    if view.notice is not None:
        wanted = inline_tokens(view.notice.inlines, locale)
        words = tokens(text, locale)
        if words[:len(wanted)] != wanted:
            rest = words
            shown = " ".join(words[:len(wanted)]) or "nothing"
            problems.append(Problem("notice-missing", view.channel,
                                    f"{view.channel} opens with \"{shown}\", not the active notice "
                                    f"\"{' '.join(wanted)}\"", view.short_answer.line))
        else:
            cut = _cut(text, wanted, locale) if wanted else 0
            text = text[cut:].lstrip(" \t.:;,-\u2013\u2014\n")
            rest = tokens(text, locale)
            facts = _without(facts, tokens(reading.text[:cut], locale), rest)
    if rest is None:
        rest = tokens(text, locale)
    for notice in every:
        wanted = inline_tokens(notice.message.inlines, locale)
        if len(wanted) >= 4 and _run_at(rest, wanted) is not None:
            problems.append(Problem("notice-misplaced", view.channel,
                                    f"{view.channel} shows notice `{notice.id}`, which is not active for this answer "
                                    "on the build day", view.short_answer.line))
    return Reading(reading.title, text, tuple(facts), reading.links), problems


def _without(facts: list[Seen], notice_tokens: list[str], rest_tokens: list[str]) -> list[Seen]:
    """`facts` less those only the notice states (in its words or in a link's target, e.g. a notice's `tel:`):
    the gate compares which facts an output states, not how often."""
    only_notice = {t for t in notice_tokens if t.startswith("<")} - set(rest_tokens)
    return [f for f in facts if f"<{f.type.value}:{f.canonical}>" not in only_notice]


def over_budget(view: View, notes: Iterable[object]) -> list[Problem]:
    """With a notice, an SMS or IVR output over its budget is the notice's doing: say so, naming the notice."""
    if view.notice is None or view.channel not in BUDGETED:
        return []
    if not any(getattr(n, "code", "") == "over-budget" and getattr(n, "severity", "") == "error" for n in notes):
        return []
    return [Problem("notice-over-budget", view.channel,
                    f"{view.channel}: {view.id}: with the notice \"{view.notice_text}\" said first, the output no "
                    "longer fits its budget", view.short_answer.line)]
