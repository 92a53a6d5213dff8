"""A call's life in the call log: seen at its first tool call, updated by Vapi's status updates, completed by
its end-of-call report; at its end the session is freed and a cart left without an order is noted so the shop
can call back."""
from __future__ import annotations

import logging

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import spoken_line
from kebabalab.ordering.phones import mask_phone, try_normalise
from kebabalab.store.calls import call_report, call_seen, call_status, record_left_cart

log = logging.getLogger(__name__)


def call_started(services, call_id: str, caller: str | None) -> None:
    """The call's first tool call: it is in the log from now on, whatever else Vapi sends or does not."""
    call_seen(services.db, call_id, caller, services.clock.now(), services.shop.id)


def status_updated(services, call_id: str, caller_number: str | None, report) -> None:
    """A status update (`report`: its vapi CallReport); 'ended' also ends the call."""
    caller = try_normalise(caller_number)
    call_status(services.db, call_id, caller, report, services.clock.now(), services.shop.id)
    if report.status == "ended":
        finish_call(services, call_id, caller)


def call_reported(services, call_id: str, caller_number: str | None, report) -> None:
    """The end-of-call report, stored once however often it comes; the call ends if it had not."""
    caller = try_normalise(caller_number)
    call_report(services.db, call_id, caller, report, services.clock.now(), services.shop.id)
    log.info("call %s: end-of-call report stored (%s, %s s)", call_id, report.ended_reason or "no reason",
             report.duration_seconds if report.duration_seconds is not None else "?")
    finish_call(services, call_id, caller)


def finish_call(services, call_id: str, caller_number: str | None = None) -> bool:
    """Free the call's state; returns True when an abandoned cart was recorded."""
    session = services.sessions.session_clear(call_id)
    if session is None:
        return False
    session.caller = session.caller or try_normalise(caller_number)
    return note_abandoned(services, session, call_id)


def note_abandoned(services, session, call_id: str) -> bool:
    """Record a cart left without an order (time, number, summary) so the shop can call back."""
    if not session.cart or session.order_number:
        return False
    phone = session.caller
    summary = "; ".join(spoken_line(services.menu, line) for line in session.cart)
    total = pricing.cart_total(services.menu, session.cart)
    record_left_cart(services.db, call_id, phone, len(session.cart), summary, total, services.clock.now(),
                     services.shop.id)
    log.warning("call %s ended with %d cart lines and no order (caller %s)", call_id, len(session.cart),
                mask_phone(phone))
    return True
