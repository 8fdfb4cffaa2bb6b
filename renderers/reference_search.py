"""The reference site's search index: small static JSON files that `assets/search.js` fetches as the CSR types.

Layout (paths relative to the reference folder):
- `search/meta.json`: document count, chunk size, term shard names, topics, channels and synonym groups
  (fetched once, when the page loads; it does not grow with the number of answers except for topics);
- `search/t/<key>.json`: the inverted index, sharded by the first two characters of each term: term ->
  flat `[doc, score, doc, score, ...]`, scores precomputed (field boosts, saturation, idf), so the browser
  only adds numbers; a term keeps its `MAX_POSTINGS` best documents;
- `search/v/<letter>.json`: every term starting with that letter, fetched only when a typed word matches
  nothing in its own shard (a typo in its second letter);
- `search/d/<n>.json`: what a result shows, `CHUNK` documents per file (id, question, topic, audience,
  channels, asked_as, tags, short answer), fetched only for the documents shown;
- `search/attrs.json`: topic, audience and channels of every document, fetched only when a filter is set.

Words are folded (lowercase, accents and apostrophes dropped), stop words dropped and lightly stemmed by
`stem`; `assets/search.js` repeats the same steps on the query, which is checked in the browser tests."""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import channels
from engine.model import Block, Code, FactMention, Image, ListBlock, Text, inline_text, walk_inlines
from engine.select import View
from renderers import Site

TEMPLATES = channels.HERE / "templates" / "reference"
CHUNK = 16
MAX_POSTINGS = 300
SHORT_CHARS = 240
SATURATION = 12.0
LENGTH_NORM = 0.5
# How much a word counts in each field; the customer's own words (asked_as) count almost as much as the title.
BOOSTS = {"question": 10.0, "asked_as": 8.0, "tags": 6.0, "topic": 4.0, "short": 4.0, "steps": 2.0, "detail": 1.0}
STOP_WORDS = frozenset(
    "a an and are as at be but by can could do does for from has have how i if im in into is it its me my of on or "
    "our so than that the their them then there these they this to too us was we what when where which who why "
    "will with would you your".split())
CHANNEL_ORDER = ("web", "mobile", "ivr", "chat", "sms", "reference")
TOKEN = re.compile(r"[a-z0-9]+")


# ------------------------------------------------------------------------------------------------ words


def fold(text: str) -> str:
    """Lowercase, accents and apostrophes gone: what both the index and the query tokenise."""
    if text.isascii():  # nothing to decompose: most text, and the character loop below is the index's cost
        return text.lower().replace("'", "")
    decomposed = unicodedata.normalize("NFKD", text.lower())
    kept = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return kept.replace("'", "").replace("\u2019", "")


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        return word[:-1]
    return word


def stem(word: str) -> str:
    """A light English stemmer (plural, -ing, -ed, -ly, final e); `search.js` has the same rules, line for line."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) >= 6:
        word = _undouble(word[:-3])
    elif word.endswith("ed") and len(word) >= 5:
        word = _undouble(word[:-2])
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 4:
        word = word[:-1]
    if word.endswith("ly") and len(word) >= 6:
        word = word[:-2]
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The index terms of a text, in order: folded, split, stop words dropped, stemmed."""
    return [stem(word) for word in TOKEN.findall(fold(text)) if word not in STOP_WORDS]


def shard_key(term: str) -> str:
    return term[:2]


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
class Document(Card):
    """One answer as search sees it: its card and the text of each field."""

    short: str
    steps: str
    detail: str

    def fields(self) -> dict[str, str]:
        return {"question": self.question, "asked_as": " ".join(self.asked_as), "tags": " ".join(self.tags),
                "topic": self.topic.replace("-", " "), "short": self.short, "steps": self.steps,
                "detail": self.detail}


def _text(blocks: Iterable[Block]) -> str:
    leaves = [node for node in walk_inlines(tuple(blocks)) if isinstance(node, (Text, Code, FactMention, Image))]
    return " ".join(inline_text((node,)) for node in leaves)


