"""Interrupted builds: `build.py build` killed with SIGKILL at moments spread over the whole build leaves the
output as the complete previous bundle or the complete new one (checked with `verify` and byte for byte),
for plain and `--release` builds; a rerun succeeds and removes what the killed build left behind.

The figures (kill moments, outcomes) are printed: `pytest -s tests/engine/test_kill.py`."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.generate import generate
from engine.releases import CURRENT, RELEASES, current, listing
from engine.verify import verify

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = 16  # a build of ~1.5 s on an idle 2-core machine: kills land in every phase; the whole file ~40 s
KILLS = 12  # per mode; 24 in all
RERUN_EVERY = 4
SEED = int(os.environ.get("KILL_SEED", "20261123"))

Tree = dict[str, bytes]


def tree(folder: Path) -> Tree:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def command(kb: Path, out: Path, release: bool) -> list[str]:
    args = [sys.executable, str(ROOT / "build.py"), "build", "--kb", str(kb), "--out", str(out),
            "--as-of", "2026-11-23", "--jobs", "1"]
    return args + (["--release", "--keep", "50"] if release else [])


def run_to_end(kb: Path, out: Path, release: bool) -> float:
    started = time.monotonic()
    done = subprocess.run(command(kb, out, release), capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr
    return time.monotonic() - started


def kill_at(kb: Path, out: Path, release: bool, delay: float) -> bool:
    """Start a build, SIGKILL its whole process group (the renderer workers die too, as on a lost machine)
    after `delay` seconds; True if it was still running then."""
    process = subprocess.Popen(command(kb, out, release), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    time.sleep(delay)
    running = process.poll() is None
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()  # reaped, so the next build sees it dead and may clear its staging folder
    return running


@dataclass(frozen=True)
class Variants:
    kbs: tuple[Path, Path]
    trees: tuple[Tree, Tree]
    seconds: float


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Variants:
    """Two knowledge bases differing in one answer, and the bundle each builds (a whole build, timed)."""
    base = tmp_path_factory.mktemp("kill")
    first = base / "kb-a"
    generate(first, ANSWERS)
    second = base / "kb-b"
    generate(second, ANSWERS)
    changed = sorted(second.rglob("*.md"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("Call ", "Please call ", 1), encoding="utf-8")
    trees, seconds = [], []
    for kb in (first, second):
        seconds.append(run_to_end(kb, base / f"ref-{kb.name}", release=False))
        trees.append(tree(base / f"ref-{kb.name}"))
    assert trees[0] != trees[1]
    return Variants((first, second), (trees[0], trees[1]), max(seconds))


def moments(seconds: float, count: int, rng: random.Random) -> list[float]:
    """One random moment in each of `count` equal slices of 0..1.15 × the build time (some land after the end)."""
    span = seconds * 1.15
    return [span * (i + rng.random()) / count for i in range(count)]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def print_figures(mode: str, seconds: float, log: list[tuple[float, bool, str]]) -> None:
    outcomes = Counter(outcome for _, _, outcome in log)
    print(f"\n{mode}: build {seconds:.2f} s, {len(log)} kills; outcomes {dict(outcomes)}")
    for delay, running, outcome in log:
        print(f"  kill at {delay:5.2f} s ({delay / seconds:4.0%}){'' if running else ' (already done)':16} -> {outcome}")


def test_a_killed_plain_build_leaves_the_old_or_the_new_bundle(variants: Variants, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run_to_end(variants.kbs[0], out, release=False)
    state = 0
    rng = random.Random(SEED)
    log: list[tuple[float, bool, str]] = []
    for trial, delay in enumerate(moments(variants.seconds, KILLS, rng), start=1):
        target = 1 - state
        running = kill_at(variants.kbs[target], out, False, delay)
        verdict = verify(out)
        assert verdict.ok, (delay, verdict.problems)
        found = tree(out)
        assert found in (variants.trees[state], variants.trees[target]), f"a mixed bundle after a kill at {delay:.2f} s"
        outcome = "old" if found == variants.trees[state] else "new"
        log.append((delay, running, outcome))
        state = variants.trees.index(found)
        if trial % RERUN_EVERY == 0:
            target = 1 - state
            run_to_end(variants.kbs[target], out, release=False)
            assert tree(out) == variants.trees[target]
            assert leftovers(tmp_path) == [], "the rerun left a staging folder behind"
            state = target
    print_figures("plain", variants.seconds, log)
    assert sum(running for _, running, _ in log) >= KILLS // 2, "too few kills landed inside a build"


def test_a_killed_release_build_leaves_current_on_a_complete_release(variants: Variants, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run_to_end(variants.kbs[0], out, release=True)
    rng = random.Random(SEED + 1)
    log: list[tuple[float, bool, str]] = []
    for trial, delay in enumerate(moments(variants.seconds, KILLS, rng), start=1):
        before = {release_id: tree(out / RELEASES / release_id) for release_id in listing(out)}
        was = current(out)
        state = variants.trees.index(before[was])  # type: ignore[index]
        target = 1 - state
        running = kill_at(variants.kbs[target], out, True, delay)
        now = current(out)
        assert now is not None and (out / CURRENT).is_dir(), f"no current release after a kill at {delay:.2f} s"
        for release_id in listing(out):
            assert verify(out / RELEASES / release_id).ok, release_id  # a release is never half written
            expected = before.get(release_id, variants.trees[target])
            assert tree(out / RELEASES / release_id) == expected, release_id  # old ones untouched, a new one whole
        assert set(before) <= set(listing(out)), "a kill lost a release"
        assert verify(out).ok
        log.append((delay, running, "old" if now == was else "new"))
        if trial % RERUN_EVERY == 0:
            state = variants.trees.index(tree(out / CURRENT))
            run_to_end(variants.kbs[1 - state], out, release=True)
            assert tree(out / CURRENT) == variants.trees[1 - state]
            assert leftovers(out) == [], "the rerun left a staging folder or a temporary pointer behind"
    print_figures("release", variants.seconds, log)
    assert sum(running for _, running, _ in log) >= KILLS // 2, "too few kills landed inside a build"
