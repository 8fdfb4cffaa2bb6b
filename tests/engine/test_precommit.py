"""The pre-commit hook (`.pre-commit-hooks.yaml`) and the config `init` writes, run by pre-commit itself in a
throwaway git repository: a bad answer staged fails the commit check (exit 1, its diagnostic shown), a good one
passes (exit 0). No network: the hooks run the `one-answer` installed beside this Python (`language: system`)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.kb import ROOT

BIN = Path(sys.executable).parent
GIT = shutil.which("git")

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

BAD = """\
---
question: How do I report a leak?
owner: water-team
reviewed: {today}
---
Call {{{{ contact.mian }}}} to report a leak.
"""
GOOD = BAD.replace("contact.mian", "contact.main")


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PRE_COMMIT_HOME": str(home),
            "PRE_COMMIT_COLOR": "never", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(home),
            "SOURCE_DATE_EPOCH": "1795392000"}  # 2026-11-23


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _repository(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository holding a knowledge base made by `init`, committed, and the environment to run in."""
    repo, home = tmp_path / "content", tmp_path / "home"
    repo.mkdir()
    home.mkdir()
    env = _env(home)
    assert _run([str(BIN / "one-answer"), "init", "knowledge", "--name", "Lakeside Water"], repo, env).returncode == 0
    for command in (["init", "-q", "-b", "main"], ["config", "user.email", "editor@example.org"],
                    ["config", "user.name", "Editor"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        done = _run([str(GIT), *command], repo, env)
        assert done.returncode == 0, done.stderr
    return repo, env


def _stage(repo: Path, env: dict[str, str], text: str) -> None:
    path = repo / "knowledge" / "water" / "report-leak.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text.format(today="2026-11-01"), encoding="utf-8")
    assert _run([str(GIT), "add", str(path)], repo, env).returncode == 0


def _pre_commit(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`pre-commit run` as the git hook runs it: on the staged files."""
    return _run([sys.executable, "-m", "pre_commit", "run"], repo, env)


def test_the_hook_manifest_is_valid_for_pre_commit() -> None:
    done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                           str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_repository_hook_fails_a_bad_answer_and_passes_a_good_one(tmp_path: Path) -> None:
    repo, env = _repository(tmp_path)
    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "one-answer-check" and hook["entry"] == "one-answer check"
    local = {**hook, "language": "system"}  # the same hook, run from this environment instead of a fresh one
    local.pop("minimum_pre_commit_version", None)
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    with (repo / ".pre-commit-config.yaml").open("w") as handle:
        YAML(typ="safe").dump(config, handle)
    assert _run([str(GIT), "add", ".pre-commit-config.yaml"], repo, env).returncode == 0
    _stage(repo, env, BAD)
    bad = _pre_commit(repo, env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "knowledge/water/report-leak.md:6:6: error: unknown-fact" in bad.stdout
    _stage(repo, env, GOOD)
    good = _pre_commit(repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "one-answer check" in good.stdout and "Passed" in good.stdout


def test_the_config_init_writes_runs_the_check_on_changed_answers(tmp_path: Path) -> None:
    repo, env = _repository(tmp_path)
    _stage(repo, env, BAD)
    bad = _pre_commit(repo, env)
    assert bad.returncode == 1 and "report-leak.md:6:6: error: unknown-fact" in bad.stdout, bad.stdout + bad.stderr
    _stage(repo, env, GOOD)
    good = _pre_commit(repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    (repo / "README.md").write_text("# Notes\n\nNot an answer: {{ nothing.here }}\n")
    assert _run([str(GIT), "add", "README.md"], repo, env).returncode == 0
    skipped = _pre_commit(repo, env)  # a file outside the knowledge base is not the hook's business
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
