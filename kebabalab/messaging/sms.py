"""SMS transports: `LogTransport` (no credentials: log only) and `TwilioTransport` (the official library).

A transport's `send(to, body)` returns the provider's message id or raises `PermanentSmsError` (do not retry)
or `TemporarySmsError` (retry later). `logs_only` tells the outbox to mark the text 'logged', not 'sent'.
"""
from __future__ import annotations

import logging
import re
import uuid

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from kebabalab.errors import KebabalabError
from kebabalab.ordering.phones import mask_phone

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
DELIVERY_RECEIPTS_PATH = "/twilio/status"  # where Twilio posts each text's status (web/twilio_receipts.py)
_PHONE_LIKE = re.compile(r"\+?\d[\d ()-]{6,}\d")


class SmsError(KebabalabError):
    """A text could not be handed to the SMS provider."""


class PermanentSmsError(SmsError):
    """The provider refused the text (bad number, bad credentials): retrying will not help."""


class TemporarySmsError(SmsError):
    """The provider was busy, failing or unreachable: retry later."""


def redact_phones(text: str) -> str:
    """Mask anything that looks like a phone number, for logs and stored error text."""
    def mask(match: re.Match) -> str:
        digits = re.sub(r"[^\d+]", "", match.group(0))
        if re.fullmatch(r"\d{8}-\d{3,}", match.group(0)):  # an order number, 20261130-042
            return match.group(0)
        return mask_phone(digits) if sum(c.isdigit() for c in digits) >= 8 else match.group(0)
    return _PHONE_LIKE.sub(mask, text)


class LogTransport:
    """For shops without Twilio credentials: the text is logged (masked, shortened), not sent."""

    logs_only = True

    def send(self, to: str, body: str, from_number: str | None = None) -> str:
        preview = redact_phones(" / ".join(body.splitlines()))[:40]
        logger.info("SMS (log only) to %s: %s", mask_phone(to), preview)
        return f"log-{uuid.uuid4()}"


class _HttpClient(TwilioHttpClient):
    """The library's own HTTP client, logging one DEBUG line per request instead of ten INFO lines, and
    optionally sending https://api.twilio.com requests to another base URL (a fake, a proxy)."""

    def __init__(self, api_base_url: str | None = None, **kwargs):
        super().__init__(logger=logger, **kwargs)
        self.api_base_url = api_base_url.rstrip("/") if api_base_url else None

    def request(self, method, url, *args, **kwargs):
        if self.api_base_url and (url == TWILIO_API or url.startswith(TWILIO_API + "/")):
            url = self.api_base_url + url[len(TWILIO_API):]
        return super().request(method, url, *args, **kwargs)

    def log_request(self, kwargs) -> None:
        logger.debug("Twilio %s %s", kwargs["method"], kwargs["url"].rsplit("/", 1)[-1])

    def log_response(self, status_code, response) -> None:
        logger.debug("Twilio answered %s", status_code)


def delivery_receipts_url(public_url: str) -> str | None:
    """The StatusCallback every text carries: built from PUBLIC_URL, None when it is not set."""
    return public_url.rstrip("/") + DELIVERY_RECEIPTS_PATH if public_url else None


class TwilioTransport:
    """Sends through Twilio's Messages API with the official `twilio` library; with `status_callback`, Twilio
    posts each text's delivery status there."""

    logs_only = False

    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base_url: str | None = None,
                 timeout: float = 10, status_callback: str | None = None):
        self.from_number, self.status_callback = from_number, status_callback
        self.client = Client(account_sid, auth_token, http_client=_HttpClient(api_base_url, timeout=timeout))

    def send(self, to: str, body: str, from_number: str | None = None) -> str:
        """`from_number`: a shop's own number (one Twilio account, a number per shop); else TWILIO_FROM_NUMBER."""
        extra = {"status_callback": self.status_callback} if self.status_callback else {}
        try:
            message = self.client.messages.create(to=to, from_=from_number or self.from_number, body=body, **extra)
        except (TwilioRestException, TwilioServiceException) as exc:
            raise _classify(exc) from None
        except requests.Timeout:
            raise TemporarySmsError("Twilio did not answer in time") from None
        except requests.RequestException as exc:
            raise TemporarySmsError(f"Twilio unreachable ({type(exc).__name__})") from None
        except (TwilioException, ValueError) as exc:
            raise TemporarySmsError(f"Twilio answer unreadable ({type(exc).__name__})") from None
        return message.sid


def _classify(exc: TwilioRestException | TwilioServiceException) -> SmsError:
    """HTTP status -> permanent (4xx but 429) or temporary (429, 5xx); the text has no phone numbers."""
    status = int(getattr(exc, "status", 0) or 0)
    detail = getattr(exc, "msg", None) or getattr(exc, "detail", None) or getattr(exc, "title", None) or ""
    text = redact_phones(f"Twilio HTTP {status}, error {getattr(exc, 'code', None)}: {detail}")[:300]
    if 400 <= status < 500 and status != 429:
        return PermanentSmsError(text)
    return TemporarySmsError(text)
