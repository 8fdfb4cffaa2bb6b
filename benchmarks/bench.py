"""Benchmark: `check` over generated knowledge bases of N answers; prints time and peak memory.

    python benchmarks/bench.py --answers 1000 10000

Each measurement runs `build.py check` in a fresh process (so the peak resident memory is that run's own)
over a knowledge base generated deterministically by benchmarks/generate.py.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate  # noqa: E402

MEASURE = """
import resource, sys, time
sys.argv = ["build.py", "check", "--kb", sys.argv[1], "--as-of", "2026-11-23", "--format", "json"]
sys.path.insert(0, {root!r})
import build
start = time.perf_counter()
code = build.main()
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"@@ {{elapsed:.3f}} {{peak:.1f}} {{code}}", file=sys.stderr)
"""


def measure_check(kb: Path) -> tuple[float, float, int]:
    result = subprocess.run([sys.executable, "-c", MEASURE.format(root=str(ROOT)), str(kb)],
                            capture_output=True, text=True, cwd=ROOT)
    line = next(line for line in result.stderr.splitlines() if line.startswith("@@ "))
    seconds, peak, code = line.split()[1:]
    return float(seconds), float(peak), int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time `check` over generated knowledge bases.")
    parser.add_argument("--answers", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    print(f"{'answers':>8} {'generate s':>11} {'check s':>8} {'ms/answer':>10} {'peak MiB':>9} {'exit':>5}")
    for n in args.answers:
        with tempfile.TemporaryDirectory() as tmp:
            kb = Path(tmp) / "knowledge"
            start = time.perf_counter()
            generate(kb, n)
            made = time.perf_counter() - start
            seconds, peak, code = measure_check(kb)
            print(f"{n:>8} {made:>11.2f} {seconds:>8.2f} {seconds / n * 1000:>10.2f} {peak:>9.1f} {code:>5}")


if __name__ == "__main__":
    main()
