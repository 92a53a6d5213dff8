"""The end of a call: free its session, and note a cart left without an order so the shop can call back."""
from __future__ import annotations

import logging

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import spoken_line
from kebabalab.ordering.phones import mask_phone, try_normalise

log = logging.getLogger(__name__)


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
    services.db.record_abandoned_cart(call_id, phone, summary, total, services.clock.now().isoformat())
    log.warning("call %s ended with %d cart lines and no order (caller %s)", call_id, len(session.cart),
                mask_phone(phone))
    return True
