"""Webhook authentication: a shared secret or an HMAC signature, compared in constant time (the rate limits are in
store/rate_limits.py).

Nothing here reads the body into any state: `webhook_authorised` sees the raw bytes only to check
an HMAC, and the server calls it before the body is parsed.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Mapping

from kebabalab.hmac_plan import DEFAULT_HMAC_PLAN, HMAC_TOLERANCE_SECONDS, HmacPlan, header_value as _header

_TIMESTAMP = re.compile(r"[0-9]{1,16}")  # ASCII digits only ("²".isdigit() is True, int("²") fails)
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


def signature_matches(headers: Mapping[str, str], body: bytes, key: str, now: float,
                      plan: HmacPlan = DEFAULT_HMAC_PLAN) -> bool:
    """The plan's signature header holds the HMAC of the plan's payload (by default hex HMAC-SHA256 of
    "{x-timestamp}.{raw body}"), and a signed timestamp is within 5 minutes of `now`.

    The HMAC covers the bytes exactly as received: a body re-serialised by a proxy no longer matches.
    """
    keys = configured(key)
    given = plan.given(headers)
    if not keys or given is None:
        return False
    stamp = _header(headers, plan.timestamp_header)
    if plan.signs_timestamp:
        seconds = timestamp_seconds(stamp)
        if seconds is None or abs(now - seconds) > HMAC_TOLERANCE_SECONDS:
            return False
    payload = plan.payload(stamp, body)
    return any([_same(given, plan.digest(k, payload)) for k in keys])


def webhook_authorised(settings, headers: Mapping[str, str], body: bytes, now: float) -> bool:
    """True when the request carries a valid credential, or when none is configured and that is allowed."""
    if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret:
        return settings.allow_unauthenticated
    return secret_matches(headers, settings.vapi_webhook_secret) or \
        signature_matches(headers, body, settings.vapi_hmac_secret, now, settings.vapi_hmac_plan)
