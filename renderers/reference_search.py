"""The reference site's search index: small static JSON files that `assets/search.js` fetches as the CSR types.

Layout (paths relative to the reference folder):
- `search/meta.json`: document count, chunk size, term shard names, topics, channels and synonym groups
  (fetched once, when the page loads; it does not grow with the number of answers except for topics);
- `search/t/<key>.json`: the inverted index, sharded by the first two characters of each term (the first
  one for scripts written without spaces): term -> flat `[doc, score, doc, score, ...]`, scores precomputed
  (field boosts, saturation, idf), so the browser only adds numbers; a term keeps its `MAX_POSTINGS` best
  documents; a key that is not ASCII letters and digits is named by its code points (`file_name`);
- `search/v/<letter>.json`: every term starting with that letter, fetched only when a typed word matches
  nothing in its own shard (a typo in its second letter); none for scripts written without spaces;
- `search/d/<n>.json`: what a result shows, `CHUNK` documents per file (id, question, topic, audience,
  channels, asked_as, tags, short answer), fetched only for the documents shown;
- `search/attrs.json`: topic, audience and channels of every document, fetched only when a filter is set.

Words are runs of letters and digits of any script, folded (lowercase, accents and apostrophes dropped), stop
words dropped and words lightly stemmed in their answer's language (`renderers/search_stems.py`: Spanish answers by
`stem_es`, the rest by the English `stem`); the browser stems a query both ways, since a CSR may type either. Numbers are read as people type them (`numbers`): a
phone number in any written form is one word of its digits, indexed also as its other forms (`number_forms`:
with and without the country code, the local part, the last four digits); zero cents and thousands commas are
dropped (`$45.00` is `45`); a form code's letters and digits are one word (`W-2`, `W 2` and `w2` are `w2`). Scripts written without spaces between words (Han,
kana, Thai and its neighbours) have no words to find, so their runs become character bigrams, and the index
also holds their single characters for one-character queries. `assets/search.js` repeats the same steps on
the query, which is checked in the browser tests."""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, Iterator, Mapping, Sequence

from ruamel.yaml import YAML

import channels
from engine.model import (
    Answer, Block, Code, Emphasis, FactMention, Heading, Image, Inline, Link, ListBlock, Paragraph, Quote, Scoped, Strike,
    Strong, Text, inline_text, walk_inlines,
)
from engine.select import View, filter_blocks
from renderers import Rendered, Site
from renderers.plain_facts import Style, presenters
from renderers.search_stems import Stemmer, stem, stem_es, stemmer

TEMPLATES = channels.HERE / "templates" / "reference"
ABBREVIATIONS = TEMPLATES / "abbreviations.yaml"
# Results land anywhere in 10,000 answers, so nearly every one shown or checked costs a chunk of its own:
# 16 a chunk made a typed query fetch up to 400 KB of rows it never used; 4 keeps that under 200 KB.
CHUNK = 4
MAX_POSTINGS = 300
SHORT_CHARS = 240
SAID_CHARS = 700  # what a channel said, as kept for matching a customer's quote
SHARD_BYTES = 48_000  # a term shard or vocabulary file larger than this is split by a longer prefix
SATURATION = 12.0
LENGTH_NORM = 0.5
# How much a word counts in each field; the customer's own words (asked_as) count almost as much as the title.
# "told" is what only some channels said (an `ivr:` override, a `::: only ivr` block): "the phone told me to press 9".
BOOSTS = {"question": 10.0, "asked_as": 8.0, "tags": 6.0, "topic": 4.0, "short": 4.0, "told": 4.0, "steps": 2.0,
          "detail": 1.0}
# Function words, the fillers of speech ("I just", "really", "please") and a pronoun's contractions ("you'd",
# "they're"): a caller's sentence is full of them and an answer that happens to hold them is no better for it.
# Negations ("can't", "didn't") and "got" stay words: "can't log in", "didn't show up" and "I got a notice" say
# what happened. `search.js` has the same list.
STOP_WORDS = frozenset((
    "a about all also an and any are as at be been being but by can could do does for from has have he her hes "
    "him his how i if im in into is it itll its ive just me my now of on or our please really she shes so some "
    "still than that thats the their them then there theres these they theyd theyll theyre theyve this to too us "
    "very was we were weve what whats when where which who why will with would you youd youll your youre youve").split())
