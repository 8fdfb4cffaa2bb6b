"""Answers in more than one language, with the facts proved equal.

A translation is an answer file of its own, beside its source (`knowledge/<topic>/<slug>-<lang>.md` by
convention), whose front matter says `translation_of: <source id>` and `language: <tag>` (e.g. `es-US`). It
shares the fact book: `{{ fees.card }}` is the same fee in every language.

- `check_translations` (at load): the source exists, is no translation itself, and is in another language; a
  translation reviewed before its source's last change (the source's `reviewed` date) is `stale-translation`.
  A translation's content hash includes its source's, so a change to the source re-checks the translation.
- `parity` (in the gate): per channel, every fact the source's output states, the translation's output
  states, and no other: `translation-fact-missing` / `translation-fact-changed` name the fact and the channel.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING

from engine.consistency import FactKey, Problem, _own_link, allowed_facts
from engine.diagnostics import Report, did_you_mean
from engine.facts import Locale
from engine.readers import Reading, Seen
from engine.select import View

if TYPE_CHECKING:
    from engine.knowledge import Loaded


def base_language(tag: str) -> str:
    """The language of a BCP 47 tag without its region: es-US -> es."""
    return tag.replace("_", "-").split("-")[0].lower()


def check_translations(loaded: list[Loaded], report: Report, default_language: str = "en-US") -> None:
    """Report what is wrong with each translation's `translation_of`, and give each translation a content hash
    that includes its source's."""
    by_id = {item.answer.id: item for item in loaded}
    for item in loaded:
        answer = item.answer
        if answer.translation_of is None:
            continue
        line, col = item.where("translation_of")
        source = by_id.get(answer.translation_of)
        if source is None:
            report.add(item.display, line, col, "unknown-translation-source",
                       f"`translation_of`: no answer has the id `{answer.translation_of}`",
                       hint=did_you_mean(answer.translation_of, sorted(by_id)))
            continue
        if source.answer.translation_of is not None:
            report.add(item.display, line, col, "invalid-translation",
                       f"`{source.answer.id}` is itself a translation (of `{source.answer.translation_of}`)",
                       hint=f"write `translation_of: {source.answer.translation_of}`")
            continue
        mine = answer.language or default_language
        theirs = source.answer.language or default_language
        if not answer.language or base_language(mine) == base_language(theirs):
            where = item.where("language") if answer.language else (line, col)
            report.add(item.display, *where, "invalid-translation",
                       f"a translation of `{source.answer.id}` ({theirs}) must say its own `language:`, another one",
                       hint="add `language: es-US` (the translation's language)")
            continue
        if answer.reviewed < source.answer.reviewed:
            r_line, r_col = item.where("reviewed")
            report.warn(item.display, r_line, r_col, "stale-translation",
                        f"translated (reviewed {answer.reviewed}) before `{source.answer.id}` last changed (reviewed "
                        f"{source.answer.reviewed}): it may not say what the source says now",
                        hint="bring the translation up to date with its source, then update `reviewed`")
        combined = hashlib.sha256(f"{answer.hash}\n{source.answer.hash}".encode("ascii")).hexdigest()
        item.answer = replace(answer, hash=combined)


def _facts(reading: Reading, base_url: str) -> dict[FactKey, Seen]:
    return {(f.type, f.canonical): f for f in reading.facts if not _own_link((f.type, f.canonical), base_url)}


def parity(channel: str, source_view: View, source: Reading, translation_view: View, translation: Reading,
           base_url: str, locale: Locale = Locale()) -> list[Problem]:
    """The facts the source's output on `channel` states against those its translation's output states."""
    stated = _facts(source, base_url)
    said = _facts(translation, base_url)
    labels = allowed_facts(source_view, locale)
    line = translation_view.short_answer.line
    language = translation_view.answer.language
    extra = {key: seen for key, seen in said.items() if key not in stated}
    problems: list[Problem] = []
    for key, seen in stated.items():
        if key in said:
            continue
        mention = labels.get(key)
        label = f" ({mention.key})" if mention is not None and mention.key else ""
        instead = next((k for k in extra if k[0] is key[0]), None)
        if instead is not None:
            problems.append(Problem("translation-fact-changed", channel,
                                    f"{channel}: the {language} translation states {extra.pop(instead).raw} where "
                                    f"`{source_view.id}` states {seen.raw}{label}", line))
        else:
            problems.append(Problem("translation-fact-missing", channel,
                                    f"{channel}: the {language} translation does not state {seen.raw}{label}, which "
                                    f"`{source_view.id}` states there", line))
    for seen in extra.values():
        problems.append(Problem("translation-fact-changed", channel,
                                f"{channel}: the {language} translation states {seen.raw}, which `{source_view.id}` "
                                "does not state there", line))
    return problems
