"""Laws of reference search: the index holds every answer under every word of its question; the word rules
ignore case and accents; in the browser, every answer is found first by its own question and still found
with a one-letter slip in a long word (these two skip without playwright and Chromium)."""
from __future__ import annotations

import json
import unicodedata
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from renderers.reference_search import Document, index_files, scores, shard_key, terms
from tests.browser.search_fixtures import Served, search_browser, search_site
from tests.kb import sample

__all__ = ["search_browser", "search_site"]  # session fixtures, imported so pytest finds them here

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
    index = scores(docs)
    for number, doc in enumerate(docs):
        for term in terms(doc.question):
            assert number in dict(index[term])
    files = index_files(docs, ())
    meta = json.loads(files["search/meta.json"])
    for key in meta["shards"]:
        shard = json.loads(files[f"search/t/{key}.json"])
        assert all(shard_key(t) == key and all(v > 0 for v in p[1::2]) for t, p in shard.items())


def _typed(page: Any, query: str) -> list[str]:
    page.fill("#search-q", query)
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=query.strip())
    hrefs = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.getAttribute('href'))")
    return [h.split("/reference/", 1)[1].rstrip("/") for h in hrefs]


def _home(search_browser: Any, search_site: Served) -> Any:
    page = search_browser.new_page()
    page.goto(search_site.home)
    page.wait_for_selector("#search-results[data-ready]", state="attached")
    return page


def test_every_answer_is_found_first_by_its_own_question(search_browser: Any, search_site: Served) -> None:
    page = _home(search_browser, search_site)
    missed = [(a.id, found[:2]) for a in sample().answers if (found := _typed(page, a.question))[:1] != [a.id]]
    page.close()
    assert missed == []


def _slip(word: str, at: int, kind: int) -> str:
    at = 1 + at % (len(word) - 2)  # never the first or the last letter
    if kind == 0:
        return word[:at] + word[at + 1:]  # a letter dropped
    if kind == 1:
        return word[:at] + word[at] + word[at:]  # a letter doubled
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]  # two letters swapped


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_a_slip_in_a_long_word_still_finds_the_answer(search_browser: Any, search_site: Served, data: Any) -> None:
    answer = data.draw(st.sampled_from(sample().answers))
    words = answer.question.split()
    long_words = [n for n, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long_words:
        return
    n = data.draw(st.sampled_from(long_words))
    words[n] = _slip(words[n].lower(), data.draw(st.integers(0, 20)), data.draw(st.integers(0, 2)))
    page = _home(search_browser, search_site)
    found = _typed(page, " ".join(words))
    page.close()
    assert answer.id in found[:3], (" ".join(words), found[:3])
