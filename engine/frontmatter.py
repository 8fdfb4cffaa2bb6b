"""The answer front matter: its strict model (the contract editors write to) and author-friendly errors."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

import channels as channel_registry
from engine.diagnostics import Report, did_you_mean
from engine.source import YamlDoc

ID_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:/[a-z0-9]+(?:[-_][a-z0-9]+)*)+$"


class Accept(BaseModel):
    """One reviewed finding accepted for this answer."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z]+(?:-[a-z]+)*$", description="The finding's code, e.g. `invented-fact`.")
    about: str = Field(min_length=1, max_length=200,
                       description="The fact or text the finding names, as it appears in its message, e.g. `$2.50`.")
    reason: str = Field(min_length=10, max_length=500, description="Why the answer is right as written.")


class FrontMatter(BaseModel):
    """Everything an answer file may say about itself. Channel overrides (`sms:` …) are read separately."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(None, pattern=ID_PATTERN, max_length=200,
                           description="Stable id in `topic/slug` form (at least two parts, so it never collides with a topic page); "
                                       "defaults to the file's path without `.md`.")
    question: str = Field(min_length=1, max_length=300, description="The question as a customer asks it.")
    asked_as: list[str] = Field(default_factory=list, max_length=50,
                                description="Other ways customers ask it; search and chat intents use them.")
    topic: str | None = Field(None, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                              description="Topic id; defaults to the folder name.")
    tags: list[str] = Field(default_factory=list, max_length=50)
    audience: Literal["public", "internal"] = Field(
        "public", description="`internal` answers go only to the reference site.")
    channels: list[str] | None = Field(None, description="Channels to publish to; default: every channel.")
    owner: str = Field(min_length=1, max_length=100, description="The team that keeps this answer true.")
    reviewed: dt.date = Field(description="When the answer was last checked (YYYY-MM-DD).")
    review_every: int = Field(180, ge=1, le=3660, description="Review interval in days.")
    effective_from: dt.date | None = Field(None, description="First day the answer is published.")
    effective_until: dt.date | None = Field(None, description="Last day the answer is published.")
    related: list[str] = Field(default_factory=list, max_length=20, description="Ids of related answers.")
    summary: str | None = Field(None, min_length=1, max_length=600,
                                description="The short answer every channel leads with, when the body cannot open "
                                            "with one (it starts with a heading, a list or a table); may use facts.")
    language: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$",
                                 description="The answer's language (BCP 47, e.g. `es-US`); default: the knowledge "
                                             "base's `language`.")
    translation_of: str | None = Field(None, pattern=ID_PATTERN, max_length=200,
                                       description="The id of the answer this one translates: the gate proves it "
                                                   "states the same facts on every channel (engine/locales.py).")
    accept: list[Accept] = Field(default_factory=list, max_length=20,
                                 description="Reviewed findings accepted for this answer, each with a reason: "
                                             "reported as accepted in every build instead of failing it.")

    @field_validator("asked_as", "tags", "related")
    @classmethod
    def _no_blank_items(cls, items: list[str]) -> list[str]:
        if any(not item.strip() for item in items):
            raise ValueError("items must not be empty")
        return items


FIELDS = tuple(FrontMatter.model_fields)
_EXAMPLES = {
    "question": "question: How do I pay my bill by phone?",
    "owner": "owner: billing-team",
    "reviewed": "reviewed: 2026-11-23",
}


def validate(doc: YamlDoc, display: str, channels: tuple[str, ...],
             report: Report) -> tuple[FrontMatter | None, dict[str, str]]:
    """Validate front matter; returns the model (or None) and the channel overrides it holds."""
    data, first_line = doc.data, doc.first_line
    if not isinstance(data, dict):
        report.add(display, first_line, 1, "invalid-front-matter",
                   "the front matter must be a mapping of `field: value` lines")
        return None, {}
    overrides: dict[str, str] = {}
    fields: dict[str, Any] = {}
    ok = True
    for key, value in data.items():
        name = str(key)
        if name in channels and name not in FIELDS:
            if isinstance(value, bool) and channel_registry.opt_in(name):
                continue  # `social: true`: the answer asks for an opt-in channel (engine/knowledge.py)
            if isinstance(value, str) and value.strip():
                overrides[name] = str(value)
            else:
                line, col = doc.where(name)
                report.add(display, line, col, "invalid-override",
                           f"the `{name}` override must be non-empty text written for that channel")
                ok = False
        else:
            fields[name] = value
    try:
        model = FrontMatter.model_validate(fields)
    except ValidationError as error:
        for item in error.errors():
            _report_error(item, doc, display, channels, report)
        return None, overrides
    if not ok:
        return None, overrides
    return model, overrides


def _report_error(item: dict[str, Any], doc: YamlDoc, display: str, channels: tuple[str, ...],
                  report: Report) -> None:
    loc = tuple(item["loc"])
    name = str(loc[0]) if loc else "front matter"
    kind = item["type"]
    if kind == "extra_forbidden":
        line, col = doc.where(*loc, key=True)
        report.add(display, line, col, "unknown-field", f"unknown field `{name}`",
                   hint=did_you_mean(name, FIELDS + channels))
    elif kind == "missing" and len(loc) > 1:  # inside a list item, e.g. an `accept:` entry without its reason
        line, col = doc.where(*loc[:-1])
        where = ".".join(str(part) for part in loc)
        report.add(display, line, col, "missing-field", f"missing required field `{where}`",
                   hint=f"add `{loc[-1]}: ...` to this entry")
    elif kind == "missing":
        report.add(display, doc.first_line - 1, 1, "missing-field", f"missing required field `{name}`",
                   hint=f"add `{_EXAMPLES.get(name, name + ': ...')}`")
    elif kind.startswith("date"):
        line, col = doc.where(*loc)
        value = item.get("input")
        detail = "is not a date on the calendar" if kind in ("date_from_datetime_parsing", "date_parsing") \
            and _looks_like_iso(value) else "is not a date"
        report.add(display, line, col, "invalid-date", f"`{name}`: {value!r} {detail}",
                   hint="write dates as YYYY-MM-DD, e.g. 2026-03-05")
    else:
        line, col = doc.where(*loc)
        where = ".".join(str(part) for part in loc)
        report.add(display, line, col, "invalid-value", f"`{where}`: {_message(item)}")


def _looks_like_iso(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()) is not None


def _message(item: dict[str, Any]) -> str:
    kind = item["type"]
    value = item.get("input")
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not in the expected form (lowercase words joined by `-`, parts by `/`)"
    if kind in ("string_type", "list_type", "int_type", "int_parsing", "literal_error"):
        return f"{item['msg'].lower()}, got {value!r}"
    return f"{item['msg']}" + (f" (got {value!r})" if not isinstance(value, (dict, list)) else "")
