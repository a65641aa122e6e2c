"""File notes for the tab: a framing-only health scan of a local logdir's event files, off the request path.

The scan reads record headers only (`read.eventfiles.problem_of`), never a
value, and runs on a background thread at most once per reload interval; a
request only ever takes the latest finished result. A file whose last record
is incomplete (or which is still empty) but which was written to recently is a
file still being written (its writer has not flushed the whole record yet), so
it is not reported as truncated until it has stayed that way for
`IN_PROGRESS_SECONDS`.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

from ..read.eventfiles import is_event_file, problem_of

# Writers flush at least every 2 minutes (torch, tensorboardX, tf.summary: 120 s);
# a cut-off tail older than this is a truncated file, not one being written.
IN_PROGRESS_SECONDS = 300.0
# `problem_of`'s wording for a file whose tail is not written yet: a cut-short
# last record or header, or nothing at all (a writer that has not flushed).
GROWING_TAIL = ("truncated", "empty")

Problems = Dict[str, List[str]]


def is_local_logdir(logdir: Optional[str]) -> bool:
    """Whether `logdir` is one directory on this machine (not a URL, not a --logdir_spec list)."""
    return bool(logdir) and "://" not in logdir and os.path.isdir(logdir)


class HealthScanner:
    """The latest run → file problems of a local logdir, refreshed in the background when asked for."""

    def __init__(
        self,
        logdir: str,
        interval: float,
        in_progress_seconds: float = IN_PROGRESS_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        self._logdir = logdir
        self._interval = interval
        self._in_progress_seconds = in_progress_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._problems: Problems = {}
        self._version = 0
        self._started_at: Optional[float] = None
        self._thread: Optional[threading.Thread] = None
        # path → ((size, mtime_ns), problem): unchanged files are not read again.
        self._seen: Dict[str, Tuple[Tuple[int, int], str]] = {}

    def problems(self) -> Tuple[int, Problems]:
        """(version, run → problems) of the last finished scan; starts a new scan if the last one is stale.

        The version changes whenever the problems do, so it can key caches.
        """
        self._start_if_due()
        with self._lock:
            return self._version, self._problems

    def wait(self, timeout: float = 60.0) -> None:
        """Block until the scan under way (if any) has finished."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _start_if_due(self) -> None:
        now = self._clock()
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            due = self._started_at is None or now - self._started_at >= self._interval
            if running or not due:
                return
            self._started_at = now
            self._thread = threading.Thread(target=self._scan, name="lossdoc-health-scan", daemon=True)
            self._thread.start()

    def _scan(self) -> None:
        found = self.scan()
        with self._lock:
            if found != self._problems:
                self._problems = found
                self._version += 1

    def scan(self) -> Problems:
        """Run → problems of its event files, now (only runs with a problem appear)."""
        found: Problems = {}
        seen: Dict[str, Tuple[Tuple[int, int], str]] = {}
        now = self._clock()
        for folder, _, files in os.walk(self._logdir):
            run = os.path.relpath(folder, self._logdir).replace(os.sep, "/")
            for name in sorted(files):
                if not is_event_file(name):
                    continue
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue  # removed while we walked
                signature = (stat.st_size, stat.st_mtime_ns)
                previous = self._seen.get(path)
                problem = previous[1] if previous and previous[0] == signature else problem_of(path)
                seen[path] = (signature, problem)
                in_progress = problem.startswith(GROWING_TAIL) and now - stat.st_mtime < self._in_progress_seconds
                if problem and not in_progress:
                    found.setdefault(run, []).append(f"{name}: {problem}")
        self._seen = seen
        return found
