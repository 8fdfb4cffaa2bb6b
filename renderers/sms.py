"""The SMS channel: one text message per answer (short answer, key facts, link), GSM-7 when possible, in budget."""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import ConfigDict, Field

from channels import ChannelSpec
from engine.facts import FactType, FactValue, normalize_url, says_short_code
from engine.model import (
    Block, Code, CodeBlock, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, ListItem,
    Paragraph, Quote, Rule, Scoped, Strike, Strong, Table, Text, walk_inlines,
)
from engine.select import View, lead_in_list
from renderers import Metric, Note, Rendered, Site, phrases, plain_facts
from renderers import gsm
from renderers.written_names import written_name
from renderers.sms_degrade import degraded

CHANNEL = "sms"


class Config(ChannelSpec):
    model_config = ConfigDict(extra="forbid")

    budget_segments: int = Field(2, ge=1, le=10, description="Most segments one answer's message may take.")
    link_label: str = Field("More:", description="Words before the link to the full answer (empty: none).")
    override_link: bool = Field(True, description="Add the link after an `sms:` override when it still fits.")


# ------------------------------------------------------------------------------------------- fact forms

def compact_url(url: str) -> str:
    """`url` without `https://` (and a trailing slash) when it still reads back as the same address."""
    return plain_facts.short_url(normalize_url(url))


def style(site: Site) -> plain_facts.Style:
    """The house style in its compact forms ("Mon-Fri 8am-5pm", "Jan 5, 2027"), links without `https://`."""
    return plain_facts.Style(site.locale, compact=True, url=compact_url)


# The shortest way to pass on a contact fact from a step when the whole step does not fit.
CONTACT_VERBS = {FactType.PHONE: "Call", FactType.EMAIL: "Email", FactType.URL: "Visit"}
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # what GSM-7 sends as "-"


# --------------------------------------------------------------------------------------------- content


@dataclass
class _Writer:
    """Plain text of model nodes; what a text message cannot carry becomes a note."""

    notes: list[Note]
    style: plain_facts.Style = plain_facts.Style(compact=True, url=compact_url)

    def present(self, fact: FactValue) -> str:
        return plain_facts.written(fact, self.style)

    def inlines(self, nodes: tuple[Inline, ...], line: int) -> str:
        parts = [self.inline(node, line) for node in nodes]
        for index, node in enumerate(nodes[:-1]):
            if isinstance(node, FactMention) and node.fact.type is FactType.URL and parts[index + 1][:1] in DASHES:
                parts[index + 1] = " " + parts[index + 1]  # "pay—or" sent as "pay-or" would lengthen the path
        return "".join(parts)

    def inline(self, node: Inline, line: int) -> str:
        if isinstance(node, Text):
            return node.text
        if isinstance(node, FactMention):
            return written_name(node) or self.present(node.fact)
        if isinstance(node, Code):
            return node.text
        if isinstance(node, (Emphasis, Strong)):
            return self.inlines(node.children, line)
        if isinstance(node, Strike):
            self.note("strikethrough", "struck-out text is sent as plain text", line)
            return self.inlines(node.children, line)
        if isinstance(node, Link):
            return self.link(node, line)
        if isinstance(node, Image):
            self.note("image", f"an image cannot be sent; its description `{node.alt}` is sent instead", line)
            return node.alt
        if isinstance(node, LineBreak):
            return " "
        raise TypeError(f"sms: unknown inline node {type(node).__name__}")

    def link(self, node: Link, line: int) -> str:
        text = self.inlines(node.children, line)
        if node.fact is None or _key(node.fact) in _facts_of_inlines(node.children) or says_short_code(node.fact, text):
            return text
        return f"{text} ({self.present(node.fact)})"

    def block(self, block: Block) -> str:
        if isinstance(block, (Paragraph, Heading)):
            return self.inlines(block.inlines, block.line)
        if isinstance(block, ListBlock):
            return "; ".join(self.item(item) for item in block.items)
        if isinstance(block, Quote):
            return " ".join(self.block(child) for child in block.blocks)
        if isinstance(block, CodeBlock):
            self.note("code-block", "a code block is sent as one line of text", block.line)
            return block.text
        if isinstance(block, Table):
            self.note("table", "a table cannot be sent; its cells are sent as a list", block.line)
            rows = (block.header, *block.rows)
            return "; ".join(", ".join(self.inlines(cell, block.line) for cell in row) for row in rows)
        if isinstance(block, Rule):
            return ""
        if isinstance(block, Scoped):
            raise ValueError(f"sms: a `:::` block (line {block.line}) reached the renderer; views resolve them")
        raise TypeError(f"sms: unknown block node {type(block).__name__}")

    def item(self, item: ListItem) -> str:
        return " ".join(text for text in (self.block(child) for child in item.blocks) if text)

    def note(self, code: str, message: str, line: int) -> None:
        self.notes.append(Note(code, f"{CHANNEL}: {message}", "warning", line))


