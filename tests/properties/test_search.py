"""Laws of the reference search index: it holds every answer under every word of its question, and the word
rules ignore case and accents. The laws that need the browser (every answer found first by its own question,
and still found with a slip in a long word) are in tests/browser/test_search.py, beside their fixtures."""
from __future__ import annotations

import json
import unicodedata

from hypothesis import given, strategies as st

from renderers.reference_search import Document, index_files, indexed, scores, shard_key, terms

WORDS = ["bill", "meter", "outage", "payment", "water", "power", "account", "address", "deposit", "service",
         "appointment", "technician", "complaint", "refund", "late", "fee", "online", "phone", "reconnect", "gas"]
QUESTIONS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)


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
        shard = json.loads(files[f"search/t/{key}.json"])
        assert all(shard_key(t) == key and all(v > 0 for v in p[1::2]) for t, p in shard.items())
