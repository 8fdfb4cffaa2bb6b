"""The shared fact table (`_facts.yaml`) and the knowledge base settings (`_settings.yaml`)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.diagnostics import Report, did_you_mean
from engine.facts import FactError, FactType, FactValue, Locale, parse_value
from engine.source import YamlDoc, plain, read_text, read_yaml

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class FactEntry(BaseModel):
    """One shared fact as written in `_facts.yaml`."""

    model_config = ConfigDict(extra="forbid")

    type: FactType = Field(description="phone, money, date, time, hours, duration, url, email, percent or text")
    value: str | int | float | dt.date = Field(description="The value as people write it, e.g. `(800) 555-0100` or `$2.50`.")
    label: str | None = Field(None, max_length=80, description="A short name customers understand.")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="For money: ISO 4217 code.")
    note: str | None = Field(None, description="For editors and CSRs; never published.")


FactsFile = dict[str, dict[str, FactEntry]]


class Settings(BaseModel):
    """Knowledge-base wide settings (`_settings.yaml`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", description="The organisation's name.")
    region: str = Field("US", pattern=r"^[A-Z]{2}$", description="ISO 3166 region for phone numbers.")
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="Currency of `$` amounts.")
    language: str = Field("en-US", description="BCP 47 language tag of the content.")

    @property
    def locale(self) -> Locale:
        return Locale(self.region, self.currency, self.language)


@dataclass(frozen=True)
class Fact:
    key: str  # "group.name"
    value: FactValue
    label: str | None
    line: int


@dataclass(frozen=True)
class FactTable:
    facts: dict[str, Fact]

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    @cached_property
    def by_canonical(self) -> dict[tuple[FactType, str], str]:
        """Which fact key holds each value, for recognising literals equal to a shared fact."""
        index: dict[tuple[FactType, str], str] = {}
        for key in sorted(self.facts):
            fact = self.facts[key]
            index.setdefault((fact.value.type, fact.value.canonical), key)
        return index


def load_settings(root: Path, display: str, report: Report) -> Settings:
    path = root / "_settings.yaml"
    if not path.exists():
        return Settings()
    source = read_text(path, display, report)
    doc = read_yaml(source.text, display, 1, report) if source else None
    if doc is None or doc.data is None:
        return Settings()
    try:
        return Settings.model_validate(plain(doc.data))
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            line, col = doc.where(*loc, key=item["type"] == "extra_forbidden")
            hint = did_you_mean(str(loc[0]), Settings.model_fields) if item["type"] == "extra_forbidden" else None
            report.add(display, line, col, "invalid-settings", f"`{'.'.join(map(str, loc))}`: {item['msg']}", hint=hint)
        return Settings()


def load_facts(root: Path, display: str, locale: Locale, report: Report) -> FactTable:
    path = root / "_facts.yaml"
    if not path.exists():
        return FactTable({})
    source = read_text(path, display, report)
    doc = read_yaml(source.text, display, 1, report) if source else None
    if doc is None or doc.data is None:
        return FactTable({})
    data = doc.data
    if not isinstance(data, dict):
        report.add(display, 1, 1, "invalid-facts", "`_facts.yaml` must map groups to facts: `group: {name: {type, value}}`")
        return FactTable({})
    facts: dict[str, Fact] = {}
    for group, members in data.items():
        line, col = doc.where(group, key=True)
        if not isinstance(group, str) or not re.fullmatch(NAME_PATTERN, group):
            report.add(display, line, col, "invalid-fact-name",
                       f"fact group `{group}` must be lowercase letters, digits and `_`, starting with a letter")
            continue
        if not isinstance(members, dict):
            report.add(display, line, col, "invalid-facts", f"fact group `{group}` must map names to facts")
            continue
        for name, entry in members.items():
            key = f"{group}.{name}"
            _load_one(doc, group, name, entry, key, display, locale, facts, report)
    return FactTable(facts)


def _load_one(doc: YamlDoc, group: str, name: Any, entry: Any, key: str, display: str, locale: Locale,
              facts: dict[str, Fact], report: Report) -> None:
    line, col = doc.where(group, name, key=True)
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        report.add(display, line, col, "invalid-fact-name",
                   f"fact name `{name}` must be lowercase letters, digits and `_`, starting with a letter")
        return
    try:
        model = FactEntry.model_validate(plain(entry))
    except ValidationError as error:
        for item in error.errors():
            loc = (group, name, *item["loc"])
            where_line, where_col = doc.where(*loc, key=item["type"] == "extra_forbidden")
            field = ".".join(map(str, item["loc"])) or "fact"
            hint = did_you_mean(str(item["loc"][0]), FactEntry.model_fields) if item["type"] == "extra_forbidden" \
                else "one of: " + ", ".join(t.value for t in FactType) if field == "type" else None
            report.add(display, where_line, where_col, "invalid-fact", f"`{key}` {field}: {item['msg']}", hint=hint)
        return
    try:
        value = parse_value(model.type, model.value, locale, model.currency)
    except FactError as error:
        where_line, where_col = doc.where(group, name, "value")
        report.add(display, where_line, where_col, "invalid-fact", f"`{key}`: {error}")
        return
    facts[key] = Fact(key, value, model.label, line)
