"""`import`: each source kind becomes answer files that check, bad rows are reported by line and lose nothing
else, markup no answer may hold is left out and said, re-imports keep editors' work, and repeated literal
facts are proposed as shared facts that `_facts.yaml` accepts."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.diagnostics import Report
from engine.knowledge import load

FIXTURES = Path(__file__).parent.parent / "fixtures" / "import"


def _import(source: Path, kb: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    status = main(["import", str(source), "--kb", str(kb), "--format", "json", "--reviewed", "2026-12-01",
                   "--base-url", "https://lakeside.example", *extra])
    return status, json.loads(capsys.readouterr().out)


def _by_path(result: dict) -> dict[str, dict]:
    return {item["path"]: item for item in result["answers"]}


def test_a_zendesk_export_becomes_answers_named_by_its_sections(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    status, result = _import(FIXTURES / "zendesk_articles.json", kb, capsys)
    answers = _by_path(result)
    assert set(answers) == {"start-stop-move/start-water-service.md", "start-stop-move/how-do-i-stop-water-service.md",
                            "billing-and-payments/why-was-i-charged-a-late-fee.md",
                            "billing-and-payments/payment-options.md"}  # the draft is not imported
    assert status == 1 and [p["code"] for p in result["source_problems"]] == ["import-row"]  # the title-less article
    text = (kb / "start-stop-move/start-water-service.md").read_text()
    assert "question: How do I start water service at a new address?" in text
    assert "reviewed: 2026-08-14" in text  # the article's own edit date
    assert "tags:\n- start-service\n- moving" in text
    assert "1. Sign in to [My Account](https://my.lakeside.example)" in text
    assert "## Renting?" in text  # h2 stays a heading below the question
    late = answers["billing-and-payments/why-was-i-charged-a-late-fee.md"]
    assert late["left_out"] == ["1 script element"] and "trackArticle" not in (kb / late["path"]).read_text()
    options = answers["billing-and-payments/payment-options.md"]
    assert sorted(options["left_out"]) == ["1 iframe element", "1 image (kept its alt text)"]
    assert "[one of our offices](https://lakeside.example/hc/en-us/articles/360001009)" in (kb / options["path"]).read_text()
    # The article opens with a heading: check says it needs a short answer, and the others check clean.
    assert [f["code"] for f in options["findings"] if f["severity"] == "error"] == ["empty-short-answer"]
    others = [item for path, item in answers.items() if path != options["path"]]
    assert not [f for item in others for f in item["findings"] if f["severity"] == "error"]
    stop = (kb / "start-stop-move/how-do-i-stop-water-service.md").read_text()
    assert "javascript:" not in stop and "chat with us" in stop


def test_html_pages_take_the_body_the_selector_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    status, result = _import(FIXTURES / "pages", kb, capsys)
    assert status == 0
    answers = _by_path(result)
    assert set(answers) == {"water/boil-water-notice.md", "accounts/reset-password.md"}
    boil = (kb / "water/boil-water-notice.md").read_text()
    assert "question: What should I do during a boil water notice?" in boil and "reviewed: 2026-09-01" in boil
    assert "Lakeside Water" not in boil.split("---", 2)[2]  # the header and footer are outside <main>
    assert "[current notices](https://lakeside.example/help/outages/current)" in boil
    assert "1. Bring water to a rolling boil for 1 minute." in boil
    assert "reviewed: 2026-12-01" in (kb / "accounts/reset-password.md").read_text()  # no date on the page
    assert "1 form element" in answers["accounts/reset-password.md"]["left_out"]
    assert not [f for item in answers.values() for f in item["findings"] if f["severity"] == "error"]


def test_a_selector_that_matches_nothing_is_reported_per_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, result = _import(FIXTURES / "pages", tmp_path / "kb", capsys, "--selector", "div.article-body")
    assert status == 1 and result["answers"] == []
    assert sorted(Path(p["path"]).name for p in result["source_problems"]) == ["boil-water-notice.html",
                                                                              "reset-password.html"]
    assert {p["code"] for p in result["source_problems"]} == {"import-no-body"}


@pytest.mark.parametrize("name, bad", [("articles.csv", [(4, "import-row")]),
                                       ("articles.jsonl", [(2, "import-syntax"), (3, "import-row")])])
def test_rows_report_each_bad_row_by_line_and_import_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              name: str, bad: list[tuple[int, str]]) -> None:
    kb = tmp_path / "kb"
    status, result = _import(FIXTURES / name, kb, capsys)
    assert status == 1
    assert [(p["line"], p["code"]) for p in result["source_problems"]] == bad
    rows = [line for line in (FIXTURES / name).read_text().splitlines()[1 if name.endswith(".csv") else 0:] if line]
    assert len(result["answers"]) + len(bad) == len(rows)  # every row is either imported or reported
    for item in result["answers"]:
        assert (kb / item["path"]).is_file()
        assert not [f for f in item["findings"] if f["severity"] == "error"], item


def test_importing_twice_gives_the_same_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    _import(FIXTURES / "zendesk_articles.json", kb, capsys, "--no-check")
    first = {p: p.read_bytes() for p in kb.rglob("*") if p.is_file()}
    _, again = _import(FIXTURES / "zendesk_articles.json", kb, capsys, "--no-check")
    assert {item["outcome"] for item in again["answers"]} == {"unchanged"}
    assert {p: p.read_bytes() for p in kb.rglob("*") if p.is_file()} == first


def test_a_reimport_never_overwrites_an_edited_answer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "export.json"
    shutil.copy(FIXTURES / "zendesk_articles.json", source)
    kb = tmp_path / "kb"
    _import(source, kb, capsys, "--no-check")
    edited = kb / "billing-and-payments/why-was-i-charged-a-late-fee.md"
    edited.write_text(edited.read_text().replace("$7.50", "$8.00"))
    mine = kb / "billing-and-payments/payment-options.md"
    mine.unlink()
    data = json.loads(source.read_text())
    for article in data["articles"]:
        article["body"] = article.get("body", "").replace("2 business days", "3 business days").replace("$7.50", "$9.00")
    source.write_text(json.dumps(data))
    _, again = _import(source, kb, capsys, "--no-check")
    outcomes = {item["path"]: item["outcome"] for item in again["answers"]}
    assert outcomes["billing-and-payments/why-was-i-charged-a-late-fee.md"] == "kept-edited"
    assert "$8.00" in edited.read_text() and "$9.00" not in edited.read_text()
    assert outcomes["start-stop-move/start-water-service.md"] == "updated"
    assert "3 business days" in (kb / "start-stop-move/start-water-service.md").read_text()
    assert outcomes["billing-and-payments/payment-options.md"] == "written"  # deleted here: the import brings it back
    # A file of the same name that no import wrote is never replaced.
    (kb / "start-stop-move/.import-guard").write_text("")
    other = tmp_path / "kb2"
    (other / "start-stop-move").mkdir(parents=True)
    (other / "start-stop-move/start-water-service.md").write_text("mine\n")
    _, third = _import(source, other, capsys, "--no-check")
    assert {i["path"]: i["outcome"] for i in third["answers"]}["start-stop-move/start-water-service.md"] == "kept-not-ours"
    assert (other / "start-stop-move/start-water-service.md").read_text() == "mine\n"


def test_repeated_facts_are_proposed_in_a_form_the_fact_book_accepts(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    main(["import", str(FIXTURES / "zendesk_articles.json"), "--kb", str(kb), "--no-check"])
    out = capsys.readouterr().out
    proposals = out.split("\n\n")[-1]
    assert "phone:\n  line_5035550120:\n    type: phone\n    value: 503-555-0120" in proposals
    assert "used in 3: billing-and-payments/why-was-i-charged-a-late-fee" in out
    (kb / "_facts.yaml").write_text(proposals)
    report = Report()
    loaded = load(kb, report, as_of=__import__("datetime").date(2026, 12, 1))
    assert not [d for d in report.errors if d.path.endswith("_facts.yaml")], report.errors
    assert set(loaded.facts.facts) >= {"phone.line_5035550120", "urls.pay_lakeside_example"}


def test_an_imported_help_center_builds_on_every_channel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb = tmp_path / "kb"
    main(["import", str(FIXTURES / "pages"), "--kb", str(kb), "--base-url", "https://lakeside.example", "--no-check"])
    capsys.readouterr()
    assert main(["build", "--kb", str(kb), "--out", str(tmp_path / "dist"), "--cache", str(tmp_path / "cache"),
                 "--quiet"]) == 0
    manifest = json.loads((tmp_path / "dist" / "manifest.json").read_text())
    assert len(manifest["answers"]) == 2


def test_a_missing_source_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", str(tmp_path / "nope.json"), "--kb", str(tmp_path / "kb")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "export.xml").write_text("<x/>")
    assert main(["import", str(tmp_path / "export.xml"), "--kb", str(tmp_path / "kb")]) == 2
    assert "--kind" in capsys.readouterr().err
