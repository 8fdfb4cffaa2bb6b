"""The consistency gate: every channel gives the same answer.

For each published output, a reader (engine/readers, independent of the renderers) recovers what the
customer sees or hears; the gate compares it with the answer's view for that channel:

1. missing: every fact of the short answer and the steps (or of the hand-written override) is there;
2. invented: no fact is there that the view does not hold (the site's own links excepted);
3. leak: no run of words from a `::: internal` note or an internal answer reaches a customer channel;
4. short answer first: the output leads with the short answer (or the override);
5. steps keep their meaning: every step list the output carries keeps its source order, and comes after its
   condition (the heading or lead-in sentence that says whom the steps are for);
6. core facts stay together (`check_together`, over all of one answer's customer outputs): a fact the most
   compact channel (SMS) states is stated on every other customer channel too.

Facts compare by (type, canonical value), through the same normaliser the parser uses.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import phonenumbers

from engine.addresses import handed_over, same_site
from engine.facts import FactType, FactValue, Locale, Money, find_facts, normalize_url, says_short_code
from engine.model import (
    Answer, Block, Code, Emphasis, FactMention, Heading, Image, Inline, LineBreak, Link, ListBlock, ListItem,
    Paragraph, Quote,
    Scoped, Strike, Strong, Table, Text, inline_text, walk_inlines,
)
from engine.readers import Reading
from engine.select import Procedure, View

FactKey = tuple[FactType, str]
LEAK_WORDS = 8  # a run of this many words from an internal text is a leak (fewer coincide by chance)
LEAD_WORDS = 8  # how much of the short answer must open every output
STEP_WORDS = 6  # how much of a step (or of a condition) identifies it in an output
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Problem:
    code: str  # missing-fact, invented-fact, internal-leak, short-answer-not-first, step-*, core-fact-*
    channel: str
    message: str
    line: int
    severity: Literal["error", "warning"] = "error"


# ----------------------------------------------------------------------------------------- tokens


def tokens(text: str, locale: Locale) -> list[str]:
    """Words in lower case, each recognised fact as one token `<type:canonical>`: the same sentence with a
    phone number written two ways gives the same tokens."""
    out: list[str] = []
    position = 0
    for found in find_facts(text, locale):
        out.extend(_words(text[position:found.start]))
        out.append(f"<{found.type.value}:{found.value.canonical}>" if found.value else found.raw.lower())
        position = found.end
    out.extend(_words(text[position:]))
    return out


def _words(text: str) -> list[str]:
    """Words compared in composed form (NFC): a text message composes what it sends, and canonically equal
    text is the same text, for the short-answer check and for the leak check alike."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return [w.replace("'", "").replace("’", "") for w in _WORD.findall(text.lower())]


def inline_tokens(inlines: Iterable[Inline], locale: Locale = Locale(), *, lead: bool = False,
                  text_words: bool = True) -> list[str]:
    """Tokens of inline content straight from the model (facts already typed), matching `tokens`. A text
    fact gives the tokens of its value as written (with `text_words` off, one token: the leak index counts
    a shared fact as one word, so a contact line built of facts is no run of internal words). With `lead`, the tokens stop after the words of the first
    link that does not state its own target: channels differ in how they add the target (" at ...", "(...)")."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.extend(_words("".join(pending)))
            pending.clear()

    def walk(nodes: Iterable[Inline]) -> bool:
        for node in nodes:
            if isinstance(node, FactMention):
                flush()
                if node.fact.type is FactType.TEXT and text_words:
                    out.extend(tokens(str(node.fact.value), locale))
                else:
                    out.append(f"<{node.fact.type.value}:{node.fact.canonical}>")
            elif isinstance(node, (Text, Code)):
                pending.append(node.text)
            elif isinstance(node, (Emphasis, Strong, Strike, Link)):
                flush()
                if not walk(node.children):
                    return False
                if lead and isinstance(node, Link) and node.fact is not None and not _states_target(node):
                    return False
            elif isinstance(node, Image):
                pending.append(f" {node.alt} ")
            elif isinstance(node, LineBreak):
                pending.append(" ")
        return True

    walk(inlines)
    flush()
    return out


def _states_target(link: Link) -> bool:
    assert link.fact is not None
    key = (link.fact.type, link.fact.canonical)
    return any(isinstance(n, FactMention) and (n.fact.type, n.fact.canonical) == key
               for n in walk_inlines((Paragraph(link.children, 0),)))


_FOLD = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
    **dict.fromkeys("\u00ad\u200b\u2060\ufeff", ""),
})


def fold(text: str) -> str:
    """Text as compared when a text fact is looked for: composed, typographic quotes, dashes and ellipses
    as plain ones (a text message carries only those), case and spacing ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_FOLD).casefold().split())


