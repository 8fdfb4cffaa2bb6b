"""Service standards as data (`_standards.yaml`): typed promises answers state as `{{ standards.<id> }}`.

Each standard becomes a shared fact in the group `standards`, so a changed standard changes every channel of
every answer that states it, through the same gate as any fact. The file may also describe a generated page
(`page:`) listing every standard: it is built into an ordinary answer and published on every channel like one.
`missed_notice` is the template `one-answer status set STANDARD missed` turns into a notice (engine/notices.py).
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.diagnostics import Report, did_you_mean
from engine.factbook import NAME_PATTERN, Fact, FactTable
from engine.facts import FactError, FactType, Locale, parse_value
from engine.frontmatter import ID_PATTERN
from engine.located import read_doc, validated
from engine.model import Answer, content_hash, facts_used
from engine.parse import parse_body

FILE = "_standards.yaml"
GROUP = "standards"
PLACEHOLDERS = ("title", "standard", "until", "applies_to")
DEFAULT_TEMPLATE = "Until {until}, we are not meeting our standard for {title} ({standard}). We are sorry."


class Standard(BaseModel):
    """One published promise."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=80, description="What is promised, in customers' words: "
                                                                 "`answering your call`.")
    type: Literal["duration", "percent", "hours"] = Field(description="duration, percent or hours")
    value: str | int | float = Field(description="The promise as people write it: `60 seconds`, `80%`.")
    applies_to: str = Field(min_length=1, max_length=60, description="The channel or process: `phone`, `repairs`.")
    answers: list[str] = Field(default_factory=list, description="Ids of the answers this standard concerns.")
    label: str | None = Field(None, max_length=80, description="A short name customers understand.")
    missed_notice: str | None = Field(None, max_length=300, description="This standard's own notice template.")


class Page(BaseModel):
    """The generated page listing every standard."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field("standards/service-standards", pattern=ID_PATTERN)
    question: str = Field("What service standards do you promise?", min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=400, description="The page's short answer.")
    owner: str = Field(min_length=1, max_length=80)
    reviewed: date
    review_every: int = Field(365, ge=1, le=3660)


class StandardsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: Page | None = None
    missed_notice: str = Field(DEFAULT_TEMPLATE, min_length=1, max_length=300,
                               description="Template of the notice `status set ID missed` writes: {title}, "
                                           "{standard}, {until}, {applies_to}.")
    standards: dict[str, Standard] = Field(default_factory=dict)


@dataclass(frozen=True)
class Standards:
    """What `_standards.yaml` holds once validated; `line` of each standard for diagnostics."""

    display: str = FILE
    items: dict[str, Standard] = field(default_factory=dict)
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)  # where each standard's key is written
    template: str = DEFAULT_TEMPLATE
    page: Page | None = None
    page_line: int = 1  # where `page:` is written: the generated page's diagnostics point there

    def fact_key(self, standard_id: str) -> str:
        return f"{GROUP}.{standard_id}"

    def notice_template(self, standard_id: str) -> str:
        own = self.items[standard_id].missed_notice
        return own if own else self.template


def load_standards(root: Path, display: str, locale: Locale, facts: FactTable,
                   report: Report) -> tuple[Standards, FactTable]:
    """The standards, and `facts` with each standard added as `standards.<id>` (`_facts.yaml` may not have a
    group of that name: it would be two sources for one value)."""
    doc = read_doc(root, FILE, display, report)
    if doc is None:
        return Standards(display), facts
    if not isinstance(doc.data, dict):
        report.add(display, 1, 1, "invalid-standards", "`_standards.yaml` must be a mapping with `standards:`")
        return Standards(display), facts
    model = validated(StandardsFile, doc.data, doc, display, report, "invalid-standards")
    if model is None:
        return Standards(display), FactTable(facts.facts, facts.failed | {f"{GROUP}.*"}, facts.unreadable)
    if any(key.startswith(f"{GROUP}.") for key in facts.facts):
        report.add(display, 1, 1, "standards-conflict",
                   f"_facts.yaml has a group `{GROUP}` too: a standard's value must have one source",
                   hint=f"move those facts into _standards.yaml or rename the group in _facts.yaml")
        return Standards(display), facts
    added = dict(facts.facts)
    failed = set(facts.failed)
    items: dict[str, Standard] = {}
    lines: dict[str, tuple[int, int]] = {}
    templates_ok = _check_template(model.missed_notice, doc.where("missed_notice"), display, report)
    for standard_id, standard in model.standards.items():
        line, col = doc.where("standards", standard_id, key=True)
        key = f"{GROUP}.{standard_id}"
        if not re.fullmatch(NAME_PATTERN, standard_id):
            report.add(display, line, col, "invalid-standards",
                       f"standard id `{standard_id}` must be lowercase letters, digits and `_`, starting with a letter")
            failed.add(key)
            continue
        try:
            value = parse_value(FactType(standard.type), standard.value, locale)
        except FactError as error:
            report.add(display, *doc.where("standards", standard_id, "value"), "invalid-standards",
                       f"`{standard_id}`: {error}")
            failed.add(key)
            continue
        if standard.missed_notice:
            templates_ok &= _check_template(standard.missed_notice, doc.where("standards", standard_id, "missed_notice"),
                                            display, report)
        added[key] = Fact(key, value, standard.label or standard.title.capitalize(), line)
        items[standard_id] = standard
        lines[standard_id] = (line, col)
    page = model.page
    return (Standards(display, items, lines, model.missed_notice if templates_ok else DEFAULT_TEMPLATE, page,
                      doc.where("page", key=True)[0] if page is not None else 1),
            FactTable(added, frozenset(failed), facts.unreadable))


def _check_template(template: str, where: tuple[int, int], display: str, report: Report) -> bool:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as error:
        report.add(display, *where, "invalid-standards", f"notice template: {error}",
                   hint="write `{{` for a literal brace")
        return False
    unknown = [name for name in names if name not in PLACEHOLDERS]
    for name in unknown:
        report.add(display, *where, "invalid-standards", f"notice template: unknown placeholder `{{{name}}}`",
                   hint=did_you_mean(name, PLACEHOLDERS) or "placeholders: " + ", ".join(PLACEHOLDERS))
    return not unknown


def check_answers(standards: Standards, ids: set[str], report: Report, doc_where: dict[str, int] | None = None) -> None:
    """Each standard's `answers` must name answers that exist."""
    for standard_id, standard in standards.items.items():
        for target in standard.answers:
            if target not in ids:
                report.add(standards.display, *standards.lines[standard_id], "unknown-standard-answer",
                           f"standard `{standard_id}` concerns `{target}`, but no answer has that id",
                           hint=did_you_mean(target, ids))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!~])")


