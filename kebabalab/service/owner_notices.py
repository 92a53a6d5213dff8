"""The owners' notices job: every round it runs the checks that may claim a notice (each shop's end-of-day
summary and phone line alerts), then sends what is due by text (the SMS transport, from the shop's own number
when it has one) and by email (the deployment's SMTP server). On a background thread; several workers may run it:
a notice is claimed once and each of its messages leased to one worker at a time (store/owner_notices.py)."""
from __future__ import annotations

import logging
from typing import Callable, Sequence

from kebabalab.background import BackgroundThread
from kebabalab.messaging.email import MailError
from kebabalab.messaging.sms import SmsError, redact_phones
from kebabalab.ordering.phones import mask_phone
from kebabalab.store.owner_notices import LeasedNotice, lease_due, mark_failed, mark_sent

log = logging.getLogger(__name__)


class OwnerNotices:
    """`checks`: functions of the time now that claim notices; `run_once()` runs them and sends what is due.
    `from_number`: shop id -> the number its texts come from, or None for the transport's own."""

    def __init__(self, db, clock, transport, mailer, checks: Sequence[Callable], interval: float = 30.0,
                 from_number: Callable[[str], str | None] | None = None):
        self.db, self.clock, self.transport, self.mailer = db, clock, transport, mailer
        self.checks, self.from_number = tuple(checks), from_number
        self._worker = BackgroundThread("owner-notices", self._step, interval, log)

    def run_once(self) -> dict[str, int]:
        """One round: {'sent', 'failed'} messages to the owner."""
        now = self.clock.now()
        for check in self.checks:
            try:
                check(now)
            except Exception:  # one shop's check that fails must not keep the other shops' owners uninformed
                log.exception("owner notices: a check failed; the others run")
        counts = {"sent": 0, "failed": 0}
        for notice in lease_due(self.db, now):
            try:
                self._deliver(notice)
            except (SmsError, MailError) as exc:
                error = redact_phones(str(exc))
            except Exception as exc:  # a transport bug must not stop the other notices
                log.exception("owner notice %d (%s) could not be sent", notice.id, notice.channel)
                error = f"unexpected {type(exc).__name__}"
            else:
                mark_sent(self.db, notice.id, self.clock.now())
                counts["sent"] += 1
                log.info("owner notice %s sent by %s to %s", notice.notice_key, notice.channel,
                         _masked(notice))
                continue
            mark_failed(self.db, notice, error, self.clock.now())
            counts["failed"] += 1
            log.warning("owner notice %s by %s to %s failed (try %d): %s", notice.notice_key, notice.channel,
                        _masked(notice), notice.attempts, error)
        return counts

    def _deliver(self, notice: LeasedNotice) -> None:
        if notice.channel == "text":
            own = self.from_number(notice.shop_id) if self.from_number is not None else None
            if own:
                self.transport.send(notice.to_address, notice.body, from_number=own)
            else:
                self.transport.send(notice.to_address, notice.body)
        elif self.mailer is None:
            raise MailError("no SMTP server is set (SMTP_HOST)")
        else:
            self.mailer.send(notice.to_address, notice.subject, notice.body)

    def _step(self) -> bool:
        self.run_once()
        return False

    def start(self) -> None:
        self._worker.start()

    def wake(self) -> None:
        self._worker.wake()

    def stop(self, timeout: float | None = 5.0) -> bool:
        return self._worker.stop(timeout)


def _masked(notice: LeasedNotice) -> str:
    if notice.channel == "text":
        return mask_phone(notice.to_address)
    name, _, domain = notice.to_address.partition("@")
    return f"{name[:1]}•••@{domain}"
