"""A text a customer sent to a shop's Twilio number: YES confirms their newest order awaiting it (its shop and
customer texts queued then), STOP opts the number out of every text, START opts it back in.

The number the text was sent to (Twilio's `To`) decides the shops: those whose texts come from it (Shops.
texting_from). Several shops may text from one number (a shop without its own textsFrom uses the deployment's
TWILIO_FROM_NUMBER): a YES then confirms the sender's newest awaiting order among those shops, in that order's
shop; STOP and START opt the sender out and in for every one of them, as Twilio's own STOP blocks the whole number.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kebabalab.messaging.texts import messages_for_new_order
from kebabalab.ordering.phones import mask_phone, try_normalise
from kebabalab.shop.hours import spoken_time
from kebabalab.shop.order_guard import CONFIRM_MINUTES, START_WORDS, STOP_WORDS, YES_WORDS, keyword
from kebabalab.store.confirmations import confirm_newest, opt_in, opt_out

log = logging.getLogger(__name__)


def answer_text(services, from_number: str | None, body: str | None, to_number: str | None = None) -> str | None:
    """Act on one incoming text (`services`: the app's, with every shop); the reply to send back at once (None: no
    reply, as after STOP, when Twilio answers itself)."""
    phone = try_normalise(from_number)
    if phone is None:
        log.warning("incoming text from an unreadable number ignored")
        return None
    shops = services.shops.texting_from(to_number, services.settings.twilio_from_number)
    if not shops:
        to = try_normalise(to_number)
        log.warning("incoming text from %s to %s: no shop texts from that number; ignored", mask_phone(phone),
                    mask_phone(to) if to else "an unreadable number")
        return None
    word, now, shop_ids = keyword(body), services.clock.now(), [view.shop.id for view in shops]
    if word in STOP_WORDS:
        opt_out(services.db, phone, now, shop_ids)
        log.info("incoming text: %s opted out of texts from shop(s) %s", mask_phone(phone), ", ".join(shop_ids))
        return None
    if word in START_WORDS:
        opt_in(services.db, phone, shop_ids)
        log.info("incoming text: %s opted back in to texts from shop(s) %s", mask_phone(phone), ", ".join(shop_ids))
        return None
    if word not in YES_WORDS:
        log.info("incoming text from %s: not a keyword, no action", mask_phone(phone))
        return None
    return _confirm(services, shops, phone, now)


def _confirm(services, shops: list, phone: str, now: datetime) -> str | None:
    """Confirm the sender's newest order awaiting its YES at one of `shops` (their ShopServices, 'main' first);
    the reply names the order's shop, or the first of them when no order awaits."""
    by_id = {view.shop.id: view for view in shops}

    def texts(order):  # the texts an order sends when placed, sent now that it is confirmed, as its shop words them
        shop = by_id[order.shop_id]
        ready = spoken_time(shop.hours.local(datetime.fromisoformat(order.ready_at)))
        return messages_for_new_order(order, shop.business, ready, shop.settings.shop_order_to or None)

    answered = confirm_newest(services.db, phone, at=now, placed_after=now - timedelta(minutes=CONFIRM_MINUTES),
                              texts=texts, shop_ids=list(by_id))
    if answered is None:
        log.info("incoming YES from %s: no order awaiting it", mask_phone(phone))
        return f"{shops[0].business.name}: there's no order waiting for your YES. Please call us to order."
    order = answered.order
    name = by_id[order.shop_id].business.name
    if not answered.confirmed:
        log.info("incoming YES from %s too late for order %s of shop %s", mask_phone(phone), order.order_number,
                 order.shop_id)
        return f"{name}: sorry, order {order.display_number} was not confirmed within {CONFIRM_MINUTES} minutes " \
               "and is cancelled. Please call us to order again."
    services.sender.wake()
    log.info("order %s of shop %s confirmed by text from %s", order.order_number, order.shop_id, mask_phone(phone))
    return None  # the confirmation text (with the pickup time) is queued with the shop's
