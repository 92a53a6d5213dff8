"""The Vapi server-message protocol, without I/O: read a message, build the reply.

Vapi sends tool calls in several shapes (`toolCallList`, `toolWithToolCallList`, legacy
`toolCalls`, and the deprecated `function-call`); arguments arrive as objects or JSON text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ProtocolError

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
    call_id: str | None
    caller_number: str | None
    tool_calls: tuple[ToolCall, ...] = ()
    status: str | None = None

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
    call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else None
    caller = _number(call.get("customer")) or _number(msg.get("customer"))
    status = msg.get("status") if isinstance(msg.get("status"), str) else None
    calls: tuple[ToolCall, ...] = ()
    if kind == "tool-calls":
        calls = _tool_calls(msg)
    elif kind == "function-call":
        calls = (_legacy_function_call(msg),)
    if calls and call_id is None:
        raise ProtocolError("message.call.id is required for tool calls")
    return ServerMessage(kind, call_id, caller, calls, status)


def _number(customer: Any) -> str | None:
    if isinstance(customer, dict) and isinstance(customer.get("number"), str) and customer["number"].strip():
        return customer["number"].strip()
    return None


def _tool_calls(msg: dict) -> tuple[ToolCall, ...]:
    for key in ("toolCallList", "toolWithToolCallList", "toolCalls"):
        items = msg.get(key)
        if isinstance(items, list) and items:
            break
    else:
        raise ProtocolError("tool-calls message has no toolCallList")
    if len(items) > MAX_TOOL_CALLS:
        raise ProtocolError(f"at most {MAX_TOOL_CALLS} tool calls in one message")
    return tuple(_tool_call(item, key) for item in items)


def _tool_call(item: Any, key: str) -> ToolCall:
    if not isinstance(item, dict):
        raise ProtocolError(f"{key} items must be objects")
    if key == "toolWithToolCallList" and isinstance(item.get("toolCall"), dict):
        inner = item["toolCall"]
        item = {**item, **inner, "function": {**(item.get("function") or {}), **(inner.get("function") or {})}}
    function = item.get("function") if isinstance(item.get("function"), dict) else {}
    call_id = item.get("id")
    name = function.get("name") or item.get("name")
    if not isinstance(call_id, str) or not call_id:
        raise ProtocolError("every tool call needs a string id")
    if not isinstance(name, str) or not name:
        raise ProtocolError("every tool call needs a function name")
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
        raise ProtocolError("function-call message needs functionCall.name")
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
