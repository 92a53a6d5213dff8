"""The outbox sender: due texts claimed from the database, sent through the transport (sms.py) a few at once,
retried with backoff, and their outcomes saved; on a background thread, never a request's."""
from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import timedelta
from typing import Callable, Iterator, Sequence

from kebabalab.background import BackgroundThread
from kebabalab.errors import StoreError
from kebabalab.messaging.outbox_lease import LeaseKeeper
from kebabalab.messaging.sms import PermanentSmsError, TemporarySmsError, redact_phones
from kebabalab.ordering.phones import mask_phone
from kebabalab.store import Database, OutboxMark, OutboxRow
from kebabalab.store.confirmations import opted_out

logger = logging.getLogger(__name__)

class OutboxSender:
    """Sends due outbox texts with retries and backoff; `start()` runs it on a daemon thread."""

    def __init__(self, db: Database, transport, clock, *, poll_seconds: float = 2.0,
                 backoff: Sequence[int] = (5, 30, 120, 600, 1800, 3600), max_attempts: int = 12,
                 batch_size: int = 40, lease_seconds: int = 60, concurrency: int = 1, metrics=None,
                 renew_seconds: float | None = None):
        if not backoff or max_attempts < 1:
            raise ValueError("OutboxSender needs a backoff and at least one attempt")
        self.db, self.transport, self.clock = db, transport, clock
        self.poll_seconds, self.backoff, self.max_attempts = poll_seconds, tuple(backoff), max_attempts
        self.batch_size, self.lease_seconds = batch_size, lease_seconds
        self.renew_seconds = renew_seconds if renew_seconds is not None else lease_seconds / 4
        self._unsaved: list[tuple[OutboxRow, OutboxMark]] = []  # sent, outcome not saved yet: saved first
        self.metrics = metrics  # kebabalab.metrics.Metrics: SMS sent, logged, retried, failed
        self.concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._worker = BackgroundThread("outbox-sender", self._step, poll_seconds, logger)
        # shop id -> the number its texts come from, or None for the transport's own (set by the app's wiring)
        self.from_number: Callable[[str], str | None] | None = None

    @property
    def iterations(self) -> int:
        """Loops completed by the background thread."""
        return self._worker.iterations

    def run_once(self) -> dict[str, int]:
        """Send what is due now, up to `concurrency` texts at once (each leased to this sender while it is
        sent, the lease renewed every `renew_seconds` while Twilio has not answered); returns {'sent',
        'logged', 'retry', 'failed'}.

        Outcomes that finish together are saved in one transaction: on SQLite every write waits its turn
        behind the orders being placed, so one write per group of sends rather than one per text. A save that
        fails (StoreError: the database busy or gone) is tried again with the next group, so the texts still
        being sent are waited for and saved. Outcomes still unsaved at the end of the round are kept and
        saved first at the next round, before any other text is claimed (it raises until they are saved)."""
        counts = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}
        self._save(counts)
        handled = 0
        while handled < self.batch_size:
            limit = min(self.concurrency, self.batch_size - handled)
            rows = self.db.claim_due(self.clock.now(), limit=limit, lease_seconds=self.lease_seconds)
            if not rows:
                break
            with LeaseKeeper(self.db, self.clock, rows, self.lease_seconds, self.renew_seconds) as lease:
                for finished in self._send_all(rows):
                    self._unsaved += finished
                    saving = [row.id for row, _ in self._unsaved]
                    try:
                        self._save(counts)
                    except StoreError as exc:
                        logger.warning("SMS outcomes of %d texts not saved yet (%s); trying again with the next",
                                       len(saving), exc)
                        continue
                    lease.done(saving)
            if self._unsaved:
                raise StoreError(f"the outcomes of {len(self._unsaved)} texts could not be saved yet; they are "
                                 "saved before any other text is sent")
            handled += len(rows)
        return counts

    def _save(self, counts: dict[str, int]) -> None:
        """Save the outcomes not saved yet, in one write (StoreError when the database refuses)."""
        if not self._unsaved:
            return
        self.db.record_marks([mark for _, mark in self._unsaved])
        for row, mark in self._unsaved:
            self._report(row, mark)
            counts[mark.status] += 1
            if self.metrics is not None:
                self.metrics.sms_outcome(mark.status)
        self._unsaved = []

    def _send_all(self, rows: list[OutboxRow]) -> Iterator[list[tuple[OutboxRow, OutboxMark]]]:
        """Send the rows at once; yields the (row, outcome) pairs that finished together, as they finish, so
        a text that went out is saved as sent without waiting for a slow one (a crash then resends less)."""
        if len(rows) == 1:
            yield [(rows[0], self._deliver(rows[0]))]
            return
        futures = {self._workers().submit(self._deliver, row): row for row in rows}
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            yield [(futures[future], future.result()) for future in done]

    def _workers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="outbox-send")
        return self._pool

    def _deliver(self, row: OutboxRow) -> OutboxMark:
        """Send one text; what became of it, for the database (written by run_once with the others)."""
        if row.attempts > self.max_attempts:  # a sender died mid-send after the last allowed attempt
            return OutboxMark(row.id, "failed", error=f"gave up after {self.max_attempts} attempts")
        if opted_out(self.db, row.to_phone, row.shop_id):  # it texted the shop STOP: nothing from it until START
            return OutboxMark(row.id, "failed", error="the number opted out of texts (STOP)")
        try:
            own = self.from_number(row.shop_id) if self.from_number is not None else None
            sid = self.transport.send(row.to_phone, row.body, from_number=own) if own else \
                self.transport.send(row.to_phone, row.body)
        except PermanentSmsError as exc:
            return OutboxMark(row.id, "failed", error=str(exc))
        except TemporarySmsError as exc:
            return self._retry(row, str(exc))
        except Exception as exc:  # a transport bug must not kill the loop or lose the text
            logger.exception("SMS transport error on outbox %d", row.id)
            return self._retry(row, f"unexpected {type(exc).__name__}")
        logged = bool(getattr(self.transport, "logs_only", False))
        return OutboxMark(row.id, "logged" if logged else "sent", provider_sid=sid, at=self.clock.now())

    def _retry(self, row: OutboxRow, error: str) -> OutboxMark:
        if row.attempts >= self.max_attempts:
            return OutboxMark(row.id, "failed", error=f"{error} (after {row.attempts} attempts)")
        return OutboxMark(row.id, "retry", error=error,
                          at=self.clock.now() + timedelta(seconds=self._retry_delay(row.attempts)))

    def _retry_delay(self, attempts: int) -> int:
        """Seconds before the next try of a text that has failed `attempts` times (the last backoff after that)."""
        return self.backoff[min(attempts, len(self.backoff)) - 1]

    def _report(self, row: OutboxRow, mark: OutboxMark) -> None:
        """One log line per text, once its outcome is saved."""
        to = mask_phone(row.to_phone)
        if mark.status in ("sent", "logged"):
            logger.info("SMS %d (%s) to %s %s", row.id, row.kind, to, mark.status)
        elif mark.status == "retry":
            logger.warning("SMS %d (%s) to %s failed on attempt %d, retrying in %ds: %s", row.id, row.kind, to,
                           row.attempts, self._retry_delay(row.attempts), redact_phones(mark.error or ""))
        elif row.kind == "shop_order":
            logger.error("SHOP NOT TOLD about order %s: text %d to %s failed for good: %s",
                         row.order_number, row.id, to, redact_phones(mark.error or ""))
        else:
            logger.warning("SMS %d (%s) to %s failed for good: %s", row.id, row.kind, to,
                           redact_phones(mark.error or ""))

    def start(self) -> None:
        """Run the send loop on a daemon thread (idempotent; after a fork, a thread of the child's own)."""
        self._worker.start()

    def wake(self) -> None:
        """Send now rather than at the next poll (call right after queueing a text)."""
        self._worker.wake()

    def stop(self, timeout: float | None = 5.0) -> bool:
        """Stop the loop and wait for it; True when the thread has ended."""
        ended = self._worker.stop(timeout)
        if self._pool is not None and ended:
            self._pool.shutdown(wait=False)
            self._pool = None
        return ended

    def _step(self) -> bool:
        """One round of the loop; True when a whole batch went, so more may be due at once."""
        return sum(self.run_once().values()) >= self.batch_size