CHANNEL_ORDER = ("web", "mobile", "ivr", "chat", "sms", "reference")
WORD = re.compile(r"[^\W_]+")  # letters and digits of any script (\w is Unicode for str patterns)
ASCII_WORD = re.compile(r"[a-z0-9]+")  # the same, for folded ASCII text, and quicker
# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, the ideographic iteration and
# number marks, kana, CJK ideographs (with their extensions and compatibility forms). `search.js` has the same.
UNSPACED_RANGES = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3005-\u3007\u3021-\u3029\u3031-\u3035"
                   "\u3038-\u303c\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                   "\U00020000-\U0003ffff")
SEGMENT = re.compile(f"[{UNSPACED_RANGES}]+|[^{UNSPACED_RANGES}]+")
UNSPACED = re.compile(f"[{UNSPACED_RANGES}]")
# Case folding beyond lowercase, the same in `search.js` (it has no casefold): final sigma, sharp s.
_FOLDS = str.maketrans({"'": None, "\u2019": None, "\u03c2": "\u03c3", "\u00df": "ss"})
# Numbers as people type them; `search.js` has the same patterns (ASCII classes only: `\d` and `\w` differ).
THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
ZERO_CENTS = re.compile(r"(?<=[0-9])\.00(?![0-9])")
# A North American number (+1 optional, area code in brackets or not), any number written with +, a local
# 555-0142; their separators are dropped.
PHONE = re.compile(r"(?<![0-9])(?:(?:\+?1[ .-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .-]?)[0-9]{3}[ .-]?[0-9]{4}"
                   r"|\+[0-9](?:[ .-]?[0-9]){6,14}|[0-9]{3}[.-][0-9]{4})(?![0-9])")
# A form or code number: W-2, DD-214, I-485; with a space only after one or two letters that are not a word
# of their own ("in 2 days", "8 am 5 pm" stay apart).
CODE = re.compile(r"(?<![a-z0-9])([a-z]{1,3})([ -])([0-9]{1,4})(?![a-z0-9])")
NOT_CODES = frozenset(("am", "pm"))
DIGIT = re.compile("[0-9]")


# ------------------------------------------------------------------------------------------------ words


def fold(text: str) -> str:
    """Lowercase (final sigma as sigma, sharp s as ss), accents and apostrophes gone: what both the index and
    the query tokenise."""
    if text.isascii():  # nothing to decompose: most text, and the character loop below is the index's cost
        return text.lower().replace("'", "")
    # Lowercase after NFKD: some compatibility forms decompose into capitals (U+3392 is "MHz").
    decomposed = unicodedata.normalize("NFKD", text).lower()
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return kept.translate(_FOLDS)


def _code(match: re.Match[str]) -> str:
    letters, gap, digits = match.groups()
    if gap == " " and (len(letters) > 2 or letters in STOP_WORDS or letters in NOT_CODES):
        return match.group(0)
    return letters + digits


def numbers(folded: str) -> str:
    """Folded text with its numbers as people type them: the separators inside a phone number and a form code,
    thousands commas and zero cents gone, so `(800) 555-0142`, `W-2` and `$45.00` are one word each."""
    if not DIGIT.search(folded):  # most text: the patterns below all need a digit
        return folded
    folded = ZERO_CENTS.sub("", THOUSANDS.sub("", folded))
    folded = PHONE.sub(lambda m: re.sub("[^0-9]", "", m.group(0)), folded)
    return CODE.sub(_code, folded)


def number_forms(term: str) -> list[str]:
    """The other forms a phone number is typed in: 18005550142 is also 8005550142, 5550142 and 0142."""
    if not (term.isascii() and term.isdigit()) or not 7 <= len(term) <= 15:
        return []
    if len(term) == 11 and term[0] == "1":
        return [term[1:], term[4:], term[-4:]]
    if len(term) == 10:
        return ["1" + term, term[3:], term[-4:]]
    return [term[-4:]]


