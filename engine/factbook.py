"""The shared fact table (`_facts.yaml`) and the knowledge base settings (`_settings.yaml`)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from engine.diagnostics import Report, did_you_mean
from engine.facts import INSECURE, FactError, FactType, FactValue, Locale, parse_value
from engine.source import YamlDoc, plain, read_text, read_yaml

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"


class FactEntry(BaseModel):
    """One shared fact as written in `_facts.yaml`."""

    model_config = ConfigDict(extra="forbid")

    type: FactType = Field(description="phone, money, date, time, hours, duration, url, email, percent or text")
    value: str | int | float | dt.date = Field(description="The value as people write it, e.g. `(800) 555-0100` or `$2.50`.")
    label: str | None = Field(None, max_length=80, description="A short name customers understand.")
    labels: dict[str, str] = Field(default_factory=dict, description="The label in other languages, by language "
                                   "(`es: Cargo por tarjeta`): what a translation in that language shows.")
    forms: dict[str, str] = Field(default_factory=dict, description="For a text fact: the value in other languages, by "
                                  "language (`es: Oficina principal, 100 Main Street`): what a translation in that "
                                  "language states. Every other type is written in each language's own form by the "
                                  "engine, so `forms:` is for text facts only.")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="For money: ISO 4217 code.")
    note: str | None = Field(None, description="For editors and CSRs; never published.")
    audience: Literal["public", "internal"] = Field(
        "public", description="`internal` for a value only staff may see (a staff line, an escalation address): "
                              "it may appear only in internal answers and `::: internal` notes.")


FactsFile = dict[str, dict[str, FactEntry]]


class Settings(BaseModel):
    """Knowledge-base wide settings (`_settings.yaml`)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200, description="The organisation's name.")
    region: str = Field("US", pattern=r"^[A-Z]{2}$", description="ISO 3166 region for phone numbers.")
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="Currency of `$` amounts.")
    language: str = Field("en-US", pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$",
                          description="BCP 47 language tag of the content, e.g. `en-US`.")
    channels: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per channel, options merged over the engine's defaults (`channels/<name>.yaml`), e.g. "
                    "`web: {base_url: https://example.org/help, topics: {billing: Bills}}` or `ivr: {budget_seconds: 60}`.")
    # Where each key was written, for diagnostics about channel options (set by `load_settings`).
    _doc: YamlDoc | None = PrivateAttr(None)
    _display: str = PrivateAttr("_settings.yaml")

    def where(self, *path: str | int, key: bool = False) -> tuple[str, int, int]:
        """The file, line and column of a key path in `_settings.yaml` (1:1 when unknown or absent)."""
        if self._doc is None:
            return self._display, 1, 1
        line, col = self._doc.where(*path, key=key)
        return self._display, line, col

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"`{region}` is not a region phone numbers are known for (e.g. US, GB, CA)")
        return region

    @property
    def locale(self) -> Locale:
        return Locale(self.region, self.currency, self.language)


@dataclass(frozen=True)
class Fact:
    key: str  # "group.name"
    value: FactValue
    label: str | None
    line: int
    audience: str = "public"
    labels: tuple[tuple[str, str], ...] = ()  # (language, label) for translations (engine/locales.py)
    forms: tuple[tuple[str, str], ...] = ()  # (language, value) of a text fact, for translations

    def form_for(self, language: str) -> str | None:
        """The text fact's value in `language` (its own tag, else its base language), or None."""
        wanted = (language.lower(), language.lower().split("-")[0])
        return next((text for want in wanted for lang, text in self.forms if lang == want), None)


@dataclass(frozen=True)
class FactTable:
    facts: dict[str, Fact]
    failed: frozenset[str] = frozenset()  # keys (or `group.*`) written in `_facts.yaml` but refused, and reported
    unreadable: bool = False  # `_facts.yaml` could not be read at all: every reference to it is moot

    def reported(self, key: str) -> bool:
        """Whether a reference to the missing fact `key` is already explained by an error in `_facts.yaml`."""
        return self.unreadable or key in self.failed or f"{key.split('.')[0]}.*" in self.failed

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def in_language(self, language: str) -> FactTable:
        """The table as an answer in `language` sees it: each fact labelled in that language where its entry
        gives one (`labels:`), else as written; the same values (a translation shares the fact book), but a text
        fact states its form in that language (`forms:`) where it has one."""
        wanted = {language.lower(), language.lower().split("-")[0]}
        if not any(lang in wanted for fact in self.facts.values() for lang, _ in (*fact.labels, *fact.forms)):
            return self
        relabelled = {key: replace(fact, label=next((t for lang, t in fact.labels if lang in wanted), fact.label))
                      for key, fact in self.facts.items()}
        for key, fact in relabelled.items():
            form = fact.form_for(language)
            if form is not None:
                text = " ".join(form.split())
                relabelled[key] = replace(fact, value=FactValue(FactType.TEXT, text, text))
        return replace(self, facts=relabelled)

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
    unread = Settings()
    unread._display = display
    if not path.exists():
        return unread
    source = read_text(path, display, report, root=root)
    doc = read_yaml(source.text, display, 1, report) if source else None
    if doc is None or doc.data is None:
        return unread
    try:
        settings = Settings.model_validate(plain(doc.data))
        settings._doc, settings._display = doc, display
        return settings
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            line, col = doc.where(*loc, key=item["type"] == "extra_forbidden")
            hint = did_you_mean(str(loc[0]), Settings.model_fields) if item["type"] == "extra_forbidden" else None
            report.add(display, line, col, "invalid-settings", f"`{'.'.join(map(str, loc))}`: {item['msg']}", hint=hint)
        return unread


