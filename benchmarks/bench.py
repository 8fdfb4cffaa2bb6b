"""Benchmark: the engine against MkDocs and Hugo on the same generated answers, at N answers each.

    python benchmarks/bench.py                 # N = 1,000 and 10,000
    python benchmarks/bench.py --answers 100000 --skip check mkdocs

For each N, in one run on this machine, over a knowledge base generated deterministically by
benchmarks/generate.py: a cold full build (every channel, reference site, indexes, consistency gate, empty
cache), a no-op rebuild, a rebuild after editing one answer, a rebuild after changing one shared fact (used by
~1% of the answers), `check` alone; then the same answers as plain Markdown pages built by `mkdocs build`
(theme `mkdocs`, a small explicit nav) and by `hugo` (a minimal layout written here). Each figure is wall
seconds, CPU seconds (the process and its children) and peak memory of the whole process tree (the sum of
each process's proportional set size, so pages a forked worker shares are counted once; sampled every 50 ms),
with the wall-time ratio to MkDocs and to Hugo. Between steps it waits for the build's detached removal of
the old bundle to finish, so no step pays for the previous one. A tool that is not installed is
reported as skipped (MkDocs: `pip install -e '.[bench]'`; Hugo: the Debian package `hugo`).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

AS_OF = "2026-11-23"


@dataclass(frozen=True)
class Run:
    step: str
    seconds: float
    cpu: float
    peak_mib: float
    code: int
    note: str = ""


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                pass
    return pids


def _memory_kib(pid: int) -> int:
    """The process's proportional set size: pages shared with its forked workers (copy-on-write) count once
    across the tree, not once per process as RSS would count them. RSS where the kernel has no PSS."""
    for name, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(name).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1])
        except OSError:
            continue
    return 0


def measure(step: str, argv: list[str], cwd: Path, note: str = "") -> Run:
    """Run one command; wall and CPU seconds, and the peak memory (summed PSS) of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            began = time.perf_counter()
            peak = max(peak, sum(_memory_kib(pid) for pid in _tree(process.pid)))
            # reading smaps_rollup walks the page tables: of processes of several GB that takes tens of ms, so
            # sample less often then, keeping the sampler under a tenth of one core (the build has two)
            time.sleep(max(0.05, 9 * (time.perf_counter() - began)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = err.decode("utf-8", "replace").splitlines()
    explained = [line for line in lines if re.match(r"^\S+/\S+: ", line)]
    if process.returncode != 0:  # a failed step says why at once, not only as its exit code in the table
        said = "\n".join(line for line in lines if line not in explained)
        sys.stderr.write(f"{step}: exit {process.returncode}\n{said[:3000]}\n")
    if explained and not note:
        note = f"{len(explained)} answers re-rendered"
    return Run(step, elapsed, cpu, peak / 1024, process.returncode, note)


# ------------------------------------------------------------------------------------------------ the same pages


def _pages(kb: Path) -> list[tuple[str, str, str]]:
    """(id, question, Markdown body) of every public answer, front matter removed."""
    pages = []
    for path in sorted(kb.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        if "audience: internal" in front:
            continue
        question = re.search(r"^question: (.*)$", front, re.MULTILINE).group(1)  # type: ignore[union-attr]
        pages.append((path.relative_to(kb).with_suffix("").as_posix(), question, body))
    return pages


def write_mkdocs(kb: Path, site: Path) -> None:
    docs = site / "docs"
    topics: dict[str, int] = {}
    for answer_id, question, body in _pages(kb):
        target = docs / f"{answer_id}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# {question}\n\n{body}", encoding="utf-8")
        topics[answer_id.split("/")[0]] = topics.get(answer_id.split("/")[0], 0) + 1
    for topic in topics:
        (docs / topic / "index.md").write_text(f"# {topic}\n", encoding="utf-8")
    (docs / "index.md").write_text("# Help\n", encoding="utf-8")
    nav = "\n".join(f"  - {topic}: {topic}/index.md" for topic in sorted(topics))
    (site / "mkdocs.yml").write_text(f"site_name: Help\ntheme:\n  name: mkdocs\nnav:\n  - Home: index.md\n{nav}\n",
                                     encoding="utf-8")


HUGO_SINGLE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><nav><a href="{{ .Site.BaseURL }}">Help</a></nav><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</body></html>
"""


def write_hugo(kb: Path, site: Path) -> None:
    for answer_id, question, body in _pages(kb):
        target = site / "content" / f"{answer_id}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        title = question.replace('"', '\\"')
        target.write_text(f'---\ntitle: "{title}"\n---\n{body}', encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "Help"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS"]\n', encoding="utf-8")


# ------------------------------------------------------------------------------------------------ the edits


def edit_one_answer(kb: Path, again: bool = False) -> None:
    """The first billing answer's first step gets a word (`again`: another word, in another answer)."""
    path = sorted((kb / "billing").glob("*.md"))[1 if again else 0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n1. ", "\n1. Then, " if again else "\n1. First, ", 1), encoding="utf-8")


def change_one_fact(kb: Path) -> None:
    """group0's phone: group0 is used by ~1% of the answers."""
    facts = kb / "_facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("value: (800) 555-0100", "value: (800) 555-0177", 1), encoding="utf-8")


def engine(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), *args]


def settle(work: Path) -> None:
    """Wait for a build's detached removal of the old bundle (engine/bundle.py) to finish, so that it does not
    run during the next measured step."""
    deadline = time.monotonic() + 900
    while any(p.name.startswith(".dist.old-") for p in work.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)


def bench(n: int, work: Path, skip: set[str]) -> list[Run]:
    kb = work / "knowledge"
    generate(kb, n)
    out, common = work / "dist", ["--kb", str(kb), "--as-of", AS_OF, "--format", "json"]
    build = ["build", *common, "--out", str(out), "--explain"]
    runs = [measure("cold build (all channels + gate)", engine(*build), work),
            measure("no-op rebuild", engine(*build), work)]
    edit_one_answer(kb)
    runs.append(measure("rebuild: first edit after a cold build", engine(*build), work))
    settle(work)
    edit_one_answer(kb, again=True)
    runs.append(measure("rebuild: 1 answer edited", engine(*build), work))
    settle(work)
    change_one_fact(kb)
    runs.append(measure("rebuild: 1 shared fact changed", engine(*build), work))
    settle(work)
    if "dask" not in skip:
        cluster = ["build", *common, "--out", str(work / "dist-dask"), "--no-cache", "--dask", "local"]
        runs.append(measure("cold build on a Dask LocalCluster", engine(*cluster), work))
    if "check" not in skip:
        runs.append(measure("check (render in memory + gate)", engine("check", *common), work))
    runs.append(measure("check --no-render", engine("check", *common, "--no-render"), work))
    mkdocs = None if "mkdocs" in skip else shutil.which("mkdocs") or (str(Path(sys.executable).parent / "mkdocs")
                                        if (Path(sys.executable).parent / "mkdocs").exists() else None)
    if "mkdocs" in skip:
        pass
    elif mkdocs:
        write_mkdocs(kb, work / "mkdocs")
        runs.append(measure("mkdocs build (plain theme)", [mkdocs, "build", "-q"], work / "mkdocs"))
    else:
        runs.append(Run("mkdocs build (plain theme)", 0, 0, 0, -1, "skipped: pip install -e '.[bench]'"))
    if "hugo" in skip:
        pass
    elif shutil.which("hugo"):
        write_hugo(kb, work / "hugo")
        runs.append(measure("hugo", ["hugo", "--quiet"], work / "hugo"))
    else:
        runs.append(Run("hugo", 0, 0, 0, -1, "skipped: apt-get install hugo"))
    return runs


def table(n: int, runs: list[Run]) -> str:
    by = {run.step.split()[0]: run for run in runs}
    mk, hu = by.get("mkdocs"), by.get("hugo")
    lines = [f"| answers | step | wall s | CPU s | peak MiB | × MkDocs | × Hugo | exit | note |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for run in runs:
        ratio = [f"{run.seconds / ref.seconds:.2f}" if ref and ref.code == 0 and ref.seconds else "–" for ref in (mk, hu)]
        lines.append(f"| {n:,} | {run.step} | {run.seconds:.2f} | {run.cpu:.2f} | {run.peak_mib:.0f} | {ratio[0]} | "
                     f"{ratio[1]} | {run.code} | {run.note} |")
    return "\n".join(lines)


# (measure, answers, step, how the figure is read, the figure before the storage redesign, the target)
TARGETS = (
    ("cold, every channel + gate, vs MkDocs (web only)", 10_000, "cold", "ratio", "6.5-7.3x", 1.0),
    ("one edited answer", 10_000, "rebuild: 1 answer", "seconds", "27.6 s", 0.5),
    ("one shared fact used by ~1% of the answers", 10_000, "rebuild: 1 shared", "seconds", "31.7 s", 1.5),
    ("no-op", 10_000, "no-op", "seconds", "0.23 s", 0.2),
    ("no-op", 100_000, "no-op", "seconds", "1.48 s", 1.0),
    ("cold, peak memory (summed PSS, MiB)", 100_000, "cold", "peak", "7,329 MiB", 2048),
    ("one edited answer", 100_000, "rebuild: 1 answer", "seconds", "308 s", 2.0),
)


def targets(measured: dict[int, list[Run]]) -> str:
    """Issue 15's targets, each with this run's figure where it measured it."""
    lines = ["| measure | answers | before | now | target | met |", "| --- | ---: | ---: | ---: | ---: | --- |"]
    for what, n, step, kind, before, target in TARGETS:
        runs = measured.get(n, [])
        run = next((r for r in runs if r.step.startswith(step) and r.code == 0), None)
        mkdocs = next((r for r in runs if r.step.startswith("mkdocs") and r.code == 0), None)
        if run is None or (kind == "ratio" and mkdocs is None):
            lines.append(f"| {what} | {n:,} | {before} | not measured | {target} | – |")
            continue
        value = run.seconds / mkdocs.seconds if kind == "ratio" and mkdocs else run.peak_mib if kind == "peak" else run.seconds
        shown = f"{value:.2f}x" if kind == "ratio" else f"{value:,.0f} MiB" if kind == "peak" else f"{value:.2f} s"
        lines.append(f"| {what} | {n:,} | {before} | {shown} | {target} | {'yes' if value <= target else 'no'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    parser.add_argument("--skip", nargs="+", default=[], choices=["check", "mkdocs", "hugo", "dask"],
                        help="leave these steps out (at 100,000 answers `check` alone renders everything again)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; wall-time ratios are this step's seconds over MkDocs' (Hugo's) in the same run",
          flush=True)
    measured: dict[int, list[Run]] = {}
    for n in args.answers:
        if args.keep:
            work = args.keep / str(n)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            measured[n] = bench(n, work, set(args.skip))
        else:
            with tempfile.TemporaryDirectory() as tmp:
                measured[n] = bench(n, Path(tmp), set(args.skip))
        print(table(n, measured[n]), flush=True)
    print(targets(measured), flush=True)


if __name__ == "__main__":
    main()