def words(text: str) -> list[str]:
    """The folded words of a text, in order; a run of a script written without spaces is a word of its own."""
    folded = numbers(fold(text))
    if folded.isascii():
        return ASCII_WORD.findall(folded)
    return [segment for word in WORD.findall(folded) for segment in SEGMENT.findall(word)]


def unspaced(word: str) -> bool:
    return not word.isascii() and UNSPACED.match(word) is not None


def bigrams(word: str) -> list[str]:
    """A run of a script written without spaces as its overlapping character pairs (a single character alone)."""
    return [word] if len(word) < 2 else [word[i:i + 2] for i in range(len(word) - 1)]


def _terms(split: list[str], stemmed: Stemmer = stem) -> list[str]:
    found: list[str] = []
    for word in split:
        if word in STOP_WORDS:
            continue
        if not word.isascii() and UNSPACED.match(word):  # `unspaced`, inlined: this loop is the index's cost
            found.extend(bigrams(word))
        else:
            found.append(stemmed(word))
    return found


def _characters(split: list[str]) -> list[str]:
    """The single characters of every run (of two or more) of a script written without spaces: a query of one
    such character (often a whole word in Chinese) has no bigram to look up."""
    return [c for word in split if len(word) > 1 and not word.isascii() and UNSPACED.match(word) for c in word]


def terms(text: str, language: str = "") -> list[str]:
    """The terms of a text, in order, as a query is split: folded, split, stop words dropped, stemmed (by the
    stemmer of `language`); runs of scripts written without spaces as bigrams."""
    return _terms(words(text), stemmer(language))


def _extra(found: list[str], split: list[str]) -> list[str]:
    """What a text is indexed under beside its terms: the other forms of its numbers, the single characters of
    its runs of scripts written without spaces."""
    return [form for term in found for form in number_forms(term)] + _characters(split)


def index_terms(text: str, language: str = "") -> list[str]:
    """What a text is indexed under: its `terms`, then the other forms of its numbers and its single characters
    of scripts written without spaces."""
    split = words(text)
    found = _terms(split, stemmer(language))
    return found + _extra(found, split)


def shard_key(term: str, keys: frozenset[str] = frozenset()) -> str:
    """The shard a term is in: the longest prefix of it that is a shard key (`keys`, as listed in meta.json), or
    its base key: its first two characters, one for a script written without spaces (a shard per bigram would
    be a file per term). A base shard over `SHARD_BYTES` is split by a longer prefix (`split_shards`)."""
    base = term[:1] if unspaced(term) else term[:2]
    for length in range(len(term), len(base), -1):
        if term[:length] in keys:
            return term[:length]
    return base


def file_name(key: str) -> str:
    """A shard or vocabulary key as a file name: itself when plain ASCII, else `u-` and its code points in hex
    (`u-3c0-3bb`), which no plain key (letters and digits only) can be and any server and file system takes."""
    return key if ASCII_WORD.fullmatch(key) else "u-" + "-".join(f"{ord(c):x}" for c in key)


def split_shards(shard: dict[str, list[int]], key: str, most: int) -> Iterator[tuple[str, dict[str, list[int]]]]:
    """A shard as it is written: whole while its file is at most `most` bytes, else the terms no longer than its
    key kept under it and the rest split by their next character, each part split again if still too large."""
    longer = {t: p for t, p in shard.items() if len(t) > len(key)}
    if not longer or len(_json(shard)) <= most:
        yield key, shard
        return
    kept = {t: p for t, p in shard.items() if len(t) <= len(key)}
    if kept:
        yield key, kept
    parts: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for term, postings in longer.items():
        parts[term[:len(key) + 1]][term] = postings
    for part, terms_ in sorted(parts.items()):
        yield from split_shards(terms_, part, most)


# ------------------------------------------------------------------------------------------------ documents


