"""Render time of the print channel: per answer handout and per topic handout (not a timed test).

    .venv/bin/python benchmarks/print_render.py                  # the sample knowledge base
    .venv/bin/python benchmarks/print_render.py --answers 1000   # a generated one (benchmarks/generate.py)
    .venv/bin/python benchmarks/print_render.py --pdf 5          # also Chromium's page.pdf() of 5 handouts

Times `renderers.print.render` on every public answer (views made once, as the engine makes them), then
`render_index` (every topic handout), and prints the median, p95 and total. `--pdf N` measures printing N
handouts to PDF in /usr/bin/chromium through playwright, for scale (the build does not print).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import channels  # noqa: E402
from renderers import AnswerRef, IndexEntry  # noqa: E402
from renderers import print as handout  # noqa: E402
from tests.kb import SAMPLE, load_kb, site_of, views_of  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=0, help="generate a knowledge base of N answers")
    parser.add_argument("--rounds", type=int, default=5, help="renders of each answer (the best round is kept)")
    parser.add_argument("--pdf", type=int, default=0, help="also print N handouts to PDF in Chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        kb_root = SAMPLE
        if args.answers:
            from benchmarks.generate import generate
            kb_root = Path(scratch) / "kb"
            generate(kb_root, args.answers)
        kb = load_kb(kb_root)
        site = site_of(kb)
        config = handout.Config.model_validate(channels.raw("print"))
        views = views_of(kb, "print")
        best: dict[str, float] = {}
        sizes: list[int] = []
        for _ in range(args.rounds):
            for view in views:
                start = time.perf_counter()
                out = handout.render(view, config, site)
                took = time.perf_counter() - start
                best[view.id] = min(best.get(view.id, took), took)
            sizes = [len(handout.render(v, config, site).files[f"{v.id}.html"]) for v in views]
        times = [t * 1000 for t in best.values()]
        entries = [IndexEntry(AnswerRef(v.id, v.answer.question, v.answer.topic, v.answer.hash), f"{v.id}.html",
                              handout.index_entry(v, config, site)) for v in views]
        start = time.perf_counter()
        files = handout.render_index(entries, config, site)
        index_ms = (time.perf_counter() - start) * 1000
        print(f"{len(views)} answer handouts: median {statistics.median(times):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
              f"total {sum(times):.0f} ms; median size {statistics.median(sizes) / 1024:.1f} KiB")
        print(f"{len(files) - 1} topic handouts + index: {index_ms:.1f} ms in all")
        if args.pdf:
            from playwright.sync_api import sync_playwright
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page()
                took_pdf = []
                for view in views[:args.pdf]:
                    html = handout.render(view, config, site).files[f"{view.id}.html"].decode("utf-8")
                    start = time.perf_counter()
                    page.set_content(html)
                    page.pdf(prefer_css_page_size=True)
                    took_pdf.append((time.perf_counter() - start) * 1000)
                browser.close()
            print(f"Chromium page.pdf() of {len(took_pdf)} handouts: median {statistics.median(took_pdf):.0f} ms")


if __name__ == "__main__":
    main()
