"""SMS: sanitize customer text, compose the shop's and the customer's texts, and send the outbox.

Texts are queued in the database outbox (see `db.Database.place_order`) and sent by `OutboxSender` on its own
thread, never on a request thread. Transports live in `sms.py`.
"""
from __future__ import annotations

import logging
import re
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
import unicodedata
from datetime import timedelta
from typing import Any, Iterator, Mapping, Sequence

from kebabalab.background import BackgroundThread
from kebabalab.store import Database, OutboxMark, OutboxMessage, OutboxRow
from kebabalab.errors import StoreError
from kebabalab.messaging.outbox_lease import LeaseKeeper
from kebabalab.ordering.phones import can_receive_texts, mask_phone
from kebabalab.shop.business import Business
from kebabalab.messaging.sms import LogTransport, PermanentSmsError, TemporarySmsError, TwilioTransport, redact_phones
from kebabalab.ordering.validation import clean_text

__all__ = ["sanitize_for_sms", "segments", "compose_shop_order", "compose_customer_confirmation",
           "compose_receipt", "compose_menu_link", "compose_ready", "messages_for_new_order", "OutboxSender",
           "LogTransport", "TwilioTransport", "PermanentSmsError", "TemporarySmsError"]

logger = logging.getLogger(__name__)

GSM_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
# What sanitize_for_sms lets through: the printable ASCII part of the GSM-7 basic set, one septet each.
_SMS_SAFE = frozenset(c for c in GSM_BASIC if " " <= c <= "~")
_TRANSLIT = str.maketrans({
    **dict.fromkeys("‘’‚‛′`", "'"), **dict.fromkeys("“”„‟″«»", '"'), **dict.fromkeys("‐‑‒–—―−•·~", "-"),
    **dict.fromkeys("[{", "("), **dict.fromkeys("]}", ")"), **dict.fromkeys("\\|⁄", "/"), "^": "", "…": "...",
    "€": "EUR", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
    "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "œ": "oe", "Œ": "OE", "ı": "i", "ħ": "h",
})
_LINK_SCHEME = re.compile(r"(?i)\b(?:https?|ftp)://")
_STATE_POSTCODE = re.compile(r",?\s+[A-Z]{2,3}\s+\d{4}$")


def sanitize_for_sms(text: Any, max_length: int | None = None) -> str:
    """Customer text made safe for one-septet GSM-7: cleaned as on arrival (clean_text), then ASCII only, one
    line, no links' schemes, at most max_length. Only texts are folded like this; the board keeps every letter."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", clean_text(text)).translate(_TRANSLIT)
    # Accents (combining marks), emoji, control, bidi and zero-width characters are simply dropped.
    kept = "".join(c if c in _SMS_SAFE else " " if c.isspace() else "" for c in decomposed)
    clean = " ".join(_LINK_SCHEME.sub("", " ".join(kept.split())).split())
    if max_length is not None and len(clean) > max_length:
        clean = clean[:max_length - 3].rstrip() + "..." if max_length >= 3 else clean[:max_length]
    return clean


def segments(body: str) -> int:
    """How many SMS parts a body costs: GSM-7 160 / 153 per part, otherwise UCS-2 70 / 67."""
    if not body:
        return 0
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in body):
        units, single, part = len(body) + sum(c in GSM_EXTENSION for c in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // part)


def money(cents: int) -> str:
    """2200 -> '$22.00'."""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}${cents // 100}.{cents % 100:02d}"


def _item_line(item: Mapping[str, Any]) -> str:
    quantity = int(item.get("quantity") or 1)
    description = sanitize_for_sms(item.get("description") or item.get("name") or "item", 120)
    cents = item.get("line_total_cents")
    if cents is None:  # a cart line as the tools return it, in dollars
        cents = round(float(item.get("lineTotal") or 0) * 100)
    return f"{quantity}x {description} {money(int(cents))}"


def _shop(business: Business) -> str:
    return sanitize_for_sms(business.name) or "Kebabalab"


def compose_shop_order(order, ready_spoken: str) -> str:
    """The text that tells the shop about a new order: who, when, every line, notes and total."""
    name = sanitize_for_sms(order.customer_name, 40) or "No name given"
    lines = [f"NEW ORDER {order.display_number}", f"{name} ({order.customer_phone or 'no number'})",
             f"Pickup {sanitize_for_sms(ready_spoken, 40)}", *(_item_line(item) for item in order.items)]
    notes = sanitize_for_sms(order.notes, 300)
    if notes:
        lines.append(f"Notes: {notes}")
    lines.append(f"Total {money(order.total)} (incl GST {money(order.gst)})")
    return "\n".join(lines)


def compose_customer_confirmation(order, business: Business, ready_spoken: str) -> str:
    """One segment where possible; to fit, drop the customer's name, then the shop's address."""
    address = _STATE_POSTCODE.sub("", sanitize_for_sms(business.address))
    first_name = sanitize_for_sms(order.customer_name, 40).split(" ")[0][:20]
    head = (f"{_shop(business)}: order {order.display_number} confirmed, {money(order.total)}, "
            f"ready {sanitize_for_sms(ready_spoken, 40)}")
    where = f" at {address}." if address else "."
    thanks = f" Thanks {first_name}!" if first_name else " Thanks!"
    for body in (head + where + thanks, head + where + " Thanks!", head + ". Thanks!"):
        if segments(body) == 1:
            return body
    return sanitize_for_sms(head, 160)


def compose_receipt(order, business: Business) -> str:
    """An itemised receipt with GST, the date and the shop's address."""
    year, month, day = order.order_day.split("-")
    lines = [f"{_shop(business)} receipt, order {order.display_number} ({day}/{month}/{year})",
             *(_item_line(item) for item in order.items),
             f"Total {money(order.total)} (incl GST {money(order.gst)})"]
    address = sanitize_for_sms(business.address)
    if address:
        lines.append(address)
    return "\n".join(lines)


def compose_menu_link(business: Business) -> str:
    """The menu's address (our own data, so the link is kept) and the number to call."""
    url = business.menu_url or business.website
    phone = sanitize_for_sms(business.phone, 20)
    return f"{_shop(business)} menu: {url}" + (f" - call {phone} to order." if phone else "")


def customer_text(kind: str, order, body: str) -> list[OutboxMessage]:
    """A text to the order's customer, or none when the number cannot take one (no number, a landline, a
    premium-rate or toll number): the one rule for every text the shop sends on its own."""
    if not order.customer_phone or not can_receive_texts(order.customer_phone):
        return []
    return [OutboxMessage(kind, order.customer_phone, body, call_id=order.call_id, order_id=order.id)]


def compose_ready(order, business: Business) -> str:
    return f"{_shop(business)}: order {order.display_number} is ready for pickup."


def messages_for_new_order(order, business: Business, ready_spoken: str,
                           shop_phone: str | None) -> list[OutboxMessage]:
    """The texts `Database.place_order` queues: the shop's copy and, with a number, the customer's."""
    messages = []
    if shop_phone:
        messages.append(OutboxMessage("shop_order", shop_phone, compose_shop_order(order, ready_spoken),
                                      call_id=order.call_id, order_id=order.id))
    return messages + customer_text("customer_confirmation", order,
                                    compose_customer_confirmation(order, business, ready_spoken))


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
        try:
            sid = self.transport.send(row.to_phone, row.body)
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
