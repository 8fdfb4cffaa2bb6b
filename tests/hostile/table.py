"""`python -m tests.hostile.table [NAME...]`: run the corpus and print case → outcome → diagnostic, one row each.

Exit 1 when any case did not behave as the corpus says; the failures are printed under the table."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.hostile.cases import CASES  # noqa: E402
from tests.hostile.runner import Outcome, run_case, warm_up  # noqa: E402


def row(outcome: Outcome) -> str:
    case, check = outcome.case, outcome.check
    if check.code is None:
        result = "HANG"
    elif case.legitimate:
        result = "built" if outcome.build.code == 0 else f"exit {outcome.build.code}"
    else:
        result = f"refused ({check.code})"
    first = check.errors[0] if check.errors else None
    said = f"{first.path.removeprefix('kb/')}:{first.line}:{first.col} {first.code}: {first.message}" if first else "-"
    mark = "ok  " if outcome.ok else "FAIL"
    seconds = max(check.seconds, outcome.build.seconds)
    return f"| {mark} | {case.kind} | {case.name} | {result} | {seconds:.1f} s | {said[:150]} |"


def main(names: list[str]) -> int:
    chosen = [c for c in CASES if not names or c.name in names]
    with tempfile.TemporaryDirectory() as tmp:
        warm_up(Path(tmp))
    print("| | class | case | outcome | slowest | first diagnostic (check) |")
    print("| --- | --- | --- | --- | --- | --- |")
    failed: list[Outcome] = []
    for case in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run_case(case, Path(tmp))
        print(row(outcome).replace("\n", " "), flush=True)
        if not outcome.ok:
            failed.append(outcome)
    print(f"\n{len(chosen)} cases, {len(chosen) - len(failed)} as specified, {len(failed)} not")
    for outcome in failed:
        print(f"\n{outcome.case.name}:")
        for failure in outcome.failures:
            print("  " + failure[:1500])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