@dataclass(frozen=True)
class Card:
    """What a search result shows of an answer and what the filters need."""

    id: str
    question: str
    topic: str
    audience: str
    channels: tuple[str, ...]
    asked_as: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Said:
    """Text customers got on some channels: `specific` when not every channel the answer is on says it (an
    override, a `::: only` or `::: except` block), else text every one of them shares."""

    channels: tuple[str, ...]
    text: str
    specific: bool


@dataclass(frozen=True)
class Dates:
    """The dates a result's badges are computed from in the browser (ISO dates, "" when not set)."""

    due: str = ""  # the next review
    start: str = ""  # effective_from
    until: str = ""  # effective_until


@dataclass(frozen=True)
class Document(Card):
    """One answer as search sees it: its card, the text of each field, what each customer channel said."""

    short: str
    steps: str
    detail: str
    told: tuple[Said, ...] = ()  # what only some channels said (always from the answer's own text)
    said: tuple[Said, ...] = ()  # what each channel said, whole (its finished output where known)
    dates: Dates = Dates()
    language: str = ""  # BCP 47: which stemmer its terms get ("" and languages without one: English)

    def fields(self) -> dict[str, str]:
        return {"question": self.question, "asked_as": " ".join(self.asked_as), "tags": " ".join(self.tags),
                "topic": self.topic.replace("-", " "), "short": self.short, "steps": self.steps,
                "detail": self.detail, "told": " ".join(s.text for s in self.told)}


PRESENT = presenters(Style())


def _said(inlines: Iterable[Inline]) -> str:
    """Inline text with each shared fact as people read it (`(800) 555-0142`, `$45`), not its canonical form."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, FactMention) and node.origin == "ref":
            parts.append(PRESENT[node.fact.type](node.fact))
        elif isinstance(node, (Emphasis, Strong, Strike, Link)):
            parts.append(_said(node.children))
        else:
            parts.append(inline_text((node,)))
    return "".join(parts)


def _text(blocks: Iterable[Block]) -> str:
    leaves = [node for node in walk_inlines(tuple(blocks)) if isinstance(node, (Text, Code, FactMention, Image))]
    return " ".join(_said((node,)) for node in leaves)


def _prose(blocks: Iterable[Block]) -> str:
    """Blocks as one line of prose, facts as people read them (for snippets: `_text` is for terms only)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            parts.append(_said(block.inlines))
        elif isinstance(block, ListBlock):
            parts.extend(_prose(item.blocks) for item in block.items)
        elif isinstance(block, (Quote, Scoped)):
            parts.append(_prose(block.blocks))
        else:
            parts.append(_text((block,)))
    return " ".join(" ".join(parts).split())


def _segments(answer: Answer, customers: tuple[str, ...]) -> list[Said]:
    """What each customer channel says, from the canonical answer: its override, else its blocks with
    `::: only`/`::: except` resolved and `::: internal` gone, a segment per run of blocks the same channels
    share (a block holding a scoped block splits by channel)."""
    overridden = [o for o in answer.overrides if o.channel in customers]
    derived = tuple(c for c in customers if c not in {o.channel for o in overridden})
    segments = [Said((o.channel,), _said(o.inlines), True) for o in overridden]
    for block in answer.blocks:
        texts: dict[str, list[str]] = {}
        for channel in derived:
            text = _prose(filter_blocks((block,), channel, False))
            if text:
                texts.setdefault(text, []).append(channel)
        for text, channels in texts.items():
            said = Said(tuple(channels), text, tuple(channels) != derived)
            last = segments[-1] if segments else None
            if last is not None and last.channels == said.channels and last.specific == said.specific:
                segments[-1] = Said(said.channels, f"{last.text} {text}", said.specific)
            else:
                segments.append(said)
    return segments


def _output_text(channel: str, rendered: Rendered) -> str | None:
    """The words a customer got on a plain-text channel, from its finished output (None for other channels)."""
    suffix = {"sms": "", "chat": ".txt", "ivr": ".txt"}.get(channel)
    if suffix is None:
        return None
    path = rendered.primary if not suffix else rendered.primary.rsplit(".", 1)[0] + suffix
    data = rendered.files.get(path)
    return " ".join(data.decode("utf-8", "replace").split()) if data is not None else None


