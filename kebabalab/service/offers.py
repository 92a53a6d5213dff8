"""The one offer a call hears: chosen by the server from the cart (ordering/offers.py), made at most once per call,
and the caller's answer recorded, both in the call's session and in call_offers for the call log."""
from __future__ import annotations

import logging

from kebabalab.ordering import pricing
from kebabalab.ordering.offers import choose_offer
from kebabalab.store.offers import record_answer, record_offer

log = logging.getLogger(__name__)


def offer_for(services, session, call_id: str) -> dict | None:
    """The offer call `call_id`'s cart calls for now, as the tool's result carries it, recorded for the shop; None
    when the call has had its offer already (accepted, declined or unanswered) or the cart calls for none."""
    if session.offered:
        return None
    offer = choose_offer(services.menu, session.cart)
    if offer is None:
        return None
    if not record_offer(services.db, call_id, offer.kind, offer.item_index, offer.extra_cents, offer.say,
                        services.clock.now(), services.shop.id):
        session.offered = "made"  # another worker's copy of this call made it: never a second
        return None
    session.offered = offer.kind
    return {"kind": offer.kind, "itemIndex": offer.item_index, "extra": pricing.dollars(offer.extra_cents),
            "say": offer.say, "ifYes": f"convertItemsToMeals with itemIndices [{offer.item_index}]",
            "answerWith": "offerAnswer"}


def note_answer(services, session, call_id: str, answer: str | None) -> None:
    """Record the caller's answer ('yes' or 'no') to call `call_id`'s offer; nothing when there was no offer to
    answer."""
    if answer is None or not session.offered:
        return
    if record_answer(services.db, call_id, answer, services.clock.now()):
        log.info("call %s: offer %s answered %s", call_id[:100], session.offered, answer)
