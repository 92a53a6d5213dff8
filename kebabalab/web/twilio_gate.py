"""Requests from Twilio (delivery receipts, incoming texts) checked by their X-Twilio-Signature.

Twilio signs the URL it called, which is the one we gave it: PUBLIC_URL and the path (with the query), never the
URL the request arrived on, which behind a proxy is http://127.0.0.1:5000/... and would never match. The check is
the twilio library's RequestValidator (constant-time comparison, with and without the port) with the account's
auth token; without PUBLIC_URL or the token every request is refused.
"""
from __future__ import annotations

from flask import request
from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"


def signed_url(settings) -> str:
    """The URL Twilio called, as it signed it: PUBLIC_URL, this request's path and its query string."""
    query = request.query_string.decode("latin-1")
    return settings.public_url + request.path + (f"?{query}" if query else "")


def twilio_request_ok(settings) -> bool:
    """True when this request carries Twilio's valid signature of PUBLIC_URL + path + query and its form."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not (signature and settings.public_url and settings.twilio_auth_token):
        return False
    return RequestValidator(settings.twilio_auth_token).validate(signed_url(settings), request.form, signature)
