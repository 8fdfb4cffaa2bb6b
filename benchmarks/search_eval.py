"""Evaluate reference-site search engines in headless Chromium: quality on the evaluation set, latency, bytes.

    python benchmarks/search_eval.py                       # sample knowledge base, every engine, both sets
    python benchmarks/search_eval.py --engines own         # only the shipped engine
    python benchmarks/search_eval.py --answers 10000       # a generated knowledge base: latency and weight

Engines: `own` (the shipped index, renderers/reference_search.py + assets/search.js, driven through the real
search box) and `pagefind` (the `pagefind[bin]` PyPI package run over the built reference site, driven through
its JS API). With the sample knowledge base it prints right-first (recall@1), top-5 (recall@5), MRR and
latency for each evaluation set: benchmarks/search_queries.yaml (what a CSR types: shorthand, typos, numbers)
and benchmarks/search_queries_callers.yaml (what callers say on the phone, written apart from the answers'
words), and two sets never tuned against (search_queries_holdout.yaml, search_queries_fresh.yaml); with
`--answers N` the queries are words of generated questions (with a typo in one word). Every query runs on a freshly loaded page (a CSR's first search), so the bytes per query are
cold-cache figures; latency is from the input event to the results shown (own) or to the first five results'
data (pagefind). Needs Python playwright and /usr/bin/chromium; never downloads a browser.
"""
from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402
from engine.diagnostics import Report  # noqa: E402
from engine.publish import build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
QUERIES = ROOT / "benchmarks" / "search_queries.yaml"
CALLERS = ROOT / "benchmarks" / "search_queries_callers.yaml"
HOLDOUT = ROOT / "benchmarks" / "search_queries_holdout.yaml"  # never tuned against: see its header
FRESH = ROOT / "benchmarks" / "search_queries_fresh.yaml"  # written before issue 16's second pass, never tuned on
SETS = {"csr": QUERIES, "callers": CALLERS, "holdout": HOLDOUT, "fresh": FRESH}
TARGETS = {"recall@1": 0.90, "recall@5": 0.98, "mrr": 0.90, "p95 ms": 100.0, "initial KB": 300.0,
           "per query KB": 200.0}
AS_OF = date(2026, 11, 23)


@dataclass
class Query:
    text: str
    expect: str
    kind: str = ""


@dataclass
class Outcome:
    found: list[str]
    ms: float
    bytes: int


@dataclass
class Figures:
    engine: str
    initial_bytes: list[int] = field(default_factory=list)
    outcomes: list[tuple[Query, Outcome]] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ serving


class QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real static server does

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # every fresh page fetches its files again: cold figures
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve_forever(server: ThreadingHTTPServer) -> None:
    server.serve_forever()


def serve(folder: Path) -> tuple[multiprocessing.Process, str]:
    """A static server in its own process, so the browser driver never slows its answers down (the GIL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    process = multiprocessing.get_context("fork").Process(target=_serve_forever, args=(server,), daemon=True)
    process.start()
    server.server_close()
    return process, f"http://127.0.0.1:{server.server_address[1]}"


def build_site(kb: Path, out: Path) -> None:
    report = Report()
    result = build(kb, out, report, as_of=AS_OF, only=("reference",))
    if report.has_errors():
        raise SystemExit("\n".join(d.text() for d in report.errors[:20]))
    del result


# ------------------------------------------------------------------------------------------------ engines


class ByteCounter:
    """Bytes of every response body the page receives (headers excluded), since the last reset."""

    def __init__(self, page: Any) -> None:
        self.total = 0
        page.on("requestfinished", self._finished)

    def _finished(self, request: Any) -> None:
        try:
            self.total += request.sizes()["responseBodySize"]
        except Exception:  # noqa: BLE001 - the page closed before the sizes arrived: counted in no query
            pass

    def take(self) -> int:
        value, self.total = self.total, 0
        return value


def answer_id(url: str) -> str:
    match = re.search(r"/reference/(.+?)/(?:index\.html)?(?:[?#].*)?$", url)
    return match.group(1) if match else url


def run_own(context: Any, base: str, query: str) -> tuple[int, Outcome]:
    page = context.new_page()
    counter = ByteCounter(page)
    page.goto(f"{base}/reference/index.html")
    page.wait_for_selector("#search-results[data-ready]", state="attached")
    page.wait_for_load_state("networkidle")
    initial = counter.take()
    page.fill("#search-q", query)
    page.wait_for_function("q => document.getElementById('search-results').dataset.query === q", arg=query)
    found = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")
    ms = float(page.get_attribute("#search-results", "data-ms") or 0)
    page.wait_for_load_state("networkidle")
    outcome = Outcome([answer_id(u) for u in found], ms, counter.take())
    page.close()
    return initial, outcome


def run_typing(context: Any, base: str, query: str) -> tuple[int, Outcome]:
    """The shipped engine as a CSR types: one key at a time on a fresh page, the results of every keystroke
    waited for; `ms` is the slowest keystroke's latency (each keystroke's is in `keystrokes`)."""
    page = context.new_page()
    counter = ByteCounter(page)
    page.goto(f"{base}/reference/index.html")
    page.wait_for_selector("#search-results[data-ready]", state="attached")
    page.wait_for_load_state("networkidle")
    initial = counter.take()
    page.focus("#search-q")
    typed = ""
    latencies: list[float] = []
    for key in query:
        typed += key
        page.keyboard.type(key)
        page.wait_for_function("q => document.getElementById('search-results').dataset.query === q.trim()", arg=typed)
        ms = float(page.get_attribute("#search-results", "data-ms") or 0)
        if key != " " and ms > 0:  # a space changes nothing; one letter or only stop words clear the results
            latencies.append(ms)
    found = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.href)")
    page.wait_for_load_state("networkidle")
    KEYSTROKES.extend(latencies)
    outcome = Outcome([answer_id(u) for u in found], max(latencies, default=0.0), counter.take())
    page.close()
    return initial, outcome


KEYSTROKES: list[float] = []

PAGEFIND_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>pagefind eval</title></head>
<body><script type="module">
const pagefind = await import("./_pagefind/pagefind.js");
await pagefind.init();
await pagefind.preload("a");
window.pagefind = pagefind;
document.body.dataset.ready = "1";
</script></body></html>
"""

