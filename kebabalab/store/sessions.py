"""The session store: one session per Vapi call id, never per phone number.

`update(call_id, fn)` gives `fn` a private copy of the call's session and keeps the copy only
if `fn` returns; an exception leaves the stored session exactly as it was. Updates of one call
are serialised; different calls run side by side.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Protocol, TypeVar

from kebabalab.ordering.cart import CartLine

log = logging.getLogger(__name__)
T = TypeVar("T")
CLEANUP_INTERVAL_SECONDS = 300


@dataclass
class Session:
    call_id: str
    cart: list[CartLine] = field(default_factory=list)
    caller: str | None = None
    pickup_at: str | None = None
    pickup_asap: bool = False  # set by estimateReadyTime: re-estimated when the order is placed
    order_number: str | None = None
    orders_placed: int = 0
    created_at: float = 0.0
    last_seen: float = 0.0
    ended: bool = False

    def copy(self) -> "Session":
        """A private copy: cart lines are immutable, so copying the list is enough."""
        return replace(self, cart=list(self.cart))

    def to_dict(self) -> dict:
        return asdict(self)  # the cart lines, dataclasses too, become dicts with it

    @classmethod
    def from_dict(cls, data: dict) -> "Session":
        return cls(**{**data, "cart": [CartLine.from_dict(d) for d in data.get("cart", [])]})


class SessionStore(Protocol):
    def update(self, call_id: str, fn: Callable[[Session], T]) -> T: ...
    def get(self, call_id: str) -> Session | None: ...
    def session_clear(self, call_id: str) -> Session | None: ...
    def cleanup_expired_sessions(self) -> int: ...
    def enforce_session_limits(self) -> int: ...
    def count(self) -> int: ...


class MemorySessionStore:
    """Sessions in this process: idle TTL, LRU eviction of idle sessions past `max_sessions`."""

    def __init__(self, clock, ttl_seconds: int = 1800, max_sessions: int = 1000):
        self._clock = clock
        self._ttl = ttl_seconds
        self._max = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._last_cleanup = self._now()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def update(self, call_id: str, fn: Callable[[Session], T]) -> T:
        call_lock = self._checkout(call_id)
        try:
            with self._lock:
                current = self._sessions.get(call_id) or Session(call_id, created_at=self._now())
            draft = current.copy()
            result = fn(draft)
            draft.last_seen = self._now()
            with self._lock:
                if draft.ended:
                    self._sessions.pop(call_id, None)
                else:
                    self._sessions[call_id] = draft
                    self._sessions.move_to_end(call_id)
            return result
        finally:
            call_lock.release()
            self._housekeeping()

    def _checkout(self, call_id: str) -> threading.Lock:
        with self._lock:
            call_lock = self._locks.setdefault(call_id, threading.Lock())
        call_lock.acquire()
        return call_lock

    def _housekeeping(self) -> None:
        if self._now() - self._last_cleanup >= CLEANUP_INTERVAL_SECONDS:
            self.cleanup_expired_sessions()
        self.enforce_session_limits()

    def get(self, call_id: str) -> Session | None:
        with self._lock:
            found = self._sessions.get(call_id)
            return found.copy() if found else None

    def session_clear(self, call_id: str) -> Session | None:
        """Forget a call's session (the call ended); returns what it held."""
        with self._lock:
            self._locks.pop(call_id, None)
            return self._sessions.pop(call_id, None)

    def cleanup_expired_sessions(self) -> int:
        """Drop sessions idle for longer than the TTL; returns how many."""
        now = self._now()
        with self._lock:
            self._last_cleanup = now
            expired = [cid for cid, s in self._sessions.items() if now - s.last_seen > self._ttl
                       and not self._busy(cid)]
            for cid in expired:
                self._sessions.pop(cid)
                self._locks.pop(cid, None)
        if expired:
            log.info("sessions: %d expired", len(expired))
        return len(expired)

    def enforce_session_limits(self) -> int:
        """Evict the least recently used idle sessions beyond `max_sessions`; returns how many."""
        evicted = 0
        with self._lock:
            if len(self._sessions) <= self._max:  # the common case, checked on every update: no scan
                return 0
            for cid in list(self._sessions):
                if len(self._sessions) <= self._max:
                    break
                if self._busy(cid):
                    continue
                self._sessions.pop(cid)
                self._locks.pop(cid, None)
                evicted += 1
        if evicted:
            log.warning("sessions: evicted %d idle sessions (MAX_SESSIONS=%d)", evicted, self._max)
        return evicted

    def _busy(self, call_id: str) -> bool:
        lock = self._locks.get(call_id)
        return lock is not None and lock.locked()

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)
