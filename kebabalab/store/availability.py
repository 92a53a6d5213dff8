"""The kitchen's availability document (sold out, paused, busy) kept in this process; RedisAvailabilityStore in
redis_sessions.py keeps the same document for every worker."""
from __future__ import annotations

import threading


class MemoryAvailabilityStore:
    """The state in this process (one worker)."""

    def __init__(self) -> None:
        self._doc: dict = {}
        self._lock = threading.Lock()

    def load(self, prefetched: dict | None = None) -> dict:
        """`prefetched` is for the Redis store (documents read with the call's session); here it is always
        this process's own state."""
        with self._lock:
            return dict(self._doc)

    def update(self, change) -> dict:
        """Apply `change(doc) -> doc` atomically (two staff taps at once both count)."""
        with self._lock:
            self._doc = dict(change(dict(self._doc)))
            return dict(self._doc)