PAGEFIND_SEARCH = """async q => {
  const started = performance.now();
  const search = await window.pagefind.search(q);
  const data = await Promise.all(search.results.slice(0, 5).map(r => r.data()));
  return {ms: performance.now() - started, urls: data.map(d => d.url)};
}"""


def index_pagefind(site: Path) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "_pagefind",
               "--glob", "*/*/index.html", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"pagefind failed: {result.stderr[-2000:]}")
    (site / "_pagefind_eval.html").write_text(PAGEFIND_PAGE, encoding="utf-8")


def run_pagefind(context: Any, base: str, query: str) -> tuple[int, Outcome]:
    page = context.new_page()
    counter = ByteCounter(page)
    page.goto(f"{base}/reference/_pagefind_eval.html")
    page.wait_for_selector("body[data-ready]", state="attached")
    page.wait_for_load_state("networkidle")
    initial = counter.take()
    result = page.evaluate(PAGEFIND_SEARCH, query)
    page.wait_for_load_state("networkidle")
    outcome = Outcome([answer_id(base + u) for u in result["urls"]], float(result["ms"]),
                      counter.take())
    page.close()
    return initial, outcome


ENGINES: dict[str, Callable[[Any, str, str], tuple[int, Outcome]]] = {
    "own": run_own, "typing": run_typing, "pagefind": run_pagefind}


# ------------------------------------------------------------------------------------------------ queries


def load_queries(path: Path) -> list[Query]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return [Query(item["q"], item["expect"], item.get("kind", "")) for item in data["queries"]]


def typo(word: str, rng: random.Random) -> str:
    """One slip a typist makes: a letter dropped, doubled or two swapped (never the first two letters)."""
    if len(word) < 5:
        return word
    at = rng.randrange(2, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:at] + word[at + 1:]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2:]


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def generated_queries(out: Path, count: int, seed: int = 11) -> list[Query]:
    """The words of random generated questions (with a typo in one) and the number that tells the generated
    answers apart: generated questions share a small vocabulary, so words alone name hundreds of answers."""
    manifest = _manifest(out)
    rng = random.Random(seed)
    queries: list[Query] = []
    for answer in rng.sample(sorted(manifest["answers"]), count):
        page = (out / manifest["answers"][answer]["channels"]["reference"]["path"]).read_text(encoding="utf-8")
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        text = title.group(1) if title else ""
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", text) if len(w) > 3]
        if not words:
            continue
        at = rng.randrange(len(words))
        words[at] = typo(words[at], rng)
        queries.append(Query(" ".join(words + re.findall(r"\d+", text)), answer, "generated"))
    return queries


# ------------------------------------------------------------------------------------------------ report


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


def summarise(figures: Figures) -> dict[str, float]:
    ranks = [o.found.index(q.expect) + 1 if q.expect in o.found else 0 for q, o in figures.outcomes]
    n = len(ranks) or 1
    ms = [o.ms for _, o in figures.outcomes]
    per_query = [o.bytes for _, o in figures.outcomes]
    return {
        "queries": len(ranks),
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@5": sum(1 for r in ranks if 1 <= r <= 5) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "p50 ms": statistics.median(ms) if ms else 0.0,
        "p95 ms": percentile(ms, 0.95),
        "initial KB": max(figures.initial_bytes, default=0) / 1024,
        "per query KB": statistics.mean(per_query) / 1024 if per_query else 0.0,
        "max per query KB": max(per_query, default=0) / 1024,
    }