FactKey = tuple[FactType, str]


def _key(fact: FactValue) -> FactKey:
    return fact.type, fact.canonical


def _facts(nodes: list[Inline]) -> list[FactValue]:
    facts: list[FactValue] = []
    for node in nodes:
        if isinstance(node, FactMention):
            facts.append(node.fact)
        elif isinstance(node, Link) and node.fact is not None:
            facts.append(node.fact)
    return facts


def _facts_of_inlines(nodes: tuple[Inline, ...]) -> set[FactKey]:
    return {_key(fact) for fact in _facts(walk_inlines((Paragraph(nodes, 0),)))}


def _sentence(text: str) -> str:
    """`text` ending as a sentence does (a closing quote or bracket after the stop counts)."""
    text = " ".join(text.split())
    ends = text.rstrip("\"')\u201d\u2019\u300d")
    return text if not ends or ends[-1] in ".!?\u2026\u3002\uff01\uff1f" else text + "."


def _key_facts(view: View, writer: _Writer, whole_steps: bool) -> list[str]:
    """The steps' facts the short answer does not already give: each step that has one, in its own words
    (`whole_steps`), or, to save room, contact facts as "Call 800-555-0100." and other steps whole."""
    seen = _facts_of_inlines(view.short_answer.inlines)
    parts: list[str] = []
    for item in view.steps.items if view.steps else ():
        facts = _facts(walk_inlines(item.blocks))
        new = list({_key(f): f for f in facts if _key(f) not in seen}.values())
        if not new:
            continue
        if whole_steps or any(fact.type not in CONTACT_VERBS for fact in new):
            parts.append(_sentence(writer.item(item)))
            seen |= {_key(fact) for fact in facts}
        else:
            parts.extend(_sentence(f"{CONTACT_VERBS[f.type]} {writer.present(f)}") for f in new)
            seen |= {_key(fact) for fact in new}
    return [_condition(view, writer), *parts] if parts and view.condition else parts


def _condition(view: View, writer: _Writer) -> str:
    """What the steps are for, said before any of them: "If you can still sign in:" (a heading gets the colon)."""
    texts = [" ".join(writer.block(block).split()) for block in view.condition]
    return " ".join(text if text.endswith((":", ".", "?", "!")) else text + (":" if last else ".")
                    for last, text in ((i == len(texts) - 1, t) for i, t in enumerate(texts)))


# ------------------------------------------------------------------------------------------ the message


@dataclass(frozen=True)
class Message:
    text: str
    encoding: str
    units: int
    segments: int
    forcing: str | None
    notes: tuple[Note, ...]


def measure(parts: list[str], notes: list[Note] | tuple[Note, ...] = ()) -> Message:
    """The message made of `parts`, normalised for GSM-7, and what it costs."""
    text = gsm.normalise(" ".join(" ".join(part.split()) for part in parts if part.strip()))
    text = " ".join(text.split())
    encoding, units, segments, forcing = gsm.encode_info(text)
    return Message(text, encoding, units, segments, forcing, tuple(notes))


