"""`_synonyms.yaml`: loaded into normalised groups; every mistake located at its line and column."""
from __future__ import annotations

from pathlib import Path

from engine.diagnostics import Report
from engine.synonyms import load_synonyms
from tests.kb import FACTS, answer_file, load_kb, sample, write_kb


def _load(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    (tmp_path / "_synonyms.yaml").write_text(text, encoding="utf-8")
    report = Report()
    synonyms = load_synonyms(tmp_path, "_synonyms.yaml", report)
    return synonyms, [d.text() for d in report.items]


def test_groups_are_normalised(tmp_path: Path) -> None:
    synonyms, problems = _load(tmp_path, "groups:\n  - [Shut  Off, disconnect]\n  - [bill, invoice, statement]\n")
    assert problems == []
    assert synonyms.groups == (("shut off", "disconnect"), ("bill", "invoice", "statement"))  # type: ignore[attr-defined]


def test_a_missing_file_means_no_synonyms(tmp_path: Path) -> None:
    report = Report()
    assert load_synonyms(tmp_path, "_synonyms.yaml", report).groups == ()
    assert report.items == []


def test_an_unknown_key_is_located_with_a_hint(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "group:\n  - [a, b]\n")
    assert problems == ["_synonyms.yaml:1:1: error: invalid-synonyms: `group`: Extra inputs are not permitted"
                        " (hint: did you mean `groups`?)"]


def test_a_phrase_in_two_groups_is_refused_where_it_repeats(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "groups:\n  - [bill, invoice]\n  - [statement, bill]\n")
    assert len(problems) == 1
    assert problems[0].startswith("_synonyms.yaml:3:17: error: invalid-synonyms: `bill` is already in group 1")


def test_bad_phrases_and_lonely_groups_are_each_reported(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "groups:\n  - [bill, <b>bill</b>]\n  - [alone]\n  - [a b c d e, x]\n")
    assert [p.split(": error: ")[0] for p in problems] == ["_synonyms.yaml:2:12", "_synonyms.yaml:3:5",
                                                           "_synonyms.yaml:4:6"]
    assert "not a search phrase" in problems[0] and "at least two phrases" in problems[1]


def test_a_group_that_is_not_a_list_is_a_type_error(tmp_path: Path) -> None:
    _, problems = _load(tmp_path, "groups:\n  - bill\n")
    assert problems and problems[0].startswith("_synonyms.yaml:2:5: error: invalid-synonyms: `groups.0`")


def test_the_knowledge_base_carries_its_synonyms(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "kb", {"billing/pay": answer_file("Pay online.\n")}, FACTS)
    (root / "_synonyms.yaml").write_text("groups:\n  - [bill, invoice]\n", encoding="utf-8")
    assert load_kb(root).synonyms.groups == (("bill", "invoice"),)


def test_the_sample_synonyms_load_cleanly() -> None:
    groups = sample().synonyms.groups
    assert len(groups) >= 20
    assert any("direct debit" in g and "autopay" in g for g in groups)
