"""Benchmark: `check --no-render` (load and validate), `check` (plus rendering every channel in memory and
the consistency gate) and `build` over generated knowledge bases of N answers; prints time and peak memory.

    python benchmarks/bench.py --answers 1000 10000

Each measurement runs build.py in a fresh process (so the peak resident memory is that run's own, workers
included) over a knowledge base generated deterministically by benchmarks/generate.py.
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
sys.argv = ["build.py", *sys.argv[1:]]
sys.path.insert(0, {root!r})
import build
start = time.perf_counter()
code = build.main()
elapsed = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(f"@@ {{elapsed:.3f}} {{peak / 1024:.1f}} {{code}}", file=sys.stderr)
"""


def measure(*args: str) -> tuple[float, float, int]:
    """Seconds, peak MiB (the largest single process) and exit code of one build.py run."""
    result = subprocess.run([sys.executable, "-c", MEASURE.format(root=str(ROOT)), *args],
                            capture_output=True, text=True, cwd=ROOT)
    line = next((line for line in result.stderr.splitlines() if line.startswith("@@ ")), None)
    if line is None:
        raise SystemExit(f"build.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    seconds, peak, code = line.split()[1:]
    return float(seconds), float(peak), int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time `check` over generated knowledge bases.")
    parser.add_argument("--answers", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    print(f"{'answers':>8} {'step':<22} {'seconds':>8} {'ms/answer':>10} {'peak MiB':>9} {'exit':>5}")
    for n in args.answers:
        with tempfile.TemporaryDirectory() as tmp:
            kb = Path(tmp) / "knowledge"
            start = time.perf_counter()
            generate(kb, n)
            made = time.perf_counter() - start
            print(f"{n:>8} {'generate':<22} {made:>8.2f} {made / n * 1000:>10.2f} {'':>9} {'':>5}", flush=True)
            common = ("--kb", str(kb), "--as-of", "2026-11-23", "--format", "json")
            for step, argv in (("check --no-render", ("check", *common, "--no-render")),
                               ("check (render + gate)", ("check", *common)),
                               ("build (all channels)", ("build", *common, "--out", str(Path(tmp) / "dist")))):
                seconds, peak, code = measure(*argv)
                print(f"{n:>8} {step:<22} {seconds:>8.2f} {seconds / n * 1000:>10.2f} {peak:>9.1f} {code:>5}",
                      flush=True)


if __name__ == "__main__":
    main()
