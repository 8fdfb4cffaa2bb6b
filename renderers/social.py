"""The social channel: one short post per answer that asks for it, with a link to the full answer.

Opt-in (`opt_in: true` in channels/social.yaml): an answer is posted only when its front matter says
`social: true` (the derived post), `social: "..."` (a hand-written post), or lists `social` in `channels:`.

The post is measured as the platform measures it (twitter-text's weighted length): text composed (NFC), every
URL 23 characters whatever its length, a code point of the Latin, Greek, Cyrillic and general-punctuation
ranges one character, any other (CJK, emoji) two. It is the short answer, the facts the steps add, and the
link, in the first form that fits; it degrades step by step (contact facts only, then the short answer alone,
then the short answer's first sentences) and says in a `social-left-out` note what it left to the link.
The gate requires the short answer's facts (`STATES`): a post hands the steps to its link by design.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pydantic import ConfigDict, Field

from channels import ChannelSpec
from engine.facts import FactType, find_facts
from engine.select import View
from renderers import Metric, Note, Rendered, Site, plain_facts
from renderers.sms import _key_facts, _sentence, _Writer

CHANNEL = "social"
STATES = "short answer"
# A post is published once, not read on the day: a notice, which holds for days, does not lead it.
CARRIES_NOTICES = False
URL_LENGTH = 23  # what the platform counts any link as, after wrapping it in its own short address
# Code point ranges counted as one character (twitter-text v3 configuration); every other counts as two.
LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


class Config(ChannelSpec):
    model_config = ConfigDict(extra="forbid")

    budget_characters: int = Field(280, ge=40, le=25_000, description="Most characters of a post, as the platform "
                                                                      "counts them (a link is 23).")
    link_label: str = Field("", description="Words before the link (empty: the link alone).")


def _weight(ch: str) -> int:
    code = ord(ch)
    return 1 if any(low <= code <= high for low, high in LIGHT) else 2


def weighted_length(text: str) -> int:
    """`text`'s length as the platform counts it: composed; each URL 23; light code points 1, others 2."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for found in find_facts(text):
        if found.type is FactType.URL and found.value is not None:
            total += sum(_weight(ch) for ch in text[position:found.start]) + URL_LENGTH
            position = found.end
    return total + sum(_weight(ch) for ch in text[position:])


@dataclass(frozen=True)
class Post:
    text: str
    left_out: tuple[str, ...]  # what the post leaves to the link, in words an editor recognises

    @property
    def length(self) -> int:
        return weighted_length(self.text)


def _join(parts: list[str]) -> str:
    return unicodedata.normalize("NFC", " ".join(" ".join(p.split()) for p in parts if p.strip()))


def _candidates(view: View, link: str, style: plain_facts.Style) -> list[Post]:
    writer = _Writer([], style)
    lead = _sentence(writer.inlines(view.short_answer.inlines, view.short_answer.line))
    whole, contacts = _key_facts(view, writer, True), _key_facts(view, _Writer([], style), False)
    posts = [Post(_join([lead, *whole, link]), ())]
    if contacts != whole:
        posts.append(Post(_join([lead, *contacts, link]), ("the wording of the steps",)))
    if whole:
        posts.append(Post(_join([lead, link]), (f"the steps from line {view.steps.line}" if view.steps else "the steps",)))
    sentences = _SENTENCE_END.split(lead)
    for keep in range(len(sentences) - 1, 0, -1):
        dropped = " ".join(sentences[keep:])
        posts.append(Post(_join([*sentences[:keep], link]), (f"the steps and \"{dropped}\"" if whole
                                                                else f"\"{dropped}\"",)))
    return posts


def _from_override(view: View, link: str, style: plain_facts.Style, budget: int) -> Post:
    assert view.override is not None
    text = _sentence(_Writer([], style).inlines(view.override.inlines, view.override.line))
    with_link = Post(_join([text, link]), ())
    return with_link if with_link.length <= budget else Post(_join([text]), ("the link",))


def render(view: View, config: Config, site: Site) -> Rendered:
    style = plain_facts.Style(site.locale)
    link = _join([config.link_label, site.web_url(view.id)])
    budget = config.budget_characters
    notes: list[Note] = []
    if view.override is not None:
        post = _from_override(view, link, style, budget)
    else:
        candidates = _candidates(view, link, style)
        post = next((p for p in candidates if p.length <= budget), candidates[-1])
    line = view.override.line if view.override is not None else view.short_answer.line
    if post.left_out:
        notes.append(Note("social-left-out", f"{CHANNEL}: {view.id}: the post leaves out {', '.join(post.left_out)} "
                          f"to fit {budget} characters; the link leads to it", "warning", line))
    if post.length > budget:
        fix = "shorten the `social:` override" if view.override is not None else \
            "shorten the short answer's first sentence, or write a `social:` override"
        notes.append(Note("over-budget", f"{CHANNEL}: {view.id}: the post is {post.length} characters; the budget is "
                          f"{budget}: {post.length - budget} over; {fix}", "error", line))
    metrics: dict[str, Metric] = {"characters": post.length, "override": view.override is not None,
                                  "degraded": bool(post.left_out)}
    path = f"{view.id}.txt"
    return Rendered(path, {path: (post.text + "\n").encode("utf-8")}, metrics, tuple(notes))
