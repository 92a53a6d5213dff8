"""Forgetting customers, the use case: on request (`forget <phone>`) and, daily, history older than HISTORY_DAYS."""
from __future__ import annotations

import logging
import threading

from kebabalab.ordering.phones import normalise_phone
from kebabalab.shop.privacy import DAY_SECONDS, history_cutoff
from kebabalab.store.privacy import Forgotten, anonymise_before, forget_phone

log = logging.getLogger(__name__)


def forget_customer(db, phone: str) -> Forgotten:
    """Forget the customer with this number, given in any form (a ToolError when it is not a phone number)."""
    return forget_phone(db, normalise_phone(phone))


class HistoryJanitor:
    """Runs `anonymise_before(now - HISTORY_DAYS)` at start and then once a day, on a daemon thread."""

    def __init__(self, db, clock, history_days: int, interval_seconds: float = DAY_SECONDS):
        self.db, self.clock, self.days, self.interval = db, clock, history_days, interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> Forgotten:
        return anonymise_before(self.db, history_cutoff(self.clock.now(), self.days))

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="kebabalab-history", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a failed run is retried tomorrow; the log says why
                log.exception("history anonymisation failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
