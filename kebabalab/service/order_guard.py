"""The prank and no-show guard's background job: it cancels the orders left unconfirmed past CONFIRM_MINUTES.
Whether an order waits for the customer's YES is decided as it is placed (service/orders.py; the policy is
shop/order_guard.py)."""
from __future__ import annotations

import logging
from datetime import timedelta

from kebabalab.background import BackgroundThread
from kebabalab.ordering.phones import mask_phone
from kebabalab.shop.order_guard import CONFIRM_MINUTES
from kebabalab.store.confirmations import cancel_unconfirmed

log = logging.getLogger(__name__)


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
