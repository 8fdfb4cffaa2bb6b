"""Laws of the reference search index: it holds every answer under every word of its question, the word
rules ignore case and accents and drop no letter or digit of any script, and every shard has a safe file name
of its own. The laws that need the browser (every answer found first by its own question, and still found with
a slip in a long word) are in tests/browser/test_search.py, beside their fixtures."""
from __future__ import annotations

import json
import re
import unicodedata

from hypothesis import given, strategies as st

from renderers.reference_search import (
    Document, file_name, fold, index_files, index_terms, indexed, scores, shard_key, terms, unspaced, words,
)

WORDS = ["bill", "meter", "outage", "payment", "water", "power", "account", "address", "deposit", "service",
         "appointment", "technician", "complaint", "refund", "late", "fee", "online", "phone", "reconnect", "gas"]
QUESTIONS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
ANY_SCRIPT = st.text(st.characters(categories=("L", "M", "N", "Zs", "P")), max_size=30)


def _doc(number: int, question: str) -> Document:
    return Document(f"t/a{number}", question, "t", "public", ("web",), (), (), "", "", "")


@given(st.text(st.characters(codec="latin-1", exclude_characters="ßµ"), max_size=40))  # their capitals are other letters
def test_word_rules_ignore_case_and_accents(text: str) -> None:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    assert terms(text.upper()) == terms(text) == terms(plain)


@given(st.lists(QUESTIONS, min_size=1, max_size=30))
def test_every_answer_is_indexed_under_every_word_of_its_question(questions: list[str]) -> None:
    docs = [_doc(n, q) for n, q in enumerate(questions)]
    index = scores([indexed(d) for d in docs])
    for number, doc in enumerate(docs):
        for term in terms(doc.question):
            assert number in dict(index[term])
    files = index_files([indexed(d) for d in docs], ())
    meta = json.loads(files["search/meta.json"])
    for key in meta["shards"]:
        shard = json.loads(files[f"search/t/{file_name(key)}.json"])
        assert all(shard_key(t) == key and all(v > 0 for v in p[1::2]) for t, p in shard.items())


@given(ANY_SCRIPT | st.text("0123456789.,$ ", max_size=20))
def test_no_letter_or_digit_of_any_script_is_dropped(text: str) -> None:
    kept = re.sub(r"(?<=[0-9])\.00(?![0-9])", "", fold(text))  # but zero cents: $45.00 is $45
    assert "".join(words(text)) == "".join(c for c in kept if c.isalnum())


@given(ANY_SCRIPT, st.data())
def test_a_query_of_any_word_or_part_of_a_run_finds_the_text(text: str, data: st.DataObject) -> None:
    indexed_under = set(index_terms(text))
    for word in words(text):
        query = word
        if unspaced(word):  # a query is any stretch of a run without spaces
            start = data.draw(st.integers(0, len(word) - 1))
            query = word[start:data.draw(st.integers(start + 1, len(word)))]
        assert set(terms(query)) <= indexed_under, (word, query)


@given(st.lists(ANY_SCRIPT, max_size=5))
def test_every_shard_has_a_safe_file_name_of_its_own(texts: list[str]) -> None:
    keys = {shard_key(t) for text in texts for t in index_terms(text)}
    names = {file_name(key) for key in keys}
    assert len(names) == len(keys)
    assert all(re.fullmatch(r"[a-z0-9-]+", name) for name in names)
