"""What the webhook does with each Vapi message type: one handler per type, registered on `router`.

A new message type is one handler here (and, if it carries new fields, its reading in vapi/protocol.py).
"""
from __future__ import annotations

from kebabalab.service.assistant_request import answer_assistant_request
from kebabalab.service.calls import call_reported, status_updated
from kebabalab.tools import run_tool_call
from kebabalab.vapi.protocol import ServerMessage, function_call_reply, tool_calls_reply, tool_result
from kebabalab.vapi.router import Router

router = Router()


def _run(message: ServerMessage, services) -> list[dict]:
    call_id = message.call_id or ""  # without a call or chat, each tool call is refused (vapi/protocol.py)
    return [run_tool_call(services, call, call_id, message.caller_number) for call in message.tool_calls]


def refused(message: ServerMessage, sentence: str) -> dict:
    """The reply to a message no shop takes (a number no shop owns, a retired shop): the sentence spoken as
    every tool call's error, or as the assistant-request's error; nothing else is run."""
    if message.type == "assistant-request":
        return {"error": sentence}
    entries = [tool_result(call, error=sentence) for call in message.tool_calls]
    if message.type == "function-call" and entries:
        return function_call_reply(entries[0])
    return tool_calls_reply(entries) if entries else {}


@router.register("tool-calls")
def tool_calls(message: ServerMessage, services) -> dict | None:
    """Every tool call of the message, each answered in `results` (an error is a result, never an HTTP error)."""
    return tool_calls_reply(_run(message, services)) if message.tool_calls else None


@router.register("function-call")
def function_call(message: ServerMessage, services) -> dict | None:
    """The deprecated single function call: its result (or error) as `result`."""
    return function_call_reply(_run(message, services)[0]) if message.tool_calls else None


@router.register("assistant-request")
def assistant_request(message: ServerMessage, services) -> dict:
    """A call to a number with no fixed assistant: which assistant takes it, and what it knows first."""
    return answer_assistant_request(services, message.caller_number)


@router.register("status-update")
def status_update(message: ServerMessage, services) -> None:
    """The call's status changed: noted in the call log; 'ended' frees its session and notes a cart left without an
    order."""
    if message.call_id and message.report is not None:
        status_updated(services, message.call_id, message.caller_number, message.report)


@router.register("end-of-call-report")
def end_of_call_report(message: ServerMessage, services) -> None:
    """The call is over and Vapi's analysis done: the report goes to the call log (once, however often it comes),
    and the call ends if no status update ended it."""
    if message.call_id and message.report is not None:
        call_reported(services, message.call_id, message.caller_number, message.report)
