"""The report card: a grade for every answer on every channel it is published on, and what to fix first.

A cell (answer × channel) starts at 100 and loses points for what a reader of that channel would notice or an
editor should look at:
- budget: −15 when a budgeted metric (SMS segments, IVR seconds, chat characters…) uses 90% or more of it;
- degraded: −25 when the channel left part of the answer out (the manifest's `left_out`);
- overridden: −5 for hand-written channel text, which must be re-read whenever the answer changes;
and from the answer as a whole: −30 when its review is overdue, −10 per accepted finding (at most −20), and
−5 / −15 for sentences averaging over 20 / 25 words. Grades: A ≥ 90, B ≥ 75, C ≥ 60, D ≥ 40, else F.
Everything is read from the manifest, the answers' front matter and the channel budgets, so the card is
made at build time with the bundle it describes.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from engine.bundle import Manifest
from engine.model import Answer, Heading, ListBlock, Paragraph, Quote, Scoped, inline_text
from renderers.gsm import capacity

GRADES = (("A", 90), ("B", 75), ("C", 60), ("D", 40), ("F", -10**9))
NEAR_BUDGET = 0.9
REVIEW_AGES = ((90, "under 3 months"), (180, "3–6 months"), (365, "6–12 months"), (10**9, "over a year"))
BUDGET_BANDS = ((0.5, "under 50%"), (0.75, "50–75%"), (0.9, "75–90%"), (1.0, "90–100%"), (10**9, "over 100%"))


@dataclass(frozen=True)
class AnswerFacts:
    """What the card needs of an answer beyond the manifest."""

    topic: str
    reviewed: date
    review_every: int
    words_per_sentence: float


@dataclass
class Cell:
    channel: str
    score: int
    grade: str
    budget_use: float | None  # the largest share of a budget any metric uses (1.0 = the whole budget)
    left_out: list[str]
    overridden: bool
    fixes: list[str]


@dataclass
class Row:
    id: str
    topic: str
    source: str
    reviewed: str
    overdue_days: int
    words_per_sentence: float
    accepted: int
    score: int  # the worst cell's
    grade: str
    fixes: list[str]  # the answer's own, then each cell's, worst first
    cells: dict[str, Cell]


@dataclass
class Card:
    as_of: str
    rows: list[Row]  # worst first
    by_channel: dict[str, dict[str, int]]  # channel -> grade -> cells
    by_topic: dict[str, dict[str, int]]  # topic -> grade -> answers
    budget_bands: dict[str, dict[str, int]] = field(default_factory=dict)  # channel -> band -> answers
    review_ages: dict[str, int] = field(default_factory=dict)  # age band -> answers
    assessment: list[str] = field(default_factory=list)  # the self-assessment's lines, when made at build time

    def data(self) -> dict[str, Any]:
        """The card as JSON-ready dicts and lists, as `dataclasses.asdict` gives it but sharing the card's own
        lists and dicts: asdict's deep copy of every cell and fix cost seconds at 10,000 answers."""
        rows = [{**vars(row), "cells": {channel: vars(cell) for channel, cell in row.cells.items()}}
                for row in self.rows]
        return {**vars(self), "rows": rows}


def letter(score: int) -> str:
    for grade, floor in GRADES:  # a plain loop: called for every cell, twice
        if score >= floor:
            return grade
    raise AssertionError("the last grade has no floor")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _prose(blocks: Iterable[object]) -> Iterable[str]:
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            if isinstance(block, Paragraph):
                yield inline_text(block.inlines)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _prose(item.blocks)
        elif isinstance(block, Quote):
            yield from _prose(block.blocks)
        elif isinstance(block, Scoped) and block.kind != "internal":
            yield from _prose(block.blocks)


def words_per_sentence(answer: Answer) -> float:
    """Average words per sentence of what customers read (internal notes left out)."""
    words = [n for text in _prose(answer.blocks) for s in _SENTENCE_END.split(text.strip()) if (n := len(s.split()))]
    if not words:
        return 0.0
    return round(sum(words) / len(words), 1)


def facts_of(answers: Iterable[Answer]) -> dict[str, AnswerFacts]:
    return {a.id: AnswerFacts(a.topic, a.reviewed, a.review_every, words_per_sentence(a)) for a in answers}


def limits_of(channels: Iterable[Any]) -> dict[str, dict[str, float]]:
    """Per channel, metric -> budget, from each channel config's `budget_<metric>` options."""
    return {c.name: {name.removeprefix("budget_"): float(value) for name, value in c.config.model_dump().items()
                     if name.startswith("budget_") and isinstance(value, (int, float)) and not isinstance(value, bool)}
            for c in channels}


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    return next(label for limit, label in bands if value <= limit or limit == bands[-1][0])


