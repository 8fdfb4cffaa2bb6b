"""A build writes only folders the engine owns: each dangerous --out, --cache or --kb, tried through the real
CLI in a temporary clone of the project, is refused with exit 2 and leaves every file of the clone as it was."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.ownership import MARKER, marked

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's code and a small knowledge base in a fresh repository."""
    root = tmp_path_factory.mktemp("clone")
    for name in ("engine", "renderers", "channels"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "build.py", root / "build.py")
    shutil.copytree(SMALL, root / "knowledge")
    (root / "README.md").write_text("# the team's readme\n")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "www-root").mkdir()
    (root / "www-root" / "index.html").write_text("the live site\n")
    (root / "empty-kb").mkdir()
    (root / "other" / "repo" / ".git").mkdir(parents=True)
    os.symlink("knowledge", root / "kb-link")
    return root


def tree(root: Path) -> dict[str, str]:
    """Every entry under `root` with its content hash (or what it is), .git's inside left out."""
    found: dict[str, str] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git" and d != "__pycache__"]
        for name in [*names, *dirs]:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "folder"
    return found


def run(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(clone / "home"), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "build.py", "build", "--as-of", AS_OF, "--jobs", "1", *args],
                          cwd=clone, capture_output=True, text=True, timeout=120, env=env)


DANGEROUS = [
    (["--out", "knowledge"], "is the knowledge base"),
    (["--out", "knowledge/billing"], "lies inside the knowledge base"),
    (["--release", "--out", "knowledge"], "is the knowledge base"),
    (["--out", "kb-link"], "is the knowledge base"),  # a link is followed, to the knowledge base here
    (["--out", "channels"], "is the engine's code"),
    (["--out", "engine"], "is the engine's code"),
    (["--out", "renderers"], "is the engine's code"),
    (["--out", "."], "holds the knowledge base"),
    (["--out", "CLONE"], "holds the knowledge base"),
    (["--out", ".."], "holds the knowledge base"),
    (["--out", "README.md"], "is a file"),
    (["--out", "/"], "is the filesystem root"),
    (["--out", "www-root"], "was not made by one-answer"),
    (["--out", "other/repo"], "is a repository root"),
    (["--out", "dist", "--cache", "knowledge"], "--cache"),
    (["--out", "dist", "--cache", "engine"], "--cache"),
    (["--out", "dist", "--cache", "www-root"], "was not made by one-answer"),
    (["--out", "dist", "--cache", "dist/web"], "overlaps the output folder"),
    (["--kb", "empty-kb", "--out", "dist"], "holds no answer files"),
]


@pytest.mark.parametrize("args,fragment", DANGEROUS, ids=[" ".join(a) for a, _ in DANGEROUS])
def test_a_dangerous_output_folder_is_refused_before_anything_is_written(clone: Path, args: list[str],
                                                                        fragment: str) -> None:
    args = [str(clone) if arg == "CLONE" else arg for arg in args]
    before = tree(clone)
    done = run(clone, *args)
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr
    assert tree(clone) == before


def test_an_empty_knowledge_base_publishes_only_when_asked(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty-dist"
    assert run(clone, "--kb", "empty-kb", "--out", str(out)).returncode == 2
    done = run(clone, "--kb", "empty-kb", "--out", str(out), "--allow-empty", "--no-cache")
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "manifest.json").read_text())["answers"] == {}


def test_a_symlinked_output_folder_stays_a_link_and_its_target_is_published(clone: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    link = tmp_path / "www"
    os.symlink(site, link)
    for _ in range(2):  # the second build replaces a bundle of its own
        done = run(clone, "--out", str(link), "--no-cache")
        assert done.returncode == 0, done.stderr
        assert link.is_symlink() and os.readlink(link) == str(site)
        assert (site / "manifest.json").is_file() and marked(site) == "bundle"


def test_every_folder_a_build_makes_carries_the_marker(clone: Path, tmp_path: Path) -> None:
    plain, releases = tmp_path / "plain", tmp_path / "rel"
    assert run(clone, "--out", str(plain)).returncode == 0
    assert run(clone, "--out", str(releases), "--release").returncode == 0
    assert marked(plain) == "bundle" and marked(tmp_path / ".plain.cache") == "cache"
    assert marked(releases) == "releases" and marked(releases / "current") == "bundle"


def test_a_bundle_from_before_the_marker_is_still_rebuilt(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "old"
    assert run(clone, "--out", str(out), "--no-cache").returncode == 0
    os.unlink(out / MARKER)  # as an engine without markers left it
    done = run(clone, "--out", str(out), "--no-cache")
    assert done.returncode == 0, done.stderr
    assert marked(out) == "bundle"


def test_an_empty_existing_folder_may_be_the_output(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "made-by-hand"
    out.mkdir()
    assert run(clone, "--out", str(out), "--no-cache").returncode == 0
