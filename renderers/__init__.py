"""The renderer protocol and the lookup of a channel's renderer by name.

A channel is one config file, `channels/<name>.yaml`, and one module, `renderers/<name>.py`, holding:

- `Config`: a pydantic model of the channel's config (subclass of `channels.ChannelSpec`, `extra="forbid"`);
- `render(view, config, site) -> Rendered`: a pure function of one answer's channel view. It never opens a
  file or reads the clock; it returns output bytes keyed by path (relative to the channel's folder in
  `dist/`), the metrics the manifest records, and notes for anything it could not carry;
- optionally `render_index(entries, config, site) -> dict[str, bytes]`: channel-level files (home and topic
  pages, sitemap, app index) built from every answer's `IndexEntry`;
- optionally `index_entry(view, config, site) -> object`: what `render_index` needs of one answer beyond its
  `AnswerRef`, small and picklable. It is made when the answer is rendered (in a worker) and cached with the
  outputs, so an index is rebuilt from these entries alone: no answer is read again, and a build never holds
  every answer's view at once.
- optionally `USES_OUTPUTS = True`: `render` is then also called with `outputs=`, a read-only mapping of
  channel name -> `Rendered` holding this answer's outputs on the customer channels (`internal: false`) it is
  published on in this build. Customer channels always render before internal ones, so a channel that shows
  what customers get (the reference site) reads the finished outputs instead of rendering them again. The
  renderer stays pure: the mapping is its input like the view.

The contract is typed and checked in engine/contract.py (`READER`, `STATES` too); a module that breaks it is
reported on its channel's config file when the channel is loaded.

Per-fact presentation lives in each module as one function per fact type, so nothing else changes when a
channel is added.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from types import ModuleType
from typing import Any, Literal, Mapping, Protocol

from pydantic import BaseModel

from engine.facts import Locale
from engine.select import View

Metric = int | float | str | bool


@dataclass(frozen=True)
class Note:
    """Something a renderer could not do as asked: a budget overrun, a block it cannot carry."""

    code: str
    message: str
    severity: Literal["error", "warning"] = "warning"
    line: int | None = None  # a line of the answer's source file, when the note is about one block


@dataclass(frozen=True)
class Rendered:
    """One answer on one channel. `primary` is the file the manifest points to; `files` may hold more
    (a transcript beside the SSML, a plain-text version beside the Markdown)."""

    primary: str
    files: Mapping[str, bytes]
    metrics: Mapping[str, Metric] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class AnswerRef:
    """What one answer may say about another (a related link, an index entry)."""

    id: str
    question: str
    topic: str
    hash: str


@dataclass(frozen=True)
class Site:
    """Knowledge-base-wide context every renderer may read: who we are and where the web pages live."""

    name: str
    language: str
    base_url: str  # the public web site, from channels/web.yaml, without a trailing slash
    answers: Mapping[str, AnswerRef]
    locale: Locale = Locale()  # phone region and default currency of the knowledge base
    as_of: date | None = None  # the day the build publishes for (reviews are judged overdue against it)
    synonyms: tuple[tuple[str, ...], ...] = ()  # search synonym groups, from knowledge/_synonyms.yaml
    # an answer and its translations (engine/locales.py): id -> ((language, id), ...) of the other versions
    versions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def versions_of(self, answer_id: str) -> tuple[tuple[str, str], ...]:
        """The other language versions of an answer, as (language tag, id), source first."""
        return next((found for key, found in self.versions if key == answer_id), ())

    def web_url(self, answer_id: str) -> str:
        return f"{self.base_url}/{answer_id}/"


@dataclass(frozen=True)
class IndexEntry:
    """One published answer as a channel index sees it."""

    ref: AnswerRef
    path: str  # the answer's primary output, relative to the channel folder
    entry: Any  # what the channel's `index_entry` made of the answer (None if it has none)


class RendererModule(Protocol):
    Config: type[BaseModel]

    def render(self, view: View, config: Any, site: Site) -> Rendered: ...


def get(name: str) -> ModuleType:
    """The renderer module of channel `name` (`renderers/<name>.py`), checked against the channel contract
    (engine/contract.py; TypeError naming what is wrong)."""
    from engine.contract import ContractError, check_module
    module = importlib.import_module(f"renderers.{name}")
    try:
        check_module(name, module)
    except ContractError as error:
        raise TypeError(str(error)) from None
    return module
