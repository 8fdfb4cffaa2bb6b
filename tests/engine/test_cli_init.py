"""`init` writes a content repository: the knowledge base, and beside it a README for editors, a pre-commit
config, a GitHub Actions workflow and a .gitignore. The workflow's own commands are run here, in order."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "SOURCE_DATE_EPOCH": "1795392000"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def _init(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "one-answer"), "init", *args], cwd)


def test_init_writes_a_content_repository_whose_workflow_commands_pass(tmp_path: Path) -> None:
    made = _init(tmp_path, "--name", "Lakeside Water")
    assert made.returncode == 0, made.stderr
    written = set(made.stdout.split())
    assert {"knowledge/_settings.yaml", "knowledge/general/contact-us.md", "README.md", ".pre-commit-config.yaml",
            ".github/workflows/one-answer.yml", ".gitignore"} <= written
    assert all((tmp_path / path).is_file() for path in written)
    workflow = YAML(typ="safe").load((tmp_path / ".github/workflows/one-answer.yml").read_text())
    steps = [step["run"] for step in workflow["jobs"]["build"]["steps"] if "run" in step]
    assert steps[0].startswith("pip install ") and "one-answer" in steps[0]
    assert [s.split()[:2] for s in steps[1:]] == [["one-answer", "check"], ["one-answer", "diff"],
                                                  ["one-answer", "build"], ["one-answer", "verify"]]
    assert "--format github" in steps[1]
    upload = next(step for step in workflow["jobs"]["build"]["steps"] if "upload-artifact" in step.get("uses", ""))
    assert upload["with"]["path"].rstrip("/") == "dist"
    for git in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@example.org",
                                                "commit", "-qm", "start"]):
        subprocess.run(["git", *git], cwd=tmp_path, check=True)
    for command in steps[1:]:  # the installed one-answer stands in for the `pip install` step
        if command.startswith("one-answer diff"):  # the pull request's base is this commit; the summary is stdout
            command = command.split(">>")[0].replace('"origin/${{ github.base_ref }}"', "HEAD")
        done = _run(command.split(), tmp_path)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        if command.startswith("one-answer diff"):
            assert done.stdout.startswith("### ") and "No output changes." in done.stdout, done.stdout
    assert (tmp_path / "dist" / "manifest.json").is_file()
    readme = (tmp_path / "README.md").read_text()
    assert "Lakeside Water" in readme and "serve --watch" in readme and "one-answer new" in readme


def test_the_gitignore_init_writes_keeps_build_output_out_of_git(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    assert _init(tmp_path).returncode == 0
    assert _run(["git", "init", "-q"], tmp_path).returncode == 0
    assert _run([str(BIN / "one-answer"), "build"], tmp_path).returncode == 0
    status = _run(["git", "status", "--porcelain", "--untracked-files=all"], tmp_path).stdout
    assert status and not re.search(r"dist|\.cache|\.lock", status), status


def test_init_of_a_nested_folder_points_the_repository_files_at_it(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Ours\n")
    made = _init(tmp_path, "content")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "README.md").read_text() == "# Ours\n"  # kept
    assert "README.md: kept as it is" in made.stderr
    hooks = YAML(typ="safe").load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"][0]
    assert re.search(hooks["files"], "content/general/contact-us.md")
    assert not re.search(hooks["files"], "knowledge/general/contact-us.md")
    assert not re.search(hooks["files"], "README.md")
    assert "--kb content " in (tmp_path / ".github/workflows/one-answer.yml").read_text()
    check = _run([str(BIN / "one-answer"), "check", "--kb", "content", "--strict"], tmp_path)
    assert check.returncode == 0 and "0 errors, 0 warnings" in check.stderr, check.stderr


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()
    (tmp_path / "knowledge" / "notes.md").write_text("mine")
    refused = _init(tmp_path)
    assert refused.returncode == 2 and "not an empty folder" in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["knowledge"]
