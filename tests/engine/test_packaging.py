"""The project installs as a package: a wheel built from the sources holds every module and template, owns
no top-level name another well-known package owns, and its `one-answer` command builds a knowledge base
outside the repository."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small_kb"
# Top-level names other well-known distributions install (PyPA build, Django Channels ...): ours must not be one.
TAKEN = {"build", "tests", "test", "benchmarks", "docs"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in ("engine", "renderers", "channels"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "build.py"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                           str(out), str(source)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "No module named" in done.stderr:
        pytest.skip(f"cannot build a wheel here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("one_answer-*.whl")
    return found


def test_the_wheel_holds_every_module_and_template_and_no_taken_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for module in [p.relative_to(ROOT).as_posix() for package in ("engine", "renderers", "channels")
                   for p in (ROOT / package).rglob("*.py")]:
        assert module in names, f"{module} is missing from the wheel"
    for template in (ROOT / "channels").rglob("templates/*/*"):
        assert template.relative_to(ROOT).as_posix() in names
    top = {name.split("/")[0].removesuffix(".py") for name in names if ".dist-info" not in name.split("/")[0]}
    assert top == {"engine", "renderers", "channels"} and not top & TAKEN
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    assert "one-answer = engine.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_installed_command_builds_a_knowledge_base_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    work = tmp_path / "team-repo"
    shutil.copytree(SMALL, work / "knowledge")
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    run = "import sys, engine; assert engine.__file__.startswith(sys.argv.pop(1)), engine.__file__; " \
          "from engine.cli import main; sys.exit(main())"
    done = subprocess.run([sys.executable, "-c", run, str(site), "build", "--as-of", "2026-11-23", "--jobs", "1"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((work / "dist" / "manifest.json").read_text())
    assert manifest["answers"] and (work / "dist" / "reference" / "assets" / "search.js").is_file()
    version = subprocess.run([sys.executable, "-c", run, str(site), "check", "--help"], cwd=work, env=env,
                             capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and "consistency gate" in version.stdout
