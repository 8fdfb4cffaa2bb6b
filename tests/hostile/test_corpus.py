"""Every hostile or broken input gives its located diagnostics and exit 1 with nothing published, or, when it is
legitimate, a correct build: never a traceback, never a hang. `python -m tests.hostile.table` prints the table."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.cases import CASES, Case
from tests.hostile.runner import run_case, warm_up


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    warm_up(tmp_path_factory.mktemp("warm"))


def test_the_corpus_covers_every_class_the_issue_lists() -> None:
    kinds = {case.kind for case in CASES}
    assert len(CASES) >= 40 and len({case.name for case in CASES}) == len(CASES)
    assert len(kinds) >= 20, sorted(kinds)
    assert any(case.legitimate for case in CASES) and any(not case.legitimate for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path)
    assert outcome.ok, "\n".join(outcome.failures)
