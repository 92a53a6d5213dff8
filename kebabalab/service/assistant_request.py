"""The answer to Vapi's `assistant-request`: which assistant takes this call, and what it knows before it speaks.

Vapi sends `assistant-request` for a phone number with no fixed assistant, and waits a few seconds for the reply
(ServerMessageResponseAssistantRequest in Vapi's OpenAPI document): `assistantId` with
`assistantOverrides.variableValues` (the prompt's {{variables}}), or a spoken `error`, or a `destination` to transfer
to. An empty reply makes Vapi end the call, so every path here answers something.
"""
from __future__ import annotations

import logging
from datetime import datetime

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import spoken_stored_item
from kebabalab.config import MAIN_SHOP
from kebabalab.errors import ToolError
from kebabalab.shop.hours import spoken_day_time, spoken_time
from kebabalab.service.kitchen_queue import current_lead
from kebabalab.ordering.phones import mask_phone, normalise_phone, try_normalise
from kebabalab.shop.pickup import next_opening_said
from kebabalab.ordering.validation import clean_text

log = logging.getLogger(__name__)
WHEN_CLOSED = ("say", "transfer")


def answer_assistant_request(services, caller: str | None) -> dict:
    """The reply to an assistant-request for a call from `caller` (None when withheld)."""
    now = services.clock.now()
    kitchen = services.availability.in_force()
    open_now = services.hours.taking_orders(now) and not kitchen.paused
    assistant_id = services.settings.vapi_assistant_id
    if not assistant_id:
        log.error("assistant-request: %s is not set, so the call cannot be given the assistant",
                  "VAPI_ASSISTANT_ID" if services.shop.id == MAIN_SHOP else f"shop {services.shop.id}'s assistantId")
        return _not_taking(services, "Sorry, our phone orders aren't working right now.", force_transfer=True)
    if not open_now:
        return _not_taking(services, _closed_sentence(services, now, kitchen.paused))
    values = variable_values(services, try_normalise(caller), now, kitchen.busy_minutes)
    log.info("assistant-request: %s for caller %s", assistant_id, mask_phone(try_normalise(caller)))
    return {"assistantId": assistant_id, "assistantOverrides": {"variableValues": values}}


def variable_values(services, phone: str | None, now: datetime, busy_minutes: int) -> dict:
    """The prompt's variables: the caller (first name, last order) when known, the hours, today's lead time."""
    hours = services.hours
    current = hours.current_interval(now)
    upcoming = hours.next_interval(current[1] if current else now)  # the next opening, not this one
    last = services.db.orders_for_phone(phone, limit=1) if phone else []
    name = clean_text(last[0].customer_name) if last else ""
    return {
        "shopName": services.business.name,
        "customerFirstName": name.split()[0] if name else "",
        "lastOrder": "; ".join(clean_text(spoken_stored_item(item)) for item in last[0].items) if last else "",
        "lastOrderTotal": pricing.spoken_money(last[0].total) if last else "",
        "isOpen": "yes" if current else "no",
        "closesAt": spoken_time(hours.local(current[1])) if current else "",
        "nextOpening": spoken_day_time(upcoming[0], now) if upcoming else "",
        "pickupLeadMinutes": current_lead(services, now, 1, busy_minutes),
    }


def _closed_sentence(services, now: datetime, paused: bool) -> str:
    shop = services.business.name
    if paused:
        return (f"Thanks for calling {shop}. The kitchen has paused phone orders for a few minutes; "
                "please call back shortly.")
    try:
        said = next_opening_said(services.hours, now)
    except ToolError:
        said = ""
    return f"Thanks for calling {shop}. We're not taking orders right now{'; ' + said if said else ''}."


def _not_taking(services, sentence: str, force_transfer: bool = False) -> dict:
    """A spoken `error`, or (ASSISTANT_REQUEST_WHEN_CLOSED=transfer) a transfer to the shop's landline."""
    landline = _landline(services.business)
    if landline and (force_transfer or services.settings.assistant_request_when_closed == "transfer"):
        return {"destination": {"type": "number", "number": landline, "message": sentence}}
    return {"error": sentence}


def _landline(business) -> str | None:
    try:
        return normalise_phone(business.phone)
    except ToolError:
        return None
