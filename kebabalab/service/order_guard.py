"""The prank and no-show guard, the use case: whether an order waits for the customer's YES by text (the policy is
shop/order_guard.py), and the background job that cancels the ones left unconfirmed past CONFIRM_MINUTES."""
from __future__ import annotations

import logging
from datetime import timedelta

from kebabalab.background import BackgroundThread
from kebabalab.errors import ToolError
from kebabalab.ordering.phones import can_receive_texts, mask_phone
from kebabalab.shop.order_guard import CONFIRM_MINUTES
from kebabalab.store.confirmations import cancel_unconfirmed, known_customer, opted_out

log = logging.getLogger(__name__)
NEEDS_A_MOBILE = ("This order needs a YES by text before the kitchen starts it, and {why}. Ask for a mobile "
                  "number that can get the text (pass it as customerPhone); if they have none, offer to put them "
                  "through to the shop.")


def needs_confirmation(services, phone: str, total_cents: int, items: int) -> bool:
    """True when this order must wait for the customer's YES; a ToolError when it must but `phone` cannot get
    the text (a landline, a withheld number's stand-in, a number that sent the shop STOP). `services`: the shop's
    ShopServices (a known customer of another branch is a first-time caller here)."""
    guard = services.business.prank_guard
    if not guard.needs_confirmation(total_cents, items, first_time=True):
        return False  # the cheap checks first: most orders never reach the database here
    if known_customer(services.db, phone, services.shop.id):
        return False
    if not can_receive_texts(phone):
        raise ToolError(NEEDS_A_MOBILE.format(why="that number can't get texts"))
    if opted_out(services.db, phone, services.shop.id):
        raise ToolError(NEEDS_A_MOBILE.format(why="that number has opted out of our texts"))
    return True


class UnconfirmedJanitor:
    """Cancels every shop's orders still awaiting their YES CONFIRM_MINUTES after they were placed, every
    `interval_seconds` on a background thread; with several workers each order is cancelled once, in its own shop
    (store/confirmations.py)."""

    def __init__(self, db, clock, interval_seconds: float = 30):
        self.db, self.clock = db, clock
        self._worker = BackgroundThread("kebabalab-unconfirmed", self._step, interval_seconds, log)

    def run_once(self) -> list:
        now = self.clock.now()
        cancelled = cancel_unconfirmed(self.db, placed_before=now - timedelta(minutes=CONFIRM_MINUTES), at=now)
        for order in cancelled:
            log.info("order %s of shop %s cancelled: no YES from %s within %d minutes", order.order_number,
                     order.shop_id, mask_phone(order.customer_phone), CONFIRM_MINUTES)
        return cancelled

    def _step(self) -> bool:
        self.run_once()
        return False

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 5) -> bool:
        return self._worker.stop(timeout)