def block_tokens(blocks: Iterable[Block]) -> list[list[str]]:
    """Token runs of blocks, one run per paragraph, heading, list item or table cell."""
    runs: list[list[str]] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            runs.append(inline_tokens(block.inlines, text_words=False))
        elif isinstance(block, ListBlock):
            for item in block.items:
                runs.extend(block_tokens(item.blocks))
        elif isinstance(block, (Quote, Scoped)):
            runs.extend(block_tokens(block.blocks))
        elif isinstance(block, Table):
            for row in (block.header, *block.rows):
                runs.extend(inline_tokens(cell, text_words=False) for cell in row)
    return runs


def grams(run: list[str], size: int = LEAK_WORDS) -> set[tuple[str, ...]]:
    return {tuple(run[i:i + size]) for i in range(len(run) - size + 1)}


# ----------------------------------------------------------------------------------------- internal text


_JOIN = "\x1f"  # between the tokens of a run kept as one string (no token holds it: they are words and facts)


@dataclass(frozen=True)
class InternalText:
    """One answer's part in the `InternalIndex`: its runs of internal text, in order, each with its line, and the
    runs its public title, wordings and fact labels say (whose grams no answer's internal text may be blamed for).
    A run is kept as its tokens joined in one string: cheap to store and to read back."""

    internal: tuple[tuple[str, int], ...]
    said: tuple[str, ...]

    @classmethod
    def of(cls, answer: Answer) -> InternalText:
        internal: list[tuple[str, int]] = []
        if answer.audience == "internal":
            for block in answer.blocks:
                internal += [(_JOIN.join(run), getattr(block, "line", 1)) for run in block_tokens((block,))]
            return cls(tuple(internal), ())
        for scoped in _internal_blocks(answer.blocks):
            for block in scoped.blocks:
                internal += [(_JOIN.join(run), scoped.line or getattr(block, "line", 1)) for run in block_tokens((block,))]
        said = [_words(answer.question), *(_words(asked) for asked in answer.asked_as)]
        said += [_words(node.label) for node in walk_inlines(public_blocks(answer.blocks))
                 if isinstance(node, FactMention) and node.label]
        return cls(tuple(internal), tuple(_JOIN.join(run) for run in said if len(run) >= LEAK_WORDS))

    def runs(self) -> Iterable[tuple[set[tuple[str, ...]], int]]:
        for run, line in self.internal:
            yield grams(run.split(_JOIN)), line

    def forgiven(self) -> Iterable[tuple[str, ...]]:
        for run in self.said:
            yield from grams(run.split(_JOIN))


@dataclass
class InternalIndex:
    """Every run of LEAK_WORDS words of internal text (notes and internal answers), with where it came from."""

    runs: dict[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, answers: Iterable[Answer], known: Mapping[str, InternalText] | None = None) -> InternalIndex:
        """Index internal text, then forget the runs that public titles and labels also say (an internal
        table may name a public fact's label): those are not internal words. Public bodies are not forgiven
        here: internal text copied into a public body is exactly the leak to catch. A note that repeats its
        own answer's public sentence is forgiven per view (see `_leaks`). `known`: answers' parts worked out
        before (by `Answer.source`), e.g. stored with their parse."""
        index = cls()
        parts: list[InternalText] = []
        for answer in answers:
            part = (known or {}).get(answer.source) or InternalText.of(answer)
            for found, line in part.runs():
                for gram in found:
                    index.runs.setdefault(gram, (answer.id, line))
            parts.append(part)
        if index.runs:
            for part in parts:
                for gram in part.forgiven():
                    index.runs.pop(gram, None)
        return index


