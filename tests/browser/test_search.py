"""Reference-site search in real headless Chromium: typos, synonyms, abbreviations, numbers as people type them,
ranking, every script (Greek, Cyrillic, Han, kana), the keyboard flow, filters, a clean page (no console error, failed request or other host) and axe-core on
the results state."""
from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from renderers.reference_search import PRESENT, file_name, number_forms, shard_key, terms, words
from renderers.search_stems import stem, stem_es
from tests.browser.search_fixtures import (
    AXE_URL, Served, Watch, axe_script, numbers_site, scripts_site, search_browser, search_site, watched,
)
from tests.kb import SAMPLE, sample

__all__ = ["numbers_site", "scripts_site", "search_browser", "search_site", "watched"]  # fixtures, for pytest

Page = tuple[Any, Watch]


def _open(page: Any, site: Served, query: str = "") -> None:
    page.goto(site.home + (f"?q={query}" if query else ""))
    page.wait_for_selector("#search-results[data-ready]", state="attached")


def _search(page: Any, query: str) -> list[str]:
    """Type `query` into the box as a CSR would; the answer ids of the results, best first."""
    page.fill("#search-q", "")
    page.type("#search-q", query)
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=query)
    page.wait_for_load_state("networkidle")
    hrefs = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.getAttribute('href'))")
    return [href.split("/reference/", 1)[1].rstrip("/") for href in hrefs]


