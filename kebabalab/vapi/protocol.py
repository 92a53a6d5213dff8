"""The Vapi server-message protocol, without I/O: read a message, build the reply.

Vapi sends tool calls in several shapes (`toolCallList`, `toolWithToolCallList`, legacy
`toolCalls`, and the deprecated `function-call`); arguments arrive as objects or JSON text.
A tool call comes from a phone or web call (`message.call`) or from a Vapi chat (`message.chat`, no call):
the call's or the chat's id keys the cart. Only a body that is not a Vapi message at all is a ProtocolError;
a malformed tool call inside a message is that call's own `problem`, answered as its error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kebabalab.errors import ProtocolError
from kebabalab.vapi.call_report import CallReport, read_call_report

MAX_TOOL_CALLS = 20


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict = field(default_factory=dict)
    problem: str | None = None  # the arguments could not be read; answered as this call's error


@dataclass(frozen=True)
class ServerMessage:
    type: str
    call_id: str | None  # the call's id, or the chat's for a Vapi chat
    caller_number: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    status: str | None = None
    report: CallReport | None = None  # an end-of-call report's or status update's call-log fields
    # which shop: the number dialled (message.phoneNumber.number, else call.phoneNumber.number), Vapi's id of
    # it (call.phoneNumberId, else message.phoneNumber.id), and the assistant (call's, else the chat's)
    dialled_number: str | None = None
    phone_number_id: str | None = None
    assistant_id: str | None = None

    @property
    def ends_call(self) -> bool:
        return self.type == "end-of-call-report" or (self.type == "status-update" and self.status == "ended")


def parse_server_message(body: Any) -> ServerMessage:
    """A decoded JSON body as a ServerMessage, or ProtocolError saying what is wrong."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), dict):
        raise ProtocolError("body must be a JSON object with a 'message' object")
    msg = body["message"]
    kind = msg.get("type")
    if not isinstance(kind, str) or not kind:
        raise ProtocolError("message.type must be a string")
    call = msg.get("call") if isinstance(msg.get("call"), dict) else {}
    chat = msg.get("chat") if isinstance(msg.get("chat"), dict) else {}
    call_id = _id(call) or _id(chat)
    caller = _number(call.get("customer")) or _number(msg.get("customer")) or _number(chat.get("customer"))
    status = msg.get("status") if isinstance(msg.get("status"), str) else None
    calls: tuple[ToolCall, ...] = ()
    if kind == "tool-calls":
        calls = _tool_calls(msg)
    elif kind == "function-call":
        calls = (_legacy_function_call(msg),)
    if call_id is None:
        calls = tuple(_refused(c, NO_CALL) for c in calls)
    report = read_call_report(msg) if kind in ("end-of-call-report", "status-update") else None
    phone = msg.get("phoneNumber") if isinstance(msg.get("phoneNumber"), dict) else {}
    dialled = _number(phone) or _number(call.get("phoneNumber"))
    number_id = _text(call, "phoneNumberId") or _id(phone)
    assistant = _text(call, "assistantId") or _text(chat, "assistantId")
    return ServerMessage(kind, call_id, caller, calls, status, report, dialled, number_id, assistant)


NO_CALL = "This message has neither a call nor a chat, so there is no order to work on."
TOO_MANY = f"Only {MAX_TOOL_CALLS} tool calls are run from one message; please make this one again."


def _id(thing: dict) -> str | None:
    return thing["id"] if isinstance(thing.get("id"), str) and thing["id"].strip() else None


def _text(thing: dict, key: str) -> str | None:
    value = thing.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _refused(call: ToolCall, problem: str) -> ToolCall:
    return ToolCall(call.id, call.name, {}, call.problem or problem)


def _number(customer: Any) -> str | None:
    if isinstance(customer, dict) and isinstance(customer.get("number"), str) and customer["number"].strip():
        return customer["number"].strip()
    return None


