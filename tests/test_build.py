"""The command line contract: commands, formats, exit codes (0 ok, 1 content errors, 2 usage), no tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "fixtures" / "broken_kb"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_passes_on_the_sample_knowledge_base() -> None:
    result = run("check", "--as-of", "2026-11-23")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stderr


def test_check_reports_every_broken_file_and_exits_1_without_a_traceback() -> None:
    result = run("check", "--kb", str(BROKEN), "--as-of", "2026-11-23")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.count(": error: ") >= 25


def test_json_format_is_a_list_of_located_diagnostics() -> None:
    result = run("check", "--kb", str(BROKEN), "--as-of", "2026-11-23", "--format", "json")
    items = json.loads(result.stdout)
    assert {"path", "line", "col", "severity", "code", "message", "hint"} <= set(items[0])
    assert any(i["code"] == "unknown-field" and i["hint"] == "did you mean `asked_as`?" for i in items)


def test_github_format_gives_workflow_annotations() -> None:
    result = run("check", "--kb", str(BROKEN), "--as-of", "2026-11-23", "--format", "github")
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert any(",line=5,col=1,title=unknown-field::unknown field `askd_as`" in line for line in lines)


@pytest.mark.parametrize("args", [
    ("check", "--as-of", "2026-02-30"), ("check", "--format", "xml"), ("bogus",), (),
    ("check", "--kb", "/nonexistent/kb"), ("new", "Not A Slug"),
])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["check", "schema", "new", "verify", "releases", "rollback"])
def test_every_command_has_help(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0 and "usage:" in result.stdout


def test_strict_turns_warnings_into_a_failure(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    (kb / "billing").mkdir(parents=True)
    (kb / "billing" / "old.md").write_text(
        "---\nquestion: Old?\nowner: t\nreviewed: 2020-01-01\n---\nAn old answer.\n", encoding="utf-8")
    assert run("check", "--kb", str(kb), "--as-of", "2026-11-23").returncode == 0
    assert run("check", "--kb", str(kb), "--as-of", "2026-11-23", "--strict").returncode == 1


def test_schema_describes_the_front_matter_and_the_facts(tmp_path: Path) -> None:
    answer = json.loads(run("schema").stdout)
    assert answer["additionalProperties"] is False
    assert {"question", "asked_as", "audience", "related", "sms"} <= set(answer["properties"])
    assert set(answer["required"]) == {"question", "owner", "reviewed"}
    facts = json.loads(run("schema", "facts").stdout)
    fact_types = facts["$defs"]["FactType"]["enum"]
    assert set(fact_types) == {"phone", "money", "date", "time", "hours", "duration", "url", "email", "percent",
                               "text"}
    assert run("schema", "--out", str(tmp_path)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{name}.schema.json" for name in ("answer", "facts", "notices", "settings", "standards", "synonyms")]


def test_new_scaffolds_an_answer_that_checks_clean_once_written_and_refuses_to_overwrite(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    created = run("new", "--kb", str(kb), "billing/pay-at-a-kiosk")
    assert created.returncode == 0, created.stderr
    text = (kb / "billing" / "pay-at-a-kiosk.md").read_text(encoding="utf-8")
    assert "question: Pay at a kiosk?" in text and "::: internal" in text
    check = run("check", "--kb", str(kb))
    assert check.returncode == 1 and "unedited-scaffold" in check.stdout  # the untouched scaffold never publishes
    page = kb / "billing" / "pay-at-a-kiosk.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "Write the short answer here: one or two plain sentences that answer the question on their own.",
        "Every kiosk takes cards and cash."), encoding="utf-8")
    check = run("check", "--kb", str(kb))
    assert check.returncode == 0, check.stdout + check.stderr  # once written, the scaffold checks clean
    assert run("new", "--kb", str(kb), "billing/pay-at-a-kiosk").returncode == 1


def test_build_report_and_diff_work_from_the_manifest(tmp_path: Path) -> None:
    small = ROOT / "tests" / "fixtures" / "small_kb"
    first = run("build", "--kb", str(small), "--out", str(tmp_path / "one"), "--as-of", "2026-11-23", "--jobs", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "published" in first.stderr and "sms 3" in first.stderr
    report = run("report", "--out", str(tmp_path / "one"))
    assert report.returncode == 0 and "largest ivr seconds:" in report.stdout
    kb = tmp_path / "kb"
    import shutil

    shutil.copytree(small, kb)
    path = kb / "outages" / "report-outage.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Check your breakers first.", "Check your fuses first."),
                    encoding="utf-8")
    assert run("build", "--kb", str(kb), "--out", str(tmp_path / "two"), "--as-of", "2026-11-23").returncode == 0
    changes = json.loads(run("diff", str(tmp_path / "one"), str(tmp_path / "two"), "--format", "json").stdout)["channels"]
    assert "billing/pay-by-phone" not in changes.get("sms", {}).get("changed", [])
    for channel in ("web", "ivr", "chat", "mobile", "reference"):
        assert "outages/report-outage" in changes[channel]["changed"], channel
        assert "billing/pay-by-phone" not in changes[channel]["changed"], channel
    assert run("diff", str(tmp_path / "missing")).returncode == 2


def test_verify_exits_0_on_a_clean_bundle_1_on_problems_and_2_without_a_folder(tmp_path: Path) -> None:
    small = ROOT / "tests" / "fixtures" / "small_kb"
    out = tmp_path / "dist"
    assert run("build", "--kb", str(small), "--out", str(out), "--as-of", "2026-11-23", "--jobs", "1").returncode == 0
    clean = run("verify", str(out))
    assert clean.returncode == 0 and clean.stdout.endswith("files checked, ok\n"), clean.stdout + clean.stderr
    (out / "sms" / "billing" / "pay-by-phone.txt").write_text("changed")
    (out / "web" / "stray.html").write_text("stray")
    broken = run("verify", str(out))
    assert broken.returncode == 1
    assert f"{out}/sms/billing/pay-by-phone.txt: sha256 mismatch" in broken.stdout
    assert f"{out}/web/stray.html: stray file" in broken.stdout and "2 problems" in broken.stdout
    data = json.loads(run("verify", str(out), "--format", "json").stdout)
    assert data["ok"] is False and len(data["problems"]) == 2 and data["files"] > 30
    assert run("verify", str(tmp_path / "missing")).returncode == 2


def test_releases_rollback_and_the_commands_that_follow_current(tmp_path: Path) -> None:
    small = ROOT / "tests" / "fixtures" / "small_kb"
    out = tmp_path / "dist"
    build_release = ("build", "--kb", str(small), "--out", str(out), "--as-of", "2026-11-23", "--jobs", "1",
                     "--release")
    first = run(*build_release)
    assert first.returncode == 0 and "(release " in first.stderr, first.stderr
    again = run(*build_release)  # nothing changed: the cache says so, and no release is added
    assert again.returncode == 0 and "is up to date" in again.stderr, again.stderr
    assert len(list((out / "releases").iterdir())) == 1
    assert run(*build_release, "--keep", "3", "--no-cache").returncode == 0
    listed = json.loads(run("releases", "--out", str(out), "--format", "json").stdout)
    newest, older = listed["releases"]
    assert listed["current"] == newest and listed["rollback"] == older
    assert run("releases", "--out", str(out)).stdout.splitlines() == [f"* {newest}  4 answers (current)",
                                                                      f"  {older}  4 answers (rollback goes here)"]
    assert run("verify", str(out)).returncode == 0
    assert "largest ivr seconds:" in run("report", "--out", str(out)).stdout
    assert run("diff", str(out / "releases" / older), str(out)).stdout == "no changes\n"
    back = run("rollback", "--out", str(out))
    assert back.returncode == 0 and f"{newest} -> {older}" in back.stderr
    assert os.readlink(out / "current") == f"releases/{older}"
    assert run("rollback", "--out", str(out)).returncode == 1  # nothing before the oldest
    assert run("rollback", "--out", str(out), "--to", newest).returncode == 0
    (out / "releases" / older / "sms" / "billing" / "pay-by-phone.txt").write_text("tampered")
    refused = run("rollback", "--out", str(out))
    assert refused.returncode == 1 and "fails verification" in refused.stderr
    assert os.readlink(out / "current") == f"releases/{newest}"
    assert run("build", "--kb", str(small), "--out", str(out)).returncode == 2  # a plain build into releases
    assert run("build", "--kb", str(small), "--out", str(tmp_path / "x"), "--keep", "2").returncode == 2
    assert run("rollback", "--out", str(tmp_path / "none")).returncode == 2
    assert run("releases", "--out", str(tmp_path / "none")).returncode == 2


@pytest.mark.parametrize("epoch,fragment", [("99999999999999999", "beyond the dates"), ("-5", "not a whole number"),
                                            ("soon", "not a whole number")])
def test_an_unusable_source_date_epoch_is_a_usage_error_not_a_traceback(epoch: str, fragment: str) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), "check", "--no-render"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "SOURCE_DATE_EPOCH": epoch})
    assert done.returncode == 2 and fragment in done.stderr and "Traceback" not in done.stderr


def test_schema_out_onto_a_file_is_a_usage_error_not_a_traceback(tmp_path: Path) -> None:
    existing = tmp_path / "schemas"
    existing.write_text("keep me\n")
    done = run("schema", "--out", str(existing))
    assert done.returncode == 2 and "File exists" in done.stderr and "Traceback" not in done.stderr
    assert existing.read_text() == "keep me\n"


def test_check_gates_every_answer_that_loads_even_when_another_file_fails(tmp_path: Path) -> None:
    import shutil

    kb = tmp_path / "knowledge"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small_kb", kb)
    page = kb / "billing" / "pay-by-phone.md"
    page.write_text(page.read_text().replace("Card fee {{ fees.card }}.\"", "Card fee $9.99.\""))  # a drift
    broken = kb / "billing" / "late-fees.md"
    broken.write_text(broken.read_text().replace("owner:", "ownr:"))  # a front-matter error elsewhere
    done = run("check", "--kb", str(kb), "--as-of", "2026-11-23", cwd=tmp_path)
    assert done.returncode == 1
    assert "unknown-field" in done.stdout and "late-fees.md" in done.stdout
    assert "invented-fact" in done.stdout and "$9.99" in done.stdout  # the gate ran in the same run
    # pay-by-phone relates to the broken answer: said once, as what it is, not as a missing id
    assert "related-unavailable" in done.stdout and "unknown-related" not in done.stdout
    assert "1 answer file could not be checked" in done.stderr


def test_version_and_quiet() -> None:
    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("one-answer ")
    loud = run("check", "--kb", str(BROKEN), "--as-of", "2026-11-23")
    quiet = run("check", "--kb", str(BROKEN), "--as-of", "2026-11-23", "--quiet")
    assert quiet.returncode == loud.returncode == 1
    assert ": warning: " in loud.stdout and ": warning: " not in quiet.stdout
    assert quiet.stdout.splitlines() == [line for line in loud.stdout.splitlines() if ": error: " in line]
    assert quiet.stderr == ""


def test_diff_says_how_each_channel_changed_and_counts_index_files(tmp_path: Path) -> None:
    import shutil

    small = ROOT / "tests" / "fixtures" / "small_kb"
    kb = tmp_path / "kb"
    shutil.copytree(small, kb)
    assert run("build", "--kb", str(kb), "--out", str(tmp_path / "one"), "--as-of", "2026-11-23").returncode == 0
    page = kb / "outages" / "report-outage.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "Check your breakers first.", "Check your breakers first, then look at your neighbours' lights, and note "
        "the time the power went out."), encoding="utf-8")
    assert run("build", "--kb", str(kb), "--out", str(tmp_path / "two"), "--as-of", "2026-11-23").returncode == 0
    text = run("diff", str(tmp_path / "one"), str(tmp_path / "two")).stdout
    line = next(line for line in text.splitlines() if line.startswith("  ~ outages/report-outage") and "seconds" in line)
    assert "→" in line and "(+" in line  # e.g. "seconds 12.4 s → 16.8 s (+4.4 s)"
    assert "index file" in text and "search/" not in text  # index files are counted, not listed
    changes = json.loads(run("diff", str(tmp_path / "one"), str(tmp_path / "two"), "--format", "json").stdout)
    assert changes["facts"] is None  # two bundles: their manifests hold no fact values
    changes = changes["channels"]
    seconds = changes["ivr"]["metrics"]["outages/report-outage"]["seconds"]
    assert seconds[1] > seconds[0]
    assert all("/" in path for path in changes["reference"]["indexes"])


def test_init_writes_a_knowledge_base_that_checks_and_builds_clean(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    made = run("init", str(kb), "--name", "Lakeside County")
    assert made.returncode == 0, made.stderr
    assert "name: Lakeside County" in (kb / "_settings.yaml").read_text()
    check = run("check", "--kb", str(kb), "--strict", cwd=tmp_path)
    assert check.returncode == 0 and "0 errors, 0 warnings" in check.stderr, check.stdout + check.stderr
    assert run("build", "--kb", str(kb), "--out", str(tmp_path / "dist"), cwd=tmp_path).returncode == 0
    again = run("init", str(kb))
    assert again.returncode == 2 and "not an empty folder" in again.stderr