def said_by(derived: list[Said], customers: tuple[str, ...],
            outputs: Mapping[str, Rendered] | None = None) -> tuple[Said, ...]:
    """What each customer channel told the customer: the finished output of a plain-text channel when this
    build's outputs are given, else (and for the other channels) the answer's own text per channel."""
    exact: list[Said] = []
    for channel in customers:
        text = _output_text(channel, outputs[channel]) if outputs and channel in outputs else None
        if text:
            exact.append(Said((channel,), text, False))
    rest = tuple(c for c in customers if c not in {s.channels[0] for s in exact})
    kept = [Said(tuple(c for c in s.channels if c in rest), s.text, s.specific) for s in derived]
    return tuple(s for s in kept if s.channels) + tuple(exact)


def document_of(view: View, outputs: Mapping[str, Rendered] | None = None, language: str = "") -> Document:
    """The one place that reads an answer for search: everything search needs of it. `outputs`: this answer's
    finished customer outputs, when the caller has them; `language`: the knowledge base's, for an answer that
    does not name its own."""
    answer = view.answer
    steps: tuple[ListBlock, ...] = (view.steps,) if view.steps else ()
    # An internal answer is published on the reference site only, whatever its `channels` say.
    published = tuple(answer.channels) if answer.audience == "public" else ("reference",)
    customers = tuple(c for c in published if c != view.channel and c != "reference")
    due = answer.reviewed + timedelta(days=answer.review_every)
    dates = Dates(due.isoformat(), answer.effective_from.isoformat() if answer.effective_from else "",
                  answer.effective_until.isoformat() if answer.effective_until else "")
    derived = _segments(answer, customers)
    # Told: what only some channels say and this site's own view of the answer does not show (an override, a
    # `::: only ivr` block); a `::: except sms` block is already in the detail.
    shown = _prose(view.blocks)
    told = tuple(s for s in derived if s.specific and s.text not in shown)
    return Document(answer.id, answer.question, answer.topic, answer.audience, published,
                    tuple(answer.asked_as), tuple(answer.tags), _said(view.short_answer.inlines),
                    _text(steps), _text(view.detail), told,
                    said_by(derived, customers, outputs), dates, answer.language or language)


@dataclass(frozen=True)
class Indexed(Card):
    """One answer as the index is built from it: its card, and each field's terms. Made when the answer is
    rendered and kept with its outputs, so the index is rebuilt without reading answers again; it stays small
    (about a kilobyte) for knowledge bases of 100,000 answers."""

    short: str  # cut to SHORT_CHARS
    fields: tuple[tuple[str, int, str], ...]  # (field, its length in terms, its terms: each at most 3 times)
    told: tuple[Said, ...] = ()  # each cut to SHORT_CHARS
    said: tuple[Said, ...] = ()  # each cut to SAID_CHARS
    dates: Dates = Dates()
    spanish: bool = False  # its terms are stemmed by `stem_es`


def indexed(document: Document) -> Indexed:
    fields = []
    stemmed = stemmer(document.language)
    for name, text in document.fields().items():
        split = words(text)
        found = _terms(split, stemmed)
        counts = Counter(found + _extra(found, split))
        # The length is in query terms: number forms and single characters indexed beside them do not count.
        fields.append((name, len(found), " ".join(" ".join([t] * min(n, 3)) for t, n in sorted(counts.items()))))
    return Indexed(document.id, document.question, document.topic, document.audience, document.channels,
                   document.asked_as, document.tags, _cut(document.short, SHORT_CHARS), tuple(fields),
                   tuple(Said(s.channels, _cut(s.text, SHORT_CHARS), s.specific) for s in document.told),
                   tuple(Said(s.channels, _cut(s.text, SAID_CHARS), s.specific) for s in document.said),
                   document.dates, stemmed is stem_es)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + "\u2026"


# ------------------------------------------------------------------------------------------------ index


