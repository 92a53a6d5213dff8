"""Webhook authentication (shared secret or HMAC, compared in constant time) and rate limits."""
from __future__ import annotations

import hashlib
import hmac
import threading
from collections import deque
from typing import Mapping

HMAC_TOLERANCE_SECONDS = 300


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def secret_matches(headers: Mapping[str, str], secret: str) -> bool:
    """`X-Vapi-Secret: <secret>` or `Authorization: Bearer <secret>`."""
    if not secret:
        return False
    given = headers.get("X-Vapi-Secret")
    if given is not None and _same(given.strip(), secret):
        return True
    auth = headers.get("Authorization") or ""
    scheme, _, token = auth.partition(" ")
    return scheme.lower() == "bearer" and _same(token.strip(), secret)


def signature_matches(headers: Mapping[str, str], body: bytes, key: str, now: float) -> bool:
    """`x-signature` = hex HMAC-SHA256 of "{x-timestamp}.{raw body}", timestamp within 5 minutes."""
    if not key:
        return False
    signature = (headers.get("X-Signature") or "").strip().lower()
    stamp = (headers.get("X-Timestamp") or "").strip()
    if not signature or not stamp.isdigit() or len(stamp) > 16:
        return False
    seconds = int(stamp) / 1000 if len(stamp) >= 12 else int(stamp)  # Vapi may send milliseconds
    if abs(now - seconds) > HMAC_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(key.encode("utf-8"), stamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return _same(signature, expected)


def webhook_authorised(settings, headers: Mapping[str, str], body: bytes, now: float) -> bool:
    """True when the request carries a valid credential, or when none is configured and that is allowed."""
    if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret:
        return settings.allow_unauthenticated
    return secret_matches(headers, settings.vapi_webhook_secret) or \
        signature_matches(headers, body, settings.vapi_hmac_secret, now)


class RateLimiter:
    """At most `limit` hits per key in any `window` seconds; `hit` returns seconds to wait (0: allowed)."""

    def __init__(self, clock, limit: int, window: float = 60.0, max_keys: int = 10_000):
        self._clock = clock
        self._limit = limit
        self._window = window
        self._max_keys = max_keys
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        now = self._clock.now().timestamp()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self._window:
                hits.popleft()
            if len(hits) >= self._limit:
                return max(1, int(self._window - (now - hits[0])) + 1)
            hits.append(now)
            if len(self._hits) > self._max_keys:
                self._prune(now)
            return 0

    def _prune(self, now: float) -> None:
        for key in [k for k, h in self._hits.items() if not h or now - h[-1] >= self._window]:
            del self._hits[key]
