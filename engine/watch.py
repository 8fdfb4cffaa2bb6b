"""`serve --watch`: wait for saves under the knowledge base (watchfiles: inotify, FSEvents or polling) and call
back with what changed, a batch per save; editors' swap and backup files are not changes."""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

STEP_MS = 50  # a save is over when nothing else changed for this long
DEBOUNCE_MS = 1600  # the longest a burst of changes is gathered before a rebuild starts anyway
READY_MS = 200  # how soon an idle watcher reports that it is on


def is_noise(path: str) -> bool:
    """Files editors and tools write beside the real ones; nothing the build reads (it skips dot files)."""
    name = Path(path).name
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")) or name.isdigit()  # vim's 4913


def watch(kb: Path, changed: Callable[[list[str]], None], stop: threading.Event | None = None,
          ready: Callable[[], None] | None = None) -> None:
    """Call `changed(paths)` after each save under `kb` until `stop` is set; Ctrl-C raises KeyboardInterrupt.
    `ready` is called once the watcher is in place: a save from then on is seen, even one made while `ready`
    runs (it is reported after)."""
    from watchfiles import DefaultFilter, watch as changes

    def wanted(change: object, path: str) -> bool:
        return base(change, path) and not is_noise(path)  # type: ignore[arg-type]

    base = DefaultFilter()
    for batch in changes(kb, watch_filter=wanted, step=STEP_MS, debounce=DEBOUNCE_MS, stop_event=stop,
                         raise_interrupt=True, ignore_permission_denied=True, yield_on_timeout=True,
                         rust_timeout=READY_MS):
        if ready is not None:  # the first yield, a timeout with nothing changed or a change: the watcher is on
            ready()
            ready = None
        paths = sorted({path for _, path in batch})
        if paths:
            changed(paths)
