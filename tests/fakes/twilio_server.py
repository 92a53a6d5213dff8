"""A hand-written fake of Twilio's Messages API on 127.0.0.1, for the real `twilio` library to talk to.

    with FakeTwilio() as fake:
        transport = TwilioTransport("AC...", "token", "+61400000000", api_base_url=fake.base_url)
        fake.script([500, 201])          # answers for the next requests, then 201s again
        fake.fail_next(2, status=503)    # the same, shorter
        fake.recover()                   # the scripted answers forgotten: 201s again
        fake.delay = 0.3                 # seconds before each answer
        fake.requests                    # every POST seen: to, from_, body, status_callback, account_sid,
                                         # auth_user, status, sid
        fake.receipt(request, "undelivered", error_code="30003", auth_token="token")
                                         # the delivery receipt Twilio would post to the request's StatusCallback:
                                         # (url, form, headers), signed by the twilio library's RequestValidator

and the look-ups `kebabalab doctor` makes (GET; never a text), answered from:
        fake.auth_token = "token"        # when set, Basic auth must carry it (else 401, error 20003)
        fake.account = {"status": "active", "type": "Full"}
        fake.numbers = {"+61400000000": {"sms": True, "mms": False, "voice": True}}   # the account's numbers
        fake.verified = {"+61411111111"} # Verified Caller IDs (what a trial account may text)
        fake.lookups                     # every GET path seen
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from twilio.request_validator import RequestValidator

from .loopback import LoopbackServer

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[A-Za-z0-9]+)/Messages\.json$")
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[A-Za-z0-9]+)(?P<list>/IncomingPhoneNumbers|/OutgoingCallerIds)?"
                          r"\.json$")
ERRORS = {
    400: (21211, "Invalid 'To' Phone Number"),
    401: (20003, "Authenticate"),
    404: (20404, "The requested resource was not found"),
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
}


@dataclass
class FakeRequest:
    """One POST the fake received, and what it answered."""
    path: str
    account_sid: str | None
    auth_user: str | None
    form: dict[str, str]
    status: int
    sid: str | None = None
    to: str | None = field(init=False)
    from_: str | None = field(init=False)
    body: str | None = field(init=False)
    status_callback: str | None = field(init=False)

    def __post_init__(self):
        self.to, self.from_, self.body = self.form.get("To"), self.form.get("From"), self.form.get("Body")
        self.status_callback = self.form.get("StatusCallback")


class FakeTwilio(LoopbackServer):
    """A scriptable fake Twilio on loopback: a context manager, or start()/stop()."""

    def __init__(self):
        super().__init__()
        self.requests: list[FakeRequest] = []
        self.delay = 0.0
        self.auth_token: str | None = None
        self.account = {"status": "active", "type": "Full"}
        self.numbers: dict[str, dict[str, bool]] = {}
        self.verified: set[str] = set()
        self.lookups: list[str] = []
        self._script: deque[int] = deque()
        self._lock = threading.Lock()

    @property
    def sent(self) -> list[FakeRequest]:
        """Only the requests answered 201 (texts Twilio would deliver)."""
        with self._lock:
            return [r for r in self.requests if r.status == 201]

    def script(self, statuses) -> None:
        """Answer the next requests with these HTTP statuses, in order; after them, 201."""
        with self._lock:
            self._script.extend(int(s) for s in statuses)

    def fail_next(self, n: int, status: int = 500) -> None:
        self.script([status] * n)

    def recover(self) -> None:
        """Forget the scripted answers: every request is answered 201 again (Twilio is back)."""
        with self._lock:
            self._script.clear()

    thread_name = "fake-twilio"

    @staticmethod
    def receipt(sent: FakeRequest, status: str, *, auth_token: str, error_code: str | None = None
                ) -> tuple[str, dict[str, str], dict[str, str]]:
        """The status callback Twilio posts for a text it accepted: (its StatusCallback URL, the form, the
        headers with X-Twilio-Signature computed by the twilio library's RequestValidator). The form's fields
        are those of Twilio's outbound message status callback (docs: "Outbound Message Status in Status
        Callbacks"): ErrorCode only for undelivered and failed."""
        form = {"AccountSid": sent.account_sid, "ApiVersion": "2010-04-01", "From": sent.from_,
                "MessageSid": sent.sid, "MessageStatus": status, "SmsSid": sent.sid, "SmsStatus": status,
                "To": sent.to}
        if error_code is not None:
            form["ErrorCode"] = error_code
        signature = RequestValidator(auth_token).compute_signature(sent.status_callback, form)
        return sent.status_callback, form, {"X-Twilio-Signature": signature}

    def handler_class(self):
        return _handler_for(self)

    def _answer(self, path: str, auth_user: str | None, form: dict[str, str]) -> tuple[int, dict]:
        match = MESSAGES_PATH.match(path)
        with self._lock:
            status = self._script.popleft() if self._script else 201
        if match is None:
            status = 404
        elif auth_user is None:
            status = 401
        elif status == 201 and (not form.get("To") or not form.get("Body")):
            status = 400
        sid = "SM" + uuid.uuid4().hex if status == 201 else None
        account_sid = match.group("sid") if match else None
        with self._lock:
            self.requests.append(FakeRequest(path, account_sid, auth_user, form, status, sid))
        if status != 201:
            code, message = ERRORS.get(status, (20500, "Error"))
            return status, {"code": code, "message": message, "status": status,
                            "more_info": f"https://www.twilio.com/docs/errors/{code}"}
        return 201, _message_json(sid, account_sid, form)


def _lookup(fake: FakeTwilio, path: str, credentials: tuple[str, str] | None) -> tuple[int, dict]:
    """GET an account, or its incoming numbers or verified caller ids filtered by PhoneNumber, as Twilio's
    2010-04-01 API answers them (a page: the list under its own key beside the paging fields)."""
    fake.lookups.append(path)
    url = urlsplit(path)
    match = ACCOUNT_PATH.match(url.path)
    if match is None:
        return _error(404)
    sid = match.group("sid")
    if credentials is None or credentials[0] != sid or (fake.auth_token and credentials[1] != fake.auth_token):
        return _error(401)
    if match.group("list") is None:
        return 200, {"sid": sid, "friendly_name": "Kebabalab", "status": fake.account["status"],
                     "type": fake.account["type"], "owner_account_sid": sid, "date_created": formatdate(usegmt=True),
                     "uri": f"/2010-04-01/Accounts/{sid}.json"}
    wanted = parse_qs(url.query).get("PhoneNumber", [None])[-1]
    if match.group("list") == "/IncomingPhoneNumbers":
        key = "incoming_phone_numbers"
        rows = [{"sid": "PN" + uuid.uuid5(uuid.NAMESPACE_OID, n).hex, "account_sid": sid, "phone_number": n,
                 "friendly_name": n, "capabilities": dict(c), "status": "in-use"} for n, c in fake.numbers.items()]
    else:
        key = "outgoing_caller_ids"
        rows = [{"sid": "PN" + uuid.uuid5(uuid.NAMESPACE_OID, n).hex, "account_sid": sid, "phone_number": n,
                 "friendly_name": n} for n in sorted(fake.verified)]
    rows = [r for r in rows if wanted is None or r["phone_number"] == wanted]
    page = url.path + ("?" + url.query if url.query else "")
    return 200, {key: rows, "end": max(len(rows) - 1, 0), "first_page_uri": page, "next_page_uri": None,
                 "page": 0, "page_size": 50, "previous_page_uri": None, "start": 0, "uri": page}


def _error(status: int) -> tuple[int, dict]:
    code, message = ERRORS[status]
    return status, {"code": code, "message": message, "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}


def _message_json(sid: str, account_sid: str, form: dict[str, str]) -> dict:
    now = formatdate(usegmt=True)
    return {
        "sid": sid, "account_sid": account_sid, "status": "queued", "to": form.get("To"),
        "from": form.get("From"), "body": form.get("Body"), "direction": "outbound-api", "num_segments": "1",
        "num_media": "0", "api_version": "2010-04-01", "date_created": now, "date_updated": now,
        "date_sent": None, "price": None, "price_unit": "USD", "error_code": None, "error_message": None,
        "messaging_service_sid": None, "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        "subresource_uris": {"media": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media.json"},
    }


def _basic_user(header: str | None) -> str | None:
    credentials = _basic_credentials(header)
    return credentials[0] if credentials else None


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def _handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes; no 40 ms delayed-ACK stalls

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
            status, payload = fake._answer(self.path, _basic_user(self.headers.get("Authorization")), form)
            if fake.delay:
                time.sleep(fake.delay)
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def do_GET(self):
            status, payload = _lookup(fake, self.path, _basic_credentials(self.headers.get("Authorization")))
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # keep test output (and phone numbers) out of stderr
            pass

    return Handler