def _weights(documents: Sequence[Indexed]) -> Iterator[Counter[str]]:
    """Per document, each term's field-boosted weight; within a field, a term counts less in a longer text
    (BM25's length normalisation), so "make a complaint" outranks a long question that mentions complaints."""
    totals: Counter[str] = Counter()
    for document in documents:
        for field, length, _ in document.fields:
            totals[field] += length
    average = {f: max(1.0, totals[f] / max(1, len(documents))) for f in BOOSTS}
    for document in documents:
        weight: Counter[str] = Counter()
        for field, length, packed in document.fields:
            norm = 1 - LENGTH_NORM + LENGTH_NORM * length / average[field]
            for term, count in Counter(packed.split()).items():
                weight[term] += BOOSTS[field] * count / norm
        yield weight


def scores(documents: Sequence[Indexed]) -> dict[str, list[tuple[int, int]]]:
    """term -> [(doc number, score)] sorted by doc number: field-boosted, saturated term weight times idf."""
    raw: dict[str, dict[int, float]] = defaultdict(dict)
    for number, weights in enumerate(_weights(documents)):
        for term, weight in weights.items():
            raw[term][number] = weight
    total = len(documents)
    index: dict[str, list[tuple[int, int]]] = {}
    for term in sorted(raw):
        postings = raw[term]
        idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
        scored = {n: max(1, round(100 * idf * w * (SATURATION + 1) / (w + SATURATION))) for n, w in postings.items()}
        best = sorted(scored, key=lambda n: (-scored[n], n))[:MAX_POSTINGS]
        index[term] = [(n, scored[n]) for n in sorted(best)]
    return index


