"""The SMS's last declared degradation steps, for answers whose short answer and steps do not fit.

After the forms `renderers/sms.py` tries (short answer, the steps' key facts, the link), the message becomes
the short answer and the link alone (the steps are left to the full answer), then the short answer's first
sentences and the link (the rest is cut). Each step is a warning naming what was left out; only when not even
the first sentence and the link fit is the message over budget (an error).
"""
from __future__ import annotations

import re
from typing import Iterator

from engine.model import walk_inlines
from engine.select import View
from renderers import Note, plain_facts

# A Latin stop ends a sentence before white space (not inside "irs.gov/refunds"); a CJK one ends it anyway.
SENTENCE_END = re.compile(r"(?:(?<=[.!?\u2026])[\"'\u201d\u2019)]*(?=\s|$)|(?<=[\u3002\uff01\uff1f])[\"'\u201d\u2019)\u300d]*)\s*")
CHANNEL = "sms"


def sentences(text: str) -> list[str]:
    """`text` split after each sentence's end (Latin or CJK full stop, question or exclamation mark)."""
    parts, start = [], 0
    for match in SENTENCE_END.finditer(text):
        if match.end() < len(text) or match.start() < len(text):
            parts.append(text[start:match.end()].strip())
            start = match.end()
    if text[start:].strip():
        parts.append(text[start:].strip())
    return [part for part in parts if part]


def degraded(view: View, link: str, address: str, view_style: plain_facts.Style,
             notice: str = "") -> Iterator["Message"]:
    """The degraded messages, best first: short answer and link, then ever fewer of its sentences. A short
    answer ending in ":" never dangles: its colon leads to the address of the full answer. An active notice
    stays first in every one: degrading cuts the answer, never the notice."""
    from renderers.sms import Message, _sentence, _Writer, measure  # the message form is sms.py's own

    writer = _Writer([], view_style)
    lead = " ".join(writer.inlines(view.short_answer.inlines, view.short_answer.line).split())
    steps_note = []
    if view.steps is not None and list(walk_inlines((view.steps,))):
        steps_note = [Note("steps-left-out", f"{CHANNEL}: {view.id}: the steps from line {view.steps.line} do not "
                                             "fit the budget; the message gives the short answer and the link to "
                                             "the full answer", "warning", view.steps.line)]
    ending = [address] if lead.endswith((":", "\uff1a")) else [link]  # "until you: www.example.gov/..."
    yield measure([notice, _sentence(lead) if ending == [link] else lead, *ending], [*writer.notes, *steps_note])
    said = sentences(lead)
    for keep in range(len(said) - 1, 0, -1):
        note = Note("short-answer-cut", f"{CHANNEL}: {view.id}: only the first {keep} of the short answer's "
                                        f"{len(said)} sentences fit the budget; \"{said[keep][:60]}\" and what "
                                        "follows are behind the link", "warning", view.short_answer.line)
        message: Message = measure([notice, *said[:keep], link], [*writer.notes, *steps_note, note])  # whole sentences
        yield message
