"""The network receipt printer's driver: claims the next ticket from the print queue, sends it by ESC/POS, marks it
printed; on a background thread (kebabalab/background.py), never a request's.

A printer that is off or out of paper keeps its tickets queued (tried again every `retry_seconds`) and its
state on the board. A job is claimed with a lease, so two workers never print one ticket, and one that died
mid-print leaves it to be printed when the lease runs out.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from kebabalab.background import BackgroundThread
from kebabalab.messaging import escpos_ticket
from kebabalab.messaging.escpos_ticket import PrinterUnavailable
from kebabalab.messaging.ticket import kitchen_ticket
from kebabalab.store.print_jobs import PrintQueue

logger = logging.getLogger(__name__)
PRINTER = "escpos"


class TicketPrinter:
    """Prints queued tickets on the ESC/POS printer at host:port; `start()` runs it on a daemon thread."""

    def __init__(self, queue: PrintQueue, clock, hours, shop_name: str, host: str, port: int, *,
                 poll_seconds: float = 2.0, retry_seconds: int = 10, lease_seconds: int = 60, timeout: float = 5.0):
        self.queue, self.clock, self.hours, self.shop_name = queue, clock, hours, shop_name
        self.host, self.port, self.timeout = host, port, timeout
        self.retry_seconds, self.lease_seconds = retry_seconds, lease_seconds
        self._worker = BackgroundThread("ticket-printer", self.print_next, poll_seconds, logger)

    def print_next(self) -> bool:
        """Print the oldest due ticket; True when one printed (more may be waiting)."""
        token = secrets.token_hex(16)
        job = self.queue.claim(PRINTER, self.clock.now(), self.lease_seconds, token)
        if job is None:
            return False
        ticket = kitchen_ticket(job.order, self.shop_name, self.hours,
                                reprint_by=(job.requested_by or "staff") if job.reason == "reprint" else None)
        try:
            escpos_ticket.send(self.host, self.port, escpos_ticket.ticket_bytes(ticket), self.timeout)
        except PrinterUnavailable as exc:
            now = self.clock.now()
            self.queue.retry(job.id, token, exc.detail, now + timedelta(seconds=self.retry_seconds))
            self.queue.set_state(PRINTER, exc.state, exc.detail, now)
            logger.warning("ticket for order %s not printed (%s); trying again in %ds", job.order.order_number,
                           exc.detail, self.retry_seconds)
            return False
        self.queue.printed(job.id, token, PRINTER, self.clock.now())
        logger.info("ticket for order %s printed (%s)", job.order.order_number, job.reason)
        return True

    def start(self) -> None:
        self._worker.start()

    def wake(self) -> None:
        self._worker.wake()

    def stop(self, timeout: float | None = 5.0) -> bool:
        return self._worker.stop(timeout)