_MARKUP = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _json(value: object) -> bytes:
    """Compact JSON with `<`, `>` and `&` as escapes: the same data, but no markup even if a server or a cache
    ever hands the file to a browser as HTML (the script only ever sets text)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_MARKUP).encode("utf-8")


def _mask(channels: Iterable[str], names: list[str]) -> int:
    return sum(1 << names.index(c) for c in channels if c in names)


def _shown(document: Indexed, topics: list[str], names: list[str]) -> list[object]:
    dates = document.dates
    return [document.id, document.question, topics.index(document.topic), int(document.audience == "internal"),
            list(document.asked_as), list(document.tags), document.short, [dates.due, dates.start, dates.until],
            [[_mask(s.channels, names), s.text] for s in document.told]]


def _channel_mask(document: Indexed, names: list[str]) -> int:
    return _mask(document.channels, names)


def _vocabulary(shards: dict[str, dict[str, list[int]]], most: int) -> tuple[dict[str, bytes], list[str], dict[str, list[int]]]:
    """Every word term (no bigrams: they are looked up exactly; no numbers: another digit is another number) by
    its first letter, for typos after it: a file per letter, or per letter and term length when that file
    would be over `most` bytes (a typo changes the length by two at most, so a query needs five of them)."""
    by_letter: dict[str, list[str]] = defaultdict(list)
    for key in sorted(shards):
        if not unspaced(key):
            by_letter[key[0]].extend(t for t in shards[key] if not t.isdigit())
    files: dict[str, bytes] = {}
    whole: list[str] = []
    by_length: dict[str, list[int]] = {}
    for letter, known in sorted(by_letter.items()):
        if not known:
            continue
        data = _json(sorted(known))
        if len(data) <= most:
            files[f"search/v/{file_name(letter)}.json"] = data
            whole.append(letter)
            continue
        lengths: dict[int, list[str]] = defaultdict(list)
        for term in known:
            lengths[len(term)].append(term)
        by_length[letter] = sorted(lengths)
        for length, group in sorted(lengths.items()):
            files[f"search/v/{file_name(letter)}-{length}.json"] = _json(sorted(group))
    return files, whole, by_length


def runs(numbers: Iterable[int]) -> list[list[int]]:
    """Ascending document numbers as `[first, last]` runs: a Spanish knowledge base is one run, not a list."""
    found: list[list[int]] = []
    for number in numbers:
        if found and found[-1][1] == number - 1:
            found[-1][1] = number
        else:
            found.append([number, number])
    return found


def index_files(documents: Sequence[Indexed], synonyms: tuple[tuple[str, ...], ...],
                titles: Mapping[str, str] | None = None, shard_bytes: int = SHARD_BYTES) -> dict[str, bytes]:
    """Every file of the search index for these documents (in the order given: that is the doc numbering).
    `titles`: what to call each channel in a result; `shard_bytes`: the largest term shard or vocabulary file
    before it is split by a longer prefix."""
    topics = sorted({d.topic for d in documents})
    present = {c for d in documents for c in d.channels}
    names = [c for c in CHANNEL_ORDER if c in present] + sorted(present - set(CHANNEL_ORDER))
    base: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for term, postings in scores(documents).items():
        base[shard_key(term)][term] = [value for pair in postings for value in pair]
    shards = {key: part for whole in sorted(base) for key, part in split_shards(base[whole], whole, shard_bytes)}
    files = {f"search/t/{file_name(key)}.json": _json(shard) for key, shard in sorted(shards.items())}
    vocabulary, letters, lengths = _vocabulary(shards, shard_bytes)
    files.update(vocabulary)
    for start in range(0, len(documents), CHUNK):
        chunk = documents[start:start + CHUNK]
        files[f"search/d/{start // CHUNK}.json"] = _json([_shown(d, topics, names) for d in chunk])
        files[f"search/c/{start // CHUNK}.json"] = _json([[[_mask(s.channels, names), s.text] for s in d.said]
                                                          for d in chunk])
    files["search/attrs.json"] = _json({
        "topic": [topics.index(d.topic) for d in documents],
        "internal": "".join("1" if d.audience == "internal" else "0" for d in documents),
        "channels": [_channel_mask(d, names) for d in documents],
    })
    files["search/meta.json"] = _json({
        "version": 2, "count": len(documents), "chunk": CHUNK, "shards": sorted(shards), "vocabulary": letters,
        "vocabulary_lengths": lengths, "topics": topics, "channels": names,
        "channel_titles": [(titles or {}).get(name, name) for name in names],
        "synonyms": [[" ".join(words(p)) for p in group] for group in synonyms],
        # The answers stemmed the Spanish way: only they match a query word's Spanish stem.
        "spanish": runs(n for n, d in enumerate(documents) if d.spanish),
    })
    return files


def abbreviations(text: str) -> dict[str, str]:
    """The shipped list of customer-service abbreviations (`abbreviations.yaml`): abbreviation -> word."""
    loaded = YAML(typ="safe").load(text) or {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()):
        raise ValueError(f"{ABBREVIATIONS.name}: write one `abbreviation: word` a line")
    return {" ".join(words(k)): " ".join(words(v)) for k, v in loaded.items()}


def merged(groups: tuple[tuple[str, ...], ...], short: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """The knowledge base's synonym groups with the abbreviations added: to the group of their word, or to a new
    group per word. The knowledge base wins: an abbreviation that is already one of its phrases is left out."""
    out = [list(group) for group in groups]
    where = {" ".join(words(phrase)): n for n, group in enumerate(groups) for phrase in group}
    for abbreviation, word in short.items():
        if abbreviation in where or abbreviation == word:
            continue
        if word not in where:
            where[word] = len(out)
            out.append([word])
        where[abbreviation] = where[word]
        out[where[word]].append(abbreviation)
    return tuple(tuple(group) for group in out)


def search_files(documents: Sequence[Indexed], site: Site, titles: Mapping[str, str] | None = None,
                 shard_bytes: int = SHARD_BYTES) -> dict[str, bytes]:
    """The search index and its script and stylesheet, for `renderers/reference.py`'s `render_index`."""
    documents = sorted(documents, key=lambda d: d.id)
    files = index_files(documents, merged(site.synonyms, abbreviations(ABBREVIATIONS.read_text("utf-8"))), titles,
                        shard_bytes)
    files["assets/search.js"] = (TEMPLATES / "search.js").read_bytes()
    files["assets/search.css"] = (TEMPLATES / "search.css").read_bytes()
    return files
