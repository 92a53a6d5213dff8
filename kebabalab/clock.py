"""Injected time: the code asks a clock, tests pin it."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


class SystemClock:
    """The real time, always timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock for tests: stays where it is put, moves only when told."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at

    def advance(self, **delta) -> None:
        with self._lock:
            self._at += timedelta(**delta)