def _uses(metrics: Mapping[str, Any], limits: Mapping[str, float]) -> dict[str, float]:
    """Per budgeted metric, the share of its budget used. Segments come in whole messages, so a text's share
    is its characters against what the budgeted segments hold in its encoding."""
    uses: dict[str, float] = {}
    for metric, budget in limits.items():
        value = metrics.get(metric)
        if budget <= 0 or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        characters, encoding = metrics.get("characters"), metrics.get("encoding")
        if metric == "segments" and isinstance(characters, int) and encoding in ("GSM-7", "UCS-2"):
            uses[metric] = characters / capacity(str(encoding), int(budget))
        else:
            uses[metric] = float(value) / budget
    return uses


def _cell(channel: str, metrics: Mapping[str, Any], left_out: list[str], limits: Mapping[str, float]) -> Cell:
    score, fixes = 100, []
    uses = _uses(metrics, limits)
    use = max(uses.values()) if uses else None
    if use is not None and use >= NEAR_BUDGET:
        metric = max(uses, key=lambda m: uses[m])
        score -= 15
        fixes.append(f"{channel}: uses {use:.0%} of its budget ({metrics[metric]} {metric} of {limits[metric]:g}); "
                     "shorten the short answer or the steps")
    if left_out:
        score -= 25
        fixes += [f"{channel}: left out: {item}" for item in left_out]
    overridden = bool(metrics.get("override"))
    if overridden:
        score -= 5
        fixes.append(f"{channel}: hand-written text: re-read it whenever the answer changes")
    return Cell(channel, score, letter(score), round(use, 3) if use is not None else None, left_out, overridden, fixes)


def grade(manifest: Manifest, facts: Mapping[str, AnswerFacts], limits: Mapping[str, Mapping[str, float]],
          as_of: date) -> Card:
    rows: list[Row] = []
    budget_bands: dict[str, Counter[str]] = {}
    ages: Counter[str] = Counter()
    for answer_id, entry in manifest.answers.items():
        about = facts.get(answer_id)
        if about is None:  # held back with an older version: its sources are not this build's
            continue
        own_penalty, own_fixes = 0, []
        overdue = (as_of - about.reviewed).days - about.review_every
        if overdue > 0:
            own_penalty += 30
            own_fixes.append(f"review overdue by {overdue} days (reviewed {about.reviewed.isoformat()})")
        accepted = len(entry.accepted or [])
        if accepted:
            own_penalty += min(20, 10 * accepted)
            own_fixes.append(f"{accepted} accepted finding{'s' * (accepted != 1)}: check each still holds")
        wps = about.words_per_sentence
        if wps > 20:
            own_penalty += 15 if wps > 25 else 5
            own_fixes.append(f"sentences average {wps:g} words: split the longest")
        ages[_band(float((as_of - about.reviewed).days), REVIEW_AGES)] += 1
        cells: dict[str, Cell] = {}
        for channel, output in entry.channels.items():
            cell = _cell(channel, output.metrics, list(output.left_out or []), limits.get(channel, {}))
            cell.score -= own_penalty
            cell.grade = letter(cell.score)
            cells[channel] = cell
            if cell.budget_use is not None:
                budget_bands.setdefault(channel, Counter())[_band(cell.budget_use, BUDGET_BANDS)] += 1
        worst = min((c.score for c in cells.values()), default=100 - own_penalty)
        fixes = own_fixes + [fix for c in sorted(cells.values(), key=lambda c: (c.score, c.channel)) for fix in c.fixes]
        rows.append(Row(answer_id, about.topic, entry.source, about.reviewed.isoformat(), max(overdue, 0), wps,
                        accepted, worst, letter(worst), fixes, cells))
    rows.sort(key=lambda r: (r.score, r.id))
    by_channel: dict[str, Counter[str]] = {}
    by_topic: dict[str, Counter[str]] = {}
    for row in rows:
        by_topic.setdefault(row.topic, Counter())[row.grade] += 1
        for cell in row.cells.values():
            by_channel.setdefault(cell.channel, Counter())[cell.grade] += 1
    return Card(as_of.isoformat(), rows,
                {c: dict(sorted(n.items())) for c, n in sorted(by_channel.items())},
                {t: dict(sorted(n.items())) for t, n in sorted(by_topic.items())},
                {c: {label: n[label] for _, label in BUDGET_BANDS} for c, n in sorted(budget_bands.items())},
                {label: ages[label] for _, label in REVIEW_AGES})
