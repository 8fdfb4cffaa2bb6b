"""The editor's preview pages, drawn from a published bundle: an index of answers with the build's status, and
a page per answer with every channel side by side, each with its metrics and its budget meter.

Everything shown is read from the bundle (its manifest and files); budgets come from the channel configs
(`budget_<metric>` options measured against the manifest's `<metric>`). Templates autoescape; the card is
drawn by `renderers.card_html`, which escapes every string of the card.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

import channels as channel_registry
from engine.diagnostics import Diagnostic, Report, Severity
from renderers.card_html import card_html

TEMPLATES = channel_registry.HERE / "templates" / "preview"
TITLES = {"web": "Web page", "mobile": "Mobile card", "ivr": "Phone line (IVR)", "chat": "Chat", "sms": "Text message",
          "reference": "Reference site"}
UNITS = {"seconds": " s", "characters": " characters", "segments": " segments", "words": " words", "bytes": " bytes"}
LABELS = {"seconds": "Spoken length", "characters": "Characters", "segments": "Segments", "words": "Words",
          "bytes": "Size", "elements": "Elements", "actions": "Buttons", "quick_replies": "Quick replies",
          "encoding": "Encoding", "ucs2_because": "UCS-2 because of", "fallbacks": "Shown another way"}
TEXT_SIZE = 256 * 1024  # the most of one file shown as text


@dataclass(frozen=True)
class Meter:
    """A metric against its budget."""

    label: str
    value: float
    budget: float
    unit: str

    @property
    def over(self) -> bool:
        return self.value > self.budget

    @property
    def shown(self) -> str:
        return f"{_number(self.value)} of {_number(self.budget)}{self.unit}"


@dataclass(frozen=True)
class Panel:
    channel: str
    title: str
    body: Markup
    facts: tuple[tuple[str, str], ...]
    meters: tuple[Meter, ...]
    raw: str  # the URL of the channel's primary file in the bundle
    override: bool


@dataclass(frozen=True)
class Status:
    """The last build the preview knows of: `generation` counts builds since the server started."""

    generation: int = 0
    ok: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()
    note: str = ""  # what the build said besides its diagnostics (e.g. why it could not run)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    def as_json(self) -> dict[str, object]:
        return {"generation": self.generation, "ok": self.ok, "note": self.note,
                "diagnostics": [dict(d.as_json(), location=f"{d.path}:{d.line}:{d.col}") for d in self.diagnostics]}


@dataclass
class Budgets:
    """Per channel, metric -> budget, and the voice the phone line is heard in; from the knowledge base's
    settings over the engine's channel configs."""

    limits: dict[str, dict[str, float]] = field(default_factory=dict)
    voice: str = "en-us"

    @classmethod
    def of(cls, kb: Path) -> Budgets | None:
        """None when the settings or a channel config do not load (the caller keeps what it had)."""
        from engine.audio import voice_for
        from engine.compile import load_channels
        from engine.factbook import load_settings
        from engine.knowledge import display_path

        report = Report()
        settings = load_settings(kb, display_path(kb / "_settings.yaml"), report)
        loaded = load_channels(channel_registry.names(), report, settings=settings)
        if report.has_errors():
            return None
        limits = {c.name: {name.removeprefix("budget_"): float(value) for name, value in c.config.model_dump().items()
                           if name.startswith("budget_") and isinstance(value, (int, float))} for c in loaded}
        return cls(limits, voice_for(settings.language))


def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                              lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def read_inside(bundle: Path, relative: str, limit: int | None = None) -> bytes | None:
    """A bundle file's bytes, or None when it is missing or resolves outside the bundle."""
    root = os.path.realpath(bundle)
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read(limit if limit is not None else -1)
    except OSError:
        return None


