"""Rate limits kept in memory: hits per key (a call id, an address) in a sliding window, shared by a process's
threads. The webhook limits tool calls per call and failed authentications per address with it."""
from __future__ import annotations

import math
import threading
from collections import deque


class RateLimiter:
    """At most `limit` units per key in any `window` seconds (a sliding log).

    `hit(key, cost)` spends `cost` units (a message with 3 tool calls costs 3) and returns 0, or refuses
    the whole cost and returns the whole seconds to wait before it would fit (for Retry-After).
    """

    def __init__(self, clock, limit: int, window: float = 60.0, max_keys: int = 10_000):
        self._clock = clock
        self._limit = limit
        self._window = window
        self._max_keys = max_keys
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, cost: int = 1) -> int:
        now = self._clock.now().timestamp()
        cost = max(1, int(cost))
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self._window:
                hits.popleft()
            over = len(hits) + cost - self._limit
            if over > 0:
                if cost > self._limit:  # can never fit: ask for a whole window
                    return max(1, int(self._window))
                frees_at = hits[over - 1] + self._window
                return max(1, math.ceil(frees_at - now))
            hits.extend([now] * cost)
            if len(self._hits) > self._max_keys:
                self._prune(now)
            return 0

    def _prune(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or now - h[-1] >= self._window]:
            del self._hits[key]
