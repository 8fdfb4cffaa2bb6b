"""The light part of a parsed answer: what the other answers' checks and the plan read from an answer that is
not rendered, so `check FILE` need not open the full parse of every other answer.

What reads an answer that is not rendered, and what it reads:
- the checks across answers at load (`knowledge._check_*`, `locales.check_translations`): the header fields,
  the front matter positions of `id`, `question`, `related`, `reviewed`, `translation_of`, `language`, whether
  `id` is written, and the literal facts (`Loaded.literals`);
- the plan (`publishes`, `site_of`, `versions`, `summarise`, the notices' targets): header fields and the keys
  of the facts it uses (`standards.concerned`);
- the leak check's `InternalIndex.of`: the internal text (an internal answer's blocks, a public answer's
  `::: internal` notes) and the labels of the facts its public text mentions; kept tokenised too
  (`InternalText`), so the index is merged, not worked out again.

So a light answer is the `Answer` with `steps` dropped and, for a public answer, its blocks cut to its
internal notes followed by one paragraph of its public fact mentions (their labels and keys); the overrides stay.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from engine.consistency import InternalText, _internal_blocks, public_blocks
from engine.model import Answer, FactMention, Paragraph, walk_inlines

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Stands in for `YamlDoc` in a light `Loaded`: the front matter locations the checks across answers ask."""

    data: dict[str, None]  # the keys present that the checks test for (`id`)
    at: dict[tuple[Location, bool], tuple[int, int]]

    def where(self, *loc: str | int, key: bool = False) -> tuple[int, int]:
        return self.at.get((tuple(loc), key), (1, 1))


@dataclass(frozen=True)
class Light:
    answer: Answer
    positions: Positions
    literals: tuple[tuple[FactMention, int, int], ...]
    deps: Any  # incremental.FactDeps: how its facts resolved, checked before use
    internal: InternalText  # its part in the leak check's index, worked out once


def light_answer(answer: Answer) -> Answer:
    if answer.audience == "internal":
        return replace(answer, steps=None)
    mentions = tuple(node for node in walk_inlines(public_blocks(answer.blocks)) if isinstance(node, FactMention))
    line = answer.short_answer.line
    blocks = (*_internal_blocks(answer.blocks), Paragraph(mentions, line))
    return replace(answer, blocks=blocks, short_answer=Paragraph((), line), steps=None)


def positions(answer: Answer, where: Any, data: object) -> Positions:
    """The locations `where` (a `Loaded.where`) gives for every key the checks across answers may ask."""
    asked: list[Location] = [("question",), ("reviewed",), *(("related", i) for i in range(len(answer.related)))]
    has_id = isinstance(data, dict) and "id" in data
    if has_id:
        asked.append(("id",))
    if answer.translation_of is not None:
        asked.append(("translation_of",))
    if answer.language:
        asked.append(("language",))
    return Positions({"id": None} if has_id else {}, {(loc, False): where(*loc) for loc in asked})