def test_the_box_is_focused_on_load(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    assert page.evaluate("document.activeElement.id") == "search-q"
    assert page.get_attribute("label[for=search-q]", "for") == "search-q"


@pytest.mark.parametrize("query, expected", [
    ("adress change", "accounts/update-contact-details"),  # a typo
    ("acount numbr", "accounts/find-account-number"),      # two typos
    ("bil too high", "billing/high-bill"),                  # a short word being typed
    ("servey text", "feedback/customer-survey"),            # a slip in the second letter
])
def test_typos_still_find_the_answer_first(watched: Page, search_site: Served, query: str, expected: str) -> None:
    page, _ = watched
    _open(page, search_site)
    assert _search(page, query)[0] == expected


@pytest.mark.parametrize("query, expected", [
    ("direct debit", "accounts/autopay"),
    ("cut off notice", "service/shutoff-notice"),
    ("instalments", "billing/payment-arrangements"),
])
def test_synonyms_find_the_answer_and_say_so(watched: Page, search_site: Served, query: str, expected: str) -> None:
    page, _ = watched
    _open(page, search_site)
    found = _search(page, query)
    assert found[0] == expected
    why = page.text_content("#search-results li:first-child .search-result-why") or ""
    assert "\u2248" in why  # the snippet names the synonym that matched


@pytest.mark.parametrize("query", [
    "555-0142", "(800) 555-0142", "800-555-0142", "8005550142", "18005550142", "+1 800 555 0142", "0142",
])
def test_a_phone_number_is_found_in_every_form_people_type(watched: Page, search_site: Served, query: str) -> None:
    page, _ = watched
    _open(page, search_site)
    assert _search(page, query)[0] == "billing/pay-by-phone"
    why = page.text_content("#search-results li:first-child .search-result-why") or ""
    written = PRESENT["phone"](sample().facts.facts["phone.payments"].value)  # the house style's form
    assert written in why and "+1800" not in why  # shown as people read it
    marked = page.eval_on_selector_all("#search-results li:first-child .search-result-why mark",
                                       "marks => marks.map(m => m.textContent)")
    assert written in marked


@pytest.mark.parametrize("query, expected", [
    ("w2", "billing/tax-forms"), ("w-2", "billing/tax-forms"), ("W 2", "billing/tax-forms"),
    ("dd214", "service/veteran-discount"), ("dd-214", "service/veteran-discount"),
    ("i485", "service/new-residents"), ("i-485", "service/new-residents"),
    ("$45", "billing/returned-check"), ("45", "billing/returned-check"), ("45.00", "billing/returned-check"),
])
def test_form_numbers_and_amounts_are_found_as_typed(watched: Page, numbers_site: Served, query: str,
                                                     expected: str) -> None:
    page, _ = watched
    _open(page, numbers_site)
    assert _search(page, query)[:1] == [expected]


@pytest.mark.parametrize("query, expected", [
    ("ebill", "accounts/paperless-billing"),  # a phrase of its own, not a typo of "bill"
    ("pymt plan", "billing/payment-arrangements"),  # a shipped abbreviation
    ("acct number", "accounts/find-account-number"),
])
def test_exact_words_and_abbreviations_beat_typos(watched: Page, search_site: Served, query: str,
                                                  expected: str) -> None:
    page, _ = watched
    _open(page, search_site)
    assert _search(page, query)[0] == expected


def test_an_abbreviation_alone_finds_account_answers(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    found = _search(page, "acct")
    assert found and all(answer.startswith("accounts/") for answer in found[:3])


def test_the_snippet_marks_the_matching_words(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    assert _search(page, "gift card")[0] == "privacy/scam-calls"
    marked = page.eval_on_selector_all("#search-results li:first-child .search-result-why mark",
                                       "marks => marks.map(m => m.textContent.toLowerCase())")
    assert "gift" in marked and "card" in marked


def test_the_status_is_announced(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    _search(page, "outage")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert "outage" in (status.text_content() or "")
    _search(page, "zzzzqqq")
    assert "No answer" in (status.text_content() or "")
    assert page.is_hidden("#search-results")


def test_slash_focuses_the_box_and_arrows_walk_the_results(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    found = _search(page, "late fee")
    assert len(found) >= 3
    page.locator("h1").click()
    assert page.evaluate("document.activeElement.id") != "search-q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"
    assert page.input_value("#search-q") == "late fee"  # the slash focused the box, it was not typed
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "search-result-0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-result-1"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reference/{found[1]}/")
    page.wait_for_load_state("networkidle")


def test_enter_in_the_box_opens_the_best_result(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    best = _search(page, "pasword reset")[0]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/reference/{best}/")
    page.wait_for_load_state("networkidle")
    assert best == "accounts/reset-password"


def test_a_search_in_the_address_is_run_on_load(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site, "tty")
    page.wait_for_function("() => document.getElementById('search-results').dataset.query === 'tty'")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("#search-results li:first-child a", "href", timeout=5000).endswith(
        "accessibility/tty-relay/")


def _hrefs(page: Any) -> list[str]:
    return page.eval_on_selector_all("#search-results a", "links => links.map(a => a.getAttribute('href'))")


def _filtered(page: Any, name: str, value: str, query: str) -> list[str]:
    page.select_option(f"#search-{name}", value)
    state = page.evaluate("""() => [document.getElementById('search-q').value.trim(),
        ...['topic', 'channel', 'audience'].map(n => document.getElementById('search-' + n).value)].join('|')""")
    assert state.split("|")[0] == query
    page.wait_for_function("s => document.getElementById('search-results').dataset.state === s", arg=state)
    page.wait_for_load_state("networkidle")
    return [h.split("/reference/", 1)[1].rstrip("/") for h in _hrefs(page)]


def test_filters_narrow_the_results(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    everything = _search(page, "late fee")
    assert "billing/waive-late-fee" in everything and "billing/late-fees" in everything
    internal = _filtered(page, "audience", "internal", "late fee")
    assert internal and "billing/waive-late-fee" in internal and "billing/late-fees" not in internal
    assert page.locator("#search-results li").count() == page.locator("#search-results .search-badge").count()
    on_sms = _filtered(page, "audience", "", "late fee")
    on_sms = _filtered(page, "channel", "sms", "late fee")
    assert "billing/late-fees" in on_sms and "billing/waive-late-fee" not in on_sms
    page.select_option("#search-channel", "")
    billing = _filtered(page, "topic", "billing", "late fee")
    assert billing and all(answer.startswith("billing/") for answer in billing)
    assert "topic=billing" in page.url  # the filters are kept in the address, for Back and for sharing


WORD_SAMPLES = [
    "Why is my BILL so high?", "I can’t log in", "Café utilities charged moving", "running quickly",
    "payments 2027 $2.50 naïve", "disconnection notices boxes", "status address buses",
    "Πώς πληρώνω τον ΛΟΓΑΡΙΑΣΜΟ; Σας", "Как оплатить счёт за воду? ЙОД", "如何支付电费账单？", "水道料金の支払い方法",
    "ｶﾞｽ料金 ﾃﾞﾝｷ", "ชำระค่าไฟฟ้า", "iPhone手机 2024年 Straße København ㎒ foo_bar", "𠀀𠀁 a𠀂", "요금 납부",
    "Call (800) 555-0142 or +1 800 555 0142, 1-800-555-0142, 555.0142 or +44 20 7946 0958",
    "$1,234.00 $45.00 45.50 2026-03-05 97201-1234", "W-2, w 2, DD-214 i-485 in 2 days 8 am 5 pm ab-12c",
]


def test_the_word_rules_match_the_index_builder(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    assert page.evaluate("texts => texts.map(t => window.ReferenceSearch.terms(t))", WORD_SAMPLES) == \
        [terms(text) for text in WORD_SAMPLES]


# Every word of the sample knowledge base (English and its Spanish translations) and made-up inflections of
# Spanish stems: each suffix rule of either stemmer meets words it must and must not cut.
_ENDINGS = ("", "s", "es", "a", "as", "o", "os", "e", "ar", "er", "ir", "ado", "ada", "ados", "idas", "ando",
            "iendo", "arse", "irse", "amos", "imos", "mente", "amente", "ces", "ies", "ing", "ed", "ly", "ss", "us", "is")
STEM_SAMPLES = sorted({w for path in SAMPLE.rglob("*.md") for w in words(path.read_text(encoding="utf-8"))} |
                      {root + ending for root in ("pag", "cit", "lu", "me", "ab", "factur", "llamad", "x")
                       for ending in _ENDINGS})


def test_the_client_stems_english_and_spanish_as_the_index_builder(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    assert len(STEM_SAMPLES) > 2000 and any(stem_es(w) != stem(w) for w in STEM_SAMPLES)
    found = page.evaluate("ws => ws.map(w => [window.ReferenceSearch.stem(w), window.ReferenceSearch.stemEs(w)])",
                          STEM_SAMPLES)
    assert {w: tuple(pair) for w, pair in zip(STEM_SAMPLES, found)} == \
        {w: (stem(w), stem_es(w)) for w in STEM_SAMPLES}


@pytest.mark.parametrize("query, expected", [
    ("mudarse", "service/moving-es"),                        # "Me mudo dentro de Riverton": nothing before
    ("mudarse servicio", "service/moving-es"),               # the landlord answer came first
    ("llegada tecnico", "appointments/missed-appointment-es"),  # "El técnico no llegó": booking came first
])
def test_a_spanish_query_finds_the_spanish_answer_in_another_inflection(watched: Page, search_site: Served,
                                                                        query: str, expected: str) -> None:
    page, _ = watched
    _open(page, search_site)
    assert _search(page, query)[0] == expected


def test_the_client_gives_numbers_the_forms_the_index_builder_does(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    found = [t for text in WORD_SAMPLES for t in terms(text)] + ["0142", "5550142", "8005550142", "18005550142"]
    assert page.evaluate("found => found.map(t => window.ReferenceSearch.forms(t))", found) == \
        [number_forms(t) for t in found]


def test_the_client_names_shards_as_the_index_builder(watched: Page, search_site: Served) -> None:
    page, _ = watched
    _open(page, search_site)
    found = [t for text in WORD_SAMPLES for t in terms(text)]
    assert page.evaluate("found => found.map(t => window.ReferenceSearch.shard(t))", found) == \
        [file_name(shard_key(t)) for t in found]


@pytest.mark.parametrize("query, expected", [
    ("λογαριασμός", "billing/greek-bill"),
    ("ΛΟΓΑΡΙΑΣΜΟ", "billing/greek-bill"),       # capitals, no accent, unfinished
    ("λογαριαζμος", "billing/greek-bill"),      # a typo
    ("счет", "billing/russian-water"),          # ё typed as е
    ("оплатить воду", "billing/russian-water"),
    ("电费", "billing/chinese-bill"),
    ("支付电费账单", "billing/chinese-bill"),
    ("停电", "outages/chinese-outage"),
    ("账", "billing/chinese-bill"),             # one character, often a whole word
    ("支払い", "billing/japanese-water"),
    ("pay bill", "billing/pay-bill"),
])
def test_every_script_finds_its_own_answer_first(watched: Page, scripts_site: Served, query: str,
                                                 expected: str) -> None:
    page, _ = watched
    _open(page, scripts_site)
    assert _search(page, query)[0] == expected


def test_a_chinese_result_marks_the_matching_characters(watched: Page, scripts_site: Served) -> None:
    page, _ = watched
    _open(page, scripts_site)
    assert _search(page, "电费")[0] == "billing/chinese-bill"
    marked = page.eval_on_selector_all("#search-results li:first-child a mark",
                                       "marks => marks.map(m => m.textContent)")
    assert marked == ["电费"]


def test_axe_finds_nothing_serious_in_the_results_state(watched: Page, search_site: Served) -> None:
    if axe_script() is None:
        pytest.skip("axe-core is not installed (npm install --no-save --prefix .cache/npm axe-core@4)")
    page, _ = watched
    _open(page, search_site)
    _search(page, "intrepreter")
    page.keyboard.press("ArrowDown")
    page.add_script_tag(url=search_site.base + AXE_URL)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []


# ------------------------------------------------------------------------------------------------ laws


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
