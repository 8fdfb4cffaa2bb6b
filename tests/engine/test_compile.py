"""The rendering seam: outputs in answer order from any executor, and streamed (a bounded window of tasks)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from engine import compile as compile_module
from engine.compile import in_order, load_channels, plan, render_all
from engine.diagnostics import Report
from tests.kb import AS_OF, sample


def test_in_order_keeps_order_and_never_runs_ahead_of_its_window() -> None:
    submitted = 0
    lock = threading.Lock()

    def items():  # type: ignore[no-untyped-def]
        nonlocal submitted
        for number in range(100):
            with lock:
                submitted += 1
            yield number

    read = 0
    with ThreadPoolExecutor(max_workers=3) as pool:
        for result in in_order(pool, lambda n: n * n, items(), window=5):
            assert result == read * read
            read += 1
            assert submitted - read <= 5  # a slow reader holds at most the window
    assert read == 100


def test_a_reader_that_stops_early_cancels_what_was_queued() -> None:
    started = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = in_order(pool, lambda n: started.append(n) or n, range(1000), window=4)
        assert next(results) == 0
        results.close()
    assert len(started) <= 5


def test_the_process_pool_gives_what_one_process_gives(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(compile_module, "BATCH", 3)  # several batches even for the sample
    kb = sample()
    work = plan(kb, load_channels(tuple(c for c in ("web", "sms", "reference")), Report()), AS_OF)
    alone = list(render_all(kb.answers, work, 1))
    pooled = list(render_all(kb.answers, work, 2))
    assert [o.answer.id for o in pooled] == [a.id for a in kb.answers]
    assert [(o.outputs, o.problems) for o in pooled] == [(o.outputs, o.problems) for o in alone]
