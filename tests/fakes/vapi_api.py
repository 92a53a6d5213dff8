"""A hand-written fake of Vapi's REST API (tools and one assistant) on 127.0.0.1.

    with FakeVapi(api_key="key") as fake:
        fake.base_url          # point VAPI_API_BASE_URL here
        fake.tools             # id -> tool, as Vapi stores them (with id, orgId, createdAt, updatedAt)
        fake.assistant         # the one assistant, id fake.assistant["id"]
        fake.requests          # every request: method, path, json, status
        fake.writes            # only POST/PATCH/DELETE requests

Like Vapi it checks `Authorization: Bearer <key>`, answers 404 for unknown ids, and refuses a tool update
whose body has `type` (Vapi's UpdateFunctionToolDTO has no such property).
"""
from __future__ import annotations

import copy
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlparse

from .loopback import LoopbackServer

ORG_ID = "5f1d9e3c-0000-4000-8000-000000000001"


@dataclass
class Recorded:
    method: str
    path: str
    json: object
    status: int


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def default_assistant() -> dict:
    """An assistant as a shop has it: a model with a prompt, settings and Vapi's own endCall tool attached."""
    return {
        "id": "asst-" + uuid.uuid4().hex[:12], "orgId": ORG_ID, "name": "Kebabalab phone orders",
        "firstMessage": "Thanks for calling Kebabalab, what can I get you?",
        "model": {"provider": "openai", "model": "gpt-4o", "temperature": 0.3, "maxTokens": 250,
                  "messages": [{"role": "system", "content": "You take kebab orders."}],
                  "toolIds": ["tool-endcall-builtin"]},
        "voice": {"provider": "11labs", "voiceId": "burt"},
        "createdAt": _now(), "updatedAt": _now(),
    }


def default_phone_number(assistant_id: str) -> dict:
    """A Twilio number imported into Vapi with the shop's assistant fixed on it (TwilioPhoneNumber in Vapi's
    OpenAPI document: id, orgId, provider, number, assistantId, server, createdAt, updatedAt)."""
    return {"id": "pn-" + uuid.uuid4().hex[:12], "orgId": ORG_ID, "provider": "twilio", "number": "+61395345588",
            "name": "Shop line", "assistantId": assistant_id, "twilioAccountSid": "AC" + "0" * 32,
            "createdAt": _now(), "updatedAt": _now()}


class FakeVapi(LoopbackServer):
    """Tools and one assistant in memory; a context manager, or start()/stop()."""

    def __init__(self, api_key: str = "test-vapi-key"):
        super().__init__()
        self.api_key = api_key
        self.tools: dict[str, dict] = {}
        self.assistant = default_assistant()
        self.phone_number = default_phone_number(self.assistant["id"])
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()

    @property
    def writes(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method != "GET"]

    def tool_named(self, name: str) -> dict:
        """A function tool by its name, or one of Vapi's own by its type (transferCall)."""
        return next(t for t in self.tools.values()
                    if t.get("function", {}).get("name") == name or (t.get("type") == name and "function" not in t))

    thread_name = "fake-vapi"

    def handler_class(self):
        return _handler_for(self)

    def answer(self, method: str, path: str, auth: str | None, body) -> tuple[int, object]:
        with self._lock:
            if auth != f"Bearer {self.api_key}":
                status, payload = 401, {"message": "Invalid Key. Hot tip, you may be using the private key "
                                                   "instead of the public key, or vice versa.",
                                        "error": "Unauthorized", "statusCode": 401}
            else:
                status, payload = self._route(method, urlparse(path).path, body)
            self.requests.append(Recorded(method, path, body, status))
            return status, copy.deepcopy(payload)

    def _route(self, method: str, path: str, body) -> tuple[int, object]:
        parts = [p for p in path.split("/") if p]
        if parts == ["tool"] and method == "GET":
            return 200, sorted(self.tools.values(), key=lambda t: t["createdAt"], reverse=True)
        if parts == ["tool"] and method == "POST":
            return self._create_tool(body)
        if len(parts) == 2 and parts[0] == "tool" and method == "PATCH":
            return self._update_tool(parts[1], body)
        singles = {"assistant": (self.assistant, "Assistant"), "phone-number": (self.phone_number, "Phone Number")}
        if len(parts) == 2 and parts[0] in singles and method in ("GET", "PATCH"):
            found, noun = singles[parts[0]]
            if parts[1] != found["id"]:
                return 404, _error(404, f"Couldn't Get {noun}. {noun} Not Found.")
            if method == "PATCH":
                found.update(copy.deepcopy(body or {}), updatedAt=_now())
            return 200, found
        return 404, _error(404, f"Cannot {method} {path}")

    def _create_tool(self, body) -> tuple[int, object]:
        if isinstance(body, dict) and body.get("type") == "transferCall" and isinstance(body.get("destinations"), list):
            tool = copy.deepcopy(body)
            for destination in tool["destinations"]:  # a default Vapi fills in (TransferDestinationNumber)
                destination.setdefault("numberE164CheckEnabled", True)
        elif not isinstance(body, dict) or body.get("type") != "function" or not body.get("function", {}).get("name"):
            return 400, _error(400, ["type must be one of the following values: function, transferCall, ...",
                                     "function.name must be a string"])
        else:
            tool = copy.deepcopy(body)
        tool.update(id=str(uuid.uuid4()), orgId=ORG_ID, createdAt=_now(), updatedAt=_now())
        self.tools[tool["id"]] = tool
        return 201, tool

    def _update_tool(self, tool_id: str, body) -> tuple[int, object]:
        if tool_id not in self.tools:
            return 404, _error(404, "Couldn't Get Tool. Tool Not Found.")
        if not isinstance(body, dict) or "type" in body:
            return 400, _error(400, ["property type should not exist"])
        self.tools[tool_id].update(copy.deepcopy(body), updatedAt=_now())
        return 200, self.tools[tool_id]


def _error(status: int, message) -> dict:
    names = {400: "Bad Request", 404: "Not Found"}
    return {"message": message, "error": names.get(status, "Error"), "statusCode": status}


def _handler_for(fake: FakeVapi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes; no 40 ms stalls

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            status, payload = fake.answer(self.command, self.path, self.headers.get("Authorization"), body)
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _handle

        def log_message(self, format, *args):  # keep test output quiet
            pass

    return Handler