def panels(bundle: Path, answer_id: str, entry: Mapping[str, Any], budgets: Budgets, audio: str | None) -> list[Panel]:
    """Every channel of one manifest entry, in channel order; `audio` is why no audio can play (None: it can)."""
    made: list[Panel] = []
    for channel in sorted(entry.get("channels", {}), key=_channel_order):
        output = entry["channels"][channel]
        path = str(output.get("path", ""))
        metrics = dict(output.get("metrics") or {})
        files = dict(output.get("files") or {})
        body = _body(bundle, channel, path, files, entry, (audio_url(answer_id), audio))
        limits = budgets.limits.get(channel, {})
        meters = tuple(Meter(LABELS.get(name, name), float(metrics[name]), limit, UNITS.get(name, ""))
                       for name, limit in sorted(limits.items()) if isinstance(metrics.get(name), (int, float)))
        facts = tuple((LABELS.get(name, name.replace("_", " ")), _shown(name, value))
                      for name, value in sorted(metrics.items()) if name != "override" and name not in limits)
        made.append(Panel(channel, TITLES.get(channel, channel), body, facts, meters, "/" + path,
                          metrics.get("override") is True))
    return made


def _channel_order(name: str) -> tuple[int, str]:
    known = list(TITLES)
    return (known.index(name) if name in known else len(known), name)


def _shown(name: str, value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return f"{_number(value)}{UNITS.get(name, '')}"
    return str(value)


def _number(value: float) -> str:
    return f"{value:g}"


def _sibling(files: Mapping[str, str], path: str, suffix: str) -> str | None:
    wanted = path.rsplit(".", 1)[0] + suffix
    return wanted if wanted in files else None


def _text(bundle: Path, relative: str | None) -> str:
    data = read_inside(bundle, relative, TEXT_SIZE) if relative else None
    return data.decode("utf-8", "replace") if data is not None else ""


def audio_url(answer_id: str) -> str:
    return f"/_preview/audio/{answer_id}.wav"


def _body(bundle: Path, channel: str, path: str, files: Mapping[str, str], entry: Mapping[str, Any],
          audio: tuple[str, str | None]) -> Markup:
    page = path.removesuffix("index.html")
    if channel in ("web", "reference"):
        return Markup('<iframe class="page-frame" src="/{}" title="{}" loading="lazy"></iframe>').format(
            page, f"{TITLES.get(channel, channel)}: {entry.get('question', '')}".rstrip(": "))
    if channel == "mobile":
        try:
            card = json.loads(_text(bundle, path))
        except ValueError:
            card = None
        return Markup('<div class="phone">{}</div>').format(card_html(card))
    if channel == "ivr":
        return _ivr(_text(bundle, _sibling(files, path, ".txt") or path), audio)
    if channel == "chat":
        return _chat(bundle, path, files)
    return Markup('<pre class="channel-text">{}</pre>').format(_text(bundle, path).rstrip("\n"))


def _ivr(transcript: str, audio: tuple[str, str | None]) -> Markup:
    url, problem = audio
    said = Markup("").join(Markup("<p>{}</p>").format(line) for line in transcript.split("\n") if line.strip())
    player = (Markup('<p class="no-audio" role="note">No audio: {}</p>').format(problem) if problem else
              Markup('<audio class="player" controls preload="none" src="{}">'
                     '<a href="{}">Download the WAV</a></audio>').format(url, url))
    return Markup('<div class="ivr">{}<div class="transcript">{}</div></div>').format(player, said)


def _chat(bundle: Path, path: str, files: Mapping[str, str]) -> Markup:
    data: dict[str, Any] = {}
    structured = _sibling(files, path, ".json")
    if structured:
        try:
            loaded = json.loads(_text(bundle, structured))
            data = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            data = {}
    text = data.get("text") if isinstance(data.get("text"), str) else _text(bundle, _sibling(files, path, ".txt") or path)
    replies = [r.get("title") for r in data.get("quick_replies", []) if isinstance(r, dict) and isinstance(r.get("title"), str)]
    chips = Markup("").join(Markup('<li class="chip">{}</li>').format(title) for title in replies)
    return Markup('<div class="chat"><p class="bubble">{}</p>{}</div>').format(
        text.rstrip("\n"), Markup('<ul class="chips" aria-label="Quick replies">{}</ul>').format(chips) if chips else "")
