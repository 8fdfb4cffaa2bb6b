"""Checks on a published bundle for the legitimate hostile cases: SSML still valid and saying the text, chat
showing the text literally, SMS encoding and segment count right. Each returns a list of problems."""
from __future__ import annotations

import html
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable

from markdown_it import MarkdownIt

from renderers import gsm

Verify = Callable[[Path, Path], list[str]]


def _squash(text: str) -> str:
    return " ".join(text.split())


def ssml_says(answer_id: str, *fragments: str) -> Verify:
    """The SSML is well-formed XML with one <speak> root, and what it says holds every fragment."""

    def verify(dist: Path, work: Path) -> list[str]:
        path = dist / "ivr" / f"{answer_id}.ssml"
        try:
            root = ET.fromstring(path.read_bytes())
        except ET.ParseError as error:
            return [f"{path.name} is not well-formed XML: {error}"]
        problems = [] if root.tag.endswith("}speak") else [f"the SSML root is <{root.tag}>, not <speak>"]
        spoken = _squash("".join(root.itertext()))
        transcript = _squash((dist / "ivr" / f"{answer_id}.txt").read_text(encoding="utf-8"))
        for fragment in fragments:
            if fragment not in spoken:
                problems.append(f"the SSML does not say {fragment!r}: {spoken[:200]!r}")
            if fragment not in transcript:
                problems.append(f"the transcript does not hold {fragment!r}: {transcript[:200]!r}")
        return problems

    return verify


def card_speaks(answer_id: str, said: str) -> Verify:
    """The card's `speak` (an SSML fragment), wrapped in <speak>, is well-formed, holds no element and says `said`."""

    def verify(dist: Path, work: Path) -> list[str]:
        card = json.loads((dist / "mobile" / f"{answer_id}.json").read_text(encoding="utf-8"))
        try:
            root = ET.fromstring(f"<speak>{card['speak']}</speak>")
        except ET.ParseError as error:
            return [f"the card's speak is not well-formed SSML: {error}: {card['speak'][:200]!r}"]
        problems = [f"the card's speak holds <{e.tag}>" for e in root.iter() if e is not root]
        spoken = _squash("".join(root.itertext()))
        return problems + ([] if said in spoken else [f"the card's speak does not say {said!r}: {spoken[:200]!r}"])

    return verify


def _markdown_text(source: str) -> tuple[str, set[str]]:
    """What a CommonMark chat client shows (its text), and which formatting it would apply."""
    shown: list[str] = []
    formats: set[str] = set()
    for token in MarkdownIt("commonmark").parse(source):
        if token.type.endswith("_open") and token.type not in ("paragraph_open", "link_open"):
            formats.add(token.type)
        for child in token.children or []:
            if child.type in ("text", "code_inline", "text_special"):
                shown.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                shown.append(" ")
            elif child.type.endswith("_open") and child.type != "link_open":
                formats.add(child.type)
        shown.append(" ")
    return _squash("".join(shown)), formats


def chat_literal(answer_id: str, literal: str) -> Verify:
    """The chat Markdown, rendered by a CommonMark client, shows `literal` as written and adds no formatting; the
    plain-text snippet holds it as written."""

    def verify(dist: Path, work: Path) -> list[str]:
        markdown = (dist / "chat" / f"{answer_id}.md").read_text(encoding="utf-8")
        shown, formats = _markdown_text(markdown)
        problems = []
        if literal not in shown:
            problems.append(f"a chat client would not show {literal!r}: it shows {shown[:300]!r}")
        if formats:
            problems.append(f"the chat Markdown turns the text into formatting: {sorted(formats)}")
        plain = _squash((dist / "chat" / f"{answer_id}.txt").read_text(encoding="utf-8"))
        if literal not in plain:
            problems.append(f"the plain chat text does not hold {literal!r}: {plain[:300]!r}")
        return problems

    return verify


def segments(text: str) -> tuple[str, int]:
    """The encoding and segment count of a text message, worked out here from the GSM 03.38 tables."""
    extension = set(gsm.EXTENSION.values())
    if all(ch in gsm.BASIC or ch in extension for ch in text):
        septets = sum(2 if ch in extension else 1 for ch in text)
        return "GSM-7", 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


def sms_is(answer_id: str, encoding: str, fragment: str) -> Verify:
    """The message holds `fragment`, and the manifest reports the encoding and segments the text really needs."""

    def verify(dist: Path, work: Path) -> list[str]:
        text = (dist / "sms" / f"{answer_id}.txt").read_text(encoding="utf-8")
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
        metrics = manifest["answers"][answer_id]["channels"]["sms"]["metrics"]
        problems = [] if fragment in text else [f"the SMS does not hold {fragment!r}: {text!r}"]
        want = segments(text.rstrip("\n"))
        if want[0] != encoding:
            problems.append(f"the SMS needs {want[0]}, the case expects {encoding}: {text!r}")
        if (metrics.get("encoding"), metrics.get("segments")) != want:
            problems.append(f"the manifest says {metrics.get('encoding')}/{metrics.get('segments')} segments; "
                            f"the text needs {want[0]}/{want[1]}")
        return problems

    return verify


def all_of(*checks: Verify) -> Verify:
    def verify(dist: Path, work: Path) -> list[str]:
        return [problem for check in checks for problem in check(dist, work)]

    return verify


def pages_escape(answer_id: str, payload: str, printed: bool = True) -> Verify:
    """The web and reference pages and the printed handout show `payload` as text: never as markup, always
    escaped (`printed=False`: for what a handout does not show, such as `asked_as`)."""

    def verify(dist: Path, work: Path) -> list[str]:
        problems = []
        pages = [("web", f"{answer_id}/index.html"), ("reference", f"{answer_id}/index.html")]
        for channel, path in pages + ([("print", f"{answer_id}.html")] if printed else []):
            page = (dist / channel / path).read_text(encoding="utf-8")
            if payload in page:
                problems.append(f"the {channel} page holds {payload!r} unescaped")
            if html.escape(payload, quote=False) not in page and html.escape(payload) not in page:
                problems.append(f"the {channel} page does not show {payload!r} as text")
        return problems

    return verify


def nowhere_raw(payload: str) -> Verify:
    """No file of the web or reference site (pages, indexes, search data) or of the printed handouts holds
    `payload` as written."""

    def verify(dist: Path, work: Path) -> list[str]:
        return [f"{path.relative_to(dist)} holds {payload!r} unescaped"
                for channel in ("web", "reference", "print") for path in sorted((dist / channel).rglob("*"))
                if path.is_file() and payload in path.read_text(encoding="utf-8", errors="replace")]

    return verify
