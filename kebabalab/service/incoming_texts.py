"""A text a customer sent to the shop's Twilio number: YES confirms their newest order awaiting it (its shop and
customer texts queued then), STOP opts the number out of every text, START opts it back in."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kebabalab.messaging.texts import messages_for_new_order
from kebabalab.ordering.phones import mask_phone, try_normalise
from kebabalab.shop.hours import spoken_time
from kebabalab.shop.order_guard import CONFIRM_MINUTES, START_WORDS, STOP_WORDS, YES_WORDS, keyword
from kebabalab.store.confirmations import confirm_newest, opt_in, opt_out

log = logging.getLogger(__name__)


def answer_text(services, from_number: str | None, body: str | None) -> str | None:
    """Act on one incoming text; the reply to send back at once (None: no reply, as after STOP, when Twilio
    answers itself)."""
    phone = try_normalise(from_number)
    if phone is None:
        log.warning("incoming text from an unreadable number ignored")
        return None
    word, now = keyword(body), services.clock.now()
    if word in STOP_WORDS:
        opt_out(services.db, phone, now)
        log.info("incoming text: %s opted out of texts", mask_phone(phone))
        return None
    if word in START_WORDS:
        opt_in(services.db, phone)
        log.info("incoming text: %s opted back in to texts", mask_phone(phone))
        return None
    if word not in YES_WORDS:
        log.info("incoming text from %s: not a keyword, no action", mask_phone(phone))
        return None
    return _confirm(services, phone, now)


def _confirm(services, phone: str, now: datetime) -> str | None:
    def texts(order):  # the texts an order sends when placed, sent now that it is confirmed
        ready = spoken_time(services.hours.local(datetime.fromisoformat(order.ready_at)))
        return messages_for_new_order(order, services.business, ready, services.settings.shop_order_to or None)

    answered = confirm_newest(services.db, phone, at=now, placed_after=now - timedelta(minutes=CONFIRM_MINUTES),
                              texts=texts)
    shop = services.business.name
    if answered is None:
        log.info("incoming YES from %s: no order awaiting it", mask_phone(phone))
        return f"{shop}: there's no order waiting for your YES. Please call us to order."
    order = answered.order
    if not answered.confirmed:
        log.info("incoming YES from %s too late for order %s", mask_phone(phone), order.order_number)
        return f"{shop}: sorry, order {order.display_number} was not confirmed within {CONFIRM_MINUTES} minutes " \
               "and is cancelled. Please call us to order again."
    services.sender.wake()
    log.info("order %s confirmed by text from %s", order.order_number, mask_phone(phone))
    return None  # the confirmation text (with the pickup time) is queued with the shop's
