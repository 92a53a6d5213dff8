"""The tools the assistant calls, and the dispatcher that runs one tool call."""
from __future__ import annotations

import logging
import re
import time

from kebabalab.errors import StoreError, ToolError
from kebabalab.ordering import pricing
from kebabalab.ordering.phones import mask_phone, try_normalise
from kebabalab.ordering.offers import read_answer
from kebabalab.ordering.validation import clean_text
from kebabalab.service.calls import call_started
from kebabalab.service.handover import OFFER_PERSON, clear_failures, note_failure
from kebabalab.service.offers import note_answer
from kebabalab.vapi.protocol import ToolCall, tool_result
from kebabalab.vapi.transfer import transfer_call_tool
from kebabalab.tools import allergen_tools, cart_tools, handover_tools, order_status_tools, order_tools, shop_tools
from kebabalab.tools.context import ToolContext
from kebabalab.tools.registry import OFFER_ANSWER, Registry

log = logging.getLogger(__name__)
# Every tool, once; this order is the order of config/vapi-tools.json.
REGISTRY = Registry.combined(cart_tools.TOOLS, shop_tools.TOOLS, order_tools.TOOLS, allergen_tools.TOOLS,
                             handover_tools.TOOLS, order_status_tools.TOOLS)
GENERIC_ERROR = "Sorry, something went wrong on our side; please try that again in a moment."
_TOOL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")
# Outcomes counted towards offering a person (_failed): malformed, unknown-tool, bad-arguments, store-error and
# crash, our failures or input nothing could read. A refusal (a ToolError: the assistant's next question) is not one.


def vapi_tools(server_url: str | None, business) -> list[dict]:
    """Every tool the assistant is given: ours, and Vapi's transferCall to the shop's landline when it has one."""
    landline = try_normalise(business.phone)
    return REGISTRY.vapi_tools(server_url) + ([transfer_call_tool(landline)] if landline else [])


def run_tool_call(services, call: ToolCall, call_id: str, caller: str | None) -> dict:
    """Run one tool call against the call's session; always returns a reply entry, never raises."""
    started = time.perf_counter()
    streak = []  # the call's failures in a row before this one, once its session is read
    # the assistant's words: no escape sequence reaches the log (ids are escaped by the log formatter)
    logged_name, logged_call = clean_text(call.name)[:40], call_id[:100]
    tool, deprecated = REGISTRY.lookup(call.name)
    outcome = "ok"
    phone = try_normalise(caller)
    try:
        if call.problem and (tool is None or not call.id):  # no id or name, or refused with the whole message
            outcome = "malformed"
            return tool_result(call, error=_failed(services, call_id, call.problem))
        if tool is None:
            outcome = "unknown-tool"
            said = call.name if _TOOL_NAME.fullmatch(call.name) else "that"  # never echo control characters
            return tool_result(call, error=_failed(
                services, call_id, f"There's no tool called {said}; please use one of the listed tools."))
        if deprecated:
            log.warning("deprecated tool name %s used for %s", logged_name, tool.name)
        if call.problem:
            outcome = "bad-arguments"
            return tool_result(call, error=_failed(services, call_id, call.problem))

        def work(session):
            session.caller = session.caller or phone
            streak.append(session.failures_in_row)
            if not session.logged:  # the call's first tool call: it goes in the call log
                call_started(services, call_id, phone)
                session.logged = True
            if OFFER_ANSWER in tool.params:
                note_answer(services, session, call_id, read_answer(call.arguments.get(OFFER_ANSWER)))
            ctx = ToolContext(services, session, call_id, phone, call.id)
            result = tool.func(ctx, call.arguments)
            session.cart = pricing.quoted(ctx.menu, session.cart)  # what was said stays the price
            session.failures_in_row = 0
            return result

        result = services.sessions.update(call_id, work)
        return tool_result(call, result=result)
    except ToolError as err:
        outcome = "refused"
        if streak and streak[-1]:
            clear_failures(services, call_id)
        return tool_result(call, error=err.message)
    except StoreError:
        outcome = "store-error"
        log.exception("tool %s call %s: store error", logged_name, logged_call)
        return tool_result(call, error=_failed(services, call_id, GENERIC_ERROR))
    except Exception:  # the caller must still hear a sentence; the details go to the log
        outcome = "crash"
        log.exception("tool %s call %s: unexpected error", logged_name, logged_call)
        return tool_result(call, error=_failed(services, call_id, GENERIC_ERROR))
    finally:
        ms = (time.perf_counter() - started) * 1000
        fields = {"event": "tool_call", "call_id": logged_call, "tool": logged_name, "outcome": outcome,
                  "ms": round(ms, 1), "caller": mask_phone(phone)}
        log.info("tool call=%s tool=%s outcome=%s ms=%.1f caller=%s", fields["call_id"], fields["tool"],
                 outcome, ms, fields["caller"], extra={"fields": fields})
        services.metrics.tool_call(call.name if tool else "unknown", outcome, ms / 1000, services.shop.id)


def _failed(services, call_id: str, error: str) -> str:
    """A failed call's error, telling the assistant to offer a person when it is the second failure in a row."""
    return error + OFFER_PERSON if note_failure(services, call_id) else error