def _derived(view: View, link: str, budget: int, address: str, view_style: plain_facts.Style,
             notice: str = "") -> Message:
    """The short answer, the steps' key facts and the link, in the first form that fits. A lead-in ending in
    ":" never dangles: its list travels with it, or, when that does not fit, the colon leads to the address."""
    candidates: list[Message] = []
    listed = lead_in_list(view)
    for whole_steps in (True, False):
        writer = _Writer([], view_style)
        lead = writer.inlines(view.short_answer.inlines, view.short_answer.line)
        facts = [] if listed is not None and listed is view.steps else _key_facts(view, writer, whole_steps)
        if listed is None:
            candidates.append(measure([notice, _sentence(lead), *facts, link], writer.notes))
            continue
        items = _sentence("; ".join(writer.item(item) for item in listed.items))
        candidates.append(measure([notice, lead, items, *facts, link], writer.notes))
    if listed is not None:
        writer = _Writer([], view_style)
        lead = writer.inlines(view.short_answer.inlines, view.short_answer.line)
        candidates.append(measure([notice, lead, address, *_key_facts(view, writer, False)], writer.notes))
    fitting = [message for message in candidates if message.segments <= budget]
    if not fitting:
        fitting = [message for message in degraded(view, link, address, view_style, notice)
                   if message.segments <= budget][:1]
    return fitting[0] if fitting else min(candidates, key=lambda m: (m.segments, m.units))


def _from_override(view: View, config: Config, link: str, view_style: plain_facts.Style, notice: str = "") -> Message:
    assert view.override is not None
    writer = _Writer([], view_style)
    text = _sentence(writer.inlines(view.override.inlines, view.override.line))
    with_link = measure([notice, text, link], writer.notes)
    if config.override_link and link and with_link.segments <= config.budget_segments:
        return with_link
    return measure([notice, text], writer.notes)


def _unit_name(encoding: str) -> str:
    return "septets" if encoding == gsm.GSM7 else "UTF-16 code units"


def _over_budget(view: View, message: Message, config: Config, link: str) -> Note:
    budget = config.budget_segments
    room = gsm.capacity(message.encoding, budget)
    units = _unit_name(message.encoding)
    what = "the `sms:` override" if view.override is not None else "the message"
    keep_link = f" ({room - len(link) - 1} to keep the link)" if link and config.override_link else ""
    fix = (f"shorten the `sms:` override to at most {room} characters" if view.override is not None
           else f"write an `sms:` override of at most {room} characters{keep_link}")
    message = (f"{CHANNEL}: {view.id}: {what} takes {message.segments} segments ({message.units} {units}, "
               f"{message.encoding}); the budget is {budget} segment{'s' if budget > 1 else ''} ({room} {units}): "
               f"{message.units - room} {units} over; {fix}")
    return Note("over-budget", message, "error", view.override.line if view.override else view.short_answer.line)


def describe(ch: str) -> str:
    return f"{ch} U+{ord(ch):04X}"


def _ucs2_note(view: View, message: Message) -> Note:
    assert message.forcing is not None
    single, _ = gsm.LIMITS[gsm.UCS2]
    text = (f"{CHANNEL}: {view.id}: `{describe(message.forcing)}` has no GSM-7 form, so the message is sent "
            f"as UCS-2 ({single} characters a segment instead of 160); replace it to send GSM-7")
    return Note("ucs2", text, "warning", view.override.line if view.override else None)


def render(view: View, config: Config, site: Site) -> Rendered:
    words = phrases.for_view(view, site.language)  # a translation: its language's words (renderers/phrases.py)
    label = config.link_label if words is None or not config.link_label else words.more
    link = " ".join(f"{label} {compact_url(site.web_url(view.id))}".split())
    notice = ""  # an active notice is the message's prefix, its segments counted against the budget
    if view.notice is not None:
        notice = _sentence(_Writer([], style(site)).inlines(view.notice.inlines, view.notice.line))
    if view.override is not None:
        message = _from_override(view, config, link, style(site), notice)
    else:
        message = _derived(view, link, config.budget_segments, compact_url(site.web_url(view.id)), style(site),
                           notice)
    notes = list(dict.fromkeys(message.notes))
    metrics: dict[str, Metric] = {"encoding": message.encoding, "segments": message.segments,
                                  "characters": message.units, "override": view.override is not None}
    if message.forcing is not None:
        metrics["ucs2_because"] = describe(message.forcing)
        if words is None:  # a translation's accents are its language: counted and reported, not a fault
            notes.append(_ucs2_note(view, message))
    if message.segments > config.budget_segments:
        notes.append(_over_budget(view, message, config, link))
    path = f"{view.id}.txt"
    return Rendered(path, {path: message.text.encode("utf-8")}, metrics, tuple(notes))
