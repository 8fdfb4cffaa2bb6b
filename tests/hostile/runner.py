"""Run the real CLI (`build.py check` / `build`) on one hostile case, in a forked child with a time limit.

Forking after the engine is imported costs milliseconds instead of the second a fresh interpreter needs, and the
child can be killed when it hangs or capped when it balloons, which an in-process call could not be."""
from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from engine.ownership import MARKER
from tests.hostile.cases import AS_OF, Case, Expect, materialise

ROOT = Path(__file__).resolve().parents[2]
TIME_LIMIT = 20.0  # seconds per command: generous for a busy 2-core machine; a hang is far beyond it
MEMORY_HEADROOM = 2 * 1024**3  # bytes of address space a run may add: an expanded bomb dies here, not the machine
# The last good bundle, marked as one the engine made (c08e571): an unmarked --out is refused before any rendering.
PREVIOUS = {"previous.txt": b"the last good bundle\n", MARKER: json.dumps({"one-answer": "bundle"}).encode() + b"\n"}


@dataclass(frozen=True)
class Diag:
    path: str
    line: int
    col: int
    severity: str
    code: str
    message: str

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.code}: {self.message}"


@dataclass(frozen=True)
class Run:
    """What one command did: exit code (None when killed), diagnostics, stderr, seconds."""

    command: str
    code: int | None
    diagnostics: tuple[Diag, ...]
    stderr: str
    seconds: float
    stdout: str

    @property
    def errors(self) -> tuple[Diag, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def _child(argv: list[str], cwd: Path, out: int, err: int) -> None:
    try:
        cap = _address_space() + MEMORY_HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.chdir(cwd)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
        import build

        code = build.main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 2
    except BaseException:  # noqa: BLE001 - the traceback is the finding; the parent looks for it
        traceback.print_exc()
        code = 99
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def _address_space() -> int:
    """This process's virtual size (the forked child starts with all of it), from /proc; 0 where unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return 0


def run_cli(argv: list[str], cwd: Path, limit: float = TIME_LIMIT) -> Run:
    """`python build.py ARGV` run in `cwd`, in a forked child killed after `limit` seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(argv, cwd, out.fileno(), err.fileno())
        code: int | None = None
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - started > limit:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.01)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return Run(argv[0], code, _diagnostics(stdout), stderr, seconds, stdout)


def warm_up(work: Path) -> None:
    """Import the engine and fill its caches in this process once, so that each forked run starts warm."""
    import contextlib
    import io

    import build

    materialise(Case("warm-up", "-", dict), work / "kb")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        cwd = os.getcwd()
        os.chdir(work)
        try:
            build.main(["build", "--kb", "kb", "--as-of", AS_OF, "--jobs", "1", "--out", "dist"])
        finally:
            os.chdir(cwd)


def _diagnostics(stdout: str) -> tuple[Diag, ...]:
    try:
        items = json.loads(stdout)
    except ValueError:
        return ()
    return tuple(Diag(i["path"], i["line"], i["col"], i["severity"], i["code"], i["message"]) for i in items)


@dataclass(frozen=True)
class Outcome:
    """A case's two runs, and what went wrong with them (empty when the case behaved as specified)."""

    case: Case
    check: Run
    build: Run
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def _tree(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_case(case: Case, work: Path) -> Outcome:
    """Write the case into `work`, run `check` and `build` on it, and judge both against the case."""
    kb = work / "kb"
    materialise(case, kb)
    dist = work / "dist"
    for name, data in PREVIOUS.items():
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_bytes(data)
    common = ["--kb", "kb", "--as-of", AS_OF, "--format", "json", "--jobs", "1"]
    check = run_cli(["check", *common], work)
    build = run_cli(["build", *common, "--out", "dist"], work)
    failures = [*_judge(check, case), *_judge(build, case)]
    if case.expect:
        if _tree(dist) != PREVIOUS:
            failures.append("build: a failed build changed dist/")
    elif build.code == 0:
        if not (dist / "manifest.json").is_file():
            failures.append("build: exit 0 but no dist/manifest.json")
        else:
            if case.verify is not None:
                failures.extend(f"verify: {problem}" for problem in case.verify(dist, work))
            if case.twin is not None:
                failures.extend(f"twin: {problem}" for problem in _same_as_twin(case, dist, work))
    kept = (".dist.cache", ".dist.lock", ".dist.spare")  # the cache, the writers' lock and the spare bundle stay by design
    leftovers = [p.name for p in work.iterdir() if p.name.startswith(".dist") and p.name not in kept]
    if leftovers:
        failures.append(f"build: staging folders left behind: {leftovers}")
    return Outcome(case, check, build, tuple(failures))


def _same_as_twin(case: Case, dist: Path, work: Path) -> list[str]:
    """Build the case's twin (the same content written plainly) and compare every output byte for byte; only the
    manifest's `inputs` hash may differ, since the files read differ."""
    assert case.twin is not None
    twin = work / "twin"
    materialise(Case("twin", case.kind, case.twin), twin / "kb")
    run = run_cli(["build", "--kb", "kb", "--as-of", AS_OF, "--format", "json", "--jobs", "1", "--out", "dist"], twin)
    if run.code != 0:
        return [f"the twin did not build: exit {run.code}: {run.stderr[-300:]}"]
    mine, theirs = _tree(dist), _tree(twin / "dist")
    for tree in (mine, theirs):
        manifest = json.loads(tree.pop("manifest.json"))
        manifest.pop("inputs")
        tree["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    if mine.keys() != theirs.keys():
        return [f"different files: {sorted(mine.keys() ^ theirs.keys())[:5]}"]
    return [f"{name} differs from the twin's" for name in sorted(mine) if mine[name] != theirs[name]]


def _judge(run: Run, case: Case) -> list[str]:
    name = run.command
    failures: list[str] = []
    if run.code is None:
        return [f"{name}: killed after {run.seconds:.0f} s (hang)"]
    if "Traceback" in run.stderr or run.code not in (0, 1):
        return [f"{name}: exit {run.code}: {run.stderr.strip()[-600:]}"]
    expected_code = 1 if case.expect else 0
    if run.code != expected_code:
        failures.append(f"{name}: exit {run.code}, expected {expected_code}: "
                        + "; ".join(d.text() for d in run.errors[:5]))
    for want in case.expect:
        if not any(_matches(d, want) for d in run.errors):
            failures.append(f"{name}: missing {want.text()}; got: " + "; ".join(d.text() for d in run.errors[:5]))
    warnings = [d for d in run.diagnostics if d.severity == "warning"]
    for want in case.warnings:
        if not any(_matches(d, want) for d in warnings):
            failures.append(f"{name}: missing warning {want.text()}; got: " + "; ".join(d.text() for d in warnings[:5]))
    unexpected = [d for d in run.errors if not any(_matches(d, want, located=False) for want in case.expect)]
    if unexpected:
        failures.append(f"{name}: unexpected errors: " + "; ".join(d.text() for d in unexpected[:5]))
    return failures


def _matches(diag: Diag, want: Expect, located: bool = True) -> bool:
    if diag.code != want.code or diag.path != f"kb/{want.path}":
        return False
    return not located or (diag.line, diag.col) == (want.line, want.col) and want.fragment in diag.message