def _tool_calls(msg: dict) -> tuple[ToolCall, ...]:
    """Every tool call in the message, each readable or carrying its problem; those past the limit refused."""
    for key in ("toolCallList", "toolWithToolCallList", "toolCalls"):
        items = msg.get(key)
        if isinstance(items, list) and items:
            break
    else:
        return ()
    calls = [_tool_call(item, key) for item in items]
    return tuple(calls[:MAX_TOOL_CALLS]) + tuple(_refused(c, TOO_MANY) for c in calls[MAX_TOOL_CALLS:])


def _tool_call(item: Any, key: str) -> ToolCall:
    if not isinstance(item, dict):
        return ToolCall("", "", {}, "This tool call was not an object; please make it again.")
    if key == "toolWithToolCallList" and isinstance(item.get("toolCall"), dict):
        inner = item["toolCall"]
        item = {**item, **inner, "function": {**(item.get("function") or {}), **(inner.get("function") or {})}}
    function = item.get("function") if isinstance(item.get("function"), dict) else {}
    call_id = item.get("id") if isinstance(item.get("id"), str) else ""
    name = function.get("name") or item.get("name")
    name = name if isinstance(name, str) else ""
    if not call_id.strip():
        return ToolCall("", name, {}, "This tool call had no id, so its answer could not be matched; please make "
                                      "it again.")
    if not name.strip():
        return ToolCall(call_id, "", {}, "This tool call did not name a tool; please use one of the listed tools.")
    raw = _first_present(function, item, ("arguments", "parameters"))
    arguments, problem = decode_arguments(raw)
    return ToolCall(call_id, name, arguments, problem)


def _first_present(function: dict, item: dict, keys) -> Any:
    for source in (function, item):
        for key in keys:
            if key in source and source[key] is not None:
                # `function.parameters` in toolWithToolCallList is the schema, not the arguments
                if key == "parameters" and isinstance(source[key], dict) and source[key].get("type") == "object" \
                        and "properties" in source[key]:
                    continue
                return source[key]
    return {}


def json_value(raw: Any) -> Any:
    """A value that may arrive as JSON text (assistants send objects and lists both ways): decoded if text,
    as it is otherwise. ValueError when the text is not JSON."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except RecursionError:  # nesting past Python's limit; JSONDecodeError and over-long ints are ValueErrors
        raise ValueError("too deeply nested") from None


def decode_arguments(raw: Any) -> tuple[dict, str | None]:
    """Arguments as a dict, from an object or JSON text; a problem sentence when unreadable."""
    if isinstance(raw, str) and not raw.strip():
        return {}, None
    try:
        raw = json_value(raw)
    except ValueError:
        return {}, "The tool's arguments were not valid JSON; please try again."
    if not isinstance(raw, dict):
        return {}, "The tool's arguments must be an object of named values."
    return raw, None


def _legacy_function_call(msg: dict) -> ToolCall:
    fc = msg.get("functionCall")
    if not isinstance(fc, dict) or not isinstance(fc.get("name"), str) or not fc["name"]:
        return ToolCall("function-call", "", {}, "This function call did not name a function; please use one of "
                                                 "the listed tools.")
    arguments, problem = decode_arguments(fc.get("parameters", {}))
    return ToolCall(str(fc.get("id") or "function-call"), fc["name"], arguments, problem)


# -- replies ----------------------------------------------------------------------------------
def compact_json(value: Any) -> str:
    """Single-line JSON text (no line breaks, even inside strings)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def tool_result(call: ToolCall, *, result: dict | None = None, error: str | None = None) -> dict:
    entry = {"toolCallId": call.id, "name": call.name}
    if error is not None:
        entry["error"] = one_line(error)
    else:
        entry["result"] = compact_json(result)
    return entry


def tool_calls_reply(entries: list[dict]) -> dict:
    return {"results": entries}


def function_call_reply(entry: dict) -> dict:
    """The deprecated `function-call` reply: `{"result": "..."}` (an error is said as the result)."""
    return {"result": entry.get("result", entry.get("error", ""))}
