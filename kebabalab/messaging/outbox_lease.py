"""`LeaseKeeper`: keeps the outbox lease on texts while Twilio is still answering for them.

A sender leases the texts it claims for `lease_seconds`; a sender that dies leaves them to be sent again
when the lease runs out. Without renewal a Twilio answer slower than the lease let another sender claim the
text and send it a second time. The keeper extends the lease every `every` seconds for as long as a text is
in flight, and only while it is still this sender's (the lease it last wrote), so it can never take a text
back from another sender.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from kebabalab.store import utc_text
from kebabalab.errors import StoreError

log = logging.getLogger(__name__)


class LeaseKeeper:
    """`with LeaseKeeper(...) as keeper:` renews the rows' lease until `done(ids)` or the block ends."""

    def __init__(self, db, clock, rows, lease_seconds: int, every: float):
        self.db, self.clock, self.lease, self.every = db, clock, timedelta(seconds=lease_seconds), every
        self._ids = {row.id for row in rows}
        self._until = rows[0].claimed_until if rows else None  # one claim: one lease for every row
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-lease", daemon=True)

    def __enter__(self) -> "LeaseKeeper":
        if self._ids:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def done(self, ids) -> None:
        """These texts' outcomes are saved: their lease no longer matters."""
        with self._lock:
            self._ids.difference_update(ids)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            with self._lock:
                ids = sorted(self._ids)
            if ids:
                self._renew(ids)

    def _renew(self, ids: list[int]) -> None:
        until = utc_text(self.clock.now() + self.lease)
        try:
            self.db.renew_leases(ids, self._until, until)
        except StoreError as exc:  # tried again at the next beat; the lease still has most of its time
            log.warning("outbox lease of %d texts not renewed yet (%s)", len(ids), exc)
            return
        self._until = until
