"""`python -m kebabalab call`: one phone call's tool calls, typed or scripted, sent as Vapi sends them.

Short commands (`add large lamb kebab no onion`, `meal large chips`, `total`, `order Sam`) or a raw tool call
(`priceCart {}`) become a real `tool-calls` message, posted to a running server or to the app in this process.
A script (`--script FILE`) is the same commands with `> expect ...` lines checking the reply before them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import shlex
import time
import uuid
from dataclasses import dataclass

import requests

from kebabalab.ordering.phones import mask_phone

DEFAULT_URL = "http://127.0.0.1:{port}/webhook"  # the port of `make run` (PORT, else 5000)
DEFAULT_NUMBER = "+61491570156"  # from ACMA's range kept for fiction: never a real customer
SIMPLE = {"cart": "getCartState", "total": "priceCart", "open": "checkOpen", "who": "getCallerSmartContext",
          "summary": "getOrderSummary", "repeat": "repeatLastOrder", "menu-link": "sendMenuLink",
          "receipt": "sendReceipt", "bye": "endCall", "clear": "clearCart", "ready": "estimateReadyTime"}
EXAMPLES = {"add": "add large lamb kebab no onion", "pickup": "pickup in 20 minutes", "order": "order Sam",
            "message": 'message Sam "please call me about a refund"'}
LIST_KEYS = ("salads", "sauces", "extras")
HELP = """commands: add <words> | meal [small|large chips|no chips] [drink] | cart | total | remove N
  edit N key=value ... | pickup <time> | order <name> [notes] | open | who | summary | repeat | ready
  menu-link | receipt | clear | bye | transfer [answered] | message <name> <words>
  <toolName> {json args} | help | quit
"""
TRANSFER = "transferCall"  # Vapi's own tool: played here, never sent to the server


class CommandError(ValueError):
    """A line that is not a command."""


class SimulatorError(Exception):
    """The server could not be reached or did not answer like the webhook."""


def parse_command(line: str) -> tuple[str, dict]:
    """A typed line as (tool name, arguments)."""
    word, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    if word in SIMPLE and not rest:
        return SIMPLE[word], {}
    if word == "transfer" and rest in ("", "answered", "unanswered"):
        return TRANSFER, {"answered": rest == "answered"}
    if word in ("add", "pickup", "order", "message") and not rest:
        raise CommandError(f"{word} needs more words, e.g. {EXAMPLES[word]}")
    if word == "add":
        return "quickAddItem", {"description": rest}
    if word == "pickup":
        return "setPickupTime", {"requestedTime": rest}
    if word == "order":
        name, *notes = _split(rest)
        return "createOrder", {"customerName": name, **({"notes": " ".join(notes)} if notes else {})}
    if word == "message":
        name, *words = _split(rest)
        return "takeMessage", {"callerName": name, "message": " ".join(words)}
    if word == "meal":
        return "convertItemsToMeals", _meal_args(rest.lower().split())
    if word == "remove":
        return "removeCartItem", {"itemIndex": _index(rest)}
    if word == "edit":
        return "editCartItem", _edit_args(_split(rest))
    from kebabalab.tools import REGISTRY
    if REGISTRY.lookup(word)[0] is not None:
        return word, _raw_args(rest)
    raise CommandError(f"unknown command {line.strip()[:40]!r}; type help for the list")


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise CommandError(f"cannot read {text!r}: {exc}") from None


def _index(text: str) -> int:
    if not text.isdigit():
        raise CommandError(f"expected an item number from the cart (0, 1, ...), not {text!r}")
    return int(text)


def _meal_args(words: list[str]) -> dict:
    args: dict = {}
    if words[:2] == ["no", "chips"]:
        args["chipsSize"], words = "none", words[2:]
    elif words[:1] and words[0] in ("small", "large", "none"):
        args["chipsSize"], words = words[0], words[1:]
        words = words[1:] if words[:1] == ["chips"] else words
    if words:
        args["drinkBrand"] = " ".join(words)
    return args


def _edit_args(words: list[str]) -> dict:
    if len(words) < 2:
        raise CommandError("edit N key=value ..., e.g. edit 0 size=small sauces=garlic,chilli")
    changes = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise CommandError(f"edit takes key=value pairs, not {word!r}")
        if key in LIST_KEYS and not value.startswith("["):
            changes[key] = [v.strip() for v in value.split(",") if v.strip()]
        else:
            changes[key] = _json_or_text(value)
    return {"itemIndex": _index(words[0]), "modifications": changes}


def _json_or_text(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


def _raw_args(text: str) -> dict:
    try:
        args = json.loads(text) if text else {}
    except ValueError:
        raise CommandError(f"the arguments must be a JSON object, e.g. {{\"itemIndex\": 0}}, not {text[:40]!r}")
    if not isinstance(args, dict):
        raise CommandError("the arguments must be a JSON object")
    return args


@dataclass
class Reply:
    tool: str
    result: dict | None = None
    error: str | None = None
    entry: dict | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def play_transfer(transfer: dict | None, answered: bool) -> Reply:
    """What the caller hears when Vapi runs the shop's transferCall: put through, or (nobody answered) the
    fallback, after which the assistant stays on the call to take a message."""
    if not transfer:
        return Reply(TRANSFER, error="The shop has no landline to transfer to (the phone in business.json).")
    destination = transfer["destinations"][0]
    plan = destination["transferPlan"]
    fallback = plan["fallbackPlan"]
    return Reply(TRANSFER, result={
        "message": destination["message"] if answered else fallback["message"], "answered": answered,
        "destination": mask_phone(destination["number"]), "mode": plan["mode"],
        "assistantStaysOnCall": not answered and not fallback["endCallEnabled"]})


class HttpTransport:
    """Posts to a running server."""

    def __init__(self, url: str, session: requests.Session | None = None):
        self.url, self.session = url, session or requests.Session()

    def post(self, body: bytes, headers: dict) -> tuple[int, object]:
        try:
            response = self.session.post(self.url, data=body, timeout=30,
                                         headers={"Content-Type": "application/json", **headers})
        except requests.RequestException as exc:
            raise SimulatorError(f"cannot reach {self.url} ({type(exc).__name__})") from None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None


class AppTransport:
    """Posts to the app in this process through Flask's test client."""

    def __init__(self, app):
        self.client = app.test_client()

    def post(self, body: bytes, headers: dict) -> tuple[int, object]:
        response = self.client.post("/webhook", data=body, headers=headers, content_type="application/json")
        return response.status_code, response.get_json(silent=True)


