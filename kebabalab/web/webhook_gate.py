"""The webhook's credential checked from the request's head alone, before its body is read.

A shared secret (X-Vapi-Secret, Bearer) is in the headers: a request without a valid one is refused
without waiting for a body a stranger may send a byte a second. Only a request signed with an HMAC
(in the plan's signature header, X-Signature by default) needs its body to be checked; the app checks it,
and everything else, again once the body is there (web/app.py's `_webhook`).
"""
from __future__ import annotations

import logging

from werkzeug.datastructures import Headers

from kebabalab.web.security import webhook_authorised

log = logging.getLogger(__name__)


def refusal_before_body(services, head, client) -> tuple[int, str] | None:
    """(status, message) for a POST /webhook whose headers already show it cannot be authorised; else None.
    `head`: request_framing.Head; `client`: the peer's (address, port)."""
    if head.method != "POST" or head.path != "/webhook":
        return None
    settings = services.settings
    headers = Headers([(name, value) for name, value in head.headers.items()])
    if settings.vapi_hmac_secret and settings.vapi_hmac_plan.given(headers) is not None:
        return None  # the signature covers the body: checked once it is read
    if webhook_authorised(settings, headers, b"", services.clock.now().timestamp()):
        return None
    address = client_address(headers, client, settings.proxy_hops)
    wait = services.auth_limiter.hit(address)
    if wait:
        return 429, "too many failed authentications"
    log.warning("webhook: refused unauthenticated request from %s before reading its body", address)
    return 401, "missing or wrong webhook credential"


def client_address(headers: Headers, client, proxy_hops: int) -> str:
    """The client's address as the app sees it: with PROXY_HOPS, taken from X-Forwarded-For as werkzeug's
    ProxyFix does (the hops-th address from the right), else the peer's."""
    peer = client[0] if isinstance(client, tuple) and client else "?"
    if not proxy_hops:
        return peer
    forwarded = [part.strip() for part in (headers.get("X-Forwarded-For") or "").split(",")]
    return forwarded[-proxy_hops] if len(forwarded) >= proxy_hops and forwarded[-proxy_hops] else peer
