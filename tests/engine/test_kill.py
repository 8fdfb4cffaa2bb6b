"""Interrupted builds: `build.py build` killed with SIGKILL at moments spread over the whole build leaves the
output as the complete previous bundle or the complete new one (checked with `verify` and byte for byte),
for plain and `--release` builds; a rerun succeeds and removes what the killed build left behind.

The figures (kill moments, outcomes) are printed: `pytest -s tests/engine/test_kill.py`."""
from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.generate import generate
from engine.ownership import MARKER
from engine.releases import CURRENT, RELEASES, current, listing
from engine.verify import verify

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = 16  # a build of ~1.5 s on an idle 2-core machine: kills land in every phase; the whole file ~40 s
TIMED = 10  # per mode, spread over the whole build time
AFTER_SEAL = 3  # per mode, a moment after the new bundle is complete: the swap, switch and cleanup window
RERUN_EVERY = 5  # and after the last kill
SEED = int(os.environ.get("KILL_SEED", "20261123"))

Tree = dict[str, bytes]


def tree(folder: Path) -> Tree:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def command(kb: Path, out: Path, release: bool) -> list[str]:
    args = [sys.executable, str(ROOT / "build.py"), "build", "--kb", str(kb), "--out", str(out),
            "--as-of", "2026-11-23", "--jobs", "1"]
    return args + (["--release", "--keep", "50"] if release else [])


