"""Measure the engine on the real corpora (help-center text written by others) at default settings.

For each corpus under `tests/fixtures/corpus_*` (or the folders named on the command line) this builds the
knowledge base with `build --keep-going` into a temporary folder, then prints: answers, the share that
publishes on every customer channel with no error, the IVR median and maximum in seconds, the longest web
path the IVR speaks (in path segments), and the warnings and errors by code. `tests/test_corpora.py` asserts
the issue's thresholds on the same figures.

    python benchmarks/corpus.py [--json] [KB ...]
"""
from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import channels as channel_registry  # noqa: E402
from engine.compile import load_channels, plan, render_answer  # noqa: E402
from engine.diagnostics import Report  # noqa: E402
from engine.knowledge import load  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
AS_OF = date(2026, 12, 5)  # the day the corpora were assembled: their `reviewed` date
ALIAS = re.compile(r'<sub alias="([^"]*)"')
TAG = re.compile(r"<[^>]+>")
SPOKEN_URL = re.compile(r"\b(?:[a-z0-9-]+\.)+[a-z]{2,}(/[^\s<>\"']*)", re.IGNORECASE)


@dataclass
class Figures:
    """What one corpus measures; `published` counts answers out on every customer channel with no error."""

    corpus: str
    answers: int
    published: int
    held_back: dict[str, str]
    ivr_seconds: dict[str, float]
    ivr_longest_path: int
    ivr_longest_path_answer: str
    warnings: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_lines: list[str] = field(default_factory=list)

    @property
    def published_share(self) -> float:
        return self.published / self.answers if self.answers else 0.0

    @property
    def ivr_median(self) -> float:
        return statistics.median(self.ivr_seconds.values()) if self.ivr_seconds else 0.0

    @property
    def ivr_max(self) -> float:
        return max(self.ivr_seconds.values(), default=0.0)


def corpora() -> list[Path]:
    """Every real corpus among the test fixtures."""
    return sorted(path for path in FIXTURES.glob("corpus_*") if path.is_dir())


def spoken_path_segments(ssml: str) -> int:
    """The most path segments any web address in this SSML is spoken with (0: site only)."""
    most = 0
    for alias in ALIAS.findall(ssml):
        words = html.unescape(alias).split()
        if "dot" not in words:
            continue
        segments = " ".join(words).split(" slash ")[1:]
        most = max(most, len([s for s in segments if s.strip()]))
    text = TAG.sub(" ", ALIAS.sub(" ", ssml))
    for match in SPOKEN_URL.finditer(html.unescape(text)):
        most = max(most, len([s for s in match.group(1).split("/") if s]))
    return most


def _build(kb: Path, out: Path) -> list[dict[str, object]]:
    """`build --keep-going` at default settings; returns its diagnostics."""
    command = [sys.executable, str(ROOT / "build.py"), "build", "--kb", str(kb), "--out", str(out), "--keep-going",
               "--no-cache", "--format", "json", "--as-of", AS_OF.isoformat(), "--jobs", "1"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"build of {kb} failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout or "[]")


def _ivr(kb: Path) -> tuple[dict[str, float], int, str]:
    """IVR seconds of every answer that loads (published or not) and the longest spoken path."""
    report = Report()
    names = channel_registry.names()
    loaded_kb = load(kb, report, as_of=AS_OF, channels=names)
    loaded = load_channels(names, report, settings=loaded_kb.settings)
    work = plan(loaded_kb, loaded, AS_OF)
    seconds: dict[str, float] = {}
    longest, longest_answer = 0, ""
    for answer in loaded_kb.answers:
        outputs = dict(render_answer(answer, work).outputs)
        ivr = outputs.get("ivr")
        if ivr is None:
            continue
        seconds[answer.id] = float(ivr.metrics.get("seconds", 0.0))  # type: ignore[arg-type]
        segments = spoken_path_segments(ivr.files[ivr.primary].decode("utf-8"))
        if segments > longest:
            longest, longest_answer = segments, answer.id
    return seconds, longest, longest_answer


def measure(kb: Path) -> Figures:
    """Build one corpus at default settings and measure it."""
    with tempfile.TemporaryDirectory(prefix="corpus-") as folder:
        out = Path(folder) / "dist"
        diagnostics = _build(kb, out)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8")) if (out / "manifest.json").exists() else {}
    customer = {c.name for c in load_channels(channel_registry.names(), Report())  # opt-in ones (social) aside
                if not c.internal and not channel_registry.spec(c.name).opt_in}
    answers = manifest.get("answers", {})
    held = {answer_id: str(why) for answer_id, why in manifest.get("held_back", {}).items()}
    published = sum(1 for entry in answers.values() if customer <= set(entry.get("channels", {})))
    total = len(list(kb.rglob("*.md")))
    warnings = Counter(str(d["code"]) for d in diagnostics if d.get("severity") == "warning")
    errors = Counter(str(d["code"]) for d in diagnostics if d.get("severity") == "error")
    error_lines = [f"{Path(str(d['path'])).relative_to(kb) if str(d['path']).startswith(str(kb)) else d['path']}"
                   f":{d['line']}: {d['code']}: {d['message']}" for d in diagnostics if d.get("severity") == "error"]
    seconds, longest, longest_answer = _ivr(kb)
    return Figures(kb.name, total, published, held, seconds, longest, longest_answer, dict(sorted(warnings.items())),
                   dict(sorted(errors.items())), error_lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{code} {n}" for code, n in counts.items()) or "none"


def text(figures: Figures) -> str:
    """The figures of one corpus as the lines this script prints."""
    lines = [
        f"## {figures.corpus}",
        f"answers: {figures.answers}",
        f"published on every customer channel with no error: {figures.published} "
        f"({figures.published_share:.1%}); held back: {len(figures.held_back)}",
        f"IVR seconds: median {figures.ivr_median:.1f}, max {figures.ivr_max:.1f} "
        f"(over {len(figures.ivr_seconds)} answers that load)",
        f"longest web path spoken by the IVR: {figures.ivr_longest_path} segment(s)"
        + (f" ({figures.ivr_longest_path_answer})" if figures.ivr_longest_path_answer else ""),
        f"warnings by code: {_counts(figures.warnings)}",
        f"errors by code: {_counts(figures.errors)}",
    ]
    lines += [f"  error: {line}" for line in figures.error_lines]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kb", nargs="*", type=Path, help="corpus folders (default: tests/fixtures/corpus_*)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    results = [measure(path.resolve()) for path in (args.kb or corpora())]
    if args.json:
        print(json.dumps([asdict(r) | {"published_share": r.published_share, "ivr_median": r.ivr_median,
                                        "ivr_max": r.ivr_max} for r in results], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(text(r) for r in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