def public_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """An answer's blocks without its `::: internal` notes (channel blocks kept, whatever channel)."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Scoped):
            if block.kind != "internal":
                out.extend(public_blocks(block.blocks))
        elif isinstance(block, ListBlock):
            out.append(ListBlock(block.ordered, block.start,
                                 tuple(ListItem(public_blocks(i.blocks), i.line) for i in block.items), block.line))
        elif isinstance(block, Quote):
            out.append(Quote(public_blocks(block.blocks), block.line))
        else:
            out.append(block)
    return tuple(out)


def _internal_blocks(blocks: tuple[Block, ...]) -> Iterable[Scoped]:
    for block in blocks:
        if isinstance(block, Scoped):
            if block.kind == "internal":
                yield block
            else:
                yield from _internal_blocks(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _internal_blocks(item.blocks)
        elif isinstance(block, Quote):
            yield from _internal_blocks(block.blocks)


# ----------------------------------------------------------------------------------------- the checks


def _fact_keys(inlines: Iterable[Inline]) -> dict[FactKey, FactMention]:
    keys: dict[FactKey, FactMention] = {}
    for node in inlines:
        if isinstance(node, FactMention):
            keys.setdefault((node.fact.type, node.fact.canonical), node)
        elif isinstance(node, Link) and node.fact is not None:
            keys.setdefault((node.fact.type, node.fact.canonical), FactMention(node.fact, node.href, None, None, "literal"))
    return keys


def required_facts(view: View, with_steps: bool = True) -> tuple[dict[FactKey, FactMention], int, str]:
    """The facts this output must state, the source line to report against, and where they come from
    (`with_steps` off: a channel whose contract states the short answer alone, as a social post does)."""
    short = _fact_keys(walk_inlines((view.short_answer,)))
    if view.override is not None:
        required = {**short, **_fact_keys(view.override.inlines)}
        return required, view.override.line, f"`{view.channel}:` override and the short answer"
    if not with_steps:
        return short, view.short_answer.line, "short answer"
    steps = _fact_keys(walk_inlines((view.steps,))) if view.steps is not None else {}
    return {**short, **steps}, view.short_answer.line, "short answer and steps"


def allowed_facts(view: View, locale: Locale = Locale()) -> dict[FactKey, FactMention]:
    """What an output may state: derived text, the facts of the answer's body as this channel sees it; a
    hand-written override, the facts of the answer's public body on any channel (an editor may put into an
    SMS a link the derived SMS leaves out). Either way an override that still says an old fee is caught."""
    if view.override is not None and view.answer.audience == "public":
        nodes = list(walk_inlines(public_blocks(view.answer.blocks)))
    else:
        lead = () if any(b is view.short_answer for b in view.blocks) else (view.short_answer,)
        nodes = list(walk_inlines(lead + view.blocks))
    return {**_written_in_facts(nodes, locale), **_fact_keys(nodes)}


def _written_in_facts(nodes: Iterable[Inline], locale: Locale) -> dict[FactKey, FactMention]:
    """Typed facts written inside the answer's fact definitions: a text fact's value ("open 9 am to 5 pm")
    and a fact's label (a card shows it as the fact's title) say them as part of the fact itself."""
    keys: dict[FactKey, FactMention] = {}
    for node in nodes:
        if not isinstance(node, FactMention):
            continue
        texts = [node.label or ""] + ([str(node.fact.value)] if node.fact.type is FactType.TEXT else [])
        for text in filter(None, texts):
            for found in find_facts(text, locale):
                if found.value is not None:
                    keys.setdefault((found.type, found.value.canonical),
                                    FactMention(found.value, found.raw, None, None, "literal"))
    return keys


def _own_link(key: FactKey, base_url: str) -> bool:
    if key[0] is not FactType.URL or not base_url:
        return False
    base = normalize_url(base_url)
    return key[1] == base or key[1].startswith(base + "/")


def describe(mention: FactMention, locale: Locale) -> str:
    """A fact as a diagnostic shows it: as the editor wrote it, or, for a reference, in a familiar form."""
    if mention.origin == "literal":
        return mention.raw
    value = mention.fact.value
    if isinstance(value, Money):
        symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(value.currency)
        return f"{symbol}{value.amount:,}" if symbol else f"{value.currency} {value.amount:,}"
    if mention.fact.type is FactType.PHONE:
        try:
            number = phonenumbers.parse(mention.fact.canonical.split(";")[0], locale.region)
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        except phonenumbers.NumberParseException:
            return mention.fact.canonical
    return mention.fact.canonical


def line_tokens(reading: Reading, locale: Locale) -> list[list[str]]:
    """The tokens of each line of what the customer meets (the costly part of a check: facts are recognised)."""
    return [tokens(text_line, locale) for text_line in reading.text.split("\n")]


def _said(key: FactKey, flat: str) -> bool:
    """Is a fact the readers cannot recognise in prose in the output's words? A text fact, or a short code
    (`911`: three digits are no phone number to a recogniser) written as a number of its own."""
    kind, canonical = key
    if kind is FactType.TEXT:
        return fold(canonical) in flat
    return says_short_code(FactValue(kind, canonical, canonical), flat)


def check_output(view: View, reading: Reading, base_url: str, internal: InternalIndex, locale: Locale,
                 lines: list[list[str]] | None = None, declared: Collection[str] = (),
                 with_steps: bool = True) -> list[Problem]:
    """Every problem with one output against its view; `lines` are its `line_tokens`, when already worked out;
    `declared`, the codes of the warnings its renderer gave (a declared degradation leaves facts to the page);
    `with_steps` off, only the short answer's facts are required (the channel contract's `STATES`)."""
    channel = view.channel
    seen = {(f.type, f.canonical): f for f in reading.facts}
    required, line, origin = required_facts(view, with_steps)
    flat = fold(reading.text)
    said_only_as_links = _link_targets(view) if channel in HANDED_OVER else set()
    missing = {key: mention for key, mention in required.items() if key not in seen and not _said(key, flat)
               and not (key in said_only_as_links and handed_over(*key))}  # a link address the IVR cannot say
    missing = {key: mention for key, mention in missing.items()  # "IdentityTheft.gov" states www.identitytheft.gov
               if not (key[0] is FactType.URL and any(k[0] is FactType.URL and same_site(k[1], key[1]) for k in seen))}
    lines = line_tokens(reading, locale) if lines is None else lines
    for key in left_for_the_page(view, reading, base_url, lines, locale, declared):
        missing.pop(key, None)
    allowed = allowed_facts(view, locale)
    problems: list[Problem] = []
    for key, found in seen.items():
        if key in allowed or _own_link(key, base_url):
            continue
        instead = _counterpart(key, missing, allowed, seen)
        if instead is not None:
            missing.pop((instead.fact.type, instead.fact.canonical), None)
            label = f" ({instead.key})" if instead.key else ""
            message = f"{channel} states {found.raw}, but the answer says {describe(instead, locale)}{label}"
        else:
            message = f"{channel} states {found.raw}, which the answer does not say"
        problems.append(Problem("invented-fact", channel, message, line))
    for mention in missing.values():
        label = f" ({mention.key})" if mention.key else ""
        problems.append(Problem("missing-fact", channel,
                                f"{channel} does not state {describe(mention, locale)}{label} from the {origin}", line))
    problems.extend(_leaks(view, lines, internal))
    problems.extend(_lead(view, lines, line, locale))
    if view.override is None:
        problems.extend(_steps(view, lines))
    return problems



_STOP = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]*\s+|(?<=[\u3002\uff01\uff1f])")  # a sentence ends


def _words_and_facts(inlines: Iterable[Inline]) -> list[tuple[str, object]]:
    """The words, facts (a link's target where the link starts) and sentence ends ("stop") of inline content,
    in reading order."""
    out: list[tuple[str, object]] = []
    for node in inlines:
        if isinstance(node, FactMention):
            out.append(("fact", (node.fact.type, node.fact.canonical)))
        elif isinstance(node, Text):
            pieces = _STOP.split(node.text)
            for index, piece in enumerate(pieces):
                if index:
                    out.append(("stop", None))
                out += [("word", word) for word in _words(piece)]
        elif isinstance(node, Code):
            out += [("word", word) for word in _words(node.text)]
        elif isinstance(node, Link):
            if node.fact is not None:
                out.append(("fact", (node.fact.type, node.fact.canonical)))
            out += _words_and_facts(node.children)
        elif isinstance(node, (Emphasis, Strong, Strike)):
            out += _words_and_facts(node.children)
    return out


def _link_targets(view: View) -> set[FactKey]:
    """The facts of the short answer and steps that only a link's target gives (no prose says them)."""
    blocks = (view.short_answer, *((view.steps,) if view.steps is not None else ()))
    nodes = list(walk_inlines(blocks))
    targets = {(n.fact.type, n.fact.canonical) for n in nodes if isinstance(n, Link) and n.fact is not None}
    return targets - {(n.fact.type, n.fact.canonical) for n in nodes if isinstance(n, FactMention)}


STEPS_LEFT = frozenset({"steps-left-out", "list-left-out"})  # the renderer says it left the steps to the page
CUT = "short-answer-cut"


def left_for_the_page(view: View, reading: Reading, base_url: str, lines: list[list[str]],
                      locale: Locale = Locale(), declared: Collection[str] = ()) -> set[FactKey]:
    """Facts a derived output that links to the full answer leaves to it, by an explicit degradation the
    renderer warns about: the facts only in steps it does not carry (chat and SMS give the short answer and
    the link), and, on the compact channel, those after the point where it cut the short answer."""
    if view.override is not None or not declared \
            or not any(_own_link((f.type, f.canonical), base_url) for f in reading.facts):
        return set()
    words = [token for line_tokens in lines for token in line_tokens if not token.startswith("<")]
    short = _fact_keys(walk_inlines((view.short_answer,)))
    left: set[FactKey] = set()
    if view.steps is not None and STEPS_LEFT & set(declared):
        signatures = [sig for item in view.steps.items if len(sig := _item_signature(item)) >= 2]
        if signatures and not any(_find(words, sig) is not None for sig in signatures):
            left |= set(_fact_keys(walk_inlines((view.steps,)))) - set(short)
    if view.channel == COMPACT and CUT in declared:
        carried = 0  # the short answer's words the message gives from its start, in order
        for kind, item in _words_and_facts(view.short_answer.inlines):
            if kind == "word":
                if carried < len(words) and words[carried] == item:
                    carried += 1
                    continue
                break
        sequence = _words_and_facts(view.short_answer.inlines)
        if carried < sum(kind == "word" for kind, _ in sequence):  # the message cut the short answer
            said, cut = 0, None
            for at, (kind, item) in enumerate(sequence):  # it cuts after a sentence: after the last stop it has
                if kind == "stop" and said <= carried:
                    cut = at
                said += kind == "word"
            if cut is not None:
                left |= {item for kind, item in sequence[cut:] if kind == "fact"}  # type: ignore[misc]
    return left


def _counterpart(key: FactKey, missing: Mapping[FactKey, FactMention], allowed: Mapping[FactKey, FactMention],
                 seen: Mapping[FactKey, object]) -> FactMention | None:
    """The fact an invented one most likely stands in for: the one missing fact of its type, else the one
    fact of its type the answer has."""
    unseen = [m for k, m in missing.items() if k[0] is key[0]]
    if len(unseen) == 1:
        return unseen[0]
    same_type = [m for k, m in allowed.items() if k[0] is key[0]]
    return same_type[0] if len(same_type) == 1 else None


def _leaks(view: View, lines: list[list[str]], internal: InternalIndex) -> list[Problem]:
    if not internal.runs:
        return []
    public: set[tuple[str, ...]] = set()
    for run in block_tokens(view.blocks):
        public |= grams(run)
    problems: list[Problem] = []
    reported: set[tuple[str, int]] = set()
    for line_tokens in lines:
        for gram in grams(line_tokens):
            source = internal.runs.get(gram)
            if source is None or source in reported or (gram in public and source[0] == view.id):
                continue  # a note may repeat its own answer's public words; nothing else is forgiven
            reported.add(source)
            where = "an internal answer" if source[0] != view.id else "an internal note"
            problems.append(Problem("internal-leak", view.channel,
                                    f"{view.channel} shows text from {where} ({source[0]} line {source[1]}): "
                                    f"\"{' '.join(gram)}\"", source[1] if source[0] == view.id else view.short_answer.line))
    return problems


CUT_LEAD_WORDS = 5  # the words of the short answer an SMS that cuts it must still open with


_SENTENCE_END = re.compile(r"[.!?\u2026](?=[\"'\u201d\u2019)]*\s)|[\u3002\uff01\uff1f]")


def _first_sentence(text: str) -> str:
    """The text up to the end of its first sentence (a Latin stop before a space, or a CJK stop)."""
    found = _SENTENCE_END.search(text)
    return text[:found.end()] if found else text


def _lead(view: View, lines: list[list[str]], line: int, locale: Locale) -> list[Problem]:
    lead = inline_tokens(view.override.inlines if view.override is not None else view.short_answer.inlines,
                         locale, lead=True)
    expected = lead[:LEAD_WORDS]
    actual = [token for line_tokens in lines for token in line_tokens][:len(expected)]
    if view.channel == COMPACT and view.override is None:  # a message may carry only the first sentences
        common = next((i for i, (a, b) in enumerate(zip(actual, expected)) if a != b), min(len(actual), len(expected)))
        needed = min(CUT_LEAD_WORDS, len(tokens(_first_sentence(inline_text(view.short_answer.inlines)), locale)))
        expected, actual = expected[:max(common, needed)], actual[:max(common, needed)]
    if expected and actual != expected:
        shown = " ".join(actual) or "nothing"
        return [Problem("short-answer-not-first", view.channel,
                        f"{view.channel} opens with \"{shown}\", not the short answer \"{' '.join(expected)}\"", line)]
    return []


# ----------------------------------------------------------------------------------------- steps


def _signature(inlines: Iterable[Inline]) -> tuple[str, ...]:
    """The first words of a text, facts left out (channels write facts and links in their own forms)."""
    return tuple(token for token in inline_tokens(inlines) if not token.startswith("<"))[:STEP_WORDS]


def _item_signature(item: ListItem) -> tuple[str, ...]:
    first = next((b for b in item.blocks if isinstance(b, (Paragraph, Heading))), None)
    return _signature(first.inlines) if first is not None else ()


def _find(words: list[str], wanted: tuple[str, ...], start: int = 0) -> int | None:
    size = len(wanted)
    return next((i for i in range(start, len(words) - size + 1) if tuple(words[i:i + size]) == wanted), None)


def _steps(view: View, lines: list[list[str]]) -> list[Problem]:
    """Every procedure whose steps the output carries: its steps in source order, after its condition."""
    words = [token for line_tokens in lines for token in line_tokens if not token.startswith("<")]
    problems: list[Problem] = []
    for procedure in view.procedures:
        problems.extend(_procedure(view, procedure, words))
    return problems


def _procedure(view: View, procedure: Procedure, words: list[str]) -> list[Problem]:
    signatures = [(item.line, sig) for item in procedure.steps.items if len(sig := _item_signature(item)) >= 2]
    found = [(line, sig, at) for line, sig in signatures if (at := _find(words, sig)) is not None]
    if not found:
        return []  # the output does not carry these steps
    problems: list[Problem] = []
    cursor = 0
    for line, sig, _ in found:
        at = _find(words, sig, cursor)
        if at is None:
            problems.append(Problem("step-order", view.channel,
                                    f"{view.channel} gives the step \"{' '.join(sig)}...\" (line {line}) out of its "
                                    f"source order", line))
            break
        cursor = at + len(sig)
    first = min(at for _, _, at in found)
    for condition in procedure.condition:
        wanted = _signature(condition.inlines)
        at = _find(words, wanted) if wanted else 0
        if at is None or at > first:
            problems.append(Problem("step-condition", view.channel,
                                    f"{view.channel} gives the steps from line {procedure.steps.line} without what they "
                                    f"are for: \"{' '.join(wanted)}\" (line {condition.line}) must come before them",
                                    condition.line))
    return problems


# ----------------------------------------------------------------------------------------- core facts

COMPACT = "sms"  # the most compact customer channel: what it states, every channel states
# Facts a channel hands over to the website by design rather than state (the IVR speaks no web or email
# address beyond the site it hands over to): left out there, they are a warning whatever left them out.
HANDED_OVER = {"ivr": frozenset({FactType.URL, FactType.EMAIL})}


def check_together(outputs: Iterable[tuple[View, Reading]], base_url: str, locale: Locale,
                   compact: str = COMPACT) -> list[Problem]:
    """Core facts stay together: every fact the compact channel's output states (derived or overridden; its
    link to the full answer aside) is stated on each other customer output of the answer. Dropped by a
    hand-written text, or by a channel block (the fact is not in that channel's view), it is an error; left
    out by a derived text that degrades (chat carries the short answer and steps, the IVR detail while it
    fits), a warning naming the fact. `outputs` are the answer's customer channels only."""
    given = list(outputs)
    core_view, core = next(((v, reading) for v, reading in given if v.channel == compact), (None, None))
    if core_view is None or core is None:
        return []
    # a fact the answer does not state is the invented-fact check's (and may be accepted there), not a core fact
    stated = allowed_facts(core_view, locale)
    facts = {(f.type, f.canonical): f for f in core.facts
             if (f.type, f.canonical) in stated and not _own_link((f.type, f.canonical), base_url)}
    problems: list[Problem] = []
    for channel_view, reading in given:
        if channel_view.channel == compact:
            continue
        seen = {(f.type, f.canonical) for f in reading.facts}
        flat = fold(reading.text)
        in_view = allowed_facts(channel_view, locale)
        for key, fact in facts.items():
            if key in seen or _said(key, flat):
                continue
            problems.append(_dropped(channel_view, key, fact.raw, key in in_view, compact))
    return problems


def _dropped(channel_view: View, key: FactKey, raw: str, in_view: bool, compact: str) -> Problem:
    channel = channel_view.channel
    mention = _mention(channel_view, key)
    label = f" ({mention.key})" if mention is not None and mention.key else ""
    line = mention_line(channel_view, key)
    if key[0] in HANDED_OVER.get(channel, frozenset()):
        return Problem("core-fact-left-out", channel, f"the {compact} states {raw}{label}; {channel} hands web "
                       "and email addresses over to the website instead of saying them", line, "warning")
    if channel_view.override is not None:
        return Problem("core-fact-missing", channel, f"the {compact} states {raw}{label}, but the `{channel}:` "
                       "override does not: a customer who reads both gets two answers", channel_view.override.line)
    if not in_view:
        return Problem("core-fact-missing", channel, f"the {compact} states {raw}{label}, but {channel} never "
                       "does: a channel block keeps it from this channel", line)
    return Problem("core-fact-left-out", channel, f"the {compact} states {raw}{label}, but {channel} leaves it "
                   "out (it keeps to its own length); say it in the short answer or the steps to keep them "
                   "together", line, "warning")


def _mention(channel_view: View, key: FactKey) -> FactMention | None:
    nodes = walk_inlines(public_blocks(channel_view.answer.blocks))
    return next((n for n in nodes if isinstance(n, FactMention) and (n.fact.type, n.fact.canonical) == key), None)


def mention_line(channel_view: View, key: FactKey) -> int:
    """The source line of the block that first states the fact (else the short answer's)."""
    for block in public_blocks(channel_view.answer.blocks):
        if key in _fact_keys(walk_inlines((block,))):
            return getattr(block, "line", channel_view.short_answer.line)
    return channel_view.short_answer.line