class Conversation:
    """One call: a fresh call id, the caller's number, and the webhook credential."""

    def __init__(self, transport, number: str = DEFAULT_NUMBER, secret: str = "", hmac_secret: str = "",
                 transfer: dict | None = None, dialled: str = "", assistant_id: str = ""):
        self.transport, self.number = transport, number
        self.secret, self.hmac_secret = secret, hmac_secret
        self.transfer = transfer  # the shop's transferCall tool (vapi/transfer.py), when it has a landline
        self.dialled, self.assistant_id = dialled, assistant_id  # which shop the call is for (`call --shop`)
        self.call_id = str(uuid.uuid4())

    def message(self, tool: str, args: dict) -> dict:
        calls = [{"id": f"call_{uuid.uuid4().hex[:24]}", "type": "function",
                  "function": {"name": tool, "arguments": args}}]
        call = {"id": self.call_id, "type": "inboundPhoneCall" if self.number else "webCall"}
        message = {"timestamp": int(time.time() * 1000), "type": "tool-calls", "toolCallList": calls,
                   "toolCalls": calls, "call": call}
        if self.number:
            call["customer"] = message["customer"] = {"number": self.number}
        if self.dialled:  # Vapi's ServerMessageToolCalls.phoneNumber: the shop's number that was called
            message["phoneNumber"] = {"number": self.dialled}
        if self.assistant_id:
            call["assistantId"] = self.assistant_id
        return {"message": message}

    def _auth(self, body: bytes) -> dict:
        if self.secret:
            return {"X-Vapi-Secret": self.secret}
        if self.hmac_secret:
            stamp = str(int(time.time()))
            mac = hmac.new(self.hmac_secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            return {"X-Timestamp": stamp, "X-Signature": mac}
        return {}

    def send(self, tool: str, args: dict) -> Reply:
        if tool == TRANSFER:
            return play_transfer(self.transfer, bool(args.get("answered")))
        body = json.dumps(self.message(tool, args)).encode("utf-8")
        status, data = self.transport.post(body, self._auth(body))
        if status != 200 or not isinstance(data, dict) or not data.get("results"):
            detail = data.get("error") if isinstance(data, dict) else None
            raise SimulatorError(f"the server answered HTTP {status}" + (f": {detail}" if detail else ""))
        entry = data["results"][0]
        if "error" in entry:
            return Reply(tool, error=str(entry["error"]), entry=entry)
        result = entry.get("result")
        return Reply(tool, result=_json_or_text(result) if isinstance(result, str) else result, entry=entry)
