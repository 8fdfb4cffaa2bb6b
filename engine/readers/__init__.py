"""Readers: recover what a customer can see or hear from a finished output, independently of the renderers.

One reader per output type, chosen by the primary file's suffix: `.html` (web pages), `.json` (Adaptive
Cards), `.ssml` (speech), `.md` (chat Markdown) and `.txt` (SMS and other plain text). Each returns a
`Reading`; facts are recovered with the same recogniser (engine.facts.find_facts) the parser uses, so a
fact compares equal across channels exactly when its canonical value does.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from engine.facts import FactType, Found, Locale


@dataclass(frozen=True)
class Seen:
    """One fact a customer can see or hear: its type, canonical value, and the text it was read from."""

    type: FactType
    canonical: str
    raw: str


@dataclass(frozen=True)
class Reading:
    """An output as its customer meets it.

    `title`: the heading shown above the answer, if any (a page's h1, a card's title); "" otherwise.
    `text`: the answer's visible or heard words in reading order (blocks separated by newlines), title excluded.
    `facts`: every fact in `text` and in link/action targets (tel:, mailto:, http(s):), in order of appearance.
    `links`: every link or action target, as written."""

    title: str
    text: str
    facts: tuple[Seen, ...]
    links: tuple[str, ...]


SUFFIXES = {".html": "html", ".json": "card", ".ssml": "ssml", ".md": "markdown", ".txt": "text"}


def reader_for(path: str) -> str:
    """The reader module name for an output file (by suffix); KeyError for a type no reader knows."""
    return SUFFIXES[PurePosixPath(path).suffix]


def read(path: str, data: bytes, locale: Locale = Locale(), reader: str | None = None) -> Reading:
    """Read one output file with `reader` (a module of this package), by default the reader for its type."""
    module = importlib.import_module(f"engine.readers.{reader or reader_for(path)}")
    return module.read(data, locale)  # type: ignore[no-any-return]


def read_parts(path: str, data: bytes, locale: Locale = Locale(), reader: str | None = None) -> list[tuple[str, Reading]]:
    """Every part of one output a customer may meet, each as a (part name, Reading): one ("", Reading) for most
    types; a reader whose outputs hold alternatives (an email's plain-text and HTML bodies) defines `parts`,
    and the gate checks each. The first part is the one `read` returns."""
    module = importlib.import_module(f"engine.readers.{reader or reader_for(path)}")
    parts = getattr(module, "parts", None)
    if parts is None:
        return [("", module.read(data, locale))]
    return list(parts(data, locale))


def seen(found: list[Found]) -> list[Seen]:
    """Valid facts among what the recogniser found, as `Seen`."""
    return [Seen(f.type, f.value.canonical, f.raw) for f in found if f.value is not None]
