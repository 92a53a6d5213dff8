"""A person when needed: when to offer the caller the shop's landline, and the message taken when nobody answers.

Two tool calls in a row that failed for the server's reasons or on input nothing could read (not a clarifying
question) make the failing reply say to offer a person. A message taken lands on the board (store/call_messages.py)
and is texted to the shop in the same transaction.
"""
from __future__ import annotations

import logging

from kebabalab.errors import KebabalabError
from kebabalab.messaging.texts import compose_call_message
from kebabalab.ordering.allergy_notes import mentions_allergy
from kebabalab.ordering.phones import mask_phone
from kebabalab.store import OutboxMessage
from kebabalab.store.call_messages import NewCallMessage, add_call_message

log = logging.getLogger(__name__)
FAILURES_BEFORE_PERSON = 2
OFFER_PERSON = (" That has failed twice in a row: apologise and offer to put the caller through to someone at the "
                "shop (transferCall).")
REASONS = ("person", "allergy", "complaint", "refund", "failure", "other")


def note_failure(services, call_id: str) -> bool:
    """Count a failed tool call of this call; True when the caller should now be offered a person. When the count
    itself cannot be kept (the session store is failing too) the person is offered at once."""
    def bump(session) -> int:
        session.failures_in_row += 1
        return session.failures_in_row

    try:
        return services.sessions.update(call_id, bump) >= FAILURES_BEFORE_PERSON
    except KebabalabError:
        log.warning("call %s: failure not counted (session store unavailable); offering a person", call_id[:100])
        return True


def clear_failures(services, call_id: str) -> None:
    """A call that was understood (even one answered with a question) ends the run of failures."""
    def clear(session) -> None:
        session.failures_in_row = 0

    try:
        services.sessions.update(call_id, clear)
    except KebabalabError:
        log.warning("call %s: failure count not cleared (session store unavailable)", call_id[:100])


def take_message(services, call_id: str, name: str, phone: str | None, reason: str, message: str) -> int:
    """Save the caller's message for the board and text it to the shop (SHOP_ORDER_TO); returns its id."""
    allergy = reason == "allergy" or mentions_allergy(message)
    new = NewCallMessage(call_id, name, phone, reason, message, allergy, services.clock.now(), services.shop.id)
    shop_phone = services.settings.shop_order_to
    # The outbox's kinds are fixed by its CHECK constraint; shop_order is "a text to the shop's mobile".
    texts = [OutboxMessage("shop_order", shop_phone, compose_call_message(new), call_id=call_id,
                           shop_id=services.shop.id)] if shop_phone else []
    message_id = add_call_message(services.db, new, texts)
    services.sender.wake()
    log.info("call %s: message %d taken for the shop (%s, caller %s)", call_id[:100], message_id, reason,
             mask_phone(phone))
    return message_id
