"""The synonym table (`_synonyms.yaml`): groups of customer words and answer words that search treats as one.

```yaml
groups:
  - [shut off, shutoff, disconnect, cut off]
  - [bill, invoice, statement]
```
Each group lists two or more words or short phrases; a query holding any of them also finds answers that use
any other. Phrases are lowercase letters, digits, spaces, `'` and `-`; a phrase belongs to one group only."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.diagnostics import Report, did_you_mean
from engine.source import plain, read_text, read_yaml

PHRASE = re.compile(r"[a-z0-9][a-z0-9' -]*[a-z0-9]|[a-z0-9]")
MAX_WORDS = 4


class SynonymsFile(BaseModel):
    """`_synonyms.yaml` as written."""

    model_config = ConfigDict(extra="forbid")

    groups: list[list[str]] = Field(default_factory=list,
                                    description="Each group: two or more words or phrases that mean the same.")


@dataclass(frozen=True)
class Synonyms:
    """Validated groups, each a tuple of normalised phrases (single spaces, lowercase)."""

    groups: tuple[tuple[str, ...], ...] = ()


def load_synonyms(root: Path, display: str, report: Report) -> Synonyms:
    path = root / "_synonyms.yaml"
    if not path.exists():
        return Synonyms()
    source = read_text(path, display, report)
    doc = read_yaml(source.text, display, 1, report) if source else None
    if doc is None or doc.data is None:
        return Synonyms()
    try:
        model = SynonymsFile.model_validate(plain(doc.data))
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            extra = item["type"] == "extra_forbidden"
            line, col = doc.where(*loc, key=extra)
            hint = did_you_mean(str(loc[0]), SynonymsFile.model_fields) if extra else None
            report.add(display, line, col, "invalid-synonyms", f"`{'.'.join(map(str, loc))}`: {item['msg']}", hint=hint)
        return Synonyms()
    groups: list[tuple[str, ...]] = []
    seen: dict[str, int] = {}
    for number, group in enumerate(model.groups):
        phrases = _group(group, number, seen, lambda *loc: doc.where("groups", *loc), display, report)
        if phrases is not None:
            groups.append(phrases)
    return Synonyms(tuple(groups))


def _group(group: list[str], number: int, seen: dict[str, int], locate: Callable[..., tuple[int, int]],
           display: str, report: Report) -> tuple[str, ...] | None:
    """One group's phrases normalised, or None (with diagnostics) when it cannot be used."""
    phrases: list[str] = []
    for index, raw in enumerate(group):
        line, col = locate(number, index)
        phrase = " ".join(raw.lower().split())
        if not PHRASE.fullmatch(phrase) or len(phrase.split()) > MAX_WORDS:
            report.add(display, line, col, "invalid-synonyms",
                       f"`{raw}` is not a search phrase: write 1 to {MAX_WORDS} words of letters and digits")
            continue
        if phrase in seen:
            where_text = "this group" if seen[phrase] == number else f"group {seen[phrase] + 1}"
            report.add(display, line, col, "invalid-synonyms", f"`{phrase}` is already in {where_text}",
                       hint="a phrase belongs to one group: merge the groups or remove one")
            continue
        seen[phrase] = number
        phrases.append(phrase)
    if len(group) < 2:
        line, col = locate(number)
        report.add(display, line, col, "invalid-synonyms", f"group {number + 1} needs at least two phrases")
        return None
    return tuple(phrases) if len(phrases) >= 2 else None