def _escaped(text: str) -> str:
    """Plain text safe to put into generated Markdown (no emphasis, link, fact reference or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def page_markdown(standards: Standards) -> str:
    assert standards.page is not None
    lines = [" ".join(standards.page.summary.split()), ""]  # Markdown like an answer body: facts may be used
    for standard_id, standard in standards.items.items():
        lines.append(f"- **{_escaped(standard.title[:1].upper() + standard.title[1:])}** "
                     f"({_escaped(standard.applies_to)}): {{{{ {GROUP}.{standard_id} }}}}")
    return "\n".join(lines) + "\n"


def page_answer(standards: Standards, root: Path, facts: FactTable, locale: Locale, channels: tuple[str, ...],
                report: Report) -> Answer | None:
    """The generated standards page as an ordinary public answer (None when `_standards.yaml` has no `page:`)."""
    page = standards.page
    if page is None or not standards.items:
        return None
    text = page_markdown(standards)
    body = parse_body(text, standards.display, standards.page_line, facts, locale, channels, report)
    if body.short_answer is None:
        return None
    source = (root / FILE).relative_to(root.parent).as_posix() if root.parent != root else standards.display
    return Answer(
        id=page.id, source=source, question=page.question, asked_as=("service standards", "customer service promises"),
        topic=page.id.split("/")[0], tags=("service standards",), audience="public", channels=channels,
        owner=page.owner, reviewed=page.reviewed, review_every=page.review_every, effective_from=None,
        effective_until=None, related=tuple(sorted({a for s in standards.items.values() for a in s.answers})),
        overrides=(), blocks=body.blocks, short_answer=body.short_answer, steps=body.steps,
        hash=content_hash(page.id, page.id.split("/")[0], text, facts_used(body.blocks, ())))


def concerned(standards: Standards, standard_id: str, answers: list[Answer]) -> set[str]:
    """The answers a standard concerns: those it lists, those that state it, and the standards page."""
    key = f"{GROUP}.{standard_id}"
    found = set(standards.items[standard_id].answers) if standard_id in standards.items else set()
    for answer in answers:
        if any(k == key for k in facts_used(answer.blocks, answer.overrides)):
            found.add(answer.id)
    if standards.page is not None and standard_id in standards.items:
        found.add(standards.page.id)
    return found
