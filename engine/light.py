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

So a light answer is the `Answer` without its body: no blocks but one paragraph of the standards it states
(all `concerned` looks for), no overrides, steps or short answer text; its leak-index part is kept tokenised
(`InternalText`), so the index is merged, not worked out again. It is stored as plain values (a dict of the
header fields, tuples), which unpickle in C: the model's slotted dataclasses each run Python code to unpickle.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from engine.consistency import InternalText
from engine.model import Answer, FactMention, Paragraph, walk_inlines
from engine.standards import GROUP

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Positions:
    """Stands in for `YamlDoc` in a light `Loaded`: the front matter locations the checks across answers ask."""

    data: dict[str, None]  # the keys present that the checks test for (`id`)
    at: dict[tuple[Location, bool], tuple[int, int]]

    def where(self, *loc: str | int, key: bool = False) -> tuple[int, int]:
        return self.at.get((tuple(loc), key), (1, 1))


_BODY = ("blocks", "overrides", "short_answer", "steps")


@dataclass(frozen=True)
class Light:
    header: dict[str, object]  # the answer's fields but its body (`_BODY`)
    line: int  # the short answer's line
    standards: tuple[FactMention, ...]  # its mentions of standards (`standards.concerned` reads them)
    positions: Positions
    literals: tuple[tuple[FactMention, int, int], ...]
    deps: Any  # incremental.FactDeps: how its facts resolved, checked before use
    internal: InternalText  # its part in the leak check's index, worked out once

    def answer(self) -> Answer:
        body = (Paragraph(self.standards, self.line),) if self.standards else ()
        return Answer(**self.header, blocks=body, overrides=(), short_answer=Paragraph((), self.line),  # type: ignore[arg-type]
                      steps=None)


def light(answer: Answer, where: Any, data: object, literals: tuple[tuple[FactMention, int, int], ...],
          deps: Any) -> Light:
    header = {f.name: getattr(answer, f.name) for f in fields(Answer) if f.name not in _BODY}
    mentions = walk_inlines(answer.blocks) + [node for o in answer.overrides for node in o.inlines]
    standards = tuple(node for node in mentions if isinstance(node, FactMention) and node.key
                      and node.key.startswith(f"{GROUP}."))
    return Light(header, answer.short_answer.line, standards, positions(answer, where, data), literals, deps,
                 InternalText.of(answer))


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