def document_of(view: View) -> Document:
    """The one place that reads an answer for search: everything search needs of it."""
    answer = view.answer
    steps: tuple[ListBlock, ...] = (view.steps,) if view.steps else ()
    # An internal answer is published on the reference site only, whatever its `channels` say.
    published = tuple(answer.channels) if answer.audience == "public" else ("reference",)
    return Document(answer.id, answer.question, answer.topic, answer.audience, published,
                    tuple(answer.asked_as), tuple(answer.tags), inline_text(view.short_answer.inlines),
                    _text(steps), _text(view.detail))


@dataclass(frozen=True)
class Indexed(Card):
    """One answer as the index is built from it: its card, and each field's terms. Made when the answer is
    rendered and kept with its outputs, so the index is rebuilt without reading answers again; it stays small
    (about a kilobyte) for knowledge bases of 100,000 answers."""

    short: str  # cut to SHORT_CHARS
    fields: tuple[tuple[str, int, str], ...]  # (field, its length in terms, its terms: each at most 3 times)


def indexed(document: Document) -> Indexed:
    fields = []
    for name, text in document.fields().items():
        counts = Counter(terms(text))
        fields.append((name, sum(counts.values()), " ".join(" ".join([t] * min(n, 3)) for t, n in sorted(counts.items()))))
    short = document.short
    if len(short) > SHORT_CHARS:
        short = short[:SHORT_CHARS].rsplit(" ", 1)[0] + "\u2026"
    return Indexed(document.id, document.question, document.topic, document.audience, document.channels,
                   document.asked_as, document.tags, short, tuple(fields))


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


def _shown(document: Indexed, topics: list[str]) -> list[object]:
    return [document.id, document.question, topics.index(document.topic), int(document.audience == "internal"),
            list(document.asked_as), list(document.tags), document.short]


def _channel_mask(document: Indexed, names: list[str]) -> int:
    return sum(1 << names.index(c) for c in document.channels if c in names)


def index_files(documents: Sequence[Indexed], synonyms: tuple[tuple[str, ...], ...]) -> dict[str, bytes]:
    """Every file of the search index for these documents (in the order given: that is the doc numbering)."""
    topics = sorted({d.topic for d in documents})
    present = {c for d in documents for c in d.channels}
    names = [c for c in CHANNEL_ORDER if c in present] + sorted(present - set(CHANNEL_ORDER))
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for term, postings in scores(documents).items():
        shards[shard_key(term)][term] = [value for pair in postings for value in pair]
    files = {f"search/t/{key}.json": _json(shard) for key, shard in sorted(shards.items())}
    vocabulary: dict[str, list[str]] = defaultdict(list)
    for key in sorted(shards):
        vocabulary[key[0]].extend(shards[key])
    files.update({f"search/v/{letter}.json": _json(words) for letter, words in sorted(vocabulary.items())})
    for start in range(0, len(documents), CHUNK):
        chunk = [_shown(d, topics) for d in documents[start:start + CHUNK]]
        files[f"search/d/{start // CHUNK}.json"] = _json(chunk)
    files["search/attrs.json"] = _json({
        "topic": [topics.index(d.topic) for d in documents],
        "internal": "".join("1" if d.audience == "internal" else "0" for d in documents),
        "channels": [_channel_mask(d, names) for d in documents],
    })
    files["search/meta.json"] = _json({
        "version": 1, "count": len(documents), "chunk": CHUNK, "shards": sorted(shards), "vocabulary": sorted(vocabulary),
        "topics": topics, "channels": names,
        "synonyms": [[" ".join(TOKEN.findall(fold(p))) for p in group] for group in synonyms],
    })
    return files


def search_files(documents: Sequence[Indexed], site: Site) -> dict[str, bytes]:
    """The search index and its script and stylesheet, for `renderers/reference.py`'s `render_index`."""
    documents = sorted(documents, key=lambda d: d.id)
    files = index_files(documents, site.synonyms)
    files["assets/search.js"] = (TEMPLATES / "search.js").read_bytes()
    files["assets/search.css"] = (TEMPLATES / "search.css").read_bytes()
    return files