def load_facts(root: Path, display: str, locale: Locale, report: Report) -> FactTable:
    path = root / "_facts.yaml"
    if not path.exists():
        return FactTable({})
    source = read_text(path, display, report, root=root)
    doc = read_yaml(source.text, display, 1, report) if source else None
    if doc is None or doc.data is None:
        return FactTable({}, unreadable=report.errors_for(display))
    data = doc.data
    if not isinstance(data, dict):
        report.add(display, 1, 1, "invalid-facts", "`_facts.yaml` must map groups to facts: `group: {name: {type, value}}`")
        return FactTable({}, unreadable=True)
    facts: dict[str, Fact] = {}
    failed: set[str] = set()
    for group, members in data.items():
        line, col = doc.where(group, key=True)
        if not isinstance(group, str) or not re.fullmatch(NAME_PATTERN, group):
            report.add(display, line, col, "invalid-fact-name",
                       f"fact group `{group}` must be lowercase letters, digits and `_`, starting with a letter")
            continue
        if not isinstance(members, dict):
            report.add(display, line, col, "invalid-facts", f"fact group `{group}` must map names to facts")
            failed.add(f"{group}.*")
            continue
        for name, entry in members.items():
            key = f"{group}.{name}"
            if not _load_one(doc, group, name, entry, key, display, locale, facts, report):
                failed.add(key)
    return FactTable(facts, frozenset(failed))


def _kind(value: object) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__)


def _load_one(doc: YamlDoc, group: str, name: Any, entry: Any, key: str, display: str, locale: Locale,
              facts: dict[str, Fact], report: Report) -> bool:
    line, col = doc.where(group, name, key=True)
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name):
        report.add(display, line, col, "invalid-fact-name",
                   f"fact name `{name}` must be lowercase letters, digits and `_`, starting with a letter")
        return False
    try:
        model = FactEntry.model_validate(plain(entry))
    except ValidationError as error:
        union_reported = False
        for item in error.errors():
            if item["loc"][:1] == ("value",) and len(item["loc"]) > 1:  # one error per member of the union
                if not union_reported:
                    where_line, where_col = doc.where(group, name, "value")
                    report.add(display, where_line, where_col, "invalid-fact",
                               f"`{key}` value: write it as text, a number or a date, not {_kind(item['input'])}")
                union_reported = True
                continue
            loc = (group, name, *item["loc"])
            where_line, where_col = doc.where(*loc, key=item["type"] == "extra_forbidden")
            field = ".".join(map(str, item["loc"])) or "fact"
            hint = did_you_mean(str(item["loc"][0]), FactEntry.model_fields) if item["type"] == "extra_forbidden" \
                else "one of: " + ", ".join(t.value for t in FactType) if field == "type" else None
            report.add(display, where_line, where_col, "invalid-fact", f"`{key}` {field}: {item['msg']}", hint=hint)
        return False
    if model.forms and model.type is not FactType.TEXT:
        where_line, where_col = doc.where(group, name, "forms", key=True)
        report.add(display, where_line, where_col, "invalid-fact",
                   f"`{key}` forms: only a text fact has per-language forms; a {model.type.value} fact is written in "
                   "each language's own form by the engine (\"2,50 US$\", \"9:00 a.m.\")",
                   hint="remove `forms:`, or give the language's name for it in `labels:`")
        return False
    try:
        value = parse_value(model.type, model.value, locale, model.currency)
    except FactError as error:
        where_line, where_col = doc.where(group, name, "value")
        report.add(display, where_line, where_col, error.code or "invalid-fact", f"`{key}`: {error}")
        return False
    if value.type is FactType.URL and value.canonical.startswith("http://"):
        where_line, where_col = doc.where(group, name, "value")
        report.warn(display, where_line, where_col, "insecure-link", f"`{key}` is an `http://` address: {INSECURE}",
                    hint="write `https://` if the site has it")
    facts[key] = Fact(key, value, model.label, line, model.audience,
                      tuple(sorted((lang.lower(), text) for lang, text in model.labels.items())),
                      tuple(sorted((lang.lower(), text) for lang, text in model.forms.items())))
    return True
