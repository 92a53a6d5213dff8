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
from kebabalab.errors import ToolError

log = logging.getLogger(__name__)
T = TypeVar("T")
CLEANUP_INTERVAL_SECONDS = 300
FULL = ("Sorry, we're answering too many calls at once to take another order by phone right now; "
        "please call back in a few minutes.")


@dataclass
class Session:
    call_id: str
    cart: list[CartLine] = field(default_factory=list)
    caller: str | None = None
    pickup_at: str | None = None
    pickup_asap: bool = False  # set by estimateReadyTime: re-estimated when the order is placed
    order_number: str | None = None
    orders_placed: int = 0
    offered: str | None = None  # the one offer this call heard ("meal", "drink"): never a second
    created_at: float = 0.0
    last_seen: float = 0.0
    ended: bool = False
    logged: bool = False  # the call has its row in the call log
    failures_in_row: int = 0  # tool calls in a row that failed for our reasons or unreadable input
    # Documents the store read with the session in the same round trip, by their key (Redis: the kitchen's
    # availability, which the availability store takes from here when the key is its own). Never saved.
    prefetched: dict | None = field(default=None, compare=False, repr=False)

    def copy(self) -> "Session":
        """A private copy: cart lines are immutable, so copying the list is enough."""
        return replace(self, cart=list(self.cart))

    def to_dict(self) -> dict:
        data = asdict(self)  # the cart lines, dataclasses too, become dicts with it
        del data["prefetched"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Session":
        return cls(**{**data, "cart": [CartLine.from_dict(d) for d in data.get("cart", [])]})


class SessionStore(Protocol):
    def update(self, call_id: str, fn: Callable[[Session], T], *, shop_id: str = ...) -> T: ...
    def get(self, call_id: str) -> Session | None: ...
    def session_clear(self, call_id: str) -> Session | None: ...
    def cleanup_expired_sessions(self) -> int: ...
    def enforce_session_limits(self) -> int: ...
    def count(self) -> int: ...


class MemorySessionStore:
    """Sessions in this process: idle TTL; past `max_sessions` a new call is refused (ToolError FULL) and no
    live session is dropped. A graceful restart saves them (`snapshot`) and the next server `restore`s them."""

    def __init__(self, clock, ttl_seconds: int = 1800, max_sessions: int = 1000):
        self._clock = clock
        self._ttl = ttl_seconds
        self._max = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self._starting = 0  # new calls admitted whose first update has not yet been stored
        self._last_cleanup = self._now()

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def update(self, call_id: str, fn: Callable[[Session], T], *, shop_id: str | None = None) -> T:
        """`fn` on the call's session, once, under its lock (`shop_id` is for the Redis store's prefetch)."""
        call_lock = self._checkout(call_id)
        admitted = False
        try:
            with self._lock:
                current = self._sessions.get(call_id)
            if current is None:
                admitted = self._admit()
                current = Session(call_id, created_at=self._now())
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
            if admitted:
                with self._lock:
                    self._starting -= 1
            call_lock.release()
            self._housekeeping()

    def _admit(self) -> bool:
        """Room for one more call, counting calls being admitted right now; else the idle past the TTL go
        first, and if still full the new call hears FULL (ToolError): a live cart is never dropped for it."""
        for attempt in range(2):
            with self._lock:
                if len(self._sessions) + self._starting < self._max:
                    self._starting += 1
                    return True
            if attempt == 0:
                self.cleanup_expired_sessions()
        log.warning("sessions: MAX_SESSIONS=%d calls in progress; a new call was turned away", self._max)
        raise ToolError(FULL)

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
        """Forget a call's session (the call ended); returns what it held, after any update of it in progress
        (a tool still running when the end-of-call report arrives) has stored its result."""
        call_lock = self._checkout(call_id)
        try:
            with self._lock:
                self._locks.pop(call_id, None)
                return self._sessions.pop(call_id, None)
        finally:
            call_lock.release()

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
        """The limit is kept by refusing new calls (`update`), never by dropping a live cart; here only the
        sessions idle past the TTL go, when the store is over the limit (restored calls can take it over).
        Returns how many."""
        with self._lock:
            if len(self._sessions) <= self._max:  # the common case, checked on every update: no scan
                return 0
        return self.cleanup_expired_sessions()

    def snapshot(self) -> list[Session]:
        """Copies of the sessions idle no longer than the TTL, least recently used first (a graceful stop)."""
        now = self._now()
        with self._lock:
            return [s.copy() for s in self._sessions.values() if now - s.last_seen <= self._ttl]

    def restore(self, sessions: list[Session]) -> int:
        """Take back a stopped server's sessions with the TTL they had left (their last_seen is kept); those
        already past it are left out. Returns how many were restored."""
        now = self._now()
        live = sorted((s for s in sessions if now - s.last_seen <= self._ttl), key=lambda s: s.last_seen)
        with self._lock:
            for session in live:
                self._sessions[session.call_id] = session
                self._sessions.move_to_end(session.call_id)
        return len(live)

    def _busy(self, call_id: str) -> bool:
        lock = self._locks.get(call_id)
        return lock is not None and lock.locked()

    def count(self) -> int:
        with self._lock:
            return len(self._sessions)
