"""The reference search index builder: words of every script, numbers as people type them, abbreviations, field
boosts, shards, result chunks, filter attributes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import channels as channel_registry

from renderers.reference_search import (
    ABBREVIATIONS, CHUNK, PRESENT, MAX_POSTINGS, STOP_WORDS, Document, Indexed, abbreviations, document_of, file_name, fold, index_files,
    index_terms, indexed, merged, number_forms, scores, search_files, shard_key, stem, terms, words,
)
from renderers.search_stems import stem_es, stemmer
from renderers import Rendered
from tests.kb import answer_file, load_kb, sample, site_of, views_of, write_kb


def _fields(number: int, question: str, **fields: object) -> dict[str, object]:
    values: dict[str, object] = {"id": f"topic/a{number}", "question": question, "topic": "topic",
                                 "audience": "public", "channels": ("web", "sms", "reference"), "asked_as": (),
                                 "tags": (), "short": "", "steps": "", "detail": ""}
    values.update(fields)
    return values


def _doc(number: int, question: str, **fields: object) -> Indexed:
    return indexed(Document(**_fields(number, question, **fields)))  # type: ignore[arg-type]


def _score(index: dict[str, list[tuple[int, int]]], term: str, doc: int) -> int:
    return dict(index.get(term, [])).get(doc, 0)


@pytest.mark.parametrize("word, stemmed", [
    ("bills", "bill"), ("billing", "bill"), ("utilities", "utility"), ("charged", "charg"), ("charge", "charg"),
    ("moving", "mov"), ("move", "mov"), ("running", "run"), ("address", "address"), ("status", "status"),
    ("quickly", "quick"), ("fee", "fee"), ("fees", "fee"), ("2027", "2027"), ("bil", "bil"),
])
def test_stem(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


@pytest.mark.parametrize("words_, stemmed", [
    (("cita", "citas"), "cit"), (("pago", "pagos", "pagar", "pagado", "pagando", "pagamos"), "pag"),
    (("luz", "luces"), "luz"), (("factura", "facturas", "facturar"), "factur"), (("mes", "meses"), "mes"),
    (("cliente", "clientes"), "client"), (("llamada", "llamadas", "llamar", "llame"), "llam"),
    (("rapida", "rapidamente"), "rap"), (("medidor", "medidores"), "medidor"), (("2027",), "2027"),
    (("gas",), "gas"), (("mudo", "mudarse", "mudamos"), "mud"), (("automatico", "automaticos", "automatica"), "automatic"),
])
def test_spanish_stem_gives_one_stem_to_a_words_inflections(words_: tuple[str, ...], stemmed: str) -> None:
    assert [stem_es(word) for word in words_] == [stemmed] * len(words_)


def test_the_stemmer_follows_the_language_tag() -> None:
    assert stemmer("es-US") is stemmer("es") is stemmer("ES-mx") is stem_es
    assert stemmer("") is stemmer("en-US") is stemmer("fr") is stem
    assert terms("Pagos automáticos", "es-US") == ["pag", "automatic"]
    assert terms("Pagos automáticos") == ["pago", "automatico"]


def test_a_spanish_answer_is_indexed_by_spanish_stems_and_an_english_one_by_english() -> None:
    spanish = indexed(Document(**_fields(0, "¿Cómo programo pagos automáticos?", language="es-US")))  # type: ignore[arg-type]
    english = indexed(Document(**_fields(1, "Pagos and payments")))  # type: ignore[arg-type]
    question = {name: packed.split() for name, _, packed in spanish.fields}["question"]
    assert question == ["automatic", "com", "pag", "program"]
    assert {name: packed.split() for name, _, packed in english.fields}["question"] == ["pago", "payment"]


def test_the_index_lists_the_spanish_answers_as_runs() -> None:
    docs = [_doc(n, "pagos", language="es-US" if n in (1, 2, 3, 5) else "") for n in range(7)]
    meta = json.loads(index_files(docs, ())["search/meta.json"])
    assert meta["spanish"] == [[1, 3], [5, 5]]
    assert json.loads(index_files(docs[:1], ())["search/meta.json"])["spanish"] == []


def test_a_translation_is_read_in_its_own_language_and_the_rest_in_the_knowledge_bases() -> None:
    docs = {d.id: d for d in (document_of(v, language="en-US") for v in views_of(sample(), "reference"))}
    assert docs["accounts/autopay-es"].language == "es-US"
    assert docs["accounts/autopay"].language == "en-US"


def test_terms_fold_accents_apostrophes_and_stop_words() -> None:
    assert fold("Café Don’t") == "cafe dont"
    assert terms("Why is my BILL so high?") == ["bill", "high"]
    assert terms("I can't log in") == ["cant", "log"]


def test_greek_words_are_folded_not_dropped() -> None:
    assert terms("Πώς πληρώνω τον ΛΟΓΑΡΙΑΣΜΟ μου;") == ["πωσ", "πληρωνω", "τον", "λογαριασμο", "μου"]
    assert terms("Σας") == terms("σας") == terms("ΣΑΣ") == ["σασ"]  # final sigma is a sigma


def test_russian_words_are_folded_not_dropped() -> None:
    assert terms("Как оплатить СЧЁТ за воду?") == ["как", "оплатить", "счет", "за", "воду"]


def test_chinese_is_indexed_by_bigrams_and_single_characters() -> None:
    assert terms("如何支付电费账单？") == ["如何", "何支", "支付", "付电", "电费", "费账", "账单"]
    assert set(index_terms("如何支付电费账单？")) - set(terms("如何支付电费账单？")) == set("如何支付电费账单")
    assert terms("账") == ["账"]  # a query of one character looks up the character


def test_japanese_and_thai_runs_are_split_like_chinese() -> None:
    assert terms("料金の支払い") == ["料金", "金の", "の支", "支払", "払い"]
    assert terms("ｶﾞｽ") == terms("ガス") == ["カス"]  # half-width kana folded, the voicing mark like an accent
    assert terms("ไฟฟ้า") == ["ไฟ", "ฟฟ", "ฟา"]


def test_mixed_text_splits_at_every_change_of_script() -> None:
    assert words("iPhone手机 2024年 Straße, København; ㎒ foo_bar") == \
        ["iphone", "手机", "2024", "年", "strasse", "københavn", "mhz", "foo", "bar"]
    assert terms("iPhone手机 bills счета") == ["iphon", "手机", "bill", "счета"]  # English stemming only


PHONE_FORMS = {"18005550142", "8005550142", "5550142", "0142"}


@pytest.mark.parametrize("written", ["(800) 555-0142", "800-555-0142", "+18005550142", "1 (800) 555 0142",
                                     "800.555.0142"])
def test_a_phone_number_is_indexed_in_every_form_people_type(written: str) -> None:
    assert PHONE_FORMS <= set(index_terms(f"Call {written} any time."))


@pytest.mark.parametrize("typed, term", [
    ("555-0142", "5550142"), ("(800) 555-0142", "8005550142"), ("800-555-0142", "8005550142"),
    ("8005550142", "8005550142"), ("18005550142", "18005550142"), ("+1 800 555 0142", "18005550142"),
    ("1-800-555-0142", "18005550142"), ("0142", "0142"),
])
def test_a_typed_phone_number_is_one_term_of_its_forms(typed: str, term: str) -> None:
    assert terms(typed) == [term] and term in PHONE_FORMS


def test_number_forms_are_only_for_phone_numbers() -> None:
    assert number_forms("18005550142") == ["8005550142", "5550142", "0142"]
    assert number_forms("5550142") == ["0142"]
    assert number_forms("2027") == number_forms("w2") == [] and number_forms("442079460958") == ["0958"]
    assert terms("2026-03-05 97201-1234") == ["2026", "03", "05", "97201", "1234"]  # dates and ZIP+4 stay apart


def test_amounts_are_found_with_or_without_symbol_cents_and_commas() -> None:
    assert terms("$45") == terms("45") == terms("45.00") == terms("$45.00") == ["45"]
    assert terms("$2.50") == terms("2.50") == ["2", "50"]
    assert terms("$1,234.00") == terms("1234") == ["1234"]


def test_form_codes_are_one_word_with_or_without_a_hyphen_or_space() -> None:
    assert terms("W-2") == terms("w2") == terms("W 2") == ["w2"]
    assert terms("DD-214") == terms("dd214") == terms("dd 214") == ["dd214"]
    assert terms("I-485") == terms("i485") == ["i485"]
    assert terms("in 2 days from 8 am to 5 pm") == ["2", "day", "8", "am", "5", "pm"]  # words stay words
    assert index_terms("Ask for a W-2.") == ["ask", "w2"]


def test_a_shared_fact_is_shown_as_people_read_it() -> None:
    docs = {d.id: d for d in (document_of(v) for v in views_of(sample(), "reference"))}
    short = docs["billing/pay-by-phone"].short
    written = PRESENT["phone"](sample().facts.facts["phone.payments"].value)  # the house style's form, whatever it is
    assert written in short and "+1800" not in short and written != "+18005550142"
    assert PHONE_FORMS <= set(index_terms(short))


def test_abbreviations_join_their_word_s_group_and_the_knowledge_base_wins() -> None:
    groups = (("appointment", "visit"), ("technician", "tech"))
    short = {"appt": "appointment", "tech": "technology", "pymt": "payment", "pmt": "payment", "visit": "visit"}
    assert merged(groups, short) == (("appointment", "visit", "appt"), ("technician", "tech"),
                                     ("payment", "pymt", "pmt"))


def test_the_shipped_abbreviations_are_in_the_index_s_synonyms() -> None:
    shipped = abbreviations(ABBREVIATIONS.read_text("utf-8"))
    assert shipped["acct"] == "account" and shipped["pymt"] == shipped["pmt"] == "payment"
    kb = sample()
    files = search_files([indexed(document_of(v)) for v in views_of(kb, "reference")], site_of(kb))
    groups = json.loads(files["search/meta.json"])["synonyms"]
    assert ["account", "acct"] in groups
    assert any("appt" in group and "appointment" in group for group in groups)  # joined the sample's group
    with pytest.raises(ValueError):
        abbreviations("- acct\n- account\n")


def test_a_non_ascii_shard_is_named_by_its_code_points() -> None:
    assert [shard_key(t) for t in ("meter", "λογαριασμο", "电费", "𠀀𠀁")] == ["me", "λο", "电", "𠀀"]
    assert [file_name(k) for k in ("me", "λο", "电", "𠀀", "aø")] == ["me", "u-3bb-3bf", "u-7535", "u-20000", "u-61-f8"]


def test_every_script_gets_its_shards_and_only_words_get_a_vocabulary() -> None:
    docs = [_doc(0, "Πώς πληρώνω τον λογαριασμό;"), _doc(1, "Как оплатить счёт?"), _doc(2, "如何支付电费账单？"),
            _doc(3, "How do I pay my bill?")]
    files = index_files(docs, ())
    meta = json.loads(files["search/meta.json"])
    assert {"λο", "сч", "电", "bi"} <= set(meta["shards"])
    for key in meta["shards"]:
        shard = json.loads(files[f"search/t/{file_name(key)}.json"])
        assert shard and all(shard_key(term) == key for term in shard)
    assert json.loads(files["search/t/u-3bb-3bf.json"])["λογαριασμο"][0::2] == [0]
    assert json.loads(files["search/t/u-7535.json"])["电费"][0::2] == [2]
    assert json.loads(files["search/t/u-8d26.json"])["账"][0::2] == [2]
    assert "λ" in meta["vocabulary"] and "电" not in meta["vocabulary"]
    assert "search/v/u-3bb.json" in files


def test_single_characters_do_not_make_a_field_longer() -> None:
    fields = {name: length for name, length, _ in _doc(0, "支付电费账单").fields}
    assert fields["question"] == 5


def test_the_question_outweighs_the_detail() -> None:
    docs = [_doc(0, "How do I pay my bill?"), _doc(1, "Something else", detail="You can pay the bill online.")]
    index = scores(docs)
    assert _score(index, "bill", 0) > _score(index, "bill", 1) > 0


def test_customer_words_count_almost_like_the_question() -> None:
    docs = [_doc(0, "Stopping service", asked_as=("cancel my service",)), _doc(1, "Other", detail="cancel")]
    index = scores(docs)
    assert _score(index, "cancel", 0) > 3 * _score(index, "cancel", 1)


def test_a_rare_word_weighs_more_than_a_common_one() -> None:
    docs = [_doc(n, f"pay bill {'meter' if n == 0 else 'online'}") for n in range(20)]
    index = scores(docs)
    assert _score(index, "meter", 0) > _score(index, "bill", 0)


def test_a_shorter_question_wins_for_the_same_word() -> None:
    docs = [_doc(0, "How long will it take to deal with my complaint about the crew?"), _doc(1, "Make a complaint")]
    index = scores(docs)
    assert _score(index, "complaint", 1) > _score(index, "complaint", 0)


def test_a_common_term_keeps_only_its_best_postings() -> None:
    questions = ("bill bill bill", "bill", "meter")
    docs = [_doc(n, questions[n % 3], detail="x") for n in range(2 * MAX_POSTINGS)]
    postings = scores(docs)["bill"]
    assert len(postings) == MAX_POSTINGS
    assert [n for n, _ in postings] == sorted(n for n, _ in postings)
    kept = {n for n, _ in postings}
    assert {n for n in range(len(docs)) if n % 3 == 0} <= kept  # the stronger (thrice-said) documents stay


def test_files_shard_terms_and_chunk_documents() -> None:
    docs = [_doc(n, f"question number {n} about meters", tags=("meters",)) for n in range(CHUNK + 3)]
    files = index_files(docs, (("meter", "gauge"),))
    meta = json.loads(files["search/meta.json"])
    assert meta["count"] == CHUNK + 3 and meta["chunk"] == CHUNK
    assert meta["synonyms"] == [["meter", "gauge"]]
    for key in meta["shards"]:
        shard = json.loads(files[f"search/t/{key}.json"])
        assert shard and all(shard_key(term) == key for term in shard)
    meter = json.loads(files["search/t/me.json"])["meter"]
    assert meter[0::2] == list(range(CHUNK + 3))
    last = json.loads(files["search/d/1.json"])
    assert len(last) == 3 and last[2][0] == f"topic/a{CHUNK + 2}" and last[2][5] == ["meters"]


def test_attributes_serve_the_filters() -> None:
    docs = [_doc(0, "a", topic="billing", channels=("web", "reference")),
            _doc(1, "b", topic="outages", audience="internal", channels=("reference",))]
    files = index_files(docs, ())
    meta = json.loads(files["search/meta.json"])
    attrs = json.loads(files["search/attrs.json"])
    assert meta["topics"] == ["billing", "outages"] and meta["channels"] == ["web", "reference"]
    assert attrs == {"topic": [0, 1], "internal": "01", "channels": [0b11, 0b10]}


def test_an_internal_answer_is_published_on_the_reference_site_only(tmp_path: Path) -> None:
    kb = load_kb(write_kb(tmp_path / "kb", {
        "billing/pay": answer_file("Pay online.\n"),
        "billing/waive": answer_file("Waive it.\n\n::: internal\nOnly with approval.\n:::\n", audience="internal",
                                     question="How do I waive a fee?"),
    }))
    docs = {d.id: d for d in (document_of(v) for v in views_of(kb, "reference"))}
    assert docs["billing/waive"].channels == ("reference",)
    assert "sms" in docs["billing/pay"].channels
    assert "approval" in docs["billing/waive"].detail


def test_the_sample_site_gets_its_files_and_assets() -> None:
    kb = sample()
    entries = [indexed(document_of(v)) for v in views_of(kb, "reference")]
    site = site_of(kb)
    files = search_files(entries, site)
    assert {"search/meta.json", "search/attrs.json", "assets/search.js", "assets/search.css"} <= set(files)
    assert search_files(list(reversed(entries)), site) == files  # order of entries does not matter
    meta = json.loads(files["search/meta.json"])
    assert meta["count"] == len(entries)
    assert b"ReferenceSearch" in files["assets/search.js"]


# ------------------------------------------------------------------------------------------------ channel text


CHANNELS_KB = {
    "billing/pay": answer_file(
        "Pay online or by phone.\n\n::: only ivr\nTo pay now, press 1.\n:::\n\n::: except sms\nOr visit the office.\n:::\n"
        "\n::: internal\nStaff only: check the log.\n:::\n",
        sms='"Pay at riverton.gov/pay or call us."'),
}


def _channels_doc(tmp_path: Path) -> Document:
    kb = load_kb(write_kb(tmp_path / "kb", CHANNELS_KB))
    return document_of(next(v for v in views_of(kb, "reference") if v.id == "billing/pay"))


def test_what_only_some_channels_said_is_told_with_its_channels(tmp_path: Path) -> None:
    document = _channels_doc(tmp_path)
    told = {s.channels: s.text for s in document.told}
    assert told[("ivr",)] == "To pay now, press 1." and told[("sms",)] == "Pay at riverton.gov/pay or call us."
    assert not any("office" in text for text in told.values())  # the site's own view already shows it
    assert "press" in document.fields()["told"] and "press" not in document.fields()["detail"]
    assert not any("Staff only" in s.text for s in (*document.told, *document.said))  # never a customer's


def test_what_each_channel_said_covers_every_channel_and_is_its_output_when_known(tmp_path: Path) -> None:
    document = _channels_doc(tmp_path)
    by_channel: dict[str, str] = {}
    for said in document.said:
        for channel in said.channels:
            by_channel[channel] = f"{by_channel.get(channel, '')} {said.text}".strip()
    assert set(by_channel) == {c for c in channel_registry.customer_channels() if not channel_registry.opt_in(c)}
    assert by_channel["sms"] == "Pay at riverton.gov/pay or call us."
    assert "press 1" in by_channel["ivr"] and "office" in by_channel["ivr"] and "press" not in by_channel["web"]
    kb = load_kb(tmp_path / "kb")
    view = next(v for v in views_of(kb, "reference") if v.id == "billing/pay")
    sms = Rendered("billing/pay.txt", {"billing/pay.txt": b"Pay at riverton.gov/pay\nor call  us. Reply STOP"})
    exact = document_of(view, {"sms": sms})
    assert [s.text for s in exact.said if s.channels == ("sms",)] == ["Pay at riverton.gov/pay or call us. Reply STOP"]


def test_results_carry_dates_and_told_text_and_chunks_carry_what_was_said(tmp_path: Path) -> None:
    document = indexed(_channels_doc(tmp_path))
    files = index_files([document], (), {"ivr": "Phone (IVR)"})
    meta = json.loads(files["search/meta.json"])
    row = json.loads(files["search/d/0.json"])[0]
    assert row[7] == [document.dates.due, "", ""] and document.dates.due
    ivr = 1 << meta["channels"].index("ivr")
    assert [ivr, "To pay now, press 1."] in row[8]
    assert meta["channel_titles"][meta["channels"].index("ivr")] == "Phone (IVR)"
    said = json.loads(files["search/c/0.json"])[0]
    assert any(mask & ivr and "press 1" in text for mask, text in said)


def test_a_large_shard_splits_by_a_longer_prefix_and_terms_find_theirs() -> None:
    docs = [_doc(n, f"payment payments payable paying pays pay{n} pal{n}") for n in range(60)]
    files = index_files(docs, (), shard_bytes=1500)
    meta = json.loads(files["search/meta.json"])
    keys = frozenset(meta["shards"])
    assert "pa" not in keys or all(len(t) <= 2 for t in json.loads(files["search/t/pa.json"]))
    assert {k for k in keys if k.startswith("pay")} and {k for k in keys if k.startswith("pal")}
    found: dict[str, str] = {}
    for key in keys:
        shard = json.loads(files[f"search/t/{file_name(key)}.json"])
        for term in shard:
            found[term] = key
        splittable = any(len(t) > len(key) for t in shard)
        assert not splittable or len(files[f"search/t/{file_name(key)}.json"]) <= 1500, key
    assert found and all(shard_key(term, keys) == key for term, key in found.items())
    assert set(found) == set(scores(docs))  # every term is in exactly one shard


def test_split_shards_hold_exactly_what_one_unsplit_shard_per_prefix_would() -> None:
    """A lookup through the split shards (the term's longest listed prefix) finds the postings it would find
    in the unsplit index, and no split shard that could be split further is over the threshold."""
    docs = [_doc(n, f"payment payments payable paying pays pay{n} pal{n} pa{n % 7}", tags=(f"pax{n}",))
            for n in range(80)]
    split, whole = index_files(docs, (), shard_bytes=1200), index_files(docs, (), shard_bytes=10_000_000)
    split_keys = frozenset(json.loads(split["search/meta.json"])["shards"])
    whole_keys = frozenset(json.loads(whole["search/meta.json"])["shards"])
    assert len(split_keys) > len(whole_keys) and all(len(k) <= 2 for k in whole_keys)
    unsplit = {t: p for k in whole_keys for t, p in json.loads(whole[f"search/t/{file_name(k)}.json"]).items()}
    for term, postings in unsplit.items():
        data = split[f"search/t/{file_name(shard_key(term, split_keys))}.json"]
        assert json.loads(data)[term] == postings, term
    for key in split_keys:
        shard = json.loads(split[f"search/t/{file_name(key)}.json"])
        assert len(split[f"search/t/{file_name(key)}.json"]) <= 1200 or all(len(t) <= len(key) for t in shard), key


def test_a_large_vocabulary_splits_by_term_length() -> None:
    docs = [_doc(n, " ".join(f"word{n}x{k}" + "y" * (k % 4) for k in range(30))) for n in range(20)]
    files = index_files(docs, (), shard_bytes=2000)
    meta = json.loads(files["search/meta.json"])
    assert "w" not in meta["vocabulary"] and meta["vocabulary_lengths"]["w"]
    for length in meta["vocabulary_lengths"]["w"]:
        assert all(len(t) == length for t in json.loads(files[f"search/v/w-{length}.json"]))
    assert not any(path.startswith("search/v/") and json.loads(files[path]) and
                   all(t.isdigit() for t in json.loads(files[path])) for path in files)  # numbers have no typos


def test_the_browser_drops_the_same_stop_words_as_the_index() -> None:
    """search.js keeps its own copy of STOP_WORDS (the browser splits the query as the index builder did): a word
    dropped on one side only would never match."""
    script = (channel_registry.HERE / "templates" / "reference" / "search.js").read_text(encoding="utf-8")
    block = re.search(r"var STOP = new Set\(\((.*?)\)\.split", script, re.S)
    assert block is not None, "search.js no longer declares its STOP set as a joined string"
    words = "".join(re.findall(r'"([^"]*)"', block.group(1))).split(" ")
    assert set(words) == set(STOP_WORDS)
