"""What the tab's routes keep per experiment between requests, each part built once however many requests wait.

- The listing (TensorBoard's run and series listing) is taken at most once per
  `listing_age` seconds: requests in between reuse it. Its run list is taken
  again only when a run gained or lost scalars, or after `RUNS_AGE` seconds (a
  run that holds no scalars at all shows up within that time).
- Everything built from a listing (documents, rendered bodies) is kept under a
  `state` (the listing's fingerprint and the file notes' version) until a newer
  state is seen. Building happens under one lock: concurrent requests for the
  same thing wait for the one build instead of repeating it.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Hashable, Optional

from ..analysis import Listing

RUNS_AGE = 300.0


class ExperimentCache:
    """The latest listing of one experiment and what was built from it."""

    def __init__(self, listing_age: float, clock: Callable[[], float] = time.monotonic):
        self._listing_age = listing_age
        self._clock = clock
        self._listing_lock = threading.Lock()
        self._listing: Optional[Listing] = None
        self._listed_at = 0.0
        self._runs_listed_at = 0.0
        self._build_lock = threading.RLock()  # a view is built from the document, under the same lock
        self._state: Hashable = None
        self._built: Dict[Hashable, Any] = {}

    def listing(self, take: Callable[[Optional[Listing]], Listing]) -> Listing:
        """The listing from `take(previous)`, reused while younger than `listing_age` seconds.

        `previous` (the last listing, while its run list is younger than `RUNS_AGE`)
        lets `take` keep that run list when no run gained or lost scalars.
        """
        with self._listing_lock:
            now = self._clock()
            if self._listing is None or now - self._listed_at >= self._listing_age:
                previous = self._listing if now - self._runs_listed_at < RUNS_AGE else None
                self._listing = take(previous)
                self._listed_at = now
                if previous is None or self._listing.runs is not previous.runs:
                    self._runs_listed_at = now
            return self._listing

    def built(self, state: Hashable, key: Hashable, build: Callable[[], Any]) -> Any:
        """`build()`'s value for `key` under `state`, built at most once per state."""
        with self._build_lock:
            if state != self._state:
                self._state, self._built = state, {}
            if key not in self._built:
                self._built[key] = build()
            return self._built[key]


class ExperimentCaches:
    """One `ExperimentCache` per experiment id, at most `limit` of them (least recently used go first)."""

    def __init__(self, listing_age: float, limit: int = 8):
        self._listing_age = listing_age
        self._limit = limit
        self._lock = threading.Lock()
        self._caches: "OrderedDict[str, ExperimentCache]" = OrderedDict()

    def of(self, experiment_id: str) -> ExperimentCache:
        with self._lock:
            cache = self._caches.pop(experiment_id, None) or ExperimentCache(self._listing_age)
            self._caches[experiment_id] = cache
            while len(self._caches) > self._limit:
                self._caches.popitem(last=False)
            return cache
