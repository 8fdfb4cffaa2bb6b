"""A one-line progress display on a terminal (`rendering 120/10000`), for `check` and `build`.

Silent when standard error is not a terminal, under CI, or for small jobs that finish before anyone looks.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

MIN_TOTAL = 200  # fewer items than this finish too fast to need a display
INTERVAL = 0.1  # seconds between redraws


class Progress:
    """`step(done)` after each item; the last step ends the line."""

    def __init__(self, total: int, label: str = "rendering", stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) and not os.environ.get("CI") and total >= MIN_TOTAL
        self.last = 0.0
        self.shown = False

    def step(self, done: int) -> None:
        now = time.monotonic()
        if self.enabled and (now - self.last > INTERVAL or done == self.total):
            self.last = now
            self.shown = done < self.total
            print(f"\r{self.label} {done}/{self.total}", end="" if done < self.total else "\n", file=self.stream,
                  flush=True)

    def close(self) -> None:
        """End a line left open (a run stopped before its last step), so that what follows starts clean."""
        if self.shown:
            print(file=self.stream, flush=True)
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream is no terminal
        return False
