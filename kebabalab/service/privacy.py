"""Forgetting customers, the use case: on request (`forget <phone>`) and, daily, history older than HISTORY_DAYS."""
from __future__ import annotations

import logging

from kebabalab.background import BackgroundThread
from kebabalab.ordering.phones import normalise_phone
from kebabalab.shop.privacy import DAY_SECONDS, history_cutoff
from kebabalab.store.privacy import Forgotten, anonymise_before, forget_phone

log = logging.getLogger(__name__)


def forget_customer(db, phone: str, shop_id: str | None = None) -> Forgotten:
    """Forget the customer with this number, given in any form (a ToolError when it is not a phone number), in
    one shop or (None) in every shop."""
    return forget_phone(db, normalise_phone(phone), shop_id)


class HistoryJanitor:
    """Runs `anonymise_before(now - HISTORY_DAYS)` at start and then once a day, on a background thread."""

    def __init__(self, db, clock, history_days: int, interval_seconds: float = DAY_SECONDS):
        self.db, self.clock, self.days = db, clock, history_days
        self._worker = BackgroundThread("kebabalab-history", self._step, interval_seconds, log)

    def run_once(self) -> Forgotten:
        return anonymise_before(self.db, history_cutoff(self.clock.now(), self.days))

    def _step(self) -> bool:
        self.run_once()
        return False  # once a day is enough

    def start(self) -> None:
        self._worker.start()

    def stop(self, timeout: float = 5) -> bool:
        return self._worker.stop(timeout)