def run_to_end(kb: Path, out: Path, release: bool) -> None:
    done = subprocess.run(command(kb, out, release), capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stdout + done.stderr


@dataclass(frozen=True)
class Timing:
    seconds: float  # the whole build
    after_seal: float  # from the staged manifest's appearance to the end: flush, swap or move, switch, cleanup


def timed_build(kb: Path, out: Path, release: bool) -> Timing:
    """A whole build, watched: how long it takes, and how long its last step (after sealing) takes."""
    started = time.monotonic()
    process = subprocess.Popen(command(kb, out, release), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    seal = None
    while process.poll() is None:
        if seal is None and sealed(out, release, process.pid):
            seal = time.monotonic()
        time.sleep(0.001)
    ended = time.monotonic()
    assert process.wait() == 0, process.stderr.read() if process.stderr else ""
    return Timing(ended - started, ended - (seal or ended))


class Estimate:
    """The build's timing, the median of every whole build watched so far (the machine's load drifts)."""

    def __init__(self) -> None:
        self.samples: list[Timing] = []

    def add(self, timing: Timing) -> None:
        self.samples.append(timing)

    @property
    def timing(self) -> Timing:
        return Timing(statistics.median(t.seconds for t in self.samples),
                      statistics.median(t.after_seal for t in self.samples))


@dataclass(frozen=True)
class Kill:
    share: float  # of the build time from the start, or of the last step from the moment the bundle is sealed
    after_seal: bool = False

    def delay(self, timing: Timing) -> float:
        return self.share * (timing.after_seal if self.after_seal else timing.seconds)

    def label(self, delay: float) -> str:
        if self.after_seal:
            return f"sealed + {delay * 1000:4.0f} ms ({self.share:4.0%})"
        return f"{delay:13.2f} s ({self.share:4.0%})"


def staging_of(out: Path, release: bool, pid: int) -> Path:
    return out / RELEASES / f".next.staging-{pid}" if release else out.parent / f".{out.name}.staging-{pid}"


def sealed(out: Path, release: bool, pid: int) -> bool:
    """Build `pid`'s staged bundle is complete (its manifest, written last, exists)."""
    return (staging_of(out, release, pid) / "manifest.json").exists()


def kill_at(kb: Path, out: Path, release: bool, kill: Kill, timing: Timing) -> tuple[bool, int]:
    """Start a build, SIGKILL its whole process group (as a lost machine would) at the moment `kill` names;
    whether it was still running then, and its pid."""
    process = subprocess.Popen(command(kb, out, release), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if kill.after_seal:
        while process.poll() is None and not sealed(out, release, process.pid):
            time.sleep(0.001)
    time.sleep(kill.delay(timing))
    running = process.poll() is None
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()  # reaped, so the next build sees it dead and may clear its staging folder
    return running, process.pid


@dataclass(frozen=True)
class Variants:
    kbs: tuple[Path, Path]
    trees: tuple[Tree, Tree]


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> Variants:
    """Two knowledge bases differing in one answer, and the bundle each builds."""
    base = tmp_path_factory.mktemp("kill")
    first = base / "kb-a"
    generate(first, ANSWERS)
    second = base / "kb-b"
    generate(second, ANSWERS)
    changed = sorted(second.rglob("*.md"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("Call ", "Please call ", 1), encoding="utf-8")
    trees = []
    for kb in (first, second):
        run_to_end(kb, base / f"ref-{kb.name}", release=False)
        trees.append(tree(base / f"ref-{kb.name}"))
    assert trees[0] != trees[1]
    return Variants((first, second), (trees[0], trees[1]))


def schedule(rng: random.Random) -> list[Kill]:
    """One random moment in each of TIMED equal slices of 0..1.15 × the build time (some land after the end),
    and AFTER_SEAL random moments in the build's last step (after the new bundle is sealed), shuffled."""
    kills = [Kill(1.15 * (i + rng.random()) / TIMED) for i in range(TIMED)]
    kills += [Kill(1.1 * rng.random(), after_seal=True) for _ in range(AFTER_SEAL)]
    rng.shuffle(kills)
    return kills


def leftovers(folder: Path) -> list[str]:
    """Hidden files and folders a build left, but those meant to stay: the incremental cache (`.OUT.cache`), the
    writers' lock file (`.OUT.lock`), the engine's marker in each folder it owns (`.one-answer`) and the spare
    bundle the next build recycles (`.OUT.spare`, `releases/.next.spare`), with what they hold."""
    return sorted(p.name for p in folder.rglob(".*")
                  if not any(part.endswith((".cache", ".spare")) for part in p.parts)
                  and not p.name.endswith(".lock") and p.name != MARKER)


def plain_phase(out: Path, new: bool, pid: int) -> str:
    """Where killed build `pid` was, read from what it left behind."""
    staging = staging_of(out, False, pid)
    if new:  # the old bundle is exchanged into the staging folder, then renamed .OUT.old-<n>-<pid> and removed
        removing = staging.exists() or any(out.parent.glob(f".{out.name}.old-*-{pid}"))
        return "after the swap, removing the old bundle" if removing else "done"
    if not staging.exists():
        return "before staging (start, load, check)"
    return "sealed, before the swap" if sealed(out, False, pid) else "rendering and writing"


def release_phase(out: Path, was: str | None, before: set[str], pid: int) -> str:
    if current(out) != was:
        return "pruning" if list((out / RELEASES).glob(f".pruning-*-{pid}")) else "done"
    if set(listing(out)) - before:
        return "moved in, before the switch"
    if not staging_of(out, True, pid).exists():
        return "before staging (start, load, check)"
    return "sealed, before the move" if sealed(out, True, pid) else "rendering and writing"


@dataclass(frozen=True)
class Outcome:
    kill: Kill
    delay: float
    running: bool
    bundle: str  # "old" or "new"
    phase: str


def print_figures(mode: str, estimate: Estimate, log: list[Outcome]) -> None:
    timing = estimate.timing
    counts = Counter(item.bundle for item in log)
    print(f"\n{mode}: median build {timing.seconds:.2f} s (last step after sealing {timing.after_seal * 1000:.0f} ms)"
          f" over {len(estimate.samples)} whole builds; {len(log)} kills; outcomes {dict(counts)}")
    for item in sorted(log, key=lambda item: (item.kill.after_seal, item.kill.share)):
        print(f"  kill at {item.kill.label(item.delay)}{'' if item.running else ' (already done)':16} "
              f"-> {item.bundle}: {item.phase}")


def test_a_killed_plain_build_leaves_the_old_or_the_new_bundle(variants: Variants, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    estimate = Estimate()
    estimate.add(timed_build(variants.kbs[0], out, release=False))
    state = 0
    log: list[Outcome] = []
    kills = schedule(random.Random(SEED))
    for trial, kill in enumerate(kills, start=1):
        target = 1 - state
        timing = estimate.timing
        running, pid = kill_at(variants.kbs[target], out, False, kill, timing)
        verdict = verify(out)
        assert verdict.ok, (kill, verdict.problems)
        found = tree(out)
        assert found in (variants.trees[state], variants.trees[target]), f"a mixed bundle after {kill}"
        bundle = "old" if found == variants.trees[state] else "new"
        log.append(Outcome(kill, kill.delay(timing), running, bundle, plain_phase(out, bundle == "new", pid)))
        state = variants.trees.index(found)
        if trial % RERUN_EVERY == 0 or trial == len(kills):  # a rerun succeeds and cleans up
            target = 1 - state
            estimate.add(timed_build(variants.kbs[target], out, release=False))
            assert tree(out) == variants.trees[target]
            assert leftovers(tmp_path) == [], "the rerun left a staging folder behind"
            state = target
    print_figures("plain", estimate, log)
    assert sum(item.running for item in log) >= len(log) // 3, "too few kills landed inside a build"


def test_a_killed_release_build_leaves_current_on_a_complete_release(variants: Variants, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    estimate = Estimate()
    estimate.add(timed_build(variants.kbs[0], out, release=True))
    log: list[Outcome] = []
    kills = schedule(random.Random(SEED + 1))
    for trial, kill in enumerate(kills, start=1):
        before = {release_id: tree(out / RELEASES / release_id) for release_id in listing(out)}
        was = current(out)
        state = variants.trees.index(before[was])  # type: ignore[index]
        target = 1 - state
        timing = estimate.timing
        running, pid = kill_at(variants.kbs[target], out, True, kill, timing)
        now = current(out)
        assert now is not None and (out / CURRENT).is_dir(), f"no current release after {kill}"
        for release_id in listing(out):
            assert verify(out / RELEASES / release_id).ok, release_id  # a release is never half written
            expected = before.get(release_id, variants.trees[target])
            assert tree(out / RELEASES / release_id) == expected, release_id  # old ones untouched, a new one whole
        assert set(before) <= set(listing(out)), "a kill lost a release"
        assert verify(out).ok
        log.append(Outcome(kill, kill.delay(timing), running, "old" if now == was else "new",
                           release_phase(out, was, set(before), pid)))
        if trial % RERUN_EVERY == 0 or trial == len(kills):  # a rerun succeeds and cleans up
            state = variants.trees.index(tree(out / CURRENT))
            estimate.add(timed_build(variants.kbs[1 - state], out, release=True))
            assert tree(out / CURRENT) == variants.trees[1 - state]
            assert leftovers(out) == [], "the rerun left a staging folder or a temporary pointer behind"
    print_figures("release", estimate, log)
    assert sum(item.running for item in log) >= len(log) // 3, "too few kills landed inside a build"
