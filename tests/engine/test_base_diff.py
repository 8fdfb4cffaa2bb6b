"""`diff --base REF`: a knowledge base in a git repository, changed after a commit, compared with that commit."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from engine.base_diff import BaseError, diff_base
from engine.inspect import diff_markdown, diff_text
from tests.test_build import ROOT, run

SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = date(2026, 11, 23)
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A content repository whose knowledge base lives in `content/kb`, committed once."""
    shutil.copytree(SMALL, tmp_path / "content" / "kb")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_fact_change_names_the_fact_its_answers_and_channels(repo: Path) -> None:
    kb = repo / "content" / "kb"
    _edit(kb / "_facts.yaml", "value: $2.50", "value: $2.75")
    compared = diff_base(kb, "HEAD", AS_OF)
    [fact] = compared.facts
    assert (fact.key, fact.before, fact.after) == ("fees.card", "$2.50", "$2.75")
    assert fact.answers == ["billing/pay-by-phone"]
    assert {"web", "ivr", "sms", "chat", "mobile"} <= set(fact.channels)
    for channel in fact.channels:
        assert compared.channels[channel].changed == ["billing/pay-by-phone"], channel
    text = diff_text(compared.channels, compared.facts)
    assert "fees.card: $2.50 → $2.75 in 1 answer, " in text
    markdown = diff_markdown(compared.channels, compared.facts)
    assert "- `fees.card`: $2.50 → $2.75 in 1 answer" in markdown
    assert "| sms | 0 | 0 | 1 |" in markdown and "`billing/pay-by-phone`" in markdown


def test_nothing_changed_since_the_ref_says_so(repo: Path) -> None:
    compared = diff_base(repo / "content" / "kb", "HEAD", AS_OF)
    assert compared.facts == [] and compared.channels == {}
    assert diff_text(compared.channels, compared.facts) == "no changes\n"


def test_an_edited_answer_shows_its_metrics_moving(repo: Path) -> None:
    kb = repo / "content" / "kb"
    page = kb / "outages" / "report-outage.md"
    _edit(page, "Check your breakers first.", "Check your breakers first, then look at your neighbours' lights, "
                                              "and note the time the power went out.")
    compared = diff_base(kb, "HEAD", AS_OF)
    assert compared.facts == []
    seconds = compared.channels["ivr"].metrics["outages/report-outage"]["seconds"]
    assert seconds[1] > seconds[0]
    assert " s → " in diff_text(compared.channels)


def test_an_unknown_ref_or_a_folder_outside_git_is_a_usage_error(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    with pytest.raises(BaseError):
        diff_base(repo / "content" / "kb", "no-such-branch", AS_OF)
    outside = tmp_path_factory.mktemp("plain") / "kb"
    shutil.copytree(SMALL, outside)
    with pytest.raises(BaseError):
        diff_base(outside, "HEAD", AS_OF)


def test_the_command_prints_markdown_and_json_and_refuses_a_bad_ref(repo: Path) -> None:
    kb = repo / "content" / "kb"
    _edit(kb / "_facts.yaml", "value: $2.50", "value: $2.75")
    markdown = run("diff", "--base", "HEAD", "--kb", str(kb), "--as-of", "2026-11-23", "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert markdown.stdout.startswith("### What this change does to each channel")
    assert "`fees.card`: $2.50 → $2.75" in markdown.stdout
    data = json.loads(run("diff", "--base", "HEAD", "--kb", str(kb), "--as-of", "2026-11-23",
                          "--format", "json").stdout)
    assert data["facts"][0]["key"] == "fees.card" and "billing/pay-by-phone" in data["channels"]["sms"]["changed"]
    bad = run("diff", "--base", "nope", "--kb", str(kb))
    assert bad.returncode == 2 and "--base nope" in bad.stderr and "Traceback" not in bad.stderr
