"""How Vapi signs a webhook request with an HMAC credential: the plan (algorithm, encoding, headers, payload) as
a setting, read and checked once at start (config.py), used by webhook authentication (web/security.py) and by
the replay guard (store/replay.py). Pure: no I/O."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Mapping

from kebabalab.errors import ConfigError

HMAC_TOLERANCE_SECONDS = 300  # a signed request is valid this long either side of its timestamp

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
        text = header_value(headers, self.signature_header)
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


def header_value(headers: Mapping[str, str], name: str) -> str:
    """A header's value, whatever the case of its name (Flask's headers are case-blind, a dict is not)."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return (value or "").strip()