def print_table(rows: list[tuple[str, dict[str, float]]]) -> None:
    columns = ["queries", "recall@1", "recall@5", "mrr", "p50 ms", "p95 ms", "initial KB", "per query KB",
               "max per query KB"]
    print(f"{'engine':<10}" + "".join(f"{c:>17}" for c in columns))
    for engine, summary in rows:
        print(f"{engine:<10}" + "".join(f"{summary[c]:>17.3f}" if isinstance(summary[c], float)
                                        else f"{summary[c]:>17}" for c in columns))
    print("targets:   " + ", ".join(f"{k} {'>=' if k in ('recall@1', 'recall@5', 'mrr') else '<'} {v}"
                                    for k, v in TARGETS.items()))


def print_misses(figures: Figures) -> None:
    for query, outcome in figures.outcomes:
        if not outcome.found or outcome.found[0] != query.expect:
            got = ", ".join(outcome.found[:3]) or "nothing"
            print(f"  {figures.engine}: miss@1 [{query.kind}] {query.text!r}: want {query.expect}, got {got}")


# ------------------------------------------------------------------------------------------------ main


@functools.cache
def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("needs Python playwright: pip install playwright (never `playwright install`)") from None
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs Chromium at {CHROMIUM} (Debian package `chromium`)")
    return sync_playwright


def evaluate(out: Path, engines: list[str], queries: list[Query], verbose: bool) -> None:
    server, base = serve(out)
    rows: list[tuple[str, dict[str, float]]] = []
    try:
        with _playwright()() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            for engine in engines:
                figures = Figures(engine)
                context = browser.new_context()
                for query in queries:
                    initial, outcome = ENGINES[engine](context, base, query.text)
                    figures.initial_bytes.append(initial)
                    figures.outcomes.append((query, outcome))
                context.close()
                rows.append((engine, summarise(figures)))
                if verbose:
                    print_misses(figures)
            browser.close()
    finally:
        server.terminate()
        server.join()
    print_table(rows)
    if KEYSTROKES:
        print(f"typing: {len(KEYSTROKES)} keystrokes, latency p50 {statistics.median(KEYSTROKES):.1f} ms, "
              f"p95 {percentile(KEYSTROKES, 0.95):.1f} ms, max {max(KEYSTROKES):.1f} ms")


def prepared(answers: int, tmp: Path) -> Iterator[Path]:
    kb = ROOT / "knowledge"
    if answers:
        kb = tmp / "knowledge"
        started = time.perf_counter()
        generate(kb, answers)
        print(f"generated {answers} answers in {time.perf_counter() - started:.1f} s", flush=True)
    out = tmp / "dist"
    started = time.perf_counter()
    build_site(kb, out)
    print(f"built the reference site in {time.perf_counter() - started:.1f} s", flush=True)
    yield out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=0, help="generate a knowledge base of N answers")
    parser.add_argument("--engines", default="own,typing,pagefind",
                        help="comma-separated: own (whole query at once), typing (own, key by key), pagefind")
    parser.add_argument("--dist", type=Path, help="evaluate this built bundle instead of building one")
    parser.add_argument("--queries", type=int, default=100, help="with --answers: how many generated queries")
    parser.add_argument("--verbose", action="store_true", help="list every query whose answer is not first")
    parser.add_argument("--sets", default="csr,callers,holdout,fresh", help=f"comma-separated evaluation sets: {', '.join(SETS)}")
    args = parser.parse_args()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in engines if e not in ENGINES]
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(unknown)} (known: {', '.join(ENGINES)})")
    _playwright()
    with tempfile.TemporaryDirectory() as folder:
        built = [args.dist] if args.dist else prepared(args.answers, Path(folder))
        for out in built:
            if "pagefind" in engines:
                started = time.perf_counter()
                index_pagefind(out / "reference")
                print(f"pagefind indexed in {time.perf_counter() - started:.1f} s", flush=True)
            generated = args.answers or (args.dist and len(_manifest(out)["answers"]) > 500)
            if generated:
                evaluate(out, engines, generated_queries(out, args.queries), args.verbose)
                continue
            for name in args.sets.split(","):
                print(f"\nset {name}: {SETS[name].relative_to(ROOT)}", flush=True)
                evaluate(out, engines, load_queries(SETS[name]), args.verbose)
    shutil.rmtree(Path(folder), ignore_errors=True)


if __name__ == "__main__":
    main()
