"""Webhook authentication: a shared secret or an HMAC signature, compared in constant time (the rate limits are in
store/rate_limits.py).

Nothing here reads the body into any state: `webhook_authorised` sees the raw bytes only to check
an HMAC, and the server calls it before the body is parsed.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Mapping

from kebabalab.errors import ConfigError

HMAC_TOLERANCE_SECONDS = 300
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


HMAC_ALGORITHMS = ("sha256", "sha512", "sha1")
HMAC_ENCODINGS = ("hex", "base64")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class HmacPlan:
    """How Vapi signs, as an HMAC credential's plan sets it (HMACAuthenticationPlan in Vapi's OpenAPI document);
    the defaults are Vapi's. `check()` refuses a plan this server cannot verify, at start."""
    algorithm: str = "sha256"
    encoding: str = "hex"
    signature_header: str = "x-signature"
    timestamp_header: str = "x-timestamp"
    signature_prefix: str = ""
    payload_format: str = "{timestamp}.{body}"

    def check(self) -> "HmacPlan":
        if self.algorithm not in HMAC_ALGORITHMS:
            raise ConfigError(f"VAPI_HMAC_ALGORITHM must be sha256, sha512 or sha1, not {self.algorithm!r}")
        if self.encoding not in HMAC_ENCODINGS:
            raise ConfigError(f"VAPI_HMAC_ENCODING must be hex or base64, not {self.encoding!r}")
        for setting, name in (("VAPI_HMAC_SIGNATURE_HEADER", self.signature_header),
                              ("VAPI_HMAC_TIMESTAMP_HEADER", self.timestamp_header)):
            if not _HEADER_NAME.fullmatch(name):
                raise ConfigError(f"{setting} must be an HTTP header name like x-signature, not {name!r}")
        unknown = set(_PLACEHOLDER.findall(self.payload_format)) - {"{timestamp}", "{body}"}
        if "{body}" not in self.payload_format or unknown:
            raise ConfigError("VAPI_HMAC_PAYLOAD_FORMAT must contain {body} and may contain {timestamp}, nothing "
                              f"else in braces, not {self.payload_format!r}")
        return self

    @property
    def signs_timestamp(self) -> bool:
        return "{timestamp}" in self.payload_format

    def payload(self, stamp: str, body: bytes) -> bytes:
        """The signed bytes: the format with {timestamp} and the raw body put in."""
        parts = self.payload_format.replace("{timestamp}", stamp).split("{body}")
        return body.join(part.encode("utf-8") for part in parts)

    def digest(self, key: str, payload: bytes) -> str:
        raw = hmac.new(key.encode("utf-8"), payload, getattr(hashlib, self.algorithm)).digest()
        return raw.hex() if self.encoding == "hex" else base64.b64encode(raw).decode("ascii")

    def given(self, headers: Mapping[str, str]) -> str | None:
        """The signature sent, without its prefix and in canonical form; None when absent or malformed."""
        text = _header(headers, self.signature_header)
        prefix = self.signature_prefix or f"{self.algorithm}="  # "sha256=abc" is taken when no prefix is set
        if text.startswith(prefix):
            text = text[len(prefix):]
        elif self.signature_prefix:
            return None
        if self.encoding == "hex":
            return text.lower() if re.fullmatch(r"[0-9a-fA-F]{40,128}", text) else None
        try:
            return base64.b64encode(base64.b64decode(text, validate=True)).decode("ascii") if text else None
        except (binascii.Error, ValueError):
            return None


DEFAULT_HMAC_PLAN = HmacPlan()


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, whatever the case of its name (Flask's headers are case-blind, a dict is not)."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return (value or "").strip()


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
