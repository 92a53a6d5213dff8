"""Webhook authentication (shared secret or HMAC, compared in constant time) and rate limits.

Nothing here reads the body into any state: `webhook_authorised` sees the raw bytes only to check
an HMAC, and the server calls it before the body is parsed.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import threading
from collections import deque
from typing import Mapping

HMAC_TOLERANCE_SECONDS = 300
_TIMESTAMP = re.compile(r"[0-9]{1,16}")  # ASCII digits only ("²".isdigit() is True, int("²") fails)
_HEX_SIGNATURE = re.compile(r"(?:sha256=)?([0-9a-f]{64})")
MILLISECONDS_FROM = 10**11  # a seconds timestamp reaches 11 digits in the year 5138


def _same(a: str, b: str) -> bool:
    """Constant-time equality. Both sides are hashed first so not even the secret's length leaks."""
    return hmac.compare_digest(hashlib.sha256(a.encode("utf-8")).digest(),
                               hashlib.sha256(b.encode("utf-8")).digest())


def configured(value: str) -> list[str]:
    """The secrets in a setting: one, or "new,old" while a rotation is under way (see SECURITY.md)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _any_same(given: str, secrets: list[str]) -> bool:
    matches = [_same(given, secret) for secret in secrets]  # every one compared: no early exit
    return any(matches)


def secret_matches(headers: Mapping[str, str], secret: str) -> bool:
    """`X-Vapi-Secret: <secret>` or `Authorization: Bearer <secret>` (both are checked, in constant time)."""
    secrets = configured(secret)
    if not secrets:
        return False
    given = headers.get("X-Vapi-Secret")
    by_header = given is not None and _any_same(given.strip(), secrets)
    scheme, _, token = (headers.get("Authorization") or "").strip().partition(" ")
    by_bearer = scheme.lower() == "bearer" and _any_same(token.strip(), secrets)
    return by_header or by_bearer


def timestamp_seconds(stamp: str) -> float | None:
    """`x-timestamp` in seconds or milliseconds since the epoch, as seconds; None when it is not a number."""
    if not _TIMESTAMP.fullmatch(stamp):
        return None
    value = int(stamp)
    return value / 1000 if value >= MILLISECONDS_FROM else float(value)


def signature_matches(headers: Mapping[str, str], body: bytes, key: str, now: float) -> bool:
    """`x-signature` = hex HMAC-SHA256 of "{x-timestamp}.{raw body}", timestamp within 5 minutes of `now`.

    The HMAC covers the bytes exactly as received: a body re-serialised by a proxy no longer matches.
    """
    keys = configured(key)
    if not keys:
        return False
    found = _HEX_SIGNATURE.fullmatch((headers.get("X-Signature") or "").strip().lower())
    stamp = (headers.get("X-Timestamp") or "").strip()
    seconds = timestamp_seconds(stamp)
    if found is None or seconds is None or abs(now - seconds) > HMAC_TOLERANCE_SECONDS:
        return False
    signed = stamp.encode("ascii") + b"." + body
    expected = [hmac.new(k.encode("utf-8"), signed, hashlib.sha256).hexdigest() for k in keys]
    return any([_same(found.group(1), e) for e in expected])


def webhook_authorised(settings, headers: Mapping[str, str], body: bytes, now: float) -> bool:
    """True when the request carries a valid credential, or when none is configured and that is allowed."""
    if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret:
        return settings.allow_unauthenticated
    return secret_matches(headers, settings.vapi_webhook_secret) or \
        signature_matches(headers, body, settings.vapi_hmac_secret, now)


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
