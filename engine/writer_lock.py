"""One writer per output folder: an advisory lock that build, rollback and prune hold while they change it.

The lock is `fcntl.flock` on `.<out>.lock` beside the output folder (the folder itself is swapped whole, so
it cannot carry its own lock). The kernel drops it when the holder exits, however it exits, so a killed build
never leaves a stale lock. Two builds into one folder therefore run one after the other: the second reads
the bundle the first published, never a folder the first is still swapping.
"""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Callable

POLL_SECONDS = 0.1


class Busy(Exception):
    """Another process writes the folder and the caller would not wait."""


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it (`pid N`), or "another process"."""
    try:
        with open(path, "rb") as file:
            text = file.read(64).decode("ascii", "replace").strip()
    except OSError:
        return "another process"
    return f"pid {text}" if text.isdigit() else "another process"


class WriterLock:
    """`with WriterLock(out, wait=True, waiting=print):` holds the lock of `out` for the block. Without `wait`,
    a held lock raises Busy; with it, `waiting` is told once who holds it and the lock is taken when free."""

    def __init__(self, out: Path, *, wait: bool = True, waiting: Callable[[str], None] | None = None) -> None:
        self.path = lock_path(out)
        self.wait = wait
        self.waiting = waiting
        self.fd: int | None = None

    def __enter__(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            told = False
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not self.wait:
                        raise Busy(f"{holder(self.path)} is writing {self.path.parent} (lock {self.path})") from None
                    if not told and self.waiting is not None:
                        self.waiting(f"waiting for {holder(self.path)}, which is writing the same output folder "
                                     f"(lock {self.path})")
                        told = True
                    time.sleep(POLL_SECONDS)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = None
